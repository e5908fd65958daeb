"""HCPCS Level II: every code and modifier, its descriptions and every indicator against the CMS alpha-numeric file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from . import parse
from .conftest import checked

EFFECTIVE = dt.date(2019, 1, 1)  # the annual file takes effect on January 1 of its year


@pytest.fixture(scope="module")
def records(data: Path) -> dict[str, parse.HcpcsRecord]:
    return parse.hcpcs(data / parse.HCPCS_ZIP)


def test_every_code_and_description_is_the_files(db: sqlite3.Connection, records: dict[str, parse.HcpcsRecord]) -> None:
    stored = {
        code: (kind, title, short, billable)
        for code, kind, title, short, billable in db.execute(
            "SELECT code, kind, title, short_title, billable FROM concepts WHERE system = 'hcpcs'"
            " AND kind IN ('code', 'modifier')"
        )
    }
    assert set(stored) == set(records)
    assert {c: v[0] == "modifier" for c, v in stored.items()} == {c: r.modifier for c, r in records.items()}
    assert {c: v[1] for c, v in stored.items()} == {c: r.long for c, r in records.items()}
    assert {c: v[2] for c, v in stored.items()} == {c: r.short or None for c, r in records.items()}
    # Field 29, the termination date, is the last day a code may be used: a code ended before the file's year
    # is kept for older claims but is not valid now.
    ended = {c: r.fields["termination_date"] for c, r in records.items()}
    assert {c: bool(v[3]) for c, v in stored.items()} == {
        c: not (e and dt.datetime.strptime(e[0], "%Y%m%d").date() < EFFECTIVE) for c, e in ended.items()
    }
    checked("HCPCS codes and modifiers: code, long and short description, valid or terminated", len(records))


def test_every_indicator_is_the_files(db: sqlite3.Connection, records: dict[str, parse.HcpcsRecord]) -> None:
    stored: dict[str, Counter[tuple[str, str]]] = {}
    for code, name, value in db.execute(
        "SELECT c.code, p.name, p.value FROM properties p JOIN concepts c ON c.id = p.concept_id"
        " WHERE c.system = 'hcpcs'"
    ):
        stored.setdefault(code, Counter())[(name.removeprefix("hcpcs."), value)] += 1
    expected: dict[str, Counter[tuple[str, str]]] = {}
    for code, record in records.items():
        fields = dict(record.fields)
        # Level II codes carry anesthesia base units 000 (anesthesia is priced under CPT): no fact.
        fields["anesthesia_base_units"] = [v for v in fields["anesthesia_base_units"] if v.strip("0")]
        found = Counter((name, value) for name, values in fields.items() for value in values)
        if found:
            expected[code] = found
    assert stored == expected
    checked(
        "HCPCS indicators (pricing, coverage, manuals, BETOS, dates, action, ...) of every record",
        sum(sum(c.values()) for c in expected.values()),
    )
