"""Postings summed per designation (search/lexical.py ``_sums_by_doc``): the sorted and the counted ways agree."""

from __future__ import annotations

import numpy as np
import pytest

from medcodes.search.lexical import _SORTED_SUMS_SHARE, _sums_by_doc


def _reference(docs: np.ndarray, weights: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    every = np.bincount(docs, weights=weights, minlength=size)
    found = np.flatnonzero(every)
    return found, every[found]


@pytest.mark.parametrize("postings", [0, 1, 40, 300, 5_000])
def test_both_ways_give_the_counted_sums(postings: int) -> None:
    rng = np.random.default_rng(postings)
    size = 20_000
    docs = rng.integers(0, size, postings).astype(np.int32)
    weights = rng.random(postings).astype(np.float32)
    weights[::7] = 0.0  # a designation read only with weight 0 is no match
    sorted_way = postings * _SORTED_SUMS_SHARE < size
    found, sums = _sums_by_doc(docs, weights, size)
    want_found, want_sums = _reference(docs, weights, size)
    assert found.tolist() == want_found.tolist()
    assert sums.tolist() == want_sums.tolist()  # the same float64 sums, bit for bit
    assert sorted_way == (postings < 313)  # both ways are exercised by the cases above


def test_a_designation_read_twice_adds_its_weights() -> None:
    found, sums = _sums_by_doc(np.array([5, 2, 5], dtype=np.int32), np.array([0.5, 1.0, 0.25], np.float32), 1_000)
    assert found.tolist() == [2, 5]
    assert sums.tolist() == [1.0, 0.75]
