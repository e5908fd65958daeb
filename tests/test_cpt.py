"""CPT loader tests. Every descriptor in tests/data/cpt is invented for these tests: never AMA text."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from medcodes.errors import LicenceRequired, SourceError
from medcodes.models import Concept, ConceptKind, DesignationKind
from medcodes.sources import cpt
from medcodes.sources.files import open_binary
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import SystemId

LICENCE = "AMA CPT end-user licence held by Example Clinic (test)"
TEST = " (test descriptor written for medcodes tests)"


def _data(fixtures: Path, name: str) -> Path:
    return fixtures / "cpt" / name


def _read(path: Path) -> list[tuple[str, str, str]]:
    return [(d.code, d.role, d.text) for d in cpt.read_descriptors(path)]


def _found(fixtures: Path, *names: str, version: str | None = "2025") -> list[FoundFile]:
    return [FoundFile(FileKind.CPT, _data(fixtures, name), version) for name in names]


def _sniff(path: Path) -> FoundFile | None:
    with open_binary(path) as fh:
        return cpt.sniff(path, fh.read(4096))


# --- reading the layouts ------------------------------------------------------------------------------
def test_long_descriptor_file(fixtures: Path) -> None:
    assert _read(_data(fixtures, "LONGULT.txt"))[0] == (
        "74740",
        "long",
        "X-ray of uterus and fallopian tubes with contrast" + TEST,
    )


def test_category_two_and_three_codes_are_read(fixtures: Path) -> None:
    assert [code for code, _, _ in _read(_data(fixtures, "LONGULT.txt"))] == ["74740", "99213", "0001F", "0042T"]


def test_medium_descriptor_file(fixtures: Path) -> None:
    assert _read(_data(fixtures, "MEDU.txt"))[1] == ("99213", "medium", "RETURN PATIENT OFFICE VISIT MID TEST TEXT")


def test_short_descriptor_file_with_a_tab_in_column_six(fixtures: Path) -> None:
    assert _read(_data(fixtures, "SHORTU.txt"))[0] == ("74740", "short", "XRAY UTERUS TUBES TEST")


def test_consumer_descriptor_file_with_its_header(fixtures: Path) -> None:
    assert _read(_data(fixtures, "ConsumerDescriptor.txt")) == [
        ("74740", "consumer", "Picture of the womb and tubes taken with dye (medcodes test text)"),
        ("99213", "consumer", "Check-up visit with your regular doctor (medcodes test text)"),
    ]


def test_csv_with_a_header_and_a_quoted_comma(fixtures: Path) -> None:
    assert _read(_data(fixtures, "cpt_codes.csv"))[0] == (
        "74740",
        "long",
        "X-ray of uterus and tubes, with contrast (medcodes test text)",
    )


def test_tsv_without_a_header_takes_code_long_and_short(fixtures: Path) -> None:
    assert _read(_data(fixtures, "cpt_codes.tsv"))[:2] == [
        ("74740", "long", "X-ray of uterus and tubes with contrast (medcodes test text)"),
        ("74740", "short", "XRAY UTERUS TEST"),
    ]


def test_wrapped_lines_of_one_code_are_one_descriptor(tmp_path: Path) -> None:
    path = tmp_path / "LONGULF.txt"
    path.write_text("74740 X-ray of uterus and tubes\n74740 with contrast (medcodes test text)\n", encoding="utf-8")
    assert _read(path) == [("74740", "long", "X-ray of uterus and tubes with contrast (medcodes test text)")]


def test_a_banner_above_the_first_code_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "MEDU.txt"
    path.write_text("Test banner line\n\n74740 XRAY UTERUS TEST TEXT\n", encoding="utf-8")
    assert _read(path) == [("74740", "medium", "XRAY UTERUS TEST TEXT")]


def test_a_malformed_fixed_line_names_file_and_line(fixtures: Path) -> None:
    path = _data(fixtures, "LONGULT_malformed.txt")
    with pytest.raises(SourceError) as caught:
        _read(path)
    assert (caught.value.path, caught.value.line) == (str(path), 3)
    assert "columns 1-5" in caught.value.reason


def test_a_malformed_csv_row_names_file_and_line(fixtures: Path) -> None:
    path = _data(fixtures, "cpt_malformed.csv")
    with pytest.raises(SourceError) as caught:
        _read(path)
    assert (caught.value.path, caught.value.line) == (str(path), 3)
    assert "'ABCDE'" in caught.value.reason


def test_a_row_without_a_descriptor_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "cpt.csv"
    path.write_text("74740,\n", encoding="utf-8")
    with pytest.raises(SourceError, match="74740: no descriptor") as caught:
        _read(path)
    assert caught.value.line == 1


# --- sniffing ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["LONGULT.txt", "MEDU.txt", "SHORTU.txt", "ConsumerDescriptor.txt", "cpt_codes.csv", "cpt_codes.tsv"]
)
def test_sniff_knows_the_ama_and_table_names(fixtures: Path, name: str) -> None:
    path = _data(fixtures, name)
    assert _sniff(path) == FoundFile(FileKind.CPT, path, None)


def test_sniff_takes_the_year_from_the_folder(tmp_path: Path, fixtures: Path) -> None:
    folder = tmp_path / "CPT 2025 data files"
    folder.mkdir()
    path = folder / "LONGULT.txt"
    shutil.copy(_data(fixtures, "LONGULT.txt"), path)
    assert _sniff(path) == FoundFile(FileKind.CPT, path, "2025")


def test_sniff_recognises_code_and_descriptor_lines_under_any_name(tmp_path: Path, fixtures: Path) -> None:
    path = tmp_path / "procedures.txt"
    shutil.copy(_data(fixtures, "LONGULT.txt"), path)
    assert _sniff(path) == FoundFile(FileKind.CPT, path, None)


def test_sniff_leaves_an_icd10cm_order_file_alone(tmp_path: Path, fixtures: Path) -> None:
    path = tmp_path / "orders.txt"
    shutil.copy(fixtures / "icd10cm" / "order_sample.txt", path)
    assert _sniff(path) is None


def test_sniff_leaves_an_hcpcs_file_alone(fixtures: Path) -> None:
    assert _sniff(fixtures / "hcpcs" / "anweb_sample.txt") is None


def test_sniff_needs_a_code_in_a_file_named_like_cpt(tmp_path: Path) -> None:
    path = tmp_path / "cpt_notes.txt"
    path.write_text("notes about the licence\n", encoding="utf-8")
    assert _sniff(path) is None


# --- the release ------------------------------------------------------------------------------------------
def test_concepts_take_long_titles_and_short_titles(fixtures: Path) -> None:
    content = cpt.load(_found(fixtures, "SHORTU.txt", "MEDU.txt", "LONGULT.txt"), LICENCE)
    assert content is not None
    assert content.concepts[0] == Concept(
        SystemId.CPT,
        "74740",
        "X-ray of uterus and fallopian tubes with contrast" + TEST,
        ConceptKind.CODE,
        True,
        short_title="XRAY UTERUS TUBES TEST",
        seq=0,
    )


def test_consumer_descriptors_are_synonyms(fixtures: Path) -> None:
    content = cpt.load(_found(fixtures, "LONGULT.txt", "ConsumerDescriptor.txt"), LICENCE)
    assert content is not None
    synonyms = [(d.code, d.text, d.source) for d in content.designations if d.kind is DesignationKind.SYNONYM]
    assert synonyms == [
        ("74740", "Picture of the womb and tubes taken with dye (medcodes test text)", "cpt-consumer"),
        ("99213", "Check-up visit with your regular doctor (medcodes test text)", "cpt-consumer"),
    ]


def test_medium_and_short_descriptors_are_short_titles(fixtures: Path) -> None:
    content = cpt.load(_found(fixtures, "LONGULT.txt", "MEDU.txt", "SHORTU.txt"), LICENCE)
    assert content is not None
    made = [(d.kind, d.source) for d in content.designations if d.code == "0042T"]
    assert made == [
        (DesignationKind.TITLE, "cpt-long"),
        (DesignationKind.SHORT_TITLE, "cpt-medium"),
        (DesignationKind.SHORT_TITLE, "cpt-short"),
    ]


def test_a_medium_descriptor_is_the_title_without_a_long_file(fixtures: Path) -> None:
    content = cpt.load(_found(fixtures, "MEDU.txt"), LICENCE)
    assert content is not None
    assert (content.concepts[0].title, content.concepts[0].short_title) == (
        "XRAY UTERUS AND TUBES WITH DYE TEST TEXT",
        "XRAY UTERUS AND TUBES WITH DYE TEST TEXT",
    )


def test_a_second_long_descriptor_of_a_code_is_an_error(tmp_path: Path, fixtures: Path) -> None:
    path = tmp_path / "cpt_extra.csv"
    path.write_text("code,long\n74740,A second invented descriptor (medcodes test text)\n", encoding="utf-8")
    found = [*_found(fixtures, "LONGULT.txt"), FoundFile(FileKind.CPT, path, "2025")]
    with pytest.raises(SourceError, match="second long descriptor") as caught:
        cpt.load(found, LICENCE)
    assert caught.value.line == 2


def test_release_of_a_year_takes_effect_on_january_first(fixtures: Path) -> None:
    content = cpt.load(_found(fixtures, "LONGULT.txt"), LICENCE)
    assert content is not None
    assert (content.release.system, content.release.version, content.release.effective) == (
        SystemId.CPT,
        "2025",
        dt.date(2025, 1, 1),
    )
    assert [f.name for f in content.release.files] == ["LONGULT.txt"]


def test_release_without_a_year_is_user_supplied(fixtures: Path) -> None:
    content = cpt.load(_found(fixtures, "cpt_codes.csv", version=None), LICENCE)
    assert content is not None
    assert (content.release.version, content.release.effective) == ("user-supplied", None)


def test_only_the_newest_version_is_loaded(fixtures: Path) -> None:
    found = [*_found(fixtures, "cpt_codes.tsv", version="2024"), *_found(fixtures, "LONGULT.txt")]
    content = cpt.load(found, LICENCE)
    assert content is not None
    assert [f.name for f in content.release.files] == ["LONGULT.txt"]


def test_loading_cpt_needs_an_asserted_licence(fixtures: Path) -> None:
    with pytest.raises(LicenceRequired) as caught:
        cpt.load(_found(fixtures, "LONGULT.txt"))
    assert caught.value.hint is not None


def test_a_blank_licence_is_no_licence(fixtures: Path) -> None:
    with pytest.raises(LicenceRequired):
        cpt.load(_found(fixtures, "LONGULT.txt"), "   ")


def test_the_licence_comes_back_with_the_release(fixtures: Path) -> None:
    licensed = cpt.load_licensed(_found(fixtures, "LONGULT.txt"), LICENCE)
    assert licensed is not None
    assert licensed.licence == cpt.CptLicence(LICENCE)
    assert licensed.licence.notice.endswith(f"under: {LICENCE}")
    assert "American Medical Association" in licensed.licence.notice


def test_load_without_cpt_files_is_none(fixtures: Path) -> None:
    assert cpt.load([FoundFile(FileKind.HCPCS_ALPHA, fixtures / "hcpcs" / "anweb_sample.txt")]) is None


# --- the official files of other systems ------------------------------------------------------------------
def test_no_official_release_file_is_taken_for_cpt(shared_data: Path) -> None:
    claimed = [path.name for path in sorted(shared_data.rglob("*")) if path.is_file() and _sniff(path) is not None]
    assert claimed == []
