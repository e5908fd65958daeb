"""The TITLE and SHORT_TITLE designations of a concept, made from the concept itself: one function for the
loaders whose titles are the concept's own (HCPCS, ICD-9-CM, ICD-11, WHO ICD-10, MS-DRG, the ICD-10-CM tabular).

Three sources make theirs otherwise, on purpose: ICD-10-PCS keeps a short title only where it differs from the
long one, through its own set without repeats; CPT's title is sourced by the descriptor that gave it; and the
ICD-10-CM order file gives a concept its long title while its TITLE designation stays the tabular list's.
"""

from __future__ import annotations

from medcodes.models import Concept, Designation, DesignationKind


def title_designations(concept: Concept, source: str, short_source: str | None = None) -> list[Designation]:
    """The concept's title as a TITLE designation, and its short title, where it has one, as a SHORT_TITLE
    (sourced ``short_source``, or ``source`` where the same file gives both)."""
    titles = [Designation(concept.system, concept.code, DesignationKind.TITLE, concept.title, source)]
    if concept.short_title:
        short = Designation(
            concept.system, concept.code, DesignationKind.SHORT_TITLE, concept.short_title, short_source or source
        )
        titles.append(short)
    return titles
