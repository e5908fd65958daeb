"""Recent answers, kept in memory: the same search asked twice is answered once.

A service's database never changes under it (a build writes a new file and renames it over the old one; the
open connection keeps reading the file it opened), so an answer stays right for as long as the service is
used; a server that moves to a new release builds a new app, with a new cache (web/live.py). The cache lives
in the process, never on disk; a size of 0 turns it off. It is read and written on the event loop only: a
search that is long work runs in the lane's threads (web/work.py), and its answer is kept once it is back.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import Receive

from medcodes.models import SearchResult, Suggestions
from medcodes.recent import Recent
from medcodes.service import CodeService
from medcodes.systems import SystemId
from medcodes.web.work import HEAVY_HITS, Lane, heavy

_SearchKey = tuple[str, tuple[SystemId, ...], int, int, bool]
_SuggestKey = tuple[str, tuple[SystemId, ...], int]


class Searches:
    """CodeService.search and CodeService.suggest, remembering recent answers; long ones run in ``lane``."""

    def __init__(self, service: CodeService, size: int, lane: Lane | None = None) -> None:
        self.service = service
        self.results: Recent[_SearchKey, SearchResult] = Recent(size)
        self.suggestions: Recent[_SuggestKey, Suggestions] = Recent(size)
        self.lane = lane or Lane()

    async def find(
        self,
        text: str,
        systems: Sequence[SystemId] = (),
        limit: int = 10,
        offset: int = 0,
        billable: bool = False,
        *,
        receive: Receive | None = None,
    ) -> SearchResult:
        """CodeService.search, with long work (many hits or words) off the event loop; ``receive`` tells when the
        client leaves."""
        key = (text, tuple(systems), limit, offset, billable)
        found = self.results.get(key)
        if found is not None:
            return found
        if heavy(text, limit + offset):
            found = await self.lane.run(lambda _: self.service.search(text, systems, limit, offset, billable), receive)
        else:
            found = self.service.search(text, systems, limit, offset, billable)
        if limit + offset <= HEAVY_HITS:  # an answer of a thousand hits is not kept: the cache stays small
            self.results.put(key, found)
        return found

    async def complete(
        self, text: str, systems: Sequence[SystemId] = (), limit: int = 8, *, receive: Receive | None = None
    ) -> Suggestions:
        """CodeService.suggest, with long work (many words) off the event loop."""
        key = (text, tuple(systems), limit)
        found = self.suggestions.get(key)
        if found is not None:
            return found
        if heavy(text, limit):
            found = await self.lane.run(lambda _: self.service.suggest(text, systems, limit), receive)
        else:
            found = self.service.suggest(text, systems, limit)
        self.suggestions.put(key, found)
        return found
