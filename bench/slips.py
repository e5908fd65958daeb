"""Slips of the keys: does a query typed with one wrong letter find what the query typed right finds?

    python -m bench.slips [--db PATH] [--eval DIR_OR_SET ...] [--shortest 5] [--longest 99] [--seed 5]

Every query of the sets (``../shared/eval/dev`` by default) that has a word of letters of ``--shortest`` to
``--longest`` letters is typed again with one random edit in one such word (a letter left out, one added or one
changed; never the word's first letter), once, with its set's system filter. The script prints, per set and in all,
the share of those queries whose first answer is the first answer of the query as written (``agree``), and the
share that find nothing at all (``empty``; the query as written found something). It reads no expected codes: the
query typed right is its own reference, so any query set serves, and the share measures the speller and what the
engine does with its corrections, not the ranking. Times are not measured (``bench/search.py`` is the benchmark of
speed).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.ranking import DEFAULT_EVAL, Case, read_sets
from medcodes.service import CodeService

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def slip(word: str, rnd: random.Random) -> str:
    """``word`` with one letter left out, added or changed, at a random place after its first letter (never the
    word itself: a letter changed is changed to another)."""
    at = rnd.randint(1, len(word) - 1)
    edit = rnd.choice("dac")
    if edit == "d":
        return word[:at] + word[at + 1 :]
    if edit == "a":
        return word[:at] + rnd.choice(_LETTERS) + word[at:]
    return word[:at] + rnd.choice(_LETTERS.replace(word[at], "")) + word[at + 1 :]


def slipped(query: str, shortest: int, longest: int, rnd: random.Random) -> str | None:
    """The query with one of its words of ``shortest`` to ``longest`` letters slipped; None where it has none."""
    words = query.split()
    fit = [i for i, w in enumerate(words) if w.isalpha() and shortest <= len(w) <= longest]
    if not fit:
        return None
    at = rnd.choice(fit)
    return " ".join([*words[:at], slip(words[at], rnd), *words[at + 1 :]])


@dataclass(slots=True)
class Tally:
    queries: int = 0
    agree: int = 0
    empty: int = 0

    def line(self, name: str) -> str:
        n = self.queries or 1
        return f"{name:<24}{self.queries:>8}{self.agree / n:>8.3f}{self.empty / n:>8.3f}"


def run(service: CodeService, sets: dict[str, list[Case]], shortest: int, longest: int, seed: int) -> dict[str, Tally]:
    rnd = random.Random(seed)
    out: dict[str, Tally] = {}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for name, cases in sets.items():
        tally = out.setdefault(name, Tally())
        for case in cases:
            key = (case.query, tuple(case.systems))
            if key in seen:
                continue
            seen.add(key)
            typed = slipped(case.query, shortest, longest, rnd)
            if typed is None:
                continue
            right = service.search(case.query, case.systems, 1).hits
            if not right:
                continue
            wrong = service.search(typed, case.systems, 1).hits
            tally.queries += 1
            tally.agree += bool(wrong) and (wrong[0].system, wrong[0].code) == (right[0].system, right[0].code)
            tally.empty += not wrong
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--eval", type=Path, nargs="*", default=[DEFAULT_EVAL])
    parser.add_argument("--shortest", type=int, default=5, help="letters of the shortest word slipped")
    parser.add_argument("--longest", type=int, default=99, help="letters of the longest word slipped")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    service = CodeService.at(args.db)
    tallies = run(service, read_sets(args.eval), args.shortest, args.longest, args.seed)
    print(f"{'set':<24}{'queries':>8}{'agree':>8}{'empty':>8}")
    for name, tally in tallies.items():
        print(tally.line(name))
    total = Tally(*(sum(getattr(t, f) for t in tallies.values()) for f in ("queries", "agree", "empty")))
    print(total.line("all"))


if __name__ == "__main__":
    main()
