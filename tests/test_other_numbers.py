"""A noun's other number where it takes no added -s (search/text.py ``other_numbers``, read by every word's
atom): "flat feet" is the Alphabetic Index's "Flat, foot", "varices" its "Varix"."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.search.text import other_numbers

from .helpers import code_engine


@pytest.mark.parametrize(
    ("word", "others"),
    [
        ("feet", ("foot",)),
        ("foot", ("feet",)),
        ("teeth", ("tooth",)),
        ("lice", ("louse",)),
        ("varices", ("varix", "varex", "varicis")),  # a form no word of the data has is never read
        ("meninges", ("meninx", "meningis")),
        # "-is"/"-es", and an "-s" noun's "-ses", which the singular of an "-e" noun's "-es" ("doses") misses.
        ("diagnoses", ("diagnos", "diagnosis")),
        ("prosthesis", ("prostheses",)),
        ("testes", ("testis",)),
        ("lenses", ("lens", "lensis")),
        ("viruses", ("virus", "virusis")),
        ("condyloma", ("condylomata",)),
        # Genitives and other words are left alone: "influenzae" (Haemophilus), "uteri" (cervix uteri).
        ("influenza", ()),
        ("uterus", ()),
        ("fracture", ()),
    ],
)
def test_the_other_number_of_a_noun(word: str, others: tuple[str, ...]) -> None:
    assert other_numbers(word) == others


TITLES = {
    "M21.40": "Flat foot [pes planus] (acquired), unspecified foot",
    "Q66.89": "Other specified congenital deformities of feet",
    "R60.9": "Edema, unspecified",
}
INDEX_TERMS = {"M21.40": "Flat, foot", "R60.9": "Swelling, feet"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return code_engine(tmp_path_factory.mktemp("numbers") / "t.db", TITLES, INDEX_TERMS)


def test_flat_feet_is_a_flat_foot(engine: SearchEngine) -> None:
    # Before, "feet" matched only the titles saying "feet", and the congenital deformities came first.
    assert engine.search(parse("flat feet")).hits[0].code == "M21.40"


def test_lenses_are_a_lens(tmp_path: Path) -> None:
    # Before, "lenses" was read as "lense" and "lenses" (and "lens" only as a word sharing its stem, by a share).
    titles = {"H27.10": "Unspecified dislocation of lens", "Z97.3": "Presence of spectacles and contact lenses"}
    engine = code_engine(tmp_path / "t.db", titles, {})
    assert {hit.code for hit in engine.search(parse("lenses")).hits} == {"H27.10", "Z97.3"}
    assert engine.search(parse("dislocation of lenses")).hits[0].code == "H27.10"
