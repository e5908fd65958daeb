"""The ASGI app: every route in one list, every error through one handler, limits and headers in one guard.

``create_app(service)`` builds the app around a CodeService, which is all it calls (with the explainers store
it passes to the service for generated explainers). Building it reads the templates and static files and the
list of loaded systems; importing this module reads nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from medcodes import __version__
from medcodes.config import MAX_QUERY_CHARS, MAX_QUERY_WORDS, ServeSettings, Settings
from medcodes.errors import MedcodesError
from medcodes.explain.store import ExplainerStore
from medcodes.service import MAX_MATCH_LINES, MAX_MATCH_WORDS, CodeService
from medcodes.web import memory, shapes
from medcodes.web.api import Api
from medcodes.web.assets import ROOT_FILES, Assets
from medcodes.web.cache import Searches
from medcodes.web.ctss import Ctss
from medcodes.web.errors import ChoicesBody, ErrorBody, handler, responder
from medcodes.web.fhir.operations import Fhir
from medcodes.web.fhir.routes import fhir_routes
from medcodes.web.guard import Guard
from medcodes.web.pages import Pages, environment
from medcodes.web.reference import endpoints
from medcodes.web.work import Lane

DESCRIPTION = f"""Search all medical codes and read every fact of each one.

Every HTML page of the site has a twin here, built from the same service call. Every error has one body:
`{{"ok": false, "error": "...", "status": 404}}`. Queries are at most {MAX_QUERY_CHARS} characters and
{MAX_QUERY_WORDS} words; a batch match takes at most {MAX_MATCH_LINES} lines and {MAX_MATCH_WORDS:,} words in all
(422 beyond the words) and 20 s of work (503). Every answer carries `X-Medcodes-Release`, the database release
that answered. Search text is never written to the server's logs.
"""


@dataclass(frozen=True, slots=True)
class WebOptions:
    # Searches and suggestions remembered (0: none); see web/cache.py.
    cache_size: int = 4096
    # The largest request body: a full batch match (1,000 lines of 500 characters) fits with room to spare.
    max_body_bytes: int = 1024 * 1024
    # The longest search a client may send fits: 500 characters of 4-byte UTF-8, percent-encoded, and filters.
    max_url_chars: int = 8192
    # The site's public address (canonical links, structured data); None: pages name themselves by path only.
    public_url: str | None = None
    # Long work (web/work.py): threads for long searches, requests queued per lane, seconds one request may take.
    work_threads: int = 2
    # Batches run one at a time per worker: a second batch thread took the GIL from the event loop often
    # enough that other clients' p99 went 49 -> 89 ms while 100 worst-case batches were sent (bench/serve.py).
    batch_threads: int = 1
    work_waiting: int = 32
    work_seconds: float = 20.0


def _ok(model: type, description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "description": description}}


_BAD: dict[int | str, dict[str, Any]] = {400: {"model": ErrorBody, "description": "Bad request"}}
# A well-formed request over a documented work budget (too many words in a query or a batch).
_OVER: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "More work than one request may ask"}
}
_MISSING: dict[int | str, dict[str, Any]] = {
    **_BAD,
    404: {"model": ErrorBody, "description": "No such code or system"},
}


V1 = "/api/v1"
# Always long work (web/work.py): refused before its body is read when the lane is full (web/guard.py).
MATCH_PATH = f"{V1}/match"


def routes(pages: Pages, api: Api, assets: Assets, ctss: Ctss, fhir: Fhir) -> list[BaseRoute]:
    """Every route of the site and the API: HTML pages first, then their JSON twins under /api/v1, then the
    standard interfaces (NLM Clinical Tables-compatible search, FHIR R4 terminology under /fhir)."""
    return [
        Route("/", pages.home, name="home"),
        Route("/search", pages.search, name="search"),
        Route("/code/{system}/{ref}", pages.code, name="code"),
        Route("/code/{system}/{ref}/similar", pages.similar, name="similar"),
        Route("/code/{ref}", pages.code_anywhere, name="code_anywhere"),
        Route("/browse", pages.browse, name="browse"),
        Route("/browse/{system}", pages.browse_system, name="browse_system"),
        Route("/about", pages.about, name="about"),
        Route("/docs", pages.api_docs, name="docs"),
        Route("/static/{name}", assets.serve, name="static"),
        *(Route(f"/{name}", assets.serve_root, name=name) for name in ROOT_FILES),
        APIRoute(
            f"{V1}/search",
            api.search,
            methods=["GET"],
            tags=["search"],
            responses={**_ok(shapes.SearchBody, "Hits, best first"), **_BAD, **_OVER},
        ),
        APIRoute(
            f"{V1}/suggest",
            api.suggest,
            methods=["GET"],
            tags=["search"],
            responses={**_ok(shapes.SuggestBody, "Suggestions"), **_BAD, **_OVER},
        ),
        APIRoute(
            MATCH_PATH,
            api.match,
            methods=["POST"],
            tags=["search"],
            responses={
                **_ok(shapes.MatchBody, "The best codes of each line"),
                **_BAD,
                **_OVER,
                413: {"model": ErrorBody, "description": "Request body too large"},
            },
        ),
        APIRoute(
            f"{V1}/codes/{{code}}",
            api.code_anywhere,
            methods=["GET"],
            tags=["codes"],
            responses={
                **_ok(shapes.CodeBody, "The code"),
                300: {"model": ChoicesBody, "description": "A code of several loaded systems: the choices"},
                **_MISSING,
            },
        ),
        APIRoute(
            f"{V1}/codes/{{system}}/{{code}}",
            api.code,
            methods=["GET"],
            tags=["codes"],
            responses={**_ok(shapes.CodeBody, "The code"), **_MISSING},
        ),
        APIRoute(
            f"{V1}/codes/{{system}}/{{code}}/children",
            api.children,
            methods=["GET"],
            tags=["codes"],
            responses={**_ok(shapes.ConceptsBody, "Its children"), **_MISSING},
        ),
        APIRoute(
            f"{V1}/codes/{{system}}/{{code}}/ancestors",
            api.ancestors,
            methods=["GET"],
            tags=["codes"],
            responses={**_ok(shapes.ConceptsBody, "Its ancestors, chapter first"), **_MISSING},
        ),
        APIRoute(
            f"{V1}/codes/{{system}}/{{code}}/similar",
            api.similar,
            methods=["GET"],
            tags=["codes"],
            responses={**_ok(shapes.SimilarBody, "Similar codes with the reasons why, best first"), **_MISSING},
        ),
        APIRoute(
            f"{V1}/codes/{{system}}/{{code}}/explain",
            api.explain,
            methods=["GET"],
            tags=["codes"],
            responses={**_ok(shapes.ExplainBody, "The official facts in words, and the generated text"), **_MISSING},
        ),
        APIRoute(
            f"{V1}/codes/{{system}}/{{code}}/map",
            api.map,
            methods=["GET"],
            tags=["codes"],
            responses={**_ok(shapes.MapBody, "Crosswalk rows to the other system, both directions"), **_MISSING},
        ),
        APIRoute(
            f"{V1}/systems",
            api.systems,
            methods=["GET"],
            tags=["systems"],
            responses=_ok(shapes.SystemsBody, "Loaded systems"),
        ),
        APIRoute(
            f"{V1}/systems/{{system}}",
            api.system,
            methods=["GET"],
            tags=["systems"],
            responses={**_ok(shapes.SystemBody, "The system and its chapters"), **_MISSING},
        ),
        APIRoute(
            "/api/{table}/v3/search",
            ctss.search,
            methods=["GET"],
            tags=["clinical tables"],
            summary="NLM Clinical Tables-compatible search",
            responses={200: {"description": "[total, codes, extras or null, display]"}, **_MISSING},
        ),
        Mount("/fhir", routes=fhir_routes(fhir), name="fhir"),
    ]


def create_app(
    service: CodeService,
    options: WebOptions | None = None,
    close_service: bool = False,
    explainers: ExplainerStore | None = None,
    close_explainers: bool = False,
) -> FastAPI:
    """The site and API over ``service``; ``close_service`` closes it when the server stops.

    ``explainers`` holds the generated explainers the code pages show (the server only reads it); without one,
    an empty in-memory store, which the app closes itself. ``close_explainers`` closes a store passed in.
    """
    options = options or WebOptions()
    store = explainers if explainers is not None else ExplainerStore.memory()
    close_store = close_explainers or explainers is None
    assets = Assets.load()
    templates = environment(assets, service.systems())
    lane = Lane(options.batch_threads, options.work_waiting, options.work_seconds, name="batch")
    searches = Searches(
        service,
        options.cache_size,
        Lane(options.work_threads, options.work_waiting, options.work_seconds, name="search"),
    )
    pages = Pages(service, searches, templates, lambda: endpoints(app.openapi()), store)
    respond = responder(templates)
    handle = handler(respond)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Load the search indexes now, not on the first visitor's request.
        service.warm()
        memory.give_back()
        yield
        if close_store:
            store.close()
        if close_service:
            service.close()

    app = FastAPI(
        title="medcodes",
        version=__version__,
        description=DESCRIPTION,
        routes=routes(pages, Api(service, searches, store, lane), assets, Ctss(service), Fhir(service)),
        # /docs is our own page (pages.api_docs), rendered from this document without a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
        exception_handlers={
            MedcodesError: handle,  # the whole tree: web, FHIR and terminology errors too
            RequestValidationError: handle,
            HTTPException: handle,
            Exception: handle,
        },
    )
    app.add_middleware(
        Guard,
        respond=respond,
        max_body_bytes=options.max_body_bytes,
        max_url_chars=options.max_url_chars,
        lane=lane,
        lane_paths=frozenset({MATCH_PATH}),
    )
    app.state.public_url = options.public_url.rstrip("/") if options.public_url else None
    app.openapi = _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI's document, with its 422 validation body replaced by ours (a 400 with the one error body)."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    responses = operation.get("responses", {})
                    if "HTTPValidationError" in json.dumps(responses.get("422", {})):  # FastAPI's, not ours
                        del responses["422"]
                        responses.setdefault("400", {"description": "Bad request", "content": _error_content()})
                    for status, description in _EVERY_OPERATION.items():
                        responses.setdefault(status, {"description": description, "content": _error_content()})
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = schema
        return app.openapi_schema

    return build


# What any request may be answered besides its own answers (the guard's limits, a server out of breath).
_EVERY_OPERATION = {
    "414": "URL too long",
    "503": "Server busy, a request's work budget spent, or the database unreadable",
}


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


def from_environment() -> ASGIApp:
    """An app factory for ``uvicorn --factory medcodes.web.app:from_environment``: the database from MEDCODES_DB,
    the explainers from MEDCODES_EXPLAINERS_DB (default: explainers.db beside it), opened read-only, the
    settings of `medcodes serve` from MEDCODES_* (config.ServeSettings); it moves to a newly built database
    without a restart (web/live.py)."""
    from medcodes.web.server import Site

    return Site.of(Settings.from_env(), ServeSettings.from_env())()
