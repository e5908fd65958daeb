"""ICD-10-CM: every code, title, billable flag, parent and note against the CMS order file and the CDC tabular list."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from medcodes.service import CodeService
from medcodes.systems import SystemId

from . import parse
from .conftest import checked

# Every n-th code (in the order file's order) has its inherited notes read through the service.
NOTE_SAMPLE_STEP = 7


@pytest.fixture(scope="module")
def order(data: Path) -> dict[str, parse.OrderLine]:
    return parse.order_file(data / parse.CM_ZIP, "icd10cm_order_2026.txt")


@pytest.fixture(scope="module")
def tabular(data: Path) -> parse.Tabular:
    return parse.tabular(data / parse.CM_TABULAR)


def _concepts(db: sqlite3.Connection) -> dict[str, tuple[str, str | None, int, str, str | None]]:
    rows = db.execute("SELECT code, parent, billable, title, short_title, kind FROM concepts WHERE system = 'icd10cm'")
    return {code: (kind, parent, billable, title, short) for code, parent, billable, title, short, kind in rows}


def test_every_code_title_and_billable_flag_is_the_order_files(
    db: sqlite3.Connection, order: dict[str, parse.OrderLine]
) -> None:
    stored = {c: v for c, v in _concepts(db).items() if v[0] in ("category", "code")}
    assert set(stored) == set(order)
    assert {c: v[3] for c, v in stored.items()} == {c: o.long for c, o in order.items()}
    assert {c: bool(v[2]) for c, v in stored.items()} == {c: o.billable for c, o in order.items()}
    # The short title is kept where it differs from the long one.
    assert {c: v[4] or order[c].long for c, v in stored.items()} == {c: o.short or o.long for c, o in order.items()}
    checked("ICD-10-CM codes: code, long and short title, billable flag (CMS order file)", len(order))


def test_chapters_and_sections_are_the_tabular_lists(db: sqlite3.Connection, tabular: parse.Tabular) -> None:
    stored = _concepts(db)
    chapters = {c: v[3] for c, v in stored.items() if v[0] == "chapter"}
    sections = {c: (v[3], v[1]) for c, v in stored.items() if v[0] == "block"}
    assert chapters == {c: tabular.titles[c] for c in tabular.chapters}
    assert sections == {c: (tabular.titles[c], tabular.parents[c]) for c in tabular.sections}
    checked("ICD-10-CM chapters and sections: title, parent (CDC tabular XML)", len(chapters) + len(sections))


def test_every_concept_sits_under_its_tabular_parent(db: sqlite3.Connection, tabular: parse.Tabular) -> None:
    stored = _concepts(db)
    expected = {
        code: tabular.parents[code] if code in tabular.parents else parse.cm_parent(code, tabular.titles)
        for code in stored
    }
    assert {c: v[1] for c, v in stored.items()} == expected
    assert None not in {expected[c] for c in stored if stored[c][0] != "chapter"}
    checked("ICD-10-CM concepts: parent (CDC tabular XML; 7th-character codes under their diag)", len(stored))


def test_every_note_of_the_tabular_list_is_on_its_code(db: sqlite3.Connection, tabular: parse.Tabular) -> None:
    rows = db.execute(
        "SELECT c.code, n.kind, n.text, n.character FROM notes n JOIN concepts c ON c.id = n.concept_id"
        " WHERE c.system = 'icd10cm'"
    )
    stored: dict[str, Counter[parse.Note]] = {}
    for code, kind, text, character in rows:
        stored.setdefault(code, Counter())[(kind, text, character)] += 1
    expected = {code: Counter(notes) for code, notes in tabular.notes.items() if notes}
    assert stored == expected
    checked(
        "ICD-10-CM notes written on a code, section or chapter (CDC tabular XML)", sum(map(len, tabular.notes.values()))
    )


def test_inherited_notes_follow_the_tabular_list(
    service: CodeService, tabular: parse.Tabular, order: dict[str, parse.OrderLine]
) -> None:
    """Every n-th code, and every code of two categories with their own 7th characters (S06, T76)."""
    parents = dict(tabular.parents)
    parents.update({code: parse.cm_parent(code, tabular.titles) for code in order if code not in parents})
    codes = list(order)
    sample = codes[::NOTE_SAMPLE_STEP] + [c for c in codes if c.startswith(("S06", "T76"))]
    compared = 0
    for code in dict.fromkeys(sample):
        expected = Counter(parse.inherited_notes(code, parents, tabular.notes))
        shown = Counter(
            (n.kind.value, n.text, n.character, n.inherited_from) for n in service.store.notes(SystemId.ICD10CM, code)
        )
        assert shown == expected, code
        compared += sum(expected.values())
    checked(f"ICD-10-CM notes with inheritance, every {NOTE_SAMPLE_STEP}th code and S06, T76 (tabular XML)", compared)
