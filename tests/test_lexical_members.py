"""Which candidates hold a word (``lexical._members``): read from the candidates' own words where they are fewer
than the word's postings, else marked from the postings; the same answer either way."""

from __future__ import annotations

import numpy as np
import pytest

from medcodes.search import lexical
from medcodes.search.engine import SearchEngine
from medcodes.search.index import LexicalIndex

from .helpers import code_engine

SITES = ["hip", "femur", "tibia", "fibula", "radius", "ulna", "humerus", "clavicle", "patella", "pelvis"]
TITLES = {
    f"S{n:02d}.{k}": f"{kind} of {site}, {side}"
    for n, site in enumerate(SITES)
    for k, (kind, side) in enumerate(
        (kind, side) for kind in ("Fracture", "Dislocation", "Sprain") for side in ("left", "right", "unspecified")
    )
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return code_engine(tmp_path_factory.mktemp("members") / "m.db", TITLES, {})


@pytest.mark.parametrize(("word", "prefix"), [("fracture", False), ("fract", True), ("left", False), ("fibula", False)])
def test_the_candidates_own_words_and_the_postings_say_the_same(
    engine: SearchEngine, monkeypatch: pytest.MonkeyPatch, word: str, prefix: bool
) -> None:
    index = engine.index
    assert index is not None
    atom = lexical.atom(index, word, prefix=prefix)
    assert atom is not None
    group = lexical.group(word, [[atom]])
    few = np.array([0, 5, 17, 40, 41, 89], dtype=np.int32)  # fewer candidates' words than the word's postings
    entries = sum(len(_words_of(index, int(d))) for d in few)
    assert (entries < atom.cost) is (word != "fibula")  # a common word is read from the candidates' own words
    monkeypatch.setattr(lexical, "_FORWARD_SHARE", 0)  # the candidates' own words, wherever they are fewer
    read = lexical._members(index, group, few)
    monkeypatch.setattr(lexical, "_FORWARD_SHARE", 10**9)  # the postings, always
    marked = lexical._members(index, group, few)
    assert read.tolist() == marked.tolist()
    holds = [word[:5] in " ".join(index.vocabulary[t] for t in _words_of(index, int(d))) for d in few]
    assert read.tolist() == holds


def _words_of(index: LexicalIndex, doc: int) -> list[int]:
    return [int(t) for t in index.doc_term[index.doc_ptr[doc] : index.doc_ptr[doc + 1]]]
