"""Procedure names: the ICD-10-PCS Index of an older release, its inverted entries, and ICD-9-CM procedure
titles given to ICD-10-PCS codes through the procedure GEM."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.models import Designation, DesignationKind, NameScope, Relation, RelationKind, ReleaseContent
from medcodes.sources import gems, icd10pcs, icd10pcs_index
from medcodes.sources.icd10pcs_definitions import Values
from medcodes.sources.icd10pcs_index import index_designations
from medcodes.sources.icd10pcs_tables import AxisValue, Designations, PcsRow, PcsTable
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import SystemId

PCS = Path(__file__).parent / "data" / "icd10pcs"
GEM = Path(__file__).parent / "data" / "gems" / "gem_i9pcs_2018.reconstructed.txt"


@pytest.fixture(scope="module")
def content() -> ReleaseContent:
    loaded = icd10pcs.load(
        [
            FoundFile(FileKind.PCS_TABLES, PCS / "appendix_tables_sample.xml", "2026"),
            FoundFile(FileKind.PCS_INDEX, PCS / "index_2025_sample.xml", "2025"),
        ]
    )
    assert loaded is not None
    return loaded


def _terms(content: ReleaseContent, code: str) -> list[tuple[str, str | None]]:
    return [(d.text, d.via) for d in content.designations if d.code == code and d.kind is DesignationKind.INDEX_TERM]


def test_an_index_of_an_older_release_is_read_with_a_warning(content: ReleaseContent) -> None:
    assert content.release.version == "2026"
    assert "index_2025_sample.xml" in [f.name for f in content.release.files]
    assert (
        "index_2025_sample.xml: an index of release 2025 read with the 2026 tables;"
        " its terms name only the tables and codes that exist in both"
    ) in content.warnings


def test_a_partial_code_names_its_codes_without_the_diagnostic_ones(content: ReleaseContent) -> None:
    assert ("Appendectomy", "see Excision, Appendix 0DBJ") in _terms(content, "0DBJ0ZZ")
    assert ("Appendectomy", "see Resection, Appendix 0DTJ") in _terms(content, "0DTJ4ZZ")
    assert [text for text, _via in _terms(content, "0DBJ0ZX")] == ["Biopsy, appendix", "Appendix biopsy"]


def test_a_table_code_names_the_table(content: ReleaseContent) -> None:
    assert _terms(content, "0DT") == [("Resection, Gastrointestinal System", None)]


def test_an_inverted_main_term_is_also_read_in_natural_order(content: ReleaseContent) -> None:
    assert _terms(content, "0DTJ4ZZ")[-2:] == [
        ("Resection, appendix, Laparoscopic", None),
        ("Appendix resection, Laparoscopic", None),
    ]


def test_continued_terms_are_the_same_term(content: ReleaseContent) -> None:
    assert ("Excision, Appendix, Open", None) in _terms(content, "0DBJ0ZZ")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("Puncture, lumbar",), ("Lumbar puncture",)),
        (("Replacement, hip", "Partial or total"), ("Hip replacement, Partial or total",)),
        (("Coagulation Factor Xa, Inactivated",), ()),  # a device's own name, not an inversion
        (("Block, Nerve, anesthetic injection",), ()),  # a list, not an inversion
        (("Appendectomy",), ()),
    ],
)
def test_natural_order(path: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert icd10pcs.natural_order(path) == expected


def test_named_codes_caps_a_partial_code_at_its_table() -> None:
    ordered = sorted(f"0DTJ{n:03d}" for n in range(icd10pcs.MAX_NAMED_CODES + 1))
    assert icd10pcs.named_codes("0DTJ", ordered, {"0DT"}) == ["0DT"]
    assert icd10pcs.named_codes("0DTJ001", ordered, {"0DT"}) == ["0DTJ001"]
    assert icd10pcs.named_codes("0DTK", ordered, {"0DT"}) == []


def _assistance_table() -> PcsTable:
    """5A0 as the tables state it, abridged: respiratory assistance, continuous or for a number of hours, with
    filtration or ventilation and, for ventilation, the kind of airway pressure."""

    def value(position: int, title: str, char: str, label: str) -> AxisValue:
        return AxisValue(position, title, char, label)

    fixed = (
        value(1, "Section", "5", "Extracorporeal or Systemic Assistance and Performance"),
        value(2, "Body System", "A", "Physiological Systems"),
        value(3, "Operation", "0", "Assistance"),
    )
    respiratory = (value(4, "Body System", "9", "Respiratory"),)
    filtration = PcsRow(
        (
            respiratory,
            (value(5, "Duration", "2", "Continuous"),),
            (value(6, "Function", "0", "Filtration"),),
            (value(7, "Qualifier", "Z", "No Qualifier"),),
        )
    )
    ventilation = PcsRow(
        (
            respiratory,
            (
                value(5, "Duration", "3", "Less than 24 Consecutive Hours"),
                value(5, "Duration", "4", "24-96 Consecutive Hours"),
            ),
            (value(6, "Function", "5", "Ventilation"),),
            (
                value(7, "Qualifier", "7", "Continuous Positive Airway Pressure"),
                value(7, "Qualifier", "8", "Intermittent Positive Airway Pressure"),
                value(7, "Qualifier", "Z", "No Qualifier"),
            ),
        )
    )
    return PcsTable(fixed, (filtration, ventilation))


def _index_terms(entries: list[icd10pcs.IndexEntry], table: PcsTable) -> dict[str, set[str]]:
    designations = Designations()
    codes = {code for code, _axes in table.codes()}
    index_designations(entries, Values([table]), codes, designations, [])
    named: dict[str, set[str]] = {}
    for d in designations.items.values():
        named.setdefault(d.text, set()).add(d.code)
    return named


def test_a_partial_code_names_the_codes_whose_values_say_the_terms_words() -> None:
    cpap = icd10pcs.IndexEntry(
        ("CPAP (continuous positive airway pressure)",),
        references=(icd10pcs.Reference("see", "Assistance, Respiratory 5A09", "Assistance, Respiratory", ("5A09",)),),
    )
    hours = icd10pcs.IndexEntry(("Assistance", "Respiratory", "24-96 Consecutive Hours"), codes=("5A094",))
    respiratory = icd10pcs.IndexEntry(("Assistance", "Respiratory"), codes=("5A09",))
    named = _index_terms([cpap, hours, respiratory], _assistance_table())
    # Not the first code of 5A09 (continuous filtration), nor every ventilation: the three CPAP codes.
    assert named["CPAP (continuous positive airway pressure)"] == {"5A09357", "5A09457"}
    # The hours are the code's own fixed value: every code of 5A094.
    assert named["Assistance, Respiratory, 24-96 Consecutive Hours"] == {"5A09457", "5A09458", "5A0945Z"}
    # Words that say no value beyond the partial code's own (assistance, respiratory): all its codes.
    assert len(named["Assistance, Respiratory"]) == 7


def _resection_table(system: tuple[str, str], parts: list[tuple[str, str]]) -> PcsTable:
    """A Resection table of the Medical and Surgical section, abridged: ``parts`` (value, label) by the open and
    the percutaneous endoscopic approach."""
    fixed = (
        AxisValue(1, "Section", "0", "Medical and Surgical"),
        AxisValue(2, "Body System", *system),
        AxisValue(3, "Operation", "T", "Resection"),
    )
    row = PcsRow(
        (
            tuple(AxisValue(4, "Body Part", char, label) for char, label in parts),
            (AxisValue(5, "Approach", "0", "Open"), AxisValue(5, "Approach", "4", "Percutaneous Endoscopic")),
            (AxisValue(6, "Device", "Z", "No Device"),),
            (AxisValue(7, "Qualifier", "Z", "No Qualifier"),),
        )
    )
    return PcsTable(fixed, (row,))


def test_a_term_referring_to_a_table_names_the_body_part_its_word_is_built_on() -> None:
    tables = [
        _resection_table(("D", "Gastrointestinal System"), [("5", "Esophagus"), ("U", "Omentum")]),
        _resection_table(("F", "Hepatobiliary System and Pancreas"), [("0", "Liver"), ("9", "Hepatic Duct, Common")]),
        _resection_table(
            ("U", "Female Reproductive System"),
            [("0", "Ovary, Right"), ("1", "Ovary, Left"), ("2", "Ovaries, Bilateral"), ("5", "Fallopian Tube, Right")],
        ),
    ]

    def see(term: str, text: str, table: str) -> icd10pcs.IndexEntry:
        target = text.removesuffix(f" {table}")
        return icd10pcs.IndexEntry((term,), references=(icd10pcs.Reference("see", text, target, (table,)),))

    entries = [
        see("Omentectomy, omentumectomy", "Resection, Gastrointestinal System 0DT", "0DT"),
        see("Ovariectomy", "Resection, Female Reproductive System 0UT", "0UT"),
        see("Salpingectomy", "Resection, Female Reproductive System 0UT", "0UT"),
        see("Hepatectomy", "Resection, Hepatobiliary System and Pancreas 0FT", "0FT"),
    ]
    designations = Designations()
    codes = {code for table in tables for code, _axes in table.codes()}
    index_designations(entries, Values(tables), codes, designations, [])
    named: dict[str, set[str]] = {}
    for d in designations.items.values():
        named.setdefault(d.text, set()).add(d.code)
    # The word says the body part the table's reference leaves open: the omentum's two codes, not the table.
    assert named["Omentectomy, omentumectomy"] == {"0DTU0ZZ", "0DTU4ZZ"}
    assert named["Ovariectomy"] == {f"0UT{part}{approach}ZZ" for part in "012" for approach in "04"}
    # A word built on no body part's name ("salping-": the fallopian tube) keeps the table.
    assert named["Salpingectomy"] == {"0UT"}
    # "Hepatic" qualifies the duct: a hepatectomy is no resection of the hepatic duct (nor, by these words, of
    # the liver): the table.
    assert named["Hepatectomy"] == {"0FT"}


def test_a_word_is_built_on_a_noun_it_starts_as() -> None:
    assert icd10pcs_index.builds_on("omentectomy", "omentum")
    assert icd10pcs_index.builds_on("ovariotomy", "ovary")
    assert icd10pcs_index.builds_on("colopexy", "colon")
    assert not icd10pcs_index.builds_on("colectomy", "colon")  # "col": too little of it
    # "Hepatic" starts as "hepatectomy" does, but qualifies the duct: no noun of the label.
    assert icd10pcs_index._nouns("Hepatic Duct, Common") == ["duct", "common"]
    assert icd10pcs_index._nouns("Subcutaneous Tissue and Fascia, Abdomen") == ["tissue", "and", "fascia", "abdomen"]


# --- the ICD-9-CM -> ICD-10-PCS GEM --------------------------------------------------------------------
def test_a_reconstructed_gem_is_found_by_its_name_and_rows() -> None:
    found = gems.sniff(GEM, GEM.read_bytes())
    assert found == FoundFile(FileKind.GEM_PCS_9_TO_10, GEM, "2018")


def test_a_stray_choice_list_digit_is_read_as_a_plain_row() -> None:
    crosswalk = gems.load([FoundFile(FileKind.GEM_PCS_9_TO_10, GEM, "2018")], {})
    assert crosswalk is not None
    # Five mapped rows and the "no map" row of 47.99, which is a fact of its own (a NO_MAP relation).
    assert len(crosswalk.relations) == 6
    assert [r.source_code for r in crosswalk.relations if r.kind is RelationKind.NO_MAP] == ["47.99"]
    flags = {(r.source_code, r.target_code): r.flags for r in crosswalk.relations}
    assert flags[("47.01", "0DTJ0ZZ")] == ("approximate",)
    assert (
        "1 rows with a scenario or choice list but no combination flag, read as plain rows"
        " (first: gem_i9pcs_2018.reconstructed.txt line 2: flags 10001)"
    ) in crosswalk.warnings


def test_icd9_procedure_titles_name_their_pcs_targets(content: ReleaseContent) -> None:
    crosswalk = gems.load([FoundFile(FileKind.GEM_PCS_9_TO_10, GEM, "2018")], {})
    assert crosswalk is not None
    titles = {"47.01": "Laparoscopic appendectomy", "47.09": "Other appendectomy", "45.69": "Other excision"}
    official: dict[str, set[str]] = {c.code: set() for c in content.concepts}
    # A title the code already carries is given too: the GEM's agreement with the code's own name counts
    # (``index.build_index``: "Cholecystectomy", which the PCS Index gives Excision and Resection alike, is ICD-9-CM
    # 51.22's title and maps to Resection).
    official["0DTJ0ZZ"].add("other appendectomy")
    names = gems.procedure_names(crosswalk.relations, titles, official)
    assert {(d.code, d.text) for d in names} == {
        ("0DTJ4ZZ", "Laparoscopic appendectomy"),
        ("0DTJ0ZZ", "Laparoscopic appendectomy"),
        ("0DTJ0ZZ", "Other appendectomy"),
        ("0DTJ4ZZ", "Other appendectomy"),
        ("0DBJ0ZZ", "Other excision"),
    }
    excision = next(d for d in names if d.code == "0DBJ0ZZ")
    assert excision == Designation(
        SystemId.ICD10PCS,
        "0DBJ0ZZ",
        DesignationKind.SYNONYM,
        "Other excision",
        "icd9cm-gem",
        "ICD-9-CM 45.69 Other excision; gem-2018-pcs-i9-i10 (identical)",
        NameScope.EXACT,
    )
    assert all(d.scope is NameScope.RELATED for d in names if d.code != "0DBJ0ZZ")


def test_many_targets_in_one_table_name_the_table() -> None:
    relations = [
        Relation(
            SystemId.ICD9CM, "86.28", RelationKind.MAPS_TO, SystemId.ICD10PCS, f"0HD{n:04d}", flags=("approximate",)
        )
        for n in range(icd10pcs.MAX_NAMED_CODES + 1)
    ]
    names = gems.procedure_names(relations, {"86.28": "Nonexcisional debridement of wound"}, {"0HD": set()})
    assert [(d.code, d.scope) for d in names] == [("0HD", NameScope.RELATED)]
