"""The records of the CMS alpha-numeric HCPCS file (fixed width, as its record layout defines them) and the
processing notes file. Column positions are the layout's, 1-based and inclusive, with their field numbers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.sources.files import squash, text_lines

# Field 6, HCPCS Record Identification Code.
_PROCEDURE, _PROCEDURE_MORE, _MODIFIER, _MODIFIER_MORE = "3", "4", "7", "8"
_CONTINUES = {_PROCEDURE_MORE: _PROCEDURE, _MODIFIER_MORE: _MODIFIER}
# The last column of a first line's detail (field 30, action code, col 293).
_DETAIL_END = 293
# Cols 1-5 code (a modifier: blank 1-3, code 4-5), 6-10 sequence number, 11 record id.
_RECORD_START = re.compile(r"^(?:[A-Z0-9]{5}|   [A-Z0-9]{2})[0-9]{5}[3478]")
CODE = re.compile(r"^[A-Z][0-9]{4}$")
MODIFIER_CODE = re.compile(r"^[A-Z0-9]{2}$")
_PROCESSING_NOTE = re.compile(r"^\s*([0-9]{4})--(.*)$")


@dataclass(frozen=True, slots=True)
class HcpcsRecord:
    """One procedure or modifier record, its continuation lines joined; dates as the file writes them."""

    line: int  # the line of its first record
    code: str
    modifier: bool
    long_description: str
    short_description: str
    pricing: tuple[str, ...]  # field 9, up to 4
    multiple_pricing: str  # field 10
    coverage_issues_manual: tuple[str, ...]  # field 11, up to 3
    carriers_manual: tuple[str, ...]  # field 12, up to 3
    statute: str  # field 13
    lab_certification: tuple[str, ...]  # field 14, up to 8
    cross_reference: tuple[str, ...]  # field 15, up to 5
    coverage: str  # field 16
    asc_group: str  # field 17
    asc_group_date: str  # field 18
    mog_group: str  # field 19
    mog_policy: str  # field 20
    mog_date: str  # field 21
    processing_note: str  # field 22
    betos: str  # field 23
    type_of_service: tuple[str, ...]  # field 25, up to 5
    anesthesia_base_units: str  # field 26
    added: str  # field 27, YYYYMMDD
    action_effective: str  # field 28, YYYYMMDD
    terminated: str  # field 29, YYYYMMDD
    action: str  # field 30

    def termination_date(self) -> dt.date | None:
        return record_date(self.terminated)

    def action_date(self) -> dt.date | None:
        return record_date(self.action_effective)


def _col(line: str, start: int, end: int) -> str:
    """Columns ``start``..``end`` of the record layout (1-based, inclusive), stripped."""
    return line[start - 1 : end].strip()


def _occurs(line: str, start: int, width: int, count: int) -> tuple[str, ...]:
    """A field that the layout repeats (OCCURS MAX ``count``): its non-blank occurrences."""
    values = (_col(line, start + i * width, start + (i + 1) * width - 1) for i in range(count))
    return tuple(v for v in values if v)


def record_date(value: str) -> dt.date | None:
    return dt.datetime.strptime(value, "%Y%m%d").date() if value else None


def _check_date(where: str, line: int, name: str, value: str) -> str:
    if value:
        try:
            record_date(value)
        except ValueError:
            raise SourceError(where, line, f"{name} {value!r} is not a date YYYYMMDD") from None
    return value


def _first_line(where: str, number: int, line: str) -> HcpcsRecord:
    modifier = line[10] == _MODIFIER
    if len(line) < _DETAIL_END:
        raise SourceError(
            where,
            number,
            f"record of {len(line)} characters; a first procedure or modifier line holds detail up to"
            f" column {_DETAIL_END} (CMS HCPCS record layout)",
        )
    if modifier:
        code = _col(line, 4, 5)
        if line[:3].strip() or not MODIFIER_CODE.match(code):
            raise SourceError(where, number, f"modifier record without a modifier in columns 4-5: {line[:5]!r}")
    else:
        code = _col(line, 1, 5)
        if not CODE.match(code):
            raise SourceError(where, number, f"procedure record without an HCPCS code in columns 1-5: {line[:5]!r}")
    long_description = _col(line, 12, 91)
    if not long_description:
        raise SourceError(where, number, f"{code}: no long description in columns 12-91")
    return HcpcsRecord(
        line=number,
        code=code,
        modifier=modifier,
        long_description=long_description,
        short_description=_col(line, 92, 119),
        pricing=_occurs(line, 120, 2, 4),
        multiple_pricing=_col(line, 128, 128),
        coverage_issues_manual=_occurs(line, 129, 6, 3),
        carriers_manual=_occurs(line, 147, 8, 3),
        statute=_col(line, 171, 180),
        lab_certification=_occurs(line, 181, 3, 8),
        cross_reference=_occurs(line, 205, 5, 5),
        coverage=_col(line, 230, 230),
        asc_group=_col(line, 231, 232),
        asc_group_date=_check_date(where, number, "ASC payment group date", _col(line, 233, 240)),
        mog_group=_col(line, 241, 243),
        mog_policy=_col(line, 244, 244),
        mog_date=_check_date(where, number, "MOG effective date", _col(line, 245, 252)),
        processing_note=_col(line, 253, 256),
        betos=_col(line, 257, 259),
        type_of_service=_occurs(line, 261, 1, 5),
        anesthesia_base_units=_col(line, 266, 268),
        added=_check_date(where, number, "code added date", _col(line, 269, 276)),
        action_effective=_check_date(where, number, "action effective date", _col(line, 277, 284)),
        terminated=_check_date(where, number, "termination date", _col(line, 285, 292)),
        action=_col(line, 293, 293),
    )


def _with_more(record: HcpcsRecord, more: list[str]) -> HcpcsRecord:
    # Continuation lines carry 80-column pieces of the long description, cut between words. White space is
    # squashed in one- and many-line descriptions alike (the file writes "Addition  to lower extremity").
    return replace(record, long_description=squash(" ".join([record.long_description, *more])))


def _code_in(line: str) -> str:
    """The code of a record line: cols 1-5, or cols 4-5 for a modifier (record id 7 or 8)."""
    return _col(line, 4, 5) if line[10] in (_MODIFIER, _MODIFIER_MORE) else _col(line, 1, 5)


def read_records(path: Path, member: str | None = None) -> Iterator[HcpcsRecord]:
    """The procedure and modifier records of an alpha-numeric HCPCS file, in file order.

    Lines before the first record (the disclaimer CMS puts at the top of the file) are skipped; after
    it, every non-blank line must be a record.
    """
    where = str(path) if member is None else f"{path}!{member}"
    current: HcpcsRecord | None = None
    more: list[str] = []
    last_sequence = 0
    seen: dict[str, int] = {}
    for number, line in text_lines(path, member):
        if not line.strip():
            continue
        if not _RECORD_START.match(line):
            if current is None and not re.match(r"^\s*[A-Z][0-9]", line):
                continue  # the disclaimer before the records
            raise SourceError(
                where,
                number,
                "not an HCPCS record (expected: code in columns 1-5, sequence number 6-10, record id 3, 4, 7 or 8"
                " in column 11)",
            )
        kind = line[10]
        sequence = int(line[5:10])
        if kind in _CONTINUES:
            if (
                current is None
                or (_MODIFIER if current.modifier else _PROCEDURE) != _CONTINUES[kind]
                or _code_in(line) != current.code
                or sequence <= last_sequence
            ):
                raise SourceError(
                    where,
                    number,
                    f"continuation line (record id {kind}) of {_code_in(line)!r} does not follow its own record",
                )
            last_sequence = sequence
            text = _col(line, 12, 91)
            if text:
                more.append(text)
            continue
        if current is not None:
            yield _with_more(current, more)
        current = _first_line(where, number, line)
        key = ("modifier " if current.modifier else "") + current.code
        if key in seen:
            raise SourceError(where, number, f"{current.code} appears twice (first on line {seen[key]})")
        seen[key] = number
        more = []
        last_sequence = sequence
    if current is None:
        raise SourceError(where, None, "no HCPCS procedure or modifier record found")
    yield _with_more(current, more)


def read_processing_notes(path: Path, member: str | None = None) -> dict[str, str]:
    """The processing notes (``proc_notes_YYYY.txt``, field 22's "Appendix A") by number, as CMS writes them.

    A note starts with ``NNNN--`` and may run over several lines; each line ends with a ``*`` border.
    """
    notes: dict[str, list[str]] = {}
    current: list[str] | None = None
    for _number, line in text_lines(path, member):
        text = line.replace("\t", " ").rstrip().rstrip("*").strip()
        start = _PROCESSING_NOTE.match(text)
        if start:
            current = notes.setdefault(start.group(1), [])
            current.append(start.group(2))
        elif text and current is not None:
            current.append(text)
        elif not text:
            current = None
    return {number: squash(" ".join(parts)) for number, parts in notes.items()}


def looks_like_records(head: bytes) -> bool:
    """True when a complete line of ``head`` is a first procedure or modifier record of the layout."""
    lines = head.decode("latin-1").splitlines()[:-1]  # the last line may be cut short
    for line in lines:
        if _RECORD_START.match(line) and line[10] in (_PROCEDURE, _MODIFIER) and len(line) >= _DETAIL_END:
            return True
    return False
