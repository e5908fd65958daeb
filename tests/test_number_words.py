"""Numbers written another way (search/text.py, read by every word's atom): an ordinal in figures or in words
(``ordinal``: the titles spell ordinals out, "Fourth [trochlear] nerve palsy", "third trimester"; short titles and
ICD-10-PCS body parts write figures, "Burn of 2nd deg", "Right 1st Toe"), and a stage or type in Roman numerals or
in figures (``numeral``: "Type II Diabetes", "Chronic kidney disease, stage 3"). People type either."""

from __future__ import annotations

import pytest

from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.search.text import numeral, ordinal

from .helpers import code_engine


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("1st", ("first",)),
        ("2nd", ("second",)),
        ("3rd", ("third",)),
        ("4th", ("fourth",)),
        ("11th", ("eleventh",)),
        ("12th", ("twelfth",)),
        ("fourth", ("4th",)),
        ("twelfth", ("12th",)),
        ("4", ()),  # a number alone is a count or a stage, not an ordinal
        ("13th", ()),
        ("nerve", ()),
    ],
)
def test_the_other_spelling_of_an_ordinal(word: str, other: tuple[str, ...]) -> None:
    assert ordinal(word) == other


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("ii", ("2",)),
        ("iii", ("3",)),
        ("iv", ("4",)),
        ("v", ("5",)),
        ("xii", ("12",)),
        ("3", ("iii",)),
        ("12", ("xii",)),
        # "i" is a word and "x" a letter of its own ("x-linked"): neither is read as a number, nor 1 and 10 as them.
        ("i", ()),
        ("x", ()),
        ("1", ()),
        ("10", ()),
        ("13", ()),
    ],
)
def test_the_other_spelling_of_a_numeral(word: str, other: tuple[str, ...]) -> None:
    assert numeral(word) == other


TITLES = {
    "N18.30": "Chronic kidney disease, stage 3 unspecified",
    "N18.9": "Chronic kidney disease, unspecified",
    "I12.9": (
        "Hypertensive chronic kidney disease with stage 1 through stage 4 chronic kidney disease, or unspecified"
        " chronic kidney disease"
    ),
    "H49.00": "Third [oculomotor] nerve palsy, unspecified eye",
    "H49.10": "Fourth [trochlear] nerve palsy, unspecified eye",
    "G58.9": "Mononeuropathy, unspecified",
    "O46.90": "Antepartum hemorrhage, unspecified, unspecified trimester",
    "O46.91": "Antepartum hemorrhage, unspecified, first trimester",
    "O46.93": "Antepartum hemorrhage, unspecified, third trimester",
}
INDEX_TERMS = {"G58.9": "Palsy, nerve", "O46.90": "Hemorrhage, antepartum"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return code_engine(tmp_path_factory.mktemp("ordinals") / "t.db", TITLES, INDEX_TERMS)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # Before, "4th" matched nothing and "nerve palsy" alone gave the mononeuropathy first.
        ("4th nerve palsy", "H49.10"),
        ("3rd nerve palsy", "H49.00"),
        # Before, "3rd" matched nothing and the unspecified trimester came first.
        ("antepartum hemorrhage 3rd trimester", "O46.93"),
        ("antepartum hemorrhage third trimester", "O46.93"),
        # Before, "iii" matched nothing and the hypertensive code, which says "stage" twice, came first.
        ("chronic kidney disease stage iii", "N18.30"),
    ],
)
def test_a_number_matches_it_written_another_way(engine: SearchEngine, query: str, code: str) -> None:
    assert engine.search(parse(query)).hits[0].code == code
