"""The search engine: code look-up first, then words.

Stages: ``query.parse`` -> code candidates (exact, placeholder-free and prefix look-ups in every
system the query may denote) -> word candidates (FTS5 word-prefix match over every designation,
bm25-ranked) -> merge, codes first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medcodes.models import Concept, MatchReason, SearchHit, SearchResult
from medcodes.search.query import Query
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import REGISTRY, InvalidCodeSyntax, SystemId

_FTS_CANDIDATES = 400


@dataclass(slots=True)
class _Ranked:
    hits: dict[tuple[SystemId, str], SearchHit] = field(default_factory=dict)

    def add(self, concept: Concept, score: float, reason: MatchReason) -> None:
        key = (concept.system, concept.code)
        if key in self.hits:
            return
        self.hits[key] = SearchHit(
            concept.system, concept.code, concept.title, score, concept.billable, concept.kind, (reason,)
        )


class SearchEngine:
    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self._systems = tuple(r.system for r in store.releases())

    def search(self, query: Query) -> SearchResult:
        systems = query.systems or self._systems
        ranked = _Ranked()
        if query.text:
            self._codes(query, systems, ranked)
            if query.words:
                self._words(query, systems, ranked)
        hits = [h for h in ranked.hits.values() if h.billable or not query.billable_only]
        facets: dict[SystemId, int] = {}
        for hit in hits:
            facets[hit.system] = facets.get(hit.system, 0) + 1
        page = tuple(hits[query.offset : query.offset + query.limit])
        return SearchResult(query.text, len(hits), page, facets)

    def _codes(self, query: Query, systems: tuple[SystemId, ...], ranked: _Ranked) -> None:
        for system in systems:
            try:
                candidates = REGISTRY[system].candidates(query.text)
            except InvalidCodeSyntax:
                continue
            for code in self.store.existing(system, list(candidates)):
                concept = self.store.get(system, code)
                if concept is not None:
                    ranked.add(concept, 100.0, MatchReason("code", code))
            # A code prefix lists its descendants in the official order.
            for concept in self.store.codes_with_prefix(system, candidates[0], query.offset + query.limit + 50):
                ranked.add(concept, 50.0, MatchReason("code", candidates[0]))

    def _words(self, query: Query, systems: tuple[SystemId, ...], ranked: _Ranked) -> None:
        # Every word must start a word of the designation; words are alphanumeric only, so quoting
        # them leaves no FTS5 operator in the expression.
        match = " AND ".join(f'"{w}"*' for w in query.words)
        for found in self.store.text_search(match, systems, _FTS_CANDIDATES):
            concept = self.store.get(found.system, found.code)
            if concept is not None:
                ranked.add(concept, -found.rank, MatchReason(found.designation_kind, found.designation))
