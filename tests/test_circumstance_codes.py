"""Codes of the chapter of circumstances (ICD-10-CM's Z codes: a status, an encounter, a history) rank after the
procedure or condition their words name, unless the query says the circumstance (search/priors.py
``CIRCUMSTANCE``, ``Priors.circumstance``, ``LexicalIndex.circumstance_terms``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from medcodes.models import Concept, ConceptKind, Designation, DesignationKind, Release, ReleaseContent
from medcodes.search import index
from medcodes.search.engine import SearchEngine
from medcodes.search.priors import CIRCUMSTANCE
from medcodes.search.query import parse
from medcodes.search.ranking import DEFAULT, Priors
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

CM, PCS = SystemId.ICD10CM, SystemId.ICD10PCS
CATEGORY = ConceptKind.CATEGORY
Row = tuple[str, str, ConceptKind, bool, str | None, tuple[str, ...]]
Z = "Factors influencing health status and contact with health services (Z00-Z99)"
# The Alphabetic Index: "Circumcision (in absence of medical indication) (ritual) (routine) Z41.2".
CIRCUMCISION = ("Circumcision", "Circumcision, ritual", "Circumcision, routine")
# (code, title, kind, billable, parent, index terms), ICD-10-CM FY2026: chapter 21's encounter for circumcision and
# five personal and family histories (a word five titles of the chapter say and none other: a circumstance), and a
# condition of chapter 14.
CM_CONCEPTS: list[Row] = [
    ("21", Z, ConceptKind.CHAPTER, False, None, ()),
    ("Z41", "Encounter for procedures for purposes other than remedying health state", CATEGORY, False, "21", ()),
    ("Z41.2", "Encounter for routine and ritual male circumcision", ConceptKind.CODE, True, "Z41", CIRCUMCISION),
    ("Z85", "Personal history of malignant neoplasm", ConceptKind.CATEGORY, False, "21", ()),
    ("Z85.3", "Personal history of malignant neoplasm of breast", ConceptKind.CODE, True, "Z85", ()),
    ("Z86", "Personal history of certain other diseases", ConceptKind.CATEGORY, False, "21", ()),
    ("Z86.11", "Personal history of tuberculosis", ConceptKind.CODE, True, "Z86", ()),
    ("Z80", "Family history of primary malignant neoplasm", ConceptKind.CATEGORY, False, "21", ()),
    ("Z80.3", "Family history of primary malignant neoplasm of breast", ConceptKind.CODE, True, "Z80", ()),
    ("14", "Diseases of the genitourinary system (N00-N99)", ConceptKind.CHAPTER, False, None, ()),
    ("N47", "Disorders of prepuce", ConceptKind.CATEGORY, False, "14", ()),
    ("N47.1", "Phimosis", ConceptKind.CODE, True, "N47", ("Phimosis",)),
]  # fmt: skip
# ICD-10-PCS FY2026: the table and the code the PCS Index gives "Circumcision".
PCS_CONCEPTS: list[Row] = [
    ("0VT", "Resection, Male Reproductive System", ConceptKind.CATEGORY, False, None, ()),
    ("0VTTXZZ", "Resection of Prepuce, External Approach", ConceptKind.CODE, True, "0VT", ("Circumcision",)),
]


def _release(system: SystemId, rows: list[Row]) -> ReleaseContent:
    concepts = tuple(
        Concept(system, code, title, kind, billable, parent=parent, seq=i)
        for i, (code, title, kind, billable, parent, _terms) in enumerate(rows)
    )
    names = [Designation(system, c.code, DesignationKind.TITLE, c.title, "cms") for c in concepts]
    names += [
        Designation(system, code, DesignationKind.INDEX_TERM, term, "cms")
        for code, _title, _kind, _billable, _parent, terms in rows
        for term in terms
    ]
    return ReleaseContent(Release(system, "2026", dt.date(2025, 10, 1)), concepts, tuple(names))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    path: Path = tmp_path_factory.mktemp("circumstance") / "z.db"
    built = SQLiteStore.create(path)
    built.add_release(_release(CM, CM_CONCEPTS))
    built.add_release(_release(PCS, PCS_CONCEPTS))
    index.write(built)
    built.connection.commit()
    built.connection.close()
    return SQLiteStore.open(path)


def codes(store: SQLiteStore, query: str, circumstance: float = DEFAULT.priors.circumstance) -> list[str]:
    engine = SearchEngine(store, DEFAULT.replace({"priors.circumstance": circumstance}))
    return [hit.code for hit in engine.search(parse(query)).hits]


def test_the_chapter_of_circumstances_marks_its_codes_and_nothing_else(store: SQLiteStore) -> None:
    built = index.load_index(store)
    assert built is not None
    marked = {
        code
        for system, rows in ((CM, CM_CONCEPTS), (PCS, PCS_CONCEPTS))
        for code, *_ in rows
        if (cid := store.concept_id(system, code)) is not None and built.concept_marks[cid] & CIRCUMSTANCE
    }
    assert marked == {code for code, *_ in CM_CONCEPTS[:9]}


def test_a_word_the_chapter_titles_say_and_no_others_says_a_circumstance(store: SQLiteStore) -> None:
    built = index.load_index(store)
    assert built is not None
    said = {built.vocabulary[t] for t in np.flatnonzero(built.circumstance_terms)}
    assert "history" in said  # five titles of the chapter say it, no other title does
    assert "circumcision" not in said  # one title says it
    assert "prepuce" not in said


def test_the_factor_keeps_a_circumstance_code_at_its_share() -> None:
    priors = Priors(main_term=0.0, index_terms=0.0, residual=0.0, category_default=0.0, circumstance=0.9)
    found = priors.factor([0, 0], [0, 0], [0, 0], [0, 0], [0, 0], circumstance=[0, 1])
    assert found.tolist() == pytest.approx([1.0, 0.9])
    assert 0.0 < DEFAULT.priors.circumstance < 1.0
    assert DEFAULT.said_circumstance().priors.circumstance == 1.0


def test_a_procedure_comes_before_the_encounter_for_it(store: SQLiteStore) -> None:
    # Read in full, the encounter code (three index entries lead to it, one to the procedure) comes first.
    assert codes(store, "circumcision", circumstance=1.0)[:2] == ["Z41.2", "0VTTXZZ"]
    assert codes(store, "circumcision")[:2] == ["0VTTXZZ", "Z41.2"]


def test_a_query_that_says_the_circumstance_reads_the_chapter_in_full(store: SQLiteStore) -> None:
    engine = SearchEngine(store)
    plain = {h.code: h.score for h in engine.search(parse("breast neoplasm")).hits}
    said = {h.code: h.score for h in engine.search(parse("breast neoplasm history")).hits}
    # Without the word, the history codes are worth their share; with it, in full.
    assert plain["Z85.3"] < said["Z85.3"]
    assert codes(store, "personal history of breast neoplasm")[0] == "Z85.3"
