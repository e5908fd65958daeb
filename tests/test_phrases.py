"""Autocomplete's phrases: names the data gives codes, read as people say them, worth most first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from medcodes.models import DesignationKind
from medcodes.search import phrases
from medcodes.search.index import KINDS
from medcodes.search.phrases import Packed, Phrases, readings
from medcodes.search.ranking import DEFAULT
from medcodes.service import CodeService

from .helpers import fixture_db

INDEX = DesignationKind.INDEX_TERM


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Diabetes, diabetic", ["diabetes"]),  # a main term and its other forms: the first form
        ("Attack, attacks, heart", ["heart attack", "attack heart"]),  # one subterm: before it, and after
        ("Asthma, with exacerbation", ["asthma with exacerbation"]),  # a joining subterm follows only
        ("Fracture, traumatic, wrist, scaphoid", []),  # deeper paths are no phrase anyone types
        ("Aspirin \u2014 Poisoning, accidental (unintentional)", []),  # a table cell
    ],
)
def test_index_terms_are_read_as_people_say_them(text: str, expected: list[str]) -> None:
    assert list(readings(INDEX, text)) == expected


def test_titles_are_phrases_of_normalised_words_and_long_ones_are_left_out() -> None:
    assert list(readings(DesignationKind.TITLE, "Haemorrhage, subdural (acute)")) == ["hemorrhage subdural acute"]
    long_title = "Resection of Right Fallopian Tube, Percutaneous Endoscopic Approach With Device"
    assert list(readings(DesignationKind.TITLE, long_title)) == []
    assert list(readings(DesignationKind.SHORT_TITLE, "Acute MI")) == []


def test_completions_are_worth_most_first_and_shorter_ones_before_longer() -> None:
    title = KINDS.index(DesignationKind.TITLE)
    found = Phrases(
        ("heart attack", "heart attic", "heart attack acute anterior"),
        np.array([1, 2, 1], dtype=np.int32),
        np.array([title, title, title], dtype=np.uint8),
        np.array([2, 2, 4], dtype=np.uint8),
    )
    ordered = sorted(range(3), key=lambda i: found.texts[i])
    found = Phrases(
        tuple(found.texts[i] for i in ordered), found.concept[ordered], found.kind[ordered], found.words[ordered]
    )
    worth = np.array([0.0, 1.0, 0.2], dtype=np.float32)  # concept 1 is worth much more than concept 2
    assert found.complete("heart att", worth, DEFAULT, 5) == [
        "heart attack",
        "heart attack acute anterior",
        "heart attic",
    ]
    assert found.complete("heart z", worth, DEFAULT, 5) == []

    # Typed whole, a name comes first, before a name worth far more that only starts with it ("flu", "fluid").
    named = Phrases(
        ("flu", "fluid overload"),
        np.array([1, 2], dtype=np.int32),
        np.array([title, title], dtype=np.uint8),
        np.array([1, 2], dtype=np.uint8),
    )
    worth = np.array([0.0, 0.2, 1.0], dtype=np.float32)
    assert named.complete("fl", worth, DEFAULT, 5) == ["fluid overload", "flu"]
    assert named.complete("flu", worth, DEFAULT, 5) == ["flu", "fluid overload"]


def test_a_phrase_that_starts_more_phrases_is_offered_first() -> None:
    # "pneumonia" starts many names ("pneumonia due to ..."), "pneumohydropericardium" one, whose code is worth more.
    title = KINDS.index(DesignationKind.TITLE)
    texts = ("pneumohydropericardium", "pneumonia")
    worth = np.array([0.0, 1.0, 0.8], dtype=np.float32)
    kinds = np.array([title, title], dtype=np.uint8)
    words = np.array([1, 1], dtype=np.uint8)
    concepts = np.array([1, 2], dtype=np.int32)
    counted = Phrases(texts, concepts, kinds, words, np.array([1, 40], dtype=np.uint32))
    assert counted.complete("pneu", worth, DEFAULT, 5) == ["pneumonia", "pneumohydropericardium"]
    # A database built before the counts ranks by worth alone, and so does a ranking that leaves them out.
    assert Phrases(texts, concepts, kinds, words).complete("pneu", worth, DEFAULT, 5)[0] == "pneumohydropericardium"
    flat = DEFAULT.replace({"completion_spread": 0.0})
    assert counted.complete("pneu", worth, flat, 5)[0] == "pneumohydropericardium"


def test_a_phrase_counts_with_its_other_number() -> None:
    # "kidney stone" and "kidney stones" are one name: counted together they come before "kidney stasis", a name of
    # N19, whose code is worth more than N20.0's.
    texts = ("kidney stasis", "kidney stone", "kidney stones", "kidney stones bilateral")
    assert phrases.pooled(texts, [1, 1, 2, 1]) == [1, 3, 3, 1]
    title = KINDS.index(DesignationKind.TITLE)
    worth = np.array([0.0, 1.27, 1.17, 0.7, 0.7], dtype=np.float32)
    counted = Phrases(
        texts,
        np.array([1, 2, 3, 4], dtype=np.int32),
        np.array([title] * 4, dtype=np.uint8),
        np.array([2, 2, 2, 3], dtype=np.uint8),
    )
    apart = Phrases(counted.texts, counted.concept, counted.kind, counted.words, np.array([1, 1, 2, 1], np.uint32))
    together = Phrases(counted.texts, counted.concept, counted.kind, counted.words, np.array([1, 3, 3, 1], np.uint32))
    assert apart.complete("kidney st", worth, DEFAULT, 5)[0] == "kidney stasis"
    assert together.complete("kidney st", worth, DEFAULT, 5)[0] == "kidney stone"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> CodeService:
    return CodeService.at(fixture_db(tmp_path_factory.mktemp("phrases")))


def test_a_phrase_that_starts_longer_ones_is_worth_their_best(service: CodeService) -> None:
    built = phrases.build(service.store)
    assert list(built.texts) == sorted(built.texts)
    lo, _ = built.starting("acute myocardial infarction")
    assert built.texts[lo] == "acute myocardial infarction"
    # The header's own name (I21) carries the billable code's worth (I21.9 "..., unspecified").
    i21_9 = service.store.concept_id(service.resolve("I21.9").system, "I21.9")
    assert int(built.concept[lo]) == i21_9

    # It counts the phrases it starts, itself included: each of those that go on with it is one.
    assert built.starts is not None
    going_on = [t for t in built.texts if t.startswith("acute myocardial infarction ")]
    assert going_on
    assert int(built.starts[lo]) == 1 + len(going_on)
    saved = phrases.load(service.store)
    assert saved is not None and saved.starts is not None and int(saved.starts[lo]) == int(built.starts[lo])


@pytest.mark.parametrize("typed", ["diab", "acute myo", "fract", "torus", "subdural hem"])
def test_every_completion_of_a_word_is_a_phrase_the_data_holds(service: CodeService, typed: str) -> None:
    held = set(phrases.build(service.store).texts)
    completions = service.suggest(typed).completions
    assert completions, typed
    assert all(c in held for c in completions), completions


def test_after_a_whole_word_the_names_the_lists_read_go_on_too(service: CodeService) -> None:
    # "sugar diabetes" is no phrase of the data; the lay terms read it as "diabetes mellitus", which the data says.
    held = set(phrases.build(service.store).texts)
    assert "sugar diabetes" not in held
    found = service.suggest("sugar d")
    assert found.completions == ("sugar diabetes",)
    assert found.hits[0].code.startswith("E")
    # Not before the first word is whole, nor a name that only adds words to what it is read as ("without mention
    # of": without).
    assert "sugar diabetes" not in service.suggest("suga").completions
    assert "without mention of" not in service.suggest("without m").completions


def test_nothing_is_completed_after_a_space_or_for_what_no_name_starts(service: CodeService) -> None:
    assert service.suggest("diabetes ").completions == ()
    assert service.suggest("zzzq").completions == ()


def test_a_database_without_phrases_completes_from_its_hits(service: CodeService, tmp_path: Path) -> None:
    service.engine._phrases, service.engine._phrases_loaded = None, True
    try:
        completions = service.suggest("myocardial infarction acu").completions
    finally:
        service.engine._phrases_loaded = False
    assert completions and all("acute" in c.split() for c in completions)


def test_packed_texts_read_and_bisect_as_the_strings_they_hold() -> None:
    import bisect

    texts = sorted(["diabetes", "diabetes insipidus", "heart attack", "fièvre", "ab", "a b", "zoster", "é"])
    packed = Packed.of(texts)
    assert len(packed) == len(texts) and list(packed) == texts and packed[-1] == texts[-1] and packed[1:3] == texts[1:3]
    for probe in ("", "a", "diab", "diabetes ", "fi", "é", "zz"):
        assert bisect.bisect_left(packed, probe) == bisect.bisect_left(texts, probe)
    assert list(Packed.lines("\n".join(texts).encode())) == texts
    assert len(Packed.of([])) == 0
