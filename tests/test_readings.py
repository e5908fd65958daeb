"""Words the Alphabetic Index reads as other words in any query (sources/icd10cm_index.py ``readings``, kept by
the store, read by search/abbreviations.py): "Overdose - see Table of Drugs and Chemicals, by drug, poisoning"
makes "heroin overdose" the table's row "Heroin - Poisoning", not the overdose of radiation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from medcodes.models import Concept, ConceptKind, Release, ReleaseContent
from medcodes.search import abbreviations, index
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

from .helpers import code_engine, code_store

READINGS = (("overdose", "poisoning"), ("toxicity", "poisoning"))


def test_the_store_keeps_the_readings_of_every_release(tmp_path: Path) -> None:
    store = SQLiteStore.create(tmp_path / "r.db")
    try:
        assert store.readings() == {}
        release = Release(SystemId.ICD10CM, "2026", dt.date(2025, 10, 1))
        concept = Concept(SystemId.ICD10CM, "R69", "Illness, unspecified", ConceptKind.CODE, True)
        store.add_release(ReleaseContent(release, (concept,), readings=READINGS))
        store.add_readings([("overdose", "poisoning"), ("overdose", "adverse effect")])
        assert store.readings() == {"overdose": ["poisoning", "adverse effect"], "toxicity": ["poisoning"]}
        # The index's own words: read although the code sets hold every word of them (a vocabulary's rewrite
        # whose words they all hold is not).
        read = abbreviations.load(store, lambda word: True)
        assert read["overdose"] == ("poisoning", "adverse effect")
    finally:
        store.close()


TITLES = {
    "T40.1X1A": "Poisoning by heroin, accidental (unintentional), initial encounter",
    "Y63.2": "Overdose of radiation given during therapy",
    "F11.20": "Opioid dependence, uncomplicated",
}
INDEX_TERMS = {
    "T40.1X1A": "Heroin \u2014 Poisoning Accidental (unintentional)",
    "Y63.2": "Overdose, radiation",
    "F11.20": "Dependence, heroin",
}


@pytest.mark.parametrize("read", [True, False])
def test_an_overdose_of_a_drug_is_its_poisoning(tmp_path: Path, read: bool) -> None:
    steps = (lambda store: store.add_readings(READINGS), index.write) if read else (index.write,)
    engine: SearchEngine = code_engine(tmp_path / "t.db", TITLES, INDEX_TERMS, steps=steps)
    first = engine.search(parse("heroin overdose")).hits[0].code
    # Without the index's reading, "overdose" alone says the radiation's.
    assert first == ("T40.1X1A" if read else "Y63.2")


VOMITING_TITLES = {
    "K92.0": "Hematemesis",
    "R11.10": "Vomiting, unspecified",
    "R11.14": "Bilious vomiting",
    "K92.1": "Melena",
}
VOMITING_INDEX = {"K92.0": "Vomiting, blood", "R11.10": "Emesis", "R11.14": "Bilious emesis", "K92.1": "Stool, bloody"}


@pytest.mark.parametrize("read", [True, False])
def test_a_word_the_index_sends_to_a_main_term_is_read_as_that_term(tmp_path: Path, read: bool) -> None:
    # "Emesis - see Vomiting": "bloody emesis" is the index's "Vomiting, blood" (K92.0).
    said = (("emesis", "vomiting"),)
    steps = (lambda store: store.add_readings(said), index.write) if read else (index.write,)
    engine: SearchEngine = code_engine(tmp_path / "t.db", VOMITING_TITLES, VOMITING_INDEX, steps=steps)
    codes = [hit.code for hit in engine.search(parse("bloody emesis")).hits]
    # Without the reading, the words are read one by one: the bloody stool, or any emesis, first.
    assert (codes[0] == "K92.0") is read


def test_a_reading_the_query_says_itself_counts_once(tmp_path: Path) -> None:
    # "Postprocedural - see also Postoperative": a query saying both words read "postprocedural" as "postoperative"
    # too, and the title saying "postoperative" matched both words, three times the score of the one saying
    # "postprocedural".
    titles = {
        "H59.9": "Postprocedural hemorrhage of eye and adnexa",
        "H59.8": "Postoperative hemorrhage of eye and adnexa",
    }
    store = code_store(tmp_path / "t.db", titles, {})
    store.add_readings([("postprocedural", "postoperative")])
    index.write(store)
    engine = SearchEngine(store)
    scores = {h.code: h.score for h in engine.search(parse("postprocedural or postoperative hemorrhage eye")).hits}
    assert scores["H59.8"] == pytest.approx(scores["H59.9"])
    # Said alone, the word is read both ways.
    found = {h.code for h in engine.search(parse("postprocedural hemorrhage eye")).hits}
    assert found == {"H59.9", "H59.8"}
