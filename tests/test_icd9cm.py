from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from medcodes.errors import SourceError
from medcodes.models import Concept, ConceptKind, DesignationKind, ReleaseContent
from medcodes.sources import icd9cm
from medcodes.sources.files import open_binary
from medcodes.sources.kinds import FileKind, FoundFile

CMS_FILES = ("CMS32_DESC_LONG_DX.txt", "CMS32_DESC_SHORT_DX.txt", "CMS32_DESC_LONG_SG.txt", "CMS32_DESC_SHORT_SG.txt")


def _zip(folder: Path, target: Path, names: tuple[str, ...]) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for name in names:
            archive.write(folder / name, name)
    return target


def _sniff(path: Path) -> FoundFile | None:
    with open_binary(path) as fh:
        return icd9cm.sniff(path, fh.read(4096))


def _release(fixtures: Path, tmp_path: Path, with_cdc: bool = True) -> ReleaseContent:
    folder = fixtures / "icd9cm"
    paths = [_zip(folder, tmp_path / "cms_v32.zip", CMS_FILES)]
    if with_cdc:
        paths.append(_zip(folder, tmp_path / "Appndx12.zip", ("DC_3D12.RTF",)))
        paths.append(_zip(folder, tmp_path / "Ptab12.zip", ("Ptab12.RTF",)))
    found = [f for p in paths if (f := _sniff(p)) is not None]
    content = icd9cm.load(found)
    assert content is not None
    return content


def _concepts(fixtures: Path, tmp_path: Path, with_cdc: bool = True) -> dict[str, Concept]:
    return {c.code: c for c in _release(fixtures, tmp_path, with_cdc).concepts}


def test_sniff_finds_the_cms_zip_and_the_cdc_members(fixtures: Path, tmp_path: Path) -> None:
    folder = fixtures / "icd9cm"
    cms = _sniff(_zip(folder, tmp_path / "cms_v32.zip", CMS_FILES))
    cdc = _sniff(_zip(folder, tmp_path / "Appndx12.zip", ("DC_3D12.RTF",)))
    assert cms == FoundFile(FileKind.ICD9CM_MASTER, tmp_path / "cms_v32.zip", "32")
    assert cdc == FoundFile(FileKind.ICD9CM_MASTER, tmp_path / "Appndx12.zip", "2012", "DC_3D12.RTF")


def test_sniff_ignores_other_zips(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "nothing here")
    assert _sniff(path) is None


def test_release_version_and_effective_date(fixtures: Path, tmp_path: Path) -> None:
    release = _release(fixtures, tmp_path).release
    assert (release.version, release.effective) == ("32", dt.date(2014, 10, 1))
    assert [f.name for f in release.files] == ["cms_v32.zip", "Appndx12.zip", "Ptab12.zip"]


def test_diagnosis_codes_take_a_dot_after_three_characters(fixtures: Path, tmp_path: Path) -> None:
    concepts = _concepts(fixtures, tmp_path)
    assert concepts["250.00"].title == (
        "Diabetes mellitus without mention of complication, type II or unspecified type, not stated as uncontrolled"
    )
    assert concepts["250.00"].short_title == "DMII wo cmp nt st uncntr"
    assert concepts["250.00"].parent == "250"
    assert concepts["V01.0"].parent == "V01"


def test_e_codes_take_a_dot_after_four_characters(fixtures: Path, tmp_path: Path) -> None:
    concepts = _concepts(fixtures, tmp_path)
    assert concepts["E800.0"].parent == "E800"
    assert concepts["E800"].title == "Railway accident involving collision with rolling stock"


def test_procedures_take_a_dot_after_two_digits(fixtures: Path, tmp_path: Path) -> None:
    concepts = _concepts(fixtures, tmp_path)
    assert concepts["87.83"].title == "Opaque dye contrast hysterosalpingogram"
    assert concepts["87.83"].parent == "87"
    assert concepts["01.6"].short_title == "Excise skull lesion"


def test_category_headers_take_cdc_titles_and_are_not_billable(fixtures: Path, tmp_path: Path) -> None:
    concepts = _concepts(fixtures, tmp_path)
    assert concepts["250"].title == "Diabetes mellitus"
    assert concepts["250"].kind is ConceptKind.CATEGORY
    assert not concepts["250"].billable
    assert concepts["87"].title == "Diagnostic Radiology"
    assert concepts["01"].title == "Incision and excision of skull, brain, and cerebral meninges"


def test_a_valid_three_digit_code_is_its_own_category(fixtures: Path, tmp_path: Path) -> None:
    concepts = _concepts(fixtures, tmp_path)
    assert concepts["042"].kind is ConceptKind.CATEGORY
    assert concepts["042"].billable
    assert concepts["042"].title == "Human immunodeficiency virus [HIV] disease"
    assert concepts["E030"].billable


def test_long_titles_are_read_as_windows_1252(fixtures: Path, tmp_path: Path) -> None:
    assert _concepts(fixtures, tmp_path)["386.00"].title == "Ménière's disease, unspecified"


def test_a_category_without_a_cdc_title_is_named_and_warned(fixtures: Path, tmp_path: Path) -> None:
    content = _release(fixtures, tmp_path)
    assert {c.code: c for c in content.concepts}["V01"].title == "Category V01"
    assert content.warnings == ("no CDC title for ICD-9-CM diagnosis category V01: titled 'Category V01'",)


def test_without_cdc_files_every_header_is_named_by_its_code(fixtures: Path, tmp_path: Path) -> None:
    concepts = _concepts(fixtures, tmp_path, with_cdc=False)
    assert concepts["250"].title == "Category 250"
    assert concepts["87"].title == "Category 87"


def test_designations_and_type_property(fixtures: Path, tmp_path: Path) -> None:
    content = _release(fixtures, tmp_path)
    words = {(d.kind, d.text) for d in content.designations if d.code == "87.83"}
    assert words == {
        (DesignationKind.TITLE, "Opaque dye contrast hysterosalpingogram"),
        (DesignationKind.SHORT_TITLE, "Dye hysterosalpingogram"),
    }
    types = {p.code: p.label for p in content.properties if p.name == "icd9cm.type"}
    assert (types["87.83"], types["250.00"]) == ("procedure", "diagnosis")


def test_plain_cms_text_files_are_read_too(fixtures: Path) -> None:
    found = [f for name in CMS_FILES if (f := _sniff(fixtures / "icd9cm" / name)) is not None]
    content = icd9cm.load(found)
    assert content is not None
    assert len([c for c in content.concepts if c.billable]) == 13


def test_rtf_text_drops_hidden_text_and_decodes_escapes(fixtures: Path) -> None:
    lines = icd9cm.rtf_lines((fixtures / "icd9cm" / "DC_3D12.RTF").read_bytes(), "DC_3D12.RTF")
    assert "E800\tRailway accident involving collision with rolling stock" in lines
    assert "Excludes:\tMénière\u2019s disease \u2014 see 386" in lines


def test_procedure_headings_need_a_tab_and_the_first_one_wins(fixtures: Path) -> None:
    data = (fixtures / "icd9cm" / "Ptab12.RTF").read_bytes()
    titles = icd9cm.read_category_titles(data, "Ptab12.RTF", icd9cm.Part.SG_TABULAR)
    assert titles == {
        "00": "Procedures and interventions, Not Elsewhere Classified",
        "01": "Incision and excision of skull, brain, and cerebral meninges",
        "87": "Diagnostic Radiology",
    }


def test_malformed_master_line_names_file_and_line(fixtures: Path) -> None:
    path = fixtures / "icd9cm" / "malformed_LONG_DX.txt"
    with pytest.raises(SourceError) as caught:
        list(icd9cm.read_entries(path.read_bytes(), str(path), procedures=False))
    assert caught.value.line == 4
    assert "expected a diagnosis code" in caught.value.reason


def test_truncated_rtf_raises_source_error(fixtures: Path) -> None:
    data = (fixtures / "icd9cm" / "truncated_DC_3D12.RTF").read_bytes()
    with pytest.raises(SourceError) as caught:
        icd9cm.rtf_lines(data, "truncated_DC_3D12.RTF")
    assert caught.value.line == 3
    assert "truncated RTF" in caught.value.reason


def test_load_returns_none_without_cms_files() -> None:
    assert icd9cm.load([]) is None


# --- the official CMS v32 release with the CDC FY2012 category titles --------------------------------
def _official(shared_data: Path) -> ReleaseContent:
    folder = shared_data / "icd9cm"
    paths = [
        folder / "icd-9-cm-v32-master-descriptions.cms_v32.zip",
        folder / "cdc-fy2012" / "Appndx12.zip",
        folder / "cdc-fy2012" / "Ptab12.zip",
    ]
    content = icd9cm.load([f for p in paths if (f := _sniff(p)) is not None])
    assert content is not None
    return content


def test_v32_counts_match_provenance(shared_data: Path) -> None:
    content = _official(shared_data)
    types = {p.code: p.value for p in content.properties}
    valid = [c for c in content.concepts if c.billable]
    assert sum(1 for c in valid if types[c.code] == "DX") == 14_567
    assert sum(1 for c in valid if types[c.code] == "SG") == 3_882
    headers = [c for c in content.concepts if not c.billable]
    assert len(headers) == 1_197  # 1,097 diagnosis categories and 100 procedure categories
    assert content.warnings == ()


def test_v32_titles(shared_data: Path) -> None:
    concepts = {c.code: c for c in _official(shared_data).concepts}
    assert concepts["250.00"].title == (
        "Diabetes mellitus without mention of complication, type II or unspecified type, not stated as uncontrolled"
    )
    assert concepts["250"].title == "Diabetes mellitus"
    assert concepts["87"].title == "Diagnostic Radiology"
    assert concepts["E999"].title == "Late effects of injury due to war operations"
    assert concepts["386.00"].title == "Ménière's disease, unspecified"
