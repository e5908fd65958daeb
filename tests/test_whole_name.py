"""A header found by a name that says every word of the query goes down to the code that name defaults to, not
to the child whose own names score best (engine._descend, _default_child)."""

from __future__ import annotations

import pytest

from medcodes.models import Designation, DesignationKind, Prior
from medcodes.search import priors
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

from .helpers import tree_store

CM = SystemId.ICD10CM
# (code, title, billable, parent): C71 and E10 as ICD-10-CM writes them, in part.
CONCEPTS = [
    ("C71", "Malignant neoplasm of brain", False, None),
    ("C71.0", "Malignant neoplasm of cerebrum, except lobes and ventricles", True, "C71"),
    ("C71.7", "Malignant neoplasm of brain stem", True, "C71"),
    ("C71.9", "Malignant neoplasm of brain, unspecified", True, "C71"),
    ("E10", "Type 1 diabetes mellitus", False, None),
    ("E10.2", "Type 1 diabetes mellitus with kidney complications", False, "E10"),
    ("E10.21", "Type 1 diabetes mellitus with diabetic nephropathy", True, "E10.2"),
    ("E10.8", "Type 1 diabetes mellitus with unspecified complications", True, "E10"),
    ("E10.9", "Type 1 diabetes mellitus without complications", True, "E10"),
    ("C18", "Malignant neoplasm of colon", False, None),
    ("C18.1", "Malignant neoplasm of appendix", True, "C18"),
    ("C18.7", "Malignant neoplasm of sigmoid colon", True, "C18"),
    ("C18.9", "Malignant neoplasm of colon, unspecified", True, "C18"),
    ("O15", "Eclampsia", False, None),
    ("O15.2", "Eclampsia complicating the puerperium", True, "O15"),
    ("O15.9", "Eclampsia, unspecified as to time period", True, "O15"),
    ("D46", "Myelodysplastic syndromes", False, None),
    ("D46.4", "Refractory anemia, unspecified", True, "D46"),
    ("D46.9", "Myelodysplastic syndrome, unspecified", True, "D46"),
    ("D46.Z", "Other myelodysplastic syndromes", True, "D46"),
    ("I50.2", "Systolic (congestive) heart failure", False, None),
    ("I50.20", "Unspecified systolic (congestive) heart failure", True, "I50.2"),
    ("I50.21", "Acute systolic (congestive) heart failure", True, "I50.2"),
    ("I50.23", "Acute on chronic systolic (congestive) heart failure", True, "I50.2"),
]
# The names the Human Disease Ontology links to these codes (its xrefs), as the build stores them.
NAMES = [
    ("C71", "brain glioma"),
    ("C71.7", "brain stem glioma"),
    ("E10", "type I diabetes mellitus"),
    ("E10.21", "type I diabetes mellitus nephropathy"),
    ("D46", "MDS"),
    ("O15", "Eclampsia, postpartum"),  # DO's exact synonym, a kind of eclampsia
    ("C18", "colon adenocarcinoma"),
    ("C18.1", "appendix adenocarcinoma"),
    ("C18.7", "sigmoid colon adenocarcinoma"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    names = [Designation(CM, code, DesignationKind.SYNONYM, text, "doid") for code, text in NAMES]
    names.append(Designation(CM, "O15.2", DesignationKind.INDEX_TERM, "Eclampsia, complicating, puerperium", "index"))
    names.append(Designation(CM, "O15.2", DesignationKind.INCLUSION_TERM, "Postpartum eclampsia", "tabular"))
    # I50.2's inclusion term, and the Alphabetic Index's entry for I50.23, which says its words with "decompensation".
    hfref = "Heart failure with reduced ejection fraction [HFrEF]"
    names.append(Designation(CM, "I50.2", DesignationKind.INCLUSION_TERM, hfref, "tabular"))
    decompensated = "Failure, failed, heart, with, decompensation, with, reduced ejection fraction"
    names.append(Designation(CM, "I50.23", DesignationKind.INDEX_TERM, decompensated, "index"))
    found = [
        # What the Alphabetic Index gives "Diabetes, type 1" and the Neoplasm Table's "brain" (malignant).
        Prior(CM, "E10.9", "Diabetes, diabetic", "type 1"),
        Prior(CM, "C71.9", "Neoplasm, neoplastic", "brain"),
        Prior(CM, "E10.21", "Nephropathy", "diabetic"),
        Prior(CM, "C18.1", "appendix adenocarcinoma", source="doid"),  # a vocabulary's name linked straight
    ]
    return tree_store(tmp_path_factory.mktemp("whole") / "w.db", CONCEPTS, names, found)


def narrowed(engine: SearchEngine, text: str, header: str) -> list[str]:
    """The codes ``header`` gives way to among the hits (the hits found through its name)."""
    hits = engine.search(parse(text, (CM,))).hits
    return [h.code for h in hits if h.reasons[0].field == "narrower" and h.reasons[0].text.startswith(header + " ")]


def test_a_name_of_the_whole_category_finds_its_default_not_the_child_whose_names_score_best(
    store: SQLiteStore,
) -> None:
    engine = SearchEngine(store)
    # "brain stem glioma" matches every word of "brain glioma" too, but the query does not say "stem": the
    # name of C71 leads to C71.9, which ranks first.
    assert narrowed(engine, "brain glioma", "C71") == ["C71.9"]
    assert engine.search(parse("brain glioma", (CM,))).hits[0].code == "C71.9"
    # E10's children: the one the index gives "Diabetes, type 1", not the one that says "unspecified"
    # (E10.8, with unspecified complications) nor the one whose name adds "nephropathy".
    assert narrowed(engine, "type I diabetes mellitus", "E10") == ["E10.9"]


def test_of_children_that_say_unspecified_alike_the_one_saying_the_category_s_words_is_its_default(
    store: SQLiteStore,
) -> None:
    # D46.4 and D46.9 each say "unspecified" once; D46.9 says "myelodysplastic" as D46 does. Before, the tie
    # left the header undecided.
    assert narrowed(SearchEngine(store), "mds", "D46") == ["D46.9"]


def test_the_header_s_own_residual_comes_before_a_child_another_name_marks(store: SQLiteStore) -> None:
    # Only C18.1's subtree holds a main-term mark (the vocabulary's "appendix adenocarcinoma"); C18.9 says nothing
    # but "unspecified" beyond C18's title, and it is what "colon adenocarcinoma" means.
    assert narrowed(SearchEngine(store), "colon adenocarcinoma", "C18") == ["C18.9"]


def test_a_name_whose_tail_the_query_says_names_a_kind_of_the_header(store: SQLiteStore) -> None:
    # "Eclampsia, postpartum" says every word of the query, but "postpartum" qualifies the header: its children
    # tell the time apart, and the words lead to O15.2. Before, the name went down to O15.9 (unspecified as to time).
    engine = SearchEngine(store)
    assert "O15.9" not in narrowed(engine, "eclampsia postpartum", "O15")
    assert engine.search(parse("eclampsia postpartum", (CM,))).hits[0].code == "O15.2"


@pytest.mark.parametrize(
    "query", ["heart failure with reduced ejection fraction", "heart failure reduced ejection fraction hfref"]
)
def test_an_inclusion_term_of_the_header_is_the_header_whole_tail_and_all(store: SQLiteStore, query: str) -> None:
    # Read as a kind of I50.2, the inclusion term's tail ("reduced ejection fraction") let the index entry of I50.23,
    # which says it with "decompensation", choose acute on chronic.
    assert narrowed(SearchEngine(store), query, "I50.2") == ["I50.20"]


def test_words_that_name_a_child_still_find_it(store: SQLiteStore) -> None:
    engine = SearchEngine(store)
    assert engine.search(parse("brain stem glioma", (CM,))).hits[0].code == "C71.7"
    assert engine.search(parse("type I diabetes mellitus nephropathy", (CM,))).hits[0].code == "E10.21"
    assert (
        engine.search(parse("heart failure reduced ejection fraction decompensation", (CM,))).hits[0].code == "I50.23"
    )


def test_which_child_subtrees_hold_a_mark() -> None:
    import numpy as np

    marks = np.array([0, 1, 0, 0, 2, 1, 0], dtype=np.uint8)
    # Children at 1, 3 and 4 (subtrees [1, 3), [3, 4), [4, 7)).
    assert priors.held_below(marks, [1, 3, 4, 7], priors.MAIN_TERM) == [True, False, True]
    assert priors.held_below(marks, [1, 3, 4, 7], priors.RESIDUAL) == [False, False, True]
