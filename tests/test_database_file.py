"""The database file: served from read-only volumes, named when damaged, stamped by its build, and what a
killed build leaves behind removed by the next one."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from medcodes.build import UNPACK_PREFIX, remove_leftovers
from medcodes.cli import main
from medcodes.errors import BuildError, DatabaseDamaged, DatabaseMissing, DatabaseUnreadable
from medcodes.explain.store import ExplainerStore
from medcodes.search.index import INDEX_VERSION
from medcodes.service import CodeService, build_database
from medcodes.store import scratch
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

from .helpers import fixture_db, fixture_release


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_db(tmp_path_factory.mktemp("built"))


def copy_of(db: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(db, folder / "copy.db"))


# ---------------------------------------------------------------------------------------------- read-only
def test_a_built_database_uses_a_rollback_journal(built: Path) -> None:
    # File format, offsets 18 and 19: 1 is the rollback journal, 2 WAL (which needs a -shm file to be read).
    assert built.read_bytes()[18:20] == b"\x01\x01"


def test_reading_a_database_writes_nothing_beside_it(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path / "volume")
    service = CodeService.at(db)
    assert service.search("diabetes", limit=3).hits
    assert service.show("E11.9").concept.code == "E11.9"
    service.close()
    assert [p.name for p in db.parent.iterdir()] == ["copy.db"]


def _in_read_only_mount(script: str, db: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (sh) in a private mount namespace where ro/ is a read-only tmpfs holding ``db`` (as
    medcodes.db) and an explainers.db as `medcodes explain` writes it (WAL)."""
    mount = tmp_path / "ro"
    mount.mkdir()
    explainers = ExplainerStore.open(tmp_path / "explainers.db")
    explainers.close()
    setup = (
        f"mount -t tmpfs -o size=64m tmpfs {mount} && cp {db} {mount}/medcodes.db"
        f" && cp {tmp_path}/explainers.db {mount}/explainers.db"
        f" && mount -o remount,ro {mount} && touch {mount}/probe 2>/dev/null; test ! -e {mount}/probe"
    )
    command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", f"{setup} || exit 99; {script}"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except FileNotFoundError:
        pytest.skip("needs unshare(1) to make a read-only mount")
    if done.returncode == 99 or "unshare failed" in done.stderr or "Operation not permitted" in done.stderr:
        pytest.skip(f"cannot make a read-only mount here (needs root): {done.stderr.strip()[:200]}")
    return done


_SERVE_A_PAGE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from fastapi.testclient import TestClient
    from medcodes.config import ServeSettings, Settings
    from medcodes.web.server import Site

    with TestClient(Site.of(Settings.from_env(db=sys.argv[1]), ServeSettings(workers=1))()) as client:
        print(client.get("/code/icd10cm/E11.9", follow_redirects=True).status_code)
    """
)


def test_a_database_on_a_read_only_volume_is_served(built: Path, tmp_path: Path) -> None:
    medcodes = f"{sys.executable} -m medcodes.cli"
    db = tmp_path / "ro" / "medcodes.db"
    page = f"{sys.executable} -c '{_SERVE_A_PAGE}' {db}"
    done = _in_read_only_mount(f"{medcodes} search diabetes --json --db {db} && {page}", built, tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"code": "E11.9"' in done.stdout
    assert done.stdout.splitlines()[-1] == "200"  # a code page, which reads the explainers database beside it


def test_build_on_a_read_only_volume_says_why_without_a_traceback(built: Path, tmp_path: Path) -> None:
    medcodes = f"{sys.executable} -m medcodes.cli"
    release = fixture_release(tmp_path / "release")
    done = _in_read_only_mount(f"{medcodes} build --from {release} --db {tmp_path}/ro/medcodes.db", built, tmp_path)
    assert done.returncode == 1
    assert "Read-only file system" in done.stderr
    assert "Traceback" not in done.stderr


def test_build_where_no_folder_can_be_made_names_the_cause(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(BuildError, match=r"cannot write a new database in .*a-file: it is a file, not a folder"):
        build_database(tmp_path / "a-file" / "m.db", fixture_release(tmp_path / "release"))


# ---------------------------------------------------------------------------------------------- damage
def test_an_empty_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "m.db").write_bytes(b"")
    with pytest.raises(DatabaseDamaged, match="the file is empty"):
        SQLiteStore.open(tmp_path / "m.db")


def test_a_file_of_other_bytes_is_named(tmp_path: Path) -> None:
    (tmp_path / "m.db").write_bytes(os.urandom(8192))
    with pytest.raises(DatabaseDamaged, match="not an SQLite database"):
        SQLiteStore.open(tmp_path / "m.db")


def test_a_truncated_database_is_named(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path)
    with db.open("r+b") as file:
        file.truncate(db.stat().st_size // 2)
    with pytest.raises(DatabaseDamaged, match="cut short"):
        SQLiteStore.open(db)


def test_another_programs_sqlite_file_is_named(tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "m.db")
    other.execute("CREATE TABLE notes (text TEXT)")
    other.commit()
    other.close()
    with pytest.raises(DatabaseDamaged, match="no medcodes tables"):
        SQLiteStore.open(tmp_path / "m.db")


def test_a_folder_is_no_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnreadable, match="it is a folder"):
        SQLiteStore.open(tmp_path)


def test_a_missing_file_still_says_build_first(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissing, match="No medcodes database"):
        SQLiteStore.open(tmp_path / "absent.db")


def _overwrite_table(db: Path, table: str) -> None:
    """Random bytes over the first page of ``table``, as a failing disk or a bad copy would leave them."""
    connection = sqlite3.connect(db)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    (root,) = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    connection.close()
    with db.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(os.urandom(page_size))


def test_random_bytes_inside_a_table_are_named_when_read(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path)
    _overwrite_table(db, "notes")
    service = CodeService.at(db)
    with pytest.raises(DatabaseDamaged, match="is damaged"):
        service.show("E11.9")
    service.close()


def test_a_garbled_search_index_is_named_not_decoded(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path)
    connection = sqlite3.connect(db)
    name = f"{INDEX_VERSION}/vocabulary"
    (size,) = connection.execute("SELECT length(data) FROM blobs WHERE name = ?", (name,)).fetchone()
    connection.execute("UPDATE blobs SET data = ? WHERE name = ?", (b"\xff\xfe" * size, name))
    connection.commit()
    connection.close()
    service = CodeService.at(db)
    with pytest.raises(DatabaseDamaged, match=f"'{INDEX_VERSION}/vocabulary' does not match its checksum"):
        service.search("diabetes")
    service.close()


def test_the_cli_names_a_damaged_database_without_a_traceback(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path)
    _overwrite_table(db, "concepts")
    result = CliRunner().invoke(main, ["show", "E11.9", "--db", str(db)])
    assert result.exit_code == 1
    assert "is damaged" in result.stderr
    assert "medcodes build" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


# ---------------------------------------------------------------------------------------------- stamp, counts
def test_each_build_stamps_its_release(tmp_path: Path) -> None:
    release = fixture_release(tmp_path / "release")
    stamps = []
    for _ in range(2):
        build_database(tmp_path / "m.db", release)
        store = SQLiteStore.open(tmp_path / "m.db")
        stamps.append(store.stamp())
        store.close()
    assert all(s is not None and re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", s.release) for s in stamps)
    assert stamps[0] != stamps[1]


def test_counts_are_read_from_what_the_build_counted(built: Path) -> None:
    store = SQLiteStore.open(built)
    rows = store.connection.execute("SELECT system, billable FROM system_counts").fetchall()
    assert rows == [("icd10cm", 13)]
    assert store.counts()[SystemId.ICD10CM]["billable"] == 13
    store.close()


# ---------------------------------------------------------------------------------------------- leftovers
_KILLED_BUILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from medcodes.service import build_database

    def stop_at_the_index(step, done, total):
        if step == "full-text index":
            print("writing", flush=True)
            time.sleep(600)

    build_database(Path(sys.argv[1]), Path(sys.argv[2]), stop_at_the_index)
    """
)


def _zipped_release(folder: Path) -> Path:
    """The fixture release with its tabular list inside a zip, which a build unpacks into a scratch folder."""
    release = fixture_release(folder)
    tabular = release / "icd10cm_tabular_2026.xml"
    shutil.make_archive(str(release / "icd10cm_2026_tabular"), "zip", release, tabular.name)
    tabular.unlink()
    return release


def _unpack_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob(f"{UNPACK_PREFIX}*"))


def _age(path: Path) -> None:
    """Backdate a leftover past the instant in which a fresh scratch name may not be claimed yet."""
    old = time.time() - 3600
    os.utime(path, (old, old))


def test_a_killed_build_leaves_scratch_that_the_next_build_removes(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    release = _zipped_release(tmp_path / "release")
    before = _unpack_folders()
    command = [sys.executable, "-c", _KILLED_BUILD, str(db), str(release)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as killed:
        try:
            assert killed.stdout is not None and killed.stdout.readline().strip() == "writing"
        finally:
            killed.kill()
    left = [*tmp_path.glob(".m.db.building-*"), *(_unpack_folders() - before)]
    assert len(left) == 2, left
    assert sum(p.stat().st_size for p in left if p.is_file()) > 0
    for path in left:
        _age(path)

    build_database(db, release)

    assert [p for p in left if p.exists()] == []
    assert SQLiteStore.open(db).stamp() is not None


def test_scratch_that_a_live_process_holds_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    working = tmp_path / ".m.db.building-1"
    abandoned = tmp_path / ".m.db.building-2"
    working.write_bytes(b"half a database")
    abandoned.write_bytes(b"what a killed build left")
    unrelated = tmp_path / "m.db.backup"
    unrelated.write_bytes(b"not ours")
    for path in (working, abandoned, unrelated):
        _age(path)
    held = scratch.claim(working)
    try:
        removed = remove_leftovers(db)
    finally:
        held.release()
    assert abandoned in removed
    assert (working.exists(), abandoned.exists(), unrelated.exists()) == (True, False, True)


def test_a_fresh_scratch_name_is_not_taken_for_a_leftover(tmp_path: Path) -> None:
    fresh = tmp_path / ".m.db.building-3"
    fresh.write_bytes(b"")
    assert fresh not in remove_leftovers(tmp_path / "m.db")
    assert fresh.exists()
