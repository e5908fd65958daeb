"""From clues to the list: neighbours scored as independent evidence, near-duplicates grouped and counted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from medcodes.models import (
    Concept,
    SimilarCode,
    SimilarKind,
    SimilarReason,
)
from medcodes.similar.clue import GROUP_DECAY, KIND_DECAY, SYSTEM_DECAY, Clue
from medcodes.similar.codes import descends, differences, plain
from medcodes.similar.words import laterality_of
from medcodes.systems import REGISTRY, SystemId

_STRUCTURAL = {SimilarKind.VARIANT, SimilarKind.SIBLING, SimilarKind.FAMILY, SimilarKind.BODY_PART}


@dataclass(slots=True)
class Neighbour:
    """A candidate and its clues; ``settle`` fixes its score and the clue that leads it."""

    concept: Concept
    clues: list[Clue] = field(default_factory=list)
    score: float = 0.0
    lead: Clue | None = None

    def settle(self) -> None:
        best: dict[SimilarKind, float] = {}
        for clue in self.clues:
            best[clue.kind] = max(best.get(clue.kind, 0.0), clue.score)
        miss = 1.0
        for value in best.values():
            miss *= 1.0 - value
        self.score = 1.0 - miss
        # The group and kind come from the strongest structural clue, else from the strongest one.
        structural = [c for c in self.clues if c.kind in _STRUCTURAL]
        self.lead = max(structural or self.clues, key=lambda c: c.score)

    def reasons(self) -> tuple[SimilarReason, ...]:
        """One reason per kind (its strongest clue), in SimilarKind's order: structure first, wording last."""
        best: dict[SimilarKind, Clue] = {}
        for clue in self.clues:
            if clue.kind not in best or clue.score > best[clue.kind].score:
                best[clue.kind] = clue
        return tuple(SimilarReason(kind, best[kind].text) for kind in SimilarKind if kind in best)


def _twin(a: Concept, b: Concept, own: SystemId) -> str | None:
    """What ``b`` is to ``a`` where it is the same code but for laterality or its 7th character, or a code
    above or below it in another system than ``own`` (E11.0 and E11.00 for an ICD-11 code), else None.

    Such twins of a listed code are counted in its ``more`` instead of being listed (S52.111A lists
    S52.112A and S52.119A as "and 2 more: other lateralities").
    """
    if a.system is not b.system:
        return None  # (called for every listed code and every candidate: the cheap test first)
    if a.system is not own and (descends(b, a) or descends(a, b)):
        return "codes above or below it"
    if len(a.code) != len(b.code):
        return None
    diff = differences(a.code, b.code)
    if len(diff) != 1:
        return None
    if REGISTRY[a.system].seventh_character and len(plain(a.code)) == 7 and diff[0] == len(a.code) - 1:
        return "other 7th characters"
    return "other lateralities" if laterality_of(a.title, b.title) else None


def select(neighbours: Sequence[Neighbour], own: SystemId, limit: int) -> list[SimilarCode]:
    """The best ``limit`` neighbours, near-duplicates grouped (see the module's docstring)."""
    for n in neighbours:
        n.settle()
    pool = sorted(neighbours, key=lambda n: (-n.score, n.concept.system.value, n.concept.seq))
    listing = _Listing(pool, own)
    while len(listing.chosen) < limit:
        best = listing.best()
        if best < 0:
            break
        listing.take(best)
    chosen = listing.chosen
    more, labels = listing.counted()
    listed = [
        SimilarCode(
            pool[i].concept.system,
            pool[i].concept.code,
            pool[i].concept.title,
            round(pool[i].score, 4),
            pool[i].reasons(),
            pool[i].concept.billable,
            more[at],
            " and ".join(labels[at]) if more[at] else None,
        )
        for at, i in enumerate(chosen)
    ]
    return sorted(listed, key=lambda s: -s.score)


class _Listing:
    """The neighbours listed so far, chosen one at a time by weight: a neighbour's score, less for each listed
    entry of its kind, of its other system and of its group; the twins of a listed code are counted in its
    ``more`` instead."""

    def __init__(self, pool: Sequence[Neighbour], own: SystemId) -> None:
        self.pool = pool
        self.own = own
        self.chosen: list[int] = []
        self.first_of_group: dict[tuple[str, ...], int] = {}
        self.group_count: dict[tuple[str, ...], int] = {}
        self.kind_count: dict[SimilarKind, int] = {}
        self.system_count: dict[SystemId, int] = {}
        self.twins: dict[int, tuple[int, str]] = {}  # pool index -> (chosen position, label)
        self.same_system: dict[SystemId, list[int]] = {}
        for i, n in enumerate(pool):
            self.same_system.setdefault(n.concept.system, []).append(i)

    def best(self) -> int:
        """The pool index of the neighbour of highest weight, or -1 where none may be listed."""
        best_i, best_weight = -1, 0.0
        for i, n in enumerate(self.pool):
            if n.score <= best_weight:
                break  # the pool is by score, and a weight is never above its score: none further can win
            weight = self._weight(i, n)
            if weight > best_weight:
                best_i, best_weight = i, weight
        return best_i

    def _weight(self, i: int, n: Neighbour) -> float:
        lead = n.lead
        assert lead is not None
        if i in self.chosen or i in self.twins or (lead.group in self.first_of_group and lead.fold):
            return 0.0  # listed, counted, or folded into a group already listed
        weight = n.score * KIND_DECAY ** self.kind_count.get(lead.kind, 0)
        if n.concept.system is not self.own:
            weight *= SYSTEM_DECAY ** self.system_count.get(n.concept.system, 0)
        if lead.group is not None:
            weight *= GROUP_DECAY ** self.group_count.get(lead.group, 0)
        return weight

    def take(self, best_i: int) -> None:
        """List the neighbour at ``best_i``, and count its twins in its ``more``."""
        lead = self.pool[best_i].lead
        assert lead is not None
        self.kind_count[lead.kind] = self.kind_count.get(lead.kind, 0) + 1
        system = self.pool[best_i].concept.system
        self.system_count[system] = self.system_count.get(system, 0) + 1
        if lead.group is not None:
            self.group_count[lead.group] = self.group_count.get(lead.group, 0) + 1
            self.first_of_group.setdefault(lead.group, len(self.chosen))
        for i in self.same_system[system]:  # a twin is always of the listed code's own system
            twin = (
                None
                if i in self.twins or i in self.chosen
                else _twin(self.pool[best_i].concept, self.pool[i].concept, self.own)
            )
            if twin is not None and i != best_i:
                self.twins[i] = (len(self.chosen), twin)
        self.chosen.append(best_i)

    def counted(self) -> tuple[list[int], list[dict[str, None]]]:
        """How many unlisted neighbours each listed entry stands for, and what they are, in order."""
        more = [0] * len(self.chosen)
        labels: list[dict[str, None]] = [{} for _ in self.chosen]
        for i, n in enumerate(self.pool):
            lead = n.lead
            assert lead is not None
            if i in self.chosen:
                continue
            if i in self.twins:
                at, label = self.twins[i]
            elif lead.group in self.first_of_group:
                at, label = self.first_of_group[lead.group], lead.more_label or "others like it"
            else:
                continue
            more[at] += 1
            labels[at][label] = None
        return more, labels
