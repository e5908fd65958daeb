"""The ICD-10-PCS finder: codes one axis apart, the same table and body part, the same body part by another
root operation."""

from __future__ import annotations

from collections.abc import Iterator

from medcodes.models import (
    Concept,
    SimilarKind,
)
from medcodes.properties import PcsAxis
from medcodes.similar.clue import SCAN_LIMIT, SCORE, Clue
from medcodes.similar.codes import glob_literal
from medcodes.store.sqlite import SQLiteStore

# The property of each ICD-10-PCS axis (1-based) where the table titles it as the Medical and Surgical section
# does; an axis titled otherwise ("Type", "Contrast", "Duration") is ``PcsAxis.at(n)`` (sources/icd10pcs_tables.py).
_PCS_AXES = {
    3: PcsAxis.OPERATION,
    4: PcsAxis.BODY_PART,
    5: PcsAxis.APPROACH,
    6: PcsAxis.DEVICE,
    7: PcsAxis.QUALIFIER,
}
_PCS_AXIS_WORDS = {3: "operation", 4: "body part", 5: "approach", 6: "device", 7: "qualifier"}


def pcs_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """Codes one axis apart, the same table and body part, and the same body part by another root operation.

    An ICD-10-PCS code is seven axes (ICD-10-PCS Official Guidelines A.2); each table names its axes
    ("pcs.axis_title": Operation, Body Part, Approach, Device, Qualifier in the Medical and Surgical section;
    Type, Contrast ... in Imaging), and each code carries its axis values as properties.
    """
    code = concept.code
    if len(code) != 7:
        return
    mine = {p.name: p for p in store.properties(concept.system, code)}
    titles = {
        int(p.value): (p.label or "").lower()
        for p in store.properties(concept.system, code[:3])
        if p.name == PcsAxis.AXIS_TITLE and p.value.isdigit()
    }

    def axis_name(n: int) -> PcsAxis:
        named = _PCS_AXES[n]
        return named if named in mine else PcsAxis.at(n)

    def my_value(n: int) -> str:
        prop = mine.get(axis_name(n))
        return (prop.label or prop.value) if prop is not None else code[n - 1]

    seen = {code}
    for n in range(4, 8):
        pattern = glob_literal(code[: n - 1]) + "?" + glob_literal(code[n:])
        others = [o for o in store.codes_matching(concept.system, pattern, SCAN_LIMIT) if o.code not in seen]
        seen.update(o.code for o in others)
        if not others:
            continue
        values = store.property_labels(concept.system, [o.code for o in others], axis_name(n))
        axis = titles.get(n) or _PCS_AXIS_WORDS[n]
        for other in others:
            value = _label(values, other.code) or other.code[n - 1]
            yield Clue(
                other.system,
                other.code,
                SimilarKind.VARIANT,
                f"Differs only in the {axis}: {value} instead of {my_value(n)}",
                SCORE["variant_body_part"] if n == 4 else SCORE["variant_folded"],
                group=("variant", str(n)),
                fold=n != 4,
                more_label=f"other {_plural(axis)}",
            )
    table_part = f"{code[:3]} {titles.get(4) or 'body part'} {my_value(4)}"
    for other in store.codes_matching(concept.system, glob_literal(code[:4]) + "*", SCAN_LIMIT):
        if other.code not in seen:
            yield Clue(
                other.system,
                other.code,
                SimilarKind.FAMILY,
                f"Same table and {table_part}",
                SCORE["family"],
                group=("pcs-table",),
                fold=True,
                more_label=f"other codes of table {code[:3]} on this body part",
            )
    if PcsAxis.BODY_PART not in mine:
        return
    # The same body part in the same body system, by another root operation (or imaging type ...).
    pattern = f"{glob_literal(code[:2])}?{glob_literal(code[3])}*"
    others = [o for o in store.codes_matching(concept.system, pattern, SCAN_LIMIT) if o.code[2] != code[2]]
    first = {o.code[2]: o.code for o in reversed(others)}  # one code per operation, to read its labels
    operations = store.property_labels(concept.system, list(first.values()), axis_name(3))
    # A body part value means the same in every table of a body system in the Medical and Surgical section,
    # not always elsewhere (Imaging): the label must agree.
    parts = store.property_labels(concept.system, list(first.values()), PcsAxis.BODY_PART)
    body_part = my_value(4)
    word = "root operation" if titles.get(3, "operation") == "operation" else titles[3]
    for other in others:
        if _label(parts, first[other.code[2]]) != body_part:
            continue
        same = sum(other.code[i] == code[i] for i in (4, 5, 6))
        operation = _label(operations, first[other.code[2]]) or other.code[2]
        yield Clue(
            other.system,
            other.code,
            SimilarKind.BODY_PART,
            f"Same body part ({body_part}), another {word}: {operation}",
            SCORE["body_part"] + 0.05 * same,
            group=("operation", other.code[2]),
            fold=True,
            more_label=f"{operation} codes on this body part",
        )


def _plural(word: str) -> str:
    return word + ("es" if word.endswith(("ch", "sh", "s", "x")) else "s")


def _label(labels: dict[str, tuple[str, str | None]], code: str) -> str | None:
    found = labels.get(code)
    return None if found is None else (found[1] or found[0])
