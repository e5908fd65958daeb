"""Nearest rows without reading every row: an inverted file over int8 rows.

The semantic index holds a unit vector per concept title (225,000 on a full build). Reading them all is a
5 ms matrix-vector product per query and 115 MB of float32 per server process; the search needs only the
few dozen nearest. Two standard means (Jégou, Douze & Schmid 2011; FAISS's IndexIVFFlat and its scalar
quantiser) cut both:

- **Inverted lists.** At build time k-means (spherical: centroids are unit vectors, nearness is the dot
  product) groups the rows into clusters of a few hundred; the rows are stored cluster by cluster inside
  each block (a block is a code system's rows). A query is compared with the centroids first and reads only
  the rows of its nearest clusters: about 6 % of them. A row whose cluster is not probed is missed, so the
  answer is approximate (docs/semantic.md gives the measured recall); a query restricted to small blocks
  probes more clusters until it has enough rows to choose from.
- **int8 rows.** Each dimension is scaled so that its largest magnitude is 127 and rounded: a quarter of
  float32's memory, and a cosine off by about 0.003. The query is multiplied by the scales instead of every
  row being scaled back.

Pure numpy, deterministic (seeded), with no index library: the lists are two small arrays in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I8 = npt.NDArray[np.int8]
I64 = npt.NDArray[np.int64]

# Fewer rows than this are read in full: the lists would save nothing worth their approximation.
SMALL = 20_000
ROWS_PER_CLUSTER = 256
PROBED_SHARE = 1 / 16  # of the clusters, nearest first
MIN_PROBED = 8
# A query reads at least this many rows per row it returns (and ``MIN_ROWS``), probing more clusters if need be.
ROWS_PER_ANSWER = 40
MIN_ROWS = 2_000
TRAINING_SAMPLE = 60_000
ITERATIONS = 8


@dataclass(frozen=True, slots=True)
class Quantized:
    """Rows as int8, each dimension scaled by ``scale`` (a row is about codes * scale)."""

    codes: I8  # (rows, dims)
    scale: F32  # (dims,)

    @classmethod
    def of(cls, rows: F32) -> Quantized:
        peak = np.abs(rows).max(axis=0) if len(rows) else np.ones(rows.shape[1], dtype=np.float32)
        scale = (np.maximum(peak, np.float32(1e-12)) / 127.0).astype(np.float32)
        codes = np.clip(np.rint(rows / scale), -127, 127).astype(np.int8)
        return cls(codes, scale)

    def dot(self, rows: I64 | slice, vector: F32) -> F32:
        """Each selected row's dot product with ``vector``."""
        scores: F32 = self.codes[rows].astype(np.float32) @ (vector * self.scale)
        return scores


@dataclass(frozen=True, slots=True)
class Lists:
    """Which rows lie in which cluster, block by block."""

    centroids: F32  # (clusters, dims), unit rows
    ptr: I64  # (blocks, clusters + 1): block b's rows of cluster c are [ptr[b, c], ptr[b, c + 1])

    @property
    def probed(self) -> int:
        return max(MIN_PROBED, round(len(self.centroids) * PROBED_SHARE))

    def rows(self, vector: F32, blocks: Sequence[int], enough: int) -> I64:
        """The rows of ``blocks`` in the clusters nearest ``vector``: at least ``enough`` of them where the blocks
        hold that many."""
        nearest = np.argsort(-(self.centroids @ vector), kind="stable")
        chosen = np.asarray(blocks, dtype=np.int64)[:, None]
        probe = self.probed
        while True:
            clusters = nearest[:probe][None, :]
            lo, hi = self.ptr[chosen, clusters].ravel(), self.ptr[chosen, clusters + 1].ravel()
            if int((hi - lo).sum()) >= enough or probe >= len(nearest):
                return _ranges(lo, hi)
            probe *= 2


def _ranges(lo: I64, hi: I64) -> I64:
    """The integers of every range [lo[i], hi[i]), concatenated."""
    lengths = hi - lo
    total = int(lengths.sum())
    if not total:
        return np.empty(0, dtype=np.int64)
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    out: I64 = np.arange(total, dtype=np.int64) + np.repeat(lo - starts, lengths)
    return out


def fit(rows: F32, clusters: int, *, seed: int = 0) -> F32:
    """Spherical k-means centroids of ``rows`` (unit rows), trained on a seeded sample."""
    rng = np.random.default_rng(seed)
    sample = rows[np.sort(rng.choice(len(rows), min(TRAINING_SAMPLE, len(rows)), replace=False))]
    centroids = sample[rng.choice(len(sample), clusters, replace=False)].copy()
    for _ in range(ITERATIONS):
        owner = nearest_centroid(sample, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, owner, sample)
        norms = np.linalg.norm(sums, axis=1)
        empty = norms == 0
        centroids = (sums / np.maximum(norms, 1e-12)[:, None]).astype(np.float32)
        if empty.any():  # a cluster that lost every row restarts from a sample row
            centroids[empty] = sample[rng.choice(len(sample), int(empty.sum()), replace=False)]
    return centroids


def nearest_centroid(rows: F32, centroids: F32, chunk: int = 16_384) -> npt.NDArray[np.intp]:
    parts = [np.argmax(rows[i : i + chunk] @ centroids.T, axis=1) for i in range(0, len(rows), chunk)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)


def cluster(rows: F32, block_ptr: I64, *, seed: int = 0) -> tuple[Lists, npt.NDArray[np.intp]] | None:
    """Inverted lists for ``rows`` (unit rows, blocks ``[block_ptr[b], block_ptr[b + 1])``), and the order the
    rows must be stored in (cluster by cluster inside each block); None where there are too few rows."""
    if len(rows) < SMALL:
        return None
    clusters = max(16, len(rows) // ROWS_PER_CLUSTER)
    centroids = fit(rows, clusters, seed=seed)
    owner = nearest_centroid(rows, centroids)
    blocks = len(block_ptr) - 1
    block = np.repeat(np.arange(blocks), np.diff(block_ptr))
    order = np.lexsort((owner, block))  # by block, then cluster; stable within a cluster
    counts = np.zeros((blocks, clusters), dtype=np.int64)
    np.add.at(counts, (block, owner), 1)
    ptr = np.zeros((blocks, clusters + 1), dtype=np.int64)
    np.cumsum(counts, axis=1, out=ptr[:, 1:])
    ptr += block_ptr[:-1, None]
    return Lists(centroids, ptr), order
