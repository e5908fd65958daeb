"""The ICD-10-CM order-file addenda: the additions, deletions and title revisions of a fiscal year, and the history
events they give."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import HistoryEvent, HistoryKind
from medcodes.sources.files import text_lines
from medcodes.sources.history_codes import CODE, SYSTEM, extending, with_dot


# --- the order-file addenda ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AddendaEntry:
    """One line of the addenda: what happened, the valid-code flag, the code and its titles."""

    line: int
    action: str  # "Add:", "Delete:", "Revise from:", "Revise to:"
    billable: bool
    code: str  # canonical, with dot
    short_title: str
    long_title: str


_ACTIONS = ("Add:", "Delete:", "Revise from:", "Revise to:")
_SUMMARY_COUNT = re.compile(r"^\s*(\d+) (additions|deletions|revisions)\s*$")


def read_addenda(path: Path, member: str | None = None) -> tuple[AddendaEntry, ...]:
    """Read the CMS order-file addenda and check it against the counts in its closing summary.

    Layout: the action in columns 1-13 ("Add:", "Delete:", "Revise from:", "Revise to:"), then the order
    file's fields without the order number: column 14 the valid-code flag (1 = valid for HIPAA
    transactions, 0 = header), 16-22 the code without dot, 24-83 the short title, 85 on the long title.
    After a blank line a summary counts additions, deletions and revisions of "Headers" and of "Codes";
    a file without it is truncated.
    """
    where = f"{path}!{member}" if member else str(path)
    entries: list[AddendaEntry] = []
    summary: dict[tuple[str, str], int] = {}
    section: str | None = None
    last = 0
    for number, line in text_lines(path, member):
        last = number
        if not line.strip():
            continue
        action = line[:13].strip()
        if action in _ACTIONS and section is None:
            entries.append(_addenda_entry(where, number, action, line))
            continue
        if line.strip() in ("Headers", "Codes"):
            section = line.strip()
            continue
        count = _SUMMARY_COUNT.match(line)
        if section is not None:
            if count:
                summary[(section, count.group(2))] = int(count.group(1))
            continue
        raise SourceError(where, number, "expected an addenda line (Add:, Delete:, Revise from:, Revise to:)")
    _check_summary(where, last, entries, summary)
    return tuple(entries)


def _addenda_entry(where: str, number: int, action: str, line: str) -> AddendaEntry:
    if len(line) < 85 or line[13] not in "01" or line[14] != " " or line[22] != " " or line[83] != " ":
        raise SourceError(
            where, number, "not an addenda line (expected: action, 0/1 flag, code, short title, long title)"
        )
    code = line[15:22].strip()
    if not CODE.match(code):
        raise SourceError(where, number, f"{code!r} is not an ICD-10-CM code")
    return AddendaEntry(number, action, line[13] == "1", with_dot(code), line[23:83].strip(), line[84:].strip())


def _check_summary(
    where: str, last: int, entries: Sequence[AddendaEntry], summary: Mapping[tuple[str, str], int]
) -> None:
    expected = {(s, w) for s in ("Headers", "Codes") for w in ("additions", "deletions", "revisions")}
    if not expected <= summary.keys():
        raise SourceError(where, last, "no summary of Headers and Codes counts at the end: the file is truncated")
    for section, billable in (("Headers", False), ("Codes", True)):
        listed = {
            "additions": sum(e.action == "Add:" and e.billable is billable for e in entries),
            "deletions": sum(e.action == "Delete:" and e.billable is billable for e in entries),
            "revisions": sum(e.action == "Revise to:" and e.billable is billable for e in entries),
        }
        for word, count in listed.items():
            if summary[(section, word)] != count:
                stated = summary[(section, word)]
                raise SourceError(
                    where, last, f"the summary counts {stated} {word} of {section.lower()}, the file lists {count}"
                )


def addenda_events(
    entries: Sequence[AddendaEntry], release: str, effective: dt.date | None, where: str
) -> list[HistoryEvent]:
    """The history events of one addenda file, in file order (see the module docstring for subdivisions)."""
    added = {e.code: e for e in entries if e.action == "Add:"}
    deleted = {e.code: e for e in entries if e.action == "Delete:"}
    new_codes = [e.code for e in entries if e.action == "Add:" and e.billable]
    events: list[HistoryEvent] = []
    for index, entry in enumerate(entries):
        if entry.action == "Add:":
            gone = deleted.get(entry.code)
            if gone is not None and gone.billable and not entry.billable:
                continue  # a subdivided code: its EXPANDED event tells it
            events.append(
                HistoryEvent(SYSTEM, entry.code, HistoryKind.ADDED, release, effective, None, entry.long_title)
            )
        elif entry.action == "Delete:":
            back = added.get(entry.code)
            if back is not None and back.billable and not entry.billable:
                continue  # a header made a valid code: its ADDED event tells it
            # A valid code deleted and added back as a header was expanded into subcodes, not deleted.
            expanded = back is not None and entry.billable and not back.billable
            events.append(
                HistoryEvent(
                    SYSTEM,
                    entry.code,
                    HistoryKind.EXPANDED if expanded else HistoryKind.DELETED,
                    release,
                    effective,
                    entry.long_title,
                    None,
                    extending(entry.code, new_codes),
                )
            )
        elif entry.action == "Revise from:":
            after = entries[index + 1] if index + 1 < len(entries) else None
            if after is None or after.action != "Revise to:" or after.code != entry.code:
                raise SourceError(where, entry.line, f"'Revise from:' {entry.code} without its 'Revise to:' line")
            # Long titles where they changed; a revision of the short title only shows the short titles.
            old, new = entry.long_title, after.long_title
            if old == new:
                old, new = entry.short_title, after.short_title
            events.append(HistoryEvent(SYSTEM, entry.code, HistoryKind.REVISED, release, effective, old, new))
        elif index == 0 or entries[index - 1].action != "Revise from:":
            raise SourceError(where, entry.line, f"'Revise to:' {entry.code} without its 'Revise from:' line")
    return events


def headers_added(entries: Sequence[AddendaEntry]) -> list[str]:
    """Headers an addenda file adds that were not valid codes before (not subdivided codes)."""
    was_valid = {e.code for e in entries if e.action == "Delete:" and e.billable}
    return [e.code for e in entries if e.action == "Add:" and not e.billable and e.code not in was_valid]
