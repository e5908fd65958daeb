"""Build-time steps of the read side: what search needs, derived from the store and kept in it."""

from __future__ import annotations

from medcodes.search import abbreviations, index
from medcodes.store.sqlite import SQLiteStore


def prepare(store: SQLiteStore) -> None:
    """Write the lexical index and the harvested abbreviations into a freshly built store."""
    index.write(store)
    abbreviations.save(store)
