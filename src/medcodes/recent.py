"""Recent answers kept in memory: a bounded map that forgets the least recently used entry first.

A database never changes under an open connection (a build writes a new file and renames it over the old one),
so what is computed from one release (a code page's similar codes, the facts an explainer is checked against)
stays right for as long as the connection is open, and can be kept.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """At most ``size`` entries (0: none kept); reading an entry makes it the most recent.

    Kept by hand, over the standard library's OrderedDict: ``functools.lru_cache`` keeps what a function returns
    for its arguments, but its users keep an answer only after work they run elsewhere (in the web's worker
    lane, after an await) and only when it is small (web/cache.py keeps no answer of a thousand hits); and
    ``cachetools.LRUCache`` would be this layer's first third-party import (the vocabulary imports none) and
    refuses any entry at size 0, the size that turns a cache off.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[K, V] = OrderedDict()

    def __contains__(self, key: K) -> bool:
        return key in self.entries

    def get(self, key: K) -> V | None:
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        if self.size <= 0:
            return
        self.entries[key] = value
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


class RecentBodies(Recent[K, bytes]):
    """Recent response bodies, bounded by their bytes as well as by their number: pages differ tenfold in size
    (a code page of 8 KB, a crosswalk-heavy one of 60 KB), and a server worker's memory is budgeted in bytes."""

    def __init__(self, size: int, budget: int) -> None:
        super().__init__(size)
        self.budget = budget
        self.held = 0

    def put(self, key: K, value: bytes) -> None:
        if self.size <= 0 or len(value) > self.budget:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.held -= len(old)
        self.entries[key] = value
        self.held += len(value)
        while self.held > self.budget or len(self.entries) > self.size:
            _, gone = self.entries.popitem(last=False)
            self.held -= len(gone)
