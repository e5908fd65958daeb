"""The finders of the payment code sets: MS-DRG families, HCPCS manual sections and neighbours in the official
order."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from medcodes.models import (
    Concept,
    ConceptKind,
    SimilarKind,
)
from medcodes.properties import HcpcsField
from medcodes.similar.clue import MANUAL_MAX, NEARBY_SHARE, NEARBY_SPAN, NEARBY_WEIGHT, SCORE, Clue
from medcodes.similar.overlap import Overlap
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

# MS-DRG titles end with the severity split the family shares: "... WITH MCC", "... WITHOUT CC/MCC".
_DRG_SEVERITY = re.compile(r"\s+(?:WITH|WITHOUT)\s+(?:CC/MCC|MCC|CC)\b(?:\s+OR\s+.*)?$")


def drg_family(title: str) -> str | None:
    """The family an MS-DRG title names without its severity split, or None if it has none."""
    base = _DRG_SEVERITY.sub("", title)
    return base if base != title else None


# Systems whose titles end with a split that a family of codes shares: the family a title names without it.
TITLE_FAMILIES: dict[SystemId, Callable[[str], str | None]] = {SystemId.MSDRG: drg_family}


def drg_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """The MS-DRGs of the same family: the same MDC and title but for the CC/MCC split."""
    family = drg_family(concept.title)
    if family is None:
        return
    mates = store.children(concept.system, concept.parent) if concept.parent else store.roots(concept.system)
    for other in mates:
        if other.code != concept.code and drg_family(other.title) == family:
            split = other.title[len(family) :].strip().lower()
            yield Clue(
                other.system,
                other.code,
                SimilarKind.DRG_FAMILY,
                f"Same MS-DRG family ({family.capitalize()}): {split}",
                SCORE["drg_family"],
            )


def coverage_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """HCPCS codes of the same section of the Medicare Coverage Issues or Carriers Manual."""
    manuals: dict[str, str] = {
        HcpcsField.COVERAGE_ISSUES_MANUAL: "Coverage Issues Manual",
        HcpcsField.CARRIERS_MANUAL: "Carriers Manual",
    }
    for prop in store.properties(concept.system, concept.code):
        if prop.name not in manuals:
            continue
        codes = store.codes_with_manual_section(concept.system, prop.name, prop.value, MANUAL_MAX + 1)
        if len(codes) > MANUAL_MAX:
            continue  # a section that broad says little
        for code in codes:
            if code != concept.code:
                yield Clue(
                    concept.system,
                    code,
                    SimilarKind.COVERAGE,
                    f"Same section of the Medicare {manuals[prop.name]}: {prop.value}",
                    SCORE["coverage"],
                    group=("coverage", prop.name, prop.value),
                    more_label=f"others in {manuals[prop.name]} {prop.value}",
                )


def nearby_clues(store: SQLiteStore, concept: Concept, overlap: Overlap) -> Iterator[Clue]:
    """HCPCS codes near the code in the official order (CMS numbers related items together: K0001 to K0009 are
    manual wheelchairs, E0470 to E0472 respiratory assist devices), of the same letter and BETOS category, whose
    titles share the code's words."""
    if concept.kind is not ConceptKind.CODE:
        return
    others = [
        o
        for o in store.concepts_in_order(concept.system, concept.seq - NEARBY_SPAN, concept.seq + NEARBY_SPAN)
        if o.code != concept.code and o.kind is ConceptKind.CODE and o.code[0] == concept.code[0]
    ]
    betos = store.property_labels(concept.system, [concept.code, *(o.code for o in others)], HcpcsField.BETOS)
    mine = betos.get(concept.code)
    words = overlap.words(concept.title)
    for other in others:
        if mine is not None and betos.get(other.code, mine)[0] != mine[0]:
            continue  # another kind of service or item (Berenson-Eggers type of service)
        share = overlap.share(concept.title, other.title)
        if share < NEARBY_SHARE:
            continue
        shared = [w for w in overlap.words(other.title) if w in words]
        category = f" and BETOS category ({mine[1] or mine[0]})" if mine is not None else ""
        yield Clue(
            other.system,
            other.code,
            SimilarKind.NEARBY,
            f"Near it among the {concept.code[0]} codes{category}; shares {', '.join(shared)}",
            SCORE["nearby"] + NEARBY_WEIGHT * share,
            group=("nearby",),
            more_label="other nearby codes",
        )
