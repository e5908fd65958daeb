"""Finding which phrases a body of texts says word for word (``sources.said_phrases``)."""

from __future__ import annotations

from medcodes.sources.said_phrases import said


def test_a_phrase_is_said_as_whole_words_in_order() -> None:
    texts = ["decreased white blood cell count", "bloodcell", "cell blood white"]
    assert said({"white blood cell", "blood cell", "cell count", "blood c", "cell white"}, texts) == {
        "white blood cell",
        "blood cell",  # inside a longer phrase found at an earlier word
        "cell count",  # overlapping the one found before it
    }


def test_a_shorter_phrase_starting_at_the_same_word_is_said_too() -> None:
    assert said({"blood glucose", "blood glucose level", "blood"}, ["high blood glucose level"]) == {
        "blood",
        "blood glucose",
        "blood glucose level",
    }


def test_no_phrase_is_said_across_two_texts() -> None:
    assert said({"radius fracture"}, ["fracture of radius", "fracture of ulna"]) == set()
    assert said({"radius fracture"}, ["torus fracture of radius", "radius fracture"]) == {"radius fracture"}


def test_nothing_asked_or_nothing_to_read() -> None:
    assert said(set(), ["anything"]) == set()
    assert said({"anything"}, []) == set()
    assert said({""}, [""]) == set()
