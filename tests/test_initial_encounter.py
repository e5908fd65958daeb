"""Of 7th-character siblings found by their titles, the first (the initial encounter) stands for them unless the
query says what another adds (search/engine.py ``SearchEngine._initial_siblings``). The full build's case, where a
broad query reads the shorter sequela titles before the initial encounter's, is in test_search_regression.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.store.sqlite import SQLiteStore

from .helpers import tree_store

# S62.163 and its 7th characters as the FY2026 tabular list writes them (abridged: three of six).
ROWS = [
    ("S62", "Fracture at wrist and hand level", False, None),
    ("S62.1", "Fracture of other and unspecified carpal bone(s)", False, "S62"),
    ("S62.16", "Fracture of pisiform", False, "S62.1"),
    ("S62.163", "Displaced fracture of pisiform, unspecified wrist", False, "S62.16"),
    (
        "S62.163A",
        "Displaced fracture of pisiform, unspecified wrist, initial encounter for closed fracture",
        True,
        "S62.163",
    ),
    (
        "S62.163D",
        "Displaced fracture of pisiform, unspecified wrist, subsequent encounter for fracture with routine healing",
        True,
        "S62.163",
    ),
    ("S62.163S", "Displaced fracture of pisiform, unspecified wrist, sequela", True, "S62.163"),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    path: Path = tmp_path_factory.mktemp("initial") / "i.db"
    store: SQLiteStore = tree_store(path, ROWS)
    return SearchEngine(store)


def first(engine: SearchEngine, text: str) -> str:
    return engine.search(parse(text)).hits[0].code


def test_the_initial_encounter_stands_for_its_siblings(engine: SearchEngine) -> None:
    # The sequela's title is the shortest, and matched the words best; the query says nothing of the encounter.
    assert first(engine, "pisiform fracture") == "S62.163A"
    hits = engine.search(parse("pisiform fracture")).hits
    assert hits[0].reasons[0].text == ROWS[4][1]  # the title shown is the code's own


def test_words_that_say_the_encounter_keep_their_code(engine: SearchEngine) -> None:
    assert first(engine, "pisiform fracture sequela") == "S62.163S"
    assert first(engine, "sequelae of pisiform fracture") == "S62.163S"  # a form sharing the word's stem
    assert first(engine, "pisiform fracture subsequent") == "S62.163D"
