"""Codes of a chapter kept for one population (pregnancy, the perinatal period, congenital malformations) are worth
less where the query says nothing of that population (search/priors.py, ``Priors.population``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from medcodes.models import Concept, ConceptKind, Designation, DesignationKind
from medcodes.search import index
from medcodes.search.engine import SearchEngine
from medcodes.search.priors import POPULATION
from medcodes.search.query import parse
from medcodes.search.ranking import DEFAULT, Priors
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

from .helpers import concept_store

CM = SystemId.ICD10CM
# (code, title, kind, parent): two chapters of FY2026, one kept for a population by its title.
CONCEPTS = [
    ("09", "Diseases of the circulatory system (I00-I99)", ConceptKind.CHAPTER, None),
    ("I34", "Nonrheumatic mitral valve disorders", ConceptKind.CATEGORY, "09"),
    ("I34.0", "Nonrheumatic mitral (valve) insufficiency", ConceptKind.CODE, "I34"),
    ("I34.2", "Nonrheumatic mitral (valve) stenosis", ConceptKind.CODE, "I34"),
    ("17", "Congenital malformations, deformations and chromosomal abnormalities (Q00-QA0)", ConceptKind.CHAPTER, None),
    ("Q23", "Congenital malformations of aortic and mitral valves", ConceptKind.CATEGORY, "17"),
    ("Q23.0", "Congenital stenosis of aortic valve", ConceptKind.CODE, "Q23"),
    ("Q23.1", "Congenital insufficiency of aortic valve", ConceptKind.CODE, "Q23"),
    ("Q23.2", "Congenital mitral stenosis", ConceptKind.CODE, "Q23"),
    ("Q23.3", "Congenital mitral insufficiency", ConceptKind.CODE, "Q23"),
    ("Q23.9", "Congenital malformation of aortic and mitral valves, unspecified", ConceptKind.CODE, "Q23"),
]
# DO links its "mitral valve insufficiency" to the congenital code; the Alphabetic Index gives the words I34.0.
NAMES = [
    ("Q23.3", DesignationKind.SYNONYM, "mitral valve insufficiency", "doid"),
    ("I34.0", DesignationKind.INDEX_TERM, "Insufficiency, mitral, valve", "index"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    path: Path = tmp_path_factory.mktemp("population") / "p.db"
    concepts = [
        Concept(CM, code, title, kind, kind is ConceptKind.CODE, parent=parent, seq=i)
        for i, (code, title, kind, parent) in enumerate(CONCEPTS)
    ]
    names = [Designation(CM, code, kind, text, source) for code, kind, text, source in NAMES]
    built = concept_store(path, concepts, names)
    index.write(built)
    built.connection.commit()
    built.connection.close()
    return SQLiteStore.open(path)


def first(store: SQLiteStore, query: str, population: float = DEFAULT.priors.population) -> str:
    engine = SearchEngine(store, DEFAULT.replace({"priors.population": population}))
    return engine.search(parse(query)).hits[0].code


def test_the_factor_keeps_a_population_chapter_code_at_its_share() -> None:
    priors = Priors(main_term=0.0, index_terms=0.0, residual=0.0, category_default=0.0, population=0.9)
    assert priors.factor([0, 0], [0, 0], [0, 0], [0, 0], [0, 1]).tolist() == pytest.approx([1.0, 0.9])
    assert DEFAULT.said_population().priors.population == 1.0
    assert DEFAULT.said_residual().said_population().priors.residual == 0.0


def test_the_chapter_its_title_keeps_for_a_population_marks_every_code_below_it(store: SQLiteStore) -> None:
    built = index.load_index(store)
    assert built is not None
    marked = {
        code
        for code, _title, _kind, _parent in CONCEPTS
        if (cid := store.concept_id(CM, code)) is not None and built.concept_marks[cid] & POPULATION
    }
    assert marked == {"17", "Q23", "Q23.0", "Q23.1", "Q23.2", "Q23.3", "Q23.9"}
    # "congenital": in the titles of five such codes and nowhere else; "mitral" is anyone's.
    words = {built.vocabulary[t] for t in np.flatnonzero(built.population_terms)}
    assert "congenital" in words and "mitral" not in words


def test_a_query_that_says_no_population_means_the_other_code(store: SQLiteStore) -> None:
    assert first(store, "mitral valve insufficiency") == "I34.0"
    # The factor is what decides: at full worth DO's exact name wins.
    assert first(store, "mitral valve insufficiency", population=1.0) == "Q23.3"


def test_a_query_that_says_the_population_reads_its_codes_in_full(store: SQLiteStore) -> None:
    engine = SearchEngine(store)
    full = SearchEngine(store, DEFAULT.replace({"priors.population": 1.0}))
    said = engine.search(parse("congenital mitral insufficiency")).hits
    assert said[0].code == "Q23.3"
    assert said[0].score == pytest.approx(full.search(parse("congenital mitral insufficiency")).hits[0].score)
