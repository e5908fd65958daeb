"""A pure ASGI middleware: request limits and the security headers of every response.

Written against the ASGI interface rather than Starlette's BaseHTTPMiddleware, which costs a task and a
queue per request; this one costs a header check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcodes.web.errors import Problem, problem
from medcodes.web.params import whole_number
from medcodes.web.work import Lane, busy

log = logging.getLogger("medcodes.web")

# No inline script or style anywhere: scripts and styles come from /static only. JSON-LD blocks
# (<script type="application/ld+json">) are data, which browsers neither execute nor block.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class Guard:
    """Rejects a too-long URL (414) or a too-large body (413) before the app reads it; adds security headers;
    answers a bug with a 500 itself, so that the connection stays open for the client's next request (an
    exception that reached the server would make it close the connection after its own 500).

    A request that is always long work (``lane_paths``: a batch match) is refused with 503 before its body is
    read when ``lane`` has no room for it: parsing and checking 100 KB of lines only to refuse them would take
    the event loop from everyone else (100 clients resending at once held other clients' p99 at 150 ms)."""

    def __init__(
        self,
        app: ASGIApp,
        respond: Callable[[str, Problem], Response],
        max_body_bytes: int,
        max_url_chars: int,
        *,
        lane: Lane | None = None,
        lane_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.respond = respond
        self.max_body_bytes = max_body_bytes
        self.max_url_chars = max_url_chars
        self.lane = lane
        self.lane_paths = lane_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", ()), *SECURITY_HEADERS]
            await send(message)

        path: str = scope["path"]
        too_long = len(path) + len(scope.get("query_string", b"")) > self.max_url_chars
        if too_long:
            found = Problem(414, f"URL too long: at most {self.max_url_chars} characters")
            await self.respond(path, found)(scope, receive, send_with_headers)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            found = Problem(413, f"request body too large: at most {self.max_body_bytes} bytes")
            await self.respond(path, found)(scope, receive, send_with_headers)
            return
        if self.lane is not None and path in self.lane_paths and self.lane.full():
            await self.respond(path, problem(busy()))(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, self._counting(receive), send_with_headers)
        except Exception as exc:
            if started:  # half an answer is out: only closing the connection can end it
                raise
            # The path only: the query string may hold what a person typed about a patient.
            log.error("error answering %s %s", scope.get("method", "?"), path, exc_info=exc)
            await self.respond(path, Problem(500, "Internal server error"))(scope, receive, send_with_headers)

    def _counting(self, receive: Receive) -> Receive:
        """A body sent without Content-Length (chunked) is counted as it arrives."""
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # An HTTPException, because FastAPI turns any other error while reading a body into a 400.
                    raise HTTPException(413, f"request body too large: at most {self.max_body_bytes} bytes")
            return message

        return counted


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return whole_number(value)
    return None
