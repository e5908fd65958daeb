"""Shared test set-up: a database built from the hand-written fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

from medcodes.service import build_database

FIXTURES = Path(__file__).parent / "data"


def fixture_release(folder: Path) -> Path:
    """A folder holding the ICD-10-CM fixtures, laid out like a release folder."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "icd10cm" / "tabular_sample.xml", folder / "icd10cm_tabular_2026.xml")
    shutil.copy(FIXTURES / "icd10cm" / "order_sample.txt", folder / "icd10cm_order_2026.txt")
    index = FIXTURES / "icd10cm" / "index_sample.xml"
    if index.exists():
        shutil.copy(index, folder / "icd10cm_index_2026.xml")
    return folder


def fixture_db(tmp: Path) -> Path:
    db = tmp / "fixture.db"
    build_database(db, fixture_release(tmp / "release"))
    return db
