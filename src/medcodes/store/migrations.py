"""Named, ordered migrations of a SQLite database, for the main database (store/schema.py) and the explainers
database (explain/store.py) alike: a migration runs once, and its name is recorded in ``schema_migrations``.

Written here rather than taken from a migrations library (alembic, yoyo): the schemas are plain SQL scripts that
only ever move forward, on SQLite's own connection; the whole tool is the two functions below.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    sql: str


def apply(connection: sqlite3.Connection, migrations: Sequence[Migration]) -> list[str]:
    """Apply the migrations not yet applied, in order, each in its own transaction; returns their names."""
    connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = set(applied(connection))
    names = []
    for migration in migrations:
        if migration.name in done:
            continue
        with connection:
            connection.executescript(migration.sql)
            connection.execute(
                "INSERT INTO schema_migrations VALUES (?, ?)",
                (migration.name, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
        names.append(migration.name)
    return names


def applied(connection: sqlite3.Connection) -> list[str]:
    """The names of the migrations applied, sorted."""
    return [str(r[0]) for r in connection.execute("SELECT name FROM schema_migrations ORDER BY name")]
