"""``SimilarFinder``: every finder's clues for one code, made into its list."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Sequence

from medcodes.models import (
    Concept,
    SimilarCode,
    SimilarKind,
)
from medcodes.search.index import LexicalIndex
from medcodes.similar.clue import CORROBORATION, HEADER_FACTOR, MAX_LIMIT, SKIPPED_KINDS, SUPPORT_MIN, Clue, qualifies
from medcodes.similar.codes import descends, plain
from medcodes.similar.hierarchy import hierarchy_clues
from medcodes.similar.notes import index_clues, note_clues
from medcodes.similar.overlap import Overlap
from medcodes.similar.payment import coverage_clues, drg_clues, nearby_clues
from medcodes.similar.pcs import pcs_clues
from medcodes.similar.relations import relation_clues
from medcodes.similar.selection import Neighbour, select
from medcodes.similar.wording import Wording
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import REGISTRY, SystemId

# A finder: the clues one source of evidence gives for a code.
Finder = Callable[[SQLiteStore, Concept], Iterator[Clue]]


class SimilarFinder:
    """Finds the similar codes of one concept at a time, from a store and (optionally) its lexical index."""

    def __init__(self, store: SQLiteStore, index: LexicalIndex | None) -> None:
        self.store = store
        skipped = store.concept_ids_of_kinds(sorted(SKIPPED_KINDS)) if index is not None else []
        self.wording = Wording(index, skipped) if index is not None else None
        self.overlap = Overlap(index)
        # The finders of one system's own sources, besides those every system has (its hierarchy, crosswalks and
        # wording): a new system with an index, notes or a code order of its own adds its finders here.
        self.finders: dict[SystemId, tuple[Finder, ...]] = {
            SystemId.ICD10PCS: (pcs_clues,),
            SystemId.ICD10CM: (index_clues, note_clues),
            SystemId.MSDRG: (drg_clues,),
            SystemId.HCPCS: (coverage_clues, functools.partial(nearby_clues, overlap=self.overlap)),
        }

    def similar(self, concept: Concept, limit: int = 10) -> list[SimilarCode]:
        limit = max(1, min(limit, MAX_LIMIT))
        clues = list(self.clues(concept))
        neighbours = self._neighbours(concept, clues)
        return select(neighbours, concept.system, limit)

    def clues(self, concept: Concept) -> Iterator[Clue]:
        """Every finder's clues (unfiltered; several may name the same code)."""
        yield from hierarchy_clues(self.store, concept)
        for finder in self.finders.get(concept.system, ()):
            yield from finder(self.store, concept)
        yield from relation_clues(self.store, concept)
        if self.wording is not None:
            yield from self.wording.clues(self.store, concept)

    def _neighbours(self, concept: Concept, clues: Sequence[Clue]) -> list[Neighbour]:
        """The clues by neighbour, scaled, of the codes that at least one clue qualifies (see ``qualifies``)."""
        wanted: dict[SystemId, list[str]] = {}
        for clue in clues:
            if clue.score >= SUPPORT_MIN:
                wanted.setdefault(clue.system, []).append(clue.code)
        concepts: dict[tuple[SystemId, str], Concept] = {}
        for system, codes in wanted.items():
            for code, found in self.store.concepts_in(system, codes).items():
                concepts[(system, code)] = found
        related = _lineage(self.store, concept)
        out: dict[tuple[SystemId, str], Neighbour] = {}
        for found_clue in clues:
            clue = found_clue
            key = (clue.system, clue.code)
            other = concepts.get(key)
            if other is None or key in related or (other.kind in SKIPPED_KINDS and other.kind is not concept.kind):
                continue
            if descends(other, concept):
                continue
            if _other_episode(concept, other):
                continue
            if not other.billable and concept.billable:
                # A 6-character stem of another code (T52.2X2 for T52.1X2S) stands for its code with the same
                # 7th character, where that exists.
                twin = _same_seventh(self.store, concept, other)
                if twin is not None:
                    key, other = (twin.system, twin.code), twin
                    clue = dataclasses.replace(clue, code=twin.code)
                    if key in related:
                        continue
            header = (
                concept.billable
                and not other.billable
                and other.system is concept.system
                and clue.kind is not SimilarKind.SIBLING  # its score says header already
            )
            if clue.corroborate and not self._agree(concept, other, clue):
                clue = dataclasses.replace(clue, score=min(clue.score, SUPPORT_MIN))
            scaled = _scaled(clue, HEADER_FACTOR if header else 1.0)
            if scaled.score >= SUPPORT_MIN:
                out.setdefault(key, Neighbour(other)).clues.append(scaled)
        return [n for n in out.values() if any(qualifies(c) for c in n.clues)]

    def _agree(self, concept: Concept, other: Concept, clue: Clue) -> bool:
        """Whether the titles corroborate a clue that cannot stand on its own evidence (see CORROBORATION)."""
        if clue.kind is SimilarKind.INDEX_TERM and concept.system is other.system and concept.code[0] == other.code[0]:
            return True  # an index neighbour of the same ICD-10-CM chapter letter (only ICD-10-CM has an index)
        return self.overlap.share(concept.title, other.title) >= CORROBORATION


def _same_seventh(store: SQLiteStore, concept: Concept, header: Concept) -> Concept | None:
    """The code below ``header`` with the 7th character of ``concept`` (ICD-10-CM), if both have that shape."""
    if not (REGISTRY[concept.system].seventh_character and header.system is concept.system):
        return None
    if len(plain(concept.code)) != 7 or len(plain(header.code)) != 6:
        return None
    return store.get(header.system, header.code + concept.code[-1])


def _other_episode(concept: Concept, other: Concept) -> bool:
    """An ICD-10-CM code with another 7th character that differs in more than it (S90.473D for S90.471A)."""
    if not (REGISTRY[concept.system].seventh_character and other.system is concept.system):
        return False
    mine, theirs = plain(concept.code), plain(other.code)
    return len(mine) == len(theirs) == 7 and mine[6] != theirs[6] and mine[:6] != theirs[:6]


def _lineage(store: SQLiteStore, concept: Concept) -> set[tuple[SystemId, str]]:
    """The concept, its ancestors and its children: shown beside the list already, never in it (nor any code
    below it: see ``descends``)."""
    out = {(concept.system, concept.code)}
    out.update((a.system, a.code) for a in store.ancestors(concept.system, concept.code))
    out.update((c.system, c.code) for c in store.children(concept.system, concept.code))
    return out


def _scaled(clue: Clue, factor: float) -> Clue:
    if factor == 1.0:
        return clue
    return dataclasses.replace(clue, score=clue.score * factor)
