"""Many candidates are narrowed to those holding every word before any is scored (search/lexical.py ``search``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from medcodes.search import lexical
from medcodes.search.engine import SearchEngine
from medcodes.search.index import LexicalIndex
from medcodes.search.query import parse
from medcodes.search.ranking import Ranking
from medcodes.service import CodeService
from tests.helpers import fixture_db


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> CodeService:
    return CodeService.at(fixture_db(tmp_path_factory.mktemp("narrowing")))


def _holding(index: LexicalIndex, word: str) -> set[int]:
    """The designations holding the word itself (its term's postings)."""
    term = index.term(word)
    assert term is not None
    return set(index.postings(term, term + 1).tolist())


def test_the_first_candidates_scored_hold_every_word(service: CodeService, monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for two candidates, those of "initial" (the rarer word: initial encounters of several injuries)
    are narrowed to the designations that say "torus" too before any is scored: the first two designations that
    say "initial" say nothing of a torus fracture."""
    few = Ranking(limits=replace(Ranking().limits, gather=2))
    engine = SearchEngine(service.store, few)
    index = engine.index
    assert index is not None
    initial, torus = _holding(index, "initial"), _holding(index, "torus")
    assert len(torus) > len(initial) > 2 and not set(sorted(initial)[:2]) & torus
    scored: list[list[int]] = []
    score = lexical._score_matched

    def recorded(
        index: LexicalIndex, groups: list[lexical.Group], docs: np.ndarray, ranking: Ranking
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        scored.append(docs.tolist())
        return score(index, groups, docs, ranking)

    monkeypatch.setattr(lexical, "_score_matched", recorded)
    hits = engine.search(parse("initial torus")).hits
    assert scored and set(scored[0]) <= initial & torus
    assert hits[0].code == "S52.521A"
    # The same first codes as with room for every candidate.
    monkeypatch.setattr(lexical, "_score_matched", score)
    wide = [h.code for h in SearchEngine(service.store).search(parse("initial torus")).hits]
    assert [h.code for h in hits] == wide
