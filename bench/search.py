"""Search benchmark: the engine next to SQLite FTS5 and tantivy on the same titles, in one run.

    python bench/search.py [--db PATH] [--data ../shared/data] [--queries 2000] [--seed 7] [--no-meaning]

Builds the full database from the official files (or opens --db if it exists), draws a fixed mix of
queries (autocomplete-style 1-3 words with the last one partial, full codes in several notations, code
prefixes), runs each engine in-process and prints p50/p95/p99 latency and queries per second per kind,
with the ratio of the engine's p99 to tantivy's. Also prints the index's size on disk, the time to open it,
and the resident memory with every system loaded. The references answer words only (no code look-up).
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from medcodes.search.index import INDEX_VERSION
from medcodes.service import CodeService, build_database

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_WORD = re.compile(r"[A-Za-z]+")


def _queries(service: CodeService, count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, query): 70 % autocomplete words, 15 % full codes, 15 % code prefixes."""
    rows = service.store.connection.execute("SELECT system, code, title FROM concepts ORDER BY id").fetchall()
    rnd = random.Random(seed)
    out: list[tuple[str, str]] = []
    while len(out) < count:
        _system, code, title = rnd.choice(rows)
        roll = rnd.random()
        if roll < 0.7:
            words = [w.lower() for w in _WORD.findall(title)]
            if not words:
                continue
            n = rnd.randint(1, min(3, len(words)))
            start = rnd.randint(0, len(words) - n)
            picked = words[start : start + n]
            last = picked[-1]
            picked[-1] = last[: rnd.randint(min(3, len(last)), len(last))]
            out.append(("autocomplete", " ".join(picked)))
        elif roll < 0.85:
            notation = rnd.choice([code, code.lower(), code.replace(".", "")])
            out.append(("full code", notation))
        else:
            bare = code.replace(".", "")
            if len(bare) >= 3:
                out.append(("code prefix", bare[: rnd.randint(3, max(3, len(bare) - 1))]))
    return out


def _time(run: Callable[[str], object], queries: Sequence[str]) -> tuple[list[float], float]:
    for q in queries[:50]:
        run(q)
    times = []
    started = time.perf_counter()
    for q in queries:
        t = time.perf_counter()
        run(q)
        times.append(time.perf_counter() - t)
    return times, len(queries) / (time.perf_counter() - started)


def _pct(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


class Fts5:
    """SQLite FTS5 over the titles: MATCH with every word (the last as a prefix), ORDER BY rank."""

    def __init__(self, titles: Sequence[str]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE t USING fts5(title)")
        self.db.executemany("INSERT INTO t (title) VALUES (?)", ((t,) for t in titles))
        self.db.commit()

    def search(self, query: str) -> object:
        words = [w.lower() for w in _WORD.findall(query)]
        if not words:
            return []
        match = " AND ".join(f'"{w}"' for w in words[:-1]) + (" AND " if len(words) > 1 else "") + f'"{words[-1]}"*'
        return self.db.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 10", (match,)).fetchall()


class Tantivy:
    """tantivy's BM25 over the titles: every word must match, the last as a prefix (regex)."""

    def __init__(self, titles: Sequence[str]) -> None:
        import tantivy

        self.tantivy = tantivy
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("title", stored=False)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema)
        writer = self.index.writer(200_000_000)
        for title in titles:
            doc = tantivy.Document()
            doc.add_text("title", title)
            writer.add_document(doc)
        writer.commit()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, query: str) -> object:
        t = self.tantivy
        words = [w.lower() for w in _WORD.findall(query)]
        if not words:
            return []
        parts = [(t.Occur.Must, t.Query.term_query(self.schema, "title", w)) for w in words[:-1]]
        parts.append((t.Occur.Must, t.Query.regex_query(self.schema, "title", re.escape(words[-1]) + ".*")))
        return self.searcher.search(t.Query.boolean_query(parts), 10).hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "medcodes-bench.db")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-meaning", action="store_true", help="words only, where the database has meaning")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"building {args.db} from {args.data} ...")
        build_database(args.db, args.data)

    started = time.perf_counter()
    service = CodeService.at(args.db)
    if args.no_meaning:
        service.engine.meaning = None
    service.search("warm")  # loads the lexical index
    opened = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    index_bytes = service.store.connection.execute(
        f"SELECT sum(length(data)) FROM blobs WHERE name LIKE '{INDEX_VERSION}/%'"
    ).fetchone()[0]

    mix = _queries(service, args.queries, args.seed)
    titles = [r[0] for r in service.store.connection.execute("SELECT title FROM concepts ORDER BY id")]
    references: dict[str, Callable[[str], object]] = {"fts5": Fts5(titles).search}
    try:
        references["tantivy"] = Tantivy(titles).search
    except ImportError:
        print("tantivy is not installed (pip install tantivy): its column is left out")
    engines: dict[str, Callable[[str], object]] = {"medcodes": lambda q: service.search(q, limit=10)}
    engines.update(references)

    print(
        f"\nindex: {index_bytes / 1e6:.1f} MB in the database; open + first query {opened * 1000:.0f} ms; "
        f"resident memory {rss_mb:.0f} MB (before the reference engines were built)"
    )
    print(f"{len(mix)} queries, seed {args.seed}; times in ms\n")
    header = f"{'kind':<14}{'engine':<10}{'p50':>8}{'p95':>8}{'p99':>8}{'qps':>10}{'p99 / tantivy':>15}"
    print(header)
    print("-" * len(header))
    kinds = ["all", *sorted({k for k, _ in mix})]
    for kind in kinds:
        queries = [q for k, q in mix if kind in ("all", k)]
        results = {name: _time(run, queries) for name, run in engines.items()}
        floor = _pct(results["tantivy"][0], 0.99) if "tantivy" in results else None
        for name, (times, qps) in results.items():
            ratio = f"{_pct(times, 0.99) / floor:.1f}x" if floor else "-"
            print(
                f"{kind:<14}{name:<10}{_pct(times, 0.5):>8.2f}{_pct(times, 0.95):>8.2f}{_pct(times, 0.99):>8.2f}"
                f"{qps:>10.0f}{ratio:>15}"
            )
    overall = _time(engines["medcodes"], [q for _, q in mix])[0]
    print(f"\nmedian over all kinds, medcodes: {statistics.median(overall) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
