"""What a word typed last means (search/engine.py). A known abbreviation is read as a word still being typed only
where the words it starts are said more often than what it stands for (``_commoner_typed``): "torn acl" is the
anterior cruciate ligament, not the rare words "acl" starts; "type 2 dia" is still diabetes being typed. "a" after a
naming word is the letter A (``_letter``): "hepatitis a" is hepatitis A, not acute hepatitis being typed; "vitamin d"
the letter D, not "vitamin deficiency" being typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.search.engine import SearchEngine, _commoner_typed, _letter, _restates
from medcodes.search.query import parse

from .helpers import code_engine

TITLES = {
    "S83.519A": "Sprain of anterior cruciate ligament of unspecified knee, initial encounter",
    "S83.511A": "Sprain of anterior cruciate ligament of right knee, initial encounter",
    "M23.619": "Other spontaneous disruption of anterior cruciate ligament of unspecified knee",
    "Q78.6": "Multiple congenital exostoses",
    "M26.4": "Malocclusion, unspecified",
    "E11.9": "Type 2 diabetes mellitus without complications",
    "E11.8": "Type 2 diabetes mellitus with unspecified complications",
    "E10.9": "Type 1 diabetes mellitus without complications",
    "R69": "Illness, unspecified",
    "B15.9": "Hepatitis A without hepatic coma",
    "B17.9": "Acute viral hepatitis, unspecified",
    "K73.9": "Chronic hepatitis, unspecified",
}
INDEX_TERMS = {
    "Q78.6": "Aclasis, diaphyseal",
    "M26.4": "Aclusion",
    "E11.9": "Diabetes, diabetic, type 2",
    "R69": "Diagnosis deferred",
    "B15.9": "Hepatitis, viral, type A",
    "B17.9": "Hepatitis, acute",
    "K73.9": "Hepatitis, chronic",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return code_engine(tmp_path_factory.mktemp("typed") / "t.db", TITLES, INDEX_TERMS)


def test_an_abbreviation_that_starts_only_rare_words_means_what_it_stands_for(engine: SearchEngine) -> None:
    index = engine.index
    assert index is not None
    assert not _commoner_typed(index, "acl", ("anterior cruciate ligament",))
    assert engine.search(parse("torn acl")).hits[0].code == "S83.519A"
    assert engine.search(parse("acl")).hits[0].code.startswith("S83.51")


def test_an_abbreviation_that_starts_common_words_is_still_being_typed(engine: SearchEngine) -> None:
    index = engine.index
    assert index is not None
    # "dia" starts diabetes (five designations here) and diagnosis; its meaning's words are not all in the data.
    assert _commoner_typed(index, "dia", ("desmoplastic infantile astrocytoma",))
    assert engine.search(parse("type 2 dia")).hits[0].code == "E11.9"


@pytest.mark.parametrize(
    ("words", "letter"),
    [
        (("hepatitis", "a"), True),
        (("vitamin", "d"), True),
        (("vitamin", "a", "deficiency"), False),  # not last: "a" is the letter anyway, and reads as typed
        (("fracture", "of", "a"), False),  # after a joining word: a word being typed
        (("a",), False),  # alone: a word being typed
    ],
)
def test_a_letter_ends_a_name(words: tuple[str, ...], letter: bool) -> None:
    assert _letter(words, len(words) - 1) is letter


def test_hepatitis_a_is_hepatitis_a(engine: SearchEngine) -> None:
    # Before, "a" was an article still being typed: acute hepatitis came first.
    assert engine.search(parse("hepatitis a")).hits[0].code == "B15.9"


DVT_TITLES = {
    "I82.409": "Acute embolism and thrombosis of unspecified deep veins of unspecified lower extremity",
    "O87.1": "Deep phlebothrombosis in the puerperium",
}
DVT_INDEX = {"I82.409": "Thrombosis, thrombotic, vein, deep", "O87.1": "Deep vein thrombosis, postpartum"}


def test_a_short_form_of_what_the_other_words_say_is_not_counted_again(tmp_path: Path) -> None:
    engine = code_engine(tmp_path / "t.db", DVT_TITLES, DVT_INDEX)
    plain = [(h.code, h.score) for h in engine.search(parse("deep vein thrombosis")).hits]
    # "(dvt)" restates the name: read again, "deep vein thrombosis" in its order would count twice (on the full
    # build, putting the postpartum term ahead of the index's inverted one). The scores are those of the name.
    assert [(h.code, h.score) for h in engine.search(parse("deep vein thrombosis (dvt)")).hits] == plain
    assert plain[0][0] == "I82.409"
    assert _restates(["deep vein thrombosis"], ["deep", "vein", "thrombosis"])
    assert not _restates(["deep vein thrombosis"], ["deep", "vein"])
    assert not _restates(["thrombosis"], ["thrombosis"])  # one word: a reading, not a short form of a name
