"""How a name's words count (search/index.py, search/lexical.py): a word a classification's title says again counts
once, and the words a tabular name says only between parentheses or brackets do not keep it from being exact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from medcodes.models import Concept, ConceptKind, Designation, DesignationKind, Release, ReleaseContent
from medcodes.search import abbreviations, index
from medcodes.search.engine import SearchEngine
from medcodes.search.index import INDEX_VERSION, LexicalIndex, build_index, enclosed, load_index, save_index
from medcodes.search.query import parse
from medcodes.search.ranking import DEFAULT
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

from .helpers import code_engine

CM, HCPCS = SystemId.ICD10CM, SystemId.HCPCS
KIDNEY = {
    "N18": "Chronic kidney disease (CKD)",
    "N18.4": "Chronic kidney disease, stage 4 (severe)",
    "N18.9": "Chronic kidney disease, unspecified",
    "I12.9": "Hypertensive chronic kidney disease with stage 1 through stage 4 chronic kidney disease, or unspecified"
    " chronic kidney disease",
    "J20.9": "Acute bronchitis, unspecified",
    "J68.0": "Bronchitis and pneumonitis due to chemicals, gases, fumes and vapors",
}
MORE = [("J68.0", DesignationKind.INCLUSION_TERM, "Chemical bronchitis (acute)")]


def test_the_words_said_only_between_parentheses_or_brackets() -> None:
    assert enclosed("Chronic kidney disease, stage 4 (severe)") == {"severe"}
    assert enclosed("Chemical bronchitis (acute)") == {"acute"}
    assert enclosed("Gastric ulcer [peptic] (acute)") == {"peptic", "acute"}
    # A word said outside them too (any form of it) is said in full.
    assert enclosed("Diabetes (diabetic) with diabetic coma") == frozenset()
    assert enclosed("Acute bronchitis, unspecified") == frozenset()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    steps = (index.write, abbreviations.save)
    return code_engine(tmp_path_factory.mktemp("said") / "s.db", KIDNEY, {}, steps, more=MORE).store


def score_of(store: SQLiteStore, query: str, code: str, exact_bonus: float) -> float:
    engine = SearchEngine(store, DEFAULT.replace({"exact_bonus": exact_bonus}))
    (score,) = [hit.score for hit in engine.search(parse(query, limit=20)).hits if hit.code == code]
    return score


def bonus_of(store: SQLiteStore, query: str, code: str) -> float:
    """The factor the exact bonus gives ``code`` for ``query`` (1: none)."""
    return score_of(store, query, code, 1.5) / score_of(store, query, code, 1.0)


def test_a_query_saying_all_but_the_enclosed_words_is_exact(store: SQLiteStore) -> None:
    # "Chronic kidney disease, stage 4 (severe)" is reported whether or not the record says "severe": the query
    # says all of it, and N18.4 comes before the hypertensive code that lists stage 4 among its alternatives.
    assert bonus_of(store, "chronic kidney disease stage 4", "N18.4") == pytest.approx(1.5, rel=1e-4)
    first = SearchEngine(store).search(parse("chronic kidney disease stage 4")).hits[0]
    assert first.code == "N18.4"
    # The short form's first reading says the three words it stands for, though "ckd" is a word of the data too.
    assert bonus_of(store, "ckd stage 4", "N18.4") == pytest.approx(1.5, rel=1e-4)
    assert SearchEngine(store).search(parse("ckd stage 4")).hits[0].code == "N18.4"


def test_the_enclosed_words_do_not_stand_for_the_words_they_leave_unsaid(store: SQLiteStore) -> None:
    # `acute bronchitis` says the enclosed "acute" of "Chemical bronchitis (acute)", not its "chemical": no bonus.
    assert bonus_of(store, "acute bronchitis", "J68.0") == pytest.approx(1.0, rel=1e-4)
    assert SearchEngine(store).search(parse("acute bronchitis")).hits[0].code == "J20.9"
    assert bonus_of(store, "chemical bronchitis", "J68.0") == pytest.approx(1.5, rel=1e-4)


def test_the_enclosed_entries_are_saved_and_an_index_saved_before_them_has_none(store: SQLiteStore) -> None:
    built = build_index(store)
    assert len(built.enclosed_entries)
    severe = built.term("severe")
    assert severe is not None and set(built.doc_term[built.enclosed_entries].tolist()) >= {severe}
    save_index(store, built)
    loaded = load_index(store)
    assert loaded is not None and loaded.enclosed_entries.tolist() == built.enclosed_entries.tolist()
    store.connection.execute("DELETE FROM blobs WHERE name = ?", (f"{INDEX_VERSION}/enclosed_entries",))
    older = load_index(store)
    assert older is not None and not len(older.enclosed_entries) and not older.doc_enclosed.any()
    save_index(store, built)  # the module's other tests read the store whole


def title_weight(built: LexicalIndex, store: SQLiteStore, system: SystemId, code: str, word: str) -> float:
    cid, term = store.concept_id(system, code), built.term(word)
    assert cid is not None and term is not None
    (doc,) = np.flatnonzero(
        (built.doc_concept == cid) & (built.doc_kind == list(DesignationKind).index(DesignationKind.TITLE))
    )
    lo, hi = int(built.doc_ptr[doc]), int(built.doc_ptr[doc + 1])
    (at,) = np.flatnonzero(built.doc_term[lo:hi] == term)
    return float(built.doc_weight[lo + at])


def test_a_classifications_title_says_a_word_once_a_supplys_descriptor_as_often(tmp_path: Path) -> None:
    store = SQLiteStore.create(tmp_path / "r.db")
    names = {
        CM: {"I12.9": KIDNEY["I12.9"], "N18.4": KIDNEY["N18.4"]},
        HCPCS: {
            "E0110": "Crutches, forearm, includes crutches of various materials, adjustable or fixed, pair, complete",
            "E0117": "Crutch, underarm, articulating, spring assisted, each",
        },
    }
    for system, titles in names.items():
        concepts = tuple(
            Concept(system, code, title, ConceptKind.CODE, True, seq=i)
            for i, (code, title) in enumerate(titles.items())
        )
        said = tuple(
            Designation(system, code, DesignationKind.TITLE, title, "tabular") for code, title in titles.items()
        )
        store.add_release(ReleaseContent(Release(system, "2026", dt.date(2025, 10, 1)), concepts, said))
    once, repeated = build_index(store), build_index(store, DEFAULT.replace({"bm25.repeats": True}))
    # "chronic" three times in I12.9's title weighs no more than once would: less than counted three times.
    assert title_weight(once, store, CM, "I12.9", "chronic") < title_weight(repeated, store, CM, "I12.9", "chronic")
    # A word the title says once weighs the same either way; so does the descriptor's repeated subject.
    assert title_weight(once, store, CM, "I12.9", "hypertensive") == pytest.approx(
        title_weight(repeated, store, CM, "I12.9", "hypertensive")
    )
    assert title_weight(once, store, HCPCS, "E0110", "crutches") == pytest.approx(
        title_weight(repeated, store, HCPCS, "E0110", "crutches")
    )
    assert title_weight(once, store, HCPCS, "E0110", "crutches") > title_weight(once, store, HCPCS, "E0110", "pair")
