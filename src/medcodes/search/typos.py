"""Typo correction: a word the vocabulary does not know, replaced by its nearest known word.

Candidates are vocabulary words within Damerau-Levenshtein distance 1 (words up to 5 letters) or 2
(longer), among words sharing the first letter (people rarely get the first letter wrong, and it keeps
the comparison to a small bucket); the closest wins, then the most frequent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from medcodes.search.index import LexicalIndex
from medcodes.search.ranking import Typos


@dataclass(slots=True)
class Speller:
    index: LexicalIndex
    limits: Typos = field(default_factory=Typos)
    _buckets: dict[str, list[str]] = field(default_factory=dict)

    def _bucket(self, letter: str) -> list[str]:
        if not self._buckets:
            buckets: dict[str, list[str]] = defaultdict(list)
            for word in self.index.vocabulary:
                if len(word) >= self.limits.min_length - 1 and word.isalpha():
                    buckets[word[0]].append(word)
            self._buckets = dict(buckets)
        return self._buckets.get(letter, [])

    def correct(self, word: str) -> str | None:
        """The nearest known word, or None when nothing is near enough (or the word is too short)."""
        if len(word) < self.limits.min_length or not word.isalpha():
            return None
        limit = 1 if len(word) <= self.limits.short else 2
        found = process.extract(
            word, self._bucket(word[0]), scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=20
        )
        if not found:
            return None
        df = self.index.df
        best = min(found, key=lambda m: (m[1], -int(df[self.index.term_ids[m[0]]]), m[0]))
        return str(best[0])
