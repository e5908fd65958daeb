"""An operation's input, read the same way from a query string (GET) and from a ``Parameters`` body (POST).

Each operation names the parameters it knows; any other name is a 400 that lists them, so that a
misspelt parameter is never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from medcodes.errors import FhirError
from medcodes.terminology.concepts import Coding

JsonObject = dict[str, Any]

# Parameters any operation accepts: the response format, and what the HL7 test runner and validators send
# along (a request id, the client's cache id, diagnostics); they change nothing in the answer.
COMMON = frozenset({"_format", "_pretty", "uuid", "cache-id", "diagnostics", "tx-resource", "profile", "_summary"})


@dataclass(frozen=True, slots=True)
class Value:
    """One parameter value: a primitive (as JSON gives it), a complex datatype, or a resource."""

    name: str
    value: Any
    kind: str  # the value[x] type (valueString -> "String"), "resource", or "query" for a query-string value


class Inputs:
    def __init__(self, operation: str, values: list[Value], known: Iterable[str]) -> None:
        self.operation = operation
        self.values = values
        allowed = COMMON | frozenset(known)
        unknown = sorted({v.name for v in values} - allowed)
        if unknown:
            raise FhirError(
                400,
                "not-supported",
                f"Unknown parameter {', '.join(repr(u) for u in unknown)} for {operation}; it takes "
                + ", ".join(sorted(frozenset(known))),
            )

    def all(self, name: str) -> list[Value]:
        return [v for v in self.values if v.name == name]

    def has(self, name: str) -> bool:
        return any(v.name == name for v in self.values)

    def string(self, *names: str) -> str | None:
        for name in names:
            for v in self.all(name):
                if isinstance(v.value, str):
                    return v.value
                self._bad(name, "a string")
        return None

    def strings(self, name: str) -> list[str]:
        out: list[str] = []
        for v in self.all(name):
            if not isinstance(v.value, str):
                self._bad(name, "a string")
            out += [p for p in v.value.split(",") if p] if v.kind == "query" else [v.value]
        return out

    def boolean(self, name: str, default: bool = False) -> bool:
        for v in self.all(name):
            if isinstance(v.value, bool):
                return v.value
            if isinstance(v.value, str) and v.value.lower() in ("true", "false"):
                return v.value.lower() == "true"
            self._bad(name, "true or false")
        return default

    def integer(self, name: str, minimum: int = 0, maximum: int | None = None) -> int | None:
        for v in self.all(name):
            number: int | None = None
            if isinstance(v.value, int) and not isinstance(v.value, bool):
                number = v.value
            elif isinstance(v.value, str) and v.value.strip().lstrip("-").isdigit():
                number = int(v.value)
            if number is None or number < minimum or (maximum is not None and number > maximum):
                bound = f" from {minimum}" + (f" to {maximum}" if maximum is not None else "")
                self._bad(name, "a whole number" + bound)
            return number
        return None

    def date(self, name: str) -> dt.date | None:
        text = self.string(name)
        if text is None:
            return None
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            self._bad(name, "a date (YYYY-MM-DD)")
        return None

    def coding(self, name: str) -> Coding | None:
        for v in self.all(name):
            if isinstance(v.value, dict):
                return coding_of(v.value, name)
            if v.kind == "query" and isinstance(v.value, str):
                # A token in a query string: system|code, or just a code.
                system, bar, code = v.value.rpartition("|")
                return Coding(system or None if bar else None, code)
            self._bad(name, "a Coding")
        return None

    def codings(self, name: str) -> list[Coding] | None:
        """The codings of a CodeableConcept parameter."""
        for v in self.all(name):
            if not isinstance(v.value, dict):
                self._bad(name, "a CodeableConcept")
            return [coding_of(c, name) for c in v.value.get("coding", [])]
        return None

    def resource(self, name: str, kind: str | None = None) -> JsonObject | None:
        for v in self.all(name):
            if not isinstance(v.value, dict) or (kind and v.value.get("resourceType") != kind):
                self._bad(name, f"a {kind or 'resource'}")
            return dict(v.value)
        return None

    def resources(self, name: str) -> list[JsonObject]:
        out = []
        for v in self.all(name):
            if not isinstance(v.value, dict) or "resourceType" not in v.value:
                self._bad(name, "a resource")
            out.append(dict(v.value))
        return out

    def _bad(self, name: str, what: str) -> None:
        raise FhirError(400, "invalid", f"Parameter '{name}' of {self.operation} must be {what}")


def coding_of(data: Mapping[str, Any], where: str) -> Coding:
    code = data.get("code")
    if not isinstance(code, str) or not code:
        raise FhirError(400, "invalid", f"The Coding in '{where}' has no code")
    system = data.get("system")
    display = data.get("display")
    version = data.get("version")
    return Coding(
        system if isinstance(system, str) else None,
        code,
        display if isinstance(display, str) else None,
        version if isinstance(version, str) else None,
    )


async def read(request: Request, operation: str, known: Iterable[str]) -> Inputs:
    """The operation's parameters: the query string's, and (POST) those of a Parameters body."""
    values = [Value(name, value, "query") for name, value in request.query_params.multi_items()]
    if request.method == "POST":
        body = await request.body()
        if body.strip():
            values += parameters_of(_json(body), operation)
    return Inputs(operation, values, known)


def _json(body: bytes) -> JsonObject:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FhirError(400, "structure", f"The request body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise FhirError(400, "structure", "The request body must be a FHIR resource (a JSON object)")
    return data


def parameters_of(data: JsonObject, operation: str) -> list[Value]:
    kind = data.get("resourceType")
    if kind in ("ValueSet", "CodeSystem", "ConceptMap"):
        # A resource posted on its own stands for the operation's resource parameter.
        name = {"ValueSet": "valueSet", "CodeSystem": "codeSystem", "ConceptMap": "conceptMap"}[kind]
        return [Value(name, data, "resource")]
    if kind != "Parameters":
        raise FhirError(400, "structure", f"{operation} takes a Parameters resource, not {kind!r}")
    out: list[Value] = []
    for p in data.get("parameter", []):
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            raise FhirError(400, "structure", "Every Parameters.parameter needs a name")
        name = p["name"]
        if "resource" in p:
            out.append(Value(name, p["resource"], "resource"))
            continue
        typed = [k for k in p if k.startswith("value")]
        if len(typed) != 1:
            if "part" in p:
                out.append(Value(name, p["part"], "part"))
                continue
            raise FhirError(400, "structure", f"Parameter '{name}' needs exactly one value[x]")
        out.append(Value(name, p[typed[0]], typed[0][5:]))
    return out
