"""A word typed as one that the data writes as two ("preeclampsia" for "Pre-eclampsia"): search/engine.py."""

from __future__ import annotations

import pytest

from medcodes.models import DesignationKind
from medcodes.search import index, phrases
from medcodes.search.engine import SearchEngine, _in_parts
from medcodes.search.query import parse

from .helpers import code_engine

TITLES = {
    "O14.90": "Unspecified pre-eclampsia, unspecified trimester",
    "O15.00": "Eclampsia complicating pregnancy, unspecified trimester",
    "R12": "Heartburn",
    "I50.9": "Heart failure, unspecified",
    "T21.01XA": "Burn of unspecified degree of chest wall, initial encounter",
    "H72.90": "Unspecified perforation of tympanic membrane, unspecified ear",
    "T18.2XXA": "Foreign body in stomach, initial encounter",
    "L65.9": "Nonscarring hair loss, unspecified",
}
INDEX_TERMS = {"O14.90": "Pre-eclampsia", "H72.90": "Perforation, ear drum", "T18.2XXA": "Hairball in stomach"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return code_engine(tmp_path_factory.mktemp("joined") / "j.db", TITLES, INDEX_TERMS, (index.write, phrases.write))


def codes(engine: SearchEngine, text: str) -> list[str]:
    return [h.code for h in engine.search(parse(text)).hits]


def test_a_word_typed_joined_finds_the_name_that_writes_it_as_two(engine: SearchEngine) -> None:
    # No name holds "preeclampsia"; "Pre-eclampsia" is two words to the index, and a name starts with them.
    assert codes(engine, "preeclampsia")[:1] == ["O14.90"]
    assert codes(engine, "preeclampsia unspecified trimester")[:1] == ["O14.90"]
    # "Perforation, ear drum" is read "ear drum perforation", a phrase that starts with the two words.
    assert codes(engine, "eardrum perforation")[:1] == ["H72.90"]


def test_two_words_the_data_writes_as_one_are_read_as_it_in_the_plural_too(engine: SearchEngine) -> None:
    assert codes(engine, "heart burn")[:1] == ["R12"]
    # "hairballs" is no word of the data, "hairball" is: the second word's singular joins the first.
    assert codes(engine, "stomach hair balls")[:1] == ["T18.2XXA"]
    assert codes(engine, "hair balls")[:1] == ["T18.2XXA"]


def test_a_word_is_not_split_where_no_name_starts_with_the_two_words(engine: SearchEngine) -> None:
    # "heart" and "burn" are words of the data, but no name says "heart burn": Heartburn alone, no burn of the chest.
    assert codes(engine, "heartburn") == ["R12"]
    assert engine._split(engine.index, "heartburn") == ()  # type: ignore[arg-type]
    assert engine._split(engine.index, "preeclampsia") == ("pre eclampsia",)  # type: ignore[arg-type]


NUMBERED = {
    "R97.1": "Elevated cancer antigen 125 [CA 125]",
    "S22.089A": "Unspecified fracture of T11-T12 vertebra, initial encounter for closed fracture",
    "E53.8": "Deficiency of other specified B group vitamins",
    "E78.00": "Pure hypercholesterolemia, unspecified",
    "D51.9": "Vitamin B12 deficiency anemia, unspecified",
    "A01.1": "Paratyphoid fever A",
}


@pytest.fixture(scope="module")
def numbered(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    more = [("E53.8", DesignationKind.INCLUSION_TERM, "Vitamin B12 deficiency")]
    index_terms = {"E78.00": "Elevated, elevation, cholesterol"}
    return code_engine(tmp_path_factory.mktemp("numbered") / "n.db", NUMBERED, index_terms, more=more)


@pytest.mark.parametrize(
    ("typed", "first", "parts"),
    [("ca125 elevated", "R97.1", "ca 125"), ("t11t12 fracture", "S22.089A", "t11 t12")],
)
def test_letters_and_digits_typed_together_find_the_name_that_writes_them_apart(
    numbered: SearchEngine, typed: str, first: str, parts: str
) -> None:
    """ "ca125" matched nothing, and `ca125 elevated` found what is elevated (cholesterol) first."""
    hit = numbered.search(parse(typed)).hits[0]
    assert hit.code == first
    assert any(r.text.endswith(f"= {parts}") for r in hit.reasons)


def test_a_word_of_letters_and_digits_a_name_holds_is_not_split(numbered: SearchEngine) -> None:
    assert numbered.search(parse("b12 deficiency")).hits[0].code in {"E53.8", "D51.9"}
    held = numbered.index
    assert held is not None
    assert _in_parts(held, "b12") == ()
    # Parts that are no words, or that no one name holds together, are not read so.
    assert _in_parts(held, "a1c") == () and _in_parts(held, "fever125") == ()
