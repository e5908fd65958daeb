"""The build reads every other system's files and the vocabularies' own files in a worker process while it reads
ICD-10-CM: the same database as read in one process, and a worker's error fails the build as it would here."""

from __future__ import annotations

import pickle
import shutil
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from medcodes import build as building
from medcodes.errors import BuildError, DatabaseMissing, SourceError, SourceMissing
from tests.helpers import FIXTURES, fixture_release

VOCAB = FIXTURES / "vocab"
T = TypeVar("T")


def _release(folder: Path) -> Path:
    """ICD-10-CM, HCPCS and the vocabularies' own files: something to read beside ICD-10-CM."""
    fixture_release(folder)
    shutil.copy(FIXTURES / "hcpcs" / "anweb_sample.txt", folder / "HCPC2026_JAN_ANWEB.txt")
    for name in ("doid_sample.json", "ICD10inDO_sample.tsv", "medical_abbreviations_sample.csv"):
        shutil.copy(VOCAB / name, folder / name)
    return folder


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """What a build stored, but the times it was stored at."""
    with sqlite3.connect(db) as connection:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in (
                "concepts",
                "designations",
                "notes",
                "properties",
                "relations",
                "history",
                "priors",
                "rewrites",
                "definitions",
                "blobs",
            )
        }


def test_reading_beside_builds_the_database_read_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _release(tmp_path / "release")
    here = building.build(tmp_path / "here.db", folder)
    monkeypatch.setattr(building, "BESIDE_BYTES", 0)  # a worker, however small the files

    submitted: list[str] = []

    class Pool(ProcessPoolExecutor):
        def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
            submitted.append(fn.__name__)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(building, "ProcessPoolExecutor", Pool)
    beside = building.build(tmp_path / "beside.db", folder)
    assert submitted == ["_others_stored"]
    # The worker stored HCPCS in a database of its own, merged after ICD-10-CM: numbered as if stored here.
    assert beside.systems == here.systems
    assert {s.system.value for s in beside.systems} >= {"icd10cm", "hcpcs"}
    assert [v.name for v in beside.vocabularies] == [v.name for v in here.vocabularies]
    assert beside.links == here.links
    rows = _rows(tmp_path / "beside.db")
    assert rows == _rows(tmp_path / "here.db")
    assert rows["properties"] and rows["history"]  # HCPCS's, merged


def test_an_error_in_the_worker_fails_the_build_and_keeps_the_old_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "m.db"
    building.build(db, fixture_release(tmp_path / "good"))
    before = db.read_bytes()
    bad = _release(tmp_path / "bad")
    shutil.copy(FIXTURES / "hcpcs" / "anweb_malformed.txt", bad / "HCPC2026_JAN_ANWEB.txt")
    with pytest.raises(SourceError) as here:
        building.build(db, bad)
    monkeypatch.setattr(building, "BESIDE_BYTES", 0)
    with pytest.raises(SourceError) as beside:
        building.build(db, bad)
    said = [(str(e.value), e.value.path, e.value.line) for e in (here, beside)]
    assert said[0] == said[1]
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".m.db.building-*"))


@pytest.mark.parametrize(
    "error",
    [SourceError("/data/x.txt", 3, "a short line"), SourceMissing("/data", "gone"), BuildError("disk full")],
)
def test_an_error_crosses_processes_whole(error: Exception) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (str(copy), copy.__dict__) == (str(error), error.__dict__)


def test_an_error_keeps_its_hint_across_processes() -> None:
    copy = pickle.loads(pickle.dumps(DatabaseMissing("/srv/m.db")))
    assert copy.hint == DatabaseMissing("/srv/m.db").hint
