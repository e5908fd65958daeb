"""The site as a server runs it: on the database release in service, moving to a newly built one without a restart.

`medcodes build` writes a new file and renames it over the old one. ``Live`` looks at the file's identity
(device, inode, size, modification time: one ``stat``) at most every ``check_every`` seconds, between requests.
When it changed, the new release is opened in a worker thread (its search index loaded and checked) while the
old one goes on answering; then requests that arrive are answered by the new one, and requests already in flight
finish on the old one, which is closed when the last of them is done. No request fails and no connection is
dropped. A new file that cannot be opened (damaged, cut short, built by an older medcodes) is logged and left
alone: the old release goes on serving until a good one arrives.

Every answer says which release answered: the header ``X-Medcodes-Release`` (the build's stamp, also in
``/api/v1/systems``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcodes.errors import DatabaseMissing, DatabaseUnreadable, MedcodesError
from medcodes.service import CodeService
from medcodes.web import memory

log = logging.getLogger("medcodes.web")

RELEASE_HEADER = b"x-medcodes-release"

# (device, inode, size, modification time in ns): a renamed-in file differs in its inode at least.
Signature = tuple[int, int, int, int]


def signature(path: Path) -> Signature:
    found = os.stat(path)
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


@dataclass(eq=False)
class Deployment:
    """One database release in service: its service, the app over it, and the requests it is answering."""

    service: CodeService
    app: ASGIApp
    release: str
    signature: Signature
    active: int = 0
    retired: bool = False

    def close_when_idle(self) -> None:
        if self.retired and self.active == 0:
            self.service.close()


class Live:
    """An ASGI app that answers with the app of the current release, ``site(service)``, and moves to a new
    release when the database file at ``path`` is replaced."""

    def __init__(
        self,
        path: Path,
        site: Callable[[CodeService], ASGIApp],
        check_every: float = 1.0,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.path = path
        self.site = site
        self.check_every = check_every
        self.on_close = on_close
        self.current: Deployment | None = None
        self.next_check = 0.0
        self.swapping: asyncio.Task[None] | None = None
        self.refused: Signature | None = None  # a file that failed to open, not tried again until it changes

    # ------------------------------------------------------------------------------------------ releases
    def start(self) -> Deployment:
        """Open the release at ``path`` now (MedcodesError if it cannot be served); the server calls it on start."""
        if self.current is None:
            self.current = self.open()
            self.next_check = time.monotonic() + self.check_every
        return self.current

    def open(self) -> Deployment:
        """The release at ``path``, opened, its search index loaded and checked, and its app built."""
        try:
            found = signature(self.path)  # before opening: a file renamed in meanwhile is seen at the next look
        except FileNotFoundError:
            raise DatabaseMissing(self.path) from None
        except OSError as exc:
            raise DatabaseUnreadable(self.path, exc.strerror or str(exc)) from None
        service = CodeService.at(self.path)
        try:
            service.warm()  # loads the indexes (and checks them) before any visitor waits on them
            memory.give_back()  # what loading freed
            stamp = service.stamp
            app = self.site(service)
        except BaseException:
            service.close()
            raise
        return Deployment(service, app, stamp.release if stamp else "unstamped", found)

    def _look(self) -> None:
        """Between requests: has a build put a new file at ``path``? If so, start moving to it."""
        now = time.monotonic()
        if self.check_every <= 0 or now < self.next_check or self.swapping is not None or self.current is None:
            return
        self.next_check = now + self.check_every
        try:
            found = signature(self.path)
        except OSError:
            return  # between a build's two renames, or the file taken away: keep serving what is open
        if found not in (self.current.signature, self.refused):
            self.swapping = asyncio.get_running_loop().create_task(self._swap(found))

    async def _swap(self, found: Signature) -> None:
        try:
            fresh = await anyio.to_thread.run_sync(self.open)
        except MedcodesError as exc:
            self.refused = found
            log.warning("medcodes: the new database at %s is not served: %s", self.path, exc)
        except Exception:
            self.refused = found
            log.exception("medcodes: the new database at %s could not be opened", self.path)
        else:
            old, self.current = self.current, fresh
            log.info("medcodes: now serving release %s", fresh.release)
            if old is not None:
                old.retired = True
                old.close_when_idle()
        finally:
            self.swapping = None

    def close(self) -> None:
        if self.current is not None:
            self.current.retired = True
            self.current.close_when_idle()
            self.current = None
        if self.on_close is not None:
            self.on_close()

    # ------------------------------------------------------------------------------------------ ASGI
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        self._look()
        deployment = self.start()
        release = deployment.release.encode("ascii", "replace")

        async def send_release(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (RELEASE_HEADER, release)]
            await send(message)

        deployment.active += 1
        try:
            await deployment.app(scope, receive, send_release)
        finally:
            deployment.active -= 1
            deployment.close_when_idle()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await anyio.to_thread.run_sync(self.start)
                except MedcodesError as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.swapping is not None:
                    await self.swapping
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
