"""ICD-10-PCS: every code, title and axis against the CMS tables XML and order file, as shown everywhere."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medcodes.models import Concept, ConceptKind
from medcodes.service import CodeService
from medcodes.systems import SystemId

from ..test_web_support import read
from . import parse
from .conftest import checked

# A deterministic sample for the JSON API (every n-th code) and the HTML page (every m-th), in code order.
API_STEP = 157
PAGE_STEP = 2_503


@pytest.fixture(scope="module")
def tables(data: Path) -> tuple[dict[str, parse.PcsCode], dict[str, str]]:
    return parse.pcs_tables(data / parse.PCS_TABLES)


@pytest.fixture(scope="module")
def codes(tables: tuple[dict[str, parse.PcsCode], dict[str, str]]) -> dict[str, parse.PcsCode]:
    return tables[0]


@pytest.fixture(scope="module")
def client(full_client: TestClient) -> TestClient:
    return full_client


def test_every_code_and_title_is_the_tables_and_the_order_files(
    db: sqlite3.Connection, data: Path, tables: tuple[dict[str, parse.PcsCode], dict[str, str]]
) -> None:
    codes, headers = tables
    order = parse.order_file(data / parse.PCS_ZIP, "icd10pcs_order_2026.txt")
    stored = {
        code: (kind, title, billable, parent)
        for code, kind, title, billable, parent in db.execute(
            "SELECT code, kind, title, billable, parent FROM concepts WHERE system = 'icd10pcs'"
        )
    }
    assert {c for c, v in stored.items() if v[0] == "code"} == set(codes) == {c for c, o in order.items() if o.billable}
    assert {c: v[1] for c, v in stored.items() if len(c) >= 3} == {c: o.long for c, o in order.items()}
    # Sections G and H have no body system (value Z, "None"): medcodes names it by its section.
    named = {c: headers[c[0]] if len(c) == 2 and t == "None" else t for c, t in headers.items()}
    assert {c: v[1] for c, v in stored.items() if len(c) < 3} == named
    assert all(v[2] for c, v in stored.items() if v[0] == "code")
    assert {c: v[3] for c, v in stored.items() if v[0] == "code"} == {c: p.table for c, p in codes.items()}
    checked("ICD-10-PCS codes: code, title, table (CMS tables XML and order file)", len(codes))
    checked("ICD-10-PCS tables, body systems and sections: title", len(stored) - len(codes))


def test_every_codes_axes_are_its_table_rows(db: sqlite3.Connection, codes: dict[str, parse.PcsCode]) -> None:
    """The properties each code carries (what `show --json` prints): value and label of its own row."""
    stored: dict[str, list[tuple[str, str | None]]] = {}
    for code, value, label in db.execute(
        "SELECT c.code, p.value, p.label FROM properties p JOIN concepts c ON c.id = p.concept_id"
        " WHERE c.system = 'icd10pcs' AND c.kind = 'code' ORDER BY p.id"
    ):
        stored.setdefault(code, []).append((value, label))
    assert stored == {code: [(v, label) for _, v, label in p.axes] for code, p in codes.items()}
    checked("ICD-10-PCS code properties: value and label of each character (tables XML)", 7 * len(codes))


def test_every_codes_axes_as_the_service_gives_them(
    db: sqlite3.Connection, service: CodeService, codes: dict[str, parse.PcsCode]
) -> None:
    """What the code page, the API and the explainer show: `CodeService.axes` for every code."""
    rows = db.execute(
        "SELECT code, title, parent, seq FROM concepts WHERE system = 'icd10pcs' AND kind = 'code' ORDER BY seq"
    )
    compared = 0
    for code, title, parent, seq in rows:
        concept = Concept(SystemId.ICD10PCS, code, title, ConceptKind.CODE, True, parent, None, 3, seq)
        shown = [(t, p.value, p.label) for t, p in service.axes(concept)]
        assert shown == list(codes[code].axes), code
        compared += 1
    assert compared == len(codes)
    checked("ICD-10-PCS codes: axis title, value and label of each character in CodeService.axes", 7 * compared)


def test_axes_in_the_api_for_a_sample(client: TestClient, codes: dict[str, parse.PcsCode]) -> None:
    sample = [*sorted(codes)[::API_STEP], "XW023W7", "3E01340", "XNS4032"]
    for code in sample:
        axes = client.get(f"/api/v1/codes/icd10pcs/{code}").json()["axes"]
        assert [(a["title"], a["value"], a["label"]) for a in axes] == list(codes[code].axes), code
    checked(f"ICD-10-PCS codes: axes in the JSON API (every {API_STEP}th code)", len(sample))


def test_axes_on_the_page_for_a_sample(client: TestClient, codes: dict[str, parse.PcsCode]) -> None:
    sample = [*sorted(codes)[::PAGE_STEP], "XW023W7", "3E01340", "XNS4032"]
    for code in sample:
        shown = read(client.get(f"/code/icd10pcs/{code}", follow_redirects=True).text).text("axes")
        for position, (title, value, label) in enumerate(codes[code].axes, start=1):
            assert f"{position} {title} {value} {label}" in shown, (code, position)
    checked(f"ICD-10-PCS codes: axes on the code page (every {PAGE_STEP}th code)", len(sample))
