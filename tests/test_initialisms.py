"""Initialisms: a short word no list carries, read as the condition name whose initials it spells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcodes.search import initialisms
from medcodes.search.abbreviations import load
from medcodes.search.engine import SearchEngine
from medcodes.search.initialisms import Deriver, derive, natural_order
from medcodes.search.query import parse
from medcodes.search.ranking import Initialisms
from medcodes.store.sqlite import SQLiteStore

from .helpers import fixture_db

WORDS = ("gun", "ventricular", "hemorrhage", "shot", "cerebellar", "pontocerebellar", "coma", "atrophy", "wound")


def keys(run: str) -> set[tuple[str, str]]:
    return set(Deriver(WORDS).keys(run.split()))


def test_a_name_is_keyed_by_its_initials_and_its_last_words_by_theirs() -> None:
    assert keys("chronic obstructive pulmonary disease") >= {
        ("copd", "chronic obstructive pulmonary disease"),
        ("opd", "obstructive pulmonary disease"),
    }
    # "of" gives no letter; what follows it is what the name is about, no name of its own.
    assert ("tof", "tetralogy of fallot") not in keys("tetralogy of fallot")
    assert ("lsc", "laceration of sigmoid colon") in keys("laceration of sigmoid colon")
    assert not {k for k, _ in keys("laceration of sigmoid colon") if k == "sc"}
    # Two letters stand for too many names; more than six is no word anyone types.
    assert all(3 <= len(k) <= 6 for k, _ in keys("a b c d e f g h"))


def test_a_compound_gives_its_parts_initials() -> None:
    deriver = Deriver(WORDS)
    assert deriver.initials("intraventricular") == ("i", "iv")
    assert deriver.initials("gunshot") == ("g", "gs")  # "gun" and "shot" are words
    assert deriver.initials("olivopontocerebellar") == ("o", "oc", "op", "opc")
    # A leading part that is no word and ends in no vowel is no combining form: "sar|coma" is one word.
    assert deriver.initials("sarcoma") == ("s",)
    assert ("ivh", "intraventricular hemorrhage") in keys("intraventricular hemorrhage")
    assert ("opca", "olivopontocerebellar atrophy") in keys("olivopontocerebellar atrophy")
    assert ("gsw", "gunshot wound") in keys("gunshot wound")


def test_an_index_entry_is_also_read_in_natural_order() -> None:
    assert natural_order("Atrophy, atrophic, olivopontocerebellar") == ["olivopontocerebellar atrophy"]
    assert natural_order("Disease, cardiovascular, hypertensive") == [
        "cardiovascular disease",
        "hypertensive cardiovascular disease",
    ]
    assert natural_order("Pregnancy, ectopic, with intrauterine pregnancy") == ["ectopic pregnancy"]
    assert natural_order("Hemorrhage, hemorrhagic") == []


def test_a_key_keeps_the_names_most_sources_and_codes_give() -> None:
    rows = [
        (1, "tabular", ["Lichen simplex chronicus"]),
        (1, "doid", ["lichen simplex chronicus"]),
        (2, "tabular", ["Left sided colitis, with rectal bleeding"]),
        (3, "tabular", ["Left sided colitis, with fistula"]),
        (4, "tabular", ["Late syphilitic chorioretinitis"]),
        (5, "tabular", ["Lumbar spinal cords"]),
        (6, "tabular", ["Lumbar spinal cord"]),
    ]
    found = derive(rows, Initialisms(phrases=3))
    # Two sources first, then two codes each (the plural and the singular are one name) the shorter first; the
    # name of one code and one source is left out.
    assert found["lsc"] == ["lichen simplex chronicus", "left sided colitis", "lumbar spinal cords"]
    assert derive(rows, Initialisms(phrases=1))["lsc"] == ["lichen simplex chronicus"]


def test_the_initialisms_round_trip_and_give_way_to_words_and_known_abbreviations(tmp_path: Path) -> None:
    store = SQLiteStore.create(tmp_path / "i.db")
    try:
        found = {"ivh": ["intraventricular hemorrhage"], "copd": ["catecholamine overproduction"], "hyp": ["x y p"]}
        store.put_blob(initialisms.BLOB, json.dumps(found).encode())
        assert initialisms.load(store) == found
        words = {"intraventricular", "hemorrhage", "hypertension"}
        read = load(store, lambda w: w in words, lambda w: any(v.startswith(w) for v in words))
        assert read["ivh"] == ("intraventricular hemorrhage",)
        assert read["copd"] == ("chronic obstructive pulmonary disease",)  # the curated list comes first
        assert "hyp" not in read  # a word cut short ("hyp" of "hypertension") is read as such
        assert "ivh" not in load(store)  # without the index nothing says the key is no word
    finally:
        store.close()


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return SearchEngine(SQLiteStore.open(fixture_db(tmp_path_factory.mktemp("initialisms"))))


def test_an_unknown_initialism_finds_the_code_it_names(engine: SearchEngine) -> None:
    # "tsh": nowhere in the fixture, but "Traumatic subdural hemorrhage" (S06.5) is.
    assert engine.abbreviations["tsh"] == ("traumatic subdural hemorrhage",)
    hits = engine.search(parse("tsh")).hits
    assert hits and all(h.code.startswith("S06.5") for h in hits[:3])
    # No key read is a word of the index or the start of one.
    index = engine.index
    assert index is not None
    read = [k for k, v in initialisms.load(engine.store).items() if engine.abbreviations.get(k) == tuple(v)]
    assert read and all(index.prefix_range(k)[0] == index.prefix_range(k)[1] for k in read)
