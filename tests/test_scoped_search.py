"""A code typed among words keeps the other words to that code and below it (search/engine.py ``_scoped``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from tests.helpers import tree_store

ROWS = [
    ("E11", "Type 2 diabetes mellitus", False, None),
    ("E11.40", "Type 2 diabetes mellitus with diabetic neuropathy, unspecified", True, "E11"),
    ("E11.9", "Type 2 diabetes mellitus without complications", True, "E11"),
    ("G62", "Other and unspecified polyneuropathies", False, None),
    ("G62.9", "Polyneuropathy, unspecified", True, "G62"),
    ("G90", "Disorders of autonomic nervous system", False, None),
    ("G90.9", "Neuropathy, unspecified", True, "G90"),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return SearchEngine(tree_store(Path(tmp_path_factory.mktemp("scoped")) / "s.db", ROWS))


def test_the_words_are_looked_for_within_the_code(engine: SearchEngine) -> None:
    everywhere = engine.search(parse("neuropathy"))
    assert everywhere.hits[0].code == "G90.9"  # the shortest name that says it, outside E11
    for query in ("E11 neuropathy", "neuropathy e11"):
        found = engine.search(parse(query))
        assert [h.code for h in found.hits] == ["E11.40"]
        assert found.notice is not None and "E11 Type 2 diabetes mellitus" in found.notice


def test_words_the_code_does_not_hold_are_searched_everywhere(engine: SearchEngine) -> None:
    found = engine.search(parse("G62 neuropathy"))
    assert found.notice is None
    assert found.hits[0].code == "G90.9"


def test_a_code_in_two_parts_is_still_a_code(engine: SearchEngine) -> None:
    found = engine.search(parse("e11 9"))
    assert found.hits[0].code == "E11.9" and found.notice is None


def test_a_number_or_a_word_is_no_scope(engine: SearchEngine) -> None:
    assert engine.search(parse("type 2 diabetes neuropathy")).notice is None
