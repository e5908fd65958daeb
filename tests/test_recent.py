"""Recent answers kept in memory: bounded, least recently used forgotten first."""

from __future__ import annotations

from medcodes.recent import Recent, RecentBodies


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


def test_bodies_are_bounded_by_their_bytes_oldest_first() -> None:
    bodies: RecentBodies[str] = RecentBodies(size=10, budget=100)
    for key in "abcd":
        bodies.put(key, b"x" * 30)
    assert list(bodies.entries) == ["b", "c", "d"]  # "a" went to keep 90 of 100 bytes
    assert bodies.held == 90
    bodies.get("b")  # read: now the most recent
    bodies.put("e", b"y" * 40)
    assert list(bodies.entries) == ["d", "b", "e"] and bodies.held == 100


def test_a_body_replaced_or_too_big_keeps_the_count_of_bytes_right() -> None:
    bodies: RecentBodies[str] = RecentBodies(size=2, budget=100)
    bodies.put("a", b"1" * 60)
    bodies.put("a", b"2" * 10)  # replaced: 10 bytes held, not 70
    assert bodies.held == 10
    bodies.put("big", b"3" * 101)  # larger than the whole budget: not kept, nothing evicted for it
    assert "big" not in bodies and bodies.held == 10
    bodies.put("b", b"4")
    bodies.put("c", b"5")  # the count bounds too
    assert list(bodies.entries) == ["b", "c"] and bodies.held == 2


def test_no_bodies_kept_at_size_zero() -> None:
    bodies: RecentBodies[str] = RecentBodies(size=0, budget=100)
    bodies.put("a", b"1")
    assert bodies.get("a") is None and bodies.held == 0
