"""The search engine: one box for every code system.

Stages: ``query.parse`` -> ``codes.code_hits`` (the query read as a code in every system) ->
``lexical.search`` over the words (with abbreviations expanded) -> typo correction when the words as
typed find too little -> one ranked list: codes first, then words.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from medcodes.models import Concept, ConceptKind, DesignationKind, MatchReason, SearchHit, SearchResult, cited
from medcodes.recent import Recent
from medcodes.search import (
    abbreviations,
    levels,
    lexical,
    number_ranges,
    priors,
    procedures,
    semantic,
    short_forms,
    typos,
    vertebrae,
)
from medcodes.search import phrases as phrases_module
from medcodes.search.codes import EXACT, code_hits, code_readings
from medcodes.search.index import LexicalIndex, load_index
from medcodes.search.initialisms import VOWELS
from medcodes.search.query import Query, parse, reparse
from medcodes.search.ranking import DEFAULT, LISTING_SYSTEMS, Limits, Ranking
from medcodes.search.text import (
    CLAUSE_WORDS,
    head_words,
    is_range_word,
    marked,
    prefix_negated,
    sign_joined,
    singular,
    spans,
    stem,
    tokens,
    unmarked,
)
from medcodes.search.text import negated as clause_marks
from medcodes.search.typos import Speller
from medcodes.sources.spelled_out import spells
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import NAMES, REGISTRY, SystemId

CPT_NOTICE = (
    "This looks like a CPT code. CPT descriptors are copyright of the American Medical Association: medcodes"
    " ships none, and shows them only from a licensed CPT file loaded with `medcodes build --cpt-licence`."
    " Related codes from other systems are listed where the official files link them."
)
# Headers among the first word hits are followed down to the billable code the words point to, in the systems
# whose codes nest (a PCS table or an HCPCS range is not narrowed: its codes are alternatives).
_NESTED = frozenset(SystemId) - LISTING_SYSTEMS
_NARROWED_KINDS = frozenset({ConceptKind.CATEGORY, ConceptKind.CODE})
_BOUNDS_KEPT = 20_000  # headers whose children's ids are kept (a few MB at most)
_BROAD_KEPT = 512  # answers to one broad word (``lexical.search``'s ``broad``), a few KB each
_ABBREVIATION_LETTERS = 6  # a word read as what it spells is called an abbreviation up to this long ("nstemi")
_Key = tuple[SystemId, str]  # a hit by its system and code
# Two typed words are read as the one word the data writes when each has at least this many letters.
_JOINED_PART = 3
_ROUNDING = 1e-6  # a coverage (float32) read as more than a share only where it is more by this
# Endings of adjectives: a bracket whose last word ends so qualifies what precedes it ("(diagnostic)").
_ADJECTIVE_ENDINGS = ("ic", "al", "ive", "ous", "ar", "ary", "ed")
_SHORT_FORM = 4  # a bracketed word of at most this many letters is a short form ("(all)", "(gn)")
_MODIFIER_LIKE = 2  # letters of a query read as a code that may also be a word (``_code_stage``)
_SCOPE_CHARACTERS = 3  # a code among words ("E11 neuropathy") has at least this many characters (``_scoped``)


class Meaning(Protocol):
    """Retrieval by meaning: the concepts whose titles are nearest a text (search.semantic.SemanticIndex)."""

    def search(self, text: str, k: int, systems: Sequence[SystemId] = ()) -> list[tuple[int, float]]: ...


@dataclass(slots=True)
class _WordHits:
    """Word matches, best first, with what the engine learnt finding them."""

    hits: list[SearchHit] = field(default_factory=list)
    weak: bool = False  # some words matched nothing, or no hit matched every word
    known: bool = False  # some word is in the vocabulary (or was corrected to one)
    families: dict[tuple[SystemId, str], str] = field(default_factory=dict)
    total: int = 0
    narrowed: int = 0  # codes that stand in for a header the words matched (not counted in ``total``)
    facets: dict[SystemId, int] = field(default_factory=dict)
    estimated: bool = False
    corrected: str | None = None
    # What each word hit matched (its designation's text) and the words that found it: highlights and the
    # alternative a hit matched through are worked out for the page's hits only (``_finish``).
    matched: dict[tuple[SystemId, str], tuple[str, tuple[lexical.Group, ...]]] = field(default_factory=dict)


@dataclass(slots=True)
class _CodeHits:
    """The query read as a code: hits in their places, those that go after the words, and what was counted."""

    ranked: dict[tuple[SystemId, str], SearchHit] = field(default_factory=dict)
    late: list[SearchHit] = field(default_factory=list)  # codes that are also words: after the word matches
    counts: dict[SystemId, int] = field(default_factory=dict)
    total: int = 0
    only_code: bool = False  # the query is exactly a code: its words are not searched


@dataclass(frozen=True, slots=True)
class _Words:
    groups: tuple[lexical.Group, ...]
    unknown: tuple[int, ...]  # positions of words that match nothing in the vocabulary


class SearchEngine:
    """The engine over one store; ``ranking`` holds every weight and threshold (``search.ranking``)."""

    def __init__(self, store: SQLiteStore, ranking: Ranking = DEFAULT) -> None:
        self.store = store
        self.ranking = ranking
        self._said_residual = ranking.said_residual()
        # A query that says a population a chapter is kept for, or a circumstance (a status, an encounter), reads
        # that chapter's codes in full (``Priors.population``, ``Priors.circumstance``): per (residual said,
        # population said, circumstance said), the weights.
        self._readings: dict[tuple[bool, bool, bool], Ranking] = {}
        for residual, population, circumstance in itertools.product((False, True), repeat=3):
            reading = self._said_residual if residual else ranking
            reading = reading.said_population() if population else reading
            reading = reading.said_circumstance() if circumstance else reading
            self._readings[residual, population, circumstance] = reading
        self._systems = tuple(dict.fromkeys(r.system for r in store.releases()))
        self._index: LexicalIndex | None = None
        self._speller: Speller | None = None
        self._ranges: number_ranges.Ranges | None = None
        self._abbreviations: dict[str, tuple[str, ...]] | None = None
        self._words_too: frozenset[str] | None = None
        self._named_phrases: list[str] | None = None
        self._meaning: Meaning | None = None
        self._meaning_loaded = False
        self._phrases: phrases_module.Phrases | None = None
        self._phrases_loaded = False
        self._bounds: dict[tuple[SystemId, str], list[int] | None] = {}
        self._broad: Recent[lexical.BroadKey, lexical.LexicalResult] = Recent(_BROAD_KEPT)

    # ---------------------------------------------------------------- lazily loaded parts
    def warm(self) -> None:
        """Load every part now (the lexical index, abbreviations, phrases, the semantic index and its model), and
        answer the broadest words a box sends first (each letter and digit alone), so that no visitor waits."""
        index = self.index
        _ = self.abbreviations, self.phrases, self.ranges
        meaning = self.meaning
        if meaning is not None:
            meaning.search("warm up", 1)
        if index is None:
            return
        _ = index.concept_docs, index.system_ranges, index.population_terms, index.circumstance_terms, index.doc_chapter
        for ranking in self._readings.values():
            _ = index.concept_worth(ranking)
        self.speller(index).prepare()  # sorts the words into their buckets
        self._named_starting(index, "")  # the names autocomplete goes on with
        for character in string.ascii_lowercase + string.digits:
            self.search(parse(character))  # as a search asks (read deeper where meaning may join)
            self.search(parse(character, by_meaning=False))  # as autocomplete asks
        # The second keystroke: two letters that start words of more postings than a query gathers ("in", "re":
        # 100,000 or more, ~4 ms each the first time; 121 pairs in the full build, 0.4 s) are answered as
        # autocomplete asks.
        for pair in map("".join, itertools.product(string.ascii_lowercase, repeat=2)):
            found = lexical.atom(index, pair)
            if found is not None and found.cost > self.ranking.limits.gather:
                self.search(parse(pair, by_meaning=False))

    @property
    def index(self) -> LexicalIndex | None:
        if self._index is None:
            self._index = load_index(self.store)
        return self._index

    @property
    def abbreviations(self) -> dict[str, tuple[str, ...]]:
        if self._abbreviations is None:
            index = self.index
            if index is None:
                self._abbreviations = abbreviations.load(self.store)
            else:
                self._abbreviations = abbreviations.load(
                    self.store, lambda word: index.term(word) is not None, lambda word: _starts_a_word(index, word)
                )
        return self._abbreviations

    @property
    def words_too(self) -> frozenset[str]:
        """The short forms that are words of the code sets too ("art": artery, and the start of "arthritis"),
        where nothing else says what they mean (``short_forms.load_words``)."""
        if self._words_too is None:
            known = self.abbreviations
            found = short_forms.load_words(self.store)
            self._words_too = frozenset(k for k, v in found.items() if known.get(k) == tuple(v))
        return self._words_too

    @property
    def meaning(self) -> Meaning | None:
        """The semantic index, where the database has one and its runtime (onnxruntime) is installed."""
        if not self._meaning_loaded:
            self._meaning = semantic.SemanticIndex.load(self.store)
            self._meaning_loaded = True
        return self._meaning

    @meaning.setter
    def meaning(self, retriever: Meaning | None) -> None:
        self._meaning, self._meaning_loaded = retriever, True

    def reranked(self, ranking: Ranking) -> SearchEngine:
        """An engine with other weights over the same loaded parts (tuning loads the index once)."""
        engine = SearchEngine(self.store, ranking)
        engine._index, engine._abbreviations = self._index, self._abbreviations
        engine._meaning, engine._meaning_loaded = self._meaning, self._meaning_loaded
        engine._bounds = self._bounds
        return engine

    @property
    def ranges(self) -> number_ranges.Ranges:
        """The ranges the names write (``number_ranges``)."""
        if self._ranges is None:
            self._ranges = number_ranges.Ranges.load(self.store)
        return self._ranges

    def speller(self, index: LexicalIndex) -> Speller:
        if self._speller is None:
            read = frozenset(k for k in self.abbreviations if " " not in k)
            self._speller = Speller(index, self.ranking.typos, typos.load(self.store), read)
        return self._speller

    # ---------------------------------------------------------------- search
    def search(self, query: Query) -> SearchResult:
        """One ranked page: the query read as a code, then its words (joined by matches by meaning where the
        words find too little), then the page collapsed and explained. Each stage returns what the next reads.
        A code among words ("E11 neuropathy") keeps the other words to its codes (``_scoped``)."""
        want = query.offset + query.limit
        codes = self._code_stage(query, want)
        scoped = None if codes.only_code else self._scoped(query, want)
        if scoped is not None:
            return scoped
        words = self._word_stage(query, want, codes)
        return self._finish_stage(query, codes, words)

    def _scoped(self, query: Query, want: int) -> SearchResult | None:
        """A code typed among words, as coders narrow a category by what they know ("E11 neuropathy", "fracture
        S52", "I10 hypertension"): the other words searched within that code and below it, where they all match
        there; None where no word is such a code (letters and digits both, at least ``_SCOPE_CHARACTERS``: not "2"
        of "type 2", nor "c2"), or the other words do not all match within it (`vitamin b12 deficiency`: no table
        B12 says them). The answer says where it looked (``SearchResult.notice``)."""
        if query.within is not None or len(query.words) < 2 or self.index is None:
            return None
        for position, word in enumerate(query.words):
            if len(word) < _SCOPE_CHARACTERS or word.isalpha() or word.isdigit() or not word.isalnum():
                continue
            rest = " ".join(w for at, w in enumerate(query.words) if at != position)
            for system in query.systems or self._systems:
                found = self.store.existing(system, list(code_readings(system, word)))
                subtree = self.store.subtree_ids(system, found[0]) if found else None
                if subtree is None:
                    continue
                inside = dataclasses.replace(reparse(query, rest), within=subtree)
                words = self._word_stage(inside, want, _CodeHits())
                if words.hits and not words.weak:
                    concept = self.store.get(system, found[0])
                    scope = f"{found[0]} {concept.title}" if concept is not None else found[0]
                    page = self._finish_stage(query, _CodeHits(), words)
                    return dataclasses.replace(page, notice=f"Searched within {NAMES[system]} {scope}")
        return None

    def _code_stage(self, query: Query, want: int) -> _CodeHits:
        """The query read as a code in every system searched."""
        if not query.text:
            return _CodeHits()
        systems = query.systems or self._systems
        read = code_hits(self.store, query.text, systems, want, billable_only=query.billable_only, within=query.within)
        codes = [
            c for c in read.hits if (c.concept.billable or not query.billable_only) and self._inside(query, c.concept)
        ]
        out = _CodeHits(counts=dict(read.counts), total=read.total)
        # Two-letter words are also HCPCS modifiers ("MS", "PE"): as codes they go after the word matches.
        modifier_like = len("".join(query.text.split())) <= _MODIFIER_LIKE and query.text.isalpha()
        for code_hit in codes:
            entry = _hit(code_hit.concept, code_hit.score, (MatchReason("code", code_hit.matched),), ())
            if modifier_like:
                out.late.append(entry)
            else:
                out.ranked.setdefault((entry.system, entry.code), entry)
        # A query that is exactly a code (in any notation) wants that code, not words that look like it.
        out.only_code = bool(out.ranked) and all(c.score >= EXACT for c in codes[:1]) and _code_shaped(query.text)
        return out

    def _word_stage(self, query: Query, want: int, codes: _CodeHits) -> _WordHits:
        """The query's words: lexical matches (or the store's full text without an index), fused with matches
        by meaning where the words find too little."""
        if not query.words or codes.only_code:
            return _WordHits()
        index = self.index
        if index is None:
            return self._full_text(query)
        # The lexical ranking already puts one of each family of 7th-character siblings first; a few more
        # than the page are read, since headers give way to their codes and go after the page's other hits.
        # At least as many as narrowing looks at, so that what it adds does not depend on the page size.
        # Where matches by meaning may join them, the word matches are read as deep as fusion reads them,
        # once (reading them again deeper would cost as much as the first time).
        fusion = self.ranking.fusion
        deep = fusion.depth if self.meaning is not None and not codes.ranked and query.by_meaning else 0
        spare, headers = self.ranking.limits.spare, self.ranking.narrowing.headers
        shallow = max(want + spare, headers)
        depth = max(shallow, deep)
        words = self._word_hits(index, query, depth)
        if words.weak:
            words = self._restated(index, query, words, depth, shallow)
        return self._meaning_stage(query, words, codes)

    def _restated(self, index: LexicalIndex, query: Query, words: _WordHits, depth: int, shallow: int) -> _WordHits:
        """A name with its restatement in closing brackets ("kidney infection (pyelonephritis)", "sodium - low
        (hyponatremia)"), whose words match no one designation together: the name and the restatement are each
        searched too, and the three lists fused by reciprocal rank. A bracket within the text is an official
        title's nonessential modifier ("Intracranial (nontraumatic) hemorrhage"), not a restatement.

        The lists are fused by their first ``shallow`` places (what a search by words alone reads), and what only
        the deeper places hold (read for matches by meaning to join) follows: a code that is deep in all three
        lists would otherwise outrank the one the restatement names first, and the words' first places would
        depend on whether meaning is on."""
        parts = restatement(query.text)
        if parts is None:
            return words
        lists = [words]
        for text in parts:
            part = reparse(query, text)
            if part.words:
                lists.append(self._word_hits(index, part, depth))
        if len(lists) < 3:
            return words
        weights = (1.0, 1.0, self.ranking.fusion.restated if _names(*parts) else 1.0)
        first: dict[_Key, SearchHit] = {}
        out = _WordHits(weak=words.weak, known=any(w.known for w in lists), total=max(w.total for w in lists))
        out.facets, out.estimated, out.corrected = words.facets, words.estimated, words.corrected
        for found in lists:
            for hit in found.hits:
                first.setdefault((hit.system, hit.code), hit)
            for key, family in found.families.items():
                out.families.setdefault(key, family)
            for key, matched in found.matched.items():
                out.matched.setdefault(key, matched)
            out.narrowed = max(out.narrowed, found.narrowed)
        ranked = [[(hit.system, hit.code) for hit in found.hits] for found in lists]
        out.hits = [first[key] for key in fused_order(ranked, weights, self.ranking.fusion.rrf_k, shallow)]
        return out

    def _meaning_stage(self, query: Query, words: _WordHits, codes: _CodeHits) -> _WordHits:
        """The word matches, fused with the matches by meaning where they are wanted.

        Lay phrasing may share no word with the right title: where the words found too little (and the query is
        no code), matches by meaning join the word matches after their first places. A query with no known word
        at all ("zzzzqqq", 0.58 with some title) is not looked up by meaning.
        """
        fusion = self.ranking.fusion
        short = len(query.words) <= fusion.short_query
        if not ((words.weak or short) and words.known and not codes.ranked and query.by_meaning):
            return words
        meaning = self.meaning
        if meaning is None:
            return words
        nearest = meaning.search(query.text, fusion.depth, query.systems)
        return self._fuse(words, [(cid, cosine) for cid, cosine in nearest if cosine >= fusion.min_cosine], query)

    def _finish_stage(self, query: Query, codes: _CodeHits, words: _WordHits) -> SearchResult:
        """Codes, then words, then the codes that go after words; 7th-character siblings collapsed; the page
        explained; facets and the total counted the same way whatever the page size."""
        ranked = dict(codes.ranked)
        for entry in (*words.hits, *codes.late):
            ranked.setdefault((entry.system, entry.code), entry)
        facets = dict(words.facets)
        for system, count in codes.counts.items():
            facets[system] = facets.get(system, 0) + count
        notice = None
        if SystemId.CPT not in self._systems and REGISTRY[SystemId.CPT].looks_like_code(query.text):
            notice = CPT_NOTICE
            self._cpt_neighbours(query.text, ranked)
        hits = _collapse(list(ranked.values()), words.families)
        # What the query matches in all, counted the same way whatever the page size (a page of 10 and one of
        # 200 say the same total): the codes it reads as, and the concepts its words match.
        total = words.total + words.narrowed + codes.total
        page = _finish(hits[query.offset : query.offset + query.limit], words.matched, self.ranges.written)
        return SearchResult(query.text, total, page, facets, words.corrected, words.estimated, notice)

    def _word_hits(self, index: LexicalIndex, query: Query, want: int) -> _WordHits:
        """The best ``want`` word matches, with a typo correction when the words as typed find too little."""
        out = _WordHits()
        words = self._words(index, query.words, query.negated, query.systems, typing_last=query.typing)
        # A query that says "other" or "unspecified", or is a title typed out, chooses the case in its own words:
        # the residual prior is for what a short query leaves unsaid.
        said = (
            abbreviations.RESIDUAL_CASE.intersection(query.words)
            or len(words.groups) > self.ranking.priors.residual_words
        )

        def read(groups: Sequence[lexical.Group]) -> lexical.LexicalResult:
            # Words that say a population a chapter is kept for, or a circumstance (as typed, or as a typo's
            # correction reads them), read that chapter's codes in full.
            ranking = self._readings[
                bool(said), _says(index.population_terms, groups), _says(index.circumstance_terms, groups)
            ]
            return lexical.search(
                index,
                groups,
                want,
                query.systems,
                query.billable_only,
                ranking=ranking,
                within=query.within,
                broad=self._broad,
            )

        result = read(words.groups)
        if not result.hits and len(words.groups) == 1 and len(query.words) > 1:
            # One phrase no designation holds whole here (`glioma malignant` read as ICD-11's "Glioma, malignant",
            # searched in ICD-10-CM): its words, one by one, find what each says.
            words = self._words(index, query.words, query.negated, query.systems, typing_last=query.typing, apart=True)
            result = read(words.groups)
        out.weak = bool(words.unknown) or not result.complete
        out.known = len(words.unknown) < len(words.groups)
        if words.unknown or not result.complete:
            fixed = self._correct(index, query, words, bool(result.hits))
            if fixed is not None:
                fixed_words, fixed_text = fixed
                better = read(fixed_words.groups)
                if better.hits and (
                    better.complete
                    or not result.hits
                    or _in_context(better, fixed_words, set(fixed_text.split()) - set(query.words))
                    or self.speller(index).sure(query.words, fixed_text.split())
                ):
                    out.corrected = fixed_text
                    out.weak = not better.complete
                    out.known = True
                    self._add(out, index, better, fixed_words, query, typo=True)
                    # The words as typed follow the corrected ones: both count.
                    out.total = better.total + result.total
                    out.facets = {
                        s: better.facets.get(s, 0) + result.facets.get(s, 0) for s in {*better.facets, *result.facets}
                    }
        # A number the names write only inside a range (`bmi 42`: "BMI 40.0-44.9"), read so where nothing says every
        # word as typed (or no name says the number at all); what it finds comes first, and counts.
        ranged = None
        if out.corrected is None and (words.unknown or not result.complete):
            ranged = self._ranged(index, query, read)
            if ranged is not None:
                self._add(out, index, *ranged, query, typo=False)
        self._add(out, index, result, words, query, typo=False)
        if out.corrected is None:
            within = len(ranged[0].hits) if ranged is not None else 0
            out.total, out.facets, out.estimated = result.total + within, dict(result.facets), result.estimated
        return out

    def _ranged(
        self, index: LexicalIndex, query: Query, read: Callable[[Sequence[lexical.Group]], lexical.LexicalResult]
    ) -> tuple[lexical.LexicalResult, _Words] | None:
        """What the query's words find with each number also read as the ranges the names write that hold it
        (``number_ranges``), and those words: only the codes whose names then say every word (a range alone, "800 in
        70 or greater", is no answer). None where no number of the query is inside a range, or nothing says it all."""
        words = query.words
        if not any(w.isdigit() for w in words):
            return None
        readings: dict[int, tuple[str, ...]] = {}
        negated = query.negated or (False,) * len(words)
        for position in range(len(words)):
            if position in readings or negated[position]:
                continue
            said = number_ranges.value(words, position)
            if said is None:
                continue
            number, decimal = said
            held = self.ranges.holding(number)
            if held:
                readings[position] = held
                if decimal:
                    readings[position + 1] = ()  # "42.5": the 5 is the number's, read with it
        if not readings:
            return None
        ranged = self._words(index, words, query.negated, query.systems, typing_last=query.typing, ranges=readings)
        within = read(ranged.groups)
        full = tuple(h for h in within.hits if h.coverage >= lexical.FULL)
        if not full or not within.complete:
            return None
        return dataclasses.replace(within, hits=full), ranged

    def _full_text(self, query: Query) -> _WordHits:
        """Word matches from the store's FTS5 table, for a database built without the lexical index.

        Every word must start a word of a designation (words are letters and digits only, so no FTS5
        operator can reach the expression); bm25 ranks them.
        """
        out = _WordHits()
        match = " AND ".join(f'"{w}"*' for w in query.words)
        want = query.offset + query.limit
        for found in self.store.text_search(match, query.systems, want * 4):
            concept = self.store.get(found.system, found.code)
            if concept is None or (concept.system, concept.code) in {(h.system, h.code) for h in out.hits}:
                continue
            if (query.billable_only and not concept.billable) or not self._inside(query, concept):
                continue
            out.hits.append(_hit(concept, -found.rank, (MatchReason(found.designation_kind, found.designation),), ()))
        out.total = len(out.hits)
        return out

    def _fuse(self, words: _WordHits, nearest: list[tuple[int, float]], query: Query) -> _WordHits:
        """Word hits then meaning hits, by reciprocal-rank fusion after the word hits' first places."""
        found = self.store.concepts_by_id([cid for cid, _ in nearest])
        by_meaning: list[SearchHit] = []
        for cid, cosine in nearest:
            concept = found.get(cid)
            if concept is None or (query.billable_only and not concept.billable):
                continue
            if query.within is not None and not query.within[0] <= cid < query.within[1]:
                continue
            by_meaning.append(_hit(concept, cosine, (MatchReason("semantic", concept.title),), ()))
            if _is_seventh_character_code(concept):
                words.families[(concept.system, concept.code)] = concept.parent or concept.code
        fusion = self.ranking.fusion
        lexical_hits = words.hits[: fusion.depth]
        fused: dict[tuple[SystemId, str], float] = {}
        hits: dict[tuple[SystemId, str], SearchHit] = {}
        for ranking in (lexical_hits, by_meaning):
            for rank, hit in enumerate(ranking, start=1):
                key = (hit.system, hit.code)
                fused[key] = fused.get(key, 0.0) + 1.0 / (fusion.rrf_k + rank)
                hits.setdefault(key, hit)
        kept = lexical_hits[: fusion.keep_lexical]
        seen = {(h.system, h.code) for h in kept}
        rest = sorted((key for key in fused if key not in seen), key=lambda key: -fused[key])
        words.hits = kept + [hits[key] for key in rest] + words.hits[fusion.depth :]
        words.total = max(words.total, len(fused))
        return words

    def _inside(self, query: Query, concept: Concept) -> bool:
        if query.within is None:
            return True
        cid = self.store.concept_id(concept.system, concept.code)
        return cid is not None and query.within[0] <= cid < query.within[1]

    def _cpt_neighbours(self, text: str, ranked: dict[tuple[SystemId, str], SearchHit]) -> None:
        """Codes of the loaded systems that the official files link to a CPT code (HCPCS cross-references)."""
        code = REGISTRY[SystemId.CPT].normalize_code(text)
        for relation in self.store.relations(SystemId.CPT, code):
            if relation.source_system is SystemId.CPT:
                continue
            concept = self.store.get(relation.source_system, relation.source_code)
            if concept is not None and (concept.system, concept.code) not in ranked:
                why = MatchReason(
                    "crosswalk", f"{NAMES[concept.system]} {concept.code} {relation.kind.value} CPT {code}"
                )
                ranked[(concept.system, concept.code)] = _hit(concept, 1.0, (why,), ())

    @property
    def phrases(self) -> phrases_module.Phrases | None:
        """Autocomplete's phrases (``search.phrases``), where the database has them."""
        if not self._phrases_loaded:
            self._phrases = phrases_module.load(self.store)
            self._phrases_loaded = True
        return self._phrases

    def complete(self, text: str, hits: Sequence[SearchHit] = (), limit: int = 5) -> list[str]:
        """Phrases a code carries that start with what was typed (its last word may be partial), worth most
        first: names in the data (titles, index terms, vocabulary names), ranked by their codes' worth and
        priors. Where no name starts so, the names of the query's best hits that hold the words typed.
        Nothing when the text ends in a space (the last word is complete)."""
        typed = text.rstrip()
        if not typed or text != typed or not tokens(typed):
            return []
        index, phrases = self.index, self.phrases
        start = phrases_module.typed_phrase(typed)
        if index is not None and phrases is not None:
            # A name is completed as it is written: the population and circumstance priors say which code a query
            # means, not which names are worth offering ("neon" completes to "neonatal ..." names, whose codes it
            # would discount).
            worth = index.concept_worth(self._readings[False, True, True])
            found = phrases.complete(start, worth, self.ranking, limit)
            # After a whole word, the names the lists read as the data's words go on too ("flu sh": flu shot,
            # "walking pn": walking pneumonia), after the data's own.
            named = self._named_starting(index, start) if " " in start else []
            found += [name for name in named if name not in found][: max(limit - len(found), 0)]
            if found:
                return found
        words = tokens(typed)
        out: list[str] = []
        for hit in hits:
            held_words = tokens(hit.display)
            phrase, held = " ".join(held_words), set(held_words)
            if (
                len(held_words) <= phrases_module.MAX_WORDS
                and phrase not in out
                and all(
                    w in held or (i == len(words) - 1 and any(h.startswith(w) for h in held))
                    for i, w in enumerate(words)
                )
            ):
                out.append(phrase)
                if len(out) >= limit:
                    break
        return out

    def _named_starting(self, index: LexicalIndex, start: str) -> list[str]:
        """The names of two words or more that the lists read as others (lay names, the vocabularies' names:
        ``abbreviations.load``) starting with ``start``, in order, each where a reading of it is said in words the
        index holds (a name that leads to codes) and says more than the name's own words ("Fracture(s)" and "bone
        fracture", read as "fracture", are the data's phrase with a word added)."""
        if self._named_phrases is None:
            named = []
            for name, readings in self.abbreviations.items():
                words = set(name.split())
                if len(words) < 2:
                    continue
                said = [tokens(r) for r in readings]
                if not any(words.issuperset(r) for r in said) and any(
                    all(index.term(w) is not None for w in r) for r in said
                ):
                    named.append(name)
            self._named_phrases = sorted(named)
        lo, hi = phrases_module.starting(self._named_phrases, start)
        return self._named_phrases[lo:hi]

    def completed(self, query: Query, completion: str) -> Query | None:
        """The query with its last word read as the longer word a completion goes on with there, where that word is
        shorter than ``Ranking.typed_past_abbreviation`` and follows other words: "chest p" read as "chest pain".

        Searched, such a word is whole: a letter ending a name ("vitamin d"), or an abbreviation ("acute mi"); it is
        not read as the start of longer words, which one or two letters start by the thousand. Autocomplete asks
        both, and shows the codes of the reading that matches better (``CodeService.suggest``): "chest p" is chest
        pain being typed, not "P" for pulse; "acute mi" stays the myocardial infarction, not "acute miliary ...".
        None where the query is no such text (the last word longer, or alone)."""
        words = query.words
        if len(words) < 2 or len(words[-1]) >= self.ranking.typed_past_abbreviation:
            return None
        going_on = tokens(completion)
        at = len(words) - 1
        if len(going_on) <= at or list(going_on[:at]) != list(words[:at]):
            return None
        word = going_on[at]
        if word == words[-1] or not word.startswith(words[-1]):
            return None
        return reparse(query, " ".join([*words[:at], word]))

    def _words(
        self,
        index: LexicalIndex,
        words: Sequence[str],
        negated: Sequence[bool],
        systems: Sequence[SystemId] = (),
        *,
        typing_last: bool = False,
        apart: bool = False,
        ranges: dict[int, tuple[str, ...]] | None = None,
    ) -> _Words:
        """One group per word typed, or per known phrase ("pink eye"), with its alternatives; ``apart``: one group
        per word typed, whatever phrases the words make; ``ranges``: for a number's position, the words of the ranges
        it is read as too (an empty tuple for a decimal part, read with the number before: ``_ranged``).

        Words in a "without" clause (``negated``) match only words in such a clause of a designation; one no
        designation holds so is left out (it says what the code is not).
        """
        negated = tuple(negated) or (False,) * len(words)
        limits = self.ranking.limits
        groups = []
        unknown = []
        last = len(words) - 1
        position = 0
        while position < len(words):
            if _read_too(words, position) and index.term(words[position]) is None:
                # "hiv+": no name writes "HIV+", whose marker and sign are the words before; "bmi 41-43": no name
                # writes the range, whose numbers are the words before.
                position += 1
                continue
            held = ranges.get(position) if ranges else None
            if held == ():
                position += 1  # a number's decimal part, read with the number (``_ranged``)
                continue
            span, phrases = self._phrase_at(index, words, position, systems, widest=1 if apart or held else 4)
            if held:
                phrases = (*phrases, *held)
            if span == 1 and position == last and words[position] in self.words_too:
                # A short form that is a word of the code sets too, still being typed, is the start of a word:
                # "art" is "arthritis" being typed as much as the short titles' "artery". Before another word it is
                # whole, and read both ways ("mal neo esophagus": malignant neoplasm).
                phrases = ()
            typed = words[position : position + span]
            others = [*words[:position], *words[position + span :]]
            if phrases and _restates(phrases, others):
                # "deep vein thrombosis (dvt)": the short form says again what the other words say.
                position += span
                continue
            # A one-word reading the query says itself ("postprocedural or postoperative") would count that word
            # twice: the word is read as typed only.
            if span == 1:
                phrases = tuple(p for p in phrases if p not in others)
            letter = span == 1 and _letter(words, position)  # a letter ending a name ("vitamin d"), below
            alternatives: list[list[lexical.Atom]] = []
            if span == 1:
                word = typed[0]
                # Only the last word may still be being typed: the others match whole words ("with" must
                # not match "without"), their singular and plural, and words sharing their stem, unless no word
                # is spelled so: then it is a word cut short ("malig neo pancreas", "fx radius dist"). A known
                # abbreviation before the last word ("uti" in "uti in pregnancy") is typed whole: it is not the
                # start of other words ("utilities"). The last word is read both ways: "type 2 dia" is
                # "type 2 diabetes" being typed as much as it may be "dia" for an astrocytoma.
                cut_short = len(word) >= self.ranking.cut_short and index.term(word) is None
                typing = (
                    position == last
                    and not letter
                    and (
                        not phrases
                        or (len(word) >= self.ranking.typed_past_abbreviation and _commoner_typed(index, word, phrases))
                    )
                )
                prefix = typing or (cut_short and not phrases)
                main = lexical.atom(index, marked(word, negated[position]), prefix=prefix, limits=limits)
                if main is not None:
                    alternatives.append([main])
                    if not negated[position] and (meant := self._commoner(index, words, position, main)) is not None:
                        alternatives.append([meant])
                if letter and typing_last and not negated[position]:
                    # A letter typed last ends a name ("vitamin d"); while the word is still being typed and no name
                    # goes on from the text (``Query.typing``), it starts a longer word ("broken w": wrist).
                    started = lexical.started(index, word)
                    if started is not None:
                        alternatives = [[started]]
            else:
                atoms = [
                    lexical.atom(index, marked(w, n), prefix=False, limits=limits)
                    for w, n in zip(typed, negated[position : position + span], strict=True)
                ]
                if all(a is not None for a in atoms):
                    alternatives.append([a for a in atoms if a is not None])
            literal = bool(alternatives)
            for phrase in phrases:
                atoms = [
                    lexical.atom(index, marked(w, negated[position] or n), prefix=False, limits=limits)
                    for w, n in zip(tokens(phrase), clause_marks(phrase), strict=True)
                ]
                if atoms and all(a is not None for a in atoms):
                    alternatives.append([a for a in atoms if a is not None])
            if literal and len(words) == 1 and len(alternatives) > 1 and len(word) <= self.ranking.short_form:
                # A query that is nothing but a short form ("copd", "dvt", "as") means what it stands for: its
                # expansions come before the letters as typed.
                alternatives, literal = [*alternatives[1:], alternatives[0]], False
            if not alternatives and not negated[position]:
                unknown.append(position)
            phrase_typed = " ".join(typed)
            weight = (1.0 if letter else abbreviations.weight(phrase_typed, self.ranking)) * (
                self.ranking.negated if negated[position] and not prefix_negated(words, position) else 1.0
            )
            groups.append(lexical.group(phrase_typed, alternatives, literal, weight))
            position += span
        return _Words(tuple(groups), tuple(unknown))

    def _graded(
        self, index: LexicalIndex, words: Sequence[str], position: int, systems: Sequence[SystemId]
    ) -> tuple[str, ...]:
        """The data's terms for two words naming a level and a thing ("calcium high": hypercalcemia,
        ``levels``; also a thing's abbreviation that stands for one word: "phos low"), where designations of the
        systems searched hold them, and then the thing's deficiency or excess ("calcium excess"); nothing where the
        data holds no such term (the words are read one by one)."""
        pair = levels.parts(words[position : position + 2])
        if pair is None:
            return ()
        said, thing = pair
        urine = any(w.startswith("urin") for w in words)
        found: tuple[str, ...] = ()
        # The thing as typed, else what its abbreviation stands for where that is one word ("phos": phosphate), or a
        # gland's hormone, whose level the gland's term names ("pth": parathyroid hormone, hypoparathyroidism).
        for meant in (thing, *filter(None, map(levels.named_by, self._known([thing])))):
            found = levels.terms(
                (said, meant), lambda prefix: index.vocabulary[slice(*index.prefix_range(prefix))], urine=urine
            )
            if found:
                break
        kept = index.concept_filter(tuple(systems), False)
        if kept is not None:
            found = tuple(
                t
                for t in found
                if (held := index.term(t)) is not None and kept[index.doc_concept[index.postings(held, held + 1)]].any()
            )
        if not found:
            return ()
        # The pair read as the classifications' other name for the level: "low vitamin" is also a vitamin deficiency.
        return (*found, *(f"{thing} {name}" for name in levels.said_of(said)))

    def _commoner(
        self, index: LexicalIndex, words: Sequence[str], position: int, said: lexical.Atom
    ) -> lexical.Atom | None:
        """A word few designations hold, read also as a word one edit away that far more hold, where the query's
        other words are said with it: "hart attack" is "heart attack" ("hart" is only in Hart's disease), "brest
        lump" a lump in the breast. Of such words, the one most designations hold with the others; none without
        them."""
        typos = self.ranking.typos
        if len(said.exact) != 1 or (held := int(index.df[said.exact[0]])) > typos.rare_known:
            return None
        others = [t for at, w in enumerate(words) if at != position and (t := index.term(w)) is not None]
        near = [
            (w, t)
            for w in self.speller(index).neighbours(words[position])
            # Not a form of the word itself ("bloody", "blood"): a word spelled wrong inside.
            if not w.startswith(words[position])
            and not words[position].startswith(w)
            and (t := index.term(w)) is not None
            and int(index.df[t]) >= typos.commoner * max(held, 1)
        ]
        if not others or not near:
            return None
        together = index.held_with([t for _w, t in near], others)
        most = max(together)
        best = near[together.index(most)][0]
        return lexical.atom(index, best, prefix=False, limits=self.ranking.limits) if most else None

    def _phrase_at(
        self,
        index: LexicalIndex,
        words: Sequence[str],
        position: int,
        systems: Sequence[SystemId] = (),
        widest: int = 4,
    ) -> tuple[int, tuple[str, ...]]:
        """The longest known phrase (up to ``widest`` words) starting at ``position``, and what it stands for; or
        two words naming a level and a thing, read as the data's term for it ("calcium high": hypercalcemia,
        ``levels``); or two words that the data writes as one ("heart burn": "heartburn", "ear ache": "earache")."""
        if widest < 2:
            return 1, self._one_word(index, words, position)
        for span in (4, 3, 2):
            if span <= widest and position + span <= len(words):
                typed = words[position : position + span]
                phrases = self._known(typed)
                if " ".join(typed) in abbreviations.QUALIFIERS:
                    return span, phrases
                if phrases and self._read_together(index, typed, phrases):
                    return span, phrases
        if position + 1 < len(words) and (graded := self._graded(index, words, position, systems)):
            return 2, graded
        if (
            position + 1 < len(words)
            and (region := vertebrae.between(words[position : position + 2]))
            and not _held_together(index, words)
        ):
            return 2, region
        if position + 1 < len(words):
            first, second = words[position], words[position + 1]
            if (
                min(len(first), len(second)) >= _JOINED_PART
                and (first + second).isalpha()
                and abbreviations.weight(first) == abbreviations.weight(second) == 1.0
            ):
                # The second word as typed, else its singular: "hair balls" is the data's "hairball".
                for joined in dict.fromkeys((first + second, first + singular(second))):
                    if index.term(joined) is not None:
                        return 2, (joined,)
        return 1, self._one_word(index, words, position)

    def _one_word(self, index: LexicalIndex, words: Sequence[str], position: int) -> tuple[str, ...]:
        """What the word at ``position`` stands for, read alone: its known readings, and the words it is made of."""
        word = words[position]
        return (
            *self._known([word]),
            *procedures.expand(word),
            *procedures.body_part(word),
            *self._split(index, word),
            *_in_parts(index, word),
            *levels.said_of(word),
            *vertebrae.named(word),
            *_as_adjective(index, words, position),
        )

    def _read_together(self, index: LexicalIndex, typed: Sequence[str], phrases: Sequence[str]) -> bool:
        """Whether a phrase typed is read as one: some designation holds the words of one of its readings, or the
        words as typed, together. A phrase is one group, all of whose words a designation must hold; a reading the
        data holds nowhere together ("bluish lips": HPO's label "Lip cyanosis", which no code's name says) found
        nothing, and the typo correction read "bluish" as "bruise". Its words are read one by one instead
        ("bluish" as what it is read as, cyanosis)."""
        readings = [tuple(tokens(p)) for p in phrases] + [tuple(typed)]
        if any(len(words) < 2 or _held_together(index, words, known=True) for words in readings):
            return True
        # Only then in the forms a word is matched in (its singular and plurals), which costs more to gather.
        return any(_held_as_read(index, words, self.ranking.limits) for words in readings)

    def _split(self, index: LexicalIndex, word: str) -> tuple[str, ...]:
        """A word typed as one that the data writes as two ("preeclampsia": "Pre-eclampsia", "nonhodgkin"): the
        two words, where a name of the data starts with them."""
        phrases = self.phrases
        if phrases is None or len(word) < 2 * _JOINED_PART or not word.isalpha():
            return ()
        for cut in range(_JOINED_PART, len(word) - _JOINED_PART + 1):
            first, second = word[:cut], word[cut:]
            if index.term(first) is None or index.term(second) is None:
                continue
            pair = f"{first} {second}"
            lo, hi = phrases.starting(pair)
            # Phrases go on with a space before a letter: the first one says whether the two words stand alone.
            if hi > lo and (phrases.texts[lo] == pair or phrases.texts[lo].startswith(pair + " ")):
                return (pair,)
        return ()

    def _known(self, typed: Sequence[str]) -> tuple[str, ...]:
        """What a typed phrase stands for, its last word also read as a singular ("gallstones", "hives")."""
        found = self.abbreviations.get(" ".join(typed))
        if found is None and len(typed[-1]) > 3:
            found = self.abbreviations.get(" ".join([*typed[:-1], singular(typed[-1])]))
        return found or ()

    def _correct(self, index: LexicalIndex, query: Query, found: _Words, answered: bool) -> tuple[_Words, str] | None:
        """The query with its unknown words replaced by their nearest known words, if any were found; ``answered``:
        whether the words as typed found something."""
        words = query.words
        speller = self.speller(index)
        fixed = list(words)
        changed = False
        # A word that starts known words ("subsequ", "gallbl") is being typed, not misspelled; one the data reads as
        # another ("bluish": cyanosis, ``lay_words``) is known: each where what it is read as found something. Where
        # nothing was found, it is read as a typo too ("melea" starts only words the systems searched do not say).
        unknown = found.unknown or tuple(
            i
            for i, w in enumerate(words)
            if index.term(w) is None
            and len(w) >= 5
            and not _read_too(words, i)
            and not (answered and (_starts_a_word(index, w) or self._known([w])))
        )
        # The words a correction should be said with: the query's other known words that name something.
        known = [
            (at, t)
            for at, w in enumerate(words)
            if abbreviations.weight(w, self.ranking) == 1.0 and (t := index.term(w)) is not None
        ]
        for position in unknown:
            replacement = speller.correct(words[position], [t for at, t in known if at != position])
            if replacement is not None and replacement != words[position]:
                fixed[position] = replacement
                changed = True
        if not changed:
            return None
        flags = query.negated
        if CLAUSE_WORDS.intersection(fixed) - set(words):  # a corrected "withuot" opens a clause
            flags = tuple(clause_marks(" ".join(fixed)))
        shown = " ".join(w for at, w in enumerate(fixed) if not _read_too(fixed, at))
        return self._words(index, fixed, flags, query.systems), shown

    def _add(
        self,
        out: _WordHits,
        index: LexicalIndex,
        result: lexical.LexicalResult,
        words: _Words,
        query: Query,
        *,
        typo: bool,
    ) -> None:
        found = list(result.hits)
        # The first of each found code's 7th-character siblings, read with them (``_initial_siblings``).
        wanted = [h.concept for h in found]
        leaders = {int(index.family_leader[cid]) for cid in wanted} - {-1}
        read = self.store.concepts_by_id([*wanted, *leaders])
        concepts = {cid: read[cid] for cid in wanted if cid in read}
        designations = self.store.designations_by_id([int(index.doc_id[h.doc]) for h in found])
        narrower = self._narrower(found, concepts, designations, words, query)
        if narrower:
            found = self._as_billable(found, narrower, self._lent(found, narrower, concepts))
        typed = (MatchReason("typo", " ".join(g.word for g in words.groups)),) if typo else ()
        seen = {(hit.system, hit.code) for hit in out.hits}
        matched = {(c.system, c.code) for c in concepts.values()}  # counted in the result's total already
        initial = _initial_siblings(found, read, designations, index, words) if leaders else {}
        for h in found:
            concept = concepts.get(h.concept)
            if concept is None:
                continue
            kind, text, via = designations.get(int(index.doc_id[h.doc]), (DesignationKind.TITLE, concept.title, None))
            if (first := initial.get(h.concept)) is not None:
                concept, text = first, first.title
            below = narrower.get(h.concept)
            if below is not None:
                # The billable code takes its header's place (unless it ranks above it already); the header
                # follows among the later results, as 7th-character siblings do.
                why = MatchReason("narrower", f"{concept.code} {text}")
                added = self._append(
                    out, seen, below, _hit(below, h.score, (why, *typed), ()), (below.title, words.groups)
                )
                if added and (below.system, below.code) not in matched:
                    out.narrowed += 1
                family = out.families.setdefault((below.system, below.code), below.code)
                out.families[(concept.system, concept.code)] = family
            reason = MatchReason(kind.value, text if via is None else f"{text} ({cited(via)})")
            self._append(out, seen, concept, _hit(concept, h.score, (reason, *typed), ()), (text, words.groups))

    def _lent(
        self, found: Sequence[lexical.ConceptScore], narrower: dict[int, Concept], concepts: dict[int, Concept]
    ) -> dict[int, float]:
        """For each header that gives way to a code other than its default, the score of the hit holding a name of
        the header's that the index lends its default (index.build_index): the default, found by the header's
        words alone."""
        index = self.index
        if index is None:
            return {}
        out: dict[int, float] = {}
        names = index.doc_id[[o.doc for o in found]].tolist()  # the designation each hit was found by
        for h in found:
            below = narrower.get(h.concept)
            if below is None:
                continue
            own = set(index.names_of(h.concept).tolist())
            twins = [
                o.score
                for o, name in zip(found, names, strict=True)
                if o.concept != h.concept
                and name in own
                and (twin := concepts.get(o.concept)) is not None
                and twin.code != below.code
            ]
            if twins:
                out[h.concept] = max(twins)
        return out

    def _as_billable(
        self,
        found: list[lexical.ConceptScore],
        narrower: dict[int, Concept],
        lent: dict[int, float] | None = None,
    ) -> list[lexical.ConceptScore]:
        """The hits reordered with each header that gives way to a billable code below it scored more
        (``Narrowing.gives_way``): headers rank after billable codes so that a code one reports comes first, and
        the code below a header the words name ("Genu valgum", an inclusion term of M21.06, for M21.069) is one.

        ``lent``: header id -> the score of its default found by the header's names lent to it (``_lent``). The code
        the query's other words lead to instead ("dvt left leg": I82.4Y2, not I82.4Y9 of unspecified side) scores
        as much, and comes before it."""
        factor = self.ranking.narrowing.gives_way
        lent = lent or {}
        out = list(found)
        for h in found:
            if h.concept not in narrower:
                continue
            # Moved up past the hits now scoring less, no further: a header is the first of its family, and the
            # first of each family keep their order before the other 7th-character siblings (lexical._rank).
            at = out.index(h)
            score = h.score * factor
            lifted = lent.get(h.concept, 0.0) >= score
            score = max(score, lent.get(h.concept, 0.0))
            raised = dataclasses.replace(h, score=score)
            place = at
            while place > 0 and (out[place - 1].score < score or (lifted and out[place - 1].score <= score)):
                place -= 1
            del out[at]
            out.insert(place, raised)
        return out

    @staticmethod
    def _append(
        out: _WordHits,
        seen: set[tuple[SystemId, str]],
        concept: Concept,
        hit: SearchHit,
        matched: tuple[str, tuple[lexical.Group, ...]],
    ) -> bool:
        """Add a hit unless its code is there already; whether it was added."""
        key = (concept.system, concept.code)
        if key in seen:
            return False
        seen.add(key)
        if _is_seventh_character_code(concept):
            out.families[key] = concept.parent or concept.code
        out.hits.append(hit)
        out.matched[key] = matched
        return True

    def _narrower(
        self,
        found: Sequence[lexical.ConceptScore],
        concepts: dict[int, Concept],
        designations: dict[int, tuple[DesignationKind, str, str | None]],
        words: _Words,
        query: Query,
    ) -> dict[int, Concept]:
        """For each header among the first hits (by id), the billable code below it that the words point to
        (``designations``: the hits' own, by designation id)."""
        index = self.index
        if query.billable_only or index is None:
            return {}
        headers: list[tuple[int, Concept, bool, int, tuple[DesignationKind, str, str | None] | None]] = []
        for h in found[: self.ranking.narrowing.headers]:
            concept = concepts.get(h.concept)
            if concept is None or concept.billable or concept.kind not in _NARROWED_KINDS:
                continue
            if concept.system not in _NESTED:
                continue
            named = designations.get(int(index.doc_id[h.doc]))
            # An inclusion term of the header's names the header itself, its tail included ("Heart failure with
            # reduced ejection fraction [HFrEF]" at I50.2): what its children add the query does not say. (A title
            # may list what its children tell apart: "Pain in throat and chest".)
            whole = h.coverage >= lexical.FULL and not (
                named is not None and named[0] is not DesignationKind.INCLUSION_TERM and _qualified(named[1], query)
            )
            headers.append((h.concept, concept, whole, h.doc, named))
        if not headers:
            return {}
        # The subtrees the words will be read in, scored together.
        subtrees = lexical.Subtrees(index, words.groups, self.ranking)
        bounds = [self._child_bounds(concept) for _, concept, whole, *_ in headers if not whole]
        subtrees.prepare([(b[0], b[-1]) for b in bounds if b is not None])
        below: dict[int, Concept] = {}
        for cid, concept, whole, doc, named in headers:
            chosen = self._descend(
                index, concept, subtrees, query, whole=whole, found_by=(cid, doc), see=_see_words(named, concept)
            )
            if chosen is not None:
                below[cid] = chosen
        return below

    def _child_bounds(self, header: Concept) -> list[int] | None:
        """The ids of a header's children and the end of its subtree (each child's subtree runs to the next
        id); None for a concept without children. Kept for the headers searches meet again."""
        key = (header.system, header.code)
        if key not in self._bounds:
            subtree = self.store.subtree_ids(header.system, header.code)
            children = self.store.child_ids(header.system, header.code)
            if len(self._bounds) >= _BOUNDS_KEPT:
                self._bounds.clear()
            self._bounds[key] = [*children, subtree[1]] if subtree is not None and children else None
        return self._bounds[key]

    def _descend(
        self,
        index: LexicalIndex,
        header: Concept,
        subtrees: lexical.Subtrees,
        query: Query,
        *,
        whole: bool = False,
        found_by: tuple[int, int] | None = None,
        see: frozenset[str] = frozenset(),
    ) -> Concept | None:
        """The billable code below ``header`` that the words point to, child by child.

        A header found through its own words or an index term ("Noise effects on inner ear") is not a code one
        reports; one of its billable codes is. At each level the child with the best-scoring words in its
        subtree is followed. Where children tie (they differ only in what the query does not say: the side,
        the episode of care), the one claiming least ("unspecified", more often than the others) is taken, or
        the first of 7th-character siblings (initial encounter); where the tie is between codes that say
        different things the query does not decide (insertion, removal or checking of a device), none is.

        ``whole``: the header was found by a name that says every word of the query ("brain cancer", a name of
        C71), so what its children add ("brain stem") the query does not say, however well their names score:
        the code the name defaults to is taken (``_default_child``: C71.9), where one stands out.

        ``found_by``: the header's id and the designation it was found by. The index lends a header's names to the
        code it defaults to ("Thrombosis, vein, deep, upper leg" at I82.4Y, lent to I82.4Y9). Read there, they
        would choose that child for the header's words where the query's other words choose another ("dvt left
        leg": I82.4Y2, of the left side): where they are, the children are read without them, by what the query
        says beyond the name the header was found by. ``see``: the words of the entry that name refers to, which
        the header's title does not say ("lower" for "Cellulitis, leg - see Cellulitis, lower limb" at L03.11,
        *Cellulitis of other parts of limb*), to tell tied children apart (``_plain``).
        """
        narrowing = self.ranking.narrowing
        own = index.names_of(found_by[0]) if found_by is not None else None
        said = functools.cache(lambda: subtrees.said(found_by[1])) if found_by is not None else None
        for _ in range(narrowing.depth):
            bounds = self._child_bounds(header)
            if bounds is None:
                return None
            chosen = self._default_child(index, header, bounds, query) if whole else None
            if chosen is None:
                read = subtrees.best(bounds, own, said)
                if read is None:
                    return None
                if read.lent and float(read.beyond.max()) > 0:
                    # Read without the header's names lent below, the children tell apart only what the query
                    # says beyond the header's name: those matching as much of it tie, whatever their titles'
                    # lengths ("cellulitis left leg" under L03.11: the left axilla, upper limb and lower limb).
                    top = float(read.beyond.max()) * (1 - _SAME_WORDS)
                    tied = [cid for cid, c in zip(bounds[:-1], read.beyond, strict=True) if c >= top]
                    chosen = self._plain(index, header, self._concepts(tied), query, see=see)
                if chosen is None:  # they do not decide: the header's words do, as the index lends them
                    lead = max(0, float(read.scores.max()) / narrowing.clear_lead)
                    tied = [cid for cid, score in zip(bounds[:-1], read.scores, strict=True) if score >= lead]
                    chosen = self._plain(index, header, self._concepts(tied), query, see=see)
                if chosen is None:
                    return None
            header = chosen
            if header.billable:
                return header
        return None

    def _concepts(self, ids: Sequence[int]) -> list[tuple[int, Concept]]:
        """The concepts of these ids, in their order, with their ids."""
        found = self.store.concepts_by_id(ids)
        return [(cid, found[cid]) for cid in ids if cid in found]

    def _default_child(
        self, index: LexicalIndex, header: Concept, bounds: Sequence[int], query: Query
    ) -> Concept | None:
        """The child a header's whole name defaults to: the header's own residual, the child that says nothing
        but "unspecified" beyond the header's title (C18.9 "Malignant neoplasm of colon, unspecified"), where one
        does; else, of the children whose subtree holds a code the indexes or a vocabulary give a name (the
        main-term mark; all children where none does): the only one; else the one claiming least (C74.9
        "... unspecified part of adrenal gland", not the cortex); else the one marked itself (E10.9, what the
        index gives "Diabetes, type 1"); None where none stands out."""
        kids = self._concepts(bounds[:-1])
        if "unspecified" not in query.words:
            pick = _plainest(header, kids)
            if pick is not None and priors.added_words(header.title, [pick.title]) == [0]:
                return pick
        marked = set(itertools.compress(bounds[:-1], priors.held_below(index.concept_marks, bounds, priors.MAIN_TERM)))
        named = [(cid, k) for cid, k in kids if cid in marked]
        if len(named) == 1:
            return named[0][1]
        return self._plain(index, header, named or kids, query, plainest_first=True)

    def _plain(
        self,
        index: LexicalIndex,
        header: Concept,
        kids: Sequence[tuple[int, Concept]],
        query: Query,
        *,
        plainest_first: bool = False,
        see: frozenset[str] = frozenset(),
    ) -> Concept | None:
        """Of sibling codes (with their ids) the query does not tell apart, the one it means: the only one, the
        first of 7th-character siblings (initial encounter), the one the Alphabetic Index gives the words (the
        main-term mark), else the only one whose title says ``see`` (the words of the entry an index entry the
        header was found by refers to: "Cellulitis, leg - see Cellulitis, lower limb"), else the one claiming
        least ("unspecified" most often; before the marked one where ``plainest_first``), else the one holding
        the header's title with "NOS" (``priors.said_nos``); None where the query says "unspecified" or none
        stands out."""
        if not kids:
            return None
        if len(kids) == 1 or all(_is_seventh_character_code(k) for _, k in kids):
            return kids[0][1]
        if "unspecified" in query.words:
            return None
        plainest = _plainest(header, kids)
        if plainest_first and plainest is not None:
            return plainest
        named = [k for cid, k in kids if index.concept_marks[cid] & priors.MAIN_TERM]
        if len(named) == 1:
            return named[0]
        seen = [k for _, k in kids if see and see <= set(tokens(k.title))]
        if len(seen) == 1:
            return seen[0]
        if plainest is not None:
            return plainest
        nos = priors.said_nos(header.title, self.store.nos_terms([cid for cid, _ in kids]))
        return next((k for cid, k in kids if cid == nos), None)


def _held_together(index: LexicalIndex, words: Sequence[str], *, known: bool = False) -> bool:
    """Whether some designation holds every one of ``words`` the index knows as a whole word (two spine levels and
    what else the query says: "L4/L5" with "subluxation", "C5-C6" with "disc"; a word's parts, ``_in_parts``);
    ``known``: False where the index knows one of them not."""
    terms = [index.term(word) for word in words]
    if known and None in terms:
        return False
    held = {t for t in terms if t is not None}
    return bool(held) and _one_holds([index.postings(t, t + 1) for t in held])


def _one_holds(held: list[npt.NDArray[np.int32]]) -> bool:
    """Whether one designation is in every one of ``held`` (sorted designation lists): the shortest list's are
    looked up in the others, shortest first."""
    held = sorted(held, key=len)
    together = held[0]
    for postings in held[1:]:
        at = np.minimum(np.searchsorted(postings, together), len(postings) - 1)
        together = together[postings[at] == together]
        if not len(together):
            return False
    return bool(len(together))


def _held_as_read(index: LexicalIndex, words: Sequence[str], limits: Limits) -> bool:
    """Whether some designation holds every one of ``words`` in one of the forms a word is matched in (itself, its
    singular and plurals: ``lexical.atom``); False where a word is held by none."""
    held: list[npt.NDArray[np.int32]] = []
    for word in words:
        found = lexical.atom(index, word, prefix=False, limits=limits)
        if found is None or not found.exact:
            return False
        held.append(np.unique(np.concatenate([index.postings(t, t + 1) for t in found.exact])))
    return _one_holds(held)


# The endings an adjective of a site puts on its noun's first letters ("sacr-al", "cervic-al", "uter-ine").
_SITE_ADJECTIVE_ENDINGS = ("al", "ar", "ic", "ine")
# The most words starting so that are looked through, and the most letters an adjective adds to its noun.
_ADJECTIVE_CANDIDATES = 200
_ADJECTIVE_LONGER = 4


def _as_adjective(index: LexicalIndex, words: Sequence[str], position: int) -> tuple[str, ...]:
    """A site's noun read as its adjective where the query's words are held together only so: the titles say
    "Pressure ulcer of sacral region, stage 2" and `pressure ulcer sacrum stage 2` found the elbow's first. The
    adjective is a word of the index that starts as the noun does, less its last letters (two of a longer word:
    "sacr-um", "cervi-x", "tibi-a"), and ends as an adjective does; the first such that a designation holds with
    the query's other words (function words aside) is read."""
    word = words[position]
    said = [w for w in words if w not in abbreviations.FUNCTION_WORDS]
    if len(word) < 5 or not word.isalpha() or len(said) < 2:
        return ()
    lo, hi = index.prefix_range(word[: -2 if len(word) > 5 else -1])
    if hi - lo > _ADJECTIVE_CANDIDATES:
        return ()
    adjectives = sorted(
        (
            t
            for t in index.vocabulary[lo:hi]
            if t != word and len(t) <= len(word) + _ADJECTIVE_LONGER and t.endswith(_SITE_ADJECTIVE_ENDINGS)
        ),
        key=lambda t: (len(t), t),
    )
    if not adjectives or _held_together(index, said):
        return ()
    for adjective in adjectives:
        if _held_together(index, [adjective if w == word else w for w in said]):
            return (adjective,)
    return ()


def _in_parts(index: LexicalIndex, word: str) -> tuple[str, ...]:
    """A word of letters and digits that no designation holds, read as the parts the data writes apart, where one
    designation holds them all: "ca125" as "ca 125" (*Elevated cancer antigen 125 [CA 125]*), "covid19" as
    "covid 19", "l5s1" as "l5 s1". Split before each letter after a digit first ("l5s1", "t11t12"), else at every
    change from letters to digits ("ca125", "h1n1" as "h 1 n 1" is held by no one designation so)."""
    if not word.isalnum() or word.isalpha() or word.isdigit() or index.term(word) is not None:
        return ()
    for parts in (_UNITS.findall(word), _RUNS.findall(word)):
        if len(parts) > 1 and all(index.term(p) is not None for p in parts) and _held_together(index, parts):
            return (" ".join(parts),)
    return ()


# A letter run and the digits after it ("l5", "s1"); runs of letters or digits alone ("ca", "125").
_UNITS = re.compile(r"[a-z]*[0-9]+|[a-z]+")
_RUNS = re.compile(r"[a-z]+|[0-9]+")


def _see_words(named: tuple[DesignationKind, str, str | None] | None, header: Concept) -> frozenset[str]:
    """The words of the entry an index entry refers to ("see Cellulitis, lower limb") that the header's title
    does not say; none for another name."""
    if named is None or named[0] is not DesignationKind.INDEX_TERM or not named[2]:
        return frozenset()
    return frozenset(tokens(named[2])) - set(tokens(header.title)) - abbreviations.FUNCTION_WORDS


# Sums of idf (float32) this close, as a share, are the same words matched.
_SAME_WORDS = 1e-5


def _hit(
    concept: Concept, score: float, reasons: tuple[MatchReason, ...], marks: tuple[tuple[int, int], ...]
) -> SearchHit:
    return SearchHit(concept.system, concept.code, concept.title, score, concept.billable, concept.kind, reasons, marks)


class _Explained:
    """What a query's word groups make of a hit's text: the words to highlight, the alternative it used."""

    def __init__(self, groups: Sequence[lexical.Group], ranges: dict[str, str] | None = None) -> None:
        self.ranges = ranges or {}  # a range's words -> the range as written (``number_ranges.Ranges.written``)
        whole: set[str] = set()
        prefixes: list[str] = []
        self.alternatives: list[tuple[lexical.Group, list[str], list[list[str]]]] = []
        for g in groups:
            typed = tokens(g.word)
            spelled_all = []
            for alt in g.alternatives:
                spelled = [unmarked(a.word) for a in alt]
                spelled_all.append(spelled)
                whole.update(spelled)
                prefixes.extend(unmarked(a.word) for a in alt if a.hi > a.lo)
            self.alternatives.append((g, typed, spelled_all))
        self.whole = whole
        self.prefixes = tuple(prefixes)

    def highlights(self, text: str) -> tuple[tuple[int, int], ...]:
        whole, prefixes = self.whole, self.prefixes
        return tuple((start, end) for start, end, word in spans(text) if word in whole or word.startswith(prefixes))

    def alternative(self, text: str) -> MatchReason | None:
        """Why ``text`` matched through what a typed word stands for (not the word itself), if it did."""
        words = set(tokens(text))
        for g, typed, spelled_all in self.alternatives:
            if all(w in words for w in typed):
                continue
            for spelled in spelled_all:
                if spelled != typed and all(w in words for w in spelled):
                    meant = " ".join(spelled)
                    if g.word.isdigit() and (written := self.ranges.get(meant)) is not None:
                        return MatchReason("range", f"{g.word} in {written}")  # `bmi 42`: "40.0-44.9"
                    # An abbreviation spells what it stands for ("MI" = myocardial infarction, "malig" = malignant)
                    # or is no word at all ("fx" = fracture, "hx" = history); a lay word is neither ("shot" =
                    # injection, "brace" = orthosis), and is not written in capitals.
                    short = (
                        len(typed) == 1
                        and len(g.word) <= _ABBREVIATION_LETTERS
                        and (spells(g.word, meant) or VOWELS.isdisjoint(g.word))
                    )
                    # Letters a note joins by slashes ("h/o" = history of, "n/v") spell it too, and are written so.
                    slashed = len(typed) > 1 and all(len(w) <= 2 for w in typed) and spells("".join(typed), meant)
                    if short or slashed:
                        written = "/".join(typed) if slashed else g.word
                        return MatchReason("abbreviation", f"{written.upper()} = {meant}")
                    return MatchReason("synonym", f"{g.word} = {meant}")
        return None


def _read_too(words: Sequence[str], position: int) -> bool:
    """Whether a query's word is one the words before it are read as too (a marker's sign joined to it,
    ``text.sign_joined``; a range as one word, ``text.is_range_word``), not one typed."""
    return sign_joined(words, position) or is_range_word(words[position])


def _finish(
    hits: Sequence[SearchHit],
    matched: dict[tuple[SystemId, str], tuple[str, tuple[lexical.Group, ...]]],
    ranges: dict[str, str] | None = None,
) -> tuple[SearchHit, ...]:
    """Word hits with their highlights, and the alternative each matched through (after the designation)."""
    explained: dict[int, _Explained] = {}
    out = []
    for hit in hits:
        found = matched.get((hit.system, hit.code))
        if found is None:
            out.append(hit)
            continue
        text, groups = found
        explain = explained.get(id(groups))
        if explain is None:
            explain = explained[id(groups)] = _Explained(groups, ranges)
        reasons = hit.reasons
        alternative = explain.alternative(text)
        if alternative is not None:
            reasons = (*reasons[:1], alternative, *reasons[1:])
        out.append(
            SearchHit(
                hit.system,
                hit.code,
                hit.display,
                hit.score,
                hit.billable,
                hit.kind,
                reasons,
                explain.highlights(hit.display),
            )
        )
    return tuple(out)


def restatement(text: str) -> tuple[str, str] | None:
    """(the name, the restatement) of a text that ends in a bracketed restatement of what precedes it
    ("kidney infection (pyelonephritis)"); None for any other text."""
    stripped = text.rstrip()
    if not stripped.endswith(")"):
        return None
    opening = stripped.rfind("(")
    name, restated = stripped[:opening].strip(" -,;:"), stripped[opening + 1 : -1].strip()
    if opening <= 0 or not name or not restated or "(" in restated or ")" in name:
        return None
    return name, restated


def _names(name: str, restated: str) -> bool:
    """Whether a bracketed restatement names what the name says, as a clinical term would ("bone spur
    (exostosis)"), rather than qualifying it ("Bronchoscopy (diagnostic)", "Hemoperitoneum (nontraumatic)": its
    last word an adjective or a residual word) or spelling it short ("deep vein thrombosis (dvt)": a short
    form, or initials of the name's words in order)."""
    said = tokens(restated)
    if not said:
        return False
    last = said[-1]
    if last.endswith(_ADJECTIVE_ENDINGS) or last in abbreviations.RESIDUAL_WORDS:
        return False
    if len(said) > 1:
        return True
    initials = iter(w[0] for w in tokens(name))
    return len(last) > _SHORT_FORM and not all(letter in initials for letter in last)


def _restates(phrases: Sequence[str], others: Sequence[str]) -> bool:
    """Whether a short form or a reading stands for words the rest of the query says already ("deep vein
    thrombosis (dvt)", "copd chronic obstructive pulmonary disease"): one of its phrases of more than one word
    has every word among ``others``. Read as a word of its own, it would count that name twice, favouring a
    designation that says the phrase in its order ("Deep vein thrombosis, postpartum") over the index's
    inverted term ("Thrombosis, vein, deep")."""
    said = set(others)
    return any(len(words := tokens(phrase)) > 1 and said.issuperset(words) for phrase in phrases)


def _letter(words: Sequence[str], position: int) -> bool:
    """Whether a single letter at ``position`` is a letter that ends a name ("vitamin d", "hepatitis c",
    "hemophilia a"), not the start of a word being typed ("vitamin d" is not "vitamin deficiency"), nor, for "a",
    an article (an article never ends a name): typed last, after a word that names something. After a joining word
    ("fracture of a") it is a word being typed."""
    return (
        len(words[position]) == 1
        and words[position].isalpha()
        and position == len(words) - 1
        and position > 0
        and words[position - 1] not in abbreviations.FUNCTION_WORDS
    )


def _commoner_typed(index: LexicalIndex, word: str, meanings: Sequence[str]) -> bool:
    """Whether the words a known abbreviation starts are said more often than what it stands for, so that typed
    last it is likelier a word being typed: "dia" starts "diagnostic" and "diabetes" far more often than the
    data says a desmoplastic infantile astrocytoma; "acl" starts only rare words (aclasis, aclarubicin), and
    means the anterior cruciate ligament. A meaning is said at most as often as its rarest word."""
    own = index.term(word)
    lo, hi = index.prefix_range(word)
    started = int(index.df[lo:hi].sum()) - (int(index.df[own]) if own is not None and lo <= own < hi else 0)
    said = 0
    for meaning in meanings:
        held = [index.term(w) for w in tokens(meaning)]
        if held and all(t is not None for t in held):
            said = max(said, min(int(index.df[t]) for t in held if t is not None))
    return started > said


def _plainest(header: Concept, kids: Sequence[tuple[int, Concept]]) -> Concept | None:
    """Of a header's children (with their ids), the one claiming least (``priors.plainest``), if one does."""
    titles = [k.title for _, k in kids]
    pick = priors.plainest([priors.unspecified(t) for t in titles], header.title, titles)
    return None if pick is None else kids[pick][1]


def _qualified(name: str, query: Query) -> bool:
    """Whether the query says a word of the name's tail, after its head ("Eclampsia, postpartum", a name DO gives
    O15): the name is then of a kind of the header, which its children tell apart."""
    head = head_words(name)
    return head is not None and any(w not in head for w in tokens(name) if w in query.words)


def _in_context(result: lexical.LexicalResult, words: _Words, corrected: set[str]) -> bool:
    """Whether the best hit of a query read with its typos corrected matches a corrected word together with other
    words of the query: the correction fits what else was said ("malig neopl utrus nos": uterus,
    with the malignant neoplasm), where a real word the data lacks, corrected to another ("tarry stool": tardy),
    matches alone. Read from its coverage (its share of the query's idf): more than the words typed right weigh
    (so it holds a correction) and more than the corrections weigh (so it holds other words too)."""
    if not result.hits or len(words.groups) < 2:
        return False
    total = sum(g.idf for g in words.groups) or 1.0
    share = sum(g.idf for g in words.groups if g.word in corrected) / total
    return 0.0 < share < 1.0 and result.hits[0].coverage > max(share, 1.0 - share) + _ROUNDING


def fused_order(lists: Sequence[Sequence[_Key]], weights: Sequence[float], k: float, shallow: int) -> list[_Key]:
    """The keys of ranked lists fused by reciprocal rank (``weight / (k + rank)`` summed), by their first
    ``shallow`` places; the keys only deeper places hold follow, fused by every place (``SearchEngine._restated``)."""
    fused: dict[_Key, float] = {}
    deeper: dict[_Key, float] = {}
    for keys, weight in zip(lists, weights, strict=True):
        for rank, key in enumerate(keys, start=1):
            deeper[key] = deeper.get(key, 0.0) + weight / (k + rank)
            if rank <= shallow:
                fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    later = sorted((key for key in deeper if key not in fused), key=lambda key: -deeper[key])
    return [*sorted(fused, key=lambda key: -fused[key]), *later]


def _says(terms: npt.NDArray[np.bool_], groups: Sequence[lexical.Group]) -> bool:
    """Whether a word of the query, or a word sharing its stem, is one of ``terms`` (per term id): a population a
    chapter is kept for ("pregnant", "newborn", "congenital": ``LexicalIndex.population_terms``), a circumstance
    ("status", "encounter": ``LexicalIndex.circumstance_terms``)."""
    for group in groups:
        for alternative in group.alternatives:
            for atom in alternative:
                if any(terms[t] for t in atom.exact) or terms[atom.stem_lo : atom.stem_hi].any():
                    return True
    return False


def _initial_siblings(
    found: Sequence[lexical.ConceptScore],
    read: dict[int, Concept],
    designations: dict[int, tuple[DesignationKind, str, str | None]],
    index: LexicalIndex,
    words: _Words,
) -> dict[int, Concept]:
    """Concept id -> the first of its 7th-character siblings (``LexicalIndex.family_leader``: the initial encounter,
    in the official order; ``read`` holds the concepts found and those), for the codes found by their title where the
    query says none of the words that title adds to the first's, and the first is not found itself (each code found
    stays one hit: the total counts them).

    Designations are numbered shortest first (``index.build_index``), so a broad query's first candidates hold
    "Displaced fracture of pisiform, unspecified wrist, sequela" before the initial encounter's longer title, which
    it may not reach: `broken wrist` listed the sequela. Words that say the encounter (`... sequela`, `...
    subsequent`), typed, being typed, read from an alternative or sharing their stem, keep their code."""
    said = {singular(unmarked(a.word)) for g in words.groups for alt in g.alternatives for a in alt}
    said |= {singular(g.word) for g in words.groups}
    # The start of a word being typed (an atom matching the words it starts) says every word it starts.
    typed = {unmarked(a.word) for g in words.groups for alt in g.alternatives for a in alt if a.hi > a.lo}
    roots = tuple({root for word in said if (root := stem(word))} | typed)
    listed = {h.concept for h in found}
    out: dict[int, Concept] = {}
    for h in found:
        leader_id = int(index.family_leader[h.concept])
        concept, leader = read.get(h.concept), read.get(leader_id)
        if concept is None or leader is None or leader_id in listed:
            continue  # not in such a family, the first itself, or the first found too (it leads the family then)
        kind, _text, _via = designations.get(int(index.doc_id[h.doc]), (DesignationKind.TITLE, "", None))
        if kind is not DesignationKind.TITLE:
            continue  # an index term or other name belongs to its own code
        added = {singular(w) for w in tokens(concept.title)} - {singular(w) for w in tokens(leader.title)}
        # A word of the title is said where the query says it, or a word sharing its stem, as matching reads it.
        if said.isdisjoint(added) and not any(w.startswith(roots) for w in added):
            out[h.concept] = leader
    return out


def _is_seventh_character_code(concept: Concept) -> bool:
    """A code made by adding a 7th character (episode of care, fetus, ...) to its parent, in a system whose profile
    says it has such characters (ICD-10-CM: eight characters with the dot)."""
    return REGISTRY[concept.system].seventh_character and len(concept.code) == 8 and concept.parent is not None


def _collapse(hits: list[SearchHit], families: dict[tuple[SystemId, str], str]) -> list[SearchHit]:
    """The best of each set of 7th-character siblings in place; the other siblings after everything else."""
    seen: set[str] = set()
    first: list[SearchHit] = []
    later: list[SearchHit] = []
    for hit in hits:
        family = families.get((hit.system, hit.code))
        if family is None:
            first.append(hit)
        elif family in seen:
            later.append(hit)
        else:
            seen.add(family)
            first.append(hit)
    return first + later


def _starts_a_word(index: LexicalIndex, word: str) -> bool:
    lo, hi = index.prefix_range(word)
    return hi > lo


def _code_shaped(text: str) -> bool:
    """Text made of one code in some notation: one or two runs of letters and digits, with a digit."""
    runs = text.replace(".", " ").replace("-", " ").split()
    return 1 <= len(runs) <= 3 and any(ch.isdigit() for ch in text)
