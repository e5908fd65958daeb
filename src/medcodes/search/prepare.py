"""Build-time steps of the read side: what search needs, derived from the store and kept in it.

The derived parts (the lexical index, autocomplete's phrases, the harvested abbreviations, the initialisms and
the short forms) only read the store's designations and each writes blobs of its own, so they run side by side:
each in a worker process that opens the new database read-only and hands its blobs back, which this process
writes. On one core, for a store that is no file on disk, or for a small one (``SIDE_BY_SIDE``), they run
here, one after another.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from medcodes.build import few_collections
from medcodes.config import default_workers
from medcodes.search import (
    abbreviations,
    compounds,
    index,
    initialisms,
    lay_words,
    number_ranges,
    operation_verbs,
    phrases,
    semantic_build,
    short_forms,
    site_adjectives,
    typos,
)
from medcodes.store.sqlite import SQLiteStore

Step = Callable[[SQLiteStore], None]

# Below this many designations (a test's few codes) a worker's start costs more than the steps take.
SIDE_BY_SIDE = 50_000

# Longest first: a worker that takes the lexical index is busy as long as the others are with the rest.
DERIVED: tuple[Step, ...] = (
    index.write,
    phrases.write,
    initialisms.save,
    short_forms.save,
    abbreviations.save,
    site_adjectives.save,
    compounds.save,
    operation_verbs.save,
    lay_words.save,
    typos.save,
    number_ranges.save,
)


def prepare(store: SQLiteStore) -> None:
    """Write the lexical index, autocomplete's phrases, the harvested abbreviations, the initialisms, the short
    forms, the sites' adjectives, the main terms' longer words and the operations' verbs into a freshly built store,
    and the semantic index where the ``semantic-build`` extra is installed (it is skipped, quietly, where it is
    not)."""
    derive(store, DERIVED)
    semantic_build.prepare(store)


def derive(store: SQLiteStore, steps: Sequence[Step], workers: int | None = None, least: int = SIDE_BY_SIDE) -> None:
    """Run build steps that only read the store and write blobs, up to ``workers`` at a time (default: one per
    core), and write their blobs into ``store``; in this process where it holds fewer than ``least`` designations.
    The blobs are the same either way."""
    workers = min(len(steps), default_workers() if workers is None else workers)
    if workers <= 1 or not store.path.is_file() or store.designation_total() < least:
        for step in steps:
            step(store)
        return
    store.connection.commit()  # what the workers read is on disk
    context = multiprocessing.get_context("spawn")  # no copy of this process's memory, nor of its connection
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        running = [pool.submit(_blobs_of, step, store.path) for step in steps]
        # Every step is read before any blob is written: the workers open the file immutable (no lock), and a step
        # still starting or reading while this process writes would read pages half written ("malformed").
        found = [future.result() for future in running]
    for blobs in found:
        for name, data in blobs.items():
            store.put_blob(name, data)


class _Kept(SQLiteStore):
    """A store read from the new database whose blobs are kept in memory, for the building process to write."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        super().__init__(connection, path)
        self.blobs: dict[str, bytes] = {}

    def put_blob(self, name: str, data: bytes) -> None:
        self.blobs[name] = data


def _blobs_of(step: Step, path: Path) -> dict[str, bytes]:
    """In a worker: run ``step`` on the database at ``path`` (read-only); the blobs it would write."""
    reading = SQLiteStore.open(path)
    kept = _Kept(reading.connection, path)
    try:
        with few_collections():  # as the building process does: the steps make millions of objects that live on
            step(kept)
    finally:
        reading.close()
    return kept.blobs
