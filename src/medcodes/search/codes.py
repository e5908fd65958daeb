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


def _compact(text: str) -> str:
    return "".join(text.split()).upper()


def code_hits(store: SQLiteStore, text: str, systems: Sequence[SystemId], want: int) -> list[CodeHit]:
    hits: list[CodeHit] = []
    exact: list[CodeHit] = []
    typed = _compact(text)
    for system in systems:
        try:
            readings = REGISTRY[system].candidates(text)
        except InvalidCodeSyntax:
            continue
        found = store.existing(system, list(readings))
        for code in found:
            concept = store.get(system, code)
            if concept is not None:
                literal = LITERAL_BONUS if code == typed else 0.0
                exact.append(CodeHit(concept, EXACT + literal + (0.5 if concept.billable else 0.0), code))
        if found:
            for i, concept in enumerate(store.descendants(system, found[0], want)):
                hits.append(CodeHit(concept, DESCENDANT - i * 1e-3, found[0]))
        elif len(readings[0].replace(".", "")) >= 2:
            for i, concept in enumerate(store.codes_with_prefix(system, readings[0], want)):
                hits.append(CodeHit(concept, PREFIX - i * 1e-3, readings[0]))
    return sorted(exact, key=lambda h: -h.score) + hits
