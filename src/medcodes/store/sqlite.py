"""The embedded store: one SQLite file (FTS5 full-text index), written once by a build, then only read."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from medcodes.errors import DatabaseDamaged, DatabaseMissing, DatabaseOutdated, DatabaseUnreadable
from medcodes.models import (
    BuildStamp,
    Concept,
    ConceptKind,
    Definition,
    Designation,
    DesignationKind,
    HistoryEvent,
    HistoryKind,
    NameScope,
    Note,
    NoteKind,
    Prior,
    Property,
    Relation,
    RelationKind,
    Release,
    ReleaseContent,
    Rewrite,
    SourceFile,
    Vocabulary,
    VocabularyContent,
)
from medcodes.properties import HcpcsField
from medcodes.recent import Recent
from medcodes.store import migrations
from medcodes.store.schema import MIGRATIONS
from medcodes.systems import SystemId

_CONCEPT_COLUMNS = "system, code, title, kind, billable, parent, short_title, depth, seq"

# The stored values of the enums the build-time row readers return, looked up by dict: calling the enum on each of
# a full build's million rows costs seconds.
_DESIGNATION_KINDS = {kind.value: kind for kind in DesignationKind}
_CONCEPT_KINDS = {kind.value: kind for kind in ConceptKind}
_SYSTEMS = {system.value: system for system in SystemId}


def _concept(row: sqlite3.Row | tuple[object, ...]) -> Concept:
    system, code, title, kind, billable, parent, short_title, depth, seq = tuple(row)
    # Looked up by dict (a search reads a few dozen rows; the enum call is most of their cost), the enum
    # itself for a value the dict lacks (so an unknown one fails as it always did).
    return Concept(
        _SYSTEMS.get(system) or SystemId(str(system)),
        str(code),
        str(title),
        _CONCEPT_KINDS.get(kind) or ConceptKind(str(kind)),
        bool(billable),
        None if parent is None else str(parent),
        None if short_title is None else str(short_title),
        int(str(depth)),
        int(str(seq)),
    )


def _release(row: sqlite3.Row | tuple[Any, ...]) -> Release:
    """A release as stored: (system, version, effective, files, licence)."""
    system, version, effective, files, licence = tuple(row)
    return Release(
        SystemId(system),
        version,
        dt.date.fromisoformat(effective) if effective else None,
        tuple(SourceFile(f["name"], f["sha256"], bool(f.get("reconstructed"))) for f in json.loads(files)),
        licence,
    )


def _files_json(files: Sequence[SourceFile]) -> str:
    """A release's files as stored: name and sha256, and ``reconstructed`` where the file is no official one."""
    return json.dumps(
        [{"name": f.name, "sha256": f.sha256, **({"reconstructed": True} if f.reconstructed else {})} for f in files]
    )


_MAGIC = b"SQLite format 3\x00"
_REMEMBERED = 4096  # subtree bounds and counts kept per open database
_READINGS = "index-readings-1"  # the blob of ``readings``
# The tables ``add_release`` writes, in the order ``merge`` copies them (a table's rows before those naming them).
_MERGED = ("releases", "concepts", "designations", "notes", "properties", "relations", "history", "priors")


def _check_file(path: Path) -> None:
    """What can be told of a database file before SQLite reads it: that it is there, readable, and a whole
    SQLite file (the header's page count times its page size is the file's size; https://sqlite.org/fileformat.html).
    """
    try:
        with path.open("rb") as file:
            head = file.read(100)
            size = os.fstat(file.fileno()).st_size
    except FileNotFoundError:
        raise DatabaseMissing(path) from None
    except IsADirectoryError:
        raise DatabaseUnreadable(path, "it is a folder, not a file") from None
    except OSError as exc:
        raise DatabaseUnreadable(path, exc.strerror or str(exc)) from None
    if size == 0:
        raise DatabaseDamaged(path, "the file is empty")
    if len(head) < 100 or not head.startswith(_MAGIC):
        raise DatabaseDamaged(path, "it is not an SQLite database (its first bytes say otherwise)")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise DatabaseDamaged(path, f"its header names an impossible page size ({page_size})")
    pages = int.from_bytes(head[28:32], "big")
    # The header's page count is valid when its "version-valid-for" number (offset 92) equals the change
    # counter (offset 24), as SQLite 3.7.0 and later write it.
    if pages and head[24:28] == head[92:96] and size < pages * page_size:
        raise DatabaseDamaged(path, f"it is cut short: {size:,} bytes of {pages * page_size:,}")


class _Rows(sqlite3.Cursor):
    """A cursor whose SQLite errors name the damaged database (see _Reading)."""

    def fetchone(self) -> Any:
        return self._named(super().fetchone)

    def fetchall(self) -> list[Any]:
        return self._named(super().fetchall)  # type: ignore[no-any-return]

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        return self._named(super().fetchmany, size)  # type: ignore[no-any-return]

    def __next__(self) -> Any:
        # Written out, not through ``_named``: it runs once per row.
        try:
            return super().__next__()
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.connection, exc) from exc

    def _named(self, read: Callable[..., Any], *args: Any) -> Any:
        try:
            return read(*args)
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.connection, exc) from exc


def _each(cursor: sqlite3.Cursor) -> Iterator[Any]:
    """A cursor's rows, fetched a batch at a time: the build's readers take millions of rows, and one Python call
    per row (``_Rows.__next__``) costs seconds of a full build."""
    while rows := cursor.fetchmany(4096):
        yield from rows


class _Reading(sqlite3.Connection):
    """The read-only connection of an opened database. A built database is only ever read, so an SQLite error
    while reading it (a malformed page, text that is no UTF-8, a missing table) means the file is damaged: it is
    raised as DatabaseDamaged, which every interface answers in words, instead of a traceback or a 500. Misuse
    (ProgrammingError: a closed store) stays what it is."""

    path: Path

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return self.cursor(_Rows).execute(sql, parameters)
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError as exc:
            raise _damaged(self, exc) from exc


def _damaged(connection: sqlite3.Connection, exc: sqlite3.DatabaseError) -> DatabaseDamaged:
    return DatabaseDamaged(getattr(connection, "path", "?"), str(exc))


@dataclass(frozen=True, slots=True)
class FtsMatch:
    system: SystemId
    code: str
    designation: str
    designation_kind: str
    rank: float


class SQLiteStore:
    """A medcodes database in one SQLite file.

    Open an existing database with ``SQLiteStore.open(path)``; create a new one (for a build) with
    ``SQLiteStore.create(path)``.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self._ids: dict[tuple[SystemId, str], int] = {}
        # Facts of the release, remembered: a finished database is never written again.
        self._after: Recent[tuple[SystemId, str], tuple[int, int] | None] = Recent(_REMEMBERED)
        self._counts: Recent[tuple[SystemId, str | None, tuple[int, int] | None, bool], int] = Recent(_REMEMBERED)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: Path) -> SQLiteStore:
        """Open a built database to read it, or raise the error that names what is wrong with the file.

        The file is opened read-only and immutable: a build never writes a finished file again (the next build
        renames a new file over it), so SQLite takes no lock and needs no ``-wal``/``-shm`` file beside it, and
        a database on a read-only volume is served like any other.
        """
        _check_file(path)
        uri = f"file:{quote(str(path.absolute()))}?mode=ro&immutable=1"
        try:
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False, factory=_Reading)
        except sqlite3.Error as exc:
            raise DatabaseUnreadable(path, str(exc)) from exc
        connection.path = path
        store = cls(connection, path)
        try:
            tables = {str(r[0]) for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "schema_migrations" not in tables:
                raise DatabaseDamaged(
                    path, "it holds no medcodes tables (another program's SQLite file, or a build cut short)"
                )
            applied = store._applied()
        except DatabaseDamaged:
            connection.close()
            raise
        missing = tuple(m.name for m in MIGRATIONS if m.name not in applied)
        if missing:
            connection.close()
            raise DatabaseOutdated(path, missing)
        return store

    @classmethod
    def create(cls, path: Path) -> SQLiteStore:
        """A new, empty database at ``path`` (which must not exist), schema applied."""
        connection = sqlite3.connect(path, check_same_thread=False)
        # Built once, then only read: no journal while writing (a failed build is thrown away whole).
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        store = cls(connection, path)
        store.migrate()
        return store

    def migrate(self) -> list[str]:
        """Apply the migrations not yet applied, in order; returns their names."""
        return migrations.apply(self.connection, MIGRATIONS)

    def _applied(self) -> list[str]:
        return migrations.applied(self.connection)

    def close(self) -> None:
        self.connection.close()

    # ------------------------------------------------------------------ write side
    def add_release(self, content: ReleaseContent) -> None:
        """Store one release of one system in one transaction."""
        release = content.release
        db = self.connection
        with db:
            cursor = db.execute(
                "INSERT INTO releases (system, version, effective, files, licence, loaded_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    release.system.value,
                    release.version,
                    release.effective.isoformat() if release.effective else None,
                    _files_json(release.files),
                    release.licence,
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                ),
            )
            release_id = cursor.lastrowid
            ids = self._ids
            # Numbered here, as SQLite would number them (the next after the largest), and inserted at once.
            first = int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM concepts").fetchone()[0])
            numbered = list(enumerate(content.concepts, start=first))
            db.executemany(
                "INSERT INTO concepts (id, system, code, title, short_title, kind, billable, parent, depth, seq,"
                " release_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        number,
                        concept.system.value,
                        concept.code,
                        concept.title,
                        concept.short_title,
                        concept.kind.value,
                        int(concept.billable),
                        concept.parent,
                        concept.depth,
                        concept.seq,
                        release_id,
                    )
                    for number, concept in numbered
                ),
            )
            ids.update(((concept.system, concept.code), number) for number, concept in numbered)
            self._insert_designations(content.designations)
            db.executemany(
                "INSERT INTO notes (concept_id, kind, text, character) VALUES (?, ?, ?, ?)",
                ((ids[(n.system, n.code)], n.note.kind.value, n.note.text, n.note.character) for n in content.notes),
            )
            db.executemany(
                "INSERT INTO properties (concept_id, name, value, label, definition) VALUES (?, ?, ?, ?, ?)",
                ((ids[(p.system, p.code)], p.name, p.value, p.label, p.definition) for p in content.properties),
            )
            self._insert_relations(content.relations)
            self._insert_history(content.history)
            self._insert_priors(content.priors)
        if content.readings:
            self.add_readings(content.readings)

    def merge(self, path: Path) -> list[ReleaseContent]:
        """Add the releases that another new store at ``path`` holds (stored there by ``add_release``, in a build's
        worker process) after those stored here, numbered on from them as ``add_release`` here would have numbered
        them: the same database as storing each here. Returns each merged release with its concepts and
        designations, read back (what a build reads of them next), in the order stored."""
        db = self.connection
        db.commit()  # ATTACH is refused inside a transaction
        db.execute("ATTACH DATABASE ? AS side", (str(path),))
        try:
            with db:
                after = {
                    table: int(db.execute(f"SELECT coalesce(max(id), 0) FROM main.{table}").fetchone()[0])
                    for table in _MERGED
                }
                for table in _MERGED:
                    columns = [str(row[1]) for row in db.execute(f"PRAGMA side.table_info({table})")]
                    moved = {"id": after[table], "concept_id": after["concepts"], "release_id": after["releases"]}
                    read = ", ".join(f"{c} + {moved[c]}" if c in moved else c for c in columns)
                    db.execute(
                        f"INSERT INTO main.{table} ({', '.join(columns)}) SELECT {read} FROM side.{table} ORDER BY id"
                    )
                kept = db.execute("SELECT data FROM side.blobs WHERE name = ?", (_READINGS,)).fetchone()
        finally:
            db.execute("DETACH DATABASE side")
        if kept is not None:
            lists: dict[str, list[str]] = json.loads(kept[0])
            self.add_readings([(typed, meant) for typed, meanings in lists.items() for meant in meanings])
        return self._contents_after(after["releases"], after["concepts"], after["designations"])

    def _contents_after(self, release: int, concept: int, designation: int) -> list[ReleaseContent]:
        """The releases stored after the given ids, with their concepts and designations (``merge``)."""
        db = self.connection
        releases = {
            int(row[0]): _release(row[1:])
            for row in db.execute(
                "SELECT id, system, version, effective, files, licence FROM releases WHERE id > ? ORDER BY id",
                (release,),
            )
        }
        concepts: dict[int, list[Concept]] = {rid: [] for rid in releases}
        for row in db.execute(
            f"SELECT id, release_id, {_CONCEPT_COLUMNS} FROM concepts WHERE id > ? ORDER BY id", (concept,)
        ):
            read = _concept(row[2:])
            concepts[int(row[1])].append(read)
            self._ids[(read.system, read.code)] = int(row[0])  # the codes names are given to later (GEMs, vocabularies)
        designations: dict[int, list[Designation]] = {rid: [] for rid in releases}
        for rid, system, code, kind, text, source, via, scope in db.execute(
            "SELECT c.release_id, c.system, c.code, d.kind, d.text, d.source, d.via, d.scope FROM designations d"
            " JOIN concepts c ON c.id = d.concept_id WHERE d.id > ? ORDER BY d.id",
            (designation,),
        ):
            fit = NameScope(scope) if scope else None
            designations[int(rid)].append(
                Designation(_SYSTEMS[system], code, _DESIGNATION_KINDS[kind], text, source, via, fit)
            )
        return [
            ReleaseContent(found, tuple(concepts[rid]), tuple(designations[rid])) for rid, found in releases.items()
        ]

    def _insert_designations(self, designations: Sequence[Designation]) -> None:
        ids = self._ids
        self.connection.executemany(
            "INSERT INTO designations (concept_id, kind, text, source, via, scope) VALUES (?, ?, ?, ?, ?, ?)",
            (
                (ids[(d.system, d.code)], d.kind.value, d.text, d.source, d.via, d.scope.value if d.scope else None)
                for d in designations
            ),
        )

    def _insert_priors(self, priors: Sequence[Prior]) -> None:
        self.connection.executemany(
            "INSERT INTO priors (concept_id, term, subterm, modifiers, source, via) VALUES (?, ?, ?, ?, ?, ?)",
            ((self._ids[(p.system, p.code)], p.term, p.subterm, p.modifiers, p.source, p.via) for p in priors),
        )

    def add_designations(self, designations: Sequence[Designation]) -> None:
        """Store more designations of concepts already stored by this store (GEM-derived names)."""
        with self.connection:
            self._insert_designations(designations)

    def add_vocabularies(self, content: VocabularyContent) -> None:
        """Store what the open vocabularies add, with one row per vocabulary (licence, attribution, files)."""
        db = self.connection
        loaded = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with db:
            db.executemany(
                "INSERT INTO vocabularies (name, title, version, url, files, licence, attribution, derived, loaded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        v.name,
                        v.title,
                        v.version,
                        v.url,
                        json.dumps([{"name": f.name, "sha256": f.sha256} for f in v.files]),
                        v.licence,
                        v.attribution,
                        int(v.derived),
                        loaded,
                    )
                    for v in content.vocabularies
                ),
            )
            self._insert_designations(content.designations)
            db.executemany(
                "INSERT INTO definitions (concept_id, text, source, term) VALUES (?, ?, ?, ?)",
                ((self._ids[(d.system, d.code)], d.text, d.source, d.term) for d in content.definitions),
            )
            db.executemany(
                "INSERT INTO rewrites (text, target, source, term, scope) VALUES (?, ?, ?, ?, ?)",
                ((r.text, r.target, r.source, r.term, r.scope.value) for r in content.rewrites),
            )
            self._insert_priors(content.priors)
        if content.readings:
            self.add_readings([(typed, meant) for _source, typed, meant in content.readings])

    def _insert_relations(self, relations: Sequence[Relation]) -> None:
        self.connection.executemany(
            "INSERT INTO relations (source_system, source_code, kind, target_system, target_code, detail,"
            " source, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    r.source_system.value,
                    r.source_code,
                    r.kind.value,
                    r.target_system.value,
                    r.target_code,
                    r.detail,
                    r.source,
                    "|".join(r.flags),
                )
                for r in relations
            ),
        )

    def _insert_history(self, history: Sequence[HistoryEvent]) -> None:
        self.connection.executemany(
            "INSERT INTO history (system, code, kind, release, effective, old_title, new_title, replaced_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    h.system.value,
                    h.code,
                    h.kind.value,
                    h.release,
                    h.effective.isoformat() if h.effective else None,
                    h.old_title,
                    h.new_title,
                    "|".join(h.replaced_by),
                )
                for h in history
            ),
        )

    # ------------------------------------------------------------------ rows for derived indexes
    def designation_rows(self) -> Iterator[tuple[int, int, DesignationKind, str]]:
        """(designation id, concept id, kind, text) of every designation, by id."""
        for did, cid, kind, text in _each(
            self.connection.execute("SELECT id, concept_id, kind, text FROM designations ORDER BY id")
        ):
            yield did, cid, _DESIGNATION_KINDS[kind], text

    def operations(self) -> list[str]:
        """The root operations the ICD-10-PCS tables name (the labels of their third axis), by name."""
        rows = self.connection.execute(
            "SELECT DISTINCT label FROM properties WHERE name = 'pcs.operation' AND label IS NOT NULL ORDER BY label"
        )
        return [str(label) for (label,) in rows]

    def designation_counts(self, kind: DesignationKind) -> Iterator[tuple[int, int]]:
        """(concept id, how many designations of ``kind`` it has) of every concept that has one."""
        yield from _each(
            self.connection.execute(
                "SELECT concept_id, count(*) FROM designations WHERE kind = ? GROUP BY concept_id", (kind.value,)
            )
        )

    def nos_terms(self, ids: Sequence[int]) -> list[tuple[int, str]]:
        """(concept id, text) of the inclusion terms of these concepts that end in "NOS" ("Acute erythroid leukemia
        NOS")."""
        marks = ",".join("?" * len(ids))
        return self.connection.execute(
            f"SELECT concept_id, text FROM designations WHERE kind = ? AND concept_id IN ({marks})"
            " AND text LIKE '% NOS'",
            (DesignationKind.INCLUSION_TERM.value, *ids),
        ).fetchall()

    def named_rows(self, systems: Sequence[SystemId]) -> Iterator[tuple[int, SystemId, str, DesignationKind, str, str]]:
        """(concept id, system, code, kind, source, text) of every designation of a concept in ``systems``, by
        concept."""
        marks = ", ".join("?" for _ in systems)
        for cid, system, code, kind, source, text in _each(
            self.connection.execute(
                "SELECT c.id, c.system, c.code, d.kind, d.source, d.text"
                " FROM designations d JOIN concepts c ON c.id = d.concept_id"
                f" WHERE c.system IN ({marks}) ORDER BY d.concept_id, d.id",
                [s.value for s in systems],
            )
        ):
            yield cid, _SYSTEMS[system], code, _DESIGNATION_KINDS[kind], source, text

    def distinct_texts(self, kinds: Sequence[DesignationKind]) -> Iterator[str]:
        """Every text a designation of these kinds has, once."""
        marks = ", ".join("?" for _ in kinds)
        for (text,) in _each(
            self.connection.execute(
                f"SELECT DISTINCT text FROM designations WHERE kind IN ({marks})", [k.value for k in kinds]
            )
        ):
            yield str(text)

    def title_pairs(self) -> Iterator[tuple[str, str]]:
        """(title, short title) of every concept whose short title differs from its title."""
        for title, short in _each(
            self.connection.execute(
                "SELECT title, short_title FROM concepts WHERE short_title IS NOT NULL AND short_title != title"
            )
        ):
            yield str(title), str(short)

    def concept_rows(self) -> Iterator[tuple[int, SystemId, bool, ConceptKind]]:
        """(concept id, system, billable, kind) of every concept, by id."""
        for cid, system, billable, kind in _each(
            self.connection.execute("SELECT id, system, billable, kind FROM concepts ORDER BY id")
        ):
            yield cid, _SYSTEMS[system], bool(billable), _CONCEPT_KINDS[kind]

    def subtree_ids(self, system: SystemId, code: str) -> tuple[int, int] | None:
        """Concept ids [first, end) of a concept and everything below it (ids follow the official order)."""
        row = self.connection.execute(
            "SELECT id, seq, parent FROM concepts WHERE system = ? AND code = ?", (system.value, code)
        ).fetchone()
        if row is None:
            return None
        after = self._after_subtree(system, code, row[2], int(row[1]))
        if after is not None:
            return int(row[0]), after[0]
        last = self.connection.execute("SELECT max(id) FROM concepts WHERE system = ?", (system.value,)).fetchone()[0]
        return int(row[0]), int(last) + 1

    def _after_subtree(self, system: SystemId, code: str, parent: str | None, seq: int) -> tuple[int, int] | None:
        """(id, seq) of the first concept after ``code``'s subtree in official order (``parent`` and ``seq`` are the
        code's): the next sibling of the code or of its nearest ancestor that has one (a few look-ups by parent,
        where scanning the rows that follow by depth would read a whole section's for a top-level code). None at
        the end of the system."""
        key = (system, code)
        if key in self._after:
            return self._after.get(key)
        found: tuple[int, int] | None = None
        while True:
            row = self.connection.execute(
                "SELECT id, seq FROM concepts WHERE system = ? AND parent IS ? AND seq > ? ORDER BY seq LIMIT 1",
                (system.value, parent, seq),
            ).fetchone()
            if row is not None:
                found = int(row[0]), int(row[1])
                break
            if parent is None:  # a top-level concept with no next sibling: the end of the system
                break
            up = self.connection.execute(
                "SELECT parent, seq FROM concepts WHERE system = ? AND code = ?", (system.value, parent)
            ).fetchone()
            if up is None:
                break
            parent, seq = up[0], int(up[1])
        self._after.put(key, found)
        return found

    def seventh_character_parents(self) -> Iterator[tuple[int, int]]:
        """(concept id, parent id) of every ICD-10-CM code made by adding a 7th character to its parent."""
        for cid, parent in _each(
            self.connection.execute(
                "SELECT c.id, p.id FROM concepts c JOIN concepts p ON p.system = c.system AND p.code = c.parent"
                " WHERE c.system = 'icd10cm' AND length(c.code) = 8"
            )
        ):
            yield int(cid), int(parent)

    def child_pairs(self) -> Iterator[tuple[int, int]]:
        """(parent id, child id) of every concept that has a parent, children in the official order."""
        for parent, child in _each(
            self.connection.execute(
                "SELECT p.id, c.id FROM concepts c JOIN concepts p ON p.system = c.system AND p.code = c.parent"
                " ORDER BY c.id"
            )
        ):
            yield int(parent), int(child)

    def rewrite_pairs(self) -> list[tuple[str, str]]:
        """(name, label) of every query rewrite the build stored (a vocabulary's name of a concept that links
        to no code, and the label it stands for), in the order stored; none in a database without them."""
        return [(name, label) for name, label, _source in self.rewrite_sources()]

    def rewrite_sources(self) -> list[tuple[str, str, str]]:
        """(name, label, source) of every query rewrite the build stored, in the order stored."""
        exists = self.connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rewrites'")
        if exists.fetchone() is None:
            return []
        rows = self.connection.execute("SELECT text, target, source FROM rewrites ORDER BY id")
        return [(str(t), str(g), str(s)) for t, g, s in rows]

    def definition_texts(self) -> list[str]:
        """The text of every definition the build stored (the vocabularies'), in the order stored."""
        return [str(text) for (text,) in self.connection.execute("SELECT text FROM definitions ORDER BY id")]

    def prior_names(self) -> list[tuple[int, str, str | None, str | None]]:
        """(concept id, main term, subterm or None, nonessential modifiers or None) of every code an index gives
        a main term (or a main term and one subterm), when the build stored such priors; none otherwise."""
        exists = self.connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'priors'")
        if exists.fetchone() is None:
            return []
        rows = self.connection.execute("SELECT concept_id, term, subterm, modifiers FROM priors ORDER BY id")
        return [(int(cid), str(term), subterm, modifiers) for cid, term, subterm, modifiers in rows]

    def parent_titles(self) -> dict[int, str]:
        """concept id -> its parent's title, for every concept that has a parent."""
        rows = self.connection.execute(
            "SELECT c.id, p.title FROM concepts c JOIN concepts p ON p.system = c.system AND p.code = c.parent"
        )
        return {int(cid): str(title) for cid, title in _each(rows)}

    def concept_titles(self) -> Iterator[tuple[int, SystemId, ConceptKind, str]]:
        """(concept id, system, kind, title) of every concept, by id."""
        for cid, system, kind, title in _each(
            self.connection.execute("SELECT id, system, kind, title FROM concepts ORDER BY id")
        ):
            yield cid, _SYSTEMS[system], _CONCEPT_KINDS[kind], title

    def concepts_by_id(self, ids: Sequence[int]) -> dict[int, Concept]:
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self.connection.execute(
            f"SELECT id, {_CONCEPT_COLUMNS} FROM concepts WHERE id IN ({marks})", tuple(ids)
        ).fetchall()
        return {int(r[0]): _concept(r[1:]) for r in rows}

    def concept_id(self, system: SystemId, code: str) -> int | None:
        row = self.connection.execute(
            "SELECT id FROM concepts WHERE system = ? AND code = ?", (system.value, code)
        ).fetchone()
        return None if row is None else int(row[0])

    def designations_by_id(self, ids: Sequence[int]) -> dict[int, tuple[DesignationKind, str, str | None]]:
        """(kind, text, via) of the given designations."""
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self.connection.execute(
            f"SELECT id, kind, text, via FROM designations WHERE id IN ({marks})", tuple(ids)
        ).fetchall()
        return {int(i): (_DESIGNATION_KINDS.get(k) or DesignationKind(k), str(t), v) for i, k, t, v in rows}

    def descendants(self, system: SystemId, code: str, limit: int) -> list[Concept]:
        """Every concept below ``code`` (not itself), in official order."""
        concept = self.get(system, code)
        if concept is None:
            return []
        after = self._after_subtree(system, code, concept.parent, concept.seq)
        end = None if after is None else after[1]
        rows = self.connection.execute(
            f"SELECT {_CONCEPT_COLUMNS} FROM concepts WHERE system = ? AND seq > ? AND seq < ? ORDER BY seq LIMIT ?",
            (system.value, concept.seq, end if end is not None else 1 << 62, limit),
        ).fetchall()
        return [_concept(r) for r in rows]

    def put_blob(self, name: str, data: bytes) -> None:
        with self.connection:
            self.connection.execute(
                "INSERT OR REPLACE INTO blobs (name, data, crc32) VALUES (?, ?, ?)", (name, data, zlib.crc32(data))
            )

    def get_blob(self, name: str) -> bytes | None:
        """A derived blob, checked against the CRC-32 the build stored with it (DatabaseDamaged if it differs)."""
        row = self.connection.execute("SELECT data, crc32 FROM blobs WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        data = bytes(row[0])
        if row[1] is not None and zlib.crc32(data) != int(row[1]):
            raise DatabaseDamaged(self.path, f"the search index's part {name!r} does not match its checksum")
        return data

    def put_word_lists(self, name: str, lists: dict[str, list[str]]) -> None:
        """Keep a table of key -> words or phrases (the derived abbreviations, initialisms, short forms) as a
        JSON blob."""
        self.put_blob(name, json.dumps(lists, separators=(",", ":")).encode())

    def add_readings(self, readings: Sequence[tuple[str, str]]) -> None:
        """Keep (word typed, word meant) pairs beside those kept before (``readings``)."""
        kept = self.readings()
        for typed, meant in readings:
            if meant not in kept.setdefault(typed, []):
                kept[typed].append(meant)
        self.put_word_lists(_READINGS, kept)

    def readings(self) -> dict[str, list[str]]:
        """Words the systems' indexes read as other words in any query ("overdose" -> "poisoning"), as the
        releases stored them (``ReleaseContent.readings``); empty in a database built before them."""
        return self.get_word_lists(_READINGS)

    def get_word_lists(self, name: str) -> dict[str, list[str]]:
        """A table kept by ``put_word_lists`` (empty in a database built before it)."""
        blob = self.get_blob(name)
        lists: dict[str, list[str]] = json.loads(blob) if blob else {}
        return lists

    def set_stamp(self, stamp: BuildStamp) -> None:
        with self.connection:
            self.connection.execute("DELETE FROM stamp")
            self.connection.execute(
                "INSERT INTO stamp (release, built_at, medcodes) VALUES (?, ?, ?)",
                (stamp.release, stamp.built_at.isoformat(timespec="seconds"), stamp.medcodes),
            )

    def stamp(self) -> BuildStamp | None:
        """Which build made this file (None for a database still being built)."""
        row = self.connection.execute("SELECT release, built_at, medcodes FROM stamp").fetchone()
        return None if row is None else BuildStamp(str(row[0]), dt.datetime.fromisoformat(row[1]), str(row[2]))

    def add_links(
        self,
        name: str,
        version: str,
        files: Sequence[SourceFile],
        relations: Sequence[Relation],
        *,
        history: Sequence[HistoryEvent] = (),
        missing: dict[str, int] | None = None,
        licence: str | None = None,
    ) -> None:
        """Store a crosswalk or a history file: relations (and events) between codes, with provenance."""
        db = self.connection
        with db:
            db.execute(
                "INSERT INTO crosswalks (name, version, files, licence, relations, missing, loaded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    version,
                    _files_json(files),
                    licence,
                    len(relations),
                    json.dumps(missing or {}),
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                ),
            )
            self._insert_relations(relations)
            self._insert_history(history)

    def finish(self) -> None:
        db = self.connection
        with db:
            db.execute("INSERT INTO designations_fts (designations_fts) VALUES ('rebuild')")
            db.execute("INSERT INTO designations_fts (designations_fts) VALUES ('optimize')")
            db.execute("DELETE FROM system_counts")
            db.execute(
                "INSERT INTO system_counts (system, concepts, billable, designations, notes)"
                " SELECT c.system, count(*), coalesce(sum(c.billable), 0),"
                " (SELECT count(*) FROM designations d JOIN concepts k ON k.id = d.concept_id"
                " WHERE k.system = c.system),"
                " (SELECT count(*) FROM notes n JOIN concepts k ON k.id = n.concept_id WHERE k.system = c.system)"
                " FROM concepts c GROUP BY c.system"
            )
        db.execute("ANALYZE")
        # A rollback journal, not WAL: a WAL file needs a -shm file beside it to be read, which a read-only
        # volume cannot hold. Readers open the finished file immutable (``open``) and never write.
        db.execute("PRAGMA journal_mode = DELETE")

    # ------------------------------------------------------------------ read side
    def releases(self) -> list[Release]:
        rows = self.connection.execute(
            "SELECT system, version, effective, files, licence FROM releases ORDER BY id"
        ).fetchall()
        return [_release(row) for row in rows]

    def release_of(self, system: SystemId) -> Release | None:
        found = [r for r in self.releases() if r.system is system]
        return found[-1] if found else None

    def designation_total(self) -> int:
        """How many designations the store holds, counted now (``counts`` is what a finished build counted)."""
        return int(self.connection.execute("SELECT count(*) FROM designations").fetchone()[0])

    def counts(self) -> dict[SystemId, dict[str, int]]:
        """Concepts, billable codes, designations and notes of each system, as the build counted them."""
        rows = self.connection.execute(
            "SELECT system, concepts, billable, designations, notes FROM system_counts"
        ).fetchall()
        return {
            SystemId(system): {"concepts": c, "billable": b, "designations": d, "notes": n}
            for system, c, b, d, n in rows
        }

    def get(self, system: SystemId, code: str) -> Concept | None:
        row = self.connection.execute(
            f"SELECT {_CONCEPT_COLUMNS} FROM concepts WHERE system = ? AND code = ?", (system.value, code)
        ).fetchone()
        return None if row is None else _concept(row)

    def existing(self, system: SystemId, codes: Sequence[str]) -> list[str]:
        if not codes:
            return []
        marks = ", ".join("?" * len(codes))
        found = {
            str(r[0])
            for r in self.connection.execute(
                f"SELECT code FROM concepts WHERE system = ? AND code IN ({marks})", (system.value, *codes)
            )
        }
        return [c for c in codes if c in found]

    def children(self, system: SystemId, code: str) -> list[Concept]:
        rows = self.connection.execute(
            f"SELECT {_CONCEPT_COLUMNS} FROM concepts WHERE system = ? AND parent = ? ORDER BY seq",
            (system.value, code),
        ).fetchall()
        return [_concept(r) for r in rows]

    def child_ids(self, system: SystemId, code: str) -> list[int]:
        """Concept ids of a concept's children, in the official order (each child's subtree runs to the next)."""
        rows = self.connection.execute(
            "SELECT id FROM concepts WHERE system = ? AND parent = ? ORDER BY id", (system.value, code)
        ).fetchall()
        return [int(r[0]) for r in rows]

    def ancestors(self, system: SystemId, code: str) -> list[Concept]:
        chain: list[Concept] = []
        concept = self.get(system, code)
        while concept is not None and concept.parent is not None:
            concept = self.get(system, concept.parent)
            if concept is not None:
                chain.append(concept)
        return chain[::-1]

    def _own_notes(self, system: SystemId, code: str) -> list[Note]:
        rows = self.connection.execute(
            "SELECT n.kind, n.text, n.character FROM notes n JOIN concepts c ON c.id = n.concept_id"
            " WHERE c.system = ? AND c.code = ? ORDER BY n.id",
            (system.value, code),
        ).fetchall()
        return [Note(NoteKind(kind), text, character) for kind, text, character in rows]

    def notes(self, system: SystemId, code: str) -> list[Note]:
        seventh = {NoteKind.SEVENTH_CHARACTER, NoteKind.SEVENTH_CHARACTER_NOTE}
        out = self._own_notes(system, code)
        have_seventh = any(n.kind in seventh for n in out)
        for ancestor in reversed(self.ancestors(system, code)):
            for note in self._own_notes(system, ancestor.code):
                # 7th characters come from the nearest ancestor that defines them (a nearer
                # definition replaces a farther one); every other note applies to all descendants.
                if note.kind in seventh and have_seventh:
                    continue
                out.append(Note(note.kind, note.text, note.character, inherited_from=ancestor.code))
            have_seventh = have_seventh or any(n.kind in seventh for n in out)
        return out

    def properties(self, system: SystemId, code: str) -> list[Property]:
        rows = self.connection.execute(
            "SELECT p.name, p.value, p.label, p.definition FROM properties p JOIN concepts c ON c.id = p.concept_id"
            " WHERE c.system = ? AND c.code = ? ORDER BY p.id",
            (system.value, code),
        ).fetchall()
        return [Property(system, code, n, v, lb, d) for n, v, lb, d in rows]

    def relations(self, system: SystemId, code: str) -> list[Relation]:
        """Every relation from or to the code, outgoing first."""
        rows = self.connection.execute(
            "SELECT source_system, source_code, kind, target_system, target_code, detail, source, flags"
            " FROM relations WHERE (source_system = ? AND source_code = ?) OR (target_system = ? AND target_code = ?)"
            " ORDER BY (source_system = ? AND source_code = ?) DESC, id",
            (system.value, code, system.value, code, system.value, code),
        ).fetchall()
        return [
            Relation(SystemId(ss), sc, RelationKind(k), SystemId(ts), tc, d, src, tuple(f.split("|")) if f else ())
            for ss, sc, k, ts, tc, d, src, f in rows
        ]

    def deleted_codes(self) -> list[HistoryEvent]:
        """The last deletion of every code the current releases no longer hold (with its old title)."""
        rows = self.connection.execute(
            "SELECT h.system, h.code, h.kind, h.release, h.effective, h.old_title, h.new_title, h.replaced_by"
            " FROM history h WHERE h.kind = 'deleted' AND NOT EXISTS"
            " (SELECT 1 FROM concepts c WHERE c.system = h.system AND c.code = h.code) ORDER BY h.effective"
        ).fetchall()
        latest: dict[tuple[str, str], HistoryEvent] = {}
        for system, code, kind, release, effective, old, new, replaced in rows:
            latest[(system, code)] = HistoryEvent(
                SystemId(system),
                code,
                HistoryKind(kind),
                release,
                dt.date.fromisoformat(effective) if effective else None,
                old,
                new,
                tuple(replaced.split("|")) if replaced else (),
            )
        return list(latest.values())

    def added_after(self, system: SystemId, codes: Sequence[str], when: dt.date) -> set[str]:
        """The codes among ``codes`` that the history says were added after ``when`` (not valid on that day)."""
        out: set[str] = set()
        unique = list(dict.fromkeys(codes))
        for start in range(0, len(unique), 500):  # stay under SQLite's bound-parameter limit
            chunk = unique[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.connection.execute(
                f"SELECT DISTINCT code FROM history WHERE system = ? AND kind = 'added' AND effective > ?"
                f" AND code IN ({marks})",
                (system.value, when.isoformat(), *chunk),
            )
            out.update(str(r[0]) for r in rows)
        return out

    def earliest_history(self, system: SystemId) -> dt.date | None:
        row = self.connection.execute("SELECT min(effective) FROM history WHERE system = ?", (system.value,)).fetchone()
        return dt.date.fromisoformat(row[0]) if row and row[0] else None

    def history(self, system: SystemId, code: str) -> list[HistoryEvent]:
        rows = self.connection.execute(
            "SELECT kind, release, effective, old_title, new_title, replaced_by FROM history"
            " WHERE system = ? AND code = ? ORDER BY effective, id",
            (system.value, code),
        ).fetchall()
        return [
            HistoryEvent(
                system,
                code,
                HistoryKind(k),
                r,
                dt.date.fromisoformat(e) if e else None,
                o,
                n,
                tuple(rb.split("|")) if rb else (),
            )
            for k, r, e, o, n, rb in rows
        ]

    def designations(self, system: SystemId, code: str) -> list[Designation]:
        rows = self.connection.execute(
            "SELECT d.kind, d.text, d.source, d.via, d.scope FROM designations d JOIN concepts c ON c.id = d.concept_id"
            " WHERE c.system = ? AND c.code = ? ORDER BY d.id",
            (system.value, code),
        ).fetchall()
        return [
            Designation(system, code, DesignationKind(k), t, s, v, NameScope(sc) if sc else None)
            for k, t, s, v, sc in rows
        ]

    # ------------------------------------------------------------------ vocabularies (read side)
    def vocabularies(self) -> list[Vocabulary]:
        rows = self.connection.execute(
            "SELECT name, title, version, url, files, licence, attribution, derived FROM vocabularies ORDER BY id"
        ).fetchall()
        return [
            Vocabulary(
                name,
                title,
                version,
                tuple(SourceFile(f["name"], f["sha256"]) for f in json.loads(files)),
                licence,
                attribution,
                bool(derived),
                url,
            )
            for name, title, version, url, files, licence, attribution, derived in rows
        ]

    def definitions(self, system: SystemId, code: str) -> list[Definition]:
        """A code's definitions from the vocabularies, best first (the order the build stored them)."""
        rows = self.connection.execute(
            "SELECT d.text, d.source, d.term FROM definitions d JOIN concepts c ON c.id = d.concept_id"
            " WHERE c.system = ? AND c.code = ? ORDER BY d.id",
            (system.value, code),
        ).fetchall()
        return [Definition(system, code, text, source, term) for text, source, term in rows]

    def rewrites(self) -> list[Rewrite]:
        """Every rewrite: names of vocabulary concepts that link to no code, and the label each stands for."""
        rows = self.connection.execute("SELECT text, target, source, term, scope FROM rewrites ORDER BY id").fetchall()
        return [Rewrite(text, target, source, term, NameScope(scope)) for text, target, source, term, scope in rows]

    def priors(self) -> list[Prior]:
        """What the alphabetic indexes give their main terms (and first subterms), in the order stored."""
        rows = self.connection.execute(
            "SELECT c.system, c.code, p.term, p.subterm, p.modifiers, p.source, p.via FROM priors p"
            " JOIN concepts c ON c.id = p.concept_id ORDER BY p.id"
        ).fetchall()
        return [Prior(SystemId(s), c, t, st, m, src, v) for s, c, t, st, m, src, v in rows]

    def designation_scopes(self) -> dict[int, NameScope]:
        """designation id -> scope, for the designations that have one (names from vocabularies and GEMs)."""
        rows = self.connection.execute("SELECT id, scope FROM designations WHERE scope IS NOT NULL")
        return {int(i): NameScope(sc) for i, sc in rows}

    def roots(self, system: SystemId) -> list[Concept]:
        rows = self.connection.execute(
            f"SELECT {_CONCEPT_COLUMNS} FROM concepts WHERE system = ? AND parent IS NULL ORDER BY seq",
            (system.value,),
        ).fetchall()
        return [_concept(r) for r in rows]

    def count_codes(
        self,
        system: SystemId,
        *,
        prefix: str | None = None,
        ids: tuple[int, int] | None = None,
        billable_only: bool = False,
    ) -> int:
        """How many concepts of ``system`` start with ``prefix`` and/or have ids in ``[first, end)`` (remembered: a
        finished database never changes, and a top-level code's count reads a whole section)."""
        key = (system, prefix, ids, billable_only)
        known = self._counts.get(key)
        if known is not None:
            return known
        sql = "SELECT count(*) FROM concepts WHERE system = ?"
        params: list[object] = [system.value]
        if prefix is not None:
            sql += " AND code >= ? AND code < ?"
            params += [prefix, prefix + "\uffff"]
        if ids is not None:
            sql += " AND id >= ? AND id < ?"
            params += list(ids)
        if billable_only:
            sql += " AND billable = 1"
        count = int(self.connection.execute(sql, params).fetchone()[0])
        self._counts.put(key, count)
        return count

    def codes_with_prefix(self, system: SystemId, prefix: str, limit: int) -> list[Concept]:
        rows = self.connection.execute(
            f"SELECT {_CONCEPT_COLUMNS} FROM concepts WHERE system = ? AND code >= ? AND code < ? ORDER BY seq LIMIT ?",
            (system.value, prefix, prefix + "\uffff", limit),
        ).fetchall()
        return [_concept(r) for r in rows]

    def concepts(self, system: SystemId | None = None) -> list[Concept]:
        """Every concept (of one system), in official order."""
        sql = f"SELECT {_CONCEPT_COLUMNS} FROM concepts"
        rows = (
            self.connection.execute(sql + " ORDER BY system, seq").fetchall()
            if system is None
            else self.connection.execute(sql + " WHERE system = ? ORDER BY seq", (system.value,)).fetchall()
        )
        return [_concept(r) for r in rows]

    # ------------------------------------------------------------------ terminology (read side)
    def concept_page(self, system: SystemId, bounds: tuple[int, int] | None, offset: int, limit: int) -> list[Concept]:
        """Concepts of ``system`` in official order, ``offset`` and ``limit`` applied; ``bounds`` [first, end)
        keeps one subtree (``subtree_ids``)."""
        where, params = "system = ?", [system.value]
        bounded: list[object] = list(params)
        if bounds is not None:
            where += " AND id >= ? AND id < ?"
            bounded += [bounds[0], bounds[1]]
        rows = self.connection.execute(
            f"SELECT {_CONCEPT_COLUMNS} FROM concepts WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
            (*bounded, limit, offset),
        ).fetchall()
        return [_concept(r) for r in rows]

    def property_names(self, system: SystemId) -> list[tuple[str, int]]:
        """Every property name the concepts of ``system`` carry, with how many carry it."""
        rows = self.connection.execute(
            "SELECT p.name, count(*) FROM properties p JOIN concepts c ON c.id = p.concept_id"
            " WHERE c.system = ? GROUP BY p.name ORDER BY p.name",
            (system.value,),
        ).fetchall()
        return [(str(n), int(k)) for n, k in rows]

    def text_search(self, match: str, systems: Sequence[SystemId], limit: int) -> list[FtsMatch]:
        """FTS5 ``MATCH`` over every designation; ``match`` must already be a safe FTS5 expression."""
        where = ""
        params: list[object] = [match]
        if systems:
            where = f" AND c.system IN ({', '.join('?' * len(systems))})"
            params.extend(s.value for s in systems)
        params.append(limit)
        rows = self.connection.execute(
            "SELECT c.system, c.code, d.text, d.kind, f.rank FROM designations_fts f"
            " JOIN designations d ON d.id = f.rowid JOIN concepts c ON c.id = d.concept_id"
            f" WHERE designations_fts MATCH ?{where} ORDER BY f.rank LIMIT ?",
            params,
        ).fetchall()
        return [FtsMatch(SystemId(s), c, t, k, float(r)) for s, c, t, k, r in rows]

    # ------------------------------------------------------------------ similar codes (read side)
    def concepts_in(self, system: SystemId, codes: Sequence[str]) -> dict[str, Concept]:
        """The concepts among ``codes`` that exist in ``system``, by code."""
        out: dict[str, Concept] = {}
        unique = list(dict.fromkeys(codes))
        for start in range(0, len(unique), 500):  # stay under SQLite's bound-parameter limit
            chunk = unique[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.connection.execute(
                f"SELECT {_CONCEPT_COLUMNS} FROM concepts WHERE system = ? AND code IN ({marks})",
                (system.value, *chunk),
            ).fetchall()
            out.update((str(r[1]), _concept(r)) for r in rows)
        return out

    def concepts_in_order(self, system: SystemId, first: int, last: int) -> list[Concept]:
        """The concepts at official positions ``first`` to ``last`` (``Concept.seq``), through the (system, seq)
        index."""
        rows = self.connection.execute(
            f"SELECT {_CONCEPT_COLUMNS} FROM concepts WHERE system = ? AND seq BETWEEN ? AND ? ORDER BY seq",
            (system.value, first, last),
        ).fetchall()
        return [_concept(r) for r in rows]

    def codes_matching(self, system: SystemId, pattern: str, limit: int) -> list[Concept]:
        """Concepts whose code matches a GLOB ``pattern`` (``0U?7*``), in official order.

        A pattern that starts with literal characters reads only that range of the (system, code) index.
        """
        rows = self.connection.execute(
            f"SELECT {_CONCEPT_COLUMNS} FROM concepts WHERE system = ? AND code GLOB ? ORDER BY seq LIMIT ?",
            (system.value, pattern, limit),
        ).fetchall()
        return [_concept(r) for r in rows]

    def index_terms_with_prefix(self, prefix: str, limit: int) -> list[tuple[SystemId, str, str]]:
        """(system, code, text) of the index terms (not reached through a "see") whose text starts with ``prefix``.

        The literal ``kind = 'index_term'`` lets SQLite use the partial index of migration 0003_similar.
        """
        rows = self.connection.execute(
            "SELECT c.system, c.code, d.text FROM designations d JOIN concepts c ON c.id = d.concept_id"
            " WHERE d.kind = 'index_term' AND d.text >= ? AND d.text < ? AND d.via IS NULL ORDER BY d.text LIMIT ?",
            (prefix, prefix + "\uffff", limit),
        ).fetchall()
        return [(SystemId(s), str(c), str(t)) for s, c, t in rows]

    def property_labels(self, system: SystemId, codes: Sequence[str], name: str) -> dict[str, tuple[str, str | None]]:
        """(value, label) of property ``name`` for each of ``codes`` that has it."""
        out: dict[str, tuple[str, str | None]] = {}
        unique = list(dict.fromkeys(codes))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.connection.execute(
                "SELECT c.code, p.value, p.label FROM concepts c JOIN properties p ON p.concept_id = c.id"
                f" WHERE c.system = ? AND c.code IN ({marks}) AND p.name = ?",
                (system.value, *chunk, name),
            ).fetchall()
            out.update((str(c), (str(v), None if lb is None else str(lb))) for c, v, lb in rows)
        return out

    def codes_with_manual_section(self, system: SystemId, name: str, value: str, limit: int) -> list[str]:
        """Codes whose Medicare manual property ``name`` (``HcpcsField.COVERAGE_ISSUES_MANUAL`` or
        ``CARRIERS_MANUAL``) is ``value``, through the partial index of migration 0003_similar (whose condition
        the query repeats word for word, so that SQLite uses it)."""
        rows = self.connection.execute(
            "SELECT c.code FROM properties p JOIN concepts c ON c.id = p.concept_id"
            f" WHERE p.name IN ('{HcpcsField.COVERAGE_ISSUES_MANUAL}', '{HcpcsField.CARRIERS_MANUAL}')"
            " AND p.name = ? AND p.value = ? AND c.system = ? ORDER BY c.seq LIMIT ?",
            (name, value, system.value, limit),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def mapped_codes(self, system: SystemId, code: str, other: SystemId, limit: int) -> list[str]:
        """Codes of ``other`` linked with ``code`` by a ``maps_to`` relation either way, at most ``limit``."""
        rows = self.connection.execute(
            "SELECT target_code FROM relations WHERE source_system = ? AND source_code = ? AND kind = ?"
            " AND target_system = ?"
            " UNION SELECT source_code FROM relations WHERE target_system = ? AND target_code = ? AND kind = ?"
            " AND source_system = ? LIMIT ?",
            (
                system.value,
                code,
                RelationKind.MAPS_TO.value,
                other.value,
                system.value,
                code,
                RelationKind.MAPS_TO.value,
                other.value,
                limit,
            ),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def designation_ids(self, system: SystemId, code: str) -> list[tuple[int, DesignationKind]]:
        """(designation id, kind) of every designation of a concept, in order."""
        rows = self.connection.execute(
            "SELECT d.id, d.kind FROM designations d JOIN concepts c ON c.id = d.concept_id"
            " WHERE c.system = ? AND c.code = ? ORDER BY d.id",
            (system.value, code),
        ).fetchall()
        return [(int(i), DesignationKind(k)) for i, k in rows]

    def concept_ids_of_kinds(self, kinds: Sequence[ConceptKind]) -> list[int]:
        """The ids of every concept of the given kinds (chapters, blocks ...)."""
        if not kinds:
            return []
        marks = ", ".join("?" * len(kinds))
        rows = self.connection.execute(
            f"SELECT id FROM concepts WHERE kind IN ({marks})", tuple(k.value for k in kinds)
        ).fetchall()
        return [int(r[0]) for r in rows]
