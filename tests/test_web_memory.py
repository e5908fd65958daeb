"""A server process hands back the memory its loading freed (web/memory.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from medcodes.web import memory


def resident_mb() -> float:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim is a Linux call")
def test_the_free_heap_goes_back_to_the_system() -> None:
    blocks = [bytearray(8192) for _ in range(10_000)]  # 80 MB of heap blocks
    kept = blocks[::64]  # a few stay: the heap cannot shrink from its top, freed pages sit between them
    del blocks
    before = resident_mb()
    assert memory.give_back() is True
    assert resident_mb() < before - 40
    assert len(kept) == 157
