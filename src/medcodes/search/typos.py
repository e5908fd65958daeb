"""Typo correction: a word the vocabulary does not know, replaced by its nearest known word.

Candidates are vocabulary words within Damerau-Levenshtein distance 1 (words up to 5 letters) or 2
(longer), among words sharing the first letter (people rarely get the first letter wrong, and it keeps
the comparison to a small bucket); the closest wins, and of those the one most designations hold with the
query's other words (a farther word where no closer one is held with them), else the most frequent.

A word nothing is near enough to may be a known word with a part added before it, as medical words are made
("hydrosyringomyelia": syringomyelia), read as the longest known word it ends with, of at least
``Typos.part_letters`` letters and ``Typos.part_share`` of the word; else a known word with its first letters
left off ("lactorrhea": galactorrhea), read as the shortest known word that ends with it and is at most
``Typos.part_dropped`` letters longer (a longer start is a part of its own: "anephric" is not "metanephric").

A correction is taken where it finds what the words as typed do not, or fits the query's other words (the engine
decides); a slip of the keys (``Speller.sure``) is taken whatever the others say: a long word one edit from its
correction, or a word one edit from it that nothing the build read writes. The build keeps the words the
vocabularies write where no code's name does, in their names that link to no code and in their definitions
(``save``): "cramping", written there, is a word the code sets lack, not a slip for "camping".
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from medcodes.search.index import LexicalIndex
from medcodes.search.ranking import Typos
from medcodes.search.text import tokens
from medcodes.store.sqlite import SQLiteStore

BLOB = "written-words-1"


def written(texts: Iterable[str]) -> set[str]:
    """The words (normalised, letters only) the texts write."""
    return {w for text in texts for w in tokens(text) if w.isalpha()}


def save(store: SQLiteStore) -> None:
    """Build-time step: keep the words the vocabularies write in their definitions and in their names that link to
    no code (and the labels those stand for), beside the code sets' own words, which the lexical index holds."""
    texts = [*store.definition_texts(), *(t for name, label in store.rewrite_pairs() for t in (name, label))]
    store.put_blob(BLOB, "\n".join(sorted(written(texts))).encode())


def load(store: SQLiteStore) -> frozenset[str] | None:
    """The words ``save`` kept; None in a database built before them (no word is then known to be unwritten)."""
    blob = store.get_blob(BLOB)
    return None if blob is None else frozenset(blob.decode().split("\n")) - {""}


@dataclass(slots=True)
class Speller:
    index: LexicalIndex
    limits: Typos = field(default_factory=Typos)
    # The words the build read outside the code sets' names (``load``); None where the database keeps none.
    written: frozenset[str] | None = None
    # Words the engine reads although no designation says them ("pseudogout": the vocabularies' chondrocalcinosis),
    # nearer than any the designations say: corrected to as well.
    read: frozenset[str] = frozenset()
    _buckets: dict[str, list[str]] = field(default_factory=dict)
    _read_buckets: dict[str, list[str]] = field(default_factory=dict)
    _reversed: list[str] = field(default_factory=list)  # the vocabulary's words spelled backwards, sorted

    def prepare(self) -> None:
        """Sort the words into their buckets, and the vocabulary spelled backwards, now (a server does it when it opens
        a release), not at the first typo."""
        self._sort()
        self._backwards()

    def _sort(self) -> None:
        if not self._buckets:
            shortest = self.limits.min_length
            self._buckets = _by_first_letter(w for w in self.index.vocabulary if len(w) >= shortest - 1)
            ids = self.index.term_ids
            self._read_buckets = _by_first_letter(w for w in sorted(self.read) if len(w) >= shortest and w not in ids)

    def _backwards(self) -> list[str]:
        if not self._reversed:
            self._reversed = sorted(w[::-1] for w in self.index.vocabulary if w.isalpha())
        return self._reversed

    def correct(self, word: str, others: Sequence[int] = ()) -> str | None:
        """The nearest known word, or None when nothing is near enough (or the word is too short).

        ``others``: the term ids of the query's other naming words. Of the nearest words that designations hold
        with one of them, the one most do is taken; a farther word only where no nearer one is held so: "apthus
        ulcer" is "aphthous ulcer" (two edits), not the Arthus phenomenon (one edit), which no designation says
        with "ulcer"; "retnial hemorrhage" stays retinal (one edit), not renal (two)."""
        if len(word) < self.limits.min_length or not word.isalpha():
            return None
        edits = 1 if len(word) <= self.limits.short else 2
        found = self._within(word, edits)
        nearer = self._read_within(word, min((m[1] for m in found), default=edits + 1) - 1)
        if nearer:
            return str(min(nearer, key=lambda m: (m[1], m[0]))[0])
        if not found:
            return self.part(word)
        df, ids = self.index.df, self.index.term_ids
        ranked = sorted(found, key=lambda m: (m[1], -int(df[ids[m[0]]]), m[0]))
        if others and len(ranked) > 1:
            together = self.index.held_with([ids[m[0]] for m in ranked], others)
            held = [(m, n) for m, n in zip(ranked, together, strict=True) if n > 0]
            if held:
                # The nearest of the words said with the others, then the one most often said with them.
                return str(min(held, key=lambda found: (found[0][1], -found[1]))[0][0])
        return str(ranked[0][0])

    def sure(self, typed: Sequence[str], fixed: Sequence[str]) -> bool:
        """Whether every word a correction changed is a slip of the keys: one edit (a letter left out, added, changed
        or two swapped) from what it became, where the longer of the two has at least ``Typos.sure_letters``
        letters ("incolntinence", "infction"), or the word typed has at least ``Typos.slip_letters`` and nothing the
        build read writes it ("sarcowma"; "cramping" is written, a word the code sets lack: not "camping")."""
        if len(typed) != len(fixed):
            return False
        changed = [(a, b) for a, b in zip(typed, fixed, strict=True) if a != b]
        return bool(changed) and all(self._slip(a, b) for a, b in changed)

    def _slip(self, typed: str, fixed: str) -> bool:
        if DamerauLevenshtein.distance(typed, fixed) != 1:
            return False
        if max(len(typed), len(fixed)) >= self.limits.sure_letters:
            return True
        unwritten = self.written is not None and typed not in self.written
        return unwritten and len(typed) >= self.limits.slip_letters

    def _read_within(self, word: str, edits: int) -> list[tuple[str, int, int]]:
        """(word, edits, position) of the words read though not said (``read``) at most ``edits`` from ``word``."""
        if edits < 1 or not self.read:
            return []
        self._sort()
        return _near(word, self._read_buckets.get(word[0], []), edits)

    def neighbours(self, word: str) -> list[str]:
        """The known words one edit from ``word`` (the same first letter), but itself."""
        if len(word) < self.limits.min_length or not word.isalpha():
            return []
        return [str(m[0]) for m in self._within(word, 1) if m[0] != word]

    def _within(self, word: str, edits: int) -> list[tuple[str, int, int]]:
        """(word, edits, position) of the known words at most ``edits`` from ``word`` that share its first letter."""
        self._sort()
        return _near(word, self._buckets.get(word[0], []), edits)

    def part(self, word: str) -> str | None:
        """The known word ``word`` is made from by adding a part before it (its longest), else the known word it is
        with its first letters left off (its shortest); None where there is neither (see the module docstring)."""
        if len(word) < self.limits.part_letters:
            return None
        least = max(self.limits.part_letters, round(len(word) * self.limits.part_share))
        for start in range(1, len(word) - least + 1):
            if word[start:] in self.index.term_ids:
                return word[start:]
        reversed_words = self._backwards()
        backwards = word[::-1]
        made: list[str] = []
        at = bisect.bisect_left(reversed_words, backwards)
        while at < len(reversed_words) and reversed_words[at].startswith(backwards):
            known = reversed_words[at][::-1]
            if known != word and len(known) <= len(word) + self.limits.part_dropped:
                made.append(known)
            at += 1
        return min(made, key=lambda w: (len(w), w), default=None)


def _by_first_letter(words: Iterable[str]) -> dict[str, list[str]]:
    """The words of letters only, by their first letter, in the order given."""
    buckets: dict[str, list[str]] = defaultdict(list)
    for word in words:
        if word.isalpha():
            buckets[word[0]].append(word)
    return dict(buckets)


def _near(word: str, words: Sequence[str], edits: int) -> list[tuple[str, int, int]]:
    """(word, edits, position) of the ``words`` at most ``edits`` from ``word``, nearest first (at most 20)."""
    return process.extract(word, words, scorer=DamerauLevenshtein.distance, score_cutoff=edits, limit=20)
