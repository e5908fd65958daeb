"""HCPCS Level II from the official CMS alpha-numeric HCPCS file.

The file (``HCPC2019_CONTR_ANWEB.txt`` inside the annual zip; the quarterly ``HCPC2024_JAN_ANWEB_v2.txt``
files keep the layout) is fixed width, 320 columns a record, as the CMS record layout
(``HCPCS2019_recordlayout.txt``, "HCPCS Contractor Record - 2019") defines it. Every column position
below is that document's, 1-based and inclusive, with its field number. A procedure or modifier
record is a first line holding the detail (record id 3 or 7) and continuation lines carrying the
rest of its long description (record id 4 or 8), grouped by the sequence number.

Codes terminated before the release takes effect stay in the file (CMS keeps them for claims with
earlier dates of service); medcodes keeps them too, as not billable, with a DELETED history event.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import (
    Concept,
    ConceptKind,
    Designation,
    HistoryEvent,
    HistoryKind,
    Property,
    Relation,
    RelationKind,
    Release,
    ReleaseContent,
)
from medcodes.properties import HcpcsField
from medcodes.sources.files import source_file
from medcodes.sources.hcpcs_layout import (
    ACTION,
    ASC_GROUP,
    BETOS,
    COVERAGE,
    LAB_CERTIFICATION,
    MOG_POLICY,
    MULTIPLE_PRICING,
    PRICING,
    TYPE_OF_SERVICE,
)
from medcodes.sources.hcpcs_records import (
    CODE,
    MODIFIER_CODE,
    HcpcsRecord,
    looks_like_records,
    read_processing_notes,
    read_records,
    record_date,
)
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.titles import title_designations
from medcodes.systems import SystemId

SYSTEM = SystemId.HCPCS
# The browsing parent of every modifier: the file lists them apart from the codes, and a letter
# chapter ("A") cannot collide with this name.
MODIFIERS = "MODIFIERS"
MODIFIERS_TITLE = "HCPCS Level II modifiers"
_SOURCE = "anweb"
_CPT_CODE = re.compile(r"^[0-9]{4}[0-9FTU]$")
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_MONTH = re.compile(
    r"(?<![A-Z])(JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|JULY?|AUG(?:UST)?|SEPT?(?:EMBER)?"
    r"|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?)(?![A-Z])"
)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# Browsing chapters, one per first letter. Neither the alpha-numeric file nor its record layout names
# the letter ranges; these are the customary section headings of HCPCS Level II (as in the published
# code books' tables of contents), and CMS's "HCPCS Level II Coding Procedures" describes the temporary
# series (C, G, H, K, Q, S, T) in the same terms. D (dental, ADA's CDT) is not in the CMS file since
# 2019 and is kept only so that an older file still gets a chapter. No official source names sub-ranges,
# so there is no block level.
CHAPTERS: dict[str, str] = {
    "A": "Transportation services including ambulance, medical and surgical supplies, and administrative,"
    " miscellaneous and investigational items",
    "B": "Enteral and parenteral therapy",
    "C": "Outpatient prospective payment system (temporary codes)",
    "D": "Dental procedures",
    "E": "Durable medical equipment",
    "G": "Procedures and professional services (temporary codes)",
    "H": "Behavioral health and substance abuse treatment services",
    "J": "Drugs administered other than oral method, and chemotherapy drugs",
    "K": "Durable medical equipment for Medicare administrative contractors (temporary codes)",
    "L": "Orthotic and prosthetic procedures and devices",
    "M": "Medical services",
    "P": "Pathology and laboratory services",
    "Q": "Miscellaneous services (temporary codes)",
    "R": "Diagnostic radiology services",
    "S": "Temporary national codes (non-Medicare)",
    "T": "National codes established for state Medicaid agencies",
    "U": "Coronavirus laboratory tests (temporary codes)",
    "V": "Vision, hearing and speech-language pathology services",
}


# --- finding the file ----------------------------------------------------------------------------------


def _version(*names: str) -> str | None:
    """The release a file name states: "2019" (annual or January file) or "2024-04" (a quarterly one)."""
    year: str | None = None
    month = 1
    for name in names:
        upper = name.upper()
        found = _YEAR.search(upper)
        if year is None and found:
            year = found.group(1)
        named = _MONTH.search(upper)
        if month == 1 and named:
            month = _MONTHS.index(named.group(1)[:3]) + 1
    if year is None:
        return None
    return year if month == 1 else f"{year}-{month:02d}"


def _version_of(date: dt.date) -> str:
    return str(date.year) if date.month == 1 else f"{date.year}-{date.month:02d}"


def _effective(version: str) -> dt.date:
    year, _, month = version.partition("-")
    return dt.date(int(year), int(month or 1), 1)


def _is_other_member(name: str) -> bool:
    base = name.rsplit("/", 1)[-1].lower()
    return "readme" in base or base.startswith(("proc_notes", "noc"))


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """Recognise the CMS alpha-numeric HCPCS file: the zip (its fixed-width member) or the text file."""
    name = path.name
    if name.lower().endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if not member.lower().endswith(".txt") or _is_other_member(member):
                        continue
                    with archive.open(member) as fh:
                        member_head = fh.read(4096)
                    if looks_like_records(member_head):
                        return FoundFile(FileKind.HCPCS_ALPHA, path, _version(member, name), member)
        except (OSError, RuntimeError, NotImplementedError, zipfile.BadZipFile):
            return None  # not a readable zip: not ours
        return None
    if not name.lower().removesuffix(".gz").endswith(".txt") or not looks_like_records(head):
        return None
    return FoundFile(FileKind.HCPCS_ALPHA, path, _version(name))


# --- building the release -------------------------------------------------------------------------------
def _properties(record: HcpcsRecord, notes: dict[str, str]) -> Iterator[Property]:
    def prop(name: HcpcsField, value: str, labels: dict[str, str] | None = None) -> Property:
        return Property(SYSTEM, record.code, name, value, labels.get(value) if labels else None)

    def dated(name: HcpcsField, value: str) -> Property:
        date = record_date(value)
        return Property(SYSTEM, record.code, name, value, date.isoformat() if date else None)

    for value in record.pricing:
        yield prop(HcpcsField.PRICING, value, PRICING)
    if record.multiple_pricing:
        yield prop(HcpcsField.MULTIPLE_PRICING, record.multiple_pricing, MULTIPLE_PRICING)
    for value in record.coverage_issues_manual:
        yield prop(HcpcsField.COVERAGE_ISSUES_MANUAL, value)
    for value in record.carriers_manual:
        yield prop(HcpcsField.CARRIERS_MANUAL, value)
    if record.statute:
        yield prop(HcpcsField.STATUTE, record.statute)
    for value in record.lab_certification:
        yield prop(HcpcsField.LAB_CERTIFICATION, value, LAB_CERTIFICATION)
    for value in record.cross_reference:
        yield prop(HcpcsField.CROSS_REFERENCE, value)
    if record.coverage:
        yield prop(HcpcsField.COVERAGE, record.coverage, COVERAGE)
    if record.asc_group:
        yield prop(HcpcsField.ASC_GROUP, record.asc_group, ASC_GROUP)
    if record.asc_group_date:
        yield dated(HcpcsField.ASC_GROUP_DATE, record.asc_group_date)
    if record.mog_group:
        yield prop(HcpcsField.MOG_GROUP, record.mog_group)
    if record.mog_policy:
        yield prop(HcpcsField.MOG_POLICY, record.mog_policy, MOG_POLICY)
    if record.mog_date:
        yield dated(HcpcsField.MOG_DATE, record.mog_date)
    if record.processing_note:
        yield prop(HcpcsField.PROCESSING_NOTE, record.processing_note, notes)
    if record.betos:
        yield prop(HcpcsField.BETOS, record.betos, BETOS)
    for value in record.type_of_service:
        yield prop(HcpcsField.TYPE_OF_SERVICE, value, TYPE_OF_SERVICE)
    # Level II codes carry base units 0 (anesthesia is priced under CPT); only a real value is a fact.
    if record.anesthesia_base_units.strip("0"):
        yield prop(HcpcsField.ANESTHESIA_BASE_UNITS, record.anesthesia_base_units)
    if record.added:
        yield dated(HcpcsField.ADD_DATE, record.added)
    if record.action_effective:
        yield dated(HcpcsField.EFFECTIVE_DATE, record.action_effective)
    if record.terminated:
        yield dated(HcpcsField.TERMINATION_DATE, record.terminated)
    if record.action:
        yield prop(HcpcsField.ACTION, record.action, ACTION)


def _target(code: str) -> SystemId | None:
    if CODE.match(code) or MODIFIER_CODE.match(code):
        return SystemId.HCPCS
    if _CPT_CODE.match(code):
        return SystemId.CPT
    return None  # e.g. P7001's cross-reference "CPT": a pointer to the whole code set


def _relations(record: HcpcsRecord, terminated: bool) -> Iterator[Relation]:
    # Field 15 crosswalks "a deleted code or a code that is not valid for Medicare to a valid current code".
    kind = RelationKind.REPLACED_BY if terminated else RelationKind.SEE
    for code in record.cross_reference:
        system = _target(code)
        if system is not None:
            yield Relation(SYSTEM, record.code, kind, system, code, source="hcpcs-cross-reference")


def _history(record: HcpcsRecord) -> Iterator[HistoryEvent]:
    # Field 27, the date the code was added to HCPCS: before it the code was not valid. (Its title then is
    # not in this file: the event has none.)
    added = record_date(record.added)
    changed = record.action_date()
    if added is not None and not (record.action in ("A", "R") and changed == added):
        yield HistoryEvent(SYSTEM, record.code, HistoryKind.ADDED, _version_of(added), added)
    ended = record.termination_date()
    if ended is not None:
        # Field 29 is the last day a code may be used; its deletion takes effect the next day (for
        # action code D that day is the action effective date).
        gone = ended + dt.timedelta(days=1)
        successors = tuple(c for c in record.cross_reference if _target(c) is SystemId.HCPCS)
        yield HistoryEvent(
            SYSTEM,
            record.code,
            HistoryKind.DELETED,
            _version_of(gone),
            gone,
            old_title=record.long_description,
            replaced_by=successors,
        )
    if changed is None:
        return
    if record.action in ("A", "R"):
        kind = HistoryKind.ADDED
    elif record.action in ("B", "C"):
        kind = HistoryKind.REVISED
    else:
        return
    yield HistoryEvent(SYSTEM, record.code, kind, _version_of(changed), changed, new_title=record.long_description)


@dataclass(frozen=True, slots=True)
class _Parts:
    concepts: list[Concept]
    designations: list[Designation]
    properties: list[Property]
    relations: list[Relation]
    history: list[HistoryEvent]
    warnings: list[str]

    def add(self, concept: Concept) -> None:
        self.concepts.append(concept)
        self.designations.extend(title_designations(concept, _SOURCE))


def _newest(found: Sequence[FoundFile]) -> FoundFile | None:
    mine = sorted(
        (f for f in found if f.kind is FileKind.HCPCS_ALPHA), key=lambda f: (f.version or "", str(f.path)), reverse=True
    )
    return mine[0] if mine else None


def _notes_of(main: FoundFile) -> dict[str, str]:
    if main.member is None:
        return {}
    try:
        with zipfile.ZipFile(main.path) as archive:
            names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1].lower().startswith("proc_notes")]
    except (OSError, zipfile.BadZipFile) as exc:
        raise SourceError(main.path, None, f"cannot read file: {exc}") from exc
    return read_processing_notes(main.path, names[0]) if names else {}


def load(found: Sequence[FoundFile]) -> ReleaseContent | None:
    """The newest alpha-numeric HCPCS file among ``found`` as one release; None when there is none."""
    main = _newest(found)
    if main is None:
        return None
    records = list(read_records(main.path, main.member))
    version = main.version
    if version is None:
        # No year in the file name: the release is the latest change the file records.
        dates = [d for r in records if (d := r.action_date()) is not None]
        if not dates:
            raise SourceError(main.path, None, "no year in the file name and no action effective date in the file")
        version = _version_of(max(dates))
    effective = _effective(version)
    notes = _notes_of(main)
    parts = _Parts([], [], [], [], [], [])
    chapters: set[str] = set()
    for record in records:
        if record.modifier:
            parent = MODIFIERS
            title = MODIFIERS_TITLE
        else:
            parent = record.code[0]
            title = CHAPTERS.get(parent, f"{parent} codes")
            if parent not in CHAPTERS and parent not in chapters:
                parts.warnings.append(f"no chapter name for HCPCS codes starting with {parent}; named '{title}'")
        if parent not in chapters:
            chapters.add(parent)
            parts.add(Concept(SYSTEM, parent, title, ConceptKind.CHAPTER, False, seq=len(parts.concepts)))
        ended = record.termination_date()
        terminated = ended is not None and ended < effective
        parts.add(
            Concept(
                SYSTEM,
                record.code,
                record.long_description,
                ConceptKind.MODIFIER if record.modifier else ConceptKind.CODE,
                not terminated,
                parent,
                record.short_description or None,
                1,
                len(parts.concepts),
            )
        )
        parts.properties.extend(_properties(record, notes))
        parts.relations.extend(_relations(record, terminated))
        parts.history.extend(_history(record))
    name = main.path.name + (f"!{main.member}" if main.member else "")
    release = Release(SYSTEM, version, effective, (source_file(main.path, name),))
    return ReleaseContent(
        release,
        tuple(parts.concepts),
        tuple(parts.designations),
        relations=tuple(parts.relations),
        properties=tuple(parts.properties),
        history=tuple(parts.history),
        warnings=tuple(parts.warnings),
    )
