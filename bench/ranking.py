"""Ranking weights scored on the development query sets, in-process: load the index once, score many.

    python -m bench.ranking [--db PATH] [--eval DIR] [--set NAME=VALUE ...] [--grid NAME=V1,V2 ...]
                            [--meaning] [--strata] [--only SET ...] [--every N] [--list]

Runs every ``*.jsonl`` set of ``--eval`` (files or folders; default ``../shared/eval/dev``; ``bench/everyday.jsonl``
is the team's own list of everyday conditions, procedures and supplies) through ``CodeService.search`` exactly
as ``medcodes search --jsonl`` does (the set's system filter, 10 results), and prints Recall@1, Recall@10 and
MRR@10 per set (and per stratum with ``--strata``) with the hit rule of the evaluation kit's README. ``--set``
changes fields of ``search.ranking.Ranking`` by dotted name (``--set systems.icd9cm=0.5``); ``--grid`` runs
every combination of the values given (a small grid over named fields), each scored against the first.
``--list`` prints every field with its value. Search by meaning runs only with ``--meaning`` (and a database
built with it).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from medcodes.search.ranking import DEFAULT, Ranking
from medcodes.service import CodeService
from medcodes.systems import SystemId

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"
_ICD = {"icd10cm", "icd9cm", "icd10", "icd11"}
_K = 10


@dataclass(frozen=True, slots=True)
class Case:
    """One query of a set, with the hit rule of the evaluation kit."""

    query: str
    systems: tuple[SystemId, ...]
    expected: frozenset[str]
    prefix: bool
    expected_systems: frozenset[str]
    stratum: str

    def rank(self, hits: Iterable[tuple[str, str]]) -> int | None:
        """The rank (1-based) of the first hit among (system, code) results, or None."""
        for rank, (system, code) in enumerate(hits, start=1):
            if self.systems and system not in self.systems:
                continue
            if self.expected_systems and system not in self.expected_systems:
                continue
            bare = code.upper().replace(" ", "")
            if system in _ICD:
                bare = bare.replace(".", "")
            if bare in self.expected or (self.prefix and bare.startswith(tuple(self.expected))):
                return rank
        return None


def load(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        cases.append(
            Case(
                record["q"],
                tuple(SystemId(s) for s in record.get("systems") or ()),
                frozenset(str(c).upper().replace(" ", "").replace(".", "") for c in record["expected"]),
                bool(record.get("accept_prefix")),
                frozenset(record.get("expected_systems") or ()),
                record.get("stratum", "all"),
            )
        )
    return cases


def read_sets(paths: Iterable[Path], only: Sequence[str] = ()) -> dict[str, list[Case]]:
    """The query sets of ``paths`` (``*.jsonl`` files, or folders of them) by name, those named in ``only`` if any."""
    files = sorted(f for path in paths for f in (path.glob("*.jsonl") if path.is_dir() else [path]))
    return {f.stem: load(f) for f in files if not only or f.stem in only}


@dataclass(frozen=True, slots=True)
class Score:
    n: int
    r1: float
    r3: float
    r10: float
    mrr: float

    @classmethod
    def of(cls, ranks: Sequence[int | None]) -> Score:
        n = len(ranks) or 1
        return cls(
            len(ranks),
            sum(r == 1 for r in ranks) / n,
            sum(r is not None and r <= 3 for r in ranks) / n,
            sum(r is not None and r <= _K for r in ranks) / n,
            sum(1 / r for r in ranks if r is not None and r <= _K) / n,
        )


def run(service: CodeService, cases: Sequence[Case]) -> list[int | None]:
    ranks = []
    for case in cases:
        found = service.search(case.query, case.systems, _K)
        ranks.append(case.rank((h.system.value, h.code) for h in found.hits))
    return ranks


def scores(service: CodeService, sets: dict[str, list[Case]], strata: bool) -> dict[str, Score]:
    out: dict[str, Score] = {}
    for name, cases in sets.items():
        ranks = run(service, cases)
        out[name] = Score.of(ranks)
        if strata:
            for stratum in sorted({c.stratum for c in cases}):
                out[f"{name} / {stratum}"] = Score.of(
                    [r for r, c in zip(ranks, cases, strict=True) if c.stratum == stratum]
                )
    return out


def _pairs(values: Sequence[str]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"expected NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("MEDCODES_DB", "medcodes.db")))
    parser.add_argument("--eval", type=Path, nargs="+", default=[DEFAULT_EVAL], help="*.jsonl sets, or folders of them")
    parser.add_argument("--set", dest="changes", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2")
    parser.add_argument("--meaning", action="store_true", help="fuse search by meaning (if the database has it)")
    parser.add_argument("--strata", action="store_true")
    parser.add_argument("--only", nargs="*", default=[], help="set names (without .jsonl) to run")
    parser.add_argument("--list", action="store_true", help="print every ranking field and its value")
    parser.add_argument("--every", type=int, default=1, help="score every N-th query of each set (quick looks)")
    args = parser.parse_args()

    base = DEFAULT.replace({k: float(v) for k, v in _pairs(args.changes).items()})
    if args.list:
        for name, value in base.values():
            print(f"{name} = {value}")
        return
    sets = {name: cases[:: args.every] for name, cases in read_sets(args.eval, args.only).items()}
    if not sets:
        raise SystemExit(f"no query sets in {', '.join(map(str, args.eval))}")

    started = time.perf_counter()
    service = CodeService.at(args.db)
    if not args.meaning:
        service.engine.meaning = None
    service.search("warm")
    print(f"index loaded in {time.perf_counter() - started:.1f} s; {sum(map(len, sets.values()))} queries\n")

    grid = {name: values.split(",") for name, values in _pairs(args.grid).items()}
    configs: list[tuple[str, Ranking]] = []
    for combination in itertools.product(*grid.values()) if grid else [()]:
        changes = dict(zip(grid, combination, strict=True))
        label = ", ".join(f"{k}={v}" for k, v in changes.items()) or "defaults" + (" + --set" if args.changes else "")
        configs.append((label, base.replace({k: float(v) for k, v in changes.items()})))

    engine = service.engine
    first: dict[str, Score] | None = None
    for label, ranking in configs:
        service.engine = engine.reranked(ranking)
        t = time.perf_counter()
        result = scores(service, sets, args.strata)
        print(f"== {label}  ({time.perf_counter() - t:.1f} s)")
        print(f"{'set':<44}{'n':>6}{'R@1':>8}{'R@3':>8}{'R@10':>8}{'MRR':>8}{'dR@1':>8}{'dR@10':>8}")
        for name, score in result.items():
            delta = ""
            if first is not None and name in first:
                delta = f"{score.r1 - first[name].r1:>+8.3f}{score.r10 - first[name].r10:>+8.3f}"
            print(f"{name:<44}{score.n:>6}{score.r1:>8.3f}{score.r3:>8.3f}{score.r10:>8.3f}{score.mrr:>8.3f}{delta}")
        print()
        if first is None:
            first = result


if __name__ == "__main__":
    main()
