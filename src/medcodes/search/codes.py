"""The code stage: whatever in the query can be read as a code, in every system it may belong to.

A full code goes first; a code that has descendants (a category, a block, a PCS table) lists them next in
the official order; text that is only the start of codes ("0UT7", "E11.6") lists the codes it starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medcodes.models import Concept
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import REGISTRY, InvalidCodeSyntax, SystemId

EXACT = 1000.0
LITERAL_BONUS = 1.0  # the code as typed, character for character (S0285 is HCPCS before ICD S02.85)
DESCENDANT = 500.0
PREFIX = 400.0


@dataclass(frozen=True, slots=True)
class CodeHit:
    concept: Concept
    score: float
    matched: str  # the code as matched


@dataclass(frozen=True, slots=True)
class CodeHits:
    """The first codes the query reads as, and how many there are in all (the same whatever the page)."""

    hits: tuple[CodeHit, ...]
    counts: dict[SystemId, int]  # per system

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _compact(text: str) -> str:
    return "".join(text.split()).upper()


def code_hits(
    store: SQLiteStore,
    text: str,
    systems: Sequence[SystemId],
    want: int,
    *,
    billable_only: bool = False,
    within: tuple[int, int] | None = None,
) -> CodeHits:
    """The codes ``text`` reads as (at most ``want`` descendants or prefixed codes per system), with their
    count in all under the filters (billable only, ids within ``[first, end)``)."""
    hits: list[CodeHit] = []
    exact: list[CodeHit] = []
    counts: dict[SystemId, int] = {}
    typed = _compact(text)
    for system in systems:
        readings = code_readings(system, text)
        if not readings:
            continue
        total = 0
        found = store.existing(system, list(readings))
        for code in found:
            concept = store.get(system, code)
            if concept is not None:
                literal = LITERAL_BONUS if code == typed else 0.0
                exact.append(CodeHit(concept, EXACT + literal + (0.5 if concept.billable else 0.0), code))
                total += _passes(store, concept, billable_only, within)
        if found:
            for i, concept in enumerate(store.descendants(system, found[0], want)):
                hits.append(CodeHit(concept, DESCENDANT - i * 1e-3, found[0]))
            below = store.subtree_ids(system, found[0])
            if below is not None and below[1] > below[0] + 1:
                total += store.count_codes(
                    system, ids=_overlap((below[0] + 1, below[1]), within), billable_only=billable_only
                )
        elif len(readings[0].replace(".", "")) >= 2:
            for i, concept in enumerate(store.codes_with_prefix(system, readings[0], want)):
                hits.append(CodeHit(concept, PREFIX - i * 1e-3, readings[0]))
            if hits:
                total += store.count_codes(system, prefix=readings[0], ids=within, billable_only=billable_only)
        if total:
            counts[system] = total
    return CodeHits(tuple(sorted(exact, key=lambda h: -h.score) + hits), counts)


def code_readings(system: SystemId, text: str) -> tuple[str, ...]:
    """The codes of ``system`` that ``text`` may be read as, likeliest first; none where it has no code's syntax."""
    try:
        return tuple(REGISTRY[system].candidates(text))
    except InvalidCodeSyntax:
        return ()


def _passes(store: SQLiteStore, concept: Concept, billable_only: bool, within: tuple[int, int] | None) -> bool:
    if billable_only and not concept.billable:
        return False
    if within is None:
        return True
    cid = store.concept_id(concept.system, concept.code)
    return cid is not None and within[0] <= cid < within[1]


def _overlap(ids: tuple[int, int], within: tuple[int, int] | None) -> tuple[int, int]:
    if within is None:
        return ids
    first, end = max(ids[0], within[0]), min(ids[1], within[1])
    return first, max(first, end)
