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
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from medcodes.errors import SourceError
from medcodes.models import Concept, HistoryEvent, HistoryKind, Relation, RelationKind, SourceFile
from medcodes.sources.files import parse_xml, source_file, text_lines
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import SystemId

SYSTEM = SystemId.ICD10CM


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
_MONTH_DATE = re.compile(
    r"(January|February|March|April|May|June|July|August|September|October|November|December)-(\d{1,2})-(\d{4})",
    re.I,
)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_CODE = re.compile(r"^[A-Z][0-9A-Z]{2}[0-9A-Z]{0,4}$")  # ICD-10-CM without its dot (FY2026 added QA0)


def _dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _compact(code: str) -> str:
    return re.sub(r"[\s.]+", "", code).upper()


def fiscal_year(date: dt.date) -> str:
    """The ICD-10-CM release a change belongs to: fiscal years start on October 1."""
    return str(date.year + 1 if date.month >= 10 else date.year)


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


def effective_date(found: FoundFile) -> dt.date | None:
    """When the changes of a file take effect: a date its name states ("April-1-2026"), else October 1
    before the fiscal year of its version."""
    for name in (found.member or "", found.path.name):
        month = _MONTH_DATE.search(name)
        if month:
            number = dt.datetime.strptime(month.group(1).title(), "%B").month
            return dt.date(int(month.group(3)), number, int(month.group(2)))
    if found.version and found.version.isdigit():
        return dt.date(int(found.version) - 1, 10, 1)
    return None


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
    if not _CODE.match(code):
        raise SourceError(where, number, f"{code!r} is not an ICD-10-CM code")
    return AddendaEntry(number, action, line[13] == "1", _dotted(code), line[23:83].strip(), line[84:].strip())


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
                    _extending(entry.code, new_codes),
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


def _new_headers(entries: Sequence[AddendaEntry]) -> list[str]:
    """Headers an addenda file adds that were not valid codes before (not subdivided codes)."""
    was_valid = {e.code for e in entries if e.action == "Delete:" and e.billable}
    return [e.code for e in entries if e.action == "Add:" and not e.billable and e.code not in was_valid]


def _extending(code: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """The candidates that subdivide ``code`` (longer codes that start with it)."""
    bare = code.replace(".", "")
    return tuple(c for c in candidates if c.replace(".", "").startswith(bare) and len(c) > len(code))


# --- the CDC conversion table (xlsx) -------------------------------------------------------------------
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int  # the spreadsheet's row number
    cells: dict[str, str]  # column letter -> text (numbers as written in the file)


def read_sheet(path: Path) -> Iterator[SheetRow]:
    """The rows of the first worksheet of an .xlsx file (a zip of SpreadsheetML, ECMA-376 part 1 §18).

    Cells hold a shared-string index (t="s"), an inline string (t="inlineStr") or a value (<v>).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = parse_xml(path, archive.read("xl/workbook.xml"))
            rels = parse_xml(path, archive.read("xl/_rels/workbook.xml.rels"))
            names = set(archive.namelist())
            strings_xml = archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else None
            sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
            if sheet is None:
                raise SourceError(path, None, "the workbook has no worksheet")
            target = next(
                (
                    r.get("Target", "")
                    for r in rels.iter(f"{_PKG_REL}Relationship")
                    if r.get("Id") == sheet.get(f"{_REL}id")
                ),
                "",
            )
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            data = archive.read(member)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise SourceError(path, None, f"not a readable .xlsx workbook: {exc}") from exc
    strings: list[str] = []
    if strings_xml is not None:
        strings = ["".join(str(t) for t in si.itertext()) for si in parse_xml(path, strings_xml).iter(f"{_MAIN}si")]
    number = 0
    for row in parse_xml(path, data).iter(f"{_MAIN}row"):
        # r is optional in SpreadsheetML: without it a row follows the one before.
        written = row.get("r", "")
        number = int(written) if written.isdigit() else number + 1
        yield _sheet_row(path, number, row, strings)


def _sheet_row(path: Path, number: int, row: etree._Element, strings: Sequence[str]) -> SheetRow:
    cells: dict[str, str] = {}
    for cell in row.iter(f"{_MAIN}c"):
        ref = _CELL_REF.match(cell.get("r", ""))
        if ref is None:
            raise SourceError(path, number, f"a cell without a reference in row {number}")
        kind = cell.get("t")
        value = cell.findtext(f"{_MAIN}v")
        if kind == "s" and value is not None:
            index = int(value) if value.strip().isdigit() else len(strings)
            if index >= len(strings):
                raise SourceError(path, number, f"cell {ref.group(0)} names shared string {index}, which is absent")
            text = strings[index]
        elif kind == "inlineStr":
            inline = cell.find(f"{_MAIN}is")
            text = "".join(str(t) for t in inline.itertext()) if inline is not None else ""
        else:
            text = value or ""
        cells[ref.group(1)] = text
    return SheetRow(number, cells)


@dataclass(frozen=True, slots=True)
class Conversion:
    """One row of the conversion table: a new code, when it took effect, and the code(s) used before."""

    row: int
    code: str
    effective: dt.date
    previous: tuple[str, ...]
    unresolved: tuple[str, ...]  # parts of the previous-codes text that name no code medcodes can list


_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.I)
_LEADING_WORDS = re.compile(r"^(?:an?\s+)?codes?\s+(?:from|in)\s+(?:categor(?:y|ies)\s+)?", re.I)
_RANGE = re.compile(r"^([A-Z0-9.]+)\s*-\s*([A-Z0-9.]+)$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's 1900 date system (serial 60 is its phantom Feb 29)


def previous_codes(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The codes a "Previous Code(s) Assignment" cell names, and the parts it could not read.

    The cell is free text: "A04.7", "C56.1 and C56.2", "G93.3; R53.82", "H02.101-H02.106; H02.109",
    "I63.- and P91.88", "Codes in Categories T15-T19", "None". A range is listed where its two ends differ
    in one digit only (H35.20-H35.23); "I63.-" (any code of I63) names I63.
    """
    codes: list[str] = []
    unresolved: list[str] = []
    cleaned = text.strip()
    if not cleaned or cleaned.lower() == "none":
        return (), ()
    for piece in _SEPARATORS.split(cleaned):
        part = _LEADING_WORDS.sub("", piece.strip())
        if not part:
            continue
        listed = _part_codes(part)
        if listed:
            codes.extend(listed)
        else:
            unresolved.append(part)
    return tuple(dict.fromkeys(codes)), tuple(unresolved)


def _part_codes(part: str) -> tuple[str, ...]:
    compact = _compact(part)
    if compact.endswith("-") and _CODE.match(compact[:-1]):
        return (_dotted(compact[:-1]),)
    if _CODE.match(compact):
        return (_dotted(compact),)
    span = _RANGE.match(part.upper().replace(" ", ""))
    if span is None:
        return ()
    low, high = _compact(span.group(1)), _compact(span.group(2))
    if not (_CODE.match(low) and _CODE.match(high)) or len(low) != len(high):
        return ()
    differ = [i for i, (a, b) in enumerate(zip(low, high, strict=True)) if a != b]
    if len(differ) != 1 or not (low[differ[0]].isdigit() and high[differ[0]].isdigit()):
        return ()
    at = differ[0]
    first, last = int(low[at]), int(high[at])
    if first >= last:
        return ()
    return tuple(_dotted(f"{low[:at]}{digit}{low[at + 1 :]}") for digit in range(first, last + 1))


def _cell_date(path: Path, row: int, text: str) -> dt.date:
    """The Effective column: a year (changes take effect October 1 of that year) or an Excel date serial."""
    try:
        value = float(text)
    except ValueError:
        raise SourceError(path, row, f"effective {text!r}: expected a year or a date") from None
    if 1990 <= value <= 2999:
        return dt.date(int(value), 10, 1)
    if 30000 <= value <= 80000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    raise SourceError(path, row, f"effective {text!r}: expected a year or a date")


def read_conversion(path: Path) -> tuple[Conversion, ...]:
    """Read the CDC conversion table: header "Current code assignment | Effective | Previous Code(s)
    Assignment"; rows above it (the introduction) are skipped."""
    columns: dict[str, str] | None = None
    out: list[Conversion] = []
    for row in read_sheet(path):
        if columns is None:
            heads = {col: text.strip().lower() for col, text in row.cells.items()}
            found = {
                role: col
                for col, head in heads.items()
                for role, prefix in (
                    ("code", "current code"),
                    ("effective", "effective"),
                    ("previous", "previous code"),
                )
                if head.startswith(prefix)
            }
            if len(found) == 3:
                columns = found
            continue
        raw = row.cells.get(columns["code"], "").strip()
        effective = row.cells.get(columns["effective"], "").strip()
        previous = row.cells.get(columns["previous"], "")
        if not raw and not effective and not previous.strip():
            continue
        code = _compact(raw)
        if not _CODE.match(code):
            raise SourceError(path, row.number, f"{raw!r} is not an ICD-10-CM code (column {columns['code']})")
        codes, unresolved = previous_codes(previous)
        out.append(Conversion(row.number, _dotted(code), _cell_date(path, row.number, effective), codes, unresolved))
    if columns is None:
        raise SourceError(path, None, "no header row 'Current code assignment | Effective | Previous Code(s)'")
    if not out:
        raise SourceError(path, None, "the conversion table has no rows")
    return tuple(out)


class _Validity:
    """Whether a code is valid now: known, and not the header of a known longer code."""

    def __init__(self, known: Set[str] | None) -> None:
        self.known = known
        self.headers: set[str] = set()
        for code in known or ():
            bare = code.replace(".", "")
            if _CODE.match(bare):
                self.headers.update(bare[:n] for n in range(3, len(bare)))

    def valid(self, code: str) -> bool | None:
        if self.known is None:
            return None
        return code in self.known and code.replace(".", "") not in self.headers


def conversion_history(
    rows: Sequence[Conversion],
    known: Set[str] | None,
    source: str,
    new_headers: Collection[tuple[str, str]] = (),
) -> tuple[list[HistoryEvent], list[Relation], list[str]]:
    """Events and relations of the conversion table.

    Each new code is ADDED in the fiscal year of its effective date. A previous code that a new code of the
    table subdivides (A04.7 -> A04.71) was EXPANDED into those subcodes where it is still there (in
    ``known``, as the header of its subcodes; without ``known``, always); one absent from ``known`` is
    DELETED and REPLACED_BY the new codes that name it. The date is that of the subdivision, else of the last
    row that names it. Categories the table cites (T15-T19) and headers that the addenda add in the same
    release (``new_headers``: (code, release) pairs) were never valid codes and are not deleted. Every other
    previous code, and an expanded one, is the PREVIOUS_CODE_OF each new code that names it: the older code
    is the source, the newer one the target.
    """
    validity = _Validity(known)
    headers = set(new_headers)
    events: list[HistoryEvent] = []
    warnings: list[str] = []
    subdivided: dict[str, list[dt.date]] = {}
    for row in rows:
        for previous in row.previous:
            if _extending(previous, (row.code,)):
                subdivided.setdefault(previous, []).append(row.effective)
    named: dict[str, list[dt.date]] = {}
    links: list[tuple[str, Conversion]] = []
    for row in rows:
        events.append(HistoryEvent(SYSTEM, row.code, HistoryKind.ADDED, fiscal_year(row.effective), row.effective))
        if known is not None and row.code not in known:
            warnings.append(f"row {row.row}: new code {row.code} is not an ICD-10-CM code now")
        if row.unresolved:
            warnings.append(f"row {row.row}: previous codes of {row.code} not read: {'; '.join(row.unresolved)}")
        for previous in row.previous:
            links.append((previous, row))
            named.setdefault(previous, []).append(row.effective)
    changed: dict[str, tuple[HistoryKind, dt.date]] = {}
    for previous, dates in named.items():
        split = subdivided.get(previous)
        when = min(split) if split else max(dates)
        if validity.valid(previous) is True or (previous, fiscal_year(when)) in headers:
            continue
        gone = known is not None and previous not in known
        if gone:
            changed[previous] = (HistoryKind.DELETED, when)
        elif split is not None:
            changed[previous] = (HistoryKind.EXPANDED, when)
    relations: dict[tuple[str, str, RelationKind], Relation] = {}
    successors: dict[str, list[str]] = {}
    for previous, row in links:
        flags = (f"effective {row.effective.isoformat()}",)
        link = RelationKind.PREVIOUS_CODE_OF
        if previous in changed:
            successors.setdefault(previous, []).append(row.code)
            if changed[previous][0] is HistoryKind.DELETED:
                link = RelationKind.REPLACED_BY
        relation = Relation(SYSTEM, previous, link, SYSTEM, row.code, None, source, flags)
        relations.setdefault((previous, row.code, link), relation)
    for previous, (change, when) in changed.items():
        codes = tuple(dict.fromkeys(successors[previous]))
        if change is HistoryKind.EXPANDED:
            # The subcodes it was expanded into, not every new code that took part of its meaning.
            codes = _extending(previous, codes)
        events.append(HistoryEvent(SYSTEM, previous, change, fiscal_year(when), when, replaced_by=codes))
    return events, list(relations.values()), warnings


# --- diff of two releases ------------------------------------------------------------------------------
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
            replaced = _extending(code, fresh)
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
        new_headers.update((code, release) for code in _new_headers(entries))
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
