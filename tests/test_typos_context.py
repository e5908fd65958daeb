"""A typo is read as the nearest known word the query's other words are said with (search/typos.py,
``Speller.correct``): "apthus ulcer" is an aphthous ulcer, two edits away, not the Arthus phenomenon, one edit
away, that no designation says with "ulcer"; a nearer word said with them stays first."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.models import Concept, ConceptKind
from medcodes.search import index, typos
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.search.ranking import Typos
from medcodes.search.typos import Speller
from medcodes.systems import SystemId

from .helpers import code_engine, concept_store

TITLES = {
    "K12.0": "Recurrent oral aphthae",
    "T78.41XA": "Arthus phenomenon, initial encounter",
    "L98.499": "Non-pressure chronic ulcer of skin of other sites with unspecified severity",
    "H35.63": "Retinal hemorrhage, bilateral",
    "N28.89": "Other specified disorders of kidney and ureter",
    "R31.9": "Hematuria, unspecified",
    "C71.9": "Malignant neoplasm of brain, unspecified",
    "L51.9": "Erythema multiforme, unspecified",
    "R19.5": "Other fecal abnormalities",
    "J34.2": "Deviated nasal septum",
    "Q35.7": "Cleft uvula",
}
INDEX_TERMS = {
    "K12.0": "Ulcer, aphthous",
    "N28.89": "Hemorrhage, renal",
    "R31.9": "Hemorrhage, renal, with hematuria",
    "C71.9": "Spongioblastoma, unspecified site",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return code_engine(tmp_path_factory.mktemp("typos") / "t.db", TITLES, INDEX_TERMS)


@pytest.fixture(scope="module")
def speller(engine: SearchEngine) -> Speller:
    assert engine.index is not None
    return engine.speller(engine.index)


def _ids(engine: SearchEngine, *words: str) -> list[int]:
    assert engine.index is not None
    return [t for w in words if (t := engine.index.term(w)) is not None]


def test_a_farther_word_said_with_the_others_is_read_where_no_nearer_one_is(
    engine: SearchEngine, speller: Speller
) -> None:
    assert speller.correct("apthus") == "arthus"  # alone: the nearest
    assert speller.correct("apthus", _ids(engine, "ulcer")) == "aphthous"
    result = engine.search(parse("apthus ulcer"))
    assert result.corrected_query == "aphthous ulcer"
    assert result.hits[0].code == "K12.0"


def test_a_nearer_word_said_with_the_others_stays_first(engine: SearchEngine, speller: Speller) -> None:
    # Two designations say "renal" with "hemorrhage", one says "retinal": retinal is one edit away, renal two.
    assert speller.correct("retnial", _ids(engine, "hemorrhage")) == "retinal"
    assert engine.search(parse("retnial hemorrhage")).hits[0].code == "H35.63"


def test_a_long_word_one_edit_from_its_correction_is_a_slip_taken_alone(engine: SearchEngine) -> None:
    # "spongioblastoma" is said with no other word of the query: by context alone the correction would not be taken,
    # and the words as typed would find only "multiforme" (an erythema).
    result = engine.search(parse("sponioblastoma multiforme"))
    assert result.corrected_query == "spongioblastoma multiforme"
    assert sorted(h.code for h in result.hits) == ["C71.9", "L51.9"]  # the corrected words' and the typed ones'


@pytest.mark.parametrize(
    ("typed", "fixed", "taken"),
    [
        ("sponioblastoma", "spongioblastoma", True),  # a letter left out
        ("infction", "infection", True),  # the correction is nine letters long
        ("incolntinence", "incontinence", True),  # a letter added
        ("hemorrhgae", "hemorrhage", True),  # two letters swapped
        ("sarcowma", "sarcoma", True),  # eight letters, but no source writes it
        ("cramping", "camping", False),  # eight letters, a word the vocabularies write: one the code sets lack
        ("tarry", "tardy", False),  # too short to tell
        ("spongblastma", "spongioblastoma", False),  # three edits
    ],
)
def test_a_slip_is_one_edit_in_a_long_word_or_in_one_no_source_writes(
    engine: SearchEngine, typed: str, fixed: str, taken: bool
) -> None:
    assert engine.index is not None
    speller = Speller(engine.index, Typos(), written=frozenset({"cramping", "stomach"}))
    assert speller.sure(["brain", typed], ["brain", fixed]) is taken


def test_without_the_written_words_only_a_long_word_is_a_sure_slip(speller: Speller) -> None:
    # A database built before the list: no word is known to be unwritten.
    assert speller.written is None
    assert not speller.sure(["sarcowma"], ["sarcoma"])
    assert speller.sure(["infction"], ["infection"])


def test_nothing_changed_or_words_joined_is_no_sure_slip(speller: Speller) -> None:
    assert not speller.sure(["hemorrhage"], ["hemorrhage"])
    assert not speller.sure(["hemorrhage", "renal"], ["hemorrhage"])


def test_the_written_words_are_the_vocabularies_definitions_and_rewrites(tmp_path: Path) -> None:
    engine = code_engine(tmp_path / "w.db", {"R10.9": "Unspecified abdominal pain"}, {})
    store = engine.store
    assert typos.load(store) is None  # built before the list
    concept = store.connection.execute("SELECT id FROM concepts WHERE code = 'R10.9'").fetchone()[0]
    store.connection.execute(
        "INSERT INTO definitions (concept_id, text, source, term) VALUES (?, ?, 'doid', '')",
        (concept, "Pain felt as cramping in the belly, 2 or more days."),
    )
    store.connection.execute(
        "INSERT INTO rewrites (text, target, source, term, scope) VALUES (?, ?, 'hpo', '', '')",
        ("Tummy ache", "Abdominal pain"),
    )
    store.connection.commit()
    typos.save(store)
    kept = typos.load(store)
    assert kept is not None
    assert set(kept) == {
        "pain",
        "felt",
        "as",
        "cramping",
        "in",
        "the",
        "belly",
        "or",
        "more",
        "days",
        "tummy",
        "ache",
    } | {"abdominal"}


def test_a_word_no_source_writes_is_corrected_though_its_correction_matches_alone(
    engine: SearchEngine, tmp_path: Path
) -> None:
    # "deviated" is said with no other word of the query: by context alone the correction is not taken, and the
    # words as typed find only the uvula.
    assert engine.search(parse("deviatd uvula")).corrected_query is None
    written = code_engine(tmp_path / "s.db", TITLES, INDEX_TERMS, steps=(index.write, typos.save))
    result = written.search(parse("deviatd uvula"))
    assert result.corrected_query == "deviated uvula"
    assert {h.code for h in result.hits} == {"J34.2", "Q35.7"}


def test_a_typo_is_read_as_a_word_the_engine_reads_though_no_designation_says_it(tmp_path: Path) -> None:
    titles = {"M11.20": "Other chondrocalcinosis, unspecified site", "L40.9": "Psoriasis, unspecified"}
    engine = code_engine(tmp_path / "r.db", titles, {})
    engine.abbreviations["pseudogout"] = ("chondrocalcinosis",)  # a vocabulary's name for it
    result = engine.search(parse("pseudoagout"))
    assert result.corrected_query == "pseudogout"
    assert [h.code for h in result.hits] == ["M11.20"]


def test_where_nothing_is_found_a_word_that_starts_others_is_read_as_a_typo(tmp_path: Path) -> None:
    concepts = [
        Concept(SystemId.ICD10CM, "K92.1", "Melena", ConceptKind.CODE, True, seq=0),
        Concept(SystemId.ICD11, "1D0Y", "Meleagrid infection", ConceptKind.CODE, True, seq=1),
    ]
    store = concept_store(tmp_path / "m.db", concepts)
    index.write(store)
    engine = SearchEngine(store)
    # "melea" starts "meleagrid": a word being typed, read so where it finds something ...
    assert [h.code for h in engine.search(parse("melea")).hits] == ["1D0Y"]
    # ... but in ICD-10-CM it finds nothing, and is read as the typo it is.
    result = engine.search(parse("melea", (SystemId.ICD10CM,)))
    assert result.corrected_query == "melena"
    assert [h.code for h in result.hits] == ["K92.1"]
