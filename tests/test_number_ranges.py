"""A number typed inside a range the names write: search/number_ranges.py and engine._ranged."""

from __future__ import annotations

import math

import pytest

from medcodes.models import DesignationKind
from medcodes.search import index, number_ranges
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.search.text import tokens

from .helpers import code_engine


def test_the_ranges_a_name_writes() -> None:
    found = number_ranges.ranges(
        [
            "Body mass index [BMI] 40.0-44.9, adult",
            "Body mass index [BMI] 19.9 or less, adult",
            "Body mass index [BMI] 70 or greater, adult",
            "Extremely low birth weight newborn, less than 500 grams",
            "Glasgow coma scale score 9 - 12",
            "Fracture of T12-L1 vertebra",  # a vertebra's name, not a range
            "Code S72.0-, see E08-E13",  # codes
            "Beam radiation 10-1 MeV",  # no range: the bounds the wrong way
            "More than 36 hours",
        ]
    )
    assert found == {
        "40p0to44p9": (40.0, 44.9, "40.0-44.9"),
        "19p9atmost": (-math.inf, 19.9, "19.9 or less"),
        "70atleast": (70.0, math.inf, "70 or greater"),
        "500below": (-math.inf, 500.0, "less than 500"),
        "9to12": (9.0, 12.0, "9 - 12"),
        "36above": (36.0, math.inf, "More than 36"),
    }
    # Each is one word of the name too, so that a range is matched whole, not by its numbers anywhere in a name.
    assert tokens("Glasgow coma scale score 9-12, 24 hours or more")[5:7] == ["12", "9to12"]
    assert "9atleast" not in tokens("Glasgow coma scale score 9-12, 24 hours or more")


def test_a_number_is_read_as_the_ranges_that_hold_it_closed_ones_narrowest_first() -> None:
    ranges = number_ranges.Ranges(
        (-math.inf, 18.0, 40.0, 40.0, 70.0),
        (
            (-math.inf, 19.9, "19p9atmost"),
            (18.0, 75.0, "18to75"),
            (40.0, 44.9, "40p0to44p9"),
            (40.0, 49.0, "40to49"),
            (70.0, math.inf, "70atleast"),
        ),
        {},
    )
    assert ranges.holding(42) == ("40p0to44p9", "40to49", "18to75")
    assert ranges.holding(42.5) == ("40p0to44p9", "40to49", "18to75")
    assert ranges.holding(18.5) == ("18to75", "19p9atmost")
    assert ranges.holding(80) == ("70atleast",)
    # A bound is matched by the number typed itself ("bmi 40" says "40.0-44.9"'s 40).
    assert ranges.holding(40) == ("18to75",)


def test_a_query_number_and_its_decimal_part() -> None:
    words = tokens("bmi 42.5 adult")
    assert number_ranges.value(words, 1) == (42.5, True)
    assert number_ranges.value(words, 0) is None
    assert number_ranges.value(tokens("gcs 10"), 1) == (10.0, False)


TITLES = {
    "Z68.1": "Body mass index [BMI] 19.9 or less, adult",
    "Z68.36": "Body mass index [BMI] 36.0-36.9, adult",
    "Z68.41": "Body mass index [BMI] 40.0-44.9, adult",
    "Z68.45": "Body mass index [BMI] 70 or greater, adult",
    "R29.742": "NIHSS score 42",
    "Q91.3": "Trisomy 18, unspecified",
    "R40.2420": "Glasgow coma scale score 9-12, unspecified time",
    "P07.03": "Extremely low birth weight newborn, 750-999 grams",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    more = [("R40.2420", DesignationKind.INCLUSION_TERM, "GCS 9-12")]
    path = tmp_path_factory.mktemp("ranges") / "r.db"
    return code_engine(path, TITLES, {}, (index.write, number_ranges.save), more=more)


@pytest.mark.parametrize(
    ("typed", "code", "why"),
    [
        ("bmi 42", "Z68.41", "42 in 40.0-44.9"),  # was R29.742, the NIHSS score the number names
        ("bmi 42.5", "Z68.41", "42 in 40.0-44.9"),
        ("bmi 18", "Z68.1", "18 in 19.9 or less"),  # was Q91.3, trisomy 18
        ("bmi 75", "Z68.45", "75 in 70 or greater"),
        ("gcs 10", "R40.2420", "10 in 9-12"),
        ("birth weight 800 grams", "P07.03", "800 in 750-999"),
    ],
)
def test_a_number_typed_finds_the_range_that_holds_it(engine: SearchEngine, typed: str, code: str, why: str) -> None:
    hit = engine.search(parse(typed)).hits[0]
    assert hit.code == code
    assert ("range", why) in {(r.field, r.text) for r in hit.reasons}


def test_a_decimal_is_one_number(engine: SearchEngine) -> None:
    # "19.5" is the words "19" and "5": read as 19.5, inside "19.9 or less", the 5 no word of its own.
    assert engine.search(parse("bmi 19.5 adult")).hits[0].code == "Z68.1"
    assert engine.search(parse("bmi 44.5")).hits[0].code == "Z68.41"


def test_a_number_a_name_says_is_read_as_typed(engine: SearchEngine) -> None:
    assert engine.search(parse("nihss score 42")).hits[0].code == "R29.742"
    assert engine.search(parse("bmi 36")).hits[0].code == "Z68.36"
    assert engine.search(parse("trisomy 18")).hits[0].code == "Q91.3"
