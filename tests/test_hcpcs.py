from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest

from medcodes.errors import SourceError
from medcodes.models import (
    Concept,
    ConceptKind,
    DesignationKind,
    HistoryEvent,
    HistoryKind,
    Relation,
    RelationKind,
    ReleaseContent,
)
from medcodes.sources import hcpcs
from medcodes.sources.files import open_binary
from medcodes.sources.hcpcs_records import read_processing_notes, read_records
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import SystemId


def _sample(fixtures: Path) -> Path:
    return fixtures / "hcpcs" / "anweb_sample.txt"


def _load(fixtures: Path) -> ReleaseContent:
    content = hcpcs.load([FoundFile(FileKind.HCPCS_ALPHA, _sample(fixtures), "2019")])
    assert content is not None
    return content


def _concepts(fixtures: Path) -> dict[str, Concept]:
    return {c.code: c for c in _load(fixtures).concepts}


def _properties(content: ReleaseContent, code: str) -> list[tuple[str, str, str | None]]:
    return [(p.name, p.value, p.label) for p in content.properties if p.code == code]


def _zip(tmp_path: Path, fixtures: Path) -> Path:
    path = tmp_path / "2019-Alpha-Numeric-HCPCS-File.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("HCPC2019_README.txt", "read me\r\n")
        archive.write(_sample(fixtures), "HCPC2019_CONTR_ANWEB.txt")
        archive.writestr("HCPC2019_CONTR_ANWEB.xlsx", b"PK\x03\x04 not really a workbook")
        archive.write(fixtures / "hcpcs" / "proc_notes_sample.txt", "proc_notes_2019.txt")
    return path


# --- reading records -----------------------------------------------------------------------------------
def test_a_procedure_record_reads_every_layout_field(fixtures: Path) -> None:
    records = {r.code: r for r in read_records(_sample(fixtures))}
    e0601 = records["E0601"]
    assert e0601.long_description == "Continuous positive airway pressure (cpap) device"
    assert e0601.short_description == "Cont airway pressure device"
    assert e0601.pricing == ("36",)
    assert e0601.multiple_pricing == "A"
    assert e0601.coverage_issues_manual == ("60-17",)
    assert e0601.coverage == "D"
    assert e0601.betos == "D1E"
    assert e0601.type_of_service == ("R",)
    assert (e0601.added, e0601.action_effective, e0601.terminated, e0601.action) == ("19880101", "20140101", "", "N")


def test_continuation_lines_join_the_long_description(fixtures: Path) -> None:
    records = {r.code: r for r in read_records(_sample(fixtures))}
    assert records["G8891"].long_description == (
        "Documentation of medical reason(s) for most recent ldl-c not under control (e.g., patients with"
        " palliative goals for whom treatment of hypertension with standard treatment goals is not clinically"
        " appropriate)"
    )
    assert records["GA"].long_description == (
        "Waiver of liability statement issued as required by payer policy, individual case"
    )


def test_repeated_fields_keep_every_occurrence(fixtures: Path) -> None:
    records = {r.code: r for r in read_records(_sample(fixtures))}
    assert records["C9744"].cross_reference == ("76978", "76979")
    assert records["Q9993"].type_of_service == ("1", "P")


def test_the_disclaimer_above_the_records_is_skipped(fixtures: Path) -> None:
    first = next(read_records(_sample(fixtures)))
    assert (first.code, first.modifier, first.line) == ("GA", True, 4)


def test_a_truncated_record_names_file_and_line(fixtures: Path) -> None:
    path = fixtures / "hcpcs" / "anweb_malformed.txt"
    with pytest.raises(SourceError) as caught:
        list(read_records(path))
    assert caught.value.path == str(path)
    assert caught.value.line == 10
    assert "column 293" in caught.value.reason


def test_a_continuation_without_its_record_is_an_error(tmp_path: Path, fixtures: Path) -> None:
    lines = _sample(fixtures).read_text(encoding="latin-1").splitlines()
    path = tmp_path / "orphan.txt"
    # Drop the first line of P3000 (line 16): its continuation now follows L7260.
    path.write_text("\r\n".join(lines[:15] + lines[16:]) + "\r\n", encoding="latin-1")
    with pytest.raises(SourceError) as caught:
        list(read_records(path))
    assert caught.value.line == 16
    assert "'P3000'" in caught.value.reason


def test_a_file_without_records_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("*just a disclaimer\r\n\r\n", encoding="latin-1")
    with pytest.raises(SourceError, match="no HCPCS procedure or modifier record"):
        list(read_records(path))


def test_processing_notes_join_their_lines(fixtures: Path) -> None:
    notes = read_processing_notes(fixtures / "hcpcs" / "proc_notes_sample.txt", None)
    assert notes["0127"] == "PUBLICATION 100.2, CHAPTER 15, 50.1."
    assert notes["0045"].endswith("G0147, G0148). PROGRAM MEMORANDUM AB-98-71.60.")


# --- sniffing ---------------------------------------------------------------------------------------------
def test_sniff_picks_the_fixed_width_member_of_the_zip(tmp_path: Path, fixtures: Path) -> None:
    path = _zip(tmp_path, fixtures)
    found = hcpcs.sniff(path, path.read_bytes()[:4096])
    assert found == FoundFile(FileKind.HCPCS_ALPHA, path, "2019", "HCPC2019_CONTR_ANWEB.txt")


def test_sniff_reads_a_quarterly_version_from_the_name(tmp_path: Path, fixtures: Path) -> None:
    path = tmp_path / "HCPC2024_APR_ANWEB_v2.txt"
    shutil.copy(_sample(fixtures), path)
    found = hcpcs.sniff(path, path.read_bytes()[:4096])
    assert found == FoundFile(FileKind.HCPCS_ALPHA, path, "2024-04")


def test_sniff_recognises_the_layout_under_any_name(fixtures: Path) -> None:
    path = _sample(fixtures)
    assert hcpcs.sniff(path, path.read_bytes()[:4096]) == FoundFile(FileKind.HCPCS_ALPHA, path, None)


def test_sniff_leaves_other_text_files_alone(fixtures: Path) -> None:
    path = fixtures / "hcpcs" / "proc_notes_sample.txt"
    assert hcpcs.sniff(path, path.read_bytes()[:4096]) is None


# --- the release ------------------------------------------------------------------------------------------
def test_release_is_the_calendar_year(fixtures: Path) -> None:
    release = _load(fixtures).release
    assert (release.system, release.version, release.effective) == (SystemId.HCPCS, "2019", dt.date(2019, 1, 1))
    assert release.files[0].name == "anweb_sample.txt"


def test_without_a_year_in_the_name_the_latest_change_names_the_release(fixtures: Path) -> None:
    content = hcpcs.load([FoundFile(FileKind.HCPCS_ALPHA, _sample(fixtures), None)])
    assert content is not None
    assert (content.release.version, content.release.effective) == ("2019", dt.date(2019, 1, 1))


def test_load_without_an_hcpcs_file_is_none(fixtures: Path) -> None:
    assert hcpcs.load([FoundFile(FileKind.CPT, fixtures / "cpt" / "LONGULT.txt")]) is None


def test_codes_carry_long_and_short_descriptors(fixtures: Path) -> None:
    e0601 = _concepts(fixtures)["E0601"]
    assert e0601 == Concept(
        SystemId.HCPCS,
        "E0601",
        "Continuous positive airway pressure (cpap) device",
        ConceptKind.CODE,
        True,
        "E",
        "Cont airway pressure device",
        1,
        e0601.seq,
    )


def test_short_descriptors_are_designations(fixtures: Path) -> None:
    made = [(d.kind, d.text) for d in _load(fixtures).designations if d.code == "E0601"]
    assert made == [
        (DesignationKind.TITLE, "Continuous positive airway pressure (cpap) device"),
        (DesignationKind.SHORT_TITLE, "Cont airway pressure device"),
    ]


def test_modifiers_are_their_own_kind_under_one_chapter(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["RT"].kind is ConceptKind.MODIFIER
    assert concepts["RT"].parent == "MODIFIERS"
    assert concepts["RT"].short_title == "Right side"
    assert concepts["MODIFIERS"].kind is ConceptKind.CHAPTER


def test_letter_chapters_hold_their_codes(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["E"].kind is ConceptKind.CHAPTER
    assert concepts["E"].title == "Durable medical equipment"
    assert concepts["A0021"].parent == "A"
    assert [c.code for c in concepts.values() if c.kind is ConceptKind.CHAPTER] == [
        "MODIFIERS",
        "A",
        "C",
        "E",
        "G",
        "J",
        "L",
        "P",
        "Q",
    ]


def test_concepts_follow_the_file_order(fixtures: Path) -> None:
    codes = [c.code for c in _load(fixtures).concepts]
    assert codes[:5] == ["MODIFIERS", "GA", "RT", "A", "A0021"]
    assert [c.seq for c in _load(fixtures).concepts] == list(range(len(codes)))


def test_terminated_codes_are_kept_but_not_billable(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert not concepts["Q9993"].billable  # terminated 2018-12-31, discontinued for 2019
    assert not concepts["L7260"].billable  # terminated 2014-12-31, still listed
    assert concepts["J9173"].billable


def test_a_terminated_code_has_a_deleted_event_the_day_after(fixtures: Path) -> None:
    events = [h for h in _load(fixtures).history if h.code == "Q9993" and h.kind is HistoryKind.DELETED]
    assert events == [
        HistoryEvent(
            SystemId.HCPCS,
            "Q9993",
            HistoryKind.DELETED,
            "2019",
            dt.date(2019, 1, 1),
            old_title="Injection, triamcinolone acetonide, preservative-free, extended-release, microsphere"
            " formulation, 1 mg",
            replaced_by=("J3304",),
        )
    ]


def test_an_older_termination_is_dated_in_its_own_year(fixtures: Path) -> None:
    (event,) = [h for h in _load(fixtures).history if h.code == "L7260" and h.kind is HistoryKind.DELETED]
    assert (event.release, event.effective, event.replaced_by) == ("2015", dt.date(2015, 1, 1), ("L7259",))


def test_the_date_a_code_was_added_is_an_added_event(fixtures: Path) -> None:
    # Field 27, "code added date": L7260 was added on 1988-01-01 and terminated at the end of 2014.
    events = [(h.kind, h.effective) for h in _load(fixtures).history if h.code == "L7260"]
    assert events == [(HistoryKind.ADDED, dt.date(1988, 1, 1)), (HistoryKind.DELETED, dt.date(2015, 1, 1))]


def test_an_added_code_has_an_added_event(fixtures: Path) -> None:
    events = [(h.kind, h.release, h.effective) for h in _load(fixtures).history if h.code == "J9173"]
    assert events == [(HistoryKind.ADDED, "2019", dt.date(2019, 1, 1))]


def test_indicators_are_properties_with_labels(fixtures: Path) -> None:
    assert _properties(_load(fixtures), "E0601") == [
        ("hcpcs.pricing", "36", "Capped rental DME (price subject to floors and ceilings)"),
        ("hcpcs.multiple_pricing", "A", "Not applicable as HCPCS priced under one methodology"),
        ("hcpcs.coverage_issues_manual", "60-17", None),
        ("hcpcs.coverage", "D", "Special coverage instructions apply"),
        ("hcpcs.betos", "D1E", "Other DME"),
        ("hcpcs.type_of_service", "R", "Rental of DME"),
        ("hcpcs.add_date", "19880101", "1988-01-01"),
        ("hcpcs.effective_date", "20140101", "2014-01-01"),
        ("hcpcs.action", "N", "No maintenance for this code"),
    ]


def test_lab_certification_and_termination_are_properties(fixtures: Path) -> None:
    content = _load(fixtures)
    assert ("hcpcs.lab_certification", "630", "Cytology") in _properties(content, "P3000")
    assert ("hcpcs.termination_date", "20181231", "2018-12-31") in _properties(content, "Q9993")
    assert ("hcpcs.action", "D", "Discontinue procedure or modifier code") in _properties(content, "Q9993")


def test_asc_approval_is_a_property(fixtures: Path) -> None:
    assert ("hcpcs.asc_group", "YY", "Approved to be performed in an ambulatory surgical center") in _properties(
        _load(fixtures), "J9173"
    )


def test_processing_notes_come_from_the_same_zip(tmp_path: Path, fixtures: Path) -> None:
    path = _zip(tmp_path, fixtures)
    content = hcpcs.load([FoundFile(FileKind.HCPCS_ALPHA, path, "2019", "HCPC2019_CONTR_ANWEB.txt")])
    assert content is not None
    assert ("hcpcs.processing_note", "0127", "PUBLICATION 100.2, CHAPTER 15, 50.1.") in _properties(content, "Q9993")
    assert content.release.files[0].name == "2019-Alpha-Numeric-HCPCS-File.zip!HCPC2019_CONTR_ANWEB.txt"


def test_cross_references_are_relations_to_either_system(fixtures: Path) -> None:
    relations = {(r.source_code, r.target_code): r for r in _load(fixtures).relations}
    assert relations[("A0021", "A0030")].kind is RelationKind.SEE
    assert relations[("Q9993", "J3304")] == Relation(
        SystemId.HCPCS, "Q9993", RelationKind.REPLACED_BY, SystemId.HCPCS, "J3304", source="hcpcs-cross-reference"
    )
    assert relations[("C9744", "76978")].target_system is SystemId.CPT


def test_the_newest_file_is_loaded(tmp_path: Path, fixtures: Path) -> None:
    older = FoundFile(FileKind.HCPCS_ALPHA, _sample(fixtures), "2018")
    newer = FoundFile(FileKind.HCPCS_ALPHA, _sample(fixtures), "2019-04")
    content = hcpcs.load([older, newer])
    assert content is not None
    assert (content.release.version, content.release.effective) == ("2019-04", dt.date(2019, 4, 1))


# --- the official CY2019 file -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cy2019(shared_data: Path) -> ReleaseContent:
    path = shared_data / "hcpcs" / "2019-Alpha-Numeric-HCPCS-File.zip"
    found = hcpcs.sniff(path, path.read_bytes()[:4096])
    assert found is not None
    content = hcpcs.load([found])
    assert content is not None
    return content


def test_cy2019_counts_match_provenance(cy2019: ReleaseContent) -> None:
    codes = [c for c in cy2019.concepts if c.kind is ConceptKind.CODE]
    modifiers = [c for c in cy2019.concepts if c.kind is ConceptKind.MODIFIER]
    assert (len(codes), len(modifiers)) == (6_440, 360)
    assert (sum(c.billable for c in codes), sum(c.billable for c in modifiers)) == (5_934, 351)
    assert sum(c.kind is ConceptKind.CHAPTER for c in cy2019.concepts) == 17


def test_cy2019_e0601(cy2019: ReleaseContent) -> None:
    e0601 = next(c for c in cy2019.concepts if c.code == "E0601")
    assert (e0601.title, e0601.short_title) == (
        "Continuous positive airway pressure (cpap) device",
        "Cont airway pressure device",
    )
    labels = {p.name: p.label for p in cy2019.properties if p.code == "E0601"}
    assert labels["hcpcs.betos"] == "Other DME"
    assert labels["hcpcs.coverage"] == "Special coverage instructions apply"


def test_cy2019_discontinued_codes_end_the_day_before_their_action(cy2019: ReleaseContent) -> None:
    deleted = {h.code: h.effective for h in cy2019.history if h.kind is HistoryKind.DELETED}
    effective = {p.code: p.label for p in cy2019.properties if p.name == "hcpcs.effective_date"}
    discontinued = {p.code for p in cy2019.properties if p.name == "hcpcs.action" and p.value == "D"}
    assert len(discontinued) == 49
    assert all(str(deleted[code]) == effective[code] for code in discontinued)


def test_cy2019_every_coded_indicator_has_a_label(cy2019: ReleaseContent) -> None:
    coded = {"hcpcs.pricing", "hcpcs.coverage", "hcpcs.betos", "hcpcs.type_of_service", "hcpcs.action"}
    assert [p for p in cy2019.properties if p.name in coded and p.label is None] == []


def test_only_the_alpha_numeric_zip_is_taken_for_hcpcs(shared_data: Path) -> None:
    claimed = []
    for path in sorted(shared_data.rglob("*")):
        if path.is_file():
            with open_binary(path) as fh:
                if hcpcs.sniff(path, fh.read(4096)) is not None:
                    claimed.append(path.name)
    assert claimed == ["2019-Alpha-Numeric-HCPCS-File.zip"]
