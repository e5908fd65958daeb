"""The ICD-10-CM index family: Alphabetic Index, External Cause Index, Drug and Neoplasm tables."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from medcodes.errors import SourceError
from medcodes.models import Designation, DesignationKind, IndexTerm
from medcodes.sources.icd10cm_index import (
    IndexDesignations,
    designations,
    load_index,
    load_table,
    readings,
    resolve_code,
)
from medcodes.systems import SystemId

SAMPLES = Path(__file__).parent / "data" / "icd10cm"
INDEX_APRIL_2025 = Path("icd10cm") / "index-april2025"

# FY2026 codes (and the category/subcategory headers above them) that the samples point to.
KNOWN = frozenset(
    {
        "E85.4", "E85.9", "F17.200", "F19.20", "I05.8", "I21", "I21.09", "I21.19", "I21.3", "I21.9", "I24.0",
        "I34.81", "I43", "K46.9", "L02.91", "O43.81", "O43.811", "R10.0", "T17", "T17.908", "T18", "T71",
        "T75.0", "T75.00", "U09.9", "X58",
        "T40.1X1", "T40.1X2", "T40.1X3", "T40.1X4", "T44.5X1", "T44.5X2", "T44.5X3", "T44.5X4", "T44.5X5",
        "T44.5X6", "T65.4X1", "T65.4X2", "T65.4X3", "T65.4X4",
        "C49.9", "C76.2", "C79.8", "C79.89", "C79.9", "C80.1", "D09.8", "D09.9", "D21.9", "D36.7", "D36.9",
        "D48.1", "D48.7", "D48.9", "D49.2", "D49.89", "D49.9",
    }
)  # fmt: skip


def _index() -> list[IndexTerm]:
    return list(load_index(SAMPLES / "index_sample.xml", "index"))


def _eindex() -> list[IndexTerm]:
    return list(load_index(SAMPLES / "eindex_sample.xml", "eindex"))


def _drug() -> list[IndexTerm]:
    return list(load_table(SAMPLES / "drug_sample.xml", "drug"))


def _neoplasm() -> list[IndexTerm]:
    return list(load_table(SAMPLES / "neoplasm_sample.xml", "neoplasm"))


def _term(terms: list[IndexTerm], *path: str) -> IndexTerm:
    (term,) = [term for term in terms if term.path == path and term.column is None]
    return term


def _made(terms: list[IndexTerm], text: str) -> set[tuple[str, str | None]]:
    """(code, via) of every designation made from ``terms`` with this text."""
    result = designations(terms, KNOWN, SystemId.ICD10CM)
    return {(d.code, d.via) for d in result.designations if d.text == text}


# --- load_index --------------------------------------------------------------------------------------------


def test_index_yields_one_term_per_main_term_and_term() -> None:
    assert len(_index()) == 12 + 25


def test_index_path_runs_from_main_term_down() -> None:
    term = _term(_index(), "Infarct, infarction", "myocardium, myocardial", "ST elevation", "anterior")
    assert term.codes == ("I21.09",)


def test_a_main_term_that_only_sends_elsewhere_reads_the_word_as_where_it_sends() -> None:
    found = readings(load_index(SAMPLES / "index_readings.xml", "index"))
    assert found == {
        # "Backflow - see Reflux", "Emesis - see Vomiting": other names of a main term the index holds.
        "backflow": ["reflux"],
        "emesis": ["vomiting"],
        # "Overdose, overdosage (drug) - see Table of Drugs and Chemicals, by drug, poisoning": each form.
        "overdose": ["poisoning"],
        "overdosage": ["poisoning"],
        # "Toxicity" has subterms of its own, but sends any substance to the table's column.
        "toxicity": ["poisoning"],
        # "Cut (external) - see also Laceration": a main term of few subterms that says where else its word is
        # classified. Not "Subluxation - see also Dislocation", whose ten subterms classify the word itself, nor
        # "Lump - see also Mass, by site" (no one term).
        "cut": ["laceration"],
        # "Abscess, kidney - see Abscess, renal" and "Cyst, renal - see Cyst, kidney": a site's adjective and its
        # noun, sent each to the other. "Abrasion, heel - see Abrasion, foot" (and "Bite, heel"), a part sent to its
        # whole, is where the index classifies it, not what "heel" means.
        "kidney": ["renal"],
        "renal": ["kidney"],
    }
    # Not "Drug, overdose": "drug overdose" read as "poisoning" alone would lose the drug. Not "Medicine
    # poisoning", which says its column itself. Not "Knee - see condition" (no term), "Sarcoma, neurogenic - see
    # Neoplasm, nerve, malignant" (a row of a table), "Bleeder - see Hemophilia" (a main term the sample lacks),
    # nor "Labor - see Delivery", whose own subterm "false" (O47.9) makes it more than another name.
    assert readings(_index()) == {}


def test_index_nemod_is_kept_apart_from_title() -> None:
    term = _term(_index(), "Infarct, infarction", "myocardium, myocardial")
    assert term.nemod == "(acute) (with stated duration of 4 weeks or less)"


def test_index_title_text_after_nemod_stays_in_title() -> None:
    term = _term(_eindex(), "Abandonment NEC")
    assert term.nemod == "(causing exposure to weather conditions) (with intent to injure or kill)"


def test_index_manif_code_follows_code() -> None:
    assert _term(_index(), "Amyloidosis", "heart").codes == ("E85.4", "I43")


def test_index_manif_brackets_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "index.xml"
    path.write_text(
        "<ICD10CM.index><letter><title>A</title><mainTerm><title>Amyloidosis</title>"
        "<term level='1'><title>heart</title><code>E85.4</code><manif>[I43]</manif></term>"
        "</mainTerm></letter></ICD10CM.index>"
    )
    assert _term(list(load_index(path, "index")), "Amyloidosis", "heart").codes == ("E85.4", "I43")


def test_index_code_needing_more_characters_is_kept_as_written() -> None:
    assert _term(_index(), "Infarct, infarction", "placenta").codes == ("O43.81-",)


def test_index_see_is_whitespace_normalised() -> None:
    assert _term(_index(), "Attack, attacks", "heart").see == "infarct, myocardium"


def test_index_see_also_is_read() -> None:
    term = _term(_index(), "Thrombosis, thrombotic", "coronary")
    assert (term.see_also, term.codes) == ("Infarct, myocardium", ())


def test_index_source_is_the_callers() -> None:
    assert {term.source for term in _eindex()} == {"eindex"}


def test_eindex_subcat_reads_as_see_subcategory() -> None:
    assert _term(_eindex(), "Lightning").see == "subcategory T75.0"


def test_eindex_seecat_reads_as_see_category() -> None:
    assert _term(_eindex(), "Strangulation").see == "category T71"


def test_truncated_index_raises_source_error_with_file_and_line() -> None:
    with pytest.raises(SourceError) as caught:
        load_index(SAMPLES / "index_truncated.xml", "index")
    assert (Path(caught.value.path).name, caught.value.line) == ("index_truncated.xml", 87)


def test_other_root_raises_source_error(tmp_path: Path) -> None:
    path = tmp_path / "tabular.xml"
    path.write_text("<?xml version='1.0'?>\n<ICD10CM.tabular><version>2026</version></ICD10CM.tabular>\n")
    with pytest.raises(SourceError, match=r"line 2: not an ICD-10-CM index file: root <ICD10CM.tabular>"):
        load_index(path, "index")


def test_table_without_heading_raises_source_error() -> None:
    with pytest.raises(SourceError, match="no <indexHeading>"):
        load_table(SAMPLES / "index_sample.xml", "drug")


# --- load_table --------------------------------------------------------------------------------------------


def test_table_cell_column_is_its_head_text() -> None:
    heroin = [term for term in _drug() if term.path == ("Heroin",)]
    assert [(term.column, term.codes) for term in heroin] == [
        ("Poisoning Accidental (unintentional)", ("T40.1X1",)),
        ("Poisoning Intentional self-harm", ("T40.1X2",)),
        ("Poisoning Assault", ("T40.1X3",)),
        ("Poisoning Undetermined", ("T40.1X4",)),
    ]


def test_table_see_yields_a_term_without_codes() -> None:
    adrenalin = [term for term in _drug() if term.path == ("Adrenalin",)]
    assert adrenalin == [IndexTerm(source="drug", path=("Adrenalin",), see="Adrenaline")]


def test_table_term_without_cells_keeps_its_place() -> None:
    assert [term.codes for term in _drug() if term.path == ("Carbon",)] == [()]


def test_table_nested_term_keeps_nemod() -> None:
    bisulfide = [term for term in _drug() if term.path == ("Carbon", "bisulfide")]
    assert {term.nemod for term in bisulfide} == {"(liquid)"}


def test_neoplasm_path_starts_at_neoplasm_main_term() -> None:
    cavity = [term for term in _neoplasm() if term.path[-1] == "cavity"]
    assert (cavity[0].path, cavity[0].column, cavity[0].codes) == (
        ("Neoplasm, neoplastic", "abdomen, abdominal", "cavity"),
        "Malignant Primary",
        ("C76.2",),
    )


def test_neoplasm_single_dash_cell_is_skipped() -> None:
    tissue = [term for term in _neoplasm() if term.path[-1] == "connective tissue NEC"]
    assert [term.column for term in tissue] == [
        "Malignant Primary",
        "Malignant Secondary",
        "Benign",
        "Uncertain Behavior",
        "Unspecified Behavior",
    ]


# --- resolve_code ------------------------------------------------------------------------------------------


def test_resolve_code_existing_code() -> None:
    assert resolve_code("I21.9", KNOWN) == "I21.9"


def test_resolve_code_strips_trailing_dash() -> None:
    assert resolve_code("C79.8-", KNOWN) == "C79.8"


def test_resolve_code_strips_dash_after_dot() -> None:
    assert resolve_code("D05.-", {"D05", "D05.1"}) == "D05"


def test_resolve_code_category_lacking_seventh_character_is_itself_when_known() -> None:
    assert resolve_code("T51.3X1", {"T51.3X1", "T51.3X1A"}) == "T51.3X1"


def test_resolve_code_falls_back_to_longest_existing_prefix() -> None:
    assert resolve_code("T51.3X1", {"T51", "T51.3"}) == "T51.3"


def test_resolve_code_reinserts_the_dot() -> None:
    assert resolve_code("I219", KNOWN) == "I21.9"


def test_resolve_code_needs_at_least_a_category() -> None:
    assert resolve_code("Z99.89", {"Z9"}) is None


# --- designations ------------------------------------------------------------------------------------------


def test_designation_of_own_code() -> None:
    text = "Infarct, infarction, myocardium, myocardial"
    expected = Designation(SystemId.ICD10CM, "I21.9", DesignationKind.INDEX_TERM, text, "index")
    assert expected in designations(_index(), KNOWN, SystemId.ICD10CM).designations


def test_code_needing_more_characters_designates_its_subcategory() -> None:
    assert _made(_index(), "Infarct, infarction, placenta") == {("O43.81", None)}


def test_see_designates_the_target_code() -> None:
    assert _made(_index(), "Attack, attacks, coronary") == {("I21.9", "Infarct, myocardium")}


def test_see_target_matches_case_insensitively() -> None:
    assert _made(_index(), "Attack, attacks, heart") == {("I21.9", "infarct, myocardium")}


def test_see_trailing_by_site_qualifier_names_the_term_before_it() -> None:
    assert _made(_index(), "Abscess, cutaneous") == {("L02.91", "Abscess, by site")}


def test_see_target_title_may_end_in_nec() -> None:
    assert _made(_index(), "Tobacco, dependence") == {("F17.200", "Dependence, drug, nicotine")}


def test_see_target_without_code_takes_the_one_code_of_its_subterms() -> None:
    assert _made(_index(), "Calcification, heart, valve, mitral") == {("I34.81", "Calcification, mitral")}


def test_see_also_followed_when_term_has_no_code() -> None:
    assert _made(_index(), "Thrombosis, thrombotic, coronary") == {("I21.9", "Infarct, myocardium")}


def test_see_also_ignored_when_term_has_a_code() -> None:
    assert _made(_eindex(), "Hanging") == {("T71", None)}


def test_see_names_the_term_of_its_own_main_term_where_several_share_the_first_word(tmp_path: Path) -> None:
    # "see Fracture, radius" could name the radius of either main term: the index lists "Fracture, pathological"
    # first, but the reference is written under "Fracture, traumatic" and means that one's radius.
    path = tmp_path / "index.xml"
    path.write_text(
        "<ICD10CM.index><letter><title>F</title>"
        "<mainTerm><title>Fracture, pathological<nemod>(pathologic)</nemod></title><code>M84.40</code>"
        "<term level='1'><title>radius</title><code>M84.43-</code></term>"
        "<term level='1'><title>arm</title><see>Fracture, radius</see></term></mainTerm>"
        "<mainTerm><title>Fracture, traumatic</title><code>T14.8</code>"
        "<term level='1'><title>arm</title>"
        "<term level='2'><title>radius</title><see>Fracture, radius</see></term></term>"
        "<term level='1'><title>radius</title><code>S52.9-</code></term></mainTerm>"
        "</letter></ICD10CM.index>"
    )
    known = {"M84.40", "M84.43", "M84.439", "T14.8", "S52.9", "S52.90"}
    made = designations(load_index(path, "index"), known, SystemId.ICD10CM).designations
    codes = {(d.text, d.code) for d in made if d.via}
    assert codes == {("Fracture, traumatic, arm, radius", "S52.9"), ("Fracture, pathological, arm", "M84.43")}


def test_see_from_another_main_term_names_the_principal_of_those_sharing_the_first_word(tmp_path: Path) -> None:
    # "Injury, arm, fracture - see Fracture, humerus" is written under neither "Fracture, pathological" nor
    # "Fracture, traumatic": it means the main term that holds the most subterms, the traumatic one.
    path = tmp_path / "index.xml"
    path.write_text(
        "<ICD10CM.index><letter><title>F</title>"
        "<mainTerm><title>Fracture, pathological</title><code>M84.40</code>"
        "<term level='1'><title>humerus</title><code>M84.42-</code></term></mainTerm>"
        "<mainTerm><title>Fracture, traumatic</title><code>T14.8</code>"
        "<term level='1'><title>femur</title><code>S72.9-</code></term>"
        "<term level='1'><title>humerus</title><code>S42.30-</code></term></mainTerm>"
        "</letter><letter><title>I</title>"
        "<mainTerm><title>Injury</title><code>T14.90</code>"
        "<term level='1'><title>arm</title>"
        "<term level='2'><title>fracture</title><see>Fracture, humerus</see></term></term></mainTerm>"
        "</letter></ICD10CM.index>"
    )
    known = {"M84.40", "M84.42", "M84.429", "T14.8", "S72.9", "S72.90", "S42.30", "S42.309", "T14.90"}
    made = designations(load_index(path, "index"), known, SystemId.ICD10CM).designations
    assert {(d.text, d.code) for d in made if d.via} == {("Injury, arm, fracture", "S42.30")}


def test_see_to_missing_subterm_is_not_guessed_from_an_ancestor() -> None:
    # "with obstruction" is no subterm of "Hernia": its own code K46.9 would be a guess.
    assert _made(_index(), "Hernia, hernial, incarcerated") == set()


def test_see_condition_is_an_instruction_not_a_term() -> None:
    assert _made(_index(), "Abdomen, abdominal") == set()


def test_unresolved_references_are_counted() -> None:
    # "Abdomen" see also condition; "Condition" see also Disease (absent); "Hernia, incarcerated".
    assert designations(_index(), KNOWN, SystemId.ICD10CM).unresolved_references == 3


def test_unknown_codes_are_counted() -> None:
    result = designations(_index(), KNOWN - {"U09.9"}, SystemId.ICD10CM)
    assert (result.unresolved_codes, result.unresolved_references) == (1, 3)


def test_see_category_designates_the_category() -> None:
    assert _made(_eindex(), "Strangulation") == {("T71", "category T71")}


def test_see_subcategory_designates_the_subcategory() -> None:
    assert _made(_eindex(), "Lightning") == {("T75.0", "subcategory T75.0")}


def test_see_categories_completed_by_code_designates_both() -> None:
    assert _made(_eindex(), "Aspiration, food") == {("T18", None), ("T17", "categories T17 and")}


def test_see_into_the_alphabetic_index_from_the_external_cause_index() -> None:
    via = "Index to Diseases and Injuries, Foreign body, respiratory tract"
    assert _made(_eindex() + _index(), "Foreign body, aspiration") == {("T17.908", via)}


def test_table_designation_text_names_the_column() -> None:
    assert _made(_drug(), "Heroin \u2014 Poisoning Accidental (unintentional)") == {("T40.1X1", None)}


def test_table_see_designates_each_column_of_the_target() -> None:
    assert _made(_drug(), "Adrenalin \u2014 Adverse effect") == {("T44.5X5", "Adrenaline")}


def test_a_substance_alone_means_the_table_of_drugs_accidental_column() -> None:
    # Poisoning of undocumented intent is coded accidental (guidelines I.C.19.e.5(b)): that column, and no other,
    # is what the substance's name means said no further.
    found = designations(_drug(), KNOWN, SystemId.ICD10CM).priors
    heroin = {(p.code, p.source) for p in found if p.term == "Heroin"}
    assert heroin == {("T40.1X1", "drug")}
    # A substance that refers to another ("Adrenalin", see "Adrenaline") means that one's accidental column.
    adrenalin = {p.code for p in found if p.term == "Adrenalin"}
    assert adrenalin == {"T44.5X1"}


def test_neoplasm_see_names_the_table_by_its_first_word() -> None:
    expected = {("C49.9", "Neoplasm, connective tissue")}
    assert _made(_neoplasm(), "Neoplasm, neoplastic, tendon \u2014 Malignant Primary") == expected


# The Alphabetic Index's references into the Table of Neoplasms, as the CDC index writes them.
TO_NEOPLASMS = [
    IndexTerm("index", ("Rhabdomyoma",), see="Neoplasm, connective tissue, benign"),
    IndexTerm("index", ("Adenocarcinoma",), see_also="Neoplasm, malignant, by site"),
    IndexTerm("index", ("Carcinoma", "in situ"), see="Neoplasm, in situ, by site"),
    IndexTerm("index", ("Mesothelioma", "abdominal"), see="Neoplasm, abdomen, cavity, uncertain  behavior"),
    IndexTerm("index", ("Adenoma", "sebaceous"), see="Neoplasm, skin, benign"),  # no "skin" row in the sample
    IndexTerm("index", ("Tumor", "malignant"), see="Neoplasm, malignant, secondary"),  # two columns named
    # "specified site": the site is to be said, the table's own row (the unspecified site) is no answer.
    IndexTerm("index", ("Glioblastoma", "specified site"), see="Neoplasm, malignant, by site"),
]


def test_a_reference_to_neoplasm_names_one_cell_of_the_table_of_neoplasms() -> None:
    made = designations(TO_NEOPLASMS, KNOWN, SystemId.ICD10CM, _neoplasm())
    found = {(d.text, d.code, d.via) for d in made.designations}
    assert found == {
        # The row by its title without "NEC", the column by the word of its heading.
        ("Rhabdomyoma", "D21.9", "Neoplasm, connective tissue, benign"),
        # No site: the table's own row ("Malignant Primary", the first heading saying "malignant": C80.1).
        ("Adenocarcinoma", "C80.1", "Neoplasm, malignant, by site"),
        ("Carcinoma, in situ", "D09.9", "Neoplasm, in situ, by site"),
        ("Mesothelioma, abdominal", "D48.7", "Neoplasm, abdomen, cavity, uncertain  behavior"),
        ("Tumor, malignant", "C79.9", "Neoplasm, malignant, secondary"),
    }
    # A row the table lacks is not guessed from its ancestor: "Adenoma, sebaceous" stays unresolved, and so
    # does "Glioblastoma, specified site".
    assert made.unresolved_references == 2
    # The reference says the behaviour, so the main term's cell is what its word means said alone.
    assert {(p.term, p.code) for p in made.priors if p.subterm is None} == {
        ("Rhabdomyoma", "D21.9"),
        ("Adenocarcinoma", "C80.1"),
    }


def test_a_term_without_a_code_means_its_unspecified_site() -> None:
    terms = [
        IndexTerm("index", ("Glioblastoma",), nemod="(multiforme)"),
        IndexTerm("index", ("Glioblastoma", "specified site"), see="Neoplasm, malignant, by site"),
        IndexTerm("index", ("Glioblastoma", "unspecified site"), codes=("C71.9",)),
    ]
    found = designations(terms, KNOWN | {"C71.9"}, SystemId.ICD10CM, _neoplasm()).priors
    assert {(p.term, p.subterm, p.code) for p in found} == {
        ("Glioblastoma", None, "C71.9"),
        ("Glioblastoma", "unspecified site", "C71.9"),
    }


def test_a_reference_to_neoplasm_needs_the_table() -> None:
    made = designations(TO_NEOPLASMS, KNOWN, SystemId.ICD10CM)
    assert not made.designations and made.unresolved_references == len(TO_NEOPLASMS)


def test_a_reference_may_cite_a_one_word_title_by_a_longer_or_shorter_form() -> None:
    # FY2025: "Chordoma - see Neoplasm, vertebral (column), malignant" cites the table's row "vertebra (column)";
    # "Stargardt's disease - see Dystrophy, retina" cites "Dystrophy, retinal".
    terms = [
        IndexTerm("index", ("Chordoma",), see="Neoplasm, vertebral (column), malignant"),
        IndexTerm("index", ("Dystrophy, dystrophia",), codes=("E85.9",)),
        IndexTerm("index", ("Dystrophy, dystrophia", "retinal"), nemod="(hereditary)", codes=("H35.50",)),
        IndexTerm("index", ("Stargardt's disease",), see="Dystrophy, retina"),
        # The same first letters and no shared form: another condition, not a guess.
        IndexTerm("index", ("Hyperlipidosis",), codes=("E75.6",)),
        IndexTerm("index", ("Lipemia",), see="Hyperlipidemia"),
    ]
    table = [
        *_neoplasm(),
        IndexTerm("neoplasm", ("Neoplasm, neoplastic", "vertebra"), nemod="(column)", column="Malignant Primary",
                  codes=("C41.2",)),
    ]  # fmt: skip
    made = designations(terms, KNOWN | {"C41.2", "H35.50"}, SystemId.ICD10CM, table)
    found = {(d.text, d.code) for d in made.designations if d.via is not None}
    assert found == {("Chordoma", "C41.2"), ("Stargardt's disease", "H35.50")}


def test_a_reference_written_in_natural_order_names_a_main_term_and_its_subterm() -> None:
    # FY2025: "Infection, ear (middle) - see also Otitis media", where the index's term is "Otitis, media";
    # "Cryptococcosis by site" leaves a whole qualifier over; "Abortion by type complicated by embolism" reads on
    # past the main term and names nothing the index holds so.
    terms = [
        IndexTerm("index", ("Infection, infected, infective", "ear"), nemod="(middle)", see_also="Otitis media"),
        IndexTerm("index", ("Otitis",), codes=("H66.90",)),
        IndexTerm("index", ("Otitis", "media"), nemod="(hemorrhagic) (staphylococcal)", codes=("H66.9-",)),
        IndexTerm("index", ("Busse-Buschke disease",), see="Cryptococcosis by site"),
        IndexTerm("index", ("Cryptococcosis, cryptococcus",), codes=("B45.9",)),
        IndexTerm("index", ("Embolism", "following", "abortion"), see="Abortion by type complicated by embolism"),
        IndexTerm("index", ("Abortion",), codes=("O03.9",)),
    ]
    made = designations(terms, {"H66.9", "H66.90", "B45.9", "O03.9"}, SystemId.ICD10CM)
    found = {(d.text, d.code) for d in made.designations if d.via is not None}
    assert found == {
        ("Infection, infected, infective, ear", "H66.9"),
        ("Busse-Buschke disease", "B45.9"),
    }
    assert made.unresolved_references == 1
    priors = {(p.term, p.subterm, p.code) for p in made.priors}
    assert ("Infection, infected, infective", "ear", "H66.9") in priors


# A reference may name a term that only says "see" itself (FY2025 Alphabetic Index, "Fracture, traumatic").
CHAINED = [
    IndexTerm("index", ("Fracture, traumatic",), codes=("T14.8",)),
    IndexTerm("index", ("Fracture, traumatic", "femur, femoral"), codes=("S72.9-",)),
    IndexTerm("index", ("Fracture, traumatic", "femur, femoral", "neck"), see="Fracture, femur, upper end, neck"),
    IndexTerm("index", ("Fracture, traumatic", "femur, femoral", "upper end"), codes=("S72.00-",)),
    IndexTerm("index", ("Fracture, traumatic", "femur, femoral", "upper end", "neck"), codes=("S72.00-",)),
    IndexTerm("index", ("Fracture, traumatic", "hip"), see="Fracture, femur, neck"),
    # A "see also" adds a place to look; it does not say what the term it sits on means.
    IndexTerm("index", ("Findings, abnormal, inconclusive, without diagnosis",), see_also="Abnormal"),
    IndexTerm("index", ("Abnormal, abnormality, abnormalities",), see_also="Anomaly"),
    IndexTerm("index", ("Anomaly, anomalous",), codes=("Q89.9",)),
    IndexTerm("index", ("Elevated, elevation", "GFR"), see="Findings, abnormal, inconclusive, without diagnosis"),
    # A cycle ends where the chain's length does.
    IndexTerm("index", ("Loop",), see="Ring"),
    IndexTerm("index", ("Ring",), see="Loop"),
]
CHAIN_KNOWN = frozenset({"T14.8", "S72.9", "S72.00", "Q89.9"})


def test_a_reference_to_a_term_that_says_see_follows_that_reference_too() -> None:
    made = designations(CHAINED, CHAIN_KNOWN, SystemId.ICD10CM)
    hip = {(d.code, d.via) for d in made.designations if d.text == "Fracture, traumatic, hip"}
    assert hip == {("S72.00", "Fracture, femur, neck")}


def test_a_see_also_is_not_followed_through_the_term_it_names() -> None:
    made = designations(CHAINED, CHAIN_KNOWN, SystemId.ICD10CM)
    assert not [d for d in made.designations if d.text.startswith(("Elevated", "Findings", "Loop", "Ring"))]
    # "Abnormal" gives Q89.9 itself; "Findings" names a term without a code, and "GFR" and the cycle give nothing.
    assert {d.code for d in made.designations if d.text.startswith("Abnormal")} == {"Q89.9"}
    assert made.unresolved_references == 4


def test_identical_designations_are_made_once() -> None:
    once = designations(_index(), KNOWN, SystemId.ICD10CM)
    twice = designations(_index() + _index(), KNOWN, SystemId.ICD10CM)
    assert twice.designations == once.designations


def test_designations_result_is_a_value() -> None:
    assert IndexDesignations((), 0, 0) == designations([], KNOWN, SystemId.ICD10CM)


# --- the official files ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fy2026_codes(shared_data: Path) -> frozenset[str]:
    """Every FY2026 code and header, dotted, from the CMS order file."""
    archive = shared_data / "icd10cm" / "fy2026" / "2026-code-descriptions-tabular-order.cms_2026_dx.zip"
    with zipfile.ZipFile(archive) as members:
        text = io.TextIOWrapper(members.open("icd10cm_order_2026.txt"), encoding="latin-1")
        # Order file: cols 7-13 hold the code without its dot, which follows the 3-character category.
        compact = [line[6:13].strip() for line in text]
    return frozenset(code if len(code) <= 3 else f"{code[:3]}.{code[3:]}" for code in compact if code)


@pytest.fixture(scope="module")
def alphabetic_index(shared_data: Path) -> list[IndexTerm]:
    path = shared_data / INDEX_APRIL_2025 / "DERIVED_icd10cm_index_2025.reconstructed.xml.gz"
    return list(load_index(path, "index"))


@pytest.fixture(scope="module")
def external_cause_index(shared_data: Path) -> list[IndexTerm]:
    return list(load_index(shared_data / INDEX_APRIL_2025 / "icd-10-cm-eindex-2025.xml.gz", "eindex"))


def test_official_eindex_terms(external_cause_index: list[IndexTerm]) -> None:
    main = [term for term in external_cause_index if len(term.path) == 1]
    # PROVENANCE: 314 mainTerm and 7,750 (nested) term elements, 6,650 code elements.
    assert (len(main), len(external_cause_index) - len(main)) == (314, 7750)
    assert sum(len(term.codes) for term in external_cause_index) == 6650


def test_official_drug_table_terms(shared_data: Path) -> None:
    terms = list(load_table(shared_data / INDEX_APRIL_2025 / "icd-10-cm-drug-2025.xml.gz", "drug"))
    # Three main terms differ only in their nonessential modifier ("Carbamate (insecticide)", "(sedative)").
    assert len({(term.path, term.nemod) for term in terms if len(term.path) == 1}) == 5177
    assert len({term.path for term in terms if len(term.path) > 1}) == 2251
    assert sum(len(term.codes) for term in terms) == 40026  # 43,212 cells less 3,186 "--"


def test_official_neoplasm_table_terms(shared_data: Path) -> None:
    terms = list(load_table(shared_data / INDEX_APRIL_2025 / "icd-10-cm-neoplasm-2025.xml.gz", "neoplasm"))
    assert {term.path[0] for term in terms} == {"Neoplasm, neoplastic"}
    assert len({term.path for term in terms}) == 1 + 1938
    assert sum(len(term.codes) for term in terms) == 9018  # 10,916 cells less 1,898 "-"


def test_official_alphabetic_index_terms(alphabetic_index: list[IndexTerm]) -> None:
    main = [term for term in alphabetic_index if len(term.path) == 1]
    assert (len(main), len(alphabetic_index) - len(main)) == (8100, 72924)
    assert sum(len(term.codes) for term in alphabetic_index) == 62721


def test_official_alphabetic_index_codes_all_exist_in_fy2026(
    alphabetic_index: list[IndexTerm], fy2026_codes: frozenset[str]
) -> None:
    assert designations(alphabetic_index, fy2026_codes, SystemId.ICD10CM).unresolved_codes == 0


def test_official_attack_heart_resolves_to_acute_myocardial_infarction(
    alphabetic_index: list[IndexTerm], fy2026_codes: frozenset[str]
) -> None:
    result = designations(alphabetic_index, fy2026_codes, SystemId.ICD10CM)
    made = {(d.code, d.via) for d in result.designations if d.text == "Attack, attacks, heart"}
    assert made == {("I21.9", "infarct, myocardium")}


def test_official_eindex_reaches_into_the_alphabetic_index(
    alphabetic_index: list[IndexTerm], external_cause_index: list[IndexTerm], fy2026_codes: frozenset[str]
) -> None:
    result = designations(external_cause_index + alphabetic_index, fy2026_codes, SystemId.ICD10CM)
    made = {d.code for d in result.designations if d.text == "Foreign body, aspiration"}
    assert made == {"T17.908"}


def test_official_traumatic_fracture_references_stay_traumatic(
    alphabetic_index: list[IndexTerm], fy2026_codes: frozenset[str]
) -> None:
    # "Fracture, traumatic, arm, radius - see Fracture, radius": the index lists "Fracture, pathological" (M84.4-)
    # before "Fracture, traumatic", and both have a radius; the reference means its own main term's.
    result = designations(alphabetic_index, fy2026_codes, SystemId.ICD10CM)
    traumatic = {d.code for d in result.designations if d.text.startswith("Fracture, traumatic") and d.via}
    assert not {code for code in traumatic if code.startswith("M84.4")}
    made = {(d.text, d.code) for d in result.designations if d.via and d.via.startswith("Fracture, ")}
    assert ("Fracture, traumatic, arm, radius", "S52.9") in made
    assert ("Fracture, traumatic, collar bone", "S42.00") in made
    # Written under another main term, a reference means the traumatic fracture too (the principal "Fracture").
    assert ("Injury, arm, fracture", "S42.30") in made
    assert ("Pond fracture", "S02.91") in made
    # (The main term's own entries keep its own references: "Fracture, traumatic, vertebra, chronic" sends to the
    # pathological fracture, and so does its unqualified name, ``_unqualified``.)
    assert not {text for text, code in made if code.startswith("M84.4") and not text.startswith("Fracture, ")}


def test_the_entries_of_a_main_terms_default_form_are_named_without_its_qualifier() -> None:
    # "Fracture, traumatic" holds far more entries than "Fracture, pathological": `hip fracture` means the first.
    terms = [
        IndexTerm("index", ("Fracture, traumatic",)),
        *(IndexTerm("index", ("Fracture, traumatic", site), (code,)) for site, code in _TRAUMATIC),
        IndexTerm("index", ("Fracture, traumatic", "hip"), see="Fracture, traumatic, femur, neck"),
        IndexTerm("index", ("Fracture, traumatic", "femur", "neck"), ("S72.00",)),
        IndexTerm("index", ("Fracture, pathological",)),
        IndexTerm("index", ("Fracture, pathological", "hip"), ("M84.459",)),
    ]
    known = {code for _site, code in _TRAUMATIC} | {"S72.00", "M84.459"}
    made = designations(terms, known, SystemId.ICD10CM).designations
    named = {(d.text, d.code, d.via) for d in made}
    assert ("Fracture, hip", "S72.00", "Fracture, traumatic, femur, neck") in named  # the reference it was found by
    assert ("Fracture, site 3", "S13.00", "Fracture, traumatic, site 3") in named  # the entry as printed
    assert ("Fracture, traumatic, hip", "S72.00", "Fracture, traumatic, femur, neck") in named
    # The other form keeps its qualifier: a pathological fracture is no unqualified one.
    assert {d.text for d in made if d.code == "M84.459"} == {"Fracture, pathological, hip"}
    # Forms of about as many entries leave the main term's unqualified reading to the query's words.
    even = [*terms[:3], IndexTerm("index", ("Fracture, pathological", "site 1"), ("M84.433",))]
    assert not any(
        d.text == "Fracture, site 1" for d in designations(even, known | {"M84.433"}, SystemId.ICD10CM).designations
    )


# Twenty sites of traumatic fractures (the codes are the categories' first: what they are does not matter here).
_TRAUMATIC = [(f"site {number}", f"S{number + 10}.00") for number in range(20)]
