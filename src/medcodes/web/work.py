"""Long work off the event loop: a few worker threads, a budget per request, and a stop when the client leaves.

Most requests cost a millisecond or two and are answered on the event loop. A batch match, or a search for a
thousand hits or of many words, may cost seconds: run there, it would hold up every other client of the process.
Such work runs in a ``Lane``: at most ``threads`` pieces at once in worker threads of its own, at most
``waiting`` more queued for one (beyond that: 503, try again), each with a ``Budget`` of seconds that the work
checks between its steps, and stopped at the next step when the client disconnects. The event loop keeps
answering the cheap requests meanwhile: the lane's threads run at a lower OS priority (nice +10, so the event
loops of this and the other workers get the cores first), and the server has Python hand the GIL over every
millisecond rather than every 5 (web/server.py). The limits are listed in docs/operations.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import anyio
from starlette.types import Receive

from medcodes.errors import ClientGone, WebError

T = TypeVar("T")

# A search for more hits than this, or of more words, goes to the lane (the engine's cost grows with both:
# 5-30 ms at 10 hits, up to 0.4 s at 1,000 hits of 250 one-letter words).
HEAVY_HITS = 100
HEAVY_WORDS = 16


class Budget:
    """What one request may still spend; calling it (between two steps of the work) raises when it is spent."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.cancelled = False

    def __call__(self) -> None:
        if self.cancelled:
            raise ClientGone()
        if time.monotonic() > self.deadline:
            raise WebError(
                503,
                f"the request needs more than {self.seconds:g} s of work, the most one request may take",
                "split it into smaller batches",
            )


def heavy(text: str, hits: int) -> bool:
    """Whether a search is long work: many hits (limit plus offset), or many words."""
    return hits > HEAVY_HITS or len(text.split()) > HEAVY_WORDS


# Added to the nice value of the lane's threads (Linux schedules threads one by one).
NICENESS = 10


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + NICENESS))


# The lanes' threads, by lane and number of threads: one pool per process, shared by the apps of the releases a
# server moves through (web/live.py), started on first use (building an app starts no thread).
_POOLS: dict[tuple[str, int], ThreadPoolExecutor] = {}


def _pool(name: str, threads: int) -> ThreadPoolExecutor:
    if (name, threads) not in _POOLS:
        _POOLS[name, threads] = ThreadPoolExecutor(threads, f"medcodes-{name}", initializer=_lower_priority)
    return _POOLS[name, threads]


BUSY = "the server is busy with long requests"


def busy() -> WebError:
    """The answer to long work the lane has no room for."""
    return WebError(503, BUSY, "try again in a few seconds", {"Retry-After": "5"})


class Lane:
    """Long work of one kind. Batches and long searches have a lane each (``name``), with threads of their own:
    a hundred batches queued cannot hold up a person's long search, nor refuse it."""

    def __init__(self, threads: int = 2, waiting: int = 32, seconds: float = 20.0, name: str = "work") -> None:
        self.name = name
        self.slots = anyio.CapacityLimiter(threads)
        self.threads = threads
        self.waiting = 0
        self.most_waiting = waiting
        self.seconds = seconds

    def full(self) -> bool:
        """Whether one more piece of work would be refused: every thread busy and the queue full."""
        return self.slots.available_tokens == 0 and self.waiting >= self.most_waiting

    async def run(self, work: Callable[[Budget], T], receive: Receive | None = None) -> T:
        """``work(budget)`` in a worker thread; ``receive`` (the request's) tells when the client leaves."""
        if self.full():
            raise busy()
        budget = Budget(self.seconds)
        outcome: list[T] = []
        failure: list[Exception] = []  # raised after the task group, which would wrap it in an ExceptionGroup
        async with anyio.create_task_group() as group:
            if receive is not None:
                group.start_soon(_watch, receive, budget, group.cancel_scope)
            self.waiting += 1
            try:
                await self.slots.acquire()
            finally:
                self.waiting -= 1
            try:
                # Cancelled (the client left), this returns at once; the thread stops at the work's next check.
                outcome.append(await asyncio.wrap_future(_pool(self.name, self.threads).submit(work, budget)))
            except Exception as exc:
                failure.append(exc)
            finally:
                self.slots.release()
                group.cancel_scope.cancel()
        if failure:
            raise failure[0]
        if not outcome:  # cancelled: the client left while the work waited or ran
            raise ClientGone()
        return outcome[0]


async def _watch(receive: Receive, budget: Budget, scope: anyio.CancelScope) -> None:
    """Wait for the client to disconnect (the request's body is already read), then stop the work."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            budget.cancelled = True
            scope.cancel()
            return
