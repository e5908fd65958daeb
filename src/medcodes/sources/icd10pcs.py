"""ICD-10-PCS from the official CMS files.

Files (CMS "ICD-10-PCS Code Tables and Index" and "Order File" downloads; plain, ``.gz`` or inside the CMS zip):

- Tables XML (``<ICD10PCS.tabular>``, ``icd10pcs_tables.xsd``): each ``pcsTable`` fixes axes 1-3 (one
  ``label`` each; the 3rd axis carries the root operation's ``definition``) and holds ``pcsRow``s that list
  the values allowed on axes 4-7. A valid code is every combination of values within one row. FY2026:
  914 tables, 79,115 codes.
- Order file (``icd10pcs_order_YYYY.txt``; icd10pcsOrderFile.pdf): fixed width, one table header (flag 0)
  or valid code (flag 1) per line, with short and long titles. Its order is the tables' order, codes sorted
  within each table.
- Definitions XML (``<ICD10PCS.definitions>``, ``icd10pcs_definitions.xsd``): per section and axis, ``terms``
  with one or more ``title``s (the PCS values they apply to) and ``definition``/``explanation``/``includes``.
  Terms with a definition or explanation define a value (root operations, approaches, types, the F section's
  type qualifiers); terms with only ``includes`` are the keys (body part key, device key, substance key:
  each ``includes`` is a term that is coded with the titled value). ``deviceAggregation`` says which specific
  device a general device value stands for, per operation and body system.
- Index XML (``<ICD10PCS.index>``, ``icd10pcs_index.xsd``): ``letter`` > ``mainTerm`` > nested ``term``, each
  with a ``title`` and any of ``tab`` (a partial code, "0UT7"), ``codes`` (full codes), ``see`` and ``use``
  (cross-references whose text may hold a ``tab``). No official index file was at hand while this was
  written; the reader follows the published schema and is tested on a hand-written file.

What lands where (kept lean: the codes carry values and labels, the tables carry the words):

- Concepts: section (1 character, CHAPTER, "0" Medical and Surgical), body system (2, BLOCK, "0U" Female
  Reproductive System), table (3, CATEGORY, "0UT", titled as the order file titles it, "Female Reproductive
  System, Resection"), then the valid codes (7, CODE, billable, parent = table). ``seq`` follows the order
  file. Codes take their long and short titles from the order file; without one, titles are composed from
  the axis labels by ``compose_title`` (an approximation of CMS wording, marked with source "composed").
- Properties: every code has one property per axis (7 per code) with value and label only. The name is
  ``axis_name(position, axis title)``: the Medical and Surgical word for the position ("pcs.section",
  "pcs.body_system", "pcs.operation", "pcs.body_part", "pcs.approach", "pcs.device", "pcs.qualifier") where
  the axis has that official title, else "pcs.axisN" (e.g. section B's 3rd axis "Type" is "pcs.axis3").
  Each table concept carries the official axis titles ("pcs.axis_title", value "1".."7", label the title),
  its three fixed values with the root operation's definition, and every value its rows allow on axes 4-7
  with the official definition where one exists, so a code's axis definition is its table's property of the
  same name and value.
- Notes on each table: the root operation's definition ("Resection: Cutting out or off, ..."), its
  explanation (NOTE) and its examples (INCLUDES) from the definitions XML.
- Designations: a TITLE for every concept and a SHORT_TITLE where the order file's short title differs from
  the long one; key terms ("Oviduct", use Fallopian Tube, Left) as SYNONYMs of the tables whose rows use the
  value (source "pcs-body-part-key", "pcs-device-key", "pcs-substance-key", "pcs-device-aggregation"; the
  value named in ``via``), never one per code (FY2026: about 29,000 rows against millions per code); index
  terms as INDEX_TERMs ("Resection, Fallopian Tubes, Bilateral") of the code a full code names, of the
  codes a partial code starts where they are few ("0UT7" -> 0UT70ZZ, 0UT74ZZ, ...; ``named_codes``) or
  else of its table, "see" references followed to the codes they or the term they name give, and "use"
  references as SYNONYMs of what their code names or, without one, of every table that uses the value
  named; the reference as printed is the ``via``. An inverted main term ("Puncture, lumbar") is also read
  in natural order ("Lumbar puncture"). One designation per concept, kind and text: later sources add
  their ``via`` to the first. An index of another release than the tables is read with a warning.
- Sections G and H have no body system (value Z, label "None"): that body system concept takes the
  section's title ("GZ" Mental Health).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
import zipfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from medcodes.errors import SourceError
from medcodes.models import (
    RECONSTRUCTED,
    Concept,
    ConceptKind,
    ConceptNote,
    Designation,
    DesignationKind,
    Note,
    NoteKind,
    Property,
    Release,
    ReleaseContent,
    SourceFile,
)
from medcodes.properties import PropertyName
from medcodes.sources.files import line_of, parse_xml, source_file, squash, text_lines
from medcodes.sources.kinds import FileKind, FoundFile, newest
from medcodes.systems import SystemId

__all__ = [
    "AXIS_TITLE_PROPERTY",
    "AxisValue",
    "Definitions",
    "DeviceAggregate",
    "IndexEntry",
    "OrderEntry",
    "PcsRow",
    "PcsTable",
    "Reference",
    "Tables",
    "Term",
    "axis_name",
    "code_axes",
    "compose_title",
    "effective",
    "load",
    "load_definitions",
    "load_index",
    "load_order",
    "load_tables",
    "named_codes",
    "natural_order",
    "sniff",
]

SYSTEM = SystemId.ICD10PCS
_KINDS = (FileKind.PCS_TABLES, FileKind.PCS_ORDER, FileKind.PCS_DEFINITIONS, FileKind.PCS_INDEX)
# A PCS value is one character of 0-9 and A-Z; the letters I and O are not used, to avoid confusion with 1
# and 0 (ICD-10-PCS Reference Manual, "Characters").
_VALUE = re.compile(r"^[0-9A-HJ-NP-Z]$")
_CODE_TOKEN = re.compile(r"^[0-9A-HJ-NP-Z]{3,7}$")
_VERSION = re.compile(rb"<version>\s*(\d{4})\s*</version>")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# CMS file names inside the downloads (plain or in a zip).
_MEMBER_KINDS: tuple[tuple[re.Pattern[str], FileKind], ...] = (
    (re.compile(r"icd10pcs_tables_\d{4}\.xml"), FileKind.PCS_TABLES),
    (re.compile(r"icd10pcs_order_\d{4}\.txt"), FileKind.PCS_ORDER),
    (re.compile(r"icd10pcs_definitions_\d{4}\.xml"), FileKind.PCS_DEFINITIONS),
    (re.compile(r"icd10pcs_index_\d{4}\.xml"), FileKind.PCS_INDEX),
)
# The root element of an XML file: after the declaration, comments and a doctype, if any.
_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--.*?-->|<!DOCTYPE[^>]*>)\s*)*<([A-Za-z][\w.:-]*)", re.DOTALL
)
_ROOT_KINDS: dict[bytes, FileKind] = {
    b"ICD10PCS.tabular": FileKind.PCS_TABLES,
    b"ICD10PCS.definitions": FileKind.PCS_DEFINITIONS,
    b"ICD10PCS.index": FileKind.PCS_INDEX,
}
_ORDER_NAME = re.compile(r"icd10pcs_order_\d{4}\.txt(?:\.gz)?")
# icd10pcsOrderFile.pdf: cols 1-5 order number (zero filled), 7-13 code, 15 flag (0 header, 1 valid for
# HIPAA-covered transactions), 17-76 short description, 78 to end long description; blanks between.
_ORDER_LINE = re.compile(rb"^\d{5} [0-9A-HJ-NP-Z]{3}[0-9A-HJ-NP-Z ]{4} [01] ")

# The axis titles of the Medical and Surgical section, by position, and the stable property names they give.
_SEMANTIC_AXES: dict[int, tuple[str, PropertyName]] = {
    1: ("Section", PropertyName.PCS_SECTION),
    2: ("Body System", PropertyName.PCS_BODY_SYSTEM),
    3: ("Operation", PropertyName.PCS_OPERATION),
    4: ("Body Part", PropertyName.PCS_BODY_PART),
    5: ("Approach", PropertyName.PCS_APPROACH),
    6: ("Device", PropertyName.PCS_DEVICE),
    7: ("Qualifier", PropertyName.PCS_QUALIFIER),
}
AXIS_TITLE_PROPERTY = PropertyName.PCS_AXIS_TITLE

# Definitions XML: which keys the includes-only terms form, by section and axis position.
_KEY_SOURCES: dict[tuple[str, int], str] = {
    ("0", 4): "pcs-body-part-key",
    ("0", 6): "pcs-device-key",
    ("X", 6): "pcs-device-key",
    ("3", 6): "pcs-substance-key",
}
_AGGREGATION_SOURCE = "pcs-device-aggregation"
_INDEX_SOURCE = "pcs-index"
# A partial code names the codes it starts where they are this few (the index's "0DTJ", Resection of
# Appendix, has 5, "0SR9", Replacement of Right Hip Joint, 21); beyond, its table: one name repeated on
# hundreds of codes would crowd every search it matches.
MAX_NAMED_CODES = 30
_DIAGNOSTIC_WORDS = re.compile(r"diagnos|biops", re.IGNORECASE)
_CONTINUED = re.compile(r"\s*\(continued\)$", re.IGNORECASE)
# An inverted main term: a noun, a comma, and the lower-case words that qualify it ("Puncture, lumbar",
# "Replacement, hip", "Banding, esophageal varices"); a capital after the comma is a device's or a
# substance's own name ("Coagulation Factor Xa, Inactivated"), and a second comma a list.
_INVERTED = re.compile(r"^([^,]+), ([a-z][^,]*)$")
_ALL_OPERATIONS = "All applicable"


# --- value objects ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AxisValue:
    """One value of one axis as a table states it: 0UT's 3rd axis is value "T", label "Resection"."""

    position: int  # 1-7
    title: str  # the axis title in the table: "Body Part", "Body Region", "Type", ...
    value: str  # the character
    label: str
    definition: str | None = None  # the tables XML defines the 3rd axis only


@dataclass(frozen=True, slots=True)
class PcsRow:
    """One row of a table: the values allowed on axes 4-7; every combination is a valid code."""

    axes: tuple[tuple[AxisValue, ...], ...]  # positions 4, 5, 6, 7
    line: int | None = None

    def combinations(self) -> Iterator[tuple[AxisValue, ...]]:
        return itertools.product(*self.axes)


@dataclass(frozen=True, slots=True)
class PcsTable:
    """A PCS table: axes 1-3 fixed, rows of axes 4-7."""

    fixed: tuple[AxisValue, AxisValue, AxisValue]
    rows: tuple[PcsRow, ...]
    line: int | None = None

    @property
    def code(self) -> str:
        return "".join(axis.value for axis in self.fixed)

    def codes(self) -> list[tuple[str, tuple[AxisValue, ...]]]:
        """Every valid code with its seven axis values, in code order (the order file's order)."""
        prefix = self.code
        out = [
            (prefix + "".join(v.value for v in combo), self.fixed + combo)
            for row in self.rows
            for combo in row.combinations()
        ]
        out.sort(key=lambda item: item[0])
        return out

    def values(self, position: int) -> tuple[AxisValue, ...]:
        """The distinct values the table allows on one axis, in the order the table first lists them.

        One character may mean different things in different rows of a table (section X, some qualifiers),
        so a value is a character with its label.
        """
        if position <= 3:
            return (self.fixed[position - 1],)
        seen: dict[tuple[str, str], AxisValue] = {}
        for row in self.rows:
            for value in row.axes[position - 4]:
                seen.setdefault((value.value, value.label), value)
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class Tables:
    version: str
    title: str
    tables: tuple[PcsTable, ...]


@dataclass(frozen=True, slots=True)
class OrderEntry:
    """One line of the CMS order file."""

    order: int
    code: str
    valid: bool  # 1 = valid for HIPAA-covered transactions; 0 = a table header
    short_title: str
    long_title: str
    line: int


@dataclass(frozen=True, slots=True)
class Term:
    """One ``terms`` entry of the definitions XML."""

    section: str
    position: int
    axis_title: str
    titles: tuple[str, ...]  # the PCS values it applies to
    definition: str | None
    explanation: str | None
    includes: tuple[str, ...]
    line: int | None = None

    @property
    def key(self) -> str | None:
        """The key this entry belongs to ("pcs-body-part-key"), or None where it defines a value.

        Key entries have includes only, on the axes that have keys; elsewhere includes describe the value
        (section F: "Includes light touch, pressure, temperature, ...").
        """
        if self.definition is not None or self.explanation is not None:
            return None
        return _KEY_SOURCES.get((self.section, self.position))


@dataclass(frozen=True, slots=True)
class DeviceAggregate:
    """A specific device and the general device value it is coded with (definitions XML)."""

    device: str
    operation: str  # a root operation, or "All applicable"
    body_systems: tuple[str, ...]
    parent_value: str
    parent_label: str


@dataclass(frozen=True, slots=True)
class Definitions:
    version: str
    terms: tuple[Term, ...]
    aggregates: tuple[DeviceAggregate, ...]


@dataclass(frozen=True, slots=True)
class Reference:
    """A "see" or "use" reference of the PCS index."""

    kind: str  # "see" or "use"
    text: str  # as printed, codes included: "Resection, Uterus 0UT9"
    target: str  # the term or value it names, without codes: "Resection, Uterus"
    codes: tuple[str, ...] = ()  # "0UT9", "0JH"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One main term or subterm of the PCS index with its full path and what it points to."""

    path: tuple[str, ...]
    codes: tuple[str, ...] = ()  # full or partial codes: "0UT7", "10A07ZX"
    references: tuple[Reference, ...] = ()
    line: int | None = None

    @property
    def text(self) -> str:
        return ", ".join(self.path)


# --- naming ----------------------------------------------------------------------------------------------
def axis_name(position: int, title: str) -> PropertyName:
    """The property name of an axis: the Medical and Surgical word where the axis has that title at that
    position ("pcs.body_part" for a 4th axis titled "Body Part"), else "pcs.axisN"."""
    official, name = _SEMANTIC_AXES[position]
    return name if title == official else PropertyName(f"pcs.axis{position}")


def code_axes(code: str, own: Sequence[Property], table: Sequence[Property]) -> list[tuple[str, Property]]:
    """What each character of an ICD-10-PCS code (or of a table's three) means: (axis title, value).

    ``own`` are the code's own properties, ``table`` those of its table (the code's first three characters).
    Labels belong to the table *row*: one value may have another label in another row of the same table
    (table XW0, character 6 "W": "COVID-19 Vaccine Booster" in one row, another device in the next), so a
    code's labels are its own properties, which the source took from its row. The table gives each axis its
    title, and each value its definition: that of the same value with the same label.
    """
    titles = {p.value: p.label for p in table if p.name == AXIS_TITLE_PROPERTY and p.label}
    definitions = {(p.name, p.value, p.label): p.definition for p in table if p.definition}
    values = [p for p in own if p.name.startswith("pcs.") and p.name != AXIS_TITLE_PROPERTY]
    if len(code) == 7:
        # The source yields one property per character, in character order.
        chosen: list[Property | None] = list(values) if len(values) == 7 else [None] * 7
    else:
        by_key = {(p.name, p.value): p for p in values}
        chosen = [
            by_key.get((axis_name(position, titles.get(str(position), "")), character))
            for position, character in enumerate(code, start=1)
        ]
    axes: list[tuple[str, Property]] = []
    for position, (character, prop) in enumerate(zip(code, chosen, strict=True), start=1):
        title = titles.get(str(position))
        if title is None:
            continue
        name = prop.name if prop is not None else axis_name(position, title)
        label = prop.label if prop is not None else None
        definition = (prop.definition if prop is not None else None) or definitions.get((name, character, label))
        axes.append((title, Property(SYSTEM, code, name, character, label, definition)))
    return axes


def _text(element: etree._Element) -> str:
    return squash("".join(str(part) for part in element.itertext()))


# --- tables XML ------------------------------------------------------------------------------------------
class _TablesReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _fail(self, element: etree._Element, reason: str) -> SourceError:
        return SourceError(self.path, line_of(element), reason)

    def read(self, root: etree._Element) -> Tables:
        if root.tag != "ICD10PCS.tabular":
            raise self._fail(root, f"not an ICD-10-PCS tables file: root <{root.tag}>, expected <ICD10PCS.tabular>")
        version = squash(root.findtext("version")) or _year_of(self.path.name)
        if not version:
            raise self._fail(root, "no <version> element")
        tables = tuple(self._table(element) for element in root.iterfind("pcsTable"))
        if not tables:
            raise self._fail(root, "no <pcsTable> element")
        seen: set[str] = set()
        for table in tables:
            if table.code in seen:
                raise SourceError(self.path, table.line, f"table {table.code} appears twice")
            seen.add(table.code)
        return Tables(version, squash(root.findtext("title")), tables)

    def _axis(self, element: etree._Element, expected: int) -> tuple[AxisValue, ...]:
        position = element.get("pos")
        if position != str(expected):
            raise self._fail(element, f"axis pos={position!r} where axis {expected} was expected")
        title = squash(element.findtext("title"))
        if not title:
            raise self._fail(element, f"axis {expected} without <title>")
        definition = squash(element.findtext("definition")) or None
        values: list[AxisValue] = []
        for label in element.iterfind("label"):
            value = (label.get("code") or "").strip()
            text = _text(label)
            if not _VALUE.match(value) or not text:
                raise self._fail(label, f"axis {expected} label needs a code (one PCS character) and a text")
            values.append(AxisValue(expected, title, value, text, definition))
        if not values:
            raise self._fail(element, f"axis {expected} ({title}) has no <label>")
        count = element.get("values")
        if count is not None and count.isdigit() and int(count) != len(values):
            raise self._fail(element, f"axis {expected} says values={count} but lists {len(values)} labels")
        return tuple(values)

    def _axes(self, parent: etree._Element, positions: range) -> list[tuple[AxisValue, ...]]:
        elements = parent.findall("axis")
        if len(elements) != len(positions):
            raise self._fail(parent, f"<{parent.tag}> needs axes {positions.start}-{positions.stop - 1}")
        return [self._axis(element, position) for element, position in zip(elements, positions, strict=True)]

    def _table(self, element: etree._Element) -> PcsTable:
        fixed = self._axes(element, range(1, 4))
        for axis in fixed:
            if len(axis) != 1:
                raise self._fail(element, f"table axis {axis[0].position} must have exactly one label")
        rows: list[PcsRow] = []
        for row_element in element.iterfind("pcsRow"):
            axes = tuple(self._axes(row_element, range(4, 8)))
            combinations = 1
            for axis in axes:
                combinations *= len(axis)
            stated = row_element.get("codes")
            if stated is not None and stated.isdigit() and int(stated) != combinations:
                raise self._fail(row_element, f"row says codes={stated} but its labels combine to {combinations}")
            rows.append(PcsRow(axes, line_of(row_element)))
        if not rows:
            raise self._fail(element, "table without <pcsRow>")
        table = PcsTable((fixed[0][0], fixed[1][0], fixed[2][0]), tuple(rows), line_of(element))
        seen: set[str] = set()
        for row in table.rows:
            for combo in row.combinations():
                code = "".join(v.value for v in combo)
                if code in seen:
                    raise SourceError(self.path, row.line, f"code {table.code}{code} is in two rows of its table")
                seen.add(code)
        return table


def load_tables(path: Path, data: bytes | None = None) -> Tables:
    """Read the CMS ICD-10-PCS tables XML (plain or .gz; ``data`` for a zip member's bytes)."""
    return _TablesReader(path).read(parse_xml(path, data))


# --- order file ------------------------------------------------------------------------------------------
def load_order(path: Path, member: str | None = None) -> Iterator[OrderEntry]:
    """Read the CMS order file (fixed width, icd10pcsOrderFile.pdf), plain or a member of the CMS zip."""
    where = path if member is None else f"{path}!{member}"
    for number, line in text_lines(path, member):
        if not line.strip():
            continue
        if len(line) < 78 or not _ORDER_LINE.match(line.encode("latin-1", "replace")):
            raise SourceError(
                where,
                number,
                "not an ICD-10-PCS order file line (expected: 5-digit order number, code in columns 7-13, "
                "0/1 flag in column 15, short title from column 17, long title from column 78)",
            )
        code = line[6:13].strip()
        if len(code) not in (3, 7):
            raise SourceError(where, number, f"order file code {code!r} is neither a table (3) nor a code (7)")
        yield OrderEntry(int(line[:5]), code, line[14] == "1", line[16:76].strip(), line[77:].strip(), number)


# --- definitions XML -------------------------------------------------------------------------------------
def load_definitions(path: Path, data: bytes | None = None) -> Definitions:
    """Read the CMS ICD-10-PCS definitions XML: definitions, the keys and the device aggregation table."""
    root = parse_xml(path, data)
    if root.tag != "ICD10PCS.definitions":
        raise SourceError(path, line_of(root), f"not an ICD-10-PCS definitions file: root <{root.tag}>")
    version = squash(root.findtext("version")) or _year_of(path.name)
    if not version:
        raise SourceError(path, line_of(root), "no <version> element")
    terms: list[Term] = []
    for section in root.iterfind("section"):
        code = (section.get("code") or "").strip()
        if not _VALUE.match(code):
            raise SourceError(path, line_of(section), "section without a one-character code")
        for axis in section.iterfind("axis"):
            position = axis.get("pos") or ""
            if not position.isdigit() or not 1 <= int(position) <= 7:
                raise SourceError(path, line_of(axis), f"axis pos={position!r} is not 1-7")
            axis_title = squash(axis.findtext("title"))
            for entry in axis.iterfind("terms"):
                titles = tuple(t for t in (_text(e) for e in entry.iterfind("title")) if t)
                if not titles:
                    raise SourceError(path, line_of(entry), "<terms> without <title>")
                terms.append(
                    Term(
                        code,
                        int(position),
                        axis_title,
                        titles,
                        squash(entry.findtext("definition")) or None,
                        squash(entry.findtext("explanation")) or None,
                        tuple(t for t in (_text(e) for e in entry.iterfind("includes")) if t),
                        line_of(entry),
                    )
                )
    aggregates: list[DeviceAggregate] = []
    for aggregate in root.iterfind("deviceAggregation/aggregate"):
        parent = aggregate.find("parent")
        device = squash(aggregate.findtext("device"))
        if parent is None or not device or not _VALUE.match((parent.get("value") or "").strip()):
            raise SourceError(path, line_of(aggregate), "<aggregate> needs <device> and <parent value=...>")
        aggregates.append(
            DeviceAggregate(
                device,
                squash(aggregate.findtext("operation")) or _ALL_OPERATIONS,
                tuple(_text(e) for e in aggregate.iterfind("bodySys")),
                (parent.get("value") or "").strip(),
                _text(parent),
            )
        )
    return Definitions(version, tuple(terms), tuple(aggregates))


# --- index XML -------------------------------------------------------------------------------------------
def _codes_in(element: etree._Element) -> tuple[str, ...]:
    """The codes an element names through its ``tab``/``codes``/``code`` children."""
    found: list[str] = []
    for child in element:
        if child.tag in ("tab", "codes", "code"):
            for token in re.split(r"[\s,;]+", _text(child).upper()):
                if token:
                    found.append(token)
    return tuple(found)


def _references(element: etree._Element) -> tuple[Reference, ...]:
    found: list[Reference] = []
    for child in element:
        if child.tag in ("see", "use"):
            # The element's own text and tails, without the codes its <tab>/<codes> children hold.
            words = [child.text or ""] + [grandchild.tail or "" for grandchild in child]
            found.append(Reference(str(child.tag), _text(child), squash(" ".join(words)), _codes_in(child)))
    return tuple(found)


def load_index(path: Path, data: bytes | None = None) -> tuple[str | None, tuple[IndexEntry, ...]]:
    """Read the CMS ICD-10-PCS index XML: the version and every term with what it points to."""
    root = parse_xml(path, data)
    if root.tag != "ICD10PCS.index":
        raise SourceError(path, line_of(root), f"not an ICD-10-PCS index file: root <{root.tag}>")
    version = squash(root.findtext("version")) or _year_of(path.name)
    entries: list[IndexEntry] = []

    def walk(element: etree._Element, parents: tuple[str, ...]) -> None:
        title = element.find("title")
        # A term carried over a page break is printed again with "(continued)": it is the same term.
        text = _CONTINUED.sub("", _text(title)) if title is not None else ""
        if not text:
            raise SourceError(path, line_of(element), f"<{element.tag}> without <title>")
        here = (*parents, text)
        for code in _codes_in(element):
            if not _CODE_TOKEN.match(code):
                raise SourceError(path, line_of(element), f"{code!r} is not an ICD-10-PCS code or table")
        entries.append(IndexEntry(here, _codes_in(element), _references(element), line_of(element)))
        for child in element.iterfind("term"):
            walk(child, here)

    for main in root.iterfind("letter/mainTerm"):
        walk(main, ())
    if not entries:
        raise SourceError(path, line_of(root), "no <letter>/<mainTerm> element")
    return version, tuple(entries)


# --- titles ----------------------------------------------------------------------------------------------
_EMPTY_LABELS = frozenset({"None", "No Device", "No Qualifier"})
_LATERAL = re.compile(r"^(.*), (Left|Right|Bilateral)$")
# Medical and Surgical root operations that CMS titles without "of" ("Bypass Left Ureter to Bladder",
# "Repair Right Kidney"), counted on the FY2026 order file.
_NO_OF = frozenset(
    {"Bypass", "Change", "Control", "Detachment", "Fragmentation", "Map", "Release", "Repair", "Reposition"}
    | {"Supplement", "Transfer"}
)
# Where CMS titles put the device: "Insertion of Infusion Device into Brain", "Removal of ... from ...".
_DEVICE_PREPOSITION = {"Insertion": "into", "Removal": "from", "Revision": "in", "Change": "in"}
_APPROACH_WORD = frozenset({"Open", "Percutaneous", "Percutaneous Endoscopic", "External"})


def _lateral(label: str) -> str:
    """CMS titles put laterality first: "Fallopian Tubes, Bilateral" -> "Bilateral Fallopian Tubes"."""
    match = _LATERAL.match(label)
    return f"{match.group(2)} {match.group(1)}" if match else label


def compose_title(values: Sequence[AxisValue]) -> str:
    """A title for a code composed from its seven axis labels, for when no order file is at hand.

    It approximates how the CMS order file words long titles ("Resection of Bilateral Fallopian Tubes, Open
    Approach"); CMS writes its titles by hand, so this is a readable stand-in, not the official title.
    """
    labels = [v.label for v in values]
    titles = [v.title for v in values]
    operation, site, approach, device, qualifier = labels[2], labels[3], labels[4], labels[5], labels[6]
    if titles[2] == "Operation" and titles[4] == "Approach":
        name = f"{operation} {_lateral(site)}" if operation in _NO_OF else f"{operation} of {_lateral(site)}"
        if operation == "Bypass" and qualifier not in _EMPTY_LABELS:
            name += f" to {qualifier}"
            qualifier = "None"
        if device not in _EMPTY_LABELS:
            preposition = _DEVICE_PREPOSITION.get(operation)
            if preposition is not None:
                name = f"{operation} {'' if operation in _NO_OF else 'of '}{device} {preposition} {_lateral(site)}"
            else:
                name += f" with {device}"
        parts = [name, approach + (" Approach" if approach in _APPROACH_WORD else "")]
        if qualifier not in _EMPTY_LABELS:
            parts.append(qualifier)
        return ", ".join(parts)
    # "Fluoroscopy of Vagina" where the 4th axis is a site; "Psychological Tests, Neuropsychological" elsewhere.
    sited = any(word in titles[3] for word in ("Body", "Region", "Site"))
    rest = [label for label in labels[4:] if label not in _EMPTY_LABELS]
    if site in _EMPTY_LABELS:
        name = operation
    elif sited:
        name = f"{operation} of {_lateral(site)}"
    else:
        name, rest = operation, [site, *rest]
    if rest and titles[4] in ("Contrast", "Radionuclide"):
        name += f" using {rest.pop(0)}"
    return ", ".join([name, *rest])


# --- resolving definitions and keys to the tables --------------------------------------------------------
class _Values:
    """Where each value label appears: (section, position, label) -> the tables whose rows use it."""

    def __init__(self, tables: Sequence[PcsTable]) -> None:
        self.tables = {table.code: table for table in tables}
        self.where: dict[tuple[str, int, str], list[str]] = {}
        for table in tables:
            for position in range(1, 8):
                for value in table.values(position):
                    self.where.setdefault((table.code[0], position, value.label), []).append(table.code)

    def resolve(self, section: str, position: int, title: str) -> list[tuple[str, str]]:
        """The (table, label) pairs a definitions-XML title names, most specific reading first.

        The keys write a value bare ("Fallopian Tube, Left"), in a body system ("Autologous Arterial Tissue
        in Upper Arteries"), for an operation in a body system ("Cardiac Lead, Pacemaker for Insertion in
        Heart and Great Vessels"), or, in section F, with the type it belongs to ("Aphasia (Assessment)").
        """
        exact = self.where.get((section, position, title))
        if exact:
            return [(code, title) for code in exact]
        parts = title.split(" in ")
        for cut in range(len(parts) - 1, 0, -1):
            head, context = " in ".join(parts[:cut]), " in ".join(parts[cut:])
            before, _, after = head.rpartition(" for ")
            for label, operation in ((head, ""), (before, after)):
                tables = [
                    code
                    for code in self.where.get((section, position, label), ())
                    if context in (self.tables[code].fixed[1].label, self.tables[code].fixed[0].label)
                    and (not operation or self.tables[code].fixed[2].label == operation)
                ]
                if tables:
                    return [(code, label) for code in tables]
        typed = re.fullmatch(r"(.*) \(([^()]*)\)", title)
        if typed:
            label, kind = typed.group(1), typed.group(2)
            everywhere = self.where.get((section, position, label), [])
            tables = [code for code in everywhere if kind in self.tables[code].fixed[2].label] or everywhere
            if tables:
                return [(code, label) for code in tables]
        # The substance key also names 7th-character values ("Oxazolidinones" qualifies Anti-infective).
        for other in range(4, 8):
            found = self.where.get((section, other, title))
            if other != position and found:
                return [(code, title) for code in found]
        return []

    def anywhere(self, text: str) -> list[tuple[str, str]]:
        """Tables whose axes 4-7 use a value an index "use" reference names, in any section."""
        found: list[tuple[str, str]] = []
        for section in sorted({code[0] for code in self.tables}):
            for position in range(4, 8):
                hits = self.resolve(section, position, text)
                if hits:
                    found.extend(hits)
                    break
        return list(dict.fromkeys(found))


# --- assembling a release --------------------------------------------------------------------------------
class _Designations:
    """Designations without duplicates, in the order they were first made."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, DesignationKind, str], Designation] = {}

    def add(self, code: str, kind: DesignationKind, text: str, source: str, via: str | None = None) -> None:
        # One designation per concept, kind and text: the first source wins, the others add their "via".
        key = (code, kind, text.casefold())
        if key not in self.items:
            self.items[key] = Designation(SYSTEM, code, kind, text, source, via)
        elif via is not None:
            old = self.items[key]
            if old.via is not None and via not in old.via.split("; "):
                self.items[key] = Designation(SYSTEM, code, kind, old.text, old.source, f"{old.via}; {via}")


@dataclass(frozen=True, slots=True)
class _Parts:
    concepts: tuple[Concept, ...]
    properties: tuple[Property, ...]
    notes: tuple[ConceptNote, ...]


def _definition_text(term: Term) -> str:
    return "\n".join(t for t in (term.definition, term.explanation, *term.includes) if t)


def _build(
    *,
    tables: Tables,
    values: _Values,
    order: dict[str, OrderEntry],
    definitions: Definitions | None,
    designations: _Designations,
    warnings: list[str],
) -> _Parts:
    # Definitions of values, by (table, position, label); the 3rd axis also gives the table's notes.
    defined: dict[tuple[str, int, str], Term] = {}
    if definitions is not None:
        for item in definitions.terms:
            if item.key is not None:
                continue
            for title in item.titles:
                for code, label in values.resolve(item.section, item.position, title):
                    defined.setdefault((code, item.position, label), item)
    concepts: list[Concept] = []
    properties: list[Property] = []
    notes: list[ConceptNote] = []
    known_names: dict[tuple[int, str], str] = {}

    def names(value: AxisValue) -> str:
        key = (value.position, value.title)
        name = known_names.get(key)
        if name is None:
            name = known_names[key] = axis_name(value.position, value.title)
        return name

    seen_headers: set[str] = set()
    composed = 0
    for table in tables.tables:
        section, system, operation = table.fixed
        # Sections G and H have no body system (value Z, "None"): such a body system is named by its section.
        system_title = section.label if system.label in _EMPTY_LABELS else system.label
        for code, header, kind, depth, parent in (
            (table.code[0], section.label, ConceptKind.CHAPTER, 0, None),
            (table.code[:2], system_title, ConceptKind.BLOCK, 1, table.code[0]),
        ):
            if code not in seen_headers:
                seen_headers.add(code)
                concepts.append(Concept(SYSTEM, code, header, kind, False, parent, None, depth, len(concepts)))
                designations.add(code, DesignationKind.TITLE, header, "tables")
        entry = order.get(table.code)
        title = entry.long_title if entry else _table_title(table)
        concepts.append(
            Concept(
                SYSTEM,
                table.code,
                title,
                ConceptKind.CATEGORY,
                False,
                table.code[:2],
                entry.short_title if entry else None,
                2,
                len(concepts),
            )
        )
        designations.add(table.code, DesignationKind.TITLE, title, "order" if entry else "tables")
        if entry and entry.short_title and entry.short_title != title:
            designations.add(table.code, DesignationKind.SHORT_TITLE, entry.short_title, "order")
        # The table's words: axis titles, fixed values, and every value its rows allow, with definitions.
        for position in range(1, 8):
            allowed = table.values(position)
            properties.append(Property(SYSTEM, table.code, AXIS_TITLE_PROPERTY, str(position), allowed[0].title))
            for value in allowed:
                value_term = defined.get((table.code, position, value.label))
                text = value.definition or (_definition_text(value_term) if value_term else None)
                properties.append(Property(SYSTEM, table.code, names(value), value.value, value.label, text))
        root = defined.get((table.code, 3, operation.label))
        definition = operation.definition or (root.definition if root else None)
        if definition:
            notes.append(ConceptNote(SYSTEM, table.code, Note(NoteKind.NOTE, f"{operation.label}: {definition}")))
        if root is not None and root.explanation:
            notes.append(ConceptNote(SYSTEM, table.code, Note(NoteKind.NOTE, root.explanation)))
        for example in root.includes if root is not None else ():
            notes.append(ConceptNote(SYSTEM, table.code, Note(NoteKind.INCLUDES, example)))
        for code, axes in table.codes():
            entry = order.get(code)
            if entry is None:
                composed += 1
                title, short, source = compose_title(axes), None, "composed"
            else:
                title, short, source = entry.long_title, entry.short_title or None, "order"
            concepts.append(Concept(SYSTEM, code, title, ConceptKind.CODE, True, table.code, short, 3, len(concepts)))
            designations.add(code, DesignationKind.TITLE, title, source)
            if short and short != title:
                designations.add(code, DesignationKind.SHORT_TITLE, short, "order")
            properties.extend(Property(SYSTEM, code, names(value), value.value, value.label) for value in axes)
    if order and composed:
        warnings.append(
            f"{composed} ICD-10-PCS codes of the tables are not in the order file; their titles are composed"
        )
    return _Parts(tuple(concepts), tuple(properties), tuple(notes))


def _table_title(table: PcsTable) -> str:
    """The order file's header title: "Body System, Operation", with the section first outside section 0."""
    labels = [axis.label for axis in table.fixed if axis.label not in _EMPTY_LABELS]
    return ", ".join(labels[1:] if table.code[0] == "0" else labels)


def _check_order(tables: Tables, order: dict[str, OrderEntry], where: str, warnings: list[str]) -> None:
    """Header flags must agree with code length; codes the two files do not share become warnings."""
    table_codes = {table.code for table in tables.tables}
    for entry in order.values():
        if len(entry.code) == 3:
            if entry.valid:
                raise SourceError(where, entry.line, f"{entry.code} is a table header but is flagged valid (1)")
            if entry.code not in table_codes:
                warnings.append(f"order file table {entry.code} is not in the tables XML")
        elif not entry.valid:
            raise SourceError(where, entry.line, f"{entry.code} is a 7-character code but is flagged header (0)")
    valid = {
        table.code + "".join(v.value for v in combo)
        for table in tables.tables
        for row in table.rows
        for combo in row.combinations()
    }
    missing = sorted(code for code, entry in order.items() if entry.valid and code not in valid)
    if missing:
        warnings.append(
            f"{len(missing)} valid codes of the order file are not in the tables XML (first: {', '.join(missing[:5])})"
        )


def _key_designations(
    definitions: Definitions, values: _Values, designations: _Designations, warnings: list[str]
) -> None:
    unresolved: list[str] = []
    for term in definitions.terms:
        source = term.key
        if source is None:
            continue
        for title in term.titles:
            hits = values.resolve(term.section, term.position, title)
            if not hits:
                unresolved.append(title)
            for code, _label in hits:
                for text in term.includes:
                    designations.add(code, DesignationKind.SYNONYM, text, source, f"use {title}")
    for aggregate in definitions.aggregates:
        for table in values.tables.values():
            section, system, operation = table.fixed
            if (
                section.value == "0"
                and system.label in aggregate.body_systems
                and aggregate.operation in (_ALL_OPERATIONS, operation.label)
                and any(v.value == aggregate.parent_value for v in table.values(6))
            ):
                via = f"use {aggregate.parent_label}"
                designations.add(table.code, DesignationKind.SYNONYM, aggregate.device, _AGGREGATION_SOURCE, via)
    if unresolved:
        warnings.append(
            f"{len(unresolved)} ICD-10-PCS key entries name no value of the tables (first: {'; '.join(unresolved[:3])})"
        )


def _index_designations(
    entries: Sequence[IndexEntry],
    values: _Values,
    codes: set[str],
    designations: _Designations,
    warnings: list[str],
    *,
    source: str = _INDEX_SOURCE,
) -> None:
    by_path = {tuple(p.casefold() for p in entry.path): entry for entry in entries}
    unknown: list[str] = []
    uses: dict[str, list[str]] = {}  # "use" targets repeat ("use Intraluminal Device"): looked up once each
    # A partial code leaves the qualifier open, but a diagnostic procedure (qualifier "Diagnostic") is a
    # biopsy, which the index reaches through its own terms ("Biopsy - see Excision with qualifier
    # Diagnostic"): "Appendectomy - see Excision, Appendix 0DBJ" means the therapeutic codes.
    diagnostic = {
        code
        for table in values.tables.values()
        for code, axes in table.codes()
        if axes[6].title == "Qualifier" and axes[6].label == "Diagnostic"
    }
    therapeutic = sorted(codes - diagnostic)
    diagnostic_only = sorted(diagnostic)

    def targets(tokens: Iterable[str], text: str) -> list[str]:
        found: list[str] = []
        # A term or reference that says diagnostic or biopsy means the diagnostic codes, where there are some.
        says_diagnostic = bool(_DIAGNOSTIC_WORDS.search(text))
        for token in tokens:
            named = named_codes(token, diagnostic_only, values.tables) if says_diagnostic else []
            named = named or named_codes(token, therapeutic, values.tables)
            if named:
                found.extend(named)
            else:
                unknown.append(token)
        return found

    for entry in entries:
        texts = (entry.text, *natural_order(entry.path))
        for code in targets(entry.codes, entry.text):
            for text in texts:
                designations.add(code, DesignationKind.INDEX_TERM, text, source)
        for reference in entry.references:
            via = f"{reference.kind} {reference.text}"
            if reference.kind == "see":
                # A reference without codes leads to the term it names; that term's codes are the target.
                found = targets(reference.codes or _follow(reference.target, by_path), f"{entry.text} {via}")
                kind = DesignationKind.INDEX_TERM
            elif reference.codes:
                kind, found = DesignationKind.SYNONYM, targets(reference.codes, f"{entry.text} {via}")
            else:
                # "use Fallopian Tube, Left": the tables whose rows use that value.
                if reference.target not in uses:
                    uses[reference.target] = [code for code, _label in values.anywhere(reference.target)]
                kind, found = DesignationKind.SYNONYM, uses[reference.target]
            for code in found:
                for text in texts:
                    designations.add(code, kind, text, source, via)
    if unknown:
        warnings.append(
            f"{len(unknown)} ICD-10-PCS index codes name no table or code (first: {', '.join(unknown[:5])})"
        )


def named_codes(token: str, ordered: Sequence[str], tables: Collection[str]) -> list[str]:
    """The concepts a code the index writes names: a full code itself (one no longer valid, its table); a
    partial code the codes it starts ("0DTJ" -> the 5 codes of Resection of Appendix), where they are at
    most ``MAX_NAMED_CODES``, else its table ("0UT"); a table itself. Empty where it names none."""
    if len(token) == 7 and _present(token, ordered):
        return [token]
    if 3 < len(token) < 7:
        start = bisect.bisect_left(ordered, token)
        end = bisect.bisect_left(ordered, token + "~", start)
        if 0 < end - start <= MAX_NAMED_CODES:
            return list(ordered[start:end])
        if end == start:
            return []
    return [token[:3]] if token[:3] in tables else []


def _present(code: str, ordered: Sequence[str]) -> bool:
    at = bisect.bisect_left(ordered, code)
    return at < len(ordered) and ordered[at] == code


def natural_order(path: Sequence[str]) -> tuple[str, ...]:
    """An inverted main term read the way people say it, with the rest of the path: ("Puncture, lumbar",)
    -> ("Lumbar puncture",); ("Replacement, hip", "Partial or total") -> ("Hip replacement, Partial or
    total",). Empty where the main term is not inverted."""
    inverted = _INVERTED.match(path[0]) if path else None
    if inverted is None:
        return ()
    head, qualifier = inverted.group(1), inverted.group(2)
    # The head's capital is the index's, not the word's ("Puncture"): "Lumbar puncture", as a title reads.
    if head[:1].isupper() and head[1:] == head[1:].lower():
        head = head.lower()
    return (", ".join((f"{qualifier[:1].upper()}{qualifier[1:]} {head}", *path[1:])),)


def _follow(reference: str, by_path: dict[tuple[str, ...], IndexEntry]) -> tuple[str, ...]:
    """The codes of the term a code-less "see" reference names ("Destruction", "Excision, Liver")."""
    parts = [p.strip().casefold() for p in reference.split(",") if p.strip()]
    # Main terms may hold commas themselves: try the longest main term first.
    for cut in range(len(parts), 0, -1):
        key = (", ".join(parts[:cut]), *parts[cut:])
        entry = by_path.get(key)
        if entry is not None:
            return entry.codes
    return ()


# --- sniffing and loading --------------------------------------------------------------------------------
def _year_of(name: str) -> str | None:
    match = _YEAR.search(name)
    return match.group(1) if match else None


def _member_kind(name: str) -> FileKind | None:
    base = name.rsplit("/", 1)[-1].lower()
    for pattern, kind in _MEMBER_KINDS:
        if pattern.fullmatch(base):
            return kind
    return None


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """Recognise an official ICD-10-PCS file by its content (XML root) or CMS name (order file, zip)."""
    name = path.name.lower()
    if name.endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                members = archive.namelist()
        except (OSError, zipfile.BadZipFile):
            return None
        # A zip holding the tables is read as a whole (its definitions and index travel with it).
        for wanted in _KINDS:
            for member in members:
                if _member_kind(member) is wanted:
                    return FoundFile(wanted, path, _year_of(member.rsplit("/", 1)[-1]), member)
        return None
    root = _ROOT.match(head)
    if root is not None:
        kind = _ROOT_KINDS.get(root.group(1))
        if kind is None:
            return None
        version_match = _VERSION.search(head)
        return FoundFile(kind, path, version_match.group(1).decode() if version_match else _year_of(path.name))
    if _ORDER_NAME.fullmatch(name) and _ORDER_LINE.match(head):
        return FoundFile(FileKind.PCS_ORDER, path, _year_of(path.name))
    return None


def _with_siblings(found: Sequence[FoundFile]) -> list[FoundFile]:
    """Own files, plus the other PCS members of any CMS zip already found (tables, definitions and index
    travel in one zip)."""
    own = [f for f in found if f.kind in _KINDS]
    kinds = {f.kind for f in own}
    for zipped in [f for f in own if f.member is not None]:
        try:
            with zipfile.ZipFile(zipped.path) as archive:
                members = archive.namelist()
        except (OSError, zipfile.BadZipFile) as exc:
            raise SourceError(zipped.path, None, f"cannot read zip: {exc}") from exc
        for member in members:
            kind = _member_kind(member)
            if kind is not None and kind not in kinds:
                kinds.add(kind)
                own.append(FoundFile(kind, zipped.path, _year_of(member.rsplit("/", 1)[-1]), member))
    return own


def _read(found: FoundFile) -> tuple[Path, bytes | None]:
    """The path to name in errors and the bytes to parse (None: read the file itself)."""
    if found.member is None:
        return found.path, None
    try:
        with zipfile.ZipFile(found.path) as archive:
            data = archive.read(found.member)
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise SourceError(found.path, None, f"cannot read {found.member}: {exc}") from exc
    return Path(f"{found.path}!{found.member}"), data


def _source(found: FoundFile) -> SourceFile:
    return source_file(found.path, found.path.name if found.member is None else f"{found.path.name}!{found.member}")


def effective(version: str) -> dt.date | None:
    """ICD-10-PCS fiscal year N takes effect on October 1 of year N-1 (FY2026: 2025-10-01)."""
    return dt.date(int(version) - 1, 10, 1) if version.isdigit() else None


def _index_file(own: Sequence[FoundFile], version: str, warnings: list[str]) -> FoundFile | None:
    """The index to read: of the tables' release where there is one, else the newest other (with a
    warning): the index changes little between releases, and its terms name tables and codes, which are
    checked against the tables (those gone since are counted, not used)."""
    candidates = newest(own, FileKind.PCS_INDEX)
    same = [f for f in candidates if f.version in (None, version)]
    chosen = same[0] if same else candidates[0] if candidates else None
    if chosen is None:
        return None
    for other in candidates:
        if other is chosen:
            if other.version not in (None, version):
                warnings.append(
                    f"{other.path.name}: an index of release {other.version} read with the {version} tables;"
                    " its terms name only the tables and codes that exist in both"
                )
        else:
            warnings.append(f"{other.path.name}: version {other.version} ignored, the index used is {chosen.path.name}")
    return chosen


def load(found: Sequence[FoundFile]) -> ReleaseContent | None:
    """The ICD-10-PCS release in ``found`` (newest tables first), or None when no PCS file is there."""
    own = _with_siblings(found)
    if not own:
        return None
    tables_files = newest(own, FileKind.PCS_TABLES)
    if not tables_files:
        raise SourceError(
            own[0].path,
            None,
            "an ICD-10-PCS file without the tables XML (icd10pcs_tables_YYYY.xml), which defines the codes",
        )
    main = tables_files[0]
    tables = load_tables(*_read(main))
    warnings: list[str] = []
    files = [_source(main)]

    def pick(kind: FileKind) -> FoundFile | None:
        candidates = newest(own, kind)
        same = [f for f in candidates if f.version in (None, tables.version)]
        for other in candidates:
            if other not in same:
                warnings.append(f"{other.path.name}: version {other.version} ignored, the tables are {tables.version}")
        return same[0] if same else None

    order: dict[str, OrderEntry] = {}
    order_file = pick(FileKind.PCS_ORDER)
    if order_file is not None:
        where = str(order_file.path if order_file.member is None else f"{order_file.path}!{order_file.member}")
        order = {entry.code: entry for entry in load_order(order_file.path, order_file.member)}
        _check_order(tables, order, where, warnings)
        files.append(_source(order_file))
    else:
        warnings.append("no ICD-10-PCS order file: code titles are composed from the axis labels")
    definitions: Definitions | None = None
    definitions_file = pick(FileKind.PCS_DEFINITIONS)
    if definitions_file is not None:
        definitions = load_definitions(*_read(definitions_file))
        files.append(_source(definitions_file))
    designations = _Designations()
    values = _Values(tables.tables)
    parts = _build(
        tables=tables, values=values, order=order, definitions=definitions, designations=designations, warnings=warnings
    )
    if definitions is not None:
        _key_designations(definitions, values, designations, warnings)
    index_file = _index_file(own, tables.version, warnings)
    if index_file is not None:
        _version, entries = load_index(*_read(index_file))
        codes = {c.code for c in parts.concepts if c.kind is ConceptKind.CODE}
        record = _source(index_file)
        # Terms of a reconstructed index (not the CMS file) say so wherever they are shown.
        source = _INDEX_SOURCE + (RECONSTRUCTED if record.reconstructed else "")
        _index_designations(entries, values, codes, designations, warnings, source=source)
        files.append(record)
    release = Release(SYSTEM, tables.version, effective(tables.version), tuple(dict.fromkeys(files)))
    return ReleaseContent(
        release,
        parts.concepts,
        tuple(designations.items.values()),
        parts.notes,
        (),
        parts.properties,
        (),
        tuple(warnings),
    )
