"""How much of one title's rarer words another shares (the corroboration of weak clues, HCPCS neighbours)."""

from __future__ import annotations

from medcodes.recent import Recent
from medcodes.search.index import LexicalIndex
from medcodes.search.text import tokens
from medcodes.similar.clue import BOILERPLATE
from medcodes.similar.words import SMALL_WORDS

# Titles whose weighted words are kept (the same neighbours come up for code after code).
_TITLES_KEPT = 20_000


class Overlap:
    """How much of one title's rarer words another title shares: the idf-weighted share of the shorter title's
    words (boilerplate and small words left out) that both hold. Without a lexical index, every word weighs one."""

    def __init__(self, index: LexicalIndex | None) -> None:
        self.index = index
        self.unknown = float(index.idf.max()) if index is not None and len(index.idf) else 1.0
        self.known: Recent[str, dict[str, float]] = Recent(_TITLES_KEPT)

    def words(self, title: str) -> dict[str, float]:
        found = self.known.get(title)
        if found is None:
            found = {w: self._weight(w) for w in tokens(title) if w not in BOILERPLATE and w not in SMALL_WORDS}
            self.known.put(title, found)
        return found

    def share(self, mine: str, other: str) -> float:
        a, b = self.words(mine), self.words(other)
        if not a or not b:
            return 0.0
        shared = sum(a[w] for w in a.keys() & b.keys())
        return shared / min(sum(a.values()), sum(b.values()))

    def _weight(self, word: str) -> float:
        if self.index is None:
            return 1.0
        term = self.index.term(word)
        return float(self.index.idf[term]) if term is not None else self.unknown
