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


@pytest.mark.parametrize(
    ("words", "region"),
    [
        ("l4 l5", ("lumbar",)),
        ("t6 t7", ("thoracic",)),
        ("c5 c6", ("cervical",)),
        ("l5 s1", ("lumbosacral",)),
        ("t12 l1", ("thoracolumbar",)),
        ("c7 t1", ("cervicothoracic",)),
        ("l4 l6", ()),
        ("l5 l4", ()),
        ("l3 l5", ()),
        ("s1 s2", ()),
        ("l4 fracture", ()),
    ],
)
def test_two_adjacent_levels_bound_a_part_of_the_spine(words: str, region: tuple[str, ...]) -> None:
    assert vertebrae.between(words.split()) == region


def test_two_levels_find_the_disc_codes_that_name_the_region(tmp_path: Path) -> None:
    """`l4 l5 disc displacement` finds the lumbar disc code, which names no level; where a name holds the levels with
    the other words ("Subluxation of L4/L5 lumbar vertebra", "C5-C6 level"), the levels as typed find it."""
    engine = code_engine(
        tmp_path / "discs.db",
        {
            "M51.26": "Other intervertebral disc displacement, lumbar region",
            "M51.37": "Other intervertebral disc degeneration, lumbosacral region",
            "S33.140A": "Subluxation of L4/L5 lumbar vertebra, initial encounter",
            "S33.100A": "Subluxation of unspecified lumbar vertebra, initial encounter",
            "M50.922": "Unspecified cervical disc disorder at C5-C6 level",
            "M46.42": "Discitis, unspecified, cervical region",
        },
        {},
    )

    def first(text: str) -> str:
        return engine.search(parse(text)).hits[0].code

    assert first("l4 l5 disc displacement") == "M51.26"
    assert first("l5 s1 disc degeneration") == "M51.37"
    assert first("l4 l5 subluxation") == "S33.140A"
    assert first("c5 c6 disc") == "M50.922"
