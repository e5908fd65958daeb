"""The CDC conversion table (an .xlsx): each new ICD-10-CM code with its previous code(s) and the day it took
effect, read without a spreadsheet library, and the history events it gives."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Collection, Iterator, Sequence, Set
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from medcodes.errors import SourceError
from medcodes.models import HistoryEvent, HistoryKind, Relation, RelationKind
from medcodes.sources.files import parse_xml
from medcodes.sources.history_codes import CODE, SYSTEM, extending, fiscal_year, undotted, with_dot

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

    Read with the zip module and lxml (already a dependency) rather than openpyxl: openpyxl 3.1.5 in read-only
    mode reads the FY2026 table too, but gives typed cells (the year 2017 as an int, dates as datetimes by the
    cell's number format) where ``read_conversion`` parses the text as written, and it would add 3 MB (with
    et_xmlfile) for one worksheet of three columns; this reader also says the row of a malformed cell.
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
    compact = undotted(part)
    if compact.endswith("-") and CODE.match(compact[:-1]):
        return (with_dot(compact[:-1]),)
    if CODE.match(compact):
        return (with_dot(compact),)
    span = _RANGE.match(part.upper().replace(" ", ""))
    if span is None:
        return ()
    low, high = undotted(span.group(1)), undotted(span.group(2))
    if not (CODE.match(low) and CODE.match(high)) or len(low) != len(high):
        return ()
    differ = [i for i, (a, b) in enumerate(zip(low, high, strict=True)) if a != b]
    if len(differ) != 1 or not (low[differ[0]].isdigit() and high[differ[0]].isdigit()):
        return ()
    at = differ[0]
    first, last = int(low[at]), int(high[at])
    if first >= last:
        return ()
    return tuple(with_dot(f"{low[:at]}{digit}{low[at + 1 :]}") for digit in range(first, last + 1))


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
        code = undotted(raw)
        if not CODE.match(code):
            raise SourceError(path, row.number, f"{raw!r} is not an ICD-10-CM code (column {columns['code']})")
        codes, unresolved = previous_codes(previous)
        out.append(Conversion(row.number, with_dot(code), _cell_date(path, row.number, effective), codes, unresolved))
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
            if CODE.match(bare):
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
            if extending(previous, (row.code,)):
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
            codes = extending(previous, codes)
        events.append(HistoryEvent(SYSTEM, previous, change, fiscal_year(when), when, replaced_by=codes))
    return events, list(relations.values()), warnings
