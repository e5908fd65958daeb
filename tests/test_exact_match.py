"""The exact bonus (search/lexical.py): a designation of nothing but the words the query says, counted as the
words its reading says ("dvt": deep vein thrombosis, three words)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.models import DesignationKind, SearchHit
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.search.ranking import DEFAULT
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

from .helpers import code_engine

CM = SystemId.ICD10CM
TITLES = {
    "I82.409": "Acute embolism and thrombosis of unspecified deep veins of unspecified lower extremity",
    "O87.1": "Deep phlebothrombosis in the puerperium",
}
NAMES = [
    ("I82.409", DesignationKind.INDEX_TERM, "Thrombosis, vein, deep"),  # the index: a main term and subterms
    ("O87.1", DesignationKind.INCLUSION_TERM, "Deep vein thrombosis, postpartum"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    return code_engine(tmp_path_factory.mktemp("exact") / "e.db", TITLES, {}, more=NAMES).store


def hits(store: SQLiteStore, query: str, exact_bonus: float) -> tuple[SearchHit, ...]:
    return SearchEngine(store, DEFAULT.replace({"exact_bonus": exact_bonus})).search(parse(query)).hits


def first(store: SQLiteStore, query: str, exact_bonus: float = DEFAULT.exact_bonus) -> str:
    return hits(store, query, exact_bonus)[0].code


def test_an_abbreviation_reads_as_the_words_it_stands_for_to_the_exact_bonus(store: SQLiteStore) -> None:
    # "Thrombosis, vein, deep" is nothing but the three words: the exact bonus lifts it over the postpartum
    # inclusion term, whether the words are typed or "dvt" stands for them.
    assert first(store, "deep vein thrombosis") == "I82.409"
    assert first(store, "dvt") == "I82.409"
    # Without the bonus the postpartum term wins (its words weigh more than the index's subterms): the bonus
    # is what decides, and "dvt" now reads it as the words typed out do.
    assert first(store, "dvt", exact_bonus=1.0) == "O87.1"


def score_of(store: SQLiteStore, query: str, code: str, exact_bonus: float) -> float:
    (score,) = [hit.score for hit in hits(store, query, exact_bonus) if hit.code == code]
    return score


def test_a_joining_word_the_name_lacks_takes_nothing_from_its_exactness(tmp_path: Path) -> None:
    titles = {"I70.1": "Atherosclerosis of renal artery", "Q27.1": "Congenital renal artery stenosis"}
    store = code_engine(tmp_path / "j.db", titles, {"I70.1": "Stenosis, stenotic, renal artery"}).store
    # "of" and "the" name nothing: "Stenosis, stenotic, renal artery" is all that `stenosis of the renal artery`
    # names, so the exact bonus lifts it as it does for the words without them; the congenital title says more.
    for query in ("renal artery stenosis", "stenosis of the renal artery"):
        with_bonus, without = (score_of(store, query, "I70.1", bonus) for bonus in (1.5, 1.0))
        assert with_bonus == pytest.approx(1.5 * without, rel=1e-4), query
        assert score_of(store, query, "Q27.1", 1.5) == pytest.approx(score_of(store, query, "Q27.1", 1.0), rel=1e-4)
