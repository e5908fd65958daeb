"""What an index entry means said no further (search/priors.py, search/index.py), and a name restated in brackets
(search/engine.py): facts about ranking that a person sees as right or wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from medcodes.models import Concept, ConceptKind, Designation, DesignationKind, Prior, Release, ReleaseContent
from medcodes.search import index, priors
from medcodes.search.engine import SearchEngine, _names, fused_order, restatement
from medcodes.search.query import parse
from medcodes.search.ranking import DEFAULT
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

from .helpers import tree_store

CM = SystemId.ICD10CM
# (code, title, billable, parent): ICD-10-CM's shape around two index entries.
CONCEPTS = [
    ("H10", "Conjunctivitis", False, None),
    ("H10.1", "Acute atopic conjunctivitis", False, "H10"),
    ("H10.10", "Acute atopic conjunctivitis, unspecified eye", True, "H10.1"),
    ("H10.11", "Acute atopic conjunctivitis, right eye", True, "H10.1"),
    ("H10.3", "Unspecified acute conjunctivitis", False, "H10"),
    ("H10.30", "Unspecified acute conjunctivitis, unspecified eye", True, "H10.3"),
    ("H10.31", "Unspecified acute conjunctivitis, right eye", True, "H10.3"),
    ("N12", "Tubulo-interstitial nephritis, not specified as acute or chronic", True, None),
    ("N15.9", "Renal tubulo-interstitial disease, unspecified", True, None),
    ("O86.21", "Infection of kidney following delivery", True, None),
    ("C25", "Malignant neoplasm of pancreas", False, None),
    ("C25.0", "Malignant neoplasm of head of pancreas", True, "C25"),
    ("C25.1", "Malignant neoplasm of body of pancreas", True, "C25"),
    ("C25.9", "Malignant neoplasm of pancreas, unspecified", True, "C25"),
    ("C16", "Malignant neoplasm of stomach", False, None),
    ("C16.2", "Malignant neoplasm of body of stomach", True, "C16"),
    ("C16.5", "Malignant neoplasm of lesser curvature of stomach, unspecified", True, "C16"),
    ("C16.6", "Malignant neoplasm of greater curvature of stomach, unspecified", True, "C16"),
    ("C16.9", "Malignant neoplasm of stomach, unspecified", True, "C16"),
    ("C22", "Malignant neoplasm of liver and intrahepatic bile ducts", False, None),
    ("C22.0", "Liver cell carcinoma", True, "C22"),
    ("C22.8", "Malignant neoplasm of liver, primary, unspecified as to type", True, "C22"),
    ("C22.9", "Malignant neoplasm of liver, not specified as primary or secondary", True, "C22"),
    ("S82.20", "Unspecified fracture of shaft of tibia", False, None),
    ("S82.201", "Unspecified fracture of shaft of right tibia", False, "S82.20"),
    ("S82.209", "Unspecified fracture of shaft of unspecified tibia", False, "S82.20"),
    (
        "S82.209A",
        "Unspecified fracture of shaft of unspecified tibia, initial encounter for closed fracture",
        True,
        "S82.209",
    ),
    ("S82.209D", "Unspecified fracture of shaft of unspecified tibia, subsequent encounter", True, "S82.209"),
    ("T58.91", "Toxic effect of carbon monoxide from unspecified source, accidental (unintentional)", False, None),
    ("T58.93", "Toxic effect of carbon monoxide from unspecified source, assault", False, None),
    # A category whose subcategories each have an "unspecified" code (of laterality); one is the category's own.
    ("C74", "Malignant neoplasm of adrenal gland", False, None),
    ("C74.1", "Malignant neoplasm of medulla of adrenal gland", False, "C74"),
    ("C74.10", "Malignant neoplasm of medulla of unspecified adrenal gland", True, "C74.1"),
    ("C74.11", "Malignant neoplasm of medulla of right adrenal gland", True, "C74.1"),
    ("C74.9", "Malignant neoplasm of unspecified part of adrenal gland", False, "C74"),
    ("C74.90", "Malignant neoplasm of unspecified part of unspecified adrenal gland", True, "C74.9"),
    ("C74.91", "Malignant neoplasm of unspecified part of right adrenal gland", True, "C74.9"),
    ("I82.4Y", "Acute embolism and thrombosis of deep veins of proximal lower extremity", False, None),
    (
        "I82.4Y1",
        "Acute embolism and thrombosis of unspecified deep veins of right proximal lower extremity",
        True,
        "I82.4Y",
    ),
    (
        "I82.4Y2",
        "Acute embolism and thrombosis of unspecified deep veins of left proximal lower extremity",
        True,
        "I82.4Y",
    ),
    (
        "I82.4Y9",
        "Acute embolism and thrombosis of unspecified deep veins of unspecified proximal lower extremity",
        True,
        "I82.4Y",
    ),
    ("L03.11", "Cellulitis of other parts of limb", False, None),
    ("L03.112", "Cellulitis of left axilla", True, "L03.11"),
    ("L03.114", "Cellulitis of left upper limb", True, "L03.11"),
    ("L03.116", "Cellulitis of left lower limb", True, "L03.11"),
    ("L03.119", "Cellulitis of unspecified part of limb", True, "L03.11"),
    ("N18", "Chronic kidney disease (CKD)", False, None),
    ("N18.5", "Chronic kidney disease, stage 5", True, "N18"),
    ("N18.6", "End stage renal disease", True, "N18"),
    ("N18.9", "Chronic kidney disease, unspecified", True, "N18"),
    # No child of C94.0 says "unspecified"; C94.00 holds "Acute erythroid leukemia NOS" (below).
    ("C94.0", "Acute erythroid leukemia", False, None),
    ("C94.00", "Acute erythroid leukemia, not having achieved remission", True, "C94.0"),
    ("C94.01", "Acute erythroid leukemia, in remission", True, "C94.0"),
    ("C94.02", "Acute erythroid leukemia, in relapse", True, "C94.0"),
    ("T69.1", "Chilblains", False, None),
    ("T69.1XXA", "Chilblains, initial encounter", True, "T69.1"),
    ("T69.1XXD", "Chilblains, subsequent encounter", True, "T69.1"),
]
# The Table of Drugs' cells, as the build writes them ("term — column").
DRUG_CELLS = [
    ("T58.91", "Carbon monoxide \u2014 Poisoning Accidental (unintentional)"),
    ("T58.93", "Carbon monoxide \u2014 Poisoning Assault"),
]
INDEX_TERMS = [
    ("H10.3", "Conjunctivitis, acute"),
    ("H10.1", "Conjunctivitis, acute, atopic"),
    ("N12", "Pyelonephritis"),
    ("N15.9", "Infection, kidney"),
    ("S82.20", "Fracture, traumatic, tibia, shaft"),
    ("T69.1", "Pernio, perniosis"),
    ("C22.0", "Carcinoma, hepatocellular"),
    ("C94.0", "Erythroleukemia"),
    ("I82.4Y", "Thrombosis, thrombotic, vein, deep, upper leg"),
]

SPREAD = ("C25.0", "C25.1")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    terms = [Designation(CM, code, DesignationKind.INDEX_TERM, text, "index") for code, text in INDEX_TERMS]
    terms += [Designation(CM, code, DesignationKind.INDEX_TERM, text, "drug") for code, text in DRUG_CELLS]
    # DO links its "pancreatic cancer" to C25.0 and C25.1 (and more), not to C25.9.
    terms += [Designation(CM, code, DesignationKind.SYNONYM, "pancreatic cancer", "doid") for code in SPREAD]
    # DO links "stomach cancer" to the category C16 and three of its codes, "liver cancer" to C22.0 and C22.9.
    terms += [
        Designation(CM, code, DesignationKind.SYNONYM, "stomach cancer", "doid")
        for code in ("C16", "C16.2", "C16.5", "C16.6")
    ]
    terms += [Designation(CM, code, DesignationKind.SYNONYM, "liver cancer", "doid") for code in ("C22.0", "C22.9")]
    # The Index: "Cellulitis, leg - see Cellulitis, lower limb", which leads to L03.11-.
    terms.append(
        Designation(CM, "L03.11", DesignationKind.INDEX_TERM, "Cellulitis, leg", "index", "Cellulitis, lower limb")
    )
    # NCIt's Chronic Kidney Disease, Stage 5 is named "ESRD"; MONDO maps it to N18.5 and N18.6.
    terms += [Designation(CM, code, DesignationKind.ABBREVIATION, "ESRD", "ncit") for code in ("N18.5", "N18.6")]
    terms += [
        Designation(CM, "C94.00", DesignationKind.INCLUSION_TERM, "Acute erythroid leukemia NOS", "tabular"),
        Designation(
            CM, "C94.00", DesignationKind.INCLUSION_TERM, "Acute erythroid leukemia with failed remission", "tabular"
        ),
        # "... NOS" of another name than the parent's title says nothing of the parent's default.
        Designation(CM, "C94.01", DesignationKind.INCLUSION_TERM, "Erythremic myelosis NOS", "tabular"),
    ]
    found = [
        Prior(CM, "H10.3", "Conjunctivitis", "acute"),
        Prior(CM, "N12", "Pyelonephritis"),
        Prior(CM, "T69.1", "Pernio, perniosis"),
        Prior(CM, "C22.0", "Carcinoma", "hepatocellular"),
        Prior(CM, "C94.0", "Erythroleukemia"),
        Prior(CM, "T58.91", "Carbon monoxide", source="drug"),  # the table's default column
    ]
    return tree_store(tmp_path_factory.mktemp("defaults") / "d.db", CONCEPTS, terms, found)


def ids(store: SQLiteStore, *codes: str) -> list[int]:
    out = [store.concept_id(CM, code) for code in codes]
    assert None not in out
    return [int(cid) for cid in out if cid is not None]


def test_a_category_defaults_to_the_child_that_says_unspecified_most() -> None:
    billable = np.array([False, False, True, True, False, True, True])
    children = {0: [1, 4], 1: [2, 3], 4: [5, 6]}
    vague = {1: 0, 2: 1, 3: 0, 4: 1, 5: 2, 6: 1}
    assert priors.default_below(4, children, billable, vague, seventh=()) == 5
    # From the top, H10's children say "unspecified" 0 and 1 times: the second, then its own default.
    assert priors.default_below(0, children, billable, vague, seventh=()) == 5
    # Where children say it alike, the words do not choose: no default.
    assert priors.default_below(4, children, billable, {5: 1, 6: 1}, seventh=()) is None
    # 7th-character siblings: the first (the initial encounter).
    assert priors.default_below(1, children, billable, {2: 0, 3: 0}, seventh={2, 3}) == 2


def test_the_child_claiming_least_is_the_one_that_says_unspecified_most() -> None:
    # One rule for the build's defaults and the engine's narrowing of a header (engine._descend).
    assert priors.least_claiming([0, 2, 1]) == 1
    assert priors.least_claiming([1, 1, 0]) is None  # a tie: the words do not choose
    assert priors.least_claiming([0, 0]) is None
    assert priors.least_claiming([]) is None
    # Of those saying it as often, the one adding nothing else to the parent's title is the parent's own residual.
    assert priors.least_claiming([1, 0, 1], [2, 0, 0]) == 2
    assert priors.least_claiming([1, 1], [0, 0]) is None
    assert priors.least_claiming([1, 1], [2, 3]) is None  # "..., ruptured" and "..., without rupture"
    titles = [
        "Malignant neoplasm of lesser curvature of stomach, unspecified",
        "Malignant neoplasm of stomach, unspecified",
    ]
    assert priors.added_words("Malignant neoplasm of stomach", titles) == [2, 0]
    # Singular and plural alike: D46.9 adds nothing but "unspecified" to "Myelodysplastic syndromes".
    assert priors.added_words("Myelodysplastic syndromes", ["Myelodysplastic syndrome, unspecified"]) == [0]


def test_not_specified_as_says_unspecified() -> None:
    # A04.7's children: "..., recurrent" and "..., not specified as recurrent". The second claims less.
    titles = [
        "Enterocolitis due to Clostridium difficile, recurrent",
        "Enterocolitis due to Clostridium difficile, not specified as recurrent",
    ]
    vague = [priors.unspecified(t) for t in titles]
    assert vague == [0, 1]
    assert priors.plainest(vague, "Enterocolitis due to Clostridium difficile", titles) == 1
    assert priors.unspecified("Unspecified keratoconjunctivitis, unspecified eye") == 2
    assert priors.unspecified("Urinary tract infection, site not specified") == 1
    assert priors.unspecified("Specified disorder of unspecified site") == 1


def test_the_child_holding_its_parent_s_title_with_nos_is_what_the_header_s_name_means(store: SQLiteStore) -> None:
    # No child of C94.0 says "unspecified" and no index entry leads to one: before, "erythroleukemia" (an index
    # entry and inclusion term of the header) found the header alone, no code one reports.
    found = SearchEngine(store).search(parse("erythroleukemia", (CM,)))
    assert [h.code for h in found.hits[:2]] == ["C94.00", "C94.0"]
    assert found.hits[0].reasons[0].field == "narrower"
    # What the query says of the case still decides.
    assert SearchEngine(store).search(parse("erythroleukemia in relapse", (CM,))).hits[0].code == "C94.02"
    # The rule itself: one child, the parent's own title (any case), nothing else before "NOS".
    title = "Acute erythroid leukemia"
    assert priors.said_nos(title, [(1, "Acute erythroid leukemia NOS"), (2, "Erythremic myelosis NOS")]) == 1
    assert priors.said_nos(title, [(2, "Erythremic myelosis NOS")]) is None
    assert priors.said_nos("Chilblains", [(3, "chilblains NOS"), (4, "Chilblains NOS")]) is None  # two: neither


def test_a_category_s_own_residual_is_its_default_among_residual_children() -> None:
    titles = {
        0: "Malignant neoplasm of stomach",
        1: "Malignant neoplasm of lesser curvature of stomach, unspecified",
        2: "Malignant neoplasm of greater curvature of stomach, unspecified",
        3: "Malignant neoplasm of stomach, unspecified",
    }
    billable = np.array([False, True, True, True])
    vague = {1: 1, 2: 1, 3: 1}
    assert priors.default_below(0, {0: [1, 2, 3]}, billable, vague, seventh=()) is None  # without the titles: a tie
    assert priors.default_below(0, {0: [1, 2, 3]}, billable, vague, seventh=(), titles=titles) == 3


def test_the_code_a_category_defaults_to_takes_the_index_entry_and_its_mark(store: SQLiteStore) -> None:
    size = max(ids(store, *(code for code, *_ in CONCEPTS))) + 1
    marks = priors.derive(store, size)
    h10_3, h10_30, s82_20, s82_209a = ids(store, "H10.3", "H10.30", "S82.20", "S82.209A")
    assert marks.defaults[h10_3] == h10_30
    assert marks.defaults[s82_20] == s82_209a  # down the unspecified side, then the initial encounter
    assert marks.main_term()[[h10_3, h10_30]].tolist() == [1, 1]  # the prior's code and its default
    engine = SearchEngine(store)
    found = engine.search(parse("acute conjunctivitis", (CM,)))
    # Before, H10.10 tied with H10.30 (each title holds both words) and came first by code order.
    assert [h.code for h in found.hits[:2]] == ["H10.30", "H10.10"]
    assert found.hits[0].reasons[0].text == "Conjunctivitis, acute"
    assert engine.search(parse("tibia shaft fracture", (CM,))).hits[0].code == "S82.209A"


def test_the_category_s_own_unspecified_code_is_marked(store: SQLiteStore) -> None:
    size = max(ids(store, *(code for code, *_ in CONCEPTS))) + 1
    marks = priors.derive(store, size)
    c74_10, c74_90, h10_30, h10_10 = ids(store, "C74.10", "C74.90", "H10.30", "H10.10")
    # Both say "unspecified" (C74.10 of its side); only C74.90 is what the category C74 defaults to.
    assert marks.residual()[[c74_10, c74_90]].tolist() == [1, 1]
    assert marks.category_default()[[c74_10, c74_90, h10_30, h10_10]].tolist() == [0, 1, 1, 0]
    found = SearchEngine(store).search(parse("adrenal gland malignant neoplasm", (CM,))).hits
    # Before, C74.10 and C74.90 tied and the medulla came first by code order.
    assert [h.code for h in found[:2]] == ["C74.90", "C74.10"]
    # A query that says "unspecified" itself reads neither residual prior: its words choose.
    assert (
        SearchEngine(store).search(parse("malignant neoplasm of unspecified adrenal gland medulla", (CM,))).hits[0].code
        == "C74.10"
    )


def _weight(store: SQLiteStore, code: str, kind: DesignationKind, word: str) -> float:
    """The index weight of ``word`` in ``code``'s designation of ``kind`` (its size: a name's tail is held with a
    negative weight, ``tests/test_name_heads.py``)."""
    lexical = index.load_index(store)
    assert lexical is not None
    (cid,) = ids(store, code)
    (doc,) = [d for d in np.flatnonzero(lexical.doc_concept == cid) if index.KINDS[lexical.doc_kind[d]] is kind]
    lo, hi = int(lexical.doc_ptr[doc]), int(lexical.doc_ptr[doc + 1])
    held = {
        lexical.vocabulary[t]: abs(float(w))
        for t, w in zip(lexical.doc_term[lo:hi], lexical.doc_weight[lo:hi], strict=True)
    }
    return held[word]


def test_a_name_on_a_header_and_its_default_counts_in_full_on_the_default(store: SQLiteStore) -> None:
    # "Pernio, perniosis" names T69.1 and, said no further, T69.1XXA: the code one reports stands for both.
    # Before, the header came first by code order (each has the main term's mark) and T69.1XXA's weight was cut.
    header = _weight(store, "T69.1", DesignationKind.INDEX_TERM, "pernio")
    default = _weight(store, "T69.1XXA", DesignationKind.INDEX_TERM, "pernio")
    assert header == pytest.approx(default * 2**-DEFAULT.bm25.spread, rel=1e-3)


def test_a_seventh_character_title_holds_its_parent_s_words_once(store: SQLiteStore) -> None:
    # "..., initial encounter for closed fracture" says "fracture" again; it counts once, as in the parent.
    fracture = _weight(store, "S82.209A", DesignationKind.TITLE, "fracture")
    assert fracture == pytest.approx(_weight(store, "S82.209A", DesignationKind.TITLE, "tibia"), rel=1e-3)
    assert fracture == pytest.approx(_weight(store, "S82.209D", DesignationKind.TITLE, "fracture"), rel=1e-3)


def _pcs_order(tmp_path: Path, titles: dict[str, str], name: str, more: tuple[tuple[str, str], ...]) -> list[str]:
    """The codes a search for ``name`` lists, where the PCS Index gives ``name`` to every code of ``titles`` and
    ``more`` (code, text) are the GEM's ICD-9-CM titles on them."""
    pcs = SystemId.ICD10PCS
    concepts = tuple(
        Concept(pcs, code, title, ConceptKind.CODE, True, None, seq=i) for i, (code, title) in enumerate(titles.items())
    )
    names = tuple(Designation(pcs, c.code, DesignationKind.TITLE, c.title, "tables") for c in concepts)
    names += tuple(Designation(pcs, code, DesignationKind.INDEX_TERM, name, "pcs-index") for code in titles)
    names += tuple(Designation(pcs, code, DesignationKind.SYNONYM, text, "icd9cm-gem") for code, text in more)
    built = SQLiteStore.create(tmp_path / "p.db")
    try:
        built.add_release(ReleaseContent(Release(pcs, "2026", dt.date(2025, 10, 1)), concepts, names))
        index.write(built)
        return [h.code for h in SearchEngine(built).search(parse(name.lower(), (pcs,))).hits]
    finally:
        built.connection.close()


def test_a_name_given_to_several_codes_stands_first_on_the_one_other_names_agree_with(tmp_path: Path) -> None:
    # The ICD-10-PCS Index sends "Appendectomy" to Excision (0DBJ) and Resection (0DTJ) alike; the ICD-9-CM
    # title the GEM maps to Resection says "appendectomy" too. Before, the name stood first on 0DBJ0ZZ, the
    # first in code order, and the other holders' weights were cut.
    titles = {"0DBJ0ZZ": "Excision of Appendix, Open Approach", "0DTJ0ZZ": "Resection of Appendix, Open Approach"}
    found = _pcs_order(tmp_path, titles, "Appendectomy", (("0DTJ0ZZ", "Other appendectomy"),))
    assert found == ["0DTJ0ZZ", "0DBJ0ZZ"]


def test_the_same_name_from_another_source_agrees_more_than_a_longer_one(tmp_path: Path) -> None:
    # "Cholecystectomy": the ICD-10-PCS Index gives it to Excision (0FB4) and Resection (0FT4) alike; ICD-9-CM
    # 51.22 "Cholecystectomy" maps to Resection and 51.21 "Other partial cholecystectomy" to Excision. The same
    # words agree more than a name that says more ("partial"): before, the two agreed as much, and Excision stood
    # first by code order.
    titles = {"0FB40ZZ": "Excision of Gallbladder, Open Approach", "0FT40ZZ": "Resection of Gallbladder, Open Approach"}
    more = (("0FT40ZZ", "Cholecystectomy"), ("0FB40ZZ", "Other partial cholecystectomy"))
    assert _pcs_order(tmp_path, titles, "Cholecystectomy", more) == ["0FT40ZZ", "0FB40ZZ"]


def test_a_name_given_to_several_codes_of_a_category_means_its_default(store: SQLiteStore) -> None:
    found = SearchEngine(store).search(parse("pancreatic cancer", (CM,))).hits
    # Before, the name's first holder in code order came first (C25.0, the head of the pancreas).
    assert found[0].code == "C25.9"
    assert found[0].reasons[0].text == "pancreatic cancer"
    assert {h.code for h in found[1:3]} == set(SPREAD)


def test_a_name_given_to_a_category_and_several_of_its_codes_means_its_default(store: SQLiteStore) -> None:
    found = SearchEngine(store).search(parse("stomach cancer", (CM,))).hits
    # Before, holding the category as well, the name was not spread: the lesser curvature came first.
    assert found[0].code == "C16.9"
    assert found[0].reasons[0].text == "stomach cancer"


def test_a_header_s_children_are_told_apart_by_what_the_query_says_beyond_its_name(store: SQLiteStore) -> None:
    engine = SearchEngine(store)
    # "Thrombosis, vein, deep, upper leg" is I82.4Y's, and the index lends it to I82.4Y9, the code it defaults to.
    assert engine.search(parse("thrombosis vein deep upper leg", (CM,))).hits[0].code == "I82.4Y9"
    # Before, the lent name chose I82.4Y9 when the header was followed down, and it came first: the side said
    # went unread. Now the children are read by what the query says beyond the header's name.
    found = engine.search(parse("thrombosis vein deep upper leg left", (CM,))).hits
    assert [h.code for h in found[:2]] == ["I82.4Y2", "I82.4Y9"]
    assert found[0].reasons[0].field == "narrower"


def test_the_entry_a_name_refers_to_tells_apart_the_children_the_query_does_not(store: SQLiteStore) -> None:
    # Left axilla, left upper limb and left lower limb all say "left"; before, none was chosen, and the code
    # "Cellulitis, leg" defaults to, L03.119 (unspecified part of limb), came first. The entry it refers to says
    # "lower limb".
    found = SearchEngine(store).search(parse("cellulitis left leg", (CM,))).hits
    assert [h.code for h in found[:2]] == ["L03.116", "L03.119"]


def test_an_abbreviation_given_to_several_codes_is_the_one_s_whose_title_it_spells(store: SQLiteStore) -> None:
    found = [h.code for h in SearchEngine(store).search(parse("esrd", (CM,))).hits]
    # Before, given to two codes of N18 and not to its default, it was spread to N18.9 "Chronic kidney disease,
    # unspecified", which came first; ESRD spells N18.6's "End stage renal disease".
    assert found == ["N18.6", "N18.5"]
    titles = {1: ["end", "stage", "renal", "disease"], 2: ["chronic", "kidney", "disease", "stage", "5"]}
    assert index._spelled(["esrd"], [1, 2], titles) == {1}
    assert index._spelled(["end", "stage"], [1, 2], titles) == set()  # a name of more words is no abbreviation


def test_the_category_s_default_stands_first_for_a_name_spread_over_its_codes(store: SQLiteStore) -> None:
    found = SearchEngine(store).search(parse("liver cancer", (CM,))).hits
    # Before, C22.0 stood first: the index gives it a main term ("Carcinoma, hepatocellular"), not this name. C22
    # defaults to C22.9, "not specified as primary or secondary" (adding nothing to C22's title; C22.8 adds
    # "primary"), as the Neoplasm Table gives "liver": C22.9 holds the name itself, and comes first of its codes.
    assert [h.code for h in found[:2]] == ["C22.9", "C22.0"]


def test_a_substance_poisoning_of_unsaid_intent_is_the_accidental_one(store: SQLiteStore) -> None:
    engine = SearchEngine(store)
    # Before, "Poisoning Assault" came first: a shorter column heading is no better match for the words typed.
    assert [h.code for h in engine.search(parse("carbon monoxide poisoning", (CM,))).hits[:2]] == ["T58.91", "T58.93"]
    assert engine.search(parse("carbon monoxide poisoning assault", (CM,))).hits[0].code == "T58.93"


def test_the_cells_of_a_table_row_are_as_long_as_each_other(store: SQLiteStore) -> None:
    # "Carbon monoxide — Poisoning Assault" is no shorter a name than "... — Poisoning Accidental (unintentional)".
    lexical = index.load_index(store)
    assert lexical is not None
    cells = [did for did, _cid, _kind, text in store.designation_rows() if "\u2014" in text]
    lengths = {int(lexical.doc_len[np.flatnonzero(lexical.doc_id == did)[0]]) for did in cells}
    assert len(cells) == 2
    assert lengths == {5}  # "carbon", "monoxide" and the row's longest heading (poisoning, accidental, unintentional)


def test_a_trailing_bracket_restates_the_name() -> None:
    assert restatement("kidney infection (pyelonephritis)") == ("kidney infection", "pyelonephritis")
    assert restatement("sodium - low (hyponatremia) ") == ("sodium - low", "hyponatremia")
    # A bracket inside is an official title's nonessential modifier; a title with two is no restatement.
    assert restatement("Intracranial (nontraumatic) hemorrhage of newborn") is None
    assert restatement("Hemorrhagic conjunctivitis (acute)(epidemic)") is None
    assert restatement("(pyelonephritis)") is None
    assert restatement("kidney infection ()") is None


def test_a_name_and_its_restatement_are_searched_each(store: SQLiteStore) -> None:
    engine = SearchEngine(store)
    alone = [h.code for h in engine.search(parse("kidney infection", (CM,))).hits]
    assert "N12" not in alone[:2]
    both = [h.code for h in engine.search(parse("kidney infection (pyelonephritis)", (CM,))).hits]
    # What each part finds first leads, the clinical term's first: it names the condition, where the lay name's
    # words are said of many.
    assert both[:2] == ["N12", alone[0]]


def test_the_fused_lists_lead_with_what_their_first_places_say() -> None:
    # "temporary blindness - one eye (amaurosis fugax)": G45.3 is first in the whole query's list and in the
    # restatement's; H54.40 is 25th in all three. Read as deep as matches by meaning read them (100 places), three
    # deep places outweighed two first places, and G45.3 fell from the page with meaning on.
    g45, h54 = (CM, "G45.3"), (CM, "H54.40")
    filler = [[(CM, f"Z{n:02d}.{i}") for n in range(24)] for i in range(3)]
    lists = [[g45, *filler[0], h54], [*filler[1], h54], [g45, *filler[2], h54]]
    assert fused_order(lists, (1.0, 1.0, 1.0), 60, shallow=24)[0] == g45
    assert h54 in fused_order(lists, (1.0, 1.0, 1.0), 60, shallow=24)  # still listed, after the first places
    assert fused_order(lists, (1.0, 1.0, 1.0), 60, shallow=100)[0] == h54  # fused by every place, as before


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("bone spur (exostosis)", True),
        ("brain bruise (cerebral contusion)", True),
        ("Bronchoscopy (diagnostic)", False),  # an adjective qualifies
        ("Hemoperitoneum (nontraumatic)", False),
        ("Perineal muscle laceration repair (2nd degree obstetrical and other)", False),  # a residual word
        ("deep vein thrombosis (dvt)", False),  # the name's initials
        ("glomerulonephritis (gn)", False),  # a short form
    ],
)
def test_a_restatement_names_what_a_clinical_term_would(text: str, names: bool) -> None:
    parts = restatement(text)
    assert parts is not None
    assert _names(*parts) is names


def test_the_store_lists_children_in_order(tmp_path: Path, store: SQLiteStore) -> None:
    pairs = list(store.child_pairs())
    h10, h10_1, h10_3 = ids(store, "H10", "H10.1", "H10.3")
    assert [child for parent, child in pairs if parent == h10] == [h10_1, h10_3]
