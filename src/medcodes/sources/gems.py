"""The General Equivalence Mappings (GEMs) between ICD-9-CM and ICD-10-CM / ICD-10-PCS (CMS, CDC).

Files (2018 is the final GEM release): diagnoses ``2018_I9gem.txt`` (ICD-9-CM -> ICD-10-CM) and
``2018_I10gem.txt`` (ICD-10-CM -> ICD-9-CM), also inside ``Dxgem_2018.zip``; procedures ``gem_i9pcs.txt``
(ICD-9-CM -> ICD-10-PCS) and ``gem_pcsi9.txt`` (ICD-10-PCS -> ICD-9-CM).

Layout (CDC Dxgem_guide_2018.pdf, GemsTechDoc_2018.pdf; the procedure GEMs share it): one row per line,
three fields separated by spaces: source code, target code (both without dots), and five flag digits:
approximate (0 = identical meaning), no map (the target is ``NoDx``/``NoPCS``), combination (the source
needs several targets together), scenario (0-9: which combination of targets) and choice list (0-9: one
target must be chosen from each list of a scenario).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import Designation, DesignationKind, NameScope, Relation, RelationKind
from medcodes.sources.crosswalk import (
    Crosswalk,
    MissingCounter,
    display_name,
    file_record,
    known_sets,
    newest,
)
from medcodes.sources.files import text_lines
from medcodes.sources.icd10pcs import MAX_NAMED_CODES
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import NAMES, SystemId


@dataclass(frozen=True, slots=True)
class _Table:
    source: SystemId
    target: SystemId
    family: str  # "dx" or "pcs"
    direction: str  # "i9-i10" or "i10-i9"
    # The official file name without ".txt" ("2018_I9gem.txt", "gem_i9pcs.txt"), matched without case; a
    # year may precede it and a marker of the copy follow it ("DERIVED_gem_i9pcs_2018.reconstructed.txt").
    base: str


_TABLES: dict[FileKind, _Table] = {
    FileKind.GEM_DX_9_TO_10: _Table(SystemId.ICD9CM, SystemId.ICD10CM, "dx", "i9-i10", "i9gem"),
    FileKind.GEM_DX_10_TO_9: _Table(SystemId.ICD10CM, SystemId.ICD9CM, "dx", "i10-i9", "i10gem"),
    FileKind.GEM_PCS_9_TO_10: _Table(SystemId.ICD9CM, SystemId.ICD10PCS, "pcs", "i9-i10", "gem_i9pcs"),
    FileKind.GEM_PCS_10_TO_9: _Table(SystemId.ICD10PCS, SystemId.ICD9CM, "pcs", "i10-i9", "gem_pcsi9"),
}
# Targets written where the no-map flag is set (GEM technical documentation).
_NO_MAP_TARGET = {"dx": "NoDx", "pcs": "NoPCS"}
_ROW = re.compile(r"^(\S+)\s+(\S+)\s+([01][01][01][0-9][0-9])$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_TEXT_NAME = re.compile(r"(.+)\.txt(?:\.gz)?", re.I)
# Code shapes as the GEMs write them (no dots).
_ICD9_DX = re.compile(r"^(?:[0-9]{3,5}|V[0-9]{2,4}|E[0-9]{3,4})$")
_ICD9_PROC = re.compile(r"^[0-9]{3,4}$")
_ICD10CM = re.compile(r"^[A-Z][0-9A-Z]{2,6}$")
_PCS = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
_SNIFF_LINES = 5


def canonical(system: SystemId, family: str, raw: str) -> str | None:
    """The canonical form of a GEM code, or None where ``raw`` is not a code of that system.

    ICD-9-CM diagnoses take the dot after 3 characters (after 4 for E codes), ICD-9-CM procedures after
    2, ICD-10-CM after 3; ICD-10-PCS has no dot. Letters are upper-cased: the 2018 ICD-10 -> ICD-9 file
    writes one target as "v5889" (row T88.53XD).
    """
    raw = raw.upper()
    if system is SystemId.ICD10PCS:
        return raw if _PCS.match(raw) else None
    if system is SystemId.ICD10CM:
        return _dot(raw, 3) if _ICD10CM.match(raw) else None
    if family == "pcs":
        return _dot(raw, 2) if _ICD9_PROC.match(raw) else None
    if _ICD9_DX.match(raw):
        return _dot(raw, 4 if raw.startswith("E") else 3)
    return None


def _dot(code: str, n: int) -> str:
    return code if len(code) <= n else f"{code[:n]}.{code[n:]}"


def decode_flags(flags: str) -> tuple[str, ...]:
    """The five GEM flag digits in words: ("identical",), ("approximate", "combination", "scenario 1", ...)."""
    words = ["approximate" if flags[0] == "1" else "identical"]
    if flags[1] == "1":
        words.append("no map")
    if flags[2] == "1":
        words.extend(("combination", f"scenario {flags[3]}", f"choice list {flags[4]}"))
    return tuple(words)


# --- finding the files ---------------------------------------------------------------------------------
def _kind_of(name: str) -> FileKind | None:
    found = _TEXT_NAME.fullmatch(name.rsplit("/", 1)[-1])
    if found is None:
        return None
    stem = found.group(1).casefold()
    for kind, table in _TABLES.items():
        if re.search(rf"(?:^|[_.-]){table.base}(?:$|[_.-])", stem):
            return kind
    return None


def _looks_like_gem(head: bytes) -> bool:
    lines = [line for line in head.decode("latin-1").splitlines()[:_SNIFF_LINES] if line.strip()]
    # The last line of a 4,096-byte head may be cut short; the whole ones must be GEM rows.
    whole = lines[:-1] if len(lines) > 1 else lines
    return bool(whole) and all(_ROW.match(line.strip()) for line in whole)


def _version(*names: str) -> str | None:
    for name in names:
        match = _YEAR.search(name)
        if match:
            return match.group(1)
    return None


def sniff_all(path: Path, head: bytes) -> tuple[FoundFile, ...]:
    """Every GEM file in ``path``: the file itself, or each GEM member of a zip (Dxgem_2018.zip holds two)."""
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                found: list[FoundFile] = []
                for member in archive.namelist():
                    kind = _kind_of(member)
                    if kind is None:
                        continue
                    with archive.open(member) as fh:
                        if _looks_like_gem(fh.read(4096)):
                            found.append(FoundFile(kind, path, _version(member, path.name), member))
                return tuple(found)
        except (OSError, zipfile.BadZipFile):
            return ()
    kind = _kind_of(path.name)
    if kind is None or not _looks_like_gem(head):
        return ()
    return (FoundFile(kind, path, _version(path.name)),)


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """The first GEM file in ``path`` (see sniff_all for a zip holding several)."""
    found = sniff_all(path, head)
    return found[0] if found else None


# --- reading -------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Read:
    relations: tuple[Relation, ...]
    no_map: tuple[tuple[SystemId, str], ...]
    rows: int
    stray: tuple[str, ...] = ()  # rows with a scenario or choice list but no combination flag


def _read(found: FoundFile, missing: MissingCounter) -> _Read:
    table = _TABLES[found.kind]
    name = display_name(found)
    where = f"{found.path}!{found.member}" if found.member else found.path
    year = f"{found.version}-" if found.version else ""
    source = f"gem-{year}{table.family}-{table.direction}"
    no_map_target = _NO_MAP_TARGET[table.family]
    missing.start(name, table.source, table.target)
    relations: list[Relation] = []
    no_map: list[tuple[SystemId, str]] = []
    stray: list[str] = []
    rows = 0
    for number, line in text_lines(found.path, found.member):
        text = line.strip()
        if not text:
            continue
        match = _ROW.match(text)
        if match is None:
            raise SourceError(where, number, "expected a GEM row: source code, target code, five flag digits")
        raw_source, raw_target, flags = match.groups()
        source_code = canonical(table.source, table.family, raw_source)
        if source_code is None:
            raise SourceError(where, number, f"{raw_source!r} is not a {table.source.value} code")
        if flags[2] == "0" and flags[3:] != "00":
            # The layout gives a scenario and choice list only with the combination flag; the 2018 procedure
            # GEM has one row that breaks this (8628 0NDB0ZZ 10001). The row is kept as a plain one, and said.
            stray.append(f"{name} line {number}: flags {flags}")
            flags = flags[:3] + "00"
        rows += 1
        missing.check(name, table.source, source_code)
        if flags[1] == "1" or raw_target == no_map_target:
            if flags[1] != "1" or raw_target != no_map_target:
                raise SourceError(where, number, f"the no-map flag and the target {raw_target!r} disagree")
            no_map.append((table.source, source_code))
            # A fact of the GEM too: kept as a relation that names no target code, with the GEM's words.
            relations.append(
                Relation(
                    table.source,
                    source_code,
                    RelationKind.NO_MAP,
                    table.target,
                    "",
                    f"The {found.version + ' ' if found.version else ''}GEM lists no {NAMES[table.target]}"
                    f" equivalent for {source_code}",
                    source,
                    ("no map",),
                )
            )
            continue
        target_code = canonical(table.target, table.family, raw_target)
        if target_code is None:
            raise SourceError(where, number, f"{raw_target!r} is not a {table.target.value} code")
        missing.check(name, table.target, target_code)
        relations.append(
            Relation(
                table.source,
                source_code,
                RelationKind.MAPS_TO,
                table.target,
                target_code,
                source=source,
                flags=decode_flags(flags),
            )
        )
    if rows == 0:
        raise SourceError(where, None, "no GEM rows: the file is empty")
    return _Read(tuple(relations), tuple(no_map), rows, tuple(stray))


def load(found: Sequence[FoundFile], known: Mapping[SystemId, Collection[str]]) -> Crosswalk | None:
    """Read the newest GEM file of each direction found; None when there is none.

    Every row becomes a MAPS_TO relation with its flags in words; a no-map row becomes a NO_MAP relation
    (no target code; its detail says what the GEM says) and an entry of ``no_map``. Rows naming a code
    absent from ``known`` are kept and counted in ``missing``.
    """
    chosen, warnings = newest(found, _TABLES)
    if not chosen:
        return None
    missing = MissingCounter(known_sets(known))
    relations: list[Relation] = []
    no_map: list[tuple[SystemId, str]] = []
    rows: dict[str, int] = {}
    for item in chosen:
        read = _read(item, missing)
        relations.extend(read.relations)
        no_map.extend(read.no_map)
        rows[display_name(item)] = read.rows
        if read.stray:
            warnings.append(
                f"{len(read.stray)} rows with a scenario or choice list but no combination flag, read as plain rows"
                f" (first: {read.stray[0]})"
            )
    families = sorted({_TABLES[item.kind].family for item in chosen})
    what = " and ".join({"dx": "diagnoses", "pcs": "procedures"}[f] for f in families)
    versions = sorted({item.version for item in chosen if item.version})
    version = "/".join(versions) if versions else "unknown"
    return Crosswalk(
        name=f"GEMs {version} {what}",
        version=version,
        files=tuple(file_record(item) for item in chosen),
        relations=tuple(relations),
        missing=missing.counts,
        no_map=tuple(dict.fromkeys(no_map)),
        rows=rows,
        warnings=tuple(warnings + missing.warnings()),
    )


# --- ICD-9-CM procedure titles as names of ICD-10-PCS codes --------------------------------------------
PROCEDURE_NAME_SOURCE = "icd9cm-gem"


def procedure_names(
    relations: Sequence[Relation],
    titles: Mapping[str, str],
    official: Mapping[str, Collection[str]],
) -> tuple[Designation, ...]:
    """ICD-9-CM procedure titles given to the ICD-10-PCS codes the ICD-9-CM -> ICD-10-PCS GEM maps them to
    ("03.31 Spinal tap" names the Drainage of Spinal Canal codes), as SYNONYMs (source "icd9cm-gem").

    ``titles`` are the ICD-9-CM procedure titles by code, ``official`` the ICD-10-PCS concepts (codes and
    tables) with the lower-cased texts of their designations. A title names its target codes in each
    table where they are at most ``MAX_NAMED_CODES`` (as the index's partial codes do), else the table:
    ICD-9-CM's procedures are coarser than ICD-10-PCS codes, and one name on hundreds of codes would crowd
    every search it matches. ``via`` keeps the ICD-9-CM code, the GEM and its flags; ``scope`` says how
    well the title fits: exact for the one code the GEM calls identical, narrower for a table (it holds
    more than the title says), related where the GEM calls the mapping approximate, one of several, or
    one of a combination. A title the concept already carries is given too: the GEM's agreement with the
    code's own name decides which of the codes an index term names alike comes first ("Cholecystectomy": the
    PCS Index names Excision and Resection of the gallbladder; ICD-9-CM 51.22 Cholecystectomy maps to
    Resection, 0FT40ZZ).
    """
    targets: dict[str, dict[str, list[Relation]]] = {}
    for relation in relations:
        if (
            relation.source_system is SystemId.ICD9CM
            and relation.target_system is SystemId.ICD10PCS
            and relation.kind is RelationKind.MAPS_TO
            and relation.source_code in titles
        ):
            by_table = targets.setdefault(relation.source_code, {})
            by_table.setdefault(relation.target_code[:3], []).append(relation)
    made: dict[tuple[str, str], Designation] = {}
    for icd9, tables in targets.items():
        title = titles[icd9]
        key = title.casefold()
        for table, rows in tables.items():
            codes = sorted({r.target_code for r in rows})
            named = codes if len(codes) <= MAX_NAMED_CODES else [table]
            flags = {flag for r in rows for flag in r.flags}
            fit = NameScope.EXACT if flags <= {"identical"} and len(codes) == 1 else NameScope.RELATED
            scope = fit if named is codes else fit.weaker(NameScope.NARROW)
            words = ", ".join(sorted(f for f in flags if not any(ch.isdigit() for ch in f)))
            via = f"ICD-9-CM {icd9} {title}; {rows[0].source} ({words})"
            for target in named:
                if target not in official or (target, key) in made:
                    continue
                made[(target, key)] = Designation(
                    SystemId.ICD10PCS, target, DesignationKind.SYNONYM, title, PROCEDURE_NAME_SOURCE, via, scope
                )
    return tuple(made.values())
