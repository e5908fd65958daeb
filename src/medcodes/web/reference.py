"""The API reference page's content, read from the app's own OpenAPI document.

/docs is rendered on the server from the same document /openapi.json serves, so it cannot drift from the
routes, and it needs no script or stylesheet from a CDN (FastAPI's default /docs loads Swagger UI from one).
Each endpoint of /api/v1 shows an example: a request and the answer this server gives it, made in process
from the loaded database when the page is first asked for, so that it cannot drift from the code either.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    where: str  # "query", "path"
    required: bool
    type: str
    description: str


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    body: str | None  # the request body's schema name
    responses: tuple[tuple[str, str], ...]  # (status, description)


def endpoints(openapi: dict[str, Any]) -> list[Endpoint]:
    found = []
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            found.append(
                Endpoint(
                    method.upper(),
                    path,
                    operation.get("summary", ""),
                    operation.get("description", ""),
                    tuple(_parameter(p) for p in operation.get("parameters", ())),
                    _type(body) if body else None,
                    tuple((status, r.get("description", "")) for status, r in operation.get("responses", {}).items()),
                )
            )
    return found


def _parameter(p: dict[str, Any]) -> Parameter:
    schema = p.get("schema", {})
    description = p.get("description") or schema.get("description", "")
    return Parameter(p["name"], p.get("in", ""), bool(p.get("required")), _type(schema), description)


def _type(schema: dict[str, Any]) -> str:
    """A schema in a few words: ``integer (1-1000)``, ``array of SystemId``, ``MatchRequest``."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"array of {_type(schema.get('items', {}))}"
    bounds = [str(schema[k]) for k in ("minimum", "maximum") if k in schema]
    if "maxLength" in schema:
        return f"{kind} (at most {schema['maxLength']} characters)"
    return f"{kind} ({'-'.join(bounds)})" if len(bounds) == 2 else kind


# ---------------------------------------------------------------------------------------------- examples
# Arrays in an example answer are cut to this many items (the page says so).
EXAMPLE_ITEMS = 2
EXAMPLE_QUERY = "heart attack"


@dataclass(frozen=True, slots=True)
class Example:
    """One request to an endpoint and the answer this server gave it, as indented JSON."""

    request: str  # "GET /api/v1/search?q=heart+attack&limit=2"
    answer: str


def example_requests(system: str, code: str, other: str | None) -> dict[tuple[str, str], tuple[str, bytes | None]]:
    """One request per endpoint of /api/v1, keyed by (method, path template): the code ``code`` of ``system``
    stands in for every code, ``other`` is a system to map it to (None: no map example)."""
    one = f"/api/v1/codes/{system}/{code}"
    found: dict[tuple[str, str], tuple[str, bytes | None]] = {
        ("GET", "/api/v1/search"): (f"/api/v1/search?q={EXAMPLE_QUERY.replace(' ', '+')}&limit=2", None),
        ("GET", "/api/v1/suggest"): ("/api/v1/suggest?q=heart+att&limit=2", None),
        ("POST", "/api/v1/match"): (
            "/api/v1/match",
            json.dumps({"lines": [EXAMPLE_QUERY, "broken arm"], "limit": 1}).encode(),
        ),
        ("GET", "/api/v1/codes/{code}"): (f"/api/v1/codes/{code}", None),
        ("GET", "/api/v1/codes/{system}/{code}"): (one, None),
        ("GET", "/api/v1/codes/{system}/{code}/children"): (f"{one}/children", None),
        ("GET", "/api/v1/codes/{system}/{code}/ancestors"): (f"{one}/ancestors", None),
        ("GET", "/api/v1/codes/{system}/{code}/similar"): (f"{one}/similar?limit=2", None),
        ("GET", "/api/v1/codes/{system}/{code}/explain"): (f"{one}/explain", None),
        ("GET", "/api/v1/systems"): ("/api/v1/systems", None),
        ("GET", "/api/v1/systems/{system}"): (f"/api/v1/systems/{system}", None),
    }
    if other is not None:
        found["GET", "/api/v1/codes/{system}/{code}/map"] = (f"{one}/map?to={other}", None)
    return found


async def example(app: ASGIApp, method: str, target: str, body: bytes | None) -> Example:
    """``app``'s answer to one request, made in process (no socket), its arrays cut to EXAMPLE_ITEMS items."""
    path, _, query = target.partition("?")
    headers = [(b"host", b"example"), (b"accept", b"application/json")]
    if body is not None:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 0),
        "server": ("example", 80),
    }
    sent = False
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body or b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    try:
        answer = json.dumps(_shortened(json.loads(b"".join(chunks))), indent=2, ensure_ascii=False)
    except ValueError:
        answer = b"".join(chunks).decode("utf-8", "replace")
    return Example(f"{method} {target}", answer)


def _shortened(value: Any) -> Any:
    if isinstance(value, list):
        kept = [_shortened(v) for v in value[:EXAMPLE_ITEMS]]
        return kept + ([f"... {len(value) - EXAMPLE_ITEMS} more"] if len(value) > EXAMPLE_ITEMS else [])
    if isinstance(value, dict):
        return {k: _shortened(v) for k, v in value.items()}
    return value
