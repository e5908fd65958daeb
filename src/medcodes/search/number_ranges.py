"""A number typed where the names write a range that holds it: `bmi 42` is "BMI 40.0-44.9".

The code sets classify a measure by its range: Z68.41 *Body mass index [BMI] 40.0-44.9, adult*, R40.2422 *Glasgow coma
scale score 9-12, at arrival to emergency department*, P07.03 *Extremely low birth weight newborn, 750-999 grams*,
T31.21 *Burns involving 20-29% of body surface with 10-19% third degree burns*, Z68.45 *Body mass index [BMI] 70 or
greater, adult*. A query says the measure itself (`bmi 42`, `gcs 10`, `birth weight 800 grams`), and a number is a
word like any other: `bmi 42` found R29.742 *NIHSS score 42* first, whose name says 42, and no BMI code. Only a
number that is a bound of its range matched ("bmi 40": "40.0-44.9").

Every name's range is also one word of its own (``text.ranges_read``: "40.0-44.9" is "40p0to44p9" too), so that
reading a number as a range asks for the range, not for its numbers anywhere in a name. At build time ``save`` keeps
every range the names write (``ranges``): "A-B" with A below B, "A or less", "less than A", "A or greater", "A or
more", "greater than A". The engine reads a number of a query as the words of the ranges that hold it
(``Ranges.holding``) where the query as typed finds no name that says all its words (``engine._ranged``): an
alternative, as an abbreviation's meaning is, and only the codes whose names then say every word come first.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from medcodes.search.text import RANGE, may_hold_range, range_word
from medcodes.store.sqlite import SQLiteStore

BLOB = "number-ranges-1"

# The most ranges a number is read as (5 is in "3-8", "4-6", "1 - 10", "2-7", ...; the full build's names write
# 280): the query's other words choose among them. Each is one word of few names, so reading many costs little.
MOST = 40
MOST_OPEN = 10  # and of those open on one side ("19.9 or less"), the nearest bound first


def ranges(texts: Iterable[str]) -> dict[str, tuple[float, float, str]]:
    """The ranges the texts write (``text.RANGE``), by the one word each is read as (``text.range_word``): "40p0to44p9":
    (40.0, 44.9, "40.0-44.9"); "70atleast": (70, inf, "70 or greater")."""
    found: dict[str, tuple[float, float, str]] = {}
    for text in texts:
        if not may_hold_range(text):
            continue
        for match in RANGE.finditer(text):
            word = range_word(match)
            low, high = _bounds(match)
            if word not in found and low < high:
                found[word] = (low, high, " ".join(match.group().split()))
    return found


def _bounds(match: re.Match[str]) -> tuple[float, float]:
    """The bounds of a range ``text.RANGE`` matched (an open side infinite)."""
    low, high, at_most, below, at_least, above = match.group("low", "high", "at_most", "below", "at_least", "above")
    if low is not None and high is not None:
        return float(low), float(high)
    if at_most is not None or below is not None:
        return -math.inf, float(at_most or below)
    return float(at_least or above), math.inf


def save(store: SQLiteStore) -> None:
    """Build-time step: keep the ranges the names write."""
    found = ranges(text for _did, _cid, _kind, text in store.designation_rows())
    store.put_word_lists(
        BLOB, {word: [repr(low), repr(high), written] for word, (low, high, written) in sorted(found.items())}
    )


@dataclass(frozen=True, slots=True)
class Ranges:
    """The ranges ``save`` kept, by their lower bound."""

    lows: tuple[float, ...]
    spans: tuple[tuple[float, float, str], ...]  # (low, high, the word it is read as), by low
    written: dict[str, str]  # the word a range is read as ("40p0to44p9") -> the range as written ("40.0-44.9")

    @classmethod
    def load(cls, store: SQLiteStore) -> Ranges:
        """The ranges kept (none in a database built before them)."""
        lists = store.get_word_lists(BLOB)
        kept = sorted((float(low), float(high), word) for word, (low, high, _written) in lists.items())
        return cls(
            tuple(low for low, _high, _word in kept),
            tuple(kept),
            {word: written for word, (_low, _high, written) in lists.items()},
        )

    def holding(self, value: float) -> tuple[str, ...]:
        """The ranges (the words they are read as) that hold ``value``: at most ``MOST`` closed ones, narrowest
        first, then at most ``MOST_OPEN`` open ones ("19.9 or less"), the nearest bound first; none whose bound is
        the number itself, which the number typed matches already."""
        end = bisect.bisect_right(self.lows, value)
        held = [(low, high, word) for low, high, word in self.spans[:end] if value <= high and value not in (low, high)]
        closed = sorted((high - low, word) for low, high, word in held if math.isfinite(high - low))
        one_sided = sorted(
            (min(abs(value - low), abs(high - value)), word) for low, high, word in held if math.isinf(high - low)
        )
        return tuple(word for _width, word in [*closed[:MOST], *one_sided[:MOST_OPEN]])


def value(words: Sequence[str], position: int) -> tuple[float, bool] | None:
    """The number a query's word says, and whether the next word is its decimal part ("42", "5" of "42.5": the
    text's words are its runs of letters and digits); None where the word is no number."""
    word = words[position]
    if not word.isdigit() or len(word) > 6:
        return None
    following = words[position + 1] if position + 1 < len(words) else ""
    if following.isdigit() and len(following) <= 2 and len(word) <= 3:
        return float(f"{word}.{following}"), True
    return float(word), False
