"""The crosswalk finder: mapping rows from or to a code, codes sharing a target, other references."""

from __future__ import annotations

import math
from collections.abc import Iterator

from medcodes.matches import default_words, row_words, table_name, through
from medcodes.models import (
    Concept,
    RelationKind,
    SimilarKind,
)
from medcodes.similar.clue import SCORE, SHARED_MAX, Clue
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import NAMES, SystemId


def relation_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """Crosswalk rows from or to the code, codes sharing a crosswalk target, and other references."""
    relations = store.relations(concept.system, concept.code)
    direct: list[tuple[SystemId, str]] = []
    for r in relations:
        outgoing = r.source_system is concept.system and r.source_code == concept.code
        system, code = (r.target_system, r.target_code) if outgoing else (r.source_system, r.source_code)
        if (system, code) == (concept.system, concept.code) or r.kind is RelationKind.NO_MAP:
            continue  # a "no map" row names no code
        said = "; ".join(row_words(r, outgoing) or (default_words(r, outgoing),))
        table = table_name(r.source)
        if r.kind is RelationKind.MAPS_TO:
            arrow = "maps to" if outgoing else "is mapped from"
            via = through(r)
            yield Clue(
                system,
                code,
                SimilarKind.CROSSWALK,
                f"{concept.code} {arrow} {NAMES[system]} {code}{f' through {via}' if via else ''} ({said}; {table})",
                SCORE["crosswalk"] * (0.85 if "combination" in r.flags else 1.0),
                # A row within the system (the conversion table: a code carved out of this one) or read through
                # another code says less than a row of a mapping between two systems.
                corroborate=system is concept.system or via is not None,
            )
            if system is not concept.system:
                direct.append((system, code))
        else:
            yield Clue(
                system,
                code,
                SimilarKind.REFERENCE,
                f"{said.capitalize()}: {NAMES[system]} {code} ({table})",
                SCORE["reference"],
                # A code carved out of this one (the conversion table) may be about something else altogether.
                corroborate=r.kind is RelationKind.PREVIOUS_CODE_OF,
            )
    for system, code in list(dict.fromkeys(direct))[:6]:
        # A target shared by many codes (an ICD-9-CM aftercare V code, ...) says little: skip it.
        shared = set(store.mapped_codes(system, code, concept.system, SHARED_MAX + 2))
        shared.discard(concept.code)
        if not shared or len(shared) > SHARED_MAX:
            continue
        score = SCORE["crosswalk_shared"] / math.log2(1 + len(shared))
        for other in sorted(shared):
            yield Clue(
                concept.system,
                other,
                SimilarKind.CROSSWALK,
                f"Both map to or from {NAMES[system]} {code}",
                min(score, SCORE["crosswalk_shared"]),
                group=("crosswalk", system.value, code),
                more_label=f"others mapped with {NAMES[system]} {code}",
            )
