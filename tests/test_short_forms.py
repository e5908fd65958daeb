"""Short forms: the code sets' own abbreviations, read off their short titles (search/short_forms.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from medcodes.models import Concept, ConceptKind, Designation, DesignationKind, Release, ReleaseContent
from medcodes.search import index, short_forms
from medcodes.search.abbreviations import load
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.search.ranking import ShortForms
from medcodes.search.short_forms import aligned, derive
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

# ICD-9-CM's long and short titles (CMS32_DESC_LONG_DX / CMS32_DESC_SHORT_DX).
ICD9 = [
    ("151.9", "Malignant neoplasm of stomach, unspecified site", "Malig neopl stomach NOS"),
    ("157.9", "Malignant neoplasm of pancreas, part unspecified", "Malig neo pancreas NOS"),
    ("162.2", "Malignant neoplasm of main bronchus", "Malig neo main bronchus"),
    ("174.9", "Malignant neoplasm of breast (female), unspecified", "Malign neopl breast NOS"),
    ("179", "Malignant neoplasm of uterus, part unspecified", "Malig neopl uterus NOS"),
    ("183.0", "Malignant neoplasm of ovary", "Malign neopl ovary"),
]


def test_a_short_title_lines_up_with_its_long_title_word_by_word() -> None:
    assert list(aligned(*ICD9[0][1:])) == [("malig", "malignant"), ("neopl", "neoplasm")]
    # A word both titles write is no short form, and what follows it stands for a later word.
    assert list(aligned("Malignant neoplasm of colon, unspecified site", "Malignant neo colon NOS")) == [
        ("neo", "neoplasm")
    ]
    # ICD-10-CM's: "femr" holds the letters of "femur" in order; "r" is too short to say.
    assert list(aligned("Nondisplaced fracture of shaft of right femur", "Nondisp fx of shaft of r femr")) == [
        ("nondisp", "nondisplaced"),
        ("femr", "femur"),
    ]
    # "fx" does not hold "fracture"'s letters in order: no pair, and no later word is taken for it.
    assert ("fx", "fracture") not in set(aligned("Fracture of rib", "Fx of rib"))


def test_a_short_form_is_kept_where_titles_agree_and_it_is_no_word_of_its_own() -> None:
    titles = [(long, short) for _, long, short in ICD9]
    titles += [("Pain in lower leg", "Pain in low leg")] * 4
    found = derive(titles, full_words={"low": 1, "pain": 1, "lower": 1, "leg": 1}, limits=ShortForms(min_titles=3))
    assert found["malig"] == ["malignant"]  # four titles
    assert found["neopl"] == ["neoplasm"]  # four titles
    assert "neo" not in found and "malign" not in found  # two titles each
    # "low" is ICD-10-CM's short form of "lower", but a word of the full names: it means itself.
    assert "low" not in found
    assert "malig" not in derive(titles, {}, ShortForms(min_titles=3, min_letters=6))


def test_a_short_form_that_is_a_word_too_is_kept_where_short_titles_use_it_far_more() -> None:
    # "Mal neo esophagus NOS": "mal" is ICD-9-CM's short form of "malignant", and a word of "Grand mal".
    titles = [("Malignant neoplasm of esophagus", "Mal neo esophagus NOS")] * 8
    limits = ShortForms(min_titles=3, word_ratio=8)
    assert derive(titles, {"mal": 1}, limits)["mal"] == ["malignant"]  # 8 short titles, one full name
    assert "mal" not in derive(titles, {"mal": 2}, limits)  # 8 < 8 x 2: a word of its own
    assert derive(titles, {}, limits)["neo"] == ["neoplasm"]


def test_a_short_form_keeps_its_senses_most_often_seen_first() -> None:
    titles = [("Disease of skin", "Dis of skin")] * 5 + [("Disorder of skin", "Dis of skin")] * 3
    titles += [("Diseases of nail", "Dis of nail")] * 2  # one word with "disease" to the engine
    titles += [("Dislocation of hip", "Dis of hip")]
    assert derive(titles, {}, ShortForms(min_titles=1, min_share=0.1))["dis"] == ["disease", "disorder"]
    assert derive(titles, {}, ShortForms(min_titles=1, min_share=0.05, senses=3))["dis"] == [
        "disease",
        "disorder",
        "dislocation",
    ]
    assert derive(titles, {}, ShortForms(min_titles=1, senses=1))["dis"] == ["disease"]


def test_the_short_forms_round_trip_and_give_way_to_the_lists(tmp_path: Path) -> None:
    store = SQLiteStore.create(tmp_path / "s.db")
    try:
        found = {"malig": ["malignant"], "copd": ["catecholamine overproduction"]}
        store.put_blob(short_forms.BLOB, json.dumps(found).encode())
        assert short_forms.load(store) == found
        read = load(store)
        assert read["malig"] == ("malignant",)
        assert read["copd"] == ("chronic obstructive pulmonary disease",)  # the curated list comes first
    finally:
        store.close()


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    path = tmp_path_factory.mktemp("short") / "s.db"
    built = SQLiteStore.create(path)
    old = tuple(
        Concept(SystemId.ICD9CM, code, title, ConceptKind.CODE, True, short_title=short, seq=i)
        for i, (code, title, short) in enumerate(ICD9)
    )
    cm = (
        ("C16.2", "Malignant neoplasm of body of stomach"),
        ("D13.1", "Benign neoplasm of stomach"),
        ("K31.9", "Disease of stomach and duodenum, unspecified"),
    )
    new = tuple(
        Concept(SystemId.ICD10CM, code, title, ConceptKind.CODE, True, seq=i) for i, (code, title) in enumerate(cm)
    )
    for system, concepts in ((SystemId.ICD9CM, old), (SystemId.ICD10CM, new)):
        names = tuple(Designation(system, c.code, DesignationKind.TITLE, c.title, "tabular") for c in concepts)
        names += tuple(
            Designation(system, c.code, DesignationKind.SHORT_TITLE, c.short_title, "short")
            for c in concepts
            if c.short_title
        )
        built.add_release(ReleaseContent(Release(system, "2026", dt.date(2025, 10, 1)), concepts, names))
    index.write(built)
    short_forms.save(built, ShortForms(min_titles=3))
    built.connection.commit()
    built.connection.close()
    return SearchEngine(SQLiteStore.open(path))


def test_a_short_form_typed_finds_the_title_that_spells_it_out(engine: SearchEngine) -> None:
    assert engine.abbreviations["malig"] == ("malignant",)
    assert engine.abbreviations["neopl"] == ("neoplasm",)
    # The ICD-10-CM title says "Malignant neoplasm", which only ICD-9-CM's short titles abbreviate; read as
    # typed, the words match no ICD-10-CM title but by "stomach", and the shortest such title came first.
    hits = engine.search(parse("malig neopl stomach", systems=(SystemId.ICD10CM,))).hits
    assert [h.code for h in hits][:1] == ["C16.2"]
    # The words as typed still match where they are written: ICD-9-CM's own short title.
    hits = engine.search(parse("malig neopl uterus")).hits
    assert hits and hits[0].code == "179"


def _engine_with(tmp_path: Path, blob: str) -> SearchEngine:
    """An ICD-10-CM store whose short forms "mal" and "neo" are kept under ``blob``."""
    store = SQLiteStore.create(tmp_path / f"{blob}.db")
    titles = {
        "C15.9": "Malignant neoplasm of esophagus, unspecified",
        "E46": "Unspecified protein-calorie malnutrition",
        "K22.2": "Esophageal obstruction",
    }
    concepts = tuple(
        Concept(SystemId.ICD10CM, code, title, ConceptKind.CODE, True, seq=i)
        for i, (code, title) in enumerate(titles.items())
    )
    names = tuple(Designation(SystemId.ICD10CM, c.code, DesignationKind.TITLE, c.title, "tabular") for c in concepts)
    store.add_release(ReleaseContent(Release(SystemId.ICD10CM, "2026", dt.date(2025, 10, 1)), concepts, names))
    store.put_word_lists(blob, {"mal": ["malignant"], "neo": ["neoplasm"]})
    index.write(store)
    return SearchEngine(store)


def test_a_short_form_that_is_a_word_too_is_read_so_before_another_word_only(tmp_path: Path) -> None:
    words_too, only_short = _engine_with(tmp_path, short_forms.WORDS_BLOB), _engine_with(tmp_path, short_forms.BLOB)
    assert words_too.words_too == {"mal", "neo"} and not only_short.words_too
    for engine in (words_too, only_short):
        # Before another word, "mal" is whole: ICD-9-CM's "Mal neo esophagus NOS" said as typed.
        assert [h.code for h in engine.search(parse("mal neo esophagus")).hits][:1] == ["C15.9"]
    # Typed alone, "mal" is the start of a word ("malnutrition", "malignant"), not first the short form.
    first = {h.code: h.score for h in words_too.search(parse("mal")).hits}
    short = {h.code: h.score for h in only_short.search(parse("mal")).hits}
    assert first["C15.9"] < short["C15.9"]
    assert "E46" in first
