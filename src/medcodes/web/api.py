"""The JSON API (/api/v1): each endpoint is one service call and one builder from ``shapes``.

Endpoints are ``async`` and call the service on the event loop when the work is short (a search is CPU work of
a millisecond or two that no thread would make faster: the GIL). Long work (a batch match, a search for many
hits or of many words) runs in the lane's worker threads (web/work.py), within a budget, and stops when the
client leaves; the event loop goes on answering everyone else meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Body, Path, Query
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from medcodes.config import MAX_QUERY_CHARS
from medcodes.errors import InvalidCode, UnknownSystem, WebError
from medcodes.explain.store import ExplainerStore
from medcodes.models import Concept, ConceptDetail, Release, SearchResult
from medcodes.recent import RecentBodies
from medcodes.service import MAX_MATCH_LINES, MAX_MATCH_WORDS, CodeService
from medcodes.systems import SYSTEM_NAME_CHARS, SYSTEM_PATTERN, SystemId, parse_system
from medcodes.web import shapes
from medcodes.web.cache import Searches
from medcodes.web.params import whole_number
from medcodes.web.urls import system_of
from medcodes.web.work import Lane

MAX_LIMIT = 1000
MAX_OFFSET = 10_000
MAX_SUGGESTIONS = 20
MAX_MATCHES_PER_LINE = 20
# CodeService.similar clamps its limit to 1..50; the API says so up front (a 400 beyond it).
MAX_SIMILAR = 50
# Codes whose JSON answer is kept (2-20 KB each), within a byte budget (a worker's memory is budgeted).
CODE_BODIES_KEPT, CODE_BODIES_BYTES = 2048, 8 << 20
# What a code in a path may look like: any notation of any system's code (E11.9, e11 9, 0UT.70ZZ, DRG 291) or a
# header's stored code (A15-A19, BlockL1-1A0, MODIFIERS); the longest stored code has 16 characters.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 .\-]{0,39}$"
_IDS = ", ".join(s.value for s in SystemId)

# Answers about codes change only with a new build; searches may hold what a person typed about a patient.
PUBLIC = {"cache-control": "public, max-age=3600"}
PRIVATE = {"cache-control": "no-store"}


def _digits(value: object) -> object:
    """A number in a query string is ASCII digits only (pydantic, like int(), also reads "1_0")."""
    if isinstance(value, str):
        found = whole_number(value)
        if found is None:
            raise ValueError("must be a whole number written in the digits 0-9")
        return found
    return value


DIGITS = BeforeValidator(_digits)


def _whole(value: object) -> object:
    """A number in a JSON body is a JSON number (3, or 3.0: JSON Schema's integer), never a string or true."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


def _system(value: str) -> str:
    """A system as a person names it (systems.parse_system), as its id."""
    try:
        return parse_system(value).value
    except UnknownSystem as exc:
        raise ValueError(str(exc)) from None


# A system in a filter or a body: the OpenAPI document says which spellings are read (SYSTEM_PATTERN).
SystemName = Annotated[
    str,
    AfterValidator(_system),
    Field(
        description=f"A code system: its id ({_IDS}) in any case, with or without separators (ICD-10-CM)",
        json_schema_extra={"pattern": SYSTEM_PATTERN, "maxLength": SYSTEM_NAME_CHARS},
    ),
]
SystemParam = Annotated[
    str, Path(description=f"A code system: its id ({_IDS}) in any case (ICD-10-CM too)", max_length=SYSTEM_NAME_CHARS)
]
CodeParam = Annotated[
    str,
    Path(
        description="A code in any notation (E11.9, e119, 0ut70zz), or a header's code",
        pattern=CODE_PATTERN,
        max_length=40,
    ),
]
SystemsQuery = Annotated[
    list[SystemName] | None,
    Query(description="Only these systems (repeatable: system=icd10cm&system=hcpcs)", max_length=len(SystemId)),
]


def _ids(names: list[str] | None) -> tuple[SystemId, ...]:
    return tuple(dict.fromkeys(SystemId(name) for name in names or ()))


class MatchRequest(BaseModel):
    """A batch of texts to code: one search per line, best codes first."""

    model_config = ConfigDict(extra="forbid")

    lines: list[Annotated[str, StringConstraints(max_length=MAX_QUERY_CHARS)]] = Field(
        max_length=MAX_MATCH_LINES,
        description=f"Texts to code, at most {MAX_MATCH_LINES} lines and {MAX_MATCH_WORDS:,} words in all",
    )
    systems: list[SystemName] = Field(default_factory=list, max_length=len(SystemId), description="Only these systems")
    limit: Annotated[int, BeforeValidator(_whole)] = Field(
        default=3, ge=1, le=MAX_MATCHES_PER_LINE, description="Codes per line"
    )


class Api:
    def __init__(self, service: CodeService, searches: Searches, explainers: ExplainerStore, lane: Lane) -> None:
        self.service = service
        self.searches = searches
        self.explainers = explainers
        self.lane = lane
        self.bodies: RecentBodies[tuple[SystemId, str]] = RecentBodies(CODE_BODIES_KEPT, CODE_BODIES_BYTES)
        self.releases: dict[SystemId, Release] = {i.system: i.release for i in service.systems()}

    def _find(self, system: str, code: str) -> Concept:
        """The code a path names. A code no code of the system could be (E1 in ICD-10-CM) names no resource
        either: 404, with the shape of the system's codes in the hint."""
        return _in_path(lambda: self.service.find(system_of(system), code))

    async def search(
        self,
        request: Request,
        *,
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Words or a code, in any notation")] = "",
        system: SystemsQuery = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Hits per page"), DIGITS] = 10,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Hits to skip (paging)"), DIGITS] = 0,
        billable: Annotated[bool, Query(description="Billable codes only")] = False,
    ) -> JSONResponse:
        """Search every loaded code system by words or code: ranked hits, why each matched, counts per system."""
        result = await self.searches.find(q, _ids(system), limit, offset, billable, receive=request.receive)
        return JSONResponse(shapes.search_body(result, limit, offset), headers=PRIVATE)

    async def suggest(
        self,
        request: Request,
        *,
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="What has been typed so far")] = "",
        system: SystemsQuery = None,
        limit: Annotated[int, Query(ge=1, le=MAX_SUGGESTIONS, description="Codes to suggest"), DIGITS] = 8,
    ) -> JSONResponse:
        """Autocomplete: the typed words with the last one completed, and the best codes so far."""
        suggestions = await self.searches.complete(q, _ids(system), limit, receive=request.receive)
        return JSONResponse(shapes.suggest_body(suggestions), headers=PRIVATE)

    async def match(self, request: Request, body: Annotated[MatchRequest, Body()]) -> JSONResponse:
        """Batch text-to-code: the best codes for each line, with scores, in the order given. The batch runs off
        the event loop, within a time budget, and stops when the client disconnects."""
        systems = _ids(body.systems)
        results: list[SearchResult] = await self.lane.run(
            lambda budget: self.service.match(body.lines, systems, body.limit, check=budget), request.receive
        )
        return JSONResponse(shapes.match_body(body.lines, results), headers=PRIVATE)

    async def code(
        self,
        system: SystemParam,
        code: CodeParam,
        as_of: Annotated[
            dt.date | None,
            Query(description="The code as it stood on this date (YYYY-MM-DD), from the code history loaded"),
        ] = None,
    ) -> Response:
        """Every fact of one code: titles, hierarchy, notes, 7th characters, axes, indicators, crosswalks, history.
        With ``as_of``, the facts of that date where the history says them, and ``as_of_notes`` saying which."""
        if as_of is None:
            return self._code(self._find(system, code))
        return self._body(_in_path(lambda: self.service.as_of(code, system_of(system), as_of)))

    async def code_anywhere(self, code: CodeParam) -> Response:
        """One code of whichever loaded system has it; where several do (ICD-9-CM 291 and MS-DRG 291), a 300 answer
        with ``choices``, each with its own address."""
        return self._code(_in_path(lambda: self.service.resolve(code)))

    def _code(self, concept: Concept) -> Response:
        # A code's facts are the release's, which never change under a running server: its answer is kept.
        key = (concept.system, concept.code)
        body = self.bodies.get(key)
        if body is None:
            body = bytes(self._body(self.service.detail(concept)).body)
            self.bodies.put(key, body)
        return Response(body, media_type="application/json", headers=PUBLIC)

    def _body(self, detail: ConceptDetail) -> JSONResponse:
        body = shapes.code_body(detail, self.service.axes(detail.concept), self.service.links(detail))
        return JSONResponse(body, headers=PUBLIC)

    async def children(self, system: SystemParam, code: CodeParam) -> JSONResponse:
        """The codes one level below a code (or chapter, section, block), in the official order."""
        concept = self._find(system, code)
        return JSONResponse(shapes.concepts_body(concept, self.service.children_of(concept)), headers=PUBLIC)

    async def ancestors(self, system: SystemParam, code: CodeParam) -> JSONResponse:
        """The chain above a code, from its chapter down to its parent."""
        concept = self._find(system, code)
        return JSONResponse(shapes.concepts_body(concept, self.service.ancestors_of(concept)), headers=PUBLIC)

    async def similar(
        self,
        system: SystemParam,
        code: CodeParam,
        limit: Annotated[int, Query(ge=1, le=MAX_SIMILAR, description="Similar codes at most"), DIGITS] = 10,
    ) -> JSONResponse:
        """Codes similar to a code, in its system and in the others, best first, each with the reasons why."""
        concept = self._find(system, code)
        found = self.service.similar(concept.code, concept.system, limit)
        return JSONResponse(shapes.similar_body(concept, found), headers=PUBLIC)

    async def explain(self, system: SystemParam, code: CodeParam) -> JSONResponse:
        """A code in plain language: its official facts in sentences, and the generated explainer (or null) with
        its label and provenance. Generated text is not medical advice."""
        concept = self._find(system, code)
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
        concept, mappings = _in_path(lambda: self.service.map(code, system_of(system), to))
        return JSONResponse(shapes.map_body(concept, to, mappings), headers=PUBLIC)

    async def systems(self) -> JSONResponse:
        """Every loaded code system: its release (version, date, files, licence) and counts."""
        body = shapes.systems_body(self.service.systems(), self.service.stamp, self.service.vocabularies())
        return JSONResponse(body, headers=PUBLIC)

    async def system(self, system: SystemParam) -> JSONResponse:
        """One loaded system and the top of its hierarchy (chapters or sections), for browsing."""
        wanted = system_of(system)
        info = next((i for i in self.service.systems() if i.system is wanted), None)
        if info is None:
            raise self.service.not_loaded(wanted)
        return JSONResponse(shapes.system_body(info, self.service.roots(wanted)), headers=PUBLIC)


_T = TypeVar("_T")


def _in_path(read: Callable[[], _T]) -> _T:
    """``read()`` of a code a path names. Text no code could be (E1 in ICD-10-CM) names no resource either: 404,
    with the shape of the system's codes in the hint."""
    try:
        return read()
    except InvalidCode as exc:
        raise WebError(404, str(exc), exc.hint) from None
