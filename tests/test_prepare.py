"""The build's derived search parts, run side by side in worker processes: the same blobs as one after another."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from medcodes.errors import BuildError
from medcodes.search import index, prepare
from medcodes.service import build_database
from medcodes.store.sqlite import SQLiteStore
from tests.helpers import fixture_db, fixture_release


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of a few codes: its build derived the parts in its own process."""
    return fixture_db(tmp_path_factory.mktemp("built"))


def _copy(db: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(db, tmp_path / "copy.db"))


def _blobs(path: Path) -> dict[str, bytes]:
    with sqlite3.connect(path) as connection:
        return {str(name): bytes(data) for name, data in connection.execute("SELECT name, data FROM blobs")}


def _emptied(path: Path) -> SQLiteStore:
    """The built database at ``path``, writable, with every blob the build derived taken out."""
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("DELETE FROM blobs")
    return SQLiteStore(connection, path)


def test_workers_write_the_blobs_the_build_derives_one_after_another(built: Path, tmp_path: Path) -> None:
    db = _copy(built, tmp_path)
    before = _blobs(db)
    derived = {name for name in before if not name.startswith("semantic")}
    assert {name.split("/")[0] for name in derived} >= {index.INDEX_VERSION, "phrases-1", "initialisms-1"}
    store = _emptied(db)
    try:
        prepare.derive(store, prepare.DERIVED, workers=2, least=0)
    finally:
        store.close()
    assert _blobs(db) == {name: before[name] for name in derived}


def _broken(store: SQLiteStore) -> None:
    raise ValueError("a step that breaks")


def _stamped(name: str, seconds: float, store: SQLiteStore) -> None:
    """A step that reads the file for ``seconds`` and notes (beside the database) when it ended."""
    time.sleep(seconds)
    store.put_blob(name, name.encode())
    (store.path.parent / f"{name}.ended").write_text(repr(time.time()))


def _quick(store: SQLiteStore) -> None:
    _stamped("quick", 0.0, store)


def _slow(store: SQLiteStore) -> None:
    _stamped("slow", 1.0, store)


def test_no_blob_is_written_while_a_worker_still_reads(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workers open the file immutable (no lock): a blob written while one still read it made SQLite read pages
    # half written ("database disk image is malformed", once in CI). The quick step's blob used to be written
    # while the slow one still ran.
    store = _emptied(_copy(built, tmp_path))
    written: list[float] = []
    put = store.put_blob

    def noted(name: str, data: bytes) -> None:
        written.append(time.time())
        put(name, data)

    monkeypatch.setattr(store, "put_blob", noted)
    try:
        prepare.derive(store, (_quick, _slow), workers=2, least=0)
    finally:
        store.close()
    ended = max(float((tmp_path / f"{name}.ended").read_text()) for name in ("quick", "slow"))
    assert len(written) == 2
    assert min(written) >= ended
    assert _blobs(tmp_path / "copy.db") == {"quick": b"quick", "slow": b"slow"}


def test_a_step_failing_in_a_worker_fails_the_derivation(built: Path, tmp_path: Path) -> None:
    store = _emptied(_copy(built, tmp_path))
    try:
        with pytest.raises(ValueError, match="a step that breaks"):
            prepare.derive(store, (index.write, _broken), workers=2, least=0)
    finally:
        store.close()


def test_a_failing_step_fails_the_build_and_keeps_the_previous_database(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _copy(built, tmp_path)
    before = db.read_bytes()
    monkeypatch.setattr(prepare, "DERIVED", (*prepare.DERIVED, _broken))
    with pytest.raises(BuildError, match="a step that breaks"):
        build_database(db, fixture_release(tmp_path / "again"))
    assert db.read_bytes() == before
