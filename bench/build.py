"""Build benchmark: time and size of a full build from ../shared/data, next to the embedded default.

    python bench/build.py [--data ../shared/data] [--repeat 3]

Each build is what `medcodes build` runs but its semantic step (which runs only where the ``semantic-build``
extra is installed, `docs/semantic.md`): the tables and the search index. Prints the median wall time of each
build, the database size, and the counts per system.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from medcodes.build import BuildSummary, build
from medcodes.search.prepare import DERIVED, derive
from medcodes.store.sqlite import SQLiteStore

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _search_index(store: SQLiteStore) -> None:
    """``prepare`` without the semantic step."""
    derive(store, DERIVED)


def _timed(db: Path, source: Path | None, repeat: int) -> tuple[float, BuildSummary]:
    times = []
    summary = None
    for _ in range(repeat):
        started = time.perf_counter()
        summary = build(db, source, steps=(_search_index,))
        times.append(time.perf_counter() - started)
    assert summary is not None
    return statistics.median(times), summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base_s, base = _timed(Path(tmp) / "embedded.db", None, args.repeat)
        full_s, full = _timed(Path(tmp) / "full.db", args.data, args.repeat)
    print(f"{'build':<28}{'median s':>10}{'ratio':>8}{'size MB':>10}")
    print(f"{'embedded default':<28}{base_s:>10.2f}{1.0:>8.2f}{base.size_bytes / 1e6:>10.1f}")
    print(f"{'--from ' + str(args.data.name):<28}{full_s:>10.2f}{full_s / base_s:>8.2f}{full.size_bytes / 1e6:>10.1f}")
    for s in full.systems:
        print(
            f"  {s.system.value}: release {s.version}, {s.concepts:,} concepts ({s.billable:,} billable), "
            f"{s.designations:,} designations, {s.notes:,} notes"
        )
        for warning in s.warnings:
            print(f"    {warning}")


if __name__ == "__main__":
    main()
