"""ICD-11 extension codes are never reported alone: they rank after the stem codes their words match as well
(search/priors.py ``EXTENSION``, ``Priors.extension``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from medcodes.models import Concept, ConceptKind, Designation, DesignationKind, Release, ReleaseContent
from medcodes.search import index
from medcodes.search.engine import SearchEngine
from medcodes.search.priors import EXTENSION
from medcodes.search.query import parse
from medcodes.search.ranking import DEFAULT, Priors
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

MMS = SystemId.ICD11
# (code, title, kind, billable, parent), ICD-11 MMS 2025-01: a stem code and the anatomy extension that names
# the ligament its words say.
CONCEPTS = [
    ("22", "Injury, poisoning or certain other consequences of external causes", ConceptKind.CHAPTER, False, None),
    ("NC93", "Dislocation or strain or sprain of joints or ligaments of knee", ConceptKind.CATEGORY, False, "22"),
    (
        "NC93.6",
        "Strain or sprain involving anterior or posterior cruciate ligament of knee",
        ConceptKind.CODE,
        False,
        "NC93",
    ),
    (
        "NC93.6Z",
        "Strain or sprain involving anterior or posterior cruciate ligament of knee, unspecified",
        ConceptKind.CODE,
        True,
        "NC93.6",
    ),
    ("X", "Extension Codes", ConceptKind.CHAPTER, False, None),
    ("XA8P38", "Ligament of the knee", ConceptKind.EXTENSION, False, "X"),
    ("XA0ZC8", "Anterior cruciate ligament", ConceptKind.EXTENSION, False, "XA8P38"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    path: Path = tmp_path_factory.mktemp("extension") / "x.db"
    built = SQLiteStore.create(path)
    concepts = tuple(
        Concept(MMS, code, title, kind, billable, parent=parent, seq=i)
        for i, (code, title, kind, billable, parent) in enumerate(CONCEPTS)
    )
    names = tuple(Designation(MMS, c.code, DesignationKind.TITLE, c.title, "who") for c in concepts)
    built.add_release(ReleaseContent(Release(MMS, "2025-01", dt.date(2025, 1, 1)), concepts, names))
    index.write(built)
    built.connection.commit()
    built.connection.close()
    return SQLiteStore.open(path)


def codes(store: SQLiteStore, query: str, extension: float = DEFAULT.priors.extension) -> list[str]:
    engine = SearchEngine(store, DEFAULT.replace({"priors.extension": extension}))
    return [hit.code for hit in engine.search(parse(query)).hits]


def test_the_extension_chapter_marks_its_codes_and_nothing_else(store: SQLiteStore) -> None:
    built = index.load_index(store)
    assert built is not None
    marked = {
        code
        for code, *_ in CONCEPTS
        if (cid := store.concept_id(MMS, code)) is not None and built.concept_marks[cid] & EXTENSION
    }
    assert marked == {"XA8P38", "XA0ZC8"}


def test_the_factor_keeps_an_extension_code_at_its_share() -> None:
    priors = Priors(main_term=0.0, index_terms=0.0, residual=0.0, category_default=0.0, extension=0.15)
    assert priors.factor([0, 0], [0, 0], [0, 0], [0, 0], [0, 0], extension=[0, 1]).tolist() == pytest.approx(
        [1.0, 0.15]
    )
    assert 0.0 < DEFAULT.priors.extension < 1.0


def test_a_stem_code_comes_before_the_extension_that_says_the_query_exactly(store: SQLiteStore) -> None:
    # Read as any other header, the extension's title (the query's words and nothing else) ranks first.
    assert codes(store, "anterior cruciate ligament", extension=1.0)[0] == "XA0ZC8"
    found = codes(store, "anterior cruciate ligament")
    assert found[0] == "NC93.6Z"
    assert "XA0ZC8" in found  # still listed: a search for the extension code finds it
