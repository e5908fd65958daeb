"""Recent answers, kept in memory: the same search asked twice is answered once.

A running server's database never changes under it (a build writes a new file and renames it over the
old one; the open connection keeps reading the file it opened), so an answer stays right for as long as
the server runs. The cache lives in the process, never on disk; a size of 0 turns it off.
"""

from __future__ import annotations

from collections.abc import Sequence

from medcodes.models import SearchResult, Suggestions
from medcodes.recent import Recent
from medcodes.service import CodeService
from medcodes.systems import SystemId

_SearchKey = tuple[str, tuple[SystemId, ...], int, int, bool]
_SuggestKey = tuple[str, tuple[SystemId, ...], int]


class Searches:
    """CodeService.search and CodeService.suggest, remembering recent answers."""

    def __init__(self, service: CodeService, size: int) -> None:
        self.service = service
        self.results: Recent[_SearchKey, SearchResult] = Recent(size)
        self.suggestions: Recent[_SuggestKey, Suggestions] = Recent(size)

    def search(
        self, text: str, systems: Sequence[SystemId] = (), limit: int = 10, offset: int = 0, billable: bool = False
    ) -> SearchResult:
        key = (text, tuple(systems), limit, offset, billable)
        found = self.results.get(key)
        if found is None:
            found = self.service.search(text, systems, limit, offset, billable)
            self.results.put(key, found)
        return found

    def suggest(self, text: str, systems: Sequence[SystemId] = (), limit: int = 8) -> Suggestions:
        key = (text, tuple(systems), limit)
        found = self.suggestions.get(key)
        if found is None:
            found = self.service.suggest(text, systems, limit)
            self.suggestions.put(key, found)
        return found
