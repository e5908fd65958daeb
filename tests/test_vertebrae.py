"""A vertebra named by its spine level (search/vertebrae.py), read as the classifications' words."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.models import MatchReason
from medcodes.search import vertebrae
from medcodes.search.query import parse
from tests.helpers import code_engine


@pytest.mark.parametrize(
    ("word", "named"),
    [
        ("c1", "first cervical vertebra"),
        ("c2", "second cervical vertebra"),
        ("c7", "seventh cervical vertebra"),
        ("t1", "first thoracic vertebra"),
        ("t12", "twelfth thoracic vertebra"),
        ("l1", "first lumbar vertebra"),
        ("l5", "fifth lumbar vertebra"),
    ],
)
def test_a_spine_level_names_its_vertebra(word: str, named: str) -> None:
    assert vertebrae.named(word) == (named,)


@pytest.mark.parametrize("word", ["c8", "t13", "l6", "c0", "c02", "s1", "x2", "c", "cx", "2", "", "l1a"])
def test_no_other_word_names_a_vertebra(word: str) -> None:
    """C8 is a nerve root (there are seven cervical vertebrae), the sacrum's segments are not named so."""
    assert vertebrae.named(word) == ()


def test_a_level_finds_the_title_that_spells_the_vertebra_out(tmp_path: Path) -> None:
    """`c2 fracture` finds "Fracture of second cervical vertebra", not the complement's C2 (a word as typed), and
    says why; a level the titles write as typed ("T11-T12") is found by its own words."""
    engine = code_engine(
        tmp_path / "spine.db",
        {
            "D84.1": "Defects in the complement system",
            "S12.100A": "Unspecified displaced fracture of second cervical vertebra, initial encounter",
            "S12.000A": "Unspecified displaced fracture of first cervical vertebra, initial encounter",
            "S22.089A": "Unspecified fracture of T11-T12 vertebra, initial encounter for closed fracture",
            "M50.91": "Cervical disc disorder, unspecified, high cervical region",
        },
        {"D84.1": "Deficiency, complement system, C2", "M50.91": "Disorder, disc, cervical, C2-C3"},
    )
    first = engine.search(parse("c2 fracture")).hits[0]
    assert first.code == "S12.100A"
    assert MatchReason("abbreviation", "C2 = second cervical vertebra") in first.reasons
    assert engine.search(parse("t12 fracture")).hits[0].code == "S22.089A"
    assert engine.search(parse("c2 deficiency")).hits[0].code == "D84.1"
