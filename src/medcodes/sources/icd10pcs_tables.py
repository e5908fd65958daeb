"""ICD-10-PCS tables and order file: the tables XML read into tables of axes, the order file's lines, what
each character of a code is called (the property names of the axes), and titles composed from axis labels.
The file formats are described in ``sources/icd10pcs.py``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from medcodes.errors import SourceError
from medcodes.models import (
    Designation,
    DesignationKind,
    Property,
)
from medcodes.properties import PCS_AXES, PcsAxis
from medcodes.sources.files import line_of, parse_xml, squash, text_lines
from medcodes.systems import SystemId

SYSTEM = SystemId.ICD10PCS
# A PCS value is one character of 0-9 and A-Z; the letters I and O are not used, to avoid confusion with 1
# and 0 (ICD-10-PCS Reference Manual, "Characters").
VALUE = re.compile(r"^[0-9A-HJ-NP-Z]$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# icd10pcsOrderFile.pdf: cols 1-5 order number (zero filled), 7-13 code, 15 flag (0 header, 1 valid for
# HIPAA-covered transactions), 17-76 short description, 78 to end long description; blanks between.
ORDER_LINE = re.compile(rb"^\d{5} [0-9A-HJ-NP-Z]{3}[0-9A-HJ-NP-Z ]{4} [01] ")
# The axis titles of the Medical and Surgical section, by position, and the stable property names they give.
_SEMANTIC_AXES: dict[int, tuple[str, PcsAxis]] = {
    1: ("Section", PcsAxis.SECTION),
    2: ("Body System", PcsAxis.BODY_SYSTEM),
    3: ("Operation", PcsAxis.OPERATION),
    4: ("Body Part", PcsAxis.BODY_PART),
    5: ("Approach", PcsAxis.APPROACH),
    6: ("Device", PcsAxis.DEVICE),
    7: ("Qualifier", PcsAxis.QUALIFIER),
}
AXIS_TITLE_PROPERTY = PcsAxis.AXIS_TITLE


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


# --- naming ----------------------------------------------------------------------------------------------
def axis_name(position: int, title: str) -> PcsAxis:
    """The property name of an axis: the Medical and Surgical word where the axis has that title at that
    position ("pcs.body_part" for a 4th axis titled "Body Part"), else "pcs.axisN"."""
    official, name = _SEMANTIC_AXES[position]
    return name if title == official else PcsAxis.at(position)


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
    values = [p for p in own if p.name in PCS_AXES and p.name != AXIS_TITLE_PROPERTY]
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


def element_text(element: etree._Element) -> str:
    """An element's text, its children's included, with runs of white space made one space."""
    return squash("".join(str(part) for part in element.itertext()))


def year_of(name: str) -> str | None:
    """The year a file name states ("icd10pcs_tables_2026.xml": "2026")."""
    match = _YEAR.search(name)
    return match.group(1) if match else None


# --- tables XML ------------------------------------------------------------------------------------------
class _TablesReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _fail(self, element: etree._Element, reason: str) -> SourceError:
        return SourceError(self.path, line_of(element), reason)

    def read(self, root: etree._Element) -> Tables:
        if root.tag != "ICD10PCS.tabular":
            raise self._fail(root, f"not an ICD-10-PCS tables file: root <{root.tag}>, expected <ICD10PCS.tabular>")
        version = squash(root.findtext("version")) or year_of(self.path.name)
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
            text = element_text(label)
            if not VALUE.match(value) or not text:
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
        if len(line) < 78 or not ORDER_LINE.match(line.encode("latin-1", "replace")):
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


# --- titles ----------------------------------------------------------------------------------------------
EMPTY_LABELS = frozenset({"None", "No Device", "No Qualifier"})
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
        if operation == "Bypass" and qualifier not in EMPTY_LABELS:
            name += f" to {qualifier}"
            qualifier = "None"
        if device not in EMPTY_LABELS:
            preposition = _DEVICE_PREPOSITION.get(operation)
            if preposition is not None:
                name = f"{operation} {'' if operation in _NO_OF else 'of '}{device} {preposition} {_lateral(site)}"
            else:
                name += f" with {device}"
        parts = [name, approach + (" Approach" if approach in _APPROACH_WORD else "")]
        if qualifier not in EMPTY_LABELS:
            parts.append(qualifier)
        return ", ".join(parts)
    # "Fluoroscopy of Vagina" where the 4th axis is a site; "Psychological Tests, Neuropsychological" elsewhere.
    sited = any(word in titles[3] for word in ("Body", "Region", "Site"))
    rest = [label for label in labels[4:] if label not in EMPTY_LABELS]
    if site in EMPTY_LABELS:
        name = operation
    elif sited:
        name = f"{operation} of {_lateral(site)}"
    else:
        name, rest = operation, [site, *rest]
    if rest and titles[4] in ("Contrast", "Radionuclide"):
        name += f" using {rest.pop(0)}"
    return ", ".join([name, *rest])


# --- assembling a release --------------------------------------------------------------------------------
class Designations:
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
