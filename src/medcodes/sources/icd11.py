"""ICD-11 MMS from the WHO "Simple Tabulation" file (``SimpleTabulation-ICD-11-MMS-en.txt``).

The file is UTF-8 text with a byte-order mark, tab-separated, with Excel-style quoting (a field in double
quotes, ``""`` for a quote inside it). Its columns, as WHO's ``SimpleTabulation-readme.txt`` describes them:
Foundation URI, Linearization (release) URI, Code, BlockId, Title (leading ``- `` pairs give the depth),
ClassKind (chapter, block, category), DepthInKind, IsResidual, ChapterNo, BrowserLink, isLeaf, Primary
tabulation, Grouping1-5; the last header cell carries the release time ("Version:2024 Jan 21 - 22:30 UTC").

Decisions, each a place where the file does not say what medcodes needs:

- **Codes.** A chapter's code is its ChapterNo as WHO writes it ("01".."26", "V", "X"); a block's code is its
  BlockId ("BlockL1-1A0"); a category's code is its Code ("1A00", "1A03.Y"). WHO gives 627 blocks of the
  supplementary chapter V and of chapter X no BlockId; medcodes names each ``Block-<entity id>`` from the
  numeric end of its linearization URI. WHO's own BlockIds all start ``BlockL`` and codes are four to seven
  characters, so no name collides.
- **Kinds.** Categories of chapter X are extension codes (ConceptKind.EXTENSION); elsewhere a code without a
  dot is a stem category (CATEGORY) and a code with a dot a subcategory (CODE).
- **Billable.** ICD-11 has no "billable" flag. The nearest equivalent is a leaf (``isLeaf`` True): WHO asks
  that the most detailed code be reported. Extension codes are never reported alone (ICD-11 Reference
  Guide, 2.9: they are added to a stem code), so a leaf extension code is not billable. ``icd11.leaf`` keeps
  WHO's flag for every entity.
- **Parents** come from the title's dashes: an entity's parent is the nearest entity above it with one dash
  fewer. The file lists every entity once, under its primary parent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import (
    Concept,
    ConceptKind,
    Designation,
    Property,
    Release,
    ReleaseContent,
)
from medcodes.properties import PropertyName
from medcodes.sources.files import open_binary, source_file
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.titles import title_designations
from medcodes.systems import SystemId

SYSTEM = SystemId.ICD11

# The notice WHO's licence asks for wherever ICD-11 content is shown (ICD-11 licence: CC BY-ND 3.0 IGO,
# https://icd.who.int/en/docs/icd11-license.pdf). Every release carries it (Release.licence) to the pages.
ATTRIBUTION = (
    "ICD-11 for Mortality and Morbidity Statistics (ICD-11 MMS). © World Health Organization. "
    "Licensed under the Creative Commons Attribution-NoDerivs 3.0 IGO licence (CC BY-ND 3.0 IGO), "
    "https://creativecommons.org/licenses/by-nd/3.0/igo/. The codes and titles are shown unmodified."
)

_COLUMNS = (
    "Foundation URI",
    "Linearization URI",
    "Code",
    "BlockId",
    "Title",
    "ClassKind",
    "DepthInKind",
    "IsResidual",
    "ChapterNo",
    "BrowserLink",
    "isLeaf",
)
_HEAD = "\t".join(_COLUMNS[:6]).encode()
_BOM = b"\xef\xbb\xbf"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_VERSION = re.compile(rb"Version:\s*(\d{4})\s+(" + "|".join(_MONTHS).encode() + rb")\b")
_NAME_VERSION = re.compile(r"(\d{4})-(\d{2})")
_HYPERLINK = re.compile(r'^=hyperlink\("([^"]+)"\s*,\s*"[^"]*"\)$', re.IGNORECASE)
_ENTITY_ID = re.compile(r"/(\d+)$")
_TRUTH = {"True": True, "False": False}
_KINDS = {"chapter", "block", "category"}
_SOURCE = "simple-tabulation"


@dataclass(frozen=True, slots=True)
class Entity:
    """One row of the simple tabulation, as read (titles without their dashes)."""

    line: int
    foundation_uri: str
    linearization_uri: str
    code: str
    block_id: str
    title: str
    depth: int  # number of dash pairs: 0 for a chapter
    class_kind: str
    residual: bool
    chapter: str
    browser_link: str
    leaf: bool


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """The WHO simple tabulation, by its header row; the version from the header's "Version:" cell."""
    if not head.removeprefix(_BOM).startswith(_HEAD):
        return None
    return FoundFile(FileKind.ICD11_TABULATION, path, _version(head, path))


def _version(head: bytes, path: Path) -> str | None:
    stated = _VERSION.search(head)
    if stated:
        return f"{stated.group(1).decode()}-{_MONTHS.index(stated.group(2).decode()) + 1:02d}"
    named = _NAME_VERSION.search(path.name)
    return f"{named.group(1)}-{named.group(2)}" if named else None


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every row after the header, read as WHO writes it (UTF-8, BOM, quotes)."""
    line = 0
    try:
        with open_binary(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text, delimiter="\t", strict=True)
            header = next(reader, None)
            if header is None or tuple(cell.strip() for cell in header[: len(_COLUMNS)]) != _COLUMNS:
                raise SourceError(path, 1, "not a WHO simple tabulation: expected the header " + ", ".join(_COLUMNS))
            for cells in reader:
                line = reader.line_num
                yield line, cells
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise SourceError(path, line + 1 if line else None, f"cannot read the file: {exc}") from exc


def read_entities(path: Path) -> Iterator[Entity]:
    """Every row of a simple tabulation file (plain or .gz) as an Entity, in file order."""
    for line, cells in _rows(path):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(_COLUMNS):
            raise SourceError(
                path, line, f"expected at least {len(_COLUMNS)} tab-separated columns, found {len(cells)}"
            )
        kind = cells[5].strip()
        if kind not in _KINDS:
            raise SourceError(path, line, f"ClassKind {kind!r} is not chapter, block or category")
        # WHO writes the depth as leading "- " pairs: "- - - Cholera" is three levels below its chapter.
        title, depth = cells[4], 0
        while title.startswith("- "):
            title, depth = title[2:], depth + 1
        residual, leaf = _TRUTH.get(cells[7].strip()), _TRUTH.get(cells[10].strip())
        if residual is None or leaf is None:
            raise SourceError(path, line, "IsResidual and isLeaf must be True or False")
        yield Entity(
            line=line,
            foundation_uri=cells[0].strip(),
            linearization_uri=cells[1].strip(),
            code=cells[2].strip(),
            block_id=cells[3].strip(),
            title=title.strip(),
            depth=depth,
            class_kind=kind,
            residual=residual,
            chapter=cells[8].strip(),
            browser_link=cells[9].strip(),
            leaf=leaf,
        )


def _code(entity: Entity, path: Path) -> str:
    if entity.class_kind == "chapter":
        code = entity.chapter
    elif entity.class_kind == "block":
        code = entity.block_id
        if not code:
            # WHO gives the blocks of chapters V and X no BlockId: name them by their entity id.
            found = _ENTITY_ID.search(entity.linearization_uri)
            code = f"Block-{found.group(1)}" if found else ""
    else:
        code = entity.code
    if not code:
        raise SourceError(path, entity.line, f"a {entity.class_kind} row without a code, BlockId or chapter number")
    return code


def _kind(entity: Entity) -> ConceptKind:
    if entity.class_kind == "chapter":
        return ConceptKind.CHAPTER
    if entity.class_kind == "block":
        return ConceptKind.BLOCK
    if entity.chapter == "X":
        return ConceptKind.EXTENSION
    return ConceptKind.CODE if "." in entity.code else ConceptKind.CATEGORY


def _properties(entity: Entity, code: str) -> Iterator[Property]:
    yield Property(
        SYSTEM, code, PropertyName.ICD11_LEAF, str(entity.leaf), "leaf (no children)" if entity.leaf else "has children"
    )
    if entity.residual:
        # WHO's residual categories are linearization-only entities whose URI ends /other or /unspecified.
        tail = entity.linearization_uri.rsplit("/", 1)[-1]
        label = {"other": "other specified", "unspecified": "unspecified"}.get(tail, "residual")
        yield Property(SYSTEM, code, PropertyName.ICD11_RESIDUAL, "True", label)
    if entity.foundation_uri:
        yield Property(SYSTEM, code, PropertyName.ICD11_FOUNDATION_URI, entity.foundation_uri)
    if entity.linearization_uri:
        yield Property(SYSTEM, code, PropertyName.ICD11_LINEARIZATION_URI, entity.linearization_uri)
    if entity.browser_link:
        # The file writes the link as a spreadsheet formula, =hyperlink("https://...","browser"): keep the URL.
        link = _HYPERLINK.match(entity.browser_link)
        yield Property(SYSTEM, code, PropertyName.ICD11_BROWSER_LINK, link.group(1) if link else entity.browser_link)


def load_tabulation(path: Path, version: str, effective: dt.date | None) -> ReleaseContent:
    """Read one simple tabulation file into a release of ICD-11 MMS."""
    concepts: list[Concept] = []
    designations: list[Designation] = []
    properties: list[Property] = []
    seen: set[str] = set()
    ancestors: list[str] = []  # codes of the last entity seen at each depth
    for entity in read_entities(path):
        code = _code(entity, path)
        if code in seen:
            raise SourceError(path, entity.line, f"code {code!r} appears twice")
        if not entity.title:
            raise SourceError(path, entity.line, f"{code}: no title")
        if (entity.class_kind == "chapter") != (entity.depth == 0) or entity.depth > len(ancestors):
            raise SourceError(path, entity.line, f"{code}: title dashes give depth {entity.depth}, out of place here")
        del ancestors[entity.depth :]
        parent = ancestors[-1] if ancestors else None
        ancestors.append(code)
        seen.add(code)
        kind = _kind(entity)
        billable = entity.leaf and kind in (ConceptKind.CATEGORY, ConceptKind.CODE)
        concepts.append(Concept(SYSTEM, code, entity.title, kind, billable, parent, None, entity.depth, len(concepts)))
        designations.extend(title_designations(concepts[-1], _SOURCE))
        properties.extend(_properties(entity, code))
    if not concepts:
        raise SourceError(path, None, "no entity rows after the header")
    release = Release(SYSTEM, version, effective, (source_file(path),), licence=ATTRIBUTION)
    return ReleaseContent(release, tuple(concepts), tuple(designations), properties=tuple(properties))


def _effective(version: str) -> dt.date | None:
    # A WHO MMS release is named by year and month ("2024-01"); it takes effect on that month's first day.
    found = _NAME_VERSION.fullmatch(version)
    return dt.date(int(found.group(1)), int(found.group(2)), 1) if found else None


def load(found: Sequence[FoundFile]) -> ReleaseContent | None:
    """The newest ICD-11 MMS simple tabulation among ``found``, or None when there is none."""
    files = [f for f in found if f.kind is FileKind.ICD11_TABULATION]
    if not files:
        return None
    newest = max(files, key=lambda f: f.version or "")
    if newest.version is None:
        raise SourceError(newest.path, 1, "no release version in the header or the file name (e.g. 2024-01)")
    return load_tabulation(newest.path, newest.version, _effective(newest.version))
