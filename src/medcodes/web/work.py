"""Long work off the event loop: a few worker threads, a budget per request, and a stop when the client leaves.

Most requests cost a millisecond or two and are answered on the event loop. A batch match, or a search for a
thousand hits or of many words, may cost seconds: run there, it would hold up every other client of the process.
Such work runs in a ``Lane``: at most ``threads`` pieces at once in worker threads (the event loop keeps
answering the cheap requests meanwhile: Python switches threads every few milliseconds), at most ``waiting``
more queued for a thread (beyond that: 503, try again), each with a ``Budget`` of seconds that the work checks
between its steps, and stopped at the next step when the client disconnects. The limits are listed in
docs/operations.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from starlette.types import Receive

from medcodes.web.errors import WebError

T = TypeVar("T")

# A search for more hits than this, or of more words, goes to the lane (the engine's cost grows with both:
# 5-30 ms at 10 hits, up to 0.4 s at 1,000 hits of 250 one-letter words).
HEAVY_HITS = 100
HEAVY_WORDS = 16


class ClientGone(WebError):
    """The client disconnected before its answer was ready: the work stopped, and nobody reads the answer."""

    def __init__(self) -> None:
        super().__init__(499, "client closed the request")


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


class Lane:
    def __init__(self, threads: int = 2, waiting: int = 32, seconds: float = 20.0) -> None:
        self.slots = anyio.CapacityLimiter(threads)
        # The threads' own limiter: the slots above already admit no more than it holds.
        self.threads = anyio.CapacityLimiter(threads)
        self.waiting = 0
        self.most_waiting = waiting
        self.seconds = seconds

    async def run(self, work: Callable[[Budget], T], receive: Receive | None = None) -> T:
        """``work(budget)`` in a worker thread; ``receive`` (the request's) tells when the client leaves."""
        if self.slots.available_tokens == 0 and self.waiting >= self.most_waiting:
            raise WebError(
                503, "the server is busy with long requests", "try again in a few seconds", {"Retry-After": "5"}
            )
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
                outcome.append(await anyio.to_thread.run_sync(work, budget, limiter=self.threads))
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
