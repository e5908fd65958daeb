"""ICD-10-CM code history: the CMS order-file addenda, the CDC conversion table, and a diff of two releases.

What an event means. CMS counts "codes" (valid for HIPAA transactions) apart from "headers" in its
addenda. A code that CMS subdivides appears there as ``Delete: 1 B880`` followed by ``Add: 0 B880``: it
stops being a valid code and stays as a header of its new subcodes. medcodes records that as one EXPANDED
event whose ``replaced_by`` are the new subcodes, and no ADDED event (the header is not a new code); the
code is not deleted, it still exists. A code that leaves the classification is DELETED. A header that
becomes a valid code again is ADDED. ``diff()`` follows the same rule from the billable flags of two
releases.

Direction. The CDC conversion table lists each new code with its "Previous Code(s) Assignment": the code(s)
used before it existed. A previous code that is gone is REPLACED_BY the new code; one that is still there
(a valid code, or a header after its expansion) is the PREVIOUS_CODE_OF the new code. Both relations run
from the older code to the newer one.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Collection, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from medcodes.models import Concept, HistoryEvent, HistoryKind, Relation, SourceFile
from medcodes.sources.files import source_file
from medcodes.sources.history_addenda import AddendaEntry, addenda_events, headers_added, read_addenda
from medcodes.sources.history_codes import SYSTEM, extending, fiscal_year
from medcodes.sources.history_conversion import Conversion, conversion_history, previous_codes, read_conversion
from medcodes.sources.kinds import FileKind, FoundFile, effective_date
from medcodes.systems import SystemId

# The history of ICD-10-CM: this module finds and loads the files (the source contract); the addenda and the
# conversion table are read in their own modules, whose readers are named here too.
__all__ = [
    "AddendaEntry",
    "Conversion",
    "History",
    "addenda_events",
    "conversion_history",
    "diff",
    "effective_date",
    "fiscal_year",
    "load",
    "previous_codes",
    "read_addenda",
    "read_conversion",
    "sniff",
]


@dataclass(frozen=True, slots=True)
class History:
    """Code history read from official files: events, the relations they imply, and what was doubtful."""

    system: SystemId
    events: tuple[HistoryEvent, ...]
    relations: tuple[Relation, ...]
    files: tuple[SourceFile, ...]
    warnings: tuple[str, ...] = ()


_ADDENDA_NAME = re.compile(r"icd10cm[_-]order[_-]addenda[_-].*?(\d{4}).*?\.txt(?:\.gz)?", re.I)
_CONVERSION_NAME = re.compile(r".*conversion.*table.*\.xlsx", re.I)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _where(found: FoundFile) -> str:
    return f"{found.path}!{found.member}" if found.member else str(found.path)


def _name(found: FoundFile) -> str:
    return f"{found.path.name}!{found.member}" if found.member else found.path.name


# --- finding the files ---------------------------------------------------------------------------------
def sniff(path: Path, head: bytes) -> FoundFile | None:
    """The CMS order-file addenda (plain, .gz, or inside the CMS zip) or the CDC conversion table (.xlsx)."""
    name = path.name
    lower = name.lower()
    if lower.endswith(".xlsx"):
        if not _CONVERSION_NAME.fullmatch(name) or not head.startswith(b"PK"):
            return None
        year = _YEAR.search(name)
        return FoundFile(FileKind.ICD10CM_CONVERSION, path, year.group(1) if year else None)
    if lower.endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (OSError, zipfile.BadZipFile):
            return None
        for member in names:
            match = _ADDENDA_NAME.fullmatch(PurePosixPath(member).name)
            if match:
                return FoundFile(FileKind.ICD10CM_ADDENDA, path, match.group(1), member)
        return None
    match = _ADDENDA_NAME.fullmatch(name)
    if match is None or not head.lstrip().startswith((b"Add:", b"Delete:", b"Revise")):
        return None
    return FoundFile(FileKind.ICD10CM_ADDENDA, path, match.group(1))


def diff(
    old: Iterable[Concept], new: Iterable[Concept], system: SystemId, release: str, effective: dt.date | None
) -> tuple[HistoryEvent, ...]:
    """The changes from one release's concepts to the next: codes added, deleted, expanded and retitled.

    A billable code that stays as a header is EXPANDED (into its new billable subcodes); one that is gone is
    DELETED (replaced by its new billable subcodes, if any); one that becomes billable is ADDED. Events come
    sorted by code.
    """
    before = {c.code: c for c in old if c.system is system}
    after = {c.code: c for c in new if c.system is system}
    fresh = [code for code, c in after.items() if c.billable and not (code in before and before[code].billable)]
    events: list[HistoryEvent] = []
    for code in sorted(before.keys() | after.keys()):
        was, now = before.get(code), after.get(code)
        if was is not None and (now is None or (was.billable and not now.billable)):
            replaced = extending(code, fresh)
            kind = HistoryKind.DELETED if now is None else HistoryKind.EXPANDED
            events.append(HistoryEvent(system, code, kind, release, effective, was.title, None, replaced))
        elif now is not None and (was is None or (now.billable and not was.billable)):
            events.append(HistoryEvent(system, code, HistoryKind.ADDED, release, effective, None, now.title))
        elif was is not None and now is not None and was.title != now.title:
            events.append(HistoryEvent(system, code, HistoryKind.REVISED, release, effective, was.title, now.title))
    return tuple(events)


# --- load ----------------------------------------------------------------------------------------------
def _merge(events: Iterable[HistoryEvent]) -> tuple[HistoryEvent, ...]:
    """One event per code, kind and release: titles and dates where any file has them, successors united."""
    merged: dict[tuple[str, HistoryKind, str], HistoryEvent] = {}
    for event in events:
        key = (event.code, event.kind, event.release)
        held = merged.get(key)
        if held is None:
            merged[key] = event
            continue
        merged[key] = HistoryEvent(
            event.system,
            event.code,
            event.kind,
            event.release,
            held.effective or event.effective,
            held.old_title or event.old_title,
            held.new_title or event.new_title,
            tuple(dict.fromkeys(held.replaced_by + event.replaced_by)),
        )
    return tuple(merged.values())


def load(found: Sequence[FoundFile], known: Mapping[SystemId, Collection[str]]) -> History | None:
    """ICD-10-CM history from every addenda file found and the newest conversion table; None without any.

    ``known[SystemId.ICD10CM]`` (the codes of the current release) tells which previous codes of the
    conversion table are deleted; see conversion_history().
    """
    addenda: dict[tuple[str | None, dt.date | None], FoundFile] = {}
    warnings: list[str] = []
    for item in found:
        if item.kind is not FileKind.ICD10CM_ADDENDA:
            continue
        held = addenda.setdefault((item.version, effective_date(item)), item)
        if held is not item:
            warnings.append(f"{_name(item)}: not read, {_name(held)} holds the same addenda")
    tables = sorted((f for f in found if f.kind is FileKind.ICD10CM_CONVERSION), key=lambda f: f.version or "")
    if not addenda and not tables:
        return None
    events: list[HistoryEvent] = []
    relations: list[Relation] = []
    files: list[SourceFile] = []
    new_headers: set[tuple[str, str]] = set()
    for (version, effective), item in sorted(addenda.items(), key=lambda kv: (kv[0][0] or "", str(kv[0][1]))):
        release = version or (fiscal_year(effective) if effective else "unknown")
        entries = read_addenda(item.path, item.member)
        events.extend(addenda_events(entries, release, effective, _where(item)))
        new_headers.update((code, release) for code in headers_added(entries))
        files.append(source_file(item.path, _name(item)))
    if tables:
        table = tables[-1]
        warnings.extend(f"{_name(t)}: not read, {_name(table)} is the conversion table used" for t in tables[:-1])
        raw_known = known.get(SYSTEM)
        known_set = None if raw_known is None else (raw_known if isinstance(raw_known, Set) else frozenset(raw_known))
        if known_set is None:
            warnings.append(
                "no ICD-10-CM code set was given: a previous code of the conversion table counts as deleted "
                "only where a new code subdivides it"
            )
        table_events, table_relations, table_warnings = conversion_history(
            read_conversion(table.path), known_set, f"cdc-conversion-{table.version or 'unknown'}", new_headers
        )
        events.extend(table_events)
        relations.extend(table_relations)
        warnings.extend(f"{_name(table)}: {w}" for w in table_warnings)
        files.append(source_file(table.path, _name(table)))
    return History(SYSTEM, _merge(events), tuple(relations), tuple(files), tuple(warnings))
