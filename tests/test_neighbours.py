"""The semantic index's nearest rows: inverted lists over int8 rows (search/neighbours.py)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from medcodes.search import neighbours, semantic
from medcodes.search.semantic import TitleVectors
from medcodes.systems import SystemId

F32 = npt.NDArray[np.float32]


def unit(rows: npt.NDArray[np.floating]) -> F32:
    out: F32 = (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)
    return out


def blobs_of_points(rows: int, dims: int = 16, seed: int = 1) -> F32:
    """Unit rows around 200 random directions (titles come in families of near-identical wording)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(200, dims))
    return unit(centres[rng.integers(0, 200, rows)] + rng.normal(scale=0.25, size=(rows, dims)))


def test_int8_rows_keep_the_dot_product_within_a_hundredth() -> None:
    rows = blobs_of_points(1000)
    quantized = neighbours.Quantized.of(rows)
    query = unit(np.random.default_rng(2).normal(size=16))
    assert quantized.codes.dtype == np.int8
    assert np.abs(quantized.dot(slice(0, 1000), query) - rows @ query).max() < 0.01


def test_few_rows_get_no_lists() -> None:
    rows = blobs_of_points(neighbours.SMALL - 1)
    assert neighbours.cluster(rows, np.array([0, len(rows)], dtype=np.int64)) is None


def test_the_lists_hold_every_row_once_and_keep_each_block_apart() -> None:
    rows = blobs_of_points(30_000)
    block_ptr = np.array([0, 10_000, 10_000, 30_000], dtype=np.int64)  # the middle block is empty
    found = neighbours.cluster(rows, block_ptr)
    assert found is not None
    lists, order = found
    assert sorted(order.tolist()) == list(range(30_000))
    assert (order[:10_000] < 10_000).all() and (order[10_000:] >= 10_000).all()  # rows stay in their block
    assert lists.ptr[:, 0].tolist() == [0, 10_000, 10_000] and lists.ptr[:, -1].tolist() == [10_000, 10_000, 30_000]
    # Each stored row's nearest centroid is the cluster it is stored in.
    owner = neighbours.nearest_centroid(rows[order], lists.centroids)
    for block in (0, 2):
        for c in range(len(lists.centroids)):
            lo, hi = lists.ptr[block, c], lists.ptr[block, c + 1]
            assert (owner[lo:hi] == c).all()


def test_the_probed_rows_hold_nearly_all_of_the_nearest() -> None:
    rows = blobs_of_points(40_000)
    found = neighbours.cluster(rows, np.array([0, len(rows)], dtype=np.int64))
    assert found is not None
    lists, order = found
    stored = rows[order]
    rng = np.random.default_rng(5)
    recalled = []
    for query in unit(rows[rng.integers(0, len(rows), 50)] + rng.normal(scale=0.1, size=(50, 16))):
        exact = set(np.argsort(-(stored @ query))[:20].tolist())
        probed = lists.rows(query, [0], enough=2_000)
        assert len(probed) < len(rows) / 4  # a small share of the rows is read
        recalled.append(len(exact & set(probed.tolist())) / 20)
    assert np.mean(recalled) >= 0.9


def test_a_small_block_probes_more_clusters_until_it_has_enough_rows() -> None:
    rows = blobs_of_points(40_000)
    block_ptr = np.array([0, 39_000, 40_000], dtype=np.int64)
    found = neighbours.cluster(rows, block_ptr)
    assert found is not None
    lists, _ = found
    query = rows[0]
    probed = lists.rows(query, [1], enough=800)
    assert len(probed) >= 800
    assert ((probed >= 39_000) & (probed < 40_000)).all()
    assert len(lists.rows(query, [1], enough=5_000)) == 1_000  # never more than the block holds


def test_title_vectors_with_lists_find_what_reading_every_row_finds() -> None:
    rows = blobs_of_points(30_000)
    ptr = np.zeros(len(semantic.SYSTEMS) + 1, dtype=np.int64)
    cm = semantic.SYSTEMS.index(SystemId.ICD10CM)
    ptr[cm + 1 :] = len(rows)
    concept = np.arange(100, 100 + len(rows), dtype=np.int32)
    mean, projection = np.zeros(16, dtype=np.float32), np.eye(16, dtype=np.float32)
    approximate = TitleVectors.indexed(mean, projection, rows, concept, ptr)
    exact = TitleVectors(mean, projection, rows, concept, ptr)
    assert approximate.lists is not None and exact.lists is None
    query = unit(rows[7] + 0.05)
    near = [cid for cid, _ in approximate.nearest(query, 10)]
    assert near[0] == exact.nearest(query, 1)[0][0]
    assert len(set(near) & {cid for cid, _ in exact.nearest(query, 10)}) >= 9
    assert approximate.nearest(query, 5, (SystemId.HCPCS,)) == []
