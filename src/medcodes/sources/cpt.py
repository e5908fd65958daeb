"""CPT from a licensed file that its user supplies. Nothing CPT is shipped, downloaded or written here.

CPT codes and descriptors are (c) American Medical Association. medcodes reads them only from files a
licensee points it at, and only with the licence that user asserts (``load(found, licence=...)``); the
tests use descriptors written for them, never AMA text.

Layouts read:

- the AMA data files ``LONGULT.txt`` (long descriptors; also ``LONGU``/``LONGUL``/``LONGULF``),
  ``MEDU.txt`` (medium) and ``SHORTU.txt`` (short): the code in columns 1-5, a space or a tab in
  column 6, the descriptor from column 7. Consecutive lines of one code are one descriptor (the
  formatted ``LONGULF`` layout wraps long descriptors that way).
- the AMA ``ConsumerDescriptor.txt`` and ``ClinicianDescriptor.txt``: tab separated, with a header
  row; each descriptor becomes a synonym.
- a plain CSV or TSV of code and descriptor (optionally a short descriptor), header row optional; a
  header may name columns code, long/descriptor/description, medium, short, consumer, clinician.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from medcodes.errors import LicenceRequired, SourceError
from medcodes.models import (
    Concept,
    ConceptKind,
    Designation,
    DesignationKind,
    Release,
    ReleaseContent,
)
from medcodes.sources.files import read_bytes, source_file, squash
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import SystemId

SYSTEM = SystemId.CPT
UNVERSIONED = "user-supplied"

# Category I codes are five digits; Category II end in F, Category III in T, PLA codes in U.
_CODE = re.compile(r"^[0-9]{4}[0-9FTU]$")
# AMA fixed layout: code in columns 1-5, a space or tab in column 6, descriptor from column 7.
_FIXED_LINE = re.compile(r"^([0-9]{4}[0-9FTU])[ \t](.*\S)\s*$")
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
# For sniffing by content alone: a code, a separator, then the descriptor's first word.
_CONTENT_LINE = re.compile(r"^[0-9]{4}[0-9FTU](?:[ \t]+|[ \t]*[,;|][ \t]*)\"?([^\s,;|\"]+)")


class CptLayout(StrEnum):
    """The layout of a user-supplied CPT file, told by its name."""

    LONG = "long"
    MEDIUM = "medium"
    SHORT = "short"
    CONSUMER = "consumer"
    CLINICIAN = "clinician"
    TABLE = "table"  # CSV/TSV of code and descriptor(s)


class _Role(StrEnum):
    LONG = "long"
    MEDIUM = "medium"
    SHORT = "short"
    CONSUMER = "consumer"
    CLINICIAN = "clinician"


# Designation kind and source of each descriptor role.
_DESIGNATIONS: dict[_Role, tuple[DesignationKind, str]] = {
    _Role.LONG: (DesignationKind.TITLE, "cpt-long"),
    _Role.MEDIUM: (DesignationKind.SHORT_TITLE, "cpt-medium"),
    _Role.SHORT: (DesignationKind.SHORT_TITLE, "cpt-short"),
    _Role.CONSUMER: (DesignationKind.SYNONYM, "cpt-consumer"),
    _Role.CLINICIAN: (DesignationKind.SYNONYM, "cpt-clinician"),
}
_ONE_PER_CODE = frozenset({_Role.LONG, _Role.MEDIUM, _Role.SHORT})


@dataclass(frozen=True, slots=True)
class CptLicence:
    """The licence under which a user holds the CPT file they load, in their own words.

    medcodes cannot check it; it records it with the release and shows the AMA notice with it.
    """

    statement: str

    @property
    def notice(self) -> str:
        return (
            "CPT codes and descriptors are copyright American Medical Association; all rights reserved. "
            f"Loaded from a file supplied by its licensee under: {self.statement.strip()}"
        )


@dataclass(frozen=True, slots=True)
class LicensedRelease:
    """A CPT release and the licence its user asserted for it."""

    content: ReleaseContent
    licence: CptLicence


@dataclass(frozen=True, slots=True)
class CptDescriptor:
    """One descriptor of one code, with the file line it was read from."""

    line: int
    code: str
    role: str  # "long", "medium", "short", "consumer", "clinician"
    text: str


def layout_of(path: Path) -> CptLayout:
    """The layout a CPT file's name says it has (AMA data file names; anything else is a table)."""
    name = path.name.lower().removesuffix(".gz")
    stem, _, suffix = name.rpartition(".")
    if suffix == "txt":
        for prefix, layout in (
            ("long", CptLayout.LONG),
            ("medu", CptLayout.MEDIUM),
            ("short", CptLayout.SHORT),
            ("consumer", CptLayout.CONSUMER),
            ("clinician", CptLayout.CLINICIAN),
        ):
            if stem.startswith(prefix):
                return layout
    return CptLayout.TABLE


def _text(path: Path) -> str:
    data = read_bytes(path)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _read_fixed(path: Path, role: _Role) -> Iterator[CptDescriptor]:
    started = False
    pending: CptDescriptor | None = None
    for number, raw in enumerate(_text(path).split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        match = _FIXED_LINE.match(line)
        if match is None:
            if not started and not line[:1].isdigit():
                continue  # a banner above the first code
            raise SourceError(
                path,
                number,
                "not a CPT data file line (expected: the code in columns 1-5, a space or tab, the descriptor from"
                " column 7)",
            )
        started = True
        code, text = match.group(1), squash(match.group(2))
        if pending is not None and pending.code == code:
            pending = CptDescriptor(pending.line, code, role, f"{pending.text} {text}")
            continue
        if pending is not None:
            yield pending
        pending = CptDescriptor(number, code, role, text)
    if pending is not None:
        yield pending


def _header_role(cell: str) -> _Role | str | None:
    """What a header cell names: "code", a descriptor role, or None for columns to ignore."""
    name = re.sub(r"[^a-z]", "", cell.lower())
    if name.endswith("id"):
        return None  # AMA's "Concept Id", "Clinician Descriptor Id"
    if name.endswith("code") or name in ("code", "cpt", "hcpcs"):
        return "code"
    for word, role in (
        ("consumer", _Role.CONSUMER),
        ("clinician", _Role.CLINICIAN),
        ("short", _Role.SHORT),
        ("medium", _Role.MEDIUM),
        ("long", _Role.LONG),
    ):
        if word in name:
            return role
    if name in ("descriptor", "description", "desc", "title", "display", "name", "label", "text"):
        return _Role.LONG
    return None


def _delimiter(path: Path, first: str) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return ","
    if name.endswith(".tsv") or "\t" in first:
        return "\t"
    return ","


def _read_table(path: Path, layout: CptLayout) -> Iterator[CptDescriptor]:
    text = _text(path)
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(path, first))
    default = _Role(layout.value) if layout in (CptLayout.CONSUMER, CptLayout.CLINICIAN) else _Role.LONG
    columns: dict[int, _Role] | None = None
    code_column = 0
    for row in reader:
        number = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if columns is None:
            found = next((i for i, cell in enumerate(cells) if _CODE.match(cell)), None)
            if found is None:
                # A header row: the columns named code and descriptors.
                named = {i: _header_role(cell) for i, cell in enumerate(cells)}
                codes = [i for i, role in named.items() if role == "code"]
                columns = {i: role for i, role in named.items() if isinstance(role, _Role)}
                if not codes or not columns:
                    raise SourceError(
                        path, number, "header row without a code column and a descriptor column, or not a CPT code"
                    )
                code_column = codes[0]
                continue
            # No header: the code, then its descriptor (a table may add a short descriptor after it); the
            # AMA descriptor files put the descriptor last.
            code_column = found
            if layout is CptLayout.TABLE:
                columns = {found + 1: _Role.LONG, found + 2: _Role.SHORT}
            else:
                columns = {len(cells) - 1: default}
        code = cells[code_column] if code_column < len(cells) else ""
        if not _CODE.match(code):
            raise SourceError(path, number, f"no CPT code in column {code_column + 1}: {code!r}")
        made = 0
        for column, role in columns.items():
            value = squash(cells[column]) if column < len(cells) else ""
            if value:
                made += 1
                yield CptDescriptor(number, code, role.value, value)
        if not made:
            raise SourceError(path, number, f"{code}: no descriptor")


def read_descriptors(path: Path) -> Iterator[CptDescriptor]:
    """Every descriptor in a user-supplied CPT file, in file order."""
    layout = layout_of(path)
    if layout in (CptLayout.LONG, CptLayout.MEDIUM, CptLayout.SHORT):
        return _read_fixed(path, _Role(layout.value))
    if layout is CptLayout.TABLE and path.name.lower().removesuffix(".gz").endswith(".txt"):
        first = next((line for line in _text(path).splitlines() if line.strip()), "")
        if "\t" not in first and "," not in first[:12]:
            return _read_fixed(path, _Role.LONG)  # "74740 descriptor" under another name
    return _read_table(path, layout)


# --- finding files ----------------------------------------------------------------------------------------
def _named_like_cpt(name: str) -> bool:
    base = name.lower().removesuffix(".gz")
    if re.fullmatch(r"(longu\w*|long|medu\w*|shortu\w*|consumerdescriptor\w*|cliniciandescriptor\w*)\.txt", base):
        return True
    return re.fullmatch(r"cpt[\w.-]*\.(csv|tsv|txt)", base) is not None


def _version(path: Path) -> str | None:
    """A year in the file name, else in the names of the two folders above it ("CPT 2025/LONGULT.txt")."""
    for name in (path.name, path.parent.name, path.parent.parent.name):
        found = _YEAR.search(name)
        if found:
            return found.group(1)
    return None


def _worded(line: str) -> bool:
    """A code, a separator and a descriptor that starts with a word: order files ("00001 A00     0
    Cholera"), ICD-10-PCS orders ("00001 0016070 1 Bypass ...") and GEMs start with codes or digits."""
    match = _CONTENT_LINE.match(line)
    if match is None:
        return False
    word = match.group(1)
    return not any(ch.isdigit() for ch in word) and sum(ch.isalpha() for ch in word) >= 2


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """Recognise a user-supplied CPT file by its AMA data-file name or a cpt*.csv/tsv name, or by content."""
    text = head.decode("latin-1")
    lines = [line.rstrip("\r") for line in text.split("\n")[:-1] if line.strip()]  # the last may be cut
    if _named_like_cpt(path.name):
        if any(_CODE.match(cell.strip().strip('"')) for line in lines for cell in re.split(r"[\t,; ]", line)[:4]):
            return FoundFile(FileKind.CPT, path, _version(path))
        return None
    base = path.name.lower().removesuffix(".gz")
    if not base.endswith((".txt", ".csv", ".tsv")):
        return None
    # By content alone, only when every complete line is a code and a worded descriptor.
    if len(lines) >= 3 and all(_worded(line) for line in lines):
        return FoundFile(FileKind.CPT, path, _version(path))
    return None


# --- building the release -------------------------------------------------------------------------------
def _order(found: FoundFile) -> int:
    # Long descriptors first: their order is the concepts' order and their text the titles.
    return list(CptLayout).index(layout_of(found.path))


def _source(descriptor: CptDescriptor) -> str:
    return _DESIGNATIONS[_Role(descriptor.role)][1]


def load_licensed(found: Sequence[FoundFile], licence: str | CptLicence | None) -> LicensedRelease | None:
    """The newest CPT files among ``found`` as one release, with the licence asserted for them.

    Raises LicenceRequired when there are CPT files but no licence; None when there are none.
    """
    mine = [f for f in found if f.kind is FileKind.CPT]
    if not mine:
        return None
    asserted = licence if isinstance(licence, CptLicence) else CptLicence(licence or "")
    if not asserted.statement.strip():
        raise LicenceRequired(tuple(str(f.path) for f in mine))
    newest = max(f.version or "" for f in mine)
    files = sorted((f for f in mine if (f.version or "") == newest), key=lambda f: (_order(f), str(f.path)))
    concepts, designations = _concepts(_descriptors_by_code(files))
    version = newest or UNVERSIONED
    effective = dt.date(int(version), 1, 1) if version.isdigit() else None  # CPT takes effect January 1
    release = Release(SYSTEM, version, effective, tuple(source_file(f.path) for f in files))
    return LicensedRelease(ReleaseContent(release, tuple(concepts), tuple(designations)), asserted)


def _descriptors_by_code(files: Sequence[FoundFile]) -> dict[str, dict[_Role, list[CptDescriptor]]]:
    """Every descriptor of the files, by code and role, in file order; a second descriptor of a role that has one
    per code is a SourceError."""
    by_code: dict[str, dict[_Role, list[CptDescriptor]]] = {}
    for file in files:
        for descriptor in read_descriptors(file.path):
            roles = by_code.setdefault(descriptor.code, {})
            role = _Role(descriptor.role)
            seen = roles.setdefault(role, [])
            if seen and role in _ONE_PER_CODE:
                raise SourceError(
                    file.path,
                    descriptor.line,
                    f"{descriptor.code} has a second {role.value} descriptor (first on line {seen[0].line})",
                )
            seen.append(descriptor)
    return by_code


def _concepts(by_code: dict[str, dict[_Role, list[CptDescriptor]]]) -> tuple[list[Concept], list[Designation]]:
    """A concept per code, titled by its longest descriptor, and every descriptor as a designation."""
    concepts: list[Concept] = []
    designations: list[Designation] = []
    for code, roles in by_code.items():
        long, medium, short = (roles.get(r, []) for r in (_Role.LONG, _Role.MEDIUM, _Role.SHORT))
        title = (long or medium or short or [*roles.get(_Role.CONSUMER, []), *roles.get(_Role.CLINICIAN, [])])[0]
        brief = (short or medium)[0] if short or medium else None
        concepts.append(
            Concept(
                SYSTEM,
                code,
                title.text,
                ConceptKind.CODE,
                True,
                short_title=brief.text if brief is not None else None,
                seq=len(concepts),
            )
        )
        # The title is a TITLE designation whichever descriptor gave it; every other descriptor keeps its kind.
        designations.append(Designation(SYSTEM, code, DesignationKind.TITLE, title.text, _source(title)))
        for role, descriptors in roles.items():
            kind, source = _DESIGNATIONS[role]
            designations.extend(Designation(SYSTEM, code, kind, d.text, source) for d in descriptors if d is not title)
    return concepts, designations


def load(found: Sequence[FoundFile], licence: str | CptLicence | None = None) -> ReleaseContent | None:
    """The source contract's loader: ``load_licensed`` without the licence it returns alongside."""
    licensed = load_licensed(found, licence)
    return None if licensed is None else licensed.content
