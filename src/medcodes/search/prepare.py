"""Build-time steps of the read side: what search needs, derived from the store and kept in it."""

from __future__ import annotations

from medcodes.search import abbreviations, index, initialisms, phrases, semantic_build, short_forms
from medcodes.store.sqlite import SQLiteStore


def prepare(store: SQLiteStore) -> None:
    """Write the lexical index, autocomplete's phrases, the harvested abbreviations and the initialisms into a
    freshly built store, and the semantic index where the ``semantic-build`` extra is installed (it is skipped,
    quietly, where it is not)."""
    index.write(store)
    phrases.write(store)
    abbreviations.save(store)
    initialisms.save(store)
    short_forms.save(store)
    semantic_build.prepare(store)
