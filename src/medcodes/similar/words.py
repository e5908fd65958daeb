"""Titles compared word by word: what one says that another does not, and whether they differ in laterality."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Sequence

from medcodes.search.text import tokens

_LATERALITY = {"right", "left", "bilateral", "unilateral", "unspecified"}
SMALL_WORDS = {"of", "the", "a", "an", "and", "or"}


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def title_difference(mine: str, other: str) -> str:
    """How ``other`` differs from ``mine`` in words: "left instead of right", "adds in remission".

    At most the first two differences are named; small words at the edges of a difference are left out
    ("Colles' instead of Torus; omits lower end", not "... omits of lower end").
    """
    a, b = mine.split(), other.split()
    parts: list[str] = []
    # Words are compared without the commas and semicolons that follow them ("infarction," is "infarction", else
    # "infarction instead of infarction"), and shown as written.
    matcher = difflib.SequenceMatcher(a=_compared(a), b=_compared(b), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = _phrase(a[i1:i2]), _phrase(b[j1:j2])
        if op == "replace" and old and new:
            parts.append(f"{new} instead of {old}")
        elif op in ("insert", "replace") and new:
            parts.append(f"adds {new}")
        elif op in ("delete", "replace") and old:
            parts.append(f"omits {old}")
    return "; ".join(parts[:2]) if parts else "another wording"


def _compared(words: Sequence[str]) -> list[str]:
    return [w.strip(",;").lower() for w in words]


def _phrase(words: Sequence[str]) -> str:
    out = list(words)
    if out:
        out[-1] = out[-1].rstrip(",;")
    while out and out[0].lower() in SMALL_WORDS:
        out.pop(0)
    while out and out[-1].lower() in SMALL_WORDS:
        out.pop()
    return " ".join(out)


@functools.lru_cache(maxsize=50_000)
def _word_set(title: str) -> frozenset[str]:
    """A title's words, read once: the same titles are compared for code after code."""
    return frozenset(tokens(title))


def laterality_of(mine: str, other: str) -> str | None:
    """A name for the one thing two titles differ in, where it is laterality."""
    changed = (_word_set(mine) ^ _word_set(other)) - {"side", "of", "the", "and"}
    # "unspecified" alone is no side: "with unspecified complications" / "with other specified complications".
    sided = changed & (_LATERALITY - {"unspecified"})
    return "laterality" if sided and changed <= _LATERALITY else None
