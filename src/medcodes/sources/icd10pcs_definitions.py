"""ICD-10-PCS definitions: the definitions XML (definitions of values, the body part, device and substance
keys, the device aggregation table), and where in the tables each value a definition or a key names is used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import (
    DesignationKind,
)
from medcodes.sources.files import line_of, parse_xml, squash
from medcodes.sources.icd10pcs_tables import VALUE, Designations, PcsTable, element_text, year_of
from medcodes.systems import SystemId

SYSTEM = SystemId.ICD10PCS
# Definitions XML: which keys the includes-only terms form, by section and axis position.
_KEY_SOURCES: dict[tuple[str, int], str] = {
    ("0", 4): "pcs-body-part-key",
    ("0", 6): "pcs-device-key",
    ("X", 6): "pcs-device-key",
    ("3", 6): "pcs-substance-key",
}
_AGGREGATION_SOURCE = "pcs-device-aggregation"
_ALL_OPERATIONS = "All applicable"


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


# --- definitions XML -------------------------------------------------------------------------------------
def load_definitions(path: Path, data: bytes | None = None) -> Definitions:
    """Read the CMS ICD-10-PCS definitions XML: definitions, the keys and the device aggregation table."""
    root = parse_xml(path, data)
    if root.tag != "ICD10PCS.definitions":
        raise SourceError(path, line_of(root), f"not an ICD-10-PCS definitions file: root <{root.tag}>")
    version = squash(root.findtext("version")) or year_of(path.name)
    if not version:
        raise SourceError(path, line_of(root), "no <version> element")
    terms: list[Term] = []
    for section in root.iterfind("section"):
        code = (section.get("code") or "").strip()
        if not VALUE.match(code):
            raise SourceError(path, line_of(section), "section without a one-character code")
        for axis in section.iterfind("axis"):
            position = axis.get("pos") or ""
            if not position.isdigit() or not 1 <= int(position) <= 7:
                raise SourceError(path, line_of(axis), f"axis pos={position!r} is not 1-7")
            axis_title = squash(axis.findtext("title"))
            for entry in axis.iterfind("terms"):
                titles = tuple(t for t in (element_text(e) for e in entry.iterfind("title")) if t)
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
                        tuple(t for t in (element_text(e) for e in entry.iterfind("includes")) if t),
                        line_of(entry),
                    )
                )
    aggregates: list[DeviceAggregate] = []
    for aggregate in root.iterfind("deviceAggregation/aggregate"):
        parent = aggregate.find("parent")
        device = squash(aggregate.findtext("device"))
        if parent is None or not device or not VALUE.match((parent.get("value") or "").strip()):
            raise SourceError(path, line_of(aggregate), "<aggregate> needs <device> and <parent value=...>")
        aggregates.append(
            DeviceAggregate(
                device,
                squash(aggregate.findtext("operation")) or _ALL_OPERATIONS,
                tuple(element_text(e) for e in aggregate.iterfind("bodySys")),
                (parent.get("value") or "").strip(),
                element_text(parent),
            )
        )
    return Definitions(version, tuple(terms), tuple(aggregates))


# --- resolving definitions and keys to the tables --------------------------------------------------------
class Values:
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


def definition_text(term: Term) -> str:
    """A value's definition in words: its definition, explanation and examples, one a line."""
    return "\n".join(t for t in (term.definition, term.explanation, *term.includes) if t)


def key_designations(definitions: Definitions, values: Values, designations: Designations, warnings: list[str]) -> None:
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
