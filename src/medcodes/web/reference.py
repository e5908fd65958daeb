"""The API reference page's content, read from the app's own OpenAPI document.

/docs is rendered on the server from the same document /openapi.json serves, so it cannot drift from the
routes, and it needs no script or stylesheet from a CDN (FastAPI's default /docs loads Swagger UI from one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
