"""The hierarchy finder of the tree systems: variants one character apart, siblings, the family."""

from __future__ import annotations

from collections.abc import Iterator

from medcodes.models import (
    Concept,
    ConceptKind,
    SimilarKind,
)
from medcodes.similar.clue import SCAN_LIMIT, SCORE, SKIPPED_KINDS, Clue
from medcodes.similar.codes import category_of, differences, glob_literal, plain
from medcodes.similar.words import laterality_of, ordinal, title_difference
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import REGISTRY


def _nearby(store: SQLiteStore, concept: Concept, seventh: bool) -> list[Concept]:
    """The codes of the concept's category that may be near it, each read once, through index ranges.

    With a 7th character: the codes with the same 7th character, and the other 7th characters of the same
    code (S72.019F: S72.???F and S72.019?). Otherwise the category and its codes of up to 3 characters after
    the dot (never the many 7-character codes below a header).
    """
    category = glob_literal(category_of(concept))
    if seventh:
        patterns = [f"{category}.???{glob_literal(concept.code[-1])}", f"{glob_literal(concept.code[:-1])}?"]
    else:
        patterns = [category] + [f"{category}.{'?' * n}" for n in range(1, 4)]
    found: dict[str, Concept] = {}
    for pattern in patterns:
        for other in store.codes_matching(concept.system, pattern, SCAN_LIMIT):
            found.setdefault(other.code, other)
    return list(found.values())


def hierarchy_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """Variants, siblings and family in a tree system (ICD-10-CM, ICD-9-CM, ICD-10, ICD-11)."""
    profile = REGISTRY[concept.system]
    if not profile.nests or concept.parent is None:
        return
    mine = plain(concept.code)
    # A 7th character (ICD-10-CM injuries, poisonings, ...) is an axis of its own: codes that differ in it
    # fold into one entry, and codes that differ in more than it are near only with the same 7th character.
    seventh = len(mine) == 7 and profile.seventh_character
    parent = store.get(concept.system, concept.parent)
    grandparent = store.get(concept.system, parent.parent) if parent is not None and parent.parent else None
    found = {c.code: c for c in store.children(concept.system, concept.parent)}
    if concept.kind is not ConceptKind.CATEGORY:
        for other in _nearby(store, concept, seventh):
            found.setdefault(other.code, other)
    for other in found.values():
        if other.code == concept.code or other.kind in SKIPPED_KINDS:
            continue
        theirs = plain(other.code)
        diff = differences(mine, theirs) if len(theirs) == len(mine) else []
        if len(diff) == 1 and category_of(other) == category_of(concept):
            yield _variant(concept, other, diff[0], seventh)
        elif seventh and (len(theirs) != 7 or theirs[6] != mine[6]):
            continue  # another injury, another 7th character: not near enough
        elif other.parent == concept.parent and parent is not None:
            yield Clue(
                other.system,
                other.code,
                SimilarKind.SIBLING,
                f"Same parent: {parent.named}",
                SCORE["sibling"] if other.billable else SCORE["sibling_header"],
                # Siblings that share all but their last character (ICD-9-CM 38.00, 38.01 ...) are one group.
                group=("sibling", other.code[:-1]),
                more_label=f"others under {parent.shown_code or parent.title}",
            )
        elif grandparent is not None and other.billable and other.code.startswith(grandparent.code):
            yield Clue(
                other.system,
                other.code,
                SimilarKind.FAMILY,
                f"Same {profile.family_word}: {grandparent.named}",
                SCORE["family"],
                group=("family", other.parent or ""),
                more_label=f"others under {other.parent}",
            )


def _variant(concept: Concept, other: Concept, position: int, seventh: bool) -> Clue:
    """The clue of a code one character apart: an episode of care, laterality, or another character."""
    group = ("variant", str(position))
    if seventh and position == 6:
        return Clue(
            other.system,
            other.code,
            SimilarKind.VARIANT,
            f"Differs only in the 7th character: {_seventh_text(other.title, concept.title)}",
            SCORE["variant_folded"],
            group=group,
            fold=True,
            more_label="other 7th characters",
        )
    words = title_difference(concept.title, other.title)
    if laterality_of(concept.title, other.title):
        return Clue(
            other.system,
            other.code,
            SimilarKind.VARIANT,
            f"Differs only in laterality: {words}",
            SCORE["variant"],
            group=group,
            more_label="other lateralities",
        )
    nth = ordinal(position + 1)
    return Clue(
        other.system,
        other.code,
        SimilarKind.VARIANT,
        f"Differs only in the {nth} character: {words}",
        SCORE["variant"],
        group=group,
        more_label=f"others differing in the {nth} character",
    )


def _seventh_text(theirs: str, mine: str) -> str:
    """The other code's 7th-character meaning, from its title ("subsequent encounter for ...")."""
    a, b = mine.split(", "), theirs.split(", ")
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return ", ".join(b[common:]) or theirs
