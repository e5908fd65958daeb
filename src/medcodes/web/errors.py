"""Every error, mapped in one place: one JSON body for the API, a friendly page with the same status for HTML.

The JSON body is always ``{"ok": false, "error": "...", "status": N}`` (a test pins it). A request the
server cannot answer because of what was asked (unknown system, malformed code, too-long query, bad
parameter, body too large) is a 4xx; only a bug is a 500, and its body says nothing about the cause
(the traceback goes to the server's log, without the query string).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi.exceptions import RequestValidationError
from jinja2 import Environment
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from typing_extensions import TypedDict

from medcodes.errors import (
    AmbiguousCode,
    CodeChoice,
    CodeDeleted,
    CodeNotFound,
    FhirError,
    Issue,
    MedcodesError,
    TerminologyError,
)

# Raised across web/ (the pages import it from here).
from medcodes.errors import WebError as WebError  # noqa: PLC0414
from medcodes.web.fhir.errors import FHIR_JSON, is_fhir, operation_outcome

log = logging.getLogger("medcodes.web")

API_PREFIX = "/api/"


class ErrorBody(TypedDict):
    ok: bool
    error: str
    status: int


class ChoiceOut(TypedDict):
    system: str
    code: str
    title: str
    url: str


class ChoicesBody(ErrorBody):
    """A 300 answer: the text is a code of several systems; each choice has its own address."""

    choices: list[ChoiceOut]


@dataclass(frozen=True, slots=True)
class Problem:
    """What went wrong, in words, with the status it is answered with."""

    status: int
    message: str
    hint: str | None = None
    # Codes to offer as links on the HTML page (which then leaves out the hint that names them in words): the
    # closest existing codes to a missing one, a deleted code's replacements, the codes an ambiguous text may be.
    choices: tuple[CodeChoice, ...] = ()
    choices_label: str = ""
    headers: tuple[tuple[str, str], ...] = ()  # what the answer says besides (Allow on a 405, Retry-After)
    issue: Issue | None = None  # what a FHIR OperationOutcome says (under /fhir)


def problem(exc: Exception) -> Problem:
    if isinstance(exc, (FhirError, TerminologyError)):
        return Problem(exc.status, exc.issue.text, issue=exc.issue)
    if isinstance(exc, WebError):
        return Problem(exc.status, exc.message, exc.hint, headers=tuple(exc.headers.items()))
    if isinstance(exc, AmbiguousCode):
        return Problem(exc.status, str(exc), exc.hint, exc.choices, "It may be any of these")
    if isinstance(exc, CodeNotFound):
        label = "Replaced by" if isinstance(exc, CodeDeleted) else "Closest existing codes"
        choices = tuple(CodeChoice(exc.system, code, "") for code in exc.closest)
        return Problem(exc.status, str(exc), exc.hint, choices, label)
    if isinstance(exc, MedcodesError):
        return Problem(exc.status, str(exc), exc.hint)
    if isinstance(exc, RequestValidationError):
        return Problem(400, _validation_message(exc))
    if isinstance(exc, HTTPException):
        return Problem(exc.status_code, _http_message(exc), headers=tuple((exc.headers or {}).items()))
    return Problem(500, "Internal server error")


def _http_message(exc: HTTPException) -> str:
    if exc.status_code == 404 and exc.detail == "Not Found":  # Starlette's words for a path no route has
        return "No such page"
    return str(exc.detail)


def _validation_message(exc: RequestValidationError) -> str:
    """``"limit: Input should be less than or equal to 1000"``: the parameter and what is wrong, never the input."""
    parts = []
    for error in exc.errors():
        location = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body")]
        where = ".".join(location) or "request"
        # A validator's own words come as "Value error, <words>": the words are the message.
        parts.append(f"{where}: {str(error.get('msg', 'invalid')).removeprefix('Value error, ')}")
    return "; ".join(parts) or "invalid request"


def error_body(found: Problem) -> ErrorBody | ChoicesBody:
    message = f"{found.message}. {found.hint[0].upper()}{found.hint[1:]}" if found.hint else found.message
    if found.status == 300:
        choices: list[ChoiceOut] = [
            {"system": c.system.value, "code": c.code, "title": c.title, "url": _code_api(c)} for c in found.choices
        ]
        return {"ok": False, "error": message, "status": found.status, "choices": choices}
    return {"ok": False, "error": message, "status": found.status}


def _code_api(choice: CodeChoice) -> str:
    """The JSON address of a code the answer offers (the API's /codes/{system}/{code} route)."""
    return f"{API_PREFIX}v1/codes/{choice.system.value}/{quote(choice.code, safe='.-')}"


def wants_json(path: str) -> bool:
    return path.startswith(API_PREFIX) or path == "/openapi.json"


def responder(templates: Environment) -> Callable[[str, Problem], Response]:
    """The one function that turns a problem into a response: JSON under /api/, an HTML page elsewhere."""
    page = templates.get_template("error.html")

    def respond(path: str, found: Problem) -> Response:
        headers = dict(found.headers)
        if is_fhir(path):
            return JSONResponse(
                operation_outcome([fhir_issue(found)]), found.status, headers=headers, media_type=FHIR_JSON
            )
        if wants_json(path):
            return JSONResponse(error_body(found), status_code=found.status, headers=headers)
        html = page.render(problem=found, title=_title(found.status))
        return HTMLResponse(html, status_code=found.status, headers=headers)

    return respond


def fhir_issue(found: Problem) -> Issue:
    """The OperationOutcome issue of a problem found under /fhir (its own, or one made from the status)."""
    if found.issue is not None:
        return found.issue
    code = {404: "not-found", 405: "not-supported", 410: "deleted", 413: "too-costly", 414: "too-costly"}.get(
        found.status, "exception" if found.status >= 500 else "invalid"
    )
    text = error_body(found)["error"]
    if found.status == 404 and found.message == "No such page":
        text = "No such FHIR resource type or operation on this server (see /fhir/metadata)"
    return Issue("fatal" if found.status >= 500 else "error", code, text)


def _title(status: int) -> str:
    if status == 404:
        return "Not found"
    if status == 300:
        return "Which code?"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def handler(
    respond: Callable[[str, Problem], Response],
) -> Callable[[Request, Exception], Coroutine[Any, Any, Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        found = problem(exc)
        if found.status >= 500:
            # The path only: the query string may hold what a person typed about a patient.
            log.error("error answering %s %s", request.method, request.url.path, exc_info=exc)
        return respond(request.url.path, found)

    return handle
