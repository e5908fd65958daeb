"""The explainers database: its own SQLite file, so that explainers survive `medcodes build`.

The main database is replaced as a whole on every build; generated and reviewed explainers are work that
must outlive it. They live in ``explainers.db`` beside it (``Settings.explainers_path``), with a small
schema of named, ordered migrations of its own. One row per code holds the current explainer; every failed
generation is logged in ``failures`` and never becomes an explainer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from medcodes.errors import ExplainerMissing
from medcodes.models import (
    Explainer,
    ExplainerKind,
    ExplainerSection,
    ExplainerStatus,
    Provenance,
    SectionType,
)
from medcodes.store import migrations
from medcodes.store.migrations import Migration
from medcodes.systems import SystemId

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_explainers",
        """
        CREATE TABLE explainers (
            system TEXT NOT NULL,
            code TEXT NOT NULL,
            kind TEXT NOT NULL,
            sections TEXT NOT NULL,        -- JSON list of {"key", "title", "type", "text", "items"}
            status TEXT NOT NULL,          -- generated, reviewed, rejected
            model TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            prompt_version TEXT NOT NULL,
            facts_hash TEXT NOT NULL,
            release TEXT,
            created TEXT NOT NULL,         -- ISO 8601, UTC
            reviewed_by TEXT,
            reviewed_at TEXT,
            prompt_tokens INTEGER NOT NULL DEFAULT 0,
            completion_tokens INTEGER NOT NULL DEFAULT 0,
            origin TEXT NOT NULL,
            PRIMARY KEY (system, code)
        );
        CREATE TABLE failures (
            id INTEGER PRIMARY KEY,
            system TEXT NOT NULL,
            code TEXT NOT NULL,
            at TEXT NOT NULL,
            model TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            prompt_version TEXT NOT NULL,
            facts_hash TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            reasons TEXT NOT NULL,         -- JSON list of strings
            prompt_tokens INTEGER NOT NULL DEFAULT 0,
            completion_tokens INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX failures_code ON failures (system, code);
        """,
    ),
    Migration(
        "0002_requested_model_and_runs",
        """
        -- The model name a batch asked for; servers may answer under another (OpenAI's dated snapshots,
        -- llama.cpp's file names), and a resumed batch compares what it asks for.
        ALTER TABLE explainers ADD COLUMN requested_model TEXT;
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started TEXT NOT NULL,         -- ISO 8601, UTC
            seconds REAL NOT NULL,
            model TEXT NOT NULL,           -- as asked for
            endpoint TEXT NOT NULL,
            prompt_version TEXT NOT NULL,
            concurrency INTEGER NOT NULL,
            generated INTEGER NOT NULL,
            failed INTEGER NOT NULL,
            skipped INTEGER NOT NULL,
            requests INTEGER NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            prompt_chars INTEGER NOT NULL, -- of every prompt sent, so that a dry run can count tokens by it
            interrupted INTEGER NOT NULL
        );
        """,
    ),
)


@dataclass(frozen=True, slots=True)
class Failure:
    """A generation that did not pass validation (or got no answer): logged, never shown."""

    system: SystemId
    code: str
    at: dt.datetime
    model: str
    endpoint: str
    prompt_version: str
    facts_hash: str
    attempts: int
    reasons: tuple[str, ...]
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a batch compares to decide whether a code's explainer is current."""

    facts_hash: str
    prompt_version: str
    model: str  # as the server reported it
    requested_model: str | None  # as the batch asked for it (None: imported, or stored before 0002)
    status: ExplainerStatus


@dataclass(frozen=True, slots=True)
class Run:
    """One batch: what it asked, what it got and how long it took (a dry run's measured sample)."""

    started: dt.datetime
    seconds: float
    model: str
    endpoint: str
    prompt_version: str
    concurrency: int
    generated: int
    failed: int
    skipped: int
    requests: int
    prompt_tokens: int
    completion_tokens: int
    prompt_chars: int
    interrupted: bool = False

    @property
    def codes_per_second(self) -> float:
        return (self.generated + self.failed) / self.seconds if self.seconds > 0 else 0.0


_COLUMNS = (
    "system, code, kind, sections, status, model, endpoint, prompt_version, facts_hash, release, created,"
    " reviewed_by, reviewed_at, prompt_tokens, completion_tokens, origin"
)


class ExplainerStore:
    """The explainers of one deployment. Thread-safe (one connection behind a lock)."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self.connection = connection
        self.path = path
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: Path, readonly: bool = False) -> ExplainerStore:
        """The explainers database at ``path``, created (with its folder) where absent.

        ``readonly`` never writes: a missing file then reads as an empty store (for a read-only web server).
        """
        if readonly:
            if not path.is_file():
                return cls.memory()
            # On a read-only volume nothing can write the file, and SQLite could not make the -shm file a WAL
            # database needs to be read: immutable tells it the file will not change (docs/operations.md).
            read_only = sys.platform != "win32" and bool(os.statvfs(path).f_flag & os.ST_RDONLY)
            frozen = "&immutable=1" if read_only else ""
            uri = f"{path.resolve().as_uri()}?mode=ro{frozen}"
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            return cls(connection, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, check_same_thread=False, timeout=30)
        # WAL lets a web server read while a batch writes. In WAL mode synchronous = NORMAL stays consistent and
        # keeps every commit through a killed process; only an OS crash or power loss may roll back the last
        # ones (SQLite docs, PRAGMA synchronous). It spares a batch one fsync per code.
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        store = cls(connection, path)
        store.migrate()
        return store

    @classmethod
    def memory(cls) -> ExplainerStore:
        """An empty in-memory store (tests, and read-only deployments without a file)."""
        store = cls(sqlite3.connect(":memory:", check_same_thread=False), None)
        store.migrate()
        return store

    def close(self) -> None:
        with self._lock:
            self.connection.close()

    def migrate(self) -> list[str]:
        """Apply the migrations not yet applied, in order; returns their names."""
        with self._lock:
            return migrations.apply(self.connection, MIGRATIONS)

    def applied(self) -> list[str]:
        with self._lock:
            return migrations.applied(self.connection)

    # ------------------------------------------------------------------ explainers
    def save(self, explainer: Explainer, requested_model: str | None = None) -> None:
        """Store ``explainer`` as the code's current one (replacing any other), in one transaction.

        ``requested_model`` is the model name a batch asked the server for (see ``Stamp``).
        """
        p = explainer.provenance
        sections = json.dumps(
            [
                {"key": s.key, "title": s.title, "type": s.type.value, "text": s.text, "items": list(s.items)}
                for s in explainer.sections
            ],
            ensure_ascii=False,
        )
        row = (
            explainer.system.value,
            explainer.code,
            explainer.kind.value,
            sections,
            p.status.value,
            p.model,
            p.endpoint,
            p.prompt_version,
            p.facts_hash,
            p.release,
            _iso(p.created),
            p.reviewed_by,
            _iso(p.reviewed_at) if p.reviewed_at else None,
            p.prompt_tokens,
            p.completion_tokens,
            p.origin,
            requested_model,
        )
        with self._lock, self.connection:
            self.connection.execute(
                f"INSERT OR REPLACE INTO explainers ({_COLUMNS}, requested_model) VALUES ({', '.join('?' * 17)})",
                row,
            )

    def get(self, system: SystemId, code: str) -> Explainer | None:
        with self._lock:
            row = self.connection.execute(
                f"SELECT {_COLUMNS} FROM explainers WHERE system = ? AND code = ?", (system.value, code)
            ).fetchone()
        return None if row is None else _explainer(row)

    def hashes(self, system: SystemId) -> dict[str, str]:
        """Code -> facts hash of every explainer of a system (what a batch compares to skip current ones)."""
        with self._lock:
            rows = self.connection.execute(
                "SELECT code, facts_hash FROM explainers WHERE system = ?", (system.value,)
            ).fetchall()
        return {str(code): str(h) for code, h in rows}

    def stamps(self, system: SystemId) -> dict[str, Stamp]:
        """Code -> the stamp of its explainer, for every explainer of a system."""
        with self._lock:
            rows = self.connection.execute(
                "SELECT code, facts_hash, prompt_version, model, requested_model, status FROM explainers"
                " WHERE system = ?",
                (system.value,),
            ).fetchall()
        return {str(code): Stamp(str(h), str(pv), str(m), rm, ExplainerStatus(st)) for code, h, pv, m, rm, st in rows}

    def completion_tokens(self) -> dict[ExplainerKind, tuple[float, int]]:
        """Kind -> (mean completion tokens, explainers counted) of the generated explainers that report them."""
        with self._lock:
            rows = self.connection.execute(
                "SELECT kind, avg(completion_tokens), count(*) FROM explainers"
                " WHERE origin = 'generated' AND completion_tokens > 0 GROUP BY kind"
            ).fetchall()
        return {ExplainerKind(kind): (float(mean), int(n)) for kind, mean, n in rows}

    def all(self, system: SystemId | None = None, statuses: Sequence[ExplainerStatus] = ()) -> Iterator[Explainer]:
        """Every explainer (of one system, with one of ``statuses``), by system and code."""
        sql = f"SELECT {_COLUMNS} FROM explainers WHERE 1 = 1"
        params: list[str] = []
        if system is not None:
            sql += " AND system = ?"
            params.append(system.value)
        if statuses:
            sql += f" AND status IN ({', '.join('?' * len(statuses))})"
            params.extend(s.value for s in statuses)
        with self._lock:
            rows = self.connection.execute(sql + " ORDER BY system, code", params).fetchall()
        return (_explainer(row) for row in rows)

    def set_status(
        self, system: SystemId, code: str, status: ExplainerStatus, reviewer: str | None = None
    ) -> Explainer:
        """Record a person's review; raises ExplainerMissing where the code has no explainer."""
        with self._lock:
            current = self.get(system, code)
            if current is None:
                raise ExplainerMissing(system, code)
            reviewed = status is not ExplainerStatus.GENERATED
            provenance = replace(
                current.provenance,
                status=status,
                reviewed_by=reviewer if reviewed else None,
                reviewed_at=_now() if reviewed else None,
            )
            with self.connection:
                self.connection.execute(
                    "UPDATE explainers SET status = ?, reviewed_by = ?, reviewed_at = ? WHERE system = ? AND code = ?",
                    (
                        status.value,
                        provenance.reviewed_by,
                        _iso(provenance.reviewed_at) if provenance.reviewed_at else None,
                        system.value,
                        code,
                    ),
                )
        return replace(current, provenance=provenance)

    def counts(self) -> dict[tuple[SystemId, ExplainerStatus], int]:
        with self._lock:
            rows = self.connection.execute(
                "SELECT system, status, count(*) FROM explainers GROUP BY system, status"
            ).fetchall()
        return {(SystemId(s), ExplainerStatus(st)): int(n) for s, st, n in rows}

    # ------------------------------------------------------------------ failures
    def record_failure(self, failure: Failure) -> None:
        row = (
            failure.system.value,
            failure.code,
            _iso(failure.at),
            failure.model,
            failure.endpoint,
            failure.prompt_version,
            failure.facts_hash,
            failure.attempts,
            json.dumps(list(failure.reasons), ensure_ascii=False),
            failure.prompt_tokens,
            failure.completion_tokens,
        )
        with self._lock, self.connection:
            self.connection.execute(
                "INSERT INTO failures (system, code, at, model, endpoint, prompt_version, facts_hash, attempts,"
                " reasons, prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def failures(self, system: SystemId | None = None, code: str | None = None) -> list[Failure]:
        sql = (
            "SELECT system, code, at, model, endpoint, prompt_version, facts_hash, attempts, reasons,"
            " prompt_tokens, completion_tokens FROM failures WHERE 1 = 1"
        )
        params: list[str] = []
        if system is not None:
            sql += " AND system = ?"
            params.append(system.value)
        if code is not None:
            sql += " AND code = ?"
            params.append(code)
        with self._lock:
            rows = self.connection.execute(sql + " ORDER BY id", params).fetchall()
        return [
            Failure(SystemId(s), c, _parse_time(at), m, e, pv, fh, n, tuple(json.loads(r)), pt, ct)
            for s, c, at, m, e, pv, fh, n, r, pt, ct in rows
        ]

    # ------------------------------------------------------------------ runs
    def record_run(self, run: Run) -> None:
        row = (
            _iso(run.started),
            run.seconds,
            run.model,
            run.endpoint,
            run.prompt_version,
            run.concurrency,
            run.generated,
            run.failed,
            run.skipped,
            run.requests,
            run.prompt_tokens,
            run.completion_tokens,
            run.prompt_chars,
            int(run.interrupted),
        )
        with self._lock, self.connection:
            self.connection.execute(f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES ({', '.join('?' * 14)})", row)

    def last_run(self, model: str, endpoint: str) -> Run | None:
        """The latest run with this model and server that sent at least one request."""
        with self._lock:
            row = self.connection.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE model = ? AND endpoint = ? AND requests > 0"
                " AND seconds > 0 ORDER BY id DESC LIMIT 1",
                (model, endpoint),
            ).fetchone()
        if row is None:
            return None
        started, seconds, model, endpoint, pv, conc, gen, fail, skip, req, pt, ct, chars, interrupted = row
        return Run(
            _parse_time(started), seconds, model, endpoint, pv, conc, gen, fail, skip, req, pt, ct, chars,
            bool(interrupted),
        )  # fmt: skip


_RUN_COLUMNS = (
    "started, seconds, model, endpoint, prompt_version, concurrency, generated, failed, skipped, requests,"
    " prompt_tokens, completion_tokens, prompt_chars, interrupted"
)


def _explainer(row: Sequence[object]) -> Explainer:
    (system, code, kind, sections, status, model, endpoint, prompt_version, facts_hash, release, created,
     reviewed_by, reviewed_at, prompt_tokens, completion_tokens, origin) = row  # fmt: skip
    parsed = json.loads(str(sections))
    return Explainer(
        SystemId(str(system)),
        str(code),
        ExplainerKind(str(kind)),
        tuple(
            ExplainerSection(s["key"], s["title"], SectionType(s["type"]), s["text"], tuple(s["items"])) for s in parsed
        ),
        Provenance(
            model=str(model),
            endpoint=str(endpoint),
            prompt_version=str(prompt_version),
            facts_hash=str(facts_hash),
            release=None if release is None else str(release),
            created=_parse_time(str(created)),
            status=ExplainerStatus(str(status)),
            reviewed_by=None if reviewed_by is None else str(reviewed_by),
            reviewed_at=None if reviewed_at is None else _parse_time(str(reviewed_at)),
            prompt_tokens=int(str(prompt_tokens)),
            completion_tokens=int(str(completion_tokens)),
            origin=str(origin),
        ),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
