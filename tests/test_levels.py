"""A level said in plain words, read as the classifications' hyper- and hypo- terms (search/levels.py): "calcium
high" is hypercalcemia, "chloride low" hypochloremia, "muscle tone low" hypotonia."""

from __future__ import annotations

import bisect

import pytest

from medcodes.search import levels
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.systems import SystemId

from .helpers import code_engine

WORDS = sorted(
    [
        "hypercalcemia",
        "hypercalciuria",
        "hyperchloremia",
        "hyperchlorhydria",
        "hypochloremia",
        "hypochlorite",
        "hypophosphatemia",
        "hypothyroidism",
        "hypothyroxinemia",
        "hypotonia",
        "hypotonic",
        "hypertension",
        "neutropenia",
        "neutrophilic",
        "lymphocytosis",
        "eosinophilia",
        "hypereosinophilia",
        "proteinosis",
    ]
)


def _starting(prefix: str) -> list[str]:
    lo = bisect.bisect_left(WORDS, prefix)
    hi = bisect.bisect_left(WORDS, prefix + "\uffff")
    return WORDS[lo:hi]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("calcium", "high"), ("hypercalcemia",)),  # the blood's term, not the urine's
        (("high", "calcium"), ("hypercalcemia",)),
        (("chloride", "low"), ("hypochloremia",)),  # not the chemical hypochlorite
        (("phosphate", "decreased"), ("hypophosphatemia",)),  # "phosphat|e": the stem ends before the shared letters
        (("thyroid", "low"), ("hypothyroidism",)),  # not hypothyroxinemia: "thyroid" is no stem of "thyroxin"
        (("thyroxine", "low"), ("hypothyroxinemia",)),
        (("tone", "low"), ("hypotonia",)),  # a word of four letters keeps three; an adjective is no condition
        (("tension", "elevated"), ("hypertension",)),
        (("calcium", "calcium"), ()),  # no level
        (("high", "low"), ()),  # no thing
        (("sugar", "high"), ()),  # no such term: nothing is made up
        (("calcium", "high", "urine"), ()),  # a pair only
        # A count of cells: the ending alone says it ("neutro|penia", "lympho|cytosis"), beside a hyper- term.
        (("neutrophils", "low"), ("neutropenia",)),
        (("high", "lymphocytes"), ("lymphocytosis",)),
        (("eosinophil", "elevated"), ("hypereosinophilia", "eosinophilia")),
        (("protein", "high"), ()),  # no count ending: not the lung's proteinosis
    ],
)
def test_a_level_and_a_thing_read_as_the_term_the_data_holds(words: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert levels.terms(words, _starting) == expected


def test_the_urine_term_where_the_query_speaks_of_urine() -> None:
    assert levels.terms(("calcium", "high"), _starting, urine=True) == ("hypercalciuria",)


TITLES = {
    "E83.52": "Hypercalcemia",
    "R82.994": "Hypercalciuria",
    "E87.8": "Other disorders of electrolyte and fluid balance, not elsewhere classified",
    "E51.9": "Thiamine deficiency, unspecified",
    "R50.9": "Fever, unspecified",
    "E61.1": "Iron deficiency",
    "E87.0": "Hyperosmolality and hypernatremia",
    "E20.9": "Hypoparathyroidism, unspecified",
    "E21.3": "Hyperparathyroidism, unspecified",
    "E21.4": "Other specified disorders of parathyroid gland",
}
INDEX_TERMS = {
    "E87.8": "Hyperchloremia",
    "E51.9": "Deficiency, thiamin, thiaminic (chloride)",
    "R50.9": "High, temperature",
    "E87.0": "Excess, sodium",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return code_engine(tmp_path_factory.mktemp("levels") / "t.db", TITLES, INDEX_TERMS)


def test_a_lab_value_said_high_finds_the_condition(engine: SearchEngine) -> None:
    # Before, "chloride" alone matched the thiamin chloride entry and "high" a fever's.
    assert engine.search(parse("chloride high")).hits[0].code == "E87.8"
    assert engine.search(parse("chloride - high")).hits[0].code == "E87.8"
    assert engine.search(parse("high calcium")).hits[0].code == "E83.52"
    assert engine.search(parse("urine calcium high")).hits[0].code == "R82.994"


def test_a_term_the_searched_systems_lack_leaves_the_words_as_typed(engine: SearchEngine) -> None:
    # No ICD-10-PCS designation says hyperchloremia: the words are read as typed, each on its own.
    result = engine.search(parse("chloride high", systems=(SystemId.ICD10PCS,)))
    assert all(h.code != "E87.8" for h in result.hits)
    index = engine.index
    assert index is not None
    assert engine._graded(index, ("chloride", "high"), 0, (SystemId.ICD10PCS,)) == ()
    # Also the classifications' other name for a level ("chloride excess").
    assert engine._graded(index, ("chloride", "high"), 0, (SystemId.ICD10CM,)) == ("hyperchloremia", "chloride excess")


def test_a_level_the_data_names_no_term_for_reads_as_deficiency_or_excess(engine: SearchEngine) -> None:
    assert levels.said_of("low") == ("deficiency",) and levels.said_of("elevated") == ("excess",)
    assert levels.said_of("iron") == ()
    # No hypoferremia, no hypernatremia by the thing's stem: the deficiency and the excess the titles name.
    assert engine.search(parse("low iron")).hits[0].code == "E61.1"
    assert engine.search(parse("high sodium")).hits[0].code == "E87.0"


def test_a_hormone_s_level_is_named_by_its_gland(tmp_path_factory: pytest.TempPathFactory) -> None:
    assert levels.named_by("parathyroid hormone") == "parathyroid"
    assert levels.named_by("phosphate") == "phosphate"
    # TSH is high where the thyroid is low: only "<gland> hormone" names the gland's level.
    assert levels.named_by("thyroid stimulating hormone") is None
    assert levels.named_by("white blood cells") is None
    engine = code_engine(tmp_path_factory.mktemp("hormone") / "t.db", TITLES, INDEX_TERMS)
    engine._abbreviations = {"pth": ("parathyroid hormone",)}
    assert engine.search(parse("pth low")).hits[0].code == "E20.9"
    assert engine.search(parse("pth high")).hits[0].code == "E21.3"
