"""A name's head and tail (search/text.py, search/index.py, search/lexical.py): "Dependence on wheelchair" is
about a dependence, so `wheelchair` finds a wheelchair first."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from medcodes.models import (
    TABLE_COLUMN,
    Concept,
    ConceptKind,
    Designation,
    DesignationKind,
    Release,
    ReleaseContent,
)
from medcodes.search import index
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.search.ranking import DEFAULT
from medcodes.search.text import head_noun, head_words
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

CM, HCPCS = SystemId.ICD10CM, SystemId.HCPCS
TITLES = {
    CM: {
        "Z99.3": "Dependence on wheelchair",
        "R62.0": "Delayed milestone in childhood",
        "T50.B91A": "Poisoning by other viral vaccines, accidental (unintentional), initial encounter",
        "S14.3XXA": "Injury of brachial plexus, initial encounter",
    },
    HCPCS: {
        "K0001": "Standard wheelchair",
        "E0156": "Seat attachment, walker",
        "E0130": "Walker, rigid, adjustable",
        "Q2039": "Influenza virus vaccine, not otherwise specified",
        "E0110": "Crutches, forearm, includes crutches of various materials, adjustable or fixed, pair, complete with "
        "tips and handgrips",
    },
}
# An index entry keeps its own rule (``Bm25.subterm``): its words are not marked as a tail. A cell of the Table
# of Drugs and Chemicals is about its column (a poisoning), and its row's drug is the tail.
INDEX_TERMS = {
    CM: {
        "Z99.3": "Dependence, wheelchair",
        "R62.0": "Late, walker",
        "T50.B91A": f"Influenza vaccine{TABLE_COLUMN}Poisoning Accidental (unintentional)",
        "S14.3XXA": "Crutch paralysis",
    }
}


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("Dependence on wheelchair", {"dependence"}),
        ("Seat attachment, walker", {"seat", "attachment"}),
        ("Malignant neoplasm of breast", {"malignant", "neoplasm"}),
        ("Third [oculomotor] nerve palsy, unspecified eye", {"third", "oculomotor", "nerve", "palsy"}),
        ("Type 2 diabetes mellitus without complications", {"type", "2", "diabetes", "mellitus"}),
        ("Presence of external hearing-aid", {"presence"}),
    ],
)
def test_a_names_head_runs_to_its_first_comma_or_joining_word(name: str, head: set[str]) -> None:
    assert head_words(name) == frozenset(head)


@pytest.mark.parametrize(
    "name",
    [
        "Standard wheelchair",  # all head: nothing qualifies it
        "Continuous positive airway pressure (cpap) device",  # brackets do not end the head
        "Of no head",  # a joining word first: no head to speak of
        "",
    ],
)
def test_a_name_without_both_a_head_and_a_tail_has_no_head(name: str) -> None:
    assert head_words(name) is None


@pytest.mark.parametrize(
    ("name", "noun"),
    [
        ("Walker, rigid (pickup), adjustable or fixed height", "walker"),  # the head is before the first comma
        ("Late walker", "walker"),  # its last word
        ("Crutch paralysis", "paralysis"),  # a crutch only says which
        ("Extraction of Right Lens, Percutaneous Approach", "extraction"),  # before the first joining word
        ("Presence of insulin pump (external) (internal)", "presence"),
        ("Diabetes, diabetic (mellitus) (sugar)", "diabetes"),  # bracketed words are left out
        ("Angina (attack) (cardiac) (chest)", "angina"),
        ("Cancer NOS", "cancer"),  # a convention is no head
        ("Haemorrhage", "hemorrhage"),  # as the index holds the word
        ("Of no head", None),
        ("", None),
    ],
)
def test_a_names_head_noun_is_the_last_word_of_its_head(name: str, noun: str | None) -> None:
    assert head_noun(name) == noun


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    path = tmp_path_factory.mktemp("heads") / "h.db"
    built = SQLiteStore.create(path)
    for system, titles in TITLES.items():
        concepts = tuple(
            Concept(system, code, title, ConceptKind.CODE, True, seq=i)
            for i, (code, title) in enumerate(titles.items())
        )
        names = tuple(Designation(system, c.code, DesignationKind.TITLE, c.title, "tabular") for c in concepts)
        names += tuple(
            Designation(system, code, DesignationKind.INDEX_TERM, text, "index")
            for code, text in INDEX_TERMS.get(system, {}).items()
        )
        built.add_release(ReleaseContent(Release(system, "2026", dt.date(2025, 10, 1)), concepts, names))
    index.write(built)
    built.connection.commit()
    built.connection.close()
    return SQLiteStore.open(path)


def stored_weights(store: SQLiteStore, system: SystemId, code: str, kind: DesignationKind) -> dict[str, float]:
    """The stored weight of each word of the code's designation of ``kind``."""
    built = index.load_index(store)
    cid = store.concept_id(system, code)
    assert built is not None and cid is not None
    doc = int(np.flatnonzero((built.doc_concept == cid) & (built.doc_kind == index.KINDS.index(kind)))[0])
    lo, hi = int(built.doc_ptr[doc]), int(built.doc_ptr[doc + 1])
    return {built.vocabulary[t]: float(w) for t, w in zip(built.doc_term[lo:hi], built.doc_weight[lo:hi], strict=True)}


def test_a_titles_tail_is_held_with_a_negative_weight(store: SQLiteStore) -> None:
    title = stored_weights(store, CM, "Z99.3", DesignationKind.TITLE)
    assert title["dependence"] > 0
    assert title["on"] < 0 and title["wheelchair"] < 0
    # The same weight either way: the sign marks the tail, the engine decides what it is worth.
    assert abs(title["wheelchair"]) == pytest.approx(title["dependence"])
    assert all(w > 0 for w in stored_weights(store, HCPCS, "K0001", DesignationKind.TITLE).values())
    assert all(w > 0 for w in stored_weights(store, CM, "Z99.3", DesignationKind.INDEX_TERM).values())
    cell = stored_weights(store, CM, "T50.B91A", DesignationKind.INDEX_TERM)
    assert cell["poisoning"] > 0 and cell["accidental"] > 0
    assert cell["influenza"] < 0 and cell["vaccine"] < 0


def scores(store: SQLiteStore, query: str, tail: float = DEFAULT.tail) -> dict[str, float]:
    engine = SearchEngine(store, DEFAULT.replace({"tail": tail}))
    return {h.code: h.score for h in engine.search(parse(query)).hits}


def test_a_word_only_a_tail_holds_counts_less(store: SQLiteStore) -> None:
    plain, read = scores(store, "wheelchair", tail=1.0), scores(store, "wheelchair")
    assert read["Z99.3"] == pytest.approx(DEFAULT.tail * plain["Z99.3"], rel=1e-3)
    assert read["K0001"] == pytest.approx(plain["K0001"])
    assert next(iter(read)) == "K0001"
    # "Seat attachment, walker" is a seat: its tail's "walker" counts less, the walker's own title in full.
    plain, read = scores(store, "walker", tail=1.0), scores(store, "walker")
    assert read["E0156"] < plain["E0156"] and read["E0130"] == pytest.approx(plain["E0130"])
    assert next(iter(read)) == "E0130"


def test_a_query_that_names_the_head_reads_the_tail_in_full(store: SQLiteStore) -> None:
    for query in ("wheelchair dependence", "dependence on wheelchair"):
        plain, read = scores(store, query, tail=1.0), scores(store, query)
        assert read["Z99.3"] == pytest.approx(plain["Z99.3"])
        assert next(iter(read)) == "Z99.3"


def test_a_drug_named_alone_is_the_drug_before_a_poisoning_by_it(store: SQLiteStore) -> None:
    plain, read = scores(store, "influenza vaccine", tail=1.0), scores(store, "influenza vaccine")
    assert read["T50.B91A"] == pytest.approx(DEFAULT.tail * plain["T50.B91A"], rel=1e-3)
    assert next(iter(read)) == "Q2039"
    assert next(iter(scores(store, "influenza vaccine poisoning"))) == "T50.B91A"


def test_each_designation_holds_its_head_noun(store: SQLiteStore) -> None:
    built = index.load_index(store)
    assert built is not None

    def noun(system: SystemId, code: str, kind: DesignationKind) -> str | None:
        cid = store.concept_id(system, code)
        doc = int(np.flatnonzero((built.doc_concept == cid) & (built.doc_kind == index.KINDS.index(kind)))[0])
        term = int(built.doc_head[doc])
        return built.vocabulary[term] if term >= 0 else None

    assert noun(HCPCS, "E0110", DesignationKind.TITLE) == "crutches"
    assert noun(CM, "S14.3XXA", DesignationKind.INDEX_TERM) == "paralysis"
    assert noun(CM, "R62.0", DesignationKind.INDEX_TERM) == "late"
    # A cell of the Table of Drugs is about its column: a poisoning.
    assert noun(CM, "T50.B91A", DesignationKind.INDEX_TERM) == "poisoning"


def unheaded_scores(store: SQLiteStore, query: str, unheaded: float = DEFAULT.unheaded) -> dict[str, float]:
    engine = SearchEngine(store, DEFAULT.replace({"unheaded": unheaded}))
    return {h.code: h.score for h in engine.search(parse(query)).hits}


@pytest.mark.parametrize("query", ["crutches", "crutch"])
def test_a_name_whose_head_the_query_does_not_say_counts_less(store: SQLiteStore, query: str) -> None:
    # "Crutch paralysis" is a paralysis; "Crutches, forearm, ..." are crutches, in either form the query says.
    plain, read = unheaded_scores(store, query, unheaded=1.0), unheaded_scores(store, query)
    assert next(iter(plain)) == "S14.3XXA"  # the shorter name, by its words alone
    assert read["S14.3XXA"] == pytest.approx(DEFAULT.unheaded * plain["S14.3XXA"], rel=1e-3)
    assert read["E0110"] == pytest.approx(plain["E0110"])
    assert next(iter(read)) == "E0110"
