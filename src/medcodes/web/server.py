"""The HTTP server of `medcodes serve`: uvicorn, with limits on what a connection may hold and for how long.

uvicorn (httptools) reads a request head of any size and keeps a connection that never sends a request for as
long as the client likes. ``Protocol`` adds to uvicorn's own protocol:

- a cap on the request line and headers together (``max_header_bytes``): beyond it the answer is 431 (414 when
  the request line alone is too long) and the connection is closed, before more is read, so memory stays bounded;
- a deadline for the request head (``timeout_headers``): a connection that has not sent a whole head that many
  seconds after it opened, or after its request began, is answered 408 and closed (slow or silent clients);
- a cap on open connections per worker (``limit_concurrency``): one more is answered 503 and closed at once,
  rather than holding a file descriptor until its first request.

Idle keep-alive connections are closed by uvicorn after ``timeout_keep_alive``. ``run`` starts one process or
``workers`` processes (uvicorn's supervisor) sharing the socket, each with its own ``Live`` site.
docs/operations.md has the numbers and how to set them (flags of `medcodes serve`, MEDCODES_* variables).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.supervisors.multiprocess import Multiprocess

from medcodes.config import MAX_HEADER_BYTES, TIMEOUT_HEADERS, ServeSettings, Settings
from medcodes.explain.store import ExplainerStore
from medcodes.web.live import Live

PROTOCOL = "medcodes.web.server:Protocol"
SWITCH_INTERVAL = 0.001


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop reading a request head that is over its cap: httptools reports it
    as an HttpParserCallbackError, which uvicorn answers through ``send_400_response``."""


class Protocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a cap on the request head, a deadline for it, and a connection cap."""

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.max_head = config.h11_max_incomplete_event_size or MAX_HEADER_BYTES
        self.timeout_head = float(getattr(config, "timeout_headers", TIMEOUT_HEADERS))
        self.head_bytes = 0
        self.head_timer: asyncio.TimerHandle | None = None
        self.refusal: tuple[int, str] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.limit_concurrency is not None and len(self.connections) > self.limit_concurrency:
            self.refuse(503, "server busy: too many connections, try again in a moment")
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # The parser's callbacks, in the order it calls them for each request.
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_bytes = 0
        if self.head_timer is None:
            self._arm()

    def on_url(self, url: bytes) -> None:
        self._count(len(url), 414, f"URL too long: the request line may take at most {self.max_head} bytes")
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4, 431, f"request headers too large: at most {self.max_head} bytes")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to anything the parser refused, here also to a head stopped for its size."""
        if self.refusal is not None:
            self.refuse(*self.refusal)
        else:
            super().send_400_response(msg)

    # ---------------------------------------------------------------------------------------------- guards
    def _count(self, size: int, status: int, message: str) -> None:
        self.head_bytes += size
        if self.head_bytes > self.max_head:
            self.refusal = (status, message)
            raise _HeadTooLarge

    def _arm(self) -> None:
        if self.timeout_head > 0:
            self.head_timer = self.loop.call_later(self.timeout_head, self._head_late)

    def _disarm(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_late(self) -> None:
        self.head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:
            self.refuse(408, f"request head not received within {self.timeout_head:g} s")
        else:
            self.transport.close()  # a pipelined request lagging behind one that is being answered

    def refuse(self, status: int, message: str) -> None:
        """Answer with the API's one error body, and close the connection."""
        body = json.dumps({"ok": False, "error": message, "status": status}).encode()
        head = [STATUS_LINE[status], *(n + b": " + v + b"\r\n" for n, v in self.server_state.default_headers)]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


class ServerConfig(uvicorn.Config):
    """uvicorn's configuration and the one setting it lacks (read by Protocol). It is pickled to each worker."""

    def __init__(self, app: Any, *, timeout_headers: float, **options: Any) -> None:
        super().__init__(app, **options)
        self.timeout_headers = timeout_headers


@dataclass(frozen=True, slots=True)
class Site:
    """What each server process builds its app from (picklable, so that uvicorn can hand it to a worker)."""

    db_path: Path
    explainers_path: Path
    serve: ServeSettings

    def __call__(self) -> Live:
        from medcodes.web.app import WebOptions, create_app

        # This process serves: let the event loop take the GIL back from a lane's long work within a millisecond
        # (Python's default is 5 ms, which a request that needs the GIL a few times pays a few times over).
        sys.setswitchinterval(SWITCH_INTERVAL)
        # Read only: the server never writes explainers; a missing file reads as none (the facts still show).
        explainers = ExplainerStore.open(self.explainers_path, readonly=True)
        options = WebOptions(cache_size=self.serve.cache_size, public_url=self.serve.public_url)
        return Live(
            self.db_path,
            lambda service: create_app(service, options, explainers=explainers),
            self.serve.release_check,
            on_close=explainers.close,
        )

    @classmethod
    def of(cls, settings: Settings, serve: ServeSettings, explainers_db: Path | None = None) -> Site:
        return cls(settings.db_path, explainers_db or settings.explainers_path, serve)


def config(site: Site, access_log: bool = False, app: Live | None = None) -> ServerConfig:
    """The server's configuration; ``app`` (one process) is an app already started, else each worker builds one."""
    serve = site.serve
    return ServerConfig(
        app if app is not None else site,
        factory=app is None,
        host=serve.host,
        port=serve.port,
        workers=serve.workers,
        http=PROTOCOL,
        lifespan="on",
        access_log=access_log,
        server_header=False,
        timeout_keep_alive=serve.timeout_keep_alive,
        limit_concurrency=serve.limit_concurrency,
        h11_max_incomplete_event_size=serve.max_header_bytes,
        timeout_headers=serve.timeout_headers,
    )


def run(configured: ServerConfig) -> None:
    """Serve until interrupted: one process, or uvicorn's supervisor over ``workers`` processes."""
    _raise_file_limit()
    if configured.workers > 1:
        # Read by each worker's C library when it starts: glibc gives every thread that allocates an arena of its
        # own (up to 8 per core), and the pages freed in each stay resident; two arenas keep a worker's memory
        # near what it holds (docs/operations.md). A value the operator set is kept.
        os.environ.setdefault("MALLOC_ARENA_MAX", "2")
        Multiprocess(configured, sockets=[configured.bind_socket()]).run()
    else:
        uvicorn.Server(configured).run()


def _raise_file_limit() -> None:
    """Each connection is a file descriptor: allow as many as the system lets this process have."""
    if sys.platform == "win32":
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            return
