"""Which codes a batch explains: a list a site owner gives (optionally with counts), or what the service found.

A list is one code per line, in any notation. A count after the code (``E11.9 1532``, ``E11.9,1532``,
``E11.9<TAB>1532``) makes it "the codes people look at most": the list is then taken most viewed first,
so that ``--limit N`` sends the N most viewed codes that still need an explainer. Blank lines and ``#``
comments are left out; a first line whose count is not a number (a CSV header such as ``code,views``) is
a header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from medcodes.errors import CodeListError
from medcodes.models import Concept

_SPLIT = re.compile(r"\s*[,;\t]\s*|\s+")


@dataclass(frozen=True, slots=True)
class Wanted:
    code: str  # as written
    count: int | None  # how often people look at it, where the list says


def read_code_list(lines: Iterable[str], source: str = "code list") -> list[Wanted]:
    """The codes of a list in the order a batch takes them: by count (highest first) where counts are given."""
    wanted: list[Wanted] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip().strip("\ufeff")
        if not line:
            continue
        fields = [f for f in _SPLIT.split(line) if f]
        if len(fields) > 2:
            raise CodeListError(source, number, f"expected a code and an optional count, got {line!r}")
        count: int | None = None
        if len(fields) == 2:
            try:
                count = int(fields[1].replace("_", ""))
            except ValueError:
                if not wanted:
                    continue  # a header line
                raise CodeListError(source, number, f"the count {fields[1]!r} is not a whole number") from None
        wanted.append(Wanted(fields[0], count))
    if any(w.count is not None for w in wanted):
        # A stable sort: codes with the same count (or none) keep the list's order.
        wanted.sort(key=lambda w: -(w.count or 0))
    return wanted


@dataclass(frozen=True, slots=True)
class Targets:
    """The codes a batch would explain, in order, and the listed ones that are no code of the database."""

    concepts: tuple[Concept, ...]
    unknown: tuple[tuple[str, str], ...] = ()  # (code as written, why)
