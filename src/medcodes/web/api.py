"""The JSON API (/api/v1): each endpoint is one service call and one builder from ``shapes``.

Endpoints are ``async`` and call the service directly, on the event loop: a search is CPU work of a
millisecond or two that no thread would make faster (the GIL), and one thread keeps the store's single
SQLite connection and the engine's lazily loaded index to one user. A batch match yields to other
requests between chunks of lines.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.responses import JSONResponse

from medcodes.config import MAX_QUERY_CHARS
from medcodes.explain.store import ExplainerStore
from medcodes.models import Release, SearchResult
from medcodes.service import MAX_MATCH_LINES, CodeService
from medcodes.systems import NAMES, SystemId
from medcodes.web import shapes
from medcodes.web.cache import Searches
from medcodes.web.errors import WebError
from medcodes.web.urls import system_of

MAX_LIMIT = 1000
MAX_OFFSET = 10_000
MAX_SUGGESTIONS = 20
MAX_MATCHES_PER_LINE = 20
# CodeService.similar clamps its limit to 1..50; the API says so up front (a 400 beyond it).
MAX_SIMILAR = 50
# Lines matched between two chances for other requests to run.
_MATCH_CHUNK = 16

# Answers about codes change only with a new build; searches may hold what a person typed about a patient.
PUBLIC = {"cache-control": "public, max-age=3600"}
PRIVATE = {"cache-control": "no-store"}

SystemParam = Annotated[str, Path(description="A code system id: " + ", ".join(s.value for s in SystemId))]
CodeParam = Annotated[str, Path(description="A code in any notation (E11.9, e119, 0ut70zz), or a header's code")]
SystemsQuery = Annotated[
    list[SystemId] | None, Query(description="Only these systems (repeatable: system=icd10cm&system=hcpcs)")
]


class MatchRequest(BaseModel):
    """A batch of texts to code: one search per line, best codes first."""

    model_config = ConfigDict(extra="forbid")

    lines: list[Annotated[str, StringConstraints(max_length=MAX_QUERY_CHARS)]] = Field(
        max_length=MAX_MATCH_LINES, description=f"Texts to code, at most {MAX_MATCH_LINES} lines"
    )
    systems: list[SystemId] = Field(default_factory=list, description="Only these systems")
    limit: int = Field(default=3, ge=1, le=MAX_MATCHES_PER_LINE, description="Codes per line")


class Api:
    def __init__(self, service: CodeService, searches: Searches, explainers: ExplainerStore) -> None:
        self.service = service
        self.searches = searches
        self.explainers = explainers
        self.releases: dict[SystemId, Release] = {i.system: i.release for i in service.systems()}

    async def search(
        self,
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Words or a code, in any notation")] = "",
        system: SystemsQuery = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Hits per page")] = 10,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Hits to skip (paging)")] = 0,
        billable: Annotated[bool, Query(description="Billable codes only")] = False,
    ) -> JSONResponse:
        """Search every loaded code system by words or code: ranked hits, why each matched, counts per system."""
        result = self.searches.search(q, system or (), limit, offset, billable)
        return JSONResponse(shapes.search_body(result, limit, offset), headers=PRIVATE)

    async def suggest(
        self,
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="What has been typed so far")] = "",
        system: SystemsQuery = None,
        limit: Annotated[int, Query(ge=1, le=MAX_SUGGESTIONS, description="Codes to suggest")] = 8,
    ) -> JSONResponse:
        """Autocomplete: the typed words with the last one completed, and the best codes so far."""
        suggestions = self.searches.suggest(q, system or (), limit)
        return JSONResponse(shapes.suggest_body(suggestions), headers=PRIVATE)

    async def match(self, request: Annotated[MatchRequest, Body()]) -> JSONResponse:
        """Batch text-to-code: the best codes for each line, with scores, in the order given."""
        results: list[SearchResult] = []
        for start in range(0, len(request.lines), _MATCH_CHUNK):
            chunk = request.lines[start : start + _MATCH_CHUNK]
            results += self.service.match(chunk, request.systems, request.limit)
            await asyncio.sleep(0)
        return JSONResponse(shapes.match_body(request.lines, results), headers=PRIVATE)

    async def code(self, system: SystemParam, code: CodeParam) -> JSONResponse:
        """Every fact of one code: titles, hierarchy, notes, 7th characters, axes, indicators, crosswalks, history."""
        concept = self.service.find(system_of(system), code)
        body = shapes.code_body(self.service.detail(concept), self.service.axes(concept))
        return JSONResponse(body, headers=PUBLIC)

    async def children(self, system: SystemParam, code: CodeParam) -> JSONResponse:
        """The codes one level below a code (or chapter, section, block), in the official order."""
        concept = self.service.find(system_of(system), code)
        return JSONResponse(shapes.concepts_body(concept, self.service.children_of(concept)), headers=PUBLIC)

    async def ancestors(self, system: SystemParam, code: CodeParam) -> JSONResponse:
        """The chain above a code, from its chapter down to its parent."""
        concept = self.service.find(system_of(system), code)
        return JSONResponse(shapes.concepts_body(concept, self.service.ancestors_of(concept)), headers=PUBLIC)

    async def similar(
        self,
        system: SystemParam,
        code: CodeParam,
        limit: Annotated[int, Query(ge=1, le=MAX_SIMILAR, description="Similar codes at most")] = 10,
    ) -> JSONResponse:
        """Codes similar to a code, in its system and in the others, best first, each with the reasons why."""
        concept = self.service.find(system_of(system), code)
        found = self.service.similar(concept.code, concept.system, limit)
        return JSONResponse(shapes.similar_body(concept, found), headers=PUBLIC)

    async def explain(self, system: SystemParam, code: CodeParam) -> JSONResponse:
        """A code in plain language: its official facts in sentences, and the generated explainer (or null) with
        its label and provenance. Generated text is not medical advice."""
        concept = self.service.find(system_of(system), code)
        facts = self.service.explain_facts(concept.code, concept.system)
        found = self.service.explainer(concept.code, concept.system, self.explainers)
        body = shapes.explain_body(concept, facts, self.releases.get(concept.system), found)
        return JSONResponse(body, headers=PUBLIC)

    async def map(
        self,
        system: SystemParam,
        code: CodeParam,
        to: Annotated[SystemId, Query(description="The system to map to")],
    ) -> JSONResponse:
        """Crosswalk a code to another system (GEMs, WHO ICD-10/ICD-11 tables, code history), both directions: the
        same content as `medcodes map --json`. A code no longer in its system (ICD-9-CM, a deleted code) maps too."""
        concept, mappings = self.service.map(code, system_of(system), to)
        return JSONResponse(shapes.map_body(concept, to, mappings), headers=PUBLIC)

    async def systems(self) -> JSONResponse:
        """Every loaded code system: its release (version, date, files, licence) and counts."""
        return JSONResponse(shapes.systems_body(self.service.systems()), headers=PUBLIC)

    async def system(self, system: SystemParam) -> JSONResponse:
        """One loaded system and the top of its hierarchy (chapters or sections), for browsing."""
        wanted = system_of(system)
        info = next((i for i in self.service.systems() if i.system is wanted), None)
        if info is None:
            raise WebError(404, f"{NAMES[wanted]} is not loaded in this database")
        return JSONResponse(shapes.system_body(info, self.service.roots(wanted)), headers=PUBLIC)
