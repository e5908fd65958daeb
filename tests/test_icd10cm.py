from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from medcodes.errors import SourceError
from medcodes.models import Concept, ConceptKind, DesignationKind, NoteKind
from medcodes.sources import icd10cm


def _concepts(path: Path) -> dict[str, Concept]:
    return {c.code: c for c in icd10cm.load_tabular(path).concepts}


def test_chapters_blocks_categories_and_codes(fixtures: Path) -> None:
    concepts = _concepts(fixtures / "icd10cm" / "tabular_sample.xml")
    assert concepts["4"].kind is ConceptKind.CHAPTER
    assert concepts["4"].title == "Endocrine, nutritional and metabolic diseases"
    assert concepts["E08-E13"].kind is ConceptKind.BLOCK
    assert concepts["E08-E13"].parent == "4"
    assert concepts["E11"].kind is ConceptKind.CATEGORY
    assert concepts["E11"].parent == "E08-E13"
    assert concepts["E11.9"].kind is ConceptKind.CODE
    assert concepts["E11.9"].billable
    assert not concepts["E11"].billable


def test_a_block_of_one_category_does_not_collide_with_it(fixtures: Path) -> None:
    concepts = _concepts(fixtures / "icd10cm" / "tabular_sample.xml")
    assert concepts["B20-B20"].kind is ConceptKind.BLOCK
    assert concepts["B20"].kind is ConceptKind.CATEGORY
    assert concepts["B20"].billable


def test_seventh_characters_expand_with_placeholders(fixtures: Path) -> None:
    concepts = _concepts(fixtures / "icd10cm" / "tabular_sample.xml")
    assert concepts["T40.1X1A"].title == "Poisoning by heroin, accidental (unintentional), initial encounter"
    assert concepts["T40.1X1A"].parent == "T40.1X1"
    assert not concepts["T40.1X1"].billable
    assert {"S52.521A", "S52.521D"} <= set(concepts)
    assert "S52.521S" not in concepts  # S52's definition has no S


def test_s06_death_codes_take_only_the_initial_encounter(fixtures: Path) -> None:
    concepts = _concepts(fixtures / "icd10cm" / "tabular_sample.xml")
    assert "S06.5X7A" in concepts
    assert "S06.5X7D" not in concepts
    assert "S06.5X7S" not in concepts
    assert {"S06.5X9A", "S06.5X9D", "S06.5X9S"} <= set(concepts)


def test_notes_of_every_kind(fixtures: Path) -> None:
    tabular = icd10cm.load_tabular(fixtures / "icd10cm" / "tabular_sample.xml")
    e11 = [(n.note.kind, n.note.text) for n in tabular.notes if n.code == "E11"]
    assert e11 == [
        (NoteKind.INCLUDES, "diabetes NOS"),
        (NoteKind.USE_ADDITIONAL_CODE, "insulin (Z79.4)"),
        (NoteKind.EXCLUDES1, "type 1 diabetes mellitus (E10.-)"),
    ]
    sevenths = [
        (n.note.character, n.note.text)
        for n in tabular.notes
        if n.code == "S52" and n.note.kind is NoteKind.SEVENTH_CHARACTER
    ]
    assert sevenths == [
        ("A", "initial encounter for closed fracture"),
        ("D", "subsequent encounter for closed fracture with routine healing"),
    ]


def test_inclusion_terms_are_designations(fixtures: Path) -> None:
    tabular = icd10cm.load_tabular(fixtures / "icd10cm" / "tabular_sample.xml")
    terms = [(d.code, d.text) for d in tabular.designations if d.kind is DesignationKind.INCLUSION_TERM]
    assert ("I21.9", "Myocardial infarction (acute) NOS") in terms


def test_truncated_tabular_names_file_and_line(fixtures: Path) -> None:
    path = fixtures / "icd10cm" / "tabular_truncated.xml"
    with pytest.raises(SourceError) as caught:
        icd10cm.load_tabular(path)
    assert caught.value.path == str(path)
    assert caught.value.line is not None and caught.value.line > 50
    assert "tabular_truncated.xml, line" in str(caught.value)


def test_order_file_titles_and_flags(fixtures: Path) -> None:
    entries = list(icd10cm.load_order(fixtures / "icd10cm" / "order_sample.txt"))
    assert entries[0] == icd10cm.OrderEntry(
        1, "B20", True, "Human immunodeficiency virus [HIV] disease", "Human immunodeficiency virus [HIV] disease"
    )
    assert entries[-1].code == "S52.521A"
    assert entries[-1].short_title == "Torus fracture of lower end of right radius, init"


def test_order_file_merge_adds_short_titles(fixtures: Path) -> None:
    tabular = icd10cm.load_tabular(fixtures / "icd10cm" / "tabular_sample.xml")
    order = fixtures / "icd10cm" / "order_sample.txt"
    merged = {c.code: c for c in icd10cm.merge_order(tabular, icd10cm.load_order(order), order).concepts}
    assert merged["S52.521A"].short_title == "Torus fracture of lower end of right radius, init"
    assert merged["E11.9"].short_title == "Type 2 diabetes mellitus without complications"


def test_malformed_order_line_names_file_and_line(fixtures: Path) -> None:
    path = fixtures / "icd10cm" / "order_malformed.txt"
    with pytest.raises(SourceError) as caught:
        list(icd10cm.load_order(path))
    assert caught.value.line == 2


# --- the official FY2026 release ---------------------------------------------------------------------
def _official_codes(shared_data: Path) -> set[str]:
    with zipfile.ZipFile(shared_data / "icd10cm/fy2026/2026-code-descriptions-tabular-order.cms_2026_dx.zip") as z:
        lines = z.read("icd10cm_codes_2026.txt").decode("latin-1").splitlines()
    codes = {line.split()[0] for line in lines if line.strip()}
    return {c if len(c) <= 3 else f"{c[:3]}.{c[3:]}" for c in codes}


def test_fy2026_valid_codes_equal_the_cms_codes_file(shared_data: Path) -> None:
    tabular = icd10cm.load_tabular(shared_data / "icd10cm/icd10cm_tabular_2026-04-01.xml.gz")
    valid = {c.code for c in tabular.concepts if c.billable}
    official = _official_codes(shared_data)
    assert len(official) == 74_719
    assert valid == official


def test_fy2026_order_file_agrees_with_the_tabular_list(shared_data: Path) -> None:
    path = shared_data / "icd10cm/fy2026/2026-code-descriptions-tabular-order.cms_2026_dx.zip"
    tabular = icd10cm.load_tabular(shared_data / "icd10cm/icd10cm_tabular_2026-04-01.xml.gz")
    merged = icd10cm.merge_order(tabular, icd10cm.load_order(path, "icd10cm_order_2026.txt"), path)
    by_code = {c.code: c for c in merged.concepts}
    assert by_code["T40.1X1A"].short_title == "Poisoning by heroin, accidental (unintentional), init encntr"
    assert sum(1 for _ in icd10cm.load_order(path, "icd10cm_order_2026.txt")) == 98_186
