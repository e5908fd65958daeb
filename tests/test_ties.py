"""Codes tied on their best name are told apart by their next one (lexical._rank)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import numpy as np

from medcodes.search.index import LexicalIndex
from medcodes.search.lexical import _rank
from medcodes.search.ranking import DEFAULT


def ranked(concept: list[int], family: dict[int, int], score: list[float], coverage: list[float]) -> list[int]:
    """The concepts in the order ``_rank`` gives them, for designations 0..n-1 of the given concepts."""
    families = np.arange(max(concept) + 1, dtype=np.int32)
    for cid, fam in family.items():
        families[cid] = fam
    index = cast(LexicalIndex, SimpleNamespace(doc_concept=np.array(concept, dtype=np.int32), concept_family=families))
    docs = np.arange(len(concept), dtype=np.int32)
    found = _rank(index, docs, np.array(score, np.float32), np.array(coverage, np.float32), 10, ranking=DEFAULT)
    return [h.concept for h in found]


def test_codes_tied_on_their_best_name_rank_by_their_next() -> None:
    # "Fracture, pathological, ulna" (concept 1) and "Fracture, traumatic, ulna" (concept 2) tie for `ulna
    # fracture`; the traumatic code's title matches better than the pathological code's.
    assert ranked([1, 2, 1, 2, 3], {}, [5.0, 5.0, 3.0, 4.0, 4.5], [1.0] * 5) == [2, 1, 3]
    # Without a tie, the best name decides, whatever the next ones.
    assert ranked([1, 2, 1, 2], {}, [5.0, 4.9, 0.1, 4.8], [1.0] * 4) == [1, 2]


def test_ties_among_names_holding_some_words_only_keep_their_order() -> None:
    # Many codes hold "sprain" alone for `cervical sprain`: more names saying it tells nothing.
    assert ranked([1, 2, 1, 2, 2], {}, [2.0, 2.0, 0.5, 1.5, 1.0], [0.5] * 5) == [1, 2]


def test_seventh_character_siblings_keep_their_official_order() -> None:
    # Concepts 1 and 2 are siblings (one family): the initial encounter (1) first, whatever their next names.
    assert ranked([1, 2, 2, 3], {1: 9, 2: 9}, [5.0, 5.0, 4.0, 5.0], [1.0] * 4)[:2] == [1, 3]
