"""A plus or a minus closing a marker ("ER+", "HER2-", "hiv+") is a word, kept with its marker: text.signs."""

from __future__ import annotations

import pytest

from medcodes.models import DesignationKind
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse

from .helpers import code_engine

TITLES = {
    "Z17.0": "Estrogen receptor positive status [ER+]",
    "Z17.1": "Estrogen receptor negative status [ER-]",
    "Z17.31": "Human epidermal growth factor receptor 2 positive status",
    "Z17.32": "Human epidermal growth factor receptor 2 negative status",
    "Z17.410": "Hormone receptor positive with human epidermal growth factor receptor 2 positive status",
    "Z17.411": "Hormone receptor positive with human epidermal growth factor receptor 2 negative status",
    "Z17.420": "Hormone receptor negative with human epidermal growth factor receptor 2 positive status",
    "Z17.421": "Hormone receptor negative with human epidermal growth factor receptor 2 negative status",
    "Z21": "Asymptomatic human immunodeficiency virus [HIV] infection status",
    "B20": "Human immunodeficiency virus [HIV] disease",
}
INCLUDES = {
    "Z17.31": "HER2+",
    "Z17.32": "HER2-",
    "Z17.410": "HR+ with HER2+",
    "Z17.411": "HR+ with HER2-",
    "Z17.420": "HR- with HER2+",
    "Z17.421": "HR- with HER2-",
    "Z21": "HIV positive NOS",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    more = [(code, DesignationKind.INCLUSION_TERM, text) for code, text in INCLUDES.items()]
    return code_engine(tmp_path_factory.mktemp("signs") / "s.db", TITLES, {"B20": "HIV"}, more=more)


def first(engine: SearchEngine, text: str) -> str:
    hits = engine.search(parse(text)).hits
    assert hits, text
    return hits[0].code


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("er+", "Z17.0"),  # was Z17.1: "ER+" and "ER-" were both the word "er"
        ("er-", "Z17.1"),
        ("her2+", "Z17.31"),
        ("her2-", "Z17.32"),
        ("hr+ her2-", "Z17.411"),  # the four words of Z17.411 and Z17.420 are the same: the signs tell them apart
        ("hr- her2+", "Z17.420"),
        ("hr+/her2+", "Z17.410"),
        ("hr-/her2-", "Z17.421"),
    ],
)
def test_a_marker_typed_with_its_sign_finds_its_status(engine: SearchEngine, typed: str, code: str) -> None:
    assert first(engine, typed) == code


def test_a_sign_no_name_writes_is_read_as_the_word_it_stands_for(engine: SearchEngine) -> None:
    # No name says "HIV+": the sign is read as "positive" (what Z21's inclusion term says), and the word it joins
    # to the marker, which nothing holds, neither narrows the search nor is taken for a typo.
    result = engine.search(parse("hiv+"))
    assert result.hits[0].code == "Z21"
    assert result.corrected_query is None
    assert first(engine, "hiv") == "B20"
