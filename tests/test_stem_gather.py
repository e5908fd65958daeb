"""A word few designations hold also gathers the designations of the words sharing its stem (``Limits.rare_word``):
"disoriented", which only an ICD-11 name says, finds the ICD-10-CM title that says "disorientation"."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from medcodes.models import Concept, ConceptKind, Designation, DesignationKind, Release, ReleaseContent
from medcodes.search import index, lexical
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.search.ranking import DEFAULT, Limits
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

CM, ICD11 = SystemId.ICD10CM, SystemId.ICD11
CM_TITLES = {
    "R41.0": "Disorientation, unspecified",
    "R41.82": "Altered mental status, unspecified",
    "R47.81": "Slurred speech",
}
ICD11_TITLES = {"MB21.Z": "Disorientation, unspecified", "XC4Y": "Confused, disoriented speech"}


def _release(system: SystemId, version: str, titles: dict[str, str]) -> ReleaseContent:
    concepts = tuple(
        Concept(system, code, title, ConceptKind.CODE, True, seq=i) for i, (code, title) in enumerate(titles.items())
    )
    names = tuple(Designation(system, c.code, DesignationKind.TITLE, c.title, "tabular") for c in concepts)
    return ReleaseContent(Release(system, version, dt.date(2025, 1, 1)), concepts, names)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    store = SQLiteStore.create(tmp_path_factory.mktemp("stems") / "s.db")
    store.add_release(_release(CM, "2026", CM_TITLES))
    store.add_release(_release(ICD11, "2025-01", ICD11_TITLES))
    index.write(store)
    return SearchEngine(store)


def _codes(engine: SearchEngine, text: str, systems: tuple[SystemId, ...] = ()) -> list[str]:
    return [hit.code for hit in engine.search(parse(text, systems)).hits]


def test_a_rare_word_finds_the_titles_that_say_its_stem(engine: SearchEngine) -> None:
    assert _codes(engine, "disoriented", (CM,)) == ["R41.0"]


def test_the_word_as_typed_is_found_beside_them(engine: SearchEngine) -> None:
    assert set(_codes(engine, "disoriented")) == {"XC4Y", "R41.0", "MB21.Z"}


def test_without_it_the_filtered_search_finds_nothing(engine: SearchEngine) -> None:
    never = dataclasses.replace(DEFAULT, limits=Limits(rare_word=0))
    assert [hit.code for hit in engine.reranked(never).search(parse("disoriented", (CM,))).hits] == []


def test_only_a_rare_word_whose_stem_is_not_too_common_gathers(engine: SearchEngine) -> None:
    held = engine.index
    assert held is not None
    assert lexical.atom(held, "disoriented", prefix=False).stem_gather  # type: ignore[union-attr]
    # Held by more designations than the limit, or its stem's words by too many: only its own.
    assert not lexical.atom(held, "disoriented", False, Limits(rare_word=1)).stem_gather  # type: ignore[union-attr]
    assert not lexical.atom(held, "disoriented", False, Limits(stem_postings=2)).stem_gather  # type: ignore[union-attr]
    # A word no stem is shared with gathers nothing more ("slurred": no other word starts "slurr").
    assert not lexical.atom(held, "slurred", prefix=False).stem_gather  # type: ignore[union-attr]
