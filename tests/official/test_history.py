"""ICD-10-CM history: the CMS order-file addenda and the CDC conversion table, event by event, with direction."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest

from . import parse
from .conftest import checked

FY2026 = dt.date(2025, 10, 1)
_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$")


@pytest.fixture(scope="module")
def order(data: Path) -> dict[str, parse.OrderLine]:
    return parse.order_file(data / parse.CM_ZIP, "icd10cm_order_2026.txt")


def _events(db: sqlite3.Connection) -> dict[tuple[str, str, str | None], tuple[str | None, str | None, str]]:
    rows = db.execute(
        "SELECT code, kind, effective, old_title, new_title, replaced_by FROM history WHERE system = 'icd10cm'"
    )
    return {(code, kind, effective): (old, new, replaced) for code, kind, effective, old, new, replaced in rows}


def test_every_addenda_line_is_an_event(db: sqlite3.Connection, data: Path) -> None:
    """Add -> added; Delete of a code added back as a header -> expanded; other Delete -> deleted;
    Revise from/to -> revised, with both long titles."""
    lines = parse.addenda(data / parse.CM_ZIP, "icd10cm_order_addenda_2026.txt")
    events = _events(db)
    day = FY2026.isoformat()
    added = {a.code: a for a in lines if a.action == "Add:"}
    for index, line in enumerate(lines):
        if line.action == "Add:":
            deleted = next((d for d in lines if d.action == "Delete:" and d.code == line.code), None)
            if deleted is not None and deleted.billable and not line.billable:
                continue  # the expansion of a valid code into a header: its Delete line tells it
            assert events[(line.code, "added", day)][1] == line.long, line
        elif line.action == "Delete:":
            back = added.get(line.code)
            kind = "expanded" if back is not None and line.billable and not back.billable else "deleted"
            assert events[(line.code, kind, day)][0] == line.long, line
        elif line.action == "Revise from:":
            after = lines[index + 1]
            assert events[(line.code, "revised", day)][:2] == (line.long, after.long), line
    revisions = sum(line.action == "Revise from:" for line in lines)
    assert revisions == 45
    checked("ICD-10-CM addenda FY2026 lines: added, expanded, deleted, revised (45) with titles", len(lines))


def test_every_conversion_row_runs_from_the_previous_code_to_the_new_one(
    db: sqlite3.Connection, data: Path, order: dict[str, parse.OrderLine]
) -> None:
    """Each new code is added on its date; each previous code the row names (as a plain code) is linked to
    it from the previous side: "previous_code_of" where the previous code is still in the release,
    "replaced_by" where it is gone, and never the other way round."""
    rows = parse.conversion_table(data / parse.CM_CONVERSION)
    events = _events(db)
    links = {
        (source, target): (kind, flags)
        for source, target, kind, flags in db.execute(
            "SELECT source_code, target_code, kind, flags FROM relations WHERE source = 'cdc-conversion-2026'"
        )
    }
    compared = 0
    for row in rows:
        assert (row.code, "added", row.effective.isoformat()) in events, row
        for part in re.split(r"\s*(?:,|;|&|\band\b)\s*", row.previous, flags=re.I):
            if not _CODE.match(part.strip().upper()):
                continue  # ranges, categories in words, "None": not one code
            previous = parse.dot(part.strip().upper().replace(".", ""))
            kind, flags = links[(previous, row.code)]
            assert kind == ("previous_code_of" if previous in order else "replaced_by"), (previous, row.code)
            assert f"effective {row.effective.isoformat()}" in flags.split("|")
            assert (row.code, previous) not in links
            compared += 1
    checked("CDC conversion table rows: new code added on its date", len(rows))
    checked("CDC conversion table previous codes: linked previous -> new, kind by presence in FY2026", compared)


def test_codes_still_in_the_release_are_never_deleted(
    db: sqlite3.Connection, order: dict[str, parse.OrderLine]
) -> None:
    """A code of the current order file may have been expanded into subcodes (it is a header now), never deleted;
    every code said to be expanded is a header now, and its subcodes extend it."""
    events = _events(db)
    deleted = {code for code, kind, _ in events if kind == "deleted"}
    expanded = {(code, replaced) for (code, kind, _), (_, _, replaced) in events.items() if kind == "expanded"}
    assert not deleted & set(order)
    for code, subcodes in expanded:
        assert not order[code].billable, code
        assert subcodes and all(s.replace(".", "").startswith(code.replace(".", "")) for s in subcodes.split("|"))
    checked("ICD-10-CM codes expanded into subcodes (headers now, never 'deleted')", len(expanded))
    checked("ICD-10-CM codes deleted (none in the FY2026 order file)", len(deleted))
