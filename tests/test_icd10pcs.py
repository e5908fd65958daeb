from __future__ import annotations

import datetime as dt
import gzip
import zipfile
from pathlib import Path

import pytest

from medcodes.errors import SourceError
from medcodes.models import Concept, ConceptKind, DesignationKind, NoteKind, Property, ReleaseContent, cited
from medcodes.sources import icd10pcs
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import SystemId

DATA = "icd10pcs"


def _found(fixtures: Path, *names: str) -> list[FoundFile]:
    kinds = {
        "tables": FileKind.PCS_TABLES,
        "definitions": FileKind.PCS_DEFINITIONS,
        "order": FileKind.PCS_ORDER,
        "index": FileKind.PCS_INDEX,
    }
    files = {
        "tables": "tables_sample.xml",
        "definitions": "definitions_sample.xml",
        "order": "order_sample.txt",
        "index": "index_sample.xml",
    }
    return [FoundFile(kinds[name], fixtures / DATA / files[name], "2026") for name in names]


def _load(fixtures: Path, *names: str) -> ReleaseContent:
    content = icd10pcs.load(_found(fixtures, *names))
    assert content is not None
    return content


def _concepts(content: ReleaseContent) -> dict[str, Concept]:
    return {c.code: c for c in content.concepts}


def _properties(content: ReleaseContent, code: str) -> list[tuple[str, str, str | None]]:
    return [(p.name, p.value, p.label) for p in content.properties if p.code == code]


def _property(content: ReleaseContent, code: str, name: str, value: str) -> Property:
    return next(p for p in content.properties if (p.code, p.name, p.value) == (code, name, value))


def _designations(content: ReleaseContent, code: str, kind: DesignationKind) -> list[tuple[str, str | None]]:
    return [(d.text, d.via) for d in content.designations if d.code == code and d.kind is kind]


# --- tables XML ----------------------------------------------------------------------------------------
def test_every_combination_within_a_row_is_a_valid_code(fixtures: Path) -> None:
    tables = icd10pcs.load_tables(fixtures / DATA / "tables_sample.xml")
    codes = [code for table in tables.tables for code, _ in table.codes()]
    assert codes == [
        "0UT50ZZ",
        "0UT54ZZ",
        "0UT60ZZ",
        "0UT64ZZ",
        "0UT70ZZ",
        "0UT74ZZ",
        "0UT90ZL",
        "0UT90ZZ",
        "0UT94ZL",
        "0UT94ZZ",
        "GZ11ZZZ",
        "GZ13ZZZ",
    ]


def test_hierarchy_section_body_system_table_code(fixtures: Path) -> None:
    concepts = _concepts(_load(fixtures, "tables"))
    assert (concepts["0"].kind, concepts["0"].title, concepts["0"].parent) == (
        ConceptKind.CHAPTER,
        "Medical and Surgical",
        None,
    )
    assert (concepts["0U"].kind, concepts["0U"].title, concepts["0U"].parent) == (
        ConceptKind.BLOCK,
        "Female Reproductive System",
        "0",
    )
    assert (concepts["0UT"].kind, concepts["0UT"].parent, concepts["0UT"].billable) == (
        ConceptKind.CATEGORY,
        "0U",
        False,
    )
    code = concepts["0UT70ZZ"]
    assert (code.kind, code.parent, code.billable, code.depth) == (ConceptKind.CODE, "0UT", True, 3)


def test_concepts_follow_the_official_order(fixtures: Path) -> None:
    content = _load(fixtures, "tables")
    assert [c.code for c in content.concepts][:5] == ["0", "0U", "0UT", "0UT50ZZ", "0UT54ZZ"]
    assert [c.seq for c in content.concepts] == list(range(len(content.concepts)))


def test_a_body_system_without_a_name_is_named_by_its_section(fixtures: Path) -> None:
    concepts = _concepts(_load(fixtures, "tables"))
    assert concepts["GZ"].title == "Mental Health"
    assert concepts["GZ1"].title == "Mental Health, Psychological Tests"


def test_seven_axis_properties_of_a_code(fixtures: Path) -> None:
    content = _load(fixtures, "tables")
    assert _properties(content, "0UT70ZZ") == [
        ("pcs.section", "0", "Medical and Surgical"),
        ("pcs.body_system", "U", "Female Reproductive System"),
        ("pcs.operation", "T", "Resection"),
        ("pcs.body_part", "7", "Fallopian Tubes, Bilateral"),
        ("pcs.approach", "0", "Open"),
        ("pcs.device", "Z", "No Device"),
        ("pcs.qualifier", "Z", "No Qualifier"),
    ]


def test_axes_with_other_titles_are_named_by_position(fixtures: Path) -> None:
    content = _load(fixtures, "tables")
    assert _properties(content, "GZ13ZZZ") == [
        ("pcs.section", "G", "Mental Health"),
        ("pcs.body_system", "Z", "None"),
        ("pcs.axis3", "1", "Psychological Tests"),
        ("pcs.axis4", "3", "Neuropsychological"),
        ("pcs.axis5", "Z", "None"),
        ("pcs.axis6", "Z", "None"),
        ("pcs.qualifier", "Z", "None"),
    ]


def test_axis_name() -> None:
    assert icd10pcs.axis_name(4, "Body Part") == "pcs.body_part"
    assert icd10pcs.axis_name(4, "Body Region") == "pcs.axis4"
    assert icd10pcs.axis_name(6, "Qualifier") == "pcs.axis6"


def test_the_table_carries_its_axis_titles_and_allowed_values(fixtures: Path) -> None:
    content = _load(fixtures, "tables")
    table = _properties(content, "GZ1")
    assert ("pcs.axis_title", "3", "Type") in table
    assert ("pcs.axis_title", "4", "Qualifier") in table
    assert [(v, label) for name, v, label in _properties(content, "0UT") if name == "pcs.body_part"] == [
        ("5", "Fallopian Tube, Right"),
        ("6", "Fallopian Tube, Left"),
        ("7", "Fallopian Tubes, Bilateral"),
        ("9", "Uterus"),
    ]


def test_code_properties_carry_no_definitions(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "definitions")
    assert [p.definition for p in content.properties if p.code == "0UT70ZZ"] == [None] * 7


def test_the_root_operation_definition_is_on_the_table(fixtures: Path) -> None:
    content = _load(fixtures, "tables")
    operation = _property(content, "0UT", "pcs.operation", "T")
    assert operation.definition == "Cutting out or off, without replacement, all of a body part"


def test_truncated_tables_name_file_and_line(fixtures: Path) -> None:
    path = fixtures / DATA / "tables_truncated.xml"
    with pytest.raises(SourceError) as caught:
        icd10pcs.load_tables(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 67
    assert "malformed XML" in caught.value.reason


def test_a_row_axis_without_labels_is_an_error(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / DATA / "tables_sample.xml").read_text()
    broken = tmp_path / "icd10pcs_tables_2026.xml"
    broken.write_text(text.replace('<label code="9">Uterus</label>', "", 1))
    with pytest.raises(SourceError) as caught:
        icd10pcs.load_tables(broken)
    assert caught.value.line == 43
    assert caught.value.reason == "axis 4 (Body Part) has no <label>"


def test_a_root_that_is_not_the_tables_is_an_error(fixtures: Path) -> None:
    with pytest.raises(SourceError) as caught:
        icd10pcs.load_tables(fixtures / DATA / "index_sample.xml")
    assert "expected <ICD10PCS.tabular>" in caught.value.reason


# --- order file ----------------------------------------------------------------------------------------
def test_order_file_lines(fixtures: Path) -> None:
    entries = list(icd10pcs.load_order(fixtures / DATA / "order_sample.txt"))
    assert entries[0] == icd10pcs.OrderEntry(
        1, "0UT", False, "Female Reproductive System, Resection", "Female Reproductive System, Resection", 1
    )
    assert (entries[2].code, entries[2].valid, entries[2].short_title) == (
        "0UT54ZZ",
        True,
        "Resection of Right Fallopian Tube, Perc Endo Approach",
    )


def test_titles_come_from_the_order_file(fixtures: Path) -> None:
    concepts = _concepts(_load(fixtures, "tables", "order"))
    assert concepts["0UT74ZZ"].title == "Resection of Bilateral Fallopian Tubes, Percutaneous Endoscopic Approach"
    assert concepts["0UT74ZZ"].short_title == "Resection of Bilateral Fallopian Tubes, Perc Endo Approach"


def test_a_short_title_differing_from_the_title_is_a_designation(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "order")
    assert _designations(content, "0UT74ZZ", DesignationKind.SHORT_TITLE) == [
        ("Resection of Bilateral Fallopian Tubes, Perc Endo Approach", None)
    ]
    assert _designations(content, "0UT70ZZ", DesignationKind.SHORT_TITLE) == []


def test_without_an_order_file_titles_are_composed(fixtures: Path) -> None:
    content = _load(fixtures, "tables")
    assert _concepts(content)["0UT70ZZ"].title == "Resection of Bilateral Fallopian Tubes, Open Approach"
    assert _concepts(content)["GZ13ZZZ"].title == "Psychological Tests, Neuropsychological"
    titles = [d for d in content.designations if d.code == "0UT70ZZ" and d.kind is DesignationKind.TITLE]
    assert [d.source for d in titles] == ["composed"]
    assert content.warnings == ("no ICD-10-PCS order file: code titles are composed from the axis labels",)


def test_codes_missing_from_the_order_file_are_warned(fixtures: Path, tmp_path: Path) -> None:
    lines = (fixtures / DATA / "order_sample.txt").read_bytes().splitlines(keepends=True)
    order = tmp_path / "icd10pcs_order_2026.txt"
    order.write_bytes(b"".join(line for line in lines if b" 0UT70ZZ " not in line))
    found = [*_found(fixtures, "tables"), FoundFile(FileKind.PCS_ORDER, order, "2026")]
    content = icd10pcs.load(found)
    assert content is not None
    assert content.warnings == (
        "1 ICD-10-PCS codes of the tables are not in the order file; their titles are composed",
    )


def test_malformed_order_line_names_file_and_line(fixtures: Path) -> None:
    path = fixtures / DATA / "order_malformed.txt"
    with pytest.raises(SourceError) as caught:
        list(icd10pcs.load_order(path))
    assert (caught.value.path, caught.value.line) == (str(path), 2)


# --- definitions XML -----------------------------------------------------------------------------------
def test_definitions_of_approaches_are_on_the_table(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "definitions")
    approach = _property(content, "0UT", "pcs.approach", "0")
    assert approach.label == "Open"
    assert approach.definition == (
        "Cutting through the skin or mucous membrane and any other body layers necessary to expose the site of "
        "the procedure"
    )


def test_definitions_reach_axes_of_other_sections(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "definitions")
    qualifier = _property(content, "GZ1", "pcs.axis4", "3")
    assert qualifier.definition == (
        "Thinking, reasoning and judgment, acquired knowledge, attention, memory, visual spatial abilities, "
        "language functions, planning"
    )


def test_root_operation_notes_on_the_table(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "definitions")
    notes = [(n.note.kind, n.note.text) for n in content.notes if n.code == "0UT"]
    assert notes == [
        (NoteKind.NOTE, "Resection: Cutting out or off, without replacement, all of a body part"),
        (NoteKind.INCLUDES, "Total nephrectomy, total lobectomy of lung"),
    ]


def test_body_part_key_terms_are_synonyms_of_the_table(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "definitions")
    synonyms = [d for d in content.designations if d.kind is DesignationKind.SYNONYM]
    assert {d.code for d in synonyms} == {"0UT"}
    assert {d.source for d in synonyms} == {"pcs-body-part-key"}
    assert _designations(content, "0UT", DesignationKind.SYNONYM)[:2] == [
        ("Oviduct", "use Fallopian Tube, Left; use Fallopian Tube, Right"),
        ("Salpinx", "use Fallopian Tube, Left; use Fallopian Tube, Right"),
    ]


def test_device_aggregation_is_read(fixtures: Path) -> None:
    definitions = icd10pcs.load_definitions(fixtures / DATA / "definitions_sample.xml")
    assert definitions.aggregates == (
        icd10pcs.DeviceAggregate(
            "Autologous Arterial Tissue",
            "All applicable",
            ("Heart and Great Vessels", "Upper Arteries"),
            "7",
            "Autologous Tissue Substitute",
        ),
    )


def test_key_entries_and_definitions_are_told_apart(fixtures: Path) -> None:
    definitions = icd10pcs.load_definitions(fixtures / DATA / "definitions_sample.xml")
    keys = {term.titles[0]: term.key for term in definitions.terms}
    assert keys["Fallopian Tube, Left"] == "pcs-body-part-key"
    assert keys["Resection"] is None


# --- index XML -----------------------------------------------------------------------------------------
def test_index_terms_name_the_codes_a_partial_code_starts(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "index")
    for code in ("0UT70ZZ", "0UT74ZZ"):
        assert ("Resection, Fallopian Tubes, Bilateral", None) in _designations(
            content, code, DesignationKind.INDEX_TERM
        )
    assert ("Resection, Fallopian Tubes, Bilateral", None) not in _designations(
        content, "0UT", DesignationKind.INDEX_TERM
    )


def test_index_terms_name_the_table_of_a_table_code(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "index")
    terms = _designations(content, "0UT", DesignationKind.INDEX_TERM)
    assert ("Salpingectomy", "see Resection, Female Reproductive System 0UT") in terms


def test_index_terms_name_a_full_code(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "index")
    assert _designations(content, "GZ13ZZZ", DesignationKind.INDEX_TERM) == [
        ("Psychological Tests, Neuropsychological", None)
    ]


def test_a_see_reference_without_a_code_leads_to_the_term_it_names(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "index")
    for code in ("0UT90ZL", "0UT90ZZ", "0UT94ZL", "0UT94ZZ"):
        assert ("Hysterectomy, total", "see Resection, Uterus") in _designations(
            content, code, DesignationKind.INDEX_TERM
        )


def test_a_reference_says_its_own_instruction_once() -> None:
    # The PCS Index keeps "see"/"use" in the via; the Alphabetic Index keeps the term referred to.
    assert cited("see Resection, Uterus") == "see Resection, Uterus"
    assert (
        cited("use Fallopian Tube, Right; use Fallopian Tube, Left")
        == "use Fallopian Tube, Right; use Fallopian Tube, Left"
    )
    assert cited("Vomiting") == "see Vomiting"


def test_a_use_reference_is_a_synonym_of_the_tables_using_the_value(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "index")
    assert _designations(content, "0UT", DesignationKind.SYNONYM) == [
        ("Oviduct", "use Fallopian Tube, Right; use Fallopian Tube, Left")
    ]


def test_index_codes_of_absent_tables_are_warned(fixtures: Path) -> None:
    content = _load(fixtures, "tables", "order", "index")
    assert content.warnings == ("2 ICD-10-PCS index codes name no table or code (first: 0JH, 0UB)",)


def test_index_references_are_read_with_their_codes(fixtures: Path) -> None:
    version, entries = icd10pcs.load_index(fixtures / DATA / "index_sample.xml")
    assert version == "2026"
    activa = next(e for e in entries if e.path == ("Activa PC neurostimulator",))
    assert activa.references == (
        icd10pcs.Reference(
            "use",
            "Stimulator Generator, Multiple Array in 0JH",
            "Stimulator Generator, Multiple Array in",
            ("0JH",),
        ),
    )


def test_an_index_code_outside_the_pcs_alphabet_is_an_error(fixtures: Path) -> None:
    path = fixtures / DATA / "index_malformed.xml"
    with pytest.raises(SourceError) as caught:
        icd10pcs.load_index(path)
    assert (caught.value.line, caught.value.reason) == (9, "'0OT9' is not an ICD-10-PCS code or table")


# --- the release and the source contract ---------------------------------------------------------------
def test_release_version_effective_date_and_files(fixtures: Path) -> None:
    release = _load(fixtures, "tables", "order").release
    assert (release.version, release.effective) == ("2026", dt.date(2025, 10, 1))
    assert [f.name for f in release.files] == ["tables_sample.xml", "order_sample.txt"]
    assert all(len(f.sha256) == 64 for f in release.files)


def test_load_without_pcs_files_is_none(fixtures: Path) -> None:
    other = FoundFile(FileKind.ICD10CM_TABULAR, fixtures / "icd10cm" / "tabular_sample.xml", "2026")
    assert icd10pcs.load([other]) is None


def test_load_without_the_tables_is_an_error(fixtures: Path) -> None:
    with pytest.raises(SourceError) as caught:
        icd10pcs.load(_found(fixtures, "order"))
    assert "tables XML" in caught.value.reason


def test_files_of_another_version_are_ignored_with_a_warning(fixtures: Path) -> None:
    found = [*_found(fixtures, "tables"), FoundFile(FileKind.PCS_ORDER, fixtures / DATA / "order_sample.txt", "2025")]
    content = icd10pcs.load(found)
    assert content is not None
    assert content.warnings[0] == "order_sample.txt: version 2025 ignored, the tables are 2026"


def test_sniff_recognises_the_xml_files_by_their_root(fixtures: Path) -> None:
    for name, kind in (
        ("tables_sample.xml", FileKind.PCS_TABLES),
        ("definitions_sample.xml", FileKind.PCS_DEFINITIONS),
        ("index_sample.xml", FileKind.PCS_INDEX),
    ):
        path = fixtures / DATA / name
        assert icd10pcs.sniff(path, path.read_bytes()[:4096]) == FoundFile(kind, path, "2026")


def test_sniff_reads_the_version_of_a_gzip_file(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "icd10pcs_tables_2026.xml.gz"
    path.write_bytes(gzip.compress((fixtures / DATA / "tables_sample.xml").read_bytes()))
    head = gzip.decompress(path.read_bytes())[:4096]
    assert icd10pcs.sniff(path, head) == FoundFile(FileKind.PCS_TABLES, path, "2026")


def test_sniff_ignores_text_that_only_mentions_a_root(tmp_path: Path) -> None:
    path = tmp_path / "PROVENANCE.md"
    path.write_text("| `icd10pcs_tables_2026.xml.gz` | Official PCS Tables XML (`<ICD10PCS.tabular>`) |\n")
    assert icd10pcs.sniff(path, path.read_bytes()) is None


def test_sniff_recognises_the_order_file_by_name_and_layout(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "icd10pcs_order_2026.txt"
    path.write_bytes((fixtures / DATA / "order_sample.txt").read_bytes())
    assert icd10pcs.sniff(path, path.read_bytes()[:4096]) == FoundFile(FileKind.PCS_ORDER, path, "2026")
    assert icd10pcs.sniff(fixtures / DATA / "order_sample.txt", path.read_bytes()[:4096]) is None


def test_sniff_finds_the_order_file_in_the_cms_zip(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "2026-icd-10-pcs-order-file.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("icd10pcsOrderFile.pdf", b"%PDF-1.4")
        archive.write(fixtures / DATA / "order_sample.txt", "icd10pcs_order_2026.txt")
    found = icd10pcs.sniff(path, path.read_bytes()[:4096])
    assert found == FoundFile(FileKind.PCS_ORDER, path, "2026", "icd10pcs_order_2026.txt")


def test_a_zip_of_tables_definitions_and_index_is_read_whole(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "2026-icd-10-pcs-code-tables.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for source, member in (
            ("tables_sample.xml", "icd10pcs_tables_2026.xml"),
            ("definitions_sample.xml", "icd10pcs_definitions_2026.xml"),
            ("index_sample.xml", "icd10pcs_index_2026.xml"),
        ):
            archive.write(fixtures / DATA / source, member)
    found = icd10pcs.sniff(path, path.read_bytes()[:4096])
    assert found == FoundFile(FileKind.PCS_TABLES, path, "2026", "icd10pcs_tables_2026.xml")
    content = icd10pcs.load([found])
    assert content is not None
    assert [f.name for f in content.release.files] == [
        "2026-icd-10-pcs-code-tables.zip!icd10pcs_tables_2026.xml",
        "2026-icd-10-pcs-code-tables.zip!icd10pcs_definitions_2026.xml",
        "2026-icd-10-pcs-code-tables.zip!icd10pcs_index_2026.xml",
    ]
    assert ("Oviduct", "use Fallopian Tube, Left; use Fallopian Tube, Right") in _designations(
        content, "0UT", DesignationKind.SYNONYM
    )


def test_sniff_ignores_other_files(fixtures: Path) -> None:
    path = fixtures / "icd10cm" / "tabular_sample.xml"
    assert icd10pcs.sniff(path, path.read_bytes()[:4096]) is None


# --- the official FY2026 release -----------------------------------------------------------------------
_ORDER_ZIP = "icd10pcs/2026-icd-10-pcs-order-file.cms_2026_pr.zip"


@pytest.fixture(scope="module")
def fy2026(shared_data: Path) -> ReleaseContent:
    folder = shared_data / "icd10pcs"
    content = icd10pcs.load(
        [
            FoundFile(FileKind.PCS_TABLES, folder / "icd10pcs_tables_2026.xml.gz", "2026"),
            FoundFile(FileKind.PCS_DEFINITIONS, folder / "icd10pcs_definitions_2026.xml.gz", "2026"),
            FoundFile(FileKind.PCS_ORDER, shared_data / _ORDER_ZIP, "2026", "icd10pcs_order_2026.txt"),
        ]
    )
    assert content is not None
    return content


def test_fy2026_valid_codes_equal_the_order_file(shared_data: Path) -> None:
    tables = icd10pcs.load_tables(shared_data / "icd10pcs/icd10pcs_tables_2026.xml.gz")
    valid = {code for table in tables.tables for code, _ in table.codes()}
    order = icd10pcs.load_order(shared_data / _ORDER_ZIP, "icd10pcs_order_2026.txt")
    official = {entry.code for entry in order if entry.valid}
    assert len(tables.tables) == 914
    assert len(official) == 79_115
    assert valid == official


def test_fy2026_concepts_by_kind(fy2026: ReleaseContent) -> None:
    kinds = [c.kind for c in fy2026.concepts]
    assert [kinds.count(k) for k in ConceptKind if k in kinds] == [17, 115, 914, 79_115]
    assert fy2026.warnings == ()


def test_fy2026_axes_of_0ut70zz(fy2026: ReleaseContent) -> None:
    assert _properties(fy2026, "0UT70ZZ") == [
        ("pcs.section", "0", "Medical and Surgical"),
        ("pcs.body_system", "U", "Female Reproductive System"),
        ("pcs.operation", "T", "Resection"),
        ("pcs.body_part", "7", "Fallopian Tubes, Bilateral"),
        ("pcs.approach", "0", "Open"),
        ("pcs.device", "Z", "No Device"),
        ("pcs.qualifier", "Z", "No Qualifier"),
    ]
    assert _concepts(fy2026)["0UT70ZZ"].title == "Resection of Bilateral Fallopian Tubes, Open Approach"


def test_fy2026_root_operation_definition_of_0ut(fy2026: ReleaseContent) -> None:
    operation = _property(fy2026, "0UT", "pcs.operation", "T")
    assert operation.definition == "Cutting out or off, without replacement, all of a body part"
    assert (
        NoteKind.NOTE,
        "Resection: Cutting out or off, without replacement, all of a body part",
    ) in [(n.note.kind, n.note.text) for n in fy2026.notes if n.code == "0UT"]


def test_fy2026_body_part_key_reaches_the_table(fy2026: ReleaseContent) -> None:
    synonyms = [text for text, _ in _designations(fy2026, "0UT", DesignationKind.SYNONYM)]
    assert {"Oviduct", "Salpinx", "Uterine tube"} <= set(synonyms)


def test_fy2026_counts(fy2026: ReleaseContent) -> None:
    assert len(fy2026.properties) == 582_091
    assert len(fy2026.notes) == 2_033
    assert len(fy2026.designations) == 166_811


def test_fy2026_definitions_terms_and_aggregates(shared_data: Path) -> None:
    definitions = icd10pcs.load_definitions(shared_data / "icd10pcs/icd10pcs_definitions_2026.xml.gz")
    assert (len(definitions.terms), len(definitions.aggregates)) == (954, 60)


def _p(code: str, name: str, value: str, label: str | None, definition: str | None = None) -> Property:
    return Property(SystemId.ICD10PCS, code, name, value, label, definition)


def test_code_axes_take_the_label_of_the_codes_row_not_of_the_table() -> None:
    # Table XW0 allows character 6 "W" in two rows with two meanings; a code keeps its own row's label.
    table = [
        *(
            _p("XW0", "pcs.axis_title", str(n), t)
            for n, t in enumerate(
                (
                    "Section",
                    "Body System",
                    "Operation",
                    "Body Part",
                    "Approach",
                    "Device / Substance / Technology",
                    "Qualifier",
                ),
                start=1,
            )
        ),
        _p("XW0", "pcs.axis6", "W", "COVID-19 Vaccine Booster", "A booster dose"),
        _p("XW0", "pcs.axis6", "W", "Another Device"),
    ]
    own = [
        _p("XW023W7", name, value, label)
        for name, value, label in (
            ("pcs.section", "X", "New Technology"),
            ("pcs.body_system", "W", "Anatomical Regions"),
            ("pcs.operation", "0", "Introduction"),
            ("pcs.body_part", "2", "Muscle"),
            ("pcs.approach", "3", "Percutaneous"),
            ("pcs.axis6", "W", "COVID-19 Vaccine Booster"),
            ("pcs.axis7", "7", "New Technology Group 7"),
        )
    ]
    axes = icd10pcs.code_axes("XW023W7", own, table)
    assert [title for title, _ in axes][5] == "Device / Substance / Technology"
    sixth = axes[5][1]
    assert (sixth.value, sixth.label, sixth.definition) == ("W", "COVID-19 Vaccine Booster", "A booster dose")
    assert [p.value for _, p in axes] == list("XW023W7")
