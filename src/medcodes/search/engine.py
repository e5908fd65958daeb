"""The search engine: one box for every code system.

Stages: ``query.parse`` -> ``codes.code_hits`` (the query read as a code in every system) ->
``lexical.search`` over the words (with abbreviations expanded) -> typo correction when the words as
typed find too little -> one ranked list: codes first, then words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medcodes.models import Concept, DesignationKind, MatchReason, SearchHit, SearchResult
from medcodes.search import abbreviations, lexical
from medcodes.search.codes import code_hits
from medcodes.search.index import LexicalIndex, load_index
from medcodes.search.query import Query
from medcodes.search.text import normalize_word, spans, tokens
from medcodes.search.typos import Speller
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

# Two-letter words are also HCPCS modifiers ("MS", "PE"): as a code they go after the word matches.
_MODIFIER_LIKE = 2


@dataclass(frozen=True, slots=True)
class _Words:
    groups: tuple[lexical.Group, ...]
    unknown: tuple[int, ...]  # positions of words that match nothing in the vocabulary


class SearchEngine:
    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self._systems = tuple(dict.fromkeys(r.system for r in store.releases()))
        self._index: LexicalIndex | None = None
        self._speller: Speller | None = None
        self._abbreviations: dict[str, tuple[str, ...]] | None = None

    # ---------------------------------------------------------------- lazily loaded parts
    @property
    def index(self) -> LexicalIndex | None:
        if self._index is None:
            self._index = load_index(self.store)
        return self._index

    @property
    def abbreviations(self) -> dict[str, tuple[str, ...]]:
        if self._abbreviations is None:
            self._abbreviations = abbreviations.load(self.store)
        return self._abbreviations

    def speller(self, index: LexicalIndex) -> Speller:
        if self._speller is None:
            self._speller = Speller(index)
        return self._speller

    # ---------------------------------------------------------------- search
    def search(self, query: Query) -> SearchResult:
        systems = query.systems or self._systems
        want = query.offset + query.limit
        ranked: dict[tuple[SystemId, str], SearchHit] = {}
        late: list[SearchHit] = []
        codes = [
            c
            for c in (code_hits(self.store, query.text, systems, want) if query.text else [])
            if c.concept.billable or not query.billable_only
        ]
        for code_hit in codes:
            entry = _hit(code_hit.concept, code_hit.score, (MatchReason("code", code_hit.matched),), ())
            if len("".join(query.text.split())) <= _MODIFIER_LIKE and query.text.isalpha():
                late.append(entry)
            else:
                ranked.setdefault((entry.system, entry.code), entry)
        corrected: str | None = None
        estimated = False
        total = 0
        facets: dict[SystemId, int] = {}
        index = self.index
        if index is not None and query.words:
            words = self._words(index, query.words)
            result = lexical.search(index, words.groups, want, query.systems, query.billable_only)
            if words.unknown or not result.complete:
                fixed = self._correct(index, query.words, words)
                if fixed is not None:
                    fixed_words, fixed_text = fixed
                    better = lexical.search(index, fixed_words.groups, want, query.systems, query.billable_only)
                    if better.hits and (better.complete or not result.hits):
                        corrected = fixed_text
                        self._add(ranked, index, better, fixed_words, typo=True)
                        total, facets = better.total, dict(better.facets)
            self._add(ranked, index, result, words, typo=False)
            if not total:
                total, facets, estimated = result.total, dict(result.facets), result.estimated
        for entry in late:
            ranked.setdefault((entry.system, entry.code), entry)
        for code_hit in codes:
            facets[code_hit.concept.system] = facets.get(code_hit.concept.system, 0) + 1
        hits = list(ranked.values())
        total = max(total + len(codes), len(hits))
        page = tuple(hits[query.offset : query.offset + query.limit])
        return SearchResult(query.text, total, page, facets, corrected, estimated)

    def complete(self, text: str, hits: Sequence[SearchHit] = (), limit: int = 5) -> list[str]:
        """The query with its last, partly typed word completed the most likely ways.

        Completions found in the titles of the query's best hits come first (they fit the other words
        typed), then the most frequent words of the whole vocabulary.
        """
        index = self.index
        typed = text.rstrip()
        words = tokens(typed)
        if index is None or not words or text != typed or not typed.split():  # trailing space: word complete
            return []
        prefix = words[-1]
        lo, hi = index.prefix_range(prefix)
        if hi <= lo:
            return []
        seen: dict[str, int] = {}
        for hit in hits:
            for word in tokens(hit.display):
                if word.startswith(prefix) and word != prefix:
                    seen[word] = seen.get(word, 0) + 1
        ranked = sorted(seen, key=lambda w: -seen[w])
        for t in sorted(range(lo, hi), key=lambda t: (-int(index.df[t]), t)):
            if len(ranked) >= limit:
                break
            if index.vocabulary[t] not in seen and index.vocabulary[t] != prefix:
                ranked.append(index.vocabulary[t])
        head = typed[: len(typed) - len(typed.split()[-1])]
        return [head + word for word in ranked[:limit]]

    def _words(self, index: LexicalIndex, words: Sequence[str]) -> _Words:
        groups = []
        unknown = []
        last = len(words) - 1
        for position, word in enumerate(words):
            alternatives: list[list[lexical.Atom]] = []
            # Only the last word may still be being typed: the others match whole words ("with" must
            # not match "without"), their singular and plural, and words sharing their stem.
            main = lexical.atom(index, word, prefix=position == last)
            if main is not None:
                alternatives.append([main])
            for phrase in self.abbreviations.get(word, ()):
                atoms = [lexical.atom(index, w, prefix=False) for w in tokens(phrase)]
                if atoms and all(a is not None for a in atoms):
                    alternatives.append([a for a in atoms if a is not None])
            if not alternatives:
                unknown.append(position)
            groups.append(lexical.group(word, alternatives))
        return _Words(tuple(groups), tuple(unknown))

    def _correct(self, index: LexicalIndex, words: Sequence[str], found: _Words) -> tuple[_Words, str] | None:
        """The query with its unknown words replaced by their nearest known words, if any were found."""
        speller = self.speller(index)
        fixed = list(words)
        changed = False
        for position in found.unknown or tuple(i for i, w in enumerate(words) if index.term(w) is None and len(w) >= 5):
            replacement = speller.correct(words[position])
            if replacement is not None and replacement != words[position]:
                fixed[position] = replacement
                changed = True
        if not changed:
            return None
        return self._words(index, fixed), " ".join(fixed)

    def _add(
        self,
        ranked: dict[tuple[SystemId, str], SearchHit],
        index: LexicalIndex,
        result: lexical.LexicalResult,
        words: _Words,
        typo: bool,
    ) -> None:
        concepts = self.store.concepts_by_id([h.concept for h in result.hits])
        designations = self.store.designations_by_id([int(index.doc_id[h.doc]) for h in result.hits])
        matchers = _matchers(words.groups)
        for h in result.hits:
            concept = concepts.get(h.concept)
            if concept is None or (concept.system, concept.code) in ranked:
                continue
            kind, text, via = designations.get(int(index.doc_id[h.doc]), (DesignationKind.TITLE, concept.title, None))
            reasons = [MatchReason(kind.value, text if via is None else f"{text} (see {via})")]
            if typo:
                reasons.append(MatchReason("typo", " ".join(g.word for g in words.groups)))
            if _used_abbreviation(words.groups, text):
                reasons.append(MatchReason("abbreviation", _used_abbreviation(words.groups, text) or ""))
            ranked[(concept.system, concept.code)] = _hit(
                concept, h.score, tuple(reasons), _highlight(concept.title, matchers)
            )


def _hit(
    concept: Concept, score: float, reasons: tuple[MatchReason, ...], marks: tuple[tuple[int, int], ...]
) -> SearchHit:
    return SearchHit(concept.system, concept.code, concept.title, score, concept.billable, concept.kind, reasons, marks)


def _matchers(groups: Sequence[lexical.Group]) -> tuple[set[str], tuple[str, ...]]:
    """(whole words, prefixes) that count as a match for highlighting."""
    whole: set[str] = set()
    prefixes: list[str] = []
    for g in groups:
        for alt in g.alternatives:
            for a in alt:
                whole.add(a.word)
                if a.hi > a.lo:
                    prefixes.append(a.word)
    return whole, tuple(prefixes)


def _highlight(text: str, matchers: tuple[set[str], tuple[str, ...]]) -> tuple[tuple[int, int], ...]:
    whole, prefixes = matchers
    marks = []
    for start, end, word in spans(text):
        if word in whole or word.startswith(prefixes):
            marks.append((start, end))
    return tuple(marks)


def _used_abbreviation(groups: Sequence[lexical.Group], text: str) -> str | None:
    """The abbreviation whose expansion (not the abbreviation itself) matched ``text``, if any."""
    words = set(tokens(text))
    for g in groups:
        if len(g.alternatives) > 1 and normalize_word(g.word) not in words:
            for alt in g.alternatives[1:]:
                if all(a.word in words for a in alt):
                    return f"{g.word.upper()} = {' '.join(a.word for a in alt)}"
    return None
