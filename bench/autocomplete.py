"""Autocomplete scored on the development query sets: each query typed with its last word cut short.

    python -m bench.autocomplete [--db PATH] [--eval DIR_OR_SET ...] [--only SET ...] [--limit 8]

Every query of the sets (``../shared/eval/dev`` and ``bench/everyday.jsonl`` by default) whose last word has at
least five letters is typed with that word cut to its first three letters and to its first half (at least three)
and, where other words come before it, to its first one and two letters, as a person typing it would see the
suggestions after those keystrokes. For each, ``CodeService.suggest``
(what ``/api/v1/suggest`` answers) is asked with the set's system filter, and the script prints, per set:

- **word@1, word@5**: the share of typed texts whose first (first five) completions go on with the word the person
  was typing, at its place (the completion "chest pain" for "chest p" on the way to "chest pain");
- **codes R@1, R@5**: the share whose suggested codes hold an expected code first (among the first five), with the
  evaluation kit's hit rule, beside the same for the whole query searched (``CodeService.search``), which is what
  the suggestions lead to once the word is typed out.

Words are compared as the index normalises them (``search.text.tokens``). It prints queries per second too; times
are for information, not a benchmark (``bench/search.py`` times autocomplete against other engines).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.ranking import DEFAULT_EVAL, Case, read_sets
from medcodes.search.text import singular, tokens
from medcodes.service import CodeService

EVERYDAY = Path(__file__).resolve().parent / "everyday.jsonl"
_SHORTEST = 5  # a last word shorter than this is typed out, not completed
_CUT = 3
_NAMED = ("lay_terms", "diagnosis_categories", "procedure_categories", "icd9_titles", "who_titles", "everyday")


@dataclass(frozen=True, slots=True)
class Typed:
    """A query typed up to a cut in its last word."""

    case: Case
    text: str  # what was typed: the words before, the last one cut
    position: int  # where the word being typed stands
    word: str  # the word being typed, whole


def typed(case: Case) -> list[Typed]:
    """The texts a person typing the query sees suggestions for: its last word cut to three letters and to half,
    and, after other words, to one and two letters as well ("chest p", "back pa")."""
    words = tokens(case.query)
    if not words or len(words[-1]) < _SHORTEST:
        return []
    last = words[-1]
    cuts = sorted({_CUT, max(_CUT, (len(last) + 1) // 2), *((1, 2) if len(words) > 1 else ())})
    return [Typed(case, " ".join([*words[:-1], last[:cut]]), len(words) - 1, last) for cut in cuts if cut < len(last)]


def _goes_on(completion: str, item: Typed) -> bool:
    """Whether the completion holds the word being typed at its place (in either number: "concentrators")."""
    words = tokens(completion)
    return len(words) > item.position and singular(words[item.position]) == singular(item.word)


@dataclass(frozen=True, slots=True)
class Scores:
    n: int
    word1: float
    word5: float
    codes1: float
    codes5: float
    whole1: float
    whole5: float
    per_second: float


def score(service: CodeService, items: Sequence[Typed], limit: int) -> Scores:
    word1 = word5 = codes1 = codes5 = whole1 = whole5 = 0
    spent = 0.0
    whole: dict[Case, int | None] = {}
    for item in items:
        started = time.perf_counter()
        found = service.suggest(item.text, item.case.systems, limit)
        spent += time.perf_counter() - started
        going_on = [_goes_on(c, item) for c in found.completions[:5]]
        word1 += bool(going_on[:1] and going_on[0])
        word5 += any(going_on)
        rank = item.case.rank((h.system.value, h.code) for h in found.hits)
        codes1 += rank == 1
        codes5 += rank is not None and rank <= 5
        if item.case not in whole:
            hits = service.search(item.case.query, item.case.systems, limit).hits
            whole[item.case] = item.case.rank((h.system.value, h.code) for h in hits)
        best = whole[item.case]
        whole1 += best == 1
        whole5 += best is not None and best <= 5
    n = len(items) or 1
    return Scores(
        len(items),
        word1 / n,
        word5 / n,
        codes1 / n,
        codes5 / n,
        whole1 / n,
        whole5 / n,
        len(items) / spent if spent else 0.0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("MEDCODES_DB", "medcodes.db")))
    parser.add_argument("--eval", type=Path, nargs="+", default=[DEFAULT_EVAL, EVERYDAY])
    # Codes and misspelt words are not completed: those sets are left out unless named.
    parser.add_argument("--only", nargs="*", default=list(_NAMED), help="set names (without .jsonl) to run")
    parser.add_argument("--limit", type=int, default=8, help="codes suggested (the web's default is 8)")
    args = parser.parse_args()
    if not args.db.is_file():
        raise SystemExit(f"no database at {args.db}: build one (medcodes build) or pass --db")
    service = CodeService.at(args.db)
    service.search("warm")
    print(
        f"{'set':<24}{'typed':>7}{'word@1':>8}{'word@5':>8}{'codes@1':>9}{'codes@5':>9}{'whole@1':>9}{'whole@5':>9}{'/s':>7}"
    )
    for name, cases in read_sets(args.eval, args.only).items():
        items = [item for case in cases for item in typed(case)]
        if not items:
            continue
        s = score(service, items, args.limit)
        print(
            f"{name:<24}{s.n:>7}{s.word1:>8.3f}{s.word5:>8.3f}{s.codes1:>9.3f}{s.codes5:>9.3f}{s.whole1:>9.3f}"
            f"{s.whole5:>9.3f}{s.per_second:>7.0f}"
        )


if __name__ == "__main__":
    main()
