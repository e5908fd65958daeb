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

This module finds the files and assembles the release (the source contract); the files are read in their own
modules, whose readers are named here too: ``icd10pcs_tables`` (the tables XML, the order file, the axes'
property names, composed titles), ``icd10pcs_definitions`` (the definitions XML and the keys, resolved to the
tables) and ``icd10pcs_index`` (the index XML and the designations it gives).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import (
    RECONSTRUCTED,
    Concept,
    ConceptKind,
    ConceptNote,
    DesignationKind,
    Note,
    NoteKind,
    Property,
    Release,
    ReleaseContent,
    SourceFile,
)
from medcodes.sources.files import source_file
from medcodes.sources.icd10pcs_definitions import (
    Definitions,
    DeviceAggregate,
    Term,
    Values,
    definition_text,
    key_designations,
    load_definitions,
)
from medcodes.sources.icd10pcs_index import (
    INDEX_SOURCE,
    MAX_NAMED_CODES,
    IndexEntry,
    Reference,
    index_designations,
    load_index,
    named_codes,
    natural_order,
)
from medcodes.sources.icd10pcs_tables import (
    AXIS_TITLE_PROPERTY,
    EMPTY_LABELS,
    ORDER_LINE,
    AxisValue,
    Designations,
    OrderEntry,
    PcsRow,
    PcsTable,
    Tables,
    axis_name,
    code_axes,
    compose_title,
    load_order,
    load_tables,
    year_of,
)
from medcodes.sources.kinds import FileKind, FoundFile, newest
from medcodes.systems import SystemId

__all__ = [
    "AXIS_TITLE_PROPERTY",
    "MAX_NAMED_CODES",
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
_VERSION = re.compile(rb"<version>\s*(\d{4})\s*</version>")
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


# --- assembling a release --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Parts:
    concepts: tuple[Concept, ...]
    properties: tuple[Property, ...]
    notes: tuple[ConceptNote, ...]


def _build(
    *,
    tables: Tables,
    values: Values,
    order: dict[str, OrderEntry],
    definitions: Definitions | None,
    designations: Designations,
    warnings: list[str],
) -> _Parts:
    defined = _defined(definitions, values)
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
        section, system, _ = table.fixed
        # Sections G and H have no body system (value Z, "None"): such a body system is named by its section.
        system_title = section.label if system.label in EMPTY_LABELS else system.label
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
        properties.extend(_table_properties(table, defined, names))
        notes.extend(_table_notes(table, defined))
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


def _defined(definitions: Definitions | None, values: Values) -> dict[tuple[str, int, str], Term]:
    """Definitions of values, by (table, position, label); the 3rd axis also gives the table's notes."""
    defined: dict[tuple[str, int, str], Term] = {}
    if definitions is not None:
        for item in definitions.terms:
            if item.key is not None:
                continue
            for title in item.titles:
                for code, label in values.resolve(item.section, item.position, title):
                    defined.setdefault((code, item.position, label), item)
    return defined


def _table_properties(
    table: PcsTable, defined: dict[tuple[str, int, str], Term], names: Callable[[AxisValue], str]
) -> Iterator[Property]:
    """The table's words: axis titles, fixed values, and every value its rows allow, with definitions."""
    for position in range(1, 8):
        allowed = table.values(position)
        yield Property(SYSTEM, table.code, AXIS_TITLE_PROPERTY, str(position), allowed[0].title)
        for value in allowed:
            value_term = defined.get((table.code, position, value.label))
            text = value.definition or (definition_text(value_term) if value_term else None)
            yield Property(SYSTEM, table.code, names(value), value.value, value.label, text)


def _table_notes(table: PcsTable, defined: dict[tuple[str, int, str], Term]) -> Iterator[ConceptNote]:
    """The root operation's definition, its explanation and its examples, as notes of the table."""
    operation = table.fixed[2]
    root = defined.get((table.code, 3, operation.label))
    definition = operation.definition or (root.definition if root else None)
    if definition:
        yield ConceptNote(SYSTEM, table.code, Note(NoteKind.NOTE, f"{operation.label}: {definition}"))
    if root is not None and root.explanation:
        yield ConceptNote(SYSTEM, table.code, Note(NoteKind.NOTE, root.explanation))
    for example in root.includes if root is not None else ():
        yield ConceptNote(SYSTEM, table.code, Note(NoteKind.INCLUDES, example))


def _table_title(table: PcsTable) -> str:
    """The order file's header title: "Body System, Operation", with the section first outside section 0."""
    labels = [axis.label for axis in table.fixed if axis.label not in EMPTY_LABELS]
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


# --- sniffing and loading --------------------------------------------------------------------------------
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
                    return FoundFile(wanted, path, year_of(member.rsplit("/", 1)[-1]), member)
        return None
    root = _ROOT.match(head)
    if root is not None:
        kind = _ROOT_KINDS.get(root.group(1))
        if kind is None:
            return None
        version_match = _VERSION.search(head)
        return FoundFile(kind, path, version_match.group(1).decode() if version_match else year_of(path.name))
    if _ORDER_NAME.fullmatch(name) and ORDER_LINE.match(head):
        return FoundFile(FileKind.PCS_ORDER, path, year_of(path.name))
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
                own.append(FoundFile(kind, zipped.path, year_of(member.rsplit("/", 1)[-1]), member))
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
    designations = Designations()
    values = Values(tables.tables)
    parts = _build(
        tables=tables, values=values, order=order, definitions=definitions, designations=designations, warnings=warnings
    )
    if definitions is not None:
        key_designations(definitions, values, designations, warnings)
    index_file = _index_file(own, tables.version, warnings)
    if index_file is not None:
        _version, entries = load_index(*_read(index_file))
        codes = {c.code for c in parts.concepts if c.kind is ConceptKind.CODE}
        record = _source(index_file)
        # Terms of a reconstructed index (not the CMS file) say so wherever they are shown.
        source = INDEX_SOURCE + (RECONSTRUCTED if record.reconstructed else "")
        index_designations(entries, values, codes, designations, warnings, source=source)
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
