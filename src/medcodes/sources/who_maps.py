"""The WHO ICD-10 <-> ICD-11 mapping tables, and ICD-10-CM codes linked to ICD-11 through their WHO stem.

WHO publishes the tables with each ICD-11 release as tab-separated text (UTF-8, CRLF), a header row whose
last column is the table's date (``2024-Jan-21``):

- ``10To11MapToOneCategory``: 10ClassKind, 10DepthInKind, icd10Code, icd10Chapter, icd10Title,
  11ClassKind, 11DepthInKind, ICD-11 FoundationURI, Linearization (release) URI, icd11Code, icd11Chapter,
  icd11Title. One row per ICD-10 class; "No Mapping" in the URI column where WHO gives no target.
- ``10To11MapToMultipleCategories``: the same columns, several rows per ICD-10 class.
- ``11To10MapToOneCategory``: Linearization (release) URI, icd11Code, icd11Chapter, icd11Title, icd10Code,
  icd10Chapter, icd10Title.
- ``foundation_10To11MapToOneCategory``: 10ClassKind, 10DepthInKind, icd10Code, icd10Chapter, icd10Title,
  ICD-11 FoundationURI, icd11Title, then two unlabelled columns: WHO's relation of the ICD-10 class to
  the Foundation entity ("Equivalent", or "Subclass": the ICD-10 class is narrower) and an integer
  (0 to -3) that these files do not document and medcodes does not use.

Codes are kept as WHO writes them: ICD-10 categories (E11.9, and the 5-character modified categories such
as B18.00), blocks (A00-A09) and chapters (I); ICD-11 codes (1A00, BA41.Z) and chapter numbers (01).
An ICD-11 cell may hold a cluster: stem codes joined by "/" (to be coded together) with extension codes
joined by "&" (1C41&XN6LP/1G40). Each stem code of a cluster becomes one relation, with the whole cluster
as the relation's detail. A row whose ICD-11 side is a block (blocks have no code) has no code to link
and is counted in the warnings. A "No Mapping" row becomes a NO_MAP relation that says so. The Foundation
table names Foundation entities, not ICD-11 MMS codes, so it adds no relation of its own: its relation
word becomes a flag of the matching MapToOneCategory row.

ICD-10-CM codes are linked to ICD-11 through the WHO ICD-10 code whose number they share only where the
titles show that they share its meaning too (see cm_to_icd11).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import Relation, RelationKind
from medcodes.sources.crosswalk import Crosswalk, MissingCounter, display_name, file_record, known_sets
from medcodes.sources.files import text_lines
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.title_words import says_all
from medcodes.systems import NAMES, SystemId

# ICD-10 and ICD-11 are (c) WHO; the ICD-11 files are licensed CC BY-ND 3.0 IGO. Keep this notice with
# every relation read from these tables wherever they are shown.
WHO_ATTRIBUTION = (
    "ICD-10 to ICD-11 mapping tables: © World Health Organization (WHO). ICD-11 is licensed under "
    "Creative Commons Attribution-NoDerivatives 3.0 IGO (CC BY-ND 3.0 IGO)."
)


class Table(StrEnum):
    """Which WHO table a file is; the value is the ``source`` of its relations."""

    TEN_TO_ELEVEN_ONE = "who-10to11-one"
    TEN_TO_ELEVEN_MULTIPLE = "who-10to11-multiple"
    ELEVEN_TO_TEN_ONE = "who-11to10-one"
    FOUNDATION_TEN_TO_ELEVEN = "who-foundation-10to11"


_NO_MAPPING = "No Mapping"
_TABLE_WORDS = {
    Table.TEN_TO_ELEVEN_ONE: "ICD-10 to ICD-11 table (one category)",
    Table.TEN_TO_ELEVEN_MULTIPLE: "ICD-10 to ICD-11 table (multiple categories)",
    Table.ELEVEN_TO_TEN_ONE: "ICD-11 to ICD-10 table",
    Table.FOUNDATION_TEN_TO_ELEVEN: "ICD-10 to ICD-11 Foundation table",
}
_HEADER_DATE = re.compile(r"^(\d{4})-([A-Za-z]{3})-(\d{1,2})$")
# A WHO ICD-10 category or modified category (E11, E11.9, B18.00), as opposed to a block or chapter.
_WHO_CATEGORY = re.compile(r"^[A-Z][0-9]{2}(?:\.[0-9A-Z]{1,2})?$")
_CM_CODE = re.compile(r"^[A-Z][0-9A-Z]{2}(?:\.[0-9A-Z]{1,4})?$")
_COLUMNS = {
    Table.TEN_TO_ELEVEN_ONE: 12,
    Table.TEN_TO_ELEVEN_MULTIPLE: 12,
    Table.ELEVEN_TO_TEN_ONE: 7,
    Table.FOUNDATION_TEN_TO_ELEVEN: 9,
}


def table_of(name: str, header: Sequence[str]) -> Table | None:
    """Which table a header row starts (direction from the columns; one vs multiple from the file name)."""
    columns = [c.strip().lstrip("\ufeff") for c in header]
    if len(columns) >= 7 and columns[1] == "icd11Code" and columns[4] == "icd10Code":
        return Table.ELEVEN_TO_TEN_ONE
    if len(columns) < 7 or columns[0] != "10ClassKind" or columns[2] != "icd10Code":
        return None
    if len(columns) >= 12 and columns[9] == "icd11Code":
        return Table.TEN_TO_ELEVEN_MULTIPLE if "multiple" in name.lower() else Table.TEN_TO_ELEVEN_ONE
    if columns[5] == "ICD-11 FoundationURI" and "icd11Code" not in columns:
        return Table.FOUNDATION_TEN_TO_ELEVEN
    return None


def _header_version(header: Sequence[str]) -> str | None:
    """The release the header's last column dates (``2024-Jan-21`` -> ``2024-01``)."""
    match = _HEADER_DATE.match(header[-1].strip()) if header else None
    if match is None:
        return None
    try:
        date = dt.datetime.strptime(f"{match.group(1)} {match.group(2)} {match.group(3)}", "%Y %b %d").date()
    except ValueError:
        return None
    return f"{date.year:04d}-{date.month:02d}"


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """A WHO mapping table (``.txt`` or ``.txt.gz``), recognised by its header row."""
    if not path.name.lower().endswith((".txt", ".txt.gz")):
        return None
    first = head.decode("utf-8", errors="replace").lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    header = first.split("\t")
    if table_of(path.name, header) is None:
        return None
    return FoundFile(FileKind.ICD10_ICD11_MAP, path, _header_version(header))


# --- reading -------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    cells: list[str]


@dataclass(frozen=True, slots=True)
class _File:
    """One table read whole (the largest holds 17,908 rows): which table its header names, and its rows."""

    found: FoundFile
    table: Table
    rows: tuple[_Row, ...]


def _read_file(found: FoundFile) -> _File:
    where = f"{found.path}!{found.member}" if found.member else str(found.path)
    lines = list(text_lines(found.path, found.member, encoding="utf-8-sig"))
    header = lines[0][1].split("\t") if lines else []
    table = table_of(found.member or found.path.name, header)
    if table is None:
        raise SourceError(where, 1, "not a WHO ICD-10/ICD-11 mapping table header")
    width = _COLUMNS[table]
    rows: list[_Row] = []
    for number, line in lines[1:]:
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != width:
            raise SourceError(where, number, f"expected {width} tab-separated columns, found {len(cells)}")
        rows.append(_Row(number, cells))
    return _File(found, table, tuple(rows))


def stems(cluster: str) -> tuple[str, ...]:
    """The stem codes of an ICD-11 cell: ``1C41&XN6LP/1G40`` -> ``("1C41", "1G40")``."""
    return tuple(part.split("&", 1)[0] for part in cluster.split("/") if part)


def _cluster_flags(cluster: str) -> tuple[str, ...]:
    flags: list[str] = []
    if "/" in cluster:
        flags.append("combination")  # several stem codes, to be coded together
    if "&" in cluster:
        flags.append("postcoordinated")  # a stem code with extension codes
    return tuple(flags)


class _Reader:
    def __init__(self, missing: MissingCounter) -> None:
        self.missing = missing
        self.relations: list[Relation] = []
        self.no_map: list[tuple[SystemId, str]] = []
        self.rows: dict[str, int] = {}
        self.uncoded: dict[str, int] = {}
        self.foundation: dict[str, tuple[str, str]] = {}  # icd10Code -> (Foundation URI, relation word)
        self._unmapped: set[tuple[SystemId, str]] = set()
        self.titles: dict[str, str] = {}  # icd10Code -> icd10Title, as the ICD-10 -> ICD-11 tables write it

    def read(self, file: _File) -> None:
        name = display_name(file.found)
        self.rows[name] = len(file.rows)
        if file.table is Table.FOUNDATION_TEN_TO_ELEVEN:
            self._foundation(file.rows)
        elif file.table is Table.ELEVEN_TO_TEN_ONE:
            self._eleven_to_ten(name, file.rows)
        else:
            self._ten_to_eleven(name, file.table, file.rows)

    def _no_map(self, system: SystemId, code: str, target: SystemId, table: Table) -> None:
        """A "No Mapping" row: listed in ``no_map`` and kept as a NO_MAP relation saying what the table says."""
        if (system, code) in self._unmapped:
            return
        self._unmapped.add((system, code))
        self.no_map.append((system, code))
        text = f"WHO's {_TABLE_WORDS[table]} lists no {NAMES[target]} equivalent for {code}"
        self.relations.append(Relation(system, code, RelationKind.NO_MAP, target, "", text, table.value, ("no map",)))

    def _foundation(self, rows: Iterable[_Row]) -> None:
        for row in rows:
            code, uri, word = row.cells[2], row.cells[5], row.cells[7]
            if uri == _NO_MAPPING:
                self.no_map.append((SystemId.ICD10, code))
            elif word:
                self.foundation[code] = (uri, word.lower())

    def _eleven_to_ten(self, name: str, rows: Iterable[_Row]) -> None:
        self.missing.start(name, SystemId.ICD11, SystemId.ICD10)
        for row in rows:
            icd11, icd10 = row.cells[1], row.cells[4]
            unmapped = icd10 == _NO_MAPPING or not icd10
            if icd11:
                self.missing.check(name, SystemId.ICD11, icd11)
            if not unmapped:
                self.missing.check(name, SystemId.ICD10, icd10)
            if not icd11:
                self.uncoded[name] = self.uncoded.get(name, 0) + 1
            elif unmapped:
                self._no_map(SystemId.ICD11, icd11, SystemId.ICD10, Table.ELEVEN_TO_TEN_ONE)
            else:
                self.relations.append(
                    Relation(
                        SystemId.ICD11,
                        icd11,
                        RelationKind.MAPS_TO,
                        SystemId.ICD10,
                        icd10,
                        source=Table.ELEVEN_TO_TEN_ONE.value,
                    )
                )

    def _ten_to_eleven(self, name: str, table: Table, rows: Iterable[_Row]) -> None:
        self.missing.start(name, SystemId.ICD10, SystemId.ICD11)
        for row in rows:
            icd10, uri, cluster = row.cells[2], row.cells[7], row.cells[9]
            self.titles.setdefault(icd10, row.cells[4])
            self.missing.check(name, SystemId.ICD10, icd10)
            if row.cells[8] == _NO_MAPPING:
                self._no_map(SystemId.ICD10, icd10, SystemId.ICD11, table)
                continue
            if not cluster:
                self.uncoded[name] = self.uncoded.get(name, 0) + 1
                continue
            self.missing.check(name, SystemId.ICD11, *stems(cluster))
            detail = cluster if ("/" in cluster or "&" in cluster) else None
            for stem in stems(cluster):
                relation = Relation(
                    SystemId.ICD10,
                    icd10,
                    RelationKind.MAPS_TO,
                    SystemId.ICD11,
                    stem,
                    detail=detail,
                    source=table.value,
                    flags=_cluster_flags(cluster),
                )
                if table is Table.TEN_TO_ELEVEN_ONE:
                    relation = self._with_foundation(relation, uri)
                self.relations.append(relation)

    def _with_foundation(self, relation: Relation, uri: str) -> Relation:
        entry = self.foundation.get(relation.source_code)
        if entry is None or entry[0] != uri:
            return relation
        return Relation(
            relation.source_system,
            relation.source_code,
            relation.kind,
            relation.target_system,
            relation.target_code,
            relation.detail,
            relation.source,
            (entry[1], *relation.flags),
        )


def cm_to_icd11(
    cm_titles: Mapping[str, str], who_rows: Iterable[Relation], who_titles: Mapping[str, str]
) -> tuple[Relation, ...]:
    """ICD-10-CM -> ICD-11 relations bridged through WHO ICD-10, where the CM code can be shown to mean it.

    ``cm_titles`` are the ICD-10-CM codes with their titles; ``who_rows`` WHO ICD-10 -> ICD-11 relations;
    ``who_titles`` the WHO ICD-10 titles. CMS reused some WHO numbers for other conditions (WHO K55.3
    "Angiodysplasia of small intestine" is CM K55.3 "Necrotizing enterocolitis"), so a number shared is
    not a meaning shared. A CM code C goes through the first WHO code W of C itself, its first four
    characters (S52.521A -> S52.5) and its category (S52) such that WHO maps W and the ICD-10-CM code
    numbered W has a title that says everything WHO's title of W says (``title_words.says_all``): then CM's
    W is WHO's W or narrower, and C, being W or below it in ICD-10-CM, is a kind of WHO's W. Where the
    nearer W fails the test, the broader one is tried (CM K55.3 goes through K55 "Vascular disorders of
    intestine", the same in both). Blocks and chapters are not linked: their ranges and numbering differ.

    A bridged link is never "equivalent": its flags say "indirect" and "via WHO ICD-10 W" (and "narrower"
    where C is below W), followed by WHO's other flags of the row (combination, postcoordinated, subclass).
    """
    by_who: dict[str, list[Relation]] = {}
    for relation in who_rows:
        if (
            relation.kind is RelationKind.MAPS_TO
            and relation.source_system is SystemId.ICD10
            and _WHO_CATEGORY.match(relation.source_code)
        ):
            by_who.setdefault(relation.source_code, []).append(relation)
    shown: dict[str, bool] = {}
    out: list[Relation] = []
    for cm in cm_titles:
        if not _CM_CODE.match(cm):
            continue
        for who in dict.fromkeys((cm, cm[:5], cm[:3])):
            rows = by_who.get(who)
            if rows is None or who not in cm_titles or who not in who_titles:
                continue
            if who not in shown:
                shown[who] = says_all(cm_titles[who], who_titles[who])
            if not shown[who]:
                continue
            flags = ("indirect", f"via WHO ICD-10 {who}", *(("narrower",) if who != cm else ()))
            out.extend(
                Relation(
                    SystemId.ICD10CM,
                    cm,
                    RelationKind.MAPS_TO,
                    SystemId.ICD11,
                    row.target_code,
                    row.detail,
                    f"{row.source}-via-icd10",
                    (*flags, *(f for f in row.flags if f != "equivalent")),
                )
                for row in rows
            )
            break
    return tuple(out)


def load(
    found: Sequence[FoundFile], known: Mapping[SystemId, Collection[str]], cm_titles: Mapping[str, str] | None = None
) -> Crosswalk | None:
    """Read the newest file of each WHO table found; None when there is none.

    With ``cm_titles`` (the ICD-10-CM codes and their titles), ICD-10-CM codes are also linked to ICD-11
    through the MapToOneCategory table where their meaning can be shown to be WHO's (see cm_to_icd11).
    """
    tables: dict[Table, _File] = {}
    warnings: list[str] = []
    for item in found:
        if item.kind is not FileKind.ICD10_ICD11_MAP:
            continue
        file = _read_file(item)
        held = tables.get(file.table)
        if held is None or (item.version or "") > (held.found.version or ""):
            if held is not None:
                warnings.append(f"{display_name(held.found)}: not read, {display_name(item)} is newer")
            tables[file.table] = file
        else:
            warnings.append(
                f"{display_name(item)}: not read, {display_name(held.found)} is the {file.table.value} table used"
            )
    if not tables:
        return None
    sets = known_sets(known)
    missing = MissingCounter(sets)
    reader = _Reader(missing)
    # The Foundation table first: its relation words become flags of the MapToOneCategory rows.
    order = (
        Table.FOUNDATION_TEN_TO_ELEVEN,
        Table.TEN_TO_ELEVEN_ONE,
        Table.TEN_TO_ELEVEN_MULTIPLE,
        Table.ELEVEN_TO_TEN_ONE,
    )
    chosen = [tables[t] for t in order if t in tables]
    for file in chosen:
        reader.read(file)
    relations = list(reader.relations)
    if cm_titles and Table.TEN_TO_ELEVEN_ONE in tables:
        flagged = [r for r in relations if r.source == Table.TEN_TO_ELEVEN_ONE.value]
        relations.extend(cm_to_icd11(dict(sorted(cm_titles.items())), flagged, reader.titles))
    warnings.extend(
        f"{name}: {count} {'row' if count == 1 else 'rows'} whose ICD-11 side is a block, which has no code: not linked"
        for name, count in reader.uncoded.items()
    )
    versions = sorted({f.found.version for f in chosen if f.found.version})
    version = "/".join(versions) if versions else "unknown"
    return Crosswalk(
        name=f"WHO ICD-10/ICD-11 mapping tables {version}",
        version=version,
        files=tuple(file_record(f.found) for f in chosen),
        relations=tuple(relations),
        missing=missing.counts,
        no_map=tuple(dict.fromkeys(reader.no_map)),
        rows=reader.rows,
        warnings=tuple(warnings + missing.warnings()),
        attribution=WHO_ATTRIBUTION,
    )
