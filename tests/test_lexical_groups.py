"""What a group of the query weighs (search/lexical.py ``group``): the average of its likeliest alternative's words,
and a phrase typed in full at least its rarest word."""

from __future__ import annotations

import pytest

from medcodes.search.lexical import Atom, group
from medcodes.search.text import NEGATED


def word(text: str, idf: float) -> Atom:
    return Atom(text, (), 0, 0, idf, 0)


def test_a_phrase_typed_in_full_weighs_at_least_its_rarest_word() -> None:
    typed = [word("hip", 4.9), word("fracture", 3.3)]
    named = [word("fracture", 3.3), word("of", 0.5), word("neck", 4.0), word("of", 0.5), word("femur", 6.0)]
    # Its mean would be 4.1: less than "repair" (4.4) alone, which then outweighed both words in `hip fracture repair`.
    assert group("hip fracture", [typed, named]).idf == pytest.approx(4.9)
    assert group("hip fracture", [typed]).idf == pytest.approx(4.9)
    # One word: its own idf, as before.
    assert group("repair", [[word("repair", 4.4)]]).idf == pytest.approx(4.4)


def test_what_a_word_stands_for_keeps_the_average() -> None:
    # "uti" read as what it stands for: the group is one word typed, not three.
    expansion = [word("urinary", 5.0), word("tract", 6.0), word("infection", 2.0)]
    assert group("uti", [expansion], literal=False).idf == pytest.approx(13.0 / 3)


def test_a_qualifier_or_a_without_clause_keeps_the_average() -> None:
    convention = [word("not", 3.0), word("elsewhere", 7.0), word("classified", 5.0)]
    assert group("not elsewhere classified", [convention], weight=0.3).idf == pytest.approx(5.0 * 0.3)
    clause = [word("without", 6.0), word(NEGATED + "mention", 9.0), word(NEGATED + "of", 1.0)]
    assert group("without mention of", [clause]).idf == pytest.approx(16.0 / 3)
