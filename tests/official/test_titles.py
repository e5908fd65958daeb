"""ICD-11 MMS, ICD-9-CM and MS-DRG: every code and title against the WHO, CMS files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from . import parse
from .conftest import checked


def _titles(db: sqlite3.Connection, system: str, where: str = "") -> dict[str, str]:
    return dict(db.execute(f"SELECT code, title FROM concepts WHERE system = ?{where}", (system,)).fetchall())


def test_every_icd11_entry_of_the_simple_tabulation(db: sqlite3.Connection, data: Path) -> None:
    expected = parse.icd11_titles(data / parse.ICD11_TABULATION)
    assert _titles(db, "icd11") == expected
    checked("ICD-11 MMS chapters, blocks and codes: code and title (WHO simple tabulation)", len(expected))


def test_every_icd9cm_code_of_the_v32_master_descriptions(db: sqlite3.Connection, data: Path) -> None:
    expected = parse.icd9_titles(data / parse.ICD9_ZIP)
    assert _titles(db, "icd9cm", " AND billable = 1") == expected
    checked("ICD-9-CM diagnosis and procedure codes: code and long title (CMS v32)", len(expected))


def test_every_msdrg_of_appendix_a(db: sqlite3.Connection, data: Path) -> None:
    expected = parse.drg_titles(data / parse.DRG_APPENDIX)
    rows = db.execute("SELECT code, title, parent FROM concepts WHERE system = 'msdrg' AND kind = 'code'")
    stored = {code: ((parent or "").removeprefix("MDC"), title) for code, title, parent in rows}
    assert stored == expected
    checked("MS-DRGs: number, MDC and title (CMS Definitions Manual appendix A)", len(expected))
