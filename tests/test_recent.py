"""Recent answers kept in memory: bounded, least recently used forgotten first."""

from __future__ import annotations

from medcodes.recent import Recent


def test_the_least_recently_used_entry_goes_first() -> None:
    kept: Recent[str, int] = Recent(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # now the most recent
    kept.put("c", 3)
    assert ("a" in kept, "b" in kept, "c" in kept) == (True, False, True)


def test_size_zero_keeps_nothing() -> None:
    kept: Recent[str, int] = Recent(0)
    kept.put("a", 1)
    assert kept.get("a") is None
