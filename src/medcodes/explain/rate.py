"""How fast a batch may ask the model server: a rate ("2/s", "120/min") and the token bucket that keeps it.

Hosted APIs limit requests per minute and answer 429 beyond; a shared local server is easier to share when
one batch cannot take it all. The bucket holds one token (no bursts), so that in any window of T seconds at
most ``T * per_second + 1`` requests start, retries included: what a server's limiter counts.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|second|m|min|minute|h|hour))?\s*$", re.IGNORECASE)
_SECONDS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0, "h": 3600.0, "hour": 3600.0}


@dataclass(frozen=True, slots=True)
class Rate:
    """Requests per second."""

    per_second: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"2"`` or ``"2/s"`` (per second), ``"120/min"``, ``"3000/h"``; ValueError for anything else."""
        match = _RATE.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not a rate: write it as 2/s, 120/min or 3000/h")
        count = float(match.group(1))
        if count <= 0:
            raise ValueError(f"{text!r}: a rate must be above zero")
        return cls(count / _SECONDS[(match.group(2) or "s").lower()])

    def __str__(self) -> str:
        if self.per_second >= 1:
            return f"{self.per_second:g}/s"
        return f"{self.per_second * 60:g}/min"


class TokenBucket:
    """Waits so that requests start at most ``rate.per_second`` a second, first come first served.

    Create it inside the event loop that uses it (its lock belongs to that loop).
    """

    def __init__(
        self,
        rate: Rate,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._tokens = 1.0
        self._updated = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Take one token, waiting for it; callers are served in the order they arrived."""
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(1.0, self._tokens + (now - self._updated) * self.rate.per_second)
                self._updated = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                await self._sleep((1.0 - self._tokens) / self.rate.per_second)
