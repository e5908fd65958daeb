"""A query "<word> of <words>" names its first word's thing where no name says every word (lexical._of_head)."""

from __future__ import annotations

import pytest

from medcodes.models import DesignationKind
from medcodes.search import lexical
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.search.ranking import Ranking

from .helpers import code_engine

TITLES = {
    "Z86.718": "Personal history of other venous thrombosis and embolism",
    "I82.409": "Acute embolism and thrombosis of unspecified deep veins of unspecified lower extremity",
    "O87.1": "Deep phlebothrombosis in the puerperium",
    "Z91.81": "History of falling",
}
INDEX_TERMS = {"Z86.718": "Thrombosis, thrombotic, history", "I82.409": "Thrombosis, thrombotic, vein, deep"}
MORE = [("O87.1", DesignationKind.INCLUSION_TERM, "Deep vein thrombosis, postpartum")]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return code_engine(tmp_path_factory.mktemp("of") / "o.db", TITLES, INDEX_TERMS, more=MORE)


def test_the_word_before_of_names_the_thing(engine: SearchEngine) -> None:
    # No name says "history", "deep", "vein" and "thrombosis" together: weighing the first word more puts the
    # history of one first, not the thrombosis (O87.1 and I82.409 say three of the four words). How much more it
    # takes depends on the words' weights in the whole data (the default, on the full releases:
    # tests/test_search_regression.py); in these few names, three times.
    def first(of_head: float) -> str:
        ranked = SearchEngine(engine.store, ranking=Ranking(of_head=of_head))
        return ranked.search(parse("history of deep vein thrombosis")).hits[0].code

    assert first(1.0) == "I82.409"
    assert first(3.0) == "Z86.718"


def test_only_a_first_word_before_of_weighs_more() -> None:
    word = lexical.Group("history", (), 2.0)
    of = lexical.Group("of", (), 0.4)
    rest = lexical.Group("thrombosis", (), 5.0)
    ranking = Ranking(of_head=1.5)
    assert [g.idf for g in lexical._of_head([word, of, rest], ranking)] == [3.0, 0.4, 5.0]
    # "sprain and strain of wrist": two things, neither first before "of"; "history" alone, no "of" at all.
    assert [g.idf for g in lexical._of_head([rest, word, of, rest], ranking)] == [5.0, 2.0, 0.4, 5.0]
    assert [g.idf for g in lexical._of_head([word, rest], ranking)] == [2.0, 5.0]
