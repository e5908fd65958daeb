"""A word no known word is near may be a known word with a part added before it, or with its first letters left
off (search/typos.py, ``Speller.part``); a correction is read where it fits the words around it."""

from __future__ import annotations

import dataclasses

import pytest

from medcodes.search import lexical
from medcodes.search.engine import SearchEngine, _in_context, _Words
from medcodes.search.lexical import ConceptScore, LexicalResult
from medcodes.search.query import parse
from medcodes.search.ranking import DEFAULT, Typos
from medcodes.search.typos import Speller

from .helpers import code_engine

TITLES = {
    "G95.0": "Syringomyelia and syringobulbia",
    "N64.3": "Galactorrhea not associated with childbirth",
    "D30.00": "Benign neoplasm of unspecified kidney",
    "Q60.2": "Renal agenesis, unspecified",
    "I21.9": "Acute myocardial infarction, unspecified",
    "I11.9": "Hypertensive heart disease without heart failure",
    "I51.9": "Heart disease, unspecified",
    "E72.02": "Hartnup's disease",
}
INDEX_TERMS = {
    "D30.00": "Adenoma, metanephric",
    "Q60.2": "Absence, kidney(s), congenital",
    "I21.9": "Attack, heart",
    "E72.02": "Disease, diseased, Hart's",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return code_engine(tmp_path_factory.mktemp("parts") / "p.db", TITLES, INDEX_TERMS)


@pytest.fixture(scope="module")
def speller(engine: SearchEngine) -> Speller:
    assert engine.index is not None
    return engine.speller(engine.index)


@pytest.mark.parametrize(
    ("typed", "read", "code"),
    [
        ("hydrosyringomyelia", "syringomyelia", "G95.0"),  # a part before a known word
        ("lactorrhea", "galactorrhea", "N64.3"),  # a known word's first letters left off
    ],
)
def test_a_word_made_of_a_known_word_is_read_as_it(engine: SearchEngine, typed: str, read: str, code: str) -> None:
    result = engine.search(parse(typed))
    assert result.corrected_query == read
    assert result.hits[0].code == code


def test_a_longer_start_is_a_part_of_its_own(speller: Speller) -> None:
    # "anephric" (without kidneys) is not "metanephric" (a part of the embryo's kidney) with its start left off.
    assert speller.correct("anephric") is None


def test_the_known_part_is_long_enough_beside_the_word(speller: Speller) -> None:
    assert speller.part("xsyringomyelia") == "syringomyelia"
    # "myelia" is no word; "syringomyelia" is less than 60 % of a word twice its length.
    assert speller.part("abcdefghijklmnopsyringomyelia") is None


def test_a_near_spelling_comes_before_a_part(speller: Speller) -> None:
    assert speller.correct("syringomyelai") == "syringomyelia"


# --- a correction read in context (engine._in_context) -------------------------------------------------------
def _read(coverage: float) -> LexicalResult:
    return LexicalResult((ConceptScore(concept=1, score=1.0, doc=0, coverage=coverage),), 1, {}, complete=False)


def _words(**idf: float) -> _Words:
    return _Words(tuple(lexical.Group(word, (), value) for word, value in idf.items()), ())


# "malig neopl utrus nos": the corrected "uterus" weighs 0.3 of the query, the words typed right 0.7.
QUERY = _words(malig=0.2, neopl=0.3, uterus=0.3, nos=0.2)


@pytest.mark.parametrize(
    ("coverage", "fits"),
    [
        (0.8, True),  # malignant neoplasm of uterus: the correction with the words around it
        (0.7, False),  # malig, neopl and nos, without the correction: no more than the words typed right
        (0.3, False),  # the corrected word alone
        (0.6, False),  # neopl with uterus: it holds the correction, but less than the words typed right weigh
    ],
)
def test_a_correction_fits_where_its_best_hit_holds_it_with_other_words(coverage: float, fits: bool) -> None:
    assert _in_context(_read(coverage), QUERY, {"uterus"}) is fits


def test_a_correction_alone_or_everything_corrected_is_no_context() -> None:
    assert not _in_context(_read(1.0), _words(uterus=1.0), {"uterus"})
    assert not _in_context(_read(1.0), _words(hart=0.5, attack=0.5), {"hart", "attack"})
    assert not _in_context(_read(0.9), QUERY, set())


# --- a rare word read as a far commoner one a letter away (engine._commoner) ---------------------------------
@pytest.fixture(scope="module")
def hearts(engine: SearchEngine) -> SearchEngine:
    # Three designations say "heart", one "hart": commoner by a factor the full release's words meet a hundredfold.
    return engine.reranked(dataclasses.replace(DEFAULT, typos=Typos(commoner=3.0)))


def _readings(engine: SearchEngine, text: str) -> list[list[str]]:
    """The words each alternative of the query's first group reads."""
    assert engine.index is not None
    query = parse(text)
    first = engine._words(engine.index, query.words, query.negated).groups[0]
    return [[a.word for a in alternative] for alternative in first.alternatives]


def test_a_rare_word_said_with_a_commoner_ones_words_is_read_as_it_too(hearts: SearchEngine) -> None:
    assert _readings(hearts, "hart attack") == [["hart"], ["heart"]]
    assert hearts.search(parse("hart attack")).hits[0].code == "I21.9"
    # Typed with a typo in the other word too: the correction gives the context.
    result = hearts.search(parse("hart atack"))
    assert (result.corrected_query, result.hits[0].code) == ("hart attack", "I21.9")


def test_the_rare_word_itself_still_comes_first(hearts: SearchEngine) -> None:
    assert hearts.search(parse("hart's disease")).hits[0].code == "E72.02"


def test_without_other_words_or_a_far_commoner_neighbour_it_is_read_as_typed(hearts: SearchEngine) -> None:
    assert _readings(hearts, "hart") == [["hart"]]
    never = hearts.reranked(dataclasses.replace(DEFAULT, typos=Typos(commoner=1000.0)))
    assert _readings(never, "hart attack") == [["hart"]]
