"""ICD-9-CM diagnoses and procedures from the CMS v32 master descriptions, with category titles from the CDC.

- **CMS master descriptions** (``cms_v32.zip``: ``CMS32_DESC_LONG_DX.txt``, ``CMS32_DESC_SHORT_DX.txt``,
  ``CMS32_DESC_LONG_SG.txt``, ``CMS32_DESC_SHORT_SG.txt``): one valid code a line, the code without its dot,
  spaces, then the title. The long diagnosis titles hold a few accented letters ("Ménière's") as single
  Windows-1252 bytes; the other three files are ASCII. DX files list diagnoses, SG files procedures.
- **CDC tabular files** (FY2012, the last CDC edition before the code freeze), RTF: Appendix E "List of
  Three-Digit Categories" (``DC_3D12.RTF`` in ``Appndx12.zip``) titles the diagnosis categories, and the
  procedure Tabular List (``Ptab12.RTF`` in ``Ptab12.zip``) the two-digit procedure categories.

The master file lists only valid codes. medcodes adds a header concept (CATEGORY, not billable) for each
diagnosis category (three characters, four for E codes: "250", "V01", "E800") and each two-digit procedure
category ("87") that is not itself a valid code, and makes it the parent of its codes. A category a valid
code already names ("042", "E030") is that code. Its title comes from the CDC file; where no CDC file is given
(or it lacks the category) the title is "Category 250" and the release carries a warning.

Diagnoses and procedures share one system. Their canonical codes cannot collide: a diagnosis has three
characters before its dot (four for E codes), a procedure two; categories are the undotted heads ("250",
"E800" versus "87"). ``load`` checks it anyway.

The FileKind list has one ICD-9-CM kind, ICD9CM_MASTER; the CDC files are found as that kind with the RTF
member named, and told apart by that member.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import (
    Concept,
    ConceptKind,
    Designation,
    Property,
    Release,
    ReleaseContent,
    SourceFile,
)
from medcodes.properties import PropertyName
from medcodes.sources.files import read_bytes, source_file
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.titles import title_designations
from medcodes.systems import SystemId

SYSTEM = SystemId.ICD9CM


class Part(StrEnum):
    """The role a file (or zip member) plays."""

    LONG_DX = "long-dx"
    SHORT_DX = "short-dx"
    LONG_SG = "long-sg"
    SHORT_SG = "short-sg"
    DX_CATEGORIES = "dx-categories"  # CDC Appendix E, list of three-digit categories
    SG_TABULAR = "sg-tabular"  # CDC procedure tabular list


_PARTS: tuple[tuple[Part, re.Pattern[str]], ...] = (
    (Part.LONG_DX, re.compile(r"CMS(\d+)_DESC_LONG_DX\.txt", re.IGNORECASE)),
    (Part.SHORT_DX, re.compile(r"CMS(\d+)_DESC_SHORT_DX\.txt", re.IGNORECASE)),
    (Part.LONG_SG, re.compile(r"CMS(\d+)_DESC_LONG_SG\.txt", re.IGNORECASE)),
    (Part.SHORT_SG, re.compile(r"CMS(\d+)_DESC_SHORT_SG\.txt", re.IGNORECASE)),
    (Part.DX_CATEGORIES, re.compile(r"DC_3D(\d\d)\.rtf", re.IGNORECASE)),
    (Part.SG_TABULAR, re.compile(r"Ptab(\d\d)\.rtf", re.IGNORECASE)),
)
_CMS_PARTS = (Part.LONG_DX, Part.SHORT_DX, Part.LONG_SG, Part.SHORT_SG)
_DX_CODE = re.compile(r"^(?:[0-9]{3,5}|V[0-9]{2,4}|E[0-9]{3,4})$")
_SG_CODE = re.compile(r"^[0-9]{3,4}$")
_LINE = re.compile(r"^(\S+) +(\S.*?)\s*$")
# Appendix E writes "250<tab>Diabetes mellitus" (once "042 Human ...", with a space).
_DX_CATEGORY_LINE = re.compile(r"^([0-9]{3}|V[0-9]{2}|E[0-9]{3})[\t ]+(\S.*?)\s*$")
# The procedure tabular writes "87<tab>Diagnostic radiology"; a tab, because prose lines also start with
# two digits ("14 C-Urea breath test").
_SG_CATEGORY_LINE = re.compile(r"^([0-9]{2})\t+(\S.*?)\s*$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a CMS master description file."""

    line: int
    code: str  # as the file writes it, without a dot
    title: str


@dataclass(frozen=True, slots=True)
class _Located:
    path: Path
    member: str | None
    version: str

    @property
    def where(self) -> str:
        return str(self.path) if self.member is None else f"{self.path}!{self.member}"


def _part(name: str) -> tuple[Part, str] | None:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    for part, pattern in _PARTS:
        found = pattern.fullmatch(base)
        if found:
            number = found.group(1)
            # CDC files carry the fiscal year's last two digits ("12" = FY2012).
            return part, number if part in _CMS_PARTS else f"20{number}"
    return None


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """The CMS master zip (or one of its text files), or a CDC zip/RTF holding Appendix E or the procedure
    tabular list."""
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (OSError, zipfile.BadZipFile):
            return None
        parts = [(name, found) for name in names if (found := _part(name)) is not None]
        for _name, (part, version) in parts:
            if part is Part.LONG_DX:
                return FoundFile(FileKind.ICD9CM_MASTER, path, version)
        for name, (part, version) in parts:
            if part not in _CMS_PARTS:
                return FoundFile(FileKind.ICD9CM_MASTER, path, version, name)
        return None
    found = _part(path.name.removesuffix(".gz"))
    if found is None:
        return None
    part, version = found
    if part not in _CMS_PARTS and not head.startswith(b"{\\rtf"):
        return None
    return FoundFile(FileKind.ICD9CM_MASTER, path, version)


def _locate(found: Sequence[FoundFile]) -> dict[Part, list[_Located]]:
    parts: dict[Part, list[_Located]] = {}
    for item in found:
        if item.kind is not FileKind.ICD9CM_MASTER:
            continue
        members: list[tuple[str, str | None]]  # (name to recognise, zip member or None)
        if item.member is not None:
            members = [(item.member, item.member)]
        elif zipfile.is_zipfile(item.path):
            try:
                with zipfile.ZipFile(item.path) as archive:
                    members = [(name, name) for name in archive.namelist()]
            except (OSError, zipfile.BadZipFile) as exc:
                raise SourceError(item.path, None, f"cannot read zip: {exc}") from exc
        else:
            members = [(item.path.name, None)]
        for name, member in members:
            role = _part(name.removesuffix(".gz"))
            if role is not None:
                parts.setdefault(role[0], []).append(_Located(item.path, member, role[1]))
    return parts


def _read(located: _Located) -> bytes:
    if located.member is None:
        return read_bytes(located.path)
    try:
        with zipfile.ZipFile(located.path) as archive:
            return archive.read(located.member)
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise SourceError(located.path, None, f"cannot read {located.member}: {exc}") from exc


def read_entries(data: bytes, where: str, procedures: bool) -> Iterator[Entry]:
    """The entries of one CMS master description file: code (no dot), spaces, title."""
    shape = _SG_CODE if procedures else _DX_CODE
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            # Windows-1252: the long diagnosis titles hold bytes such as 0xE9 (é).
            line = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise SourceError(where, number, f"not Windows-1252 text: {exc.reason}") from exc
        if not line.strip():
            continue
        found = _LINE.match(line)
        if not found or not shape.match(found.group(1)):
            expected = "a procedure code (3-4 digits)" if procedures else "a diagnosis code (001-999, V or E)"
            raise SourceError(where, number, f"expected {expected}, spaces, then a title")
        yield Entry(number, found.group(1), found.group(2))


def canonical(code: str, procedures: bool) -> str:
    """The dotted form: procedures after 2 digits (8783 -> 87.83), E codes after 4, other diagnoses after 3."""
    cut = 2 if procedures else 4 if code.startswith("E") else 3
    return code if len(code) <= cut else f"{code[:cut]}.{code[cut:]}"


def _category(code: str, procedures: bool) -> str:
    return code[:2] if procedures else code[:4] if code.startswith("E") else code[:3]


# --- RTF ----------------------------------------------------------------------------------------------
# The CDC files are RTF 1.x (Word, \ansicpg1252). Only their visible text is needed: groups that are
# destinations (font and colour tables, \* groups, fields' instructions ...) and hidden text (\v) are
# dropped; \par ends a line, \tab is a tab, \'hh is a Windows-1252 byte, \uN a Unicode character.
_RTF_TOKEN = re.compile(rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|\r?\n|\r", re.DOTALL)
_RTF_DESTINATIONS = frozenset(
    b"fonttbl colortbl stylesheet info pict header headerl headerr headerf footer footerl footerr footerf "
    b"listtable listoverridetable rsidtbl latentstyles datastore themedata colorschememapping generator "
    b"xmlnstbl mmathPr pgdsctbl fldinst listtext pntext pntxta pntxtb object footnote field-instruction "
    b"revtbl filetbl private".split()
)
_RTF_BREAKS = frozenset((b"par", b"line", b"sect", b"page", b"row"))
_RTF_CHARACTERS = {
    b"tab": "\t",
    b"cell": "\t",
    b"emdash": "\u2014",
    b"endash": "\u2013",
    b"lquote": "\u2018",
    b"rquote": "\u2019",
    b"ldblquote": "\u201c",
    b"rdblquote": "\u201d",
    b"bullet": "\u2022",
}
_RTF_SYMBOLS = {b"~": "\u00a0", b"_": "-", b"\\": "\\", b"{": "{", b"}": "}"}


@dataclass(slots=True)
class _RtfState:
    skip: bool = False
    hidden: bool = False
    uc: int = 1  # characters that stand in for the next \uN, for readers without Unicode


def rtf_lines(data: bytes, where: str) -> list[str]:
    """The visible text of an RTF document, one string per paragraph."""
    if not data.lstrip().startswith(b"{\\rtf"):
        raise SourceError(where, 1, "not an RTF document (expected '{\\rtf')")
    reader = _RtfReader(data, where)
    for token in _RTF_TOKEN.finditer(data):
        reader.read(token)
    return reader.lines()


class _RtfReader:
    """The text an RTF reader shows, token by token: groups keep the state they open with, control words set it
    or stand for characters, and text outside skipped destinations and hidden runs is kept.

    Written here rather than taken from a library (striprtf): the CDC file needs hidden text (\\v) and skipped
    destinations kept out, and \\uN fallbacks dropped, exactly; this reader is checked against the official file.
    striprtf 0.0.35 gives the same lines of Ptab12.RTF, but in DC_3D12.RTF it shows a hidden run ("VOLUME
    2-INDEX TO DISEASES") at the end of the E999 line, which would become part of that category's title.
    """

    def __init__(self, data: bytes, where: str) -> None:
        self.data = data
        self.where = where
        self.out: list[str] = []
        self.stack: list[_RtfState] = []
        self.state = _RtfState()
        self.fallback = 0  # characters still to drop after a \uN

    def read(self, token: re.Match[bytes]) -> None:
        word, arg, hexa, symbol, brace, text = token.groups()
        if brace is not None:
            self._brace(brace, token.start())
        elif word is not None:
            self._word(word, arg)
        elif symbol is not None:
            self._symbol(symbol)
        elif not (self.state.skip or self.state.hidden):
            self._text(hexa, text)

    def lines(self) -> list[str]:
        if self.stack:
            raise SourceError(
                self.where, self.data.count(b"\n") + 1, f"truncated RTF: {len(self.stack)} group(s) left open"
            )
        return "".join(self.out).split("\n")

    def _brace(self, brace: bytes, at: int) -> None:
        if brace == b"{":
            self.stack.append(self.state)
            self.state = _RtfState(self.state.skip, self.state.hidden, self.state.uc)
            return
        if not self.stack:
            raise SourceError(self.where, self.data.count(b"\n", 0, at) + 1, "unbalanced '}'")
        self.state = self.stack.pop()

    def _word(self, word: bytes, arg: bytes | None) -> None:
        state = self.state
        if word in _RTF_DESTINATIONS:
            state.skip = True
        elif word == b"v":
            state.hidden = arg != b"0"
        elif word == b"plain":  # resets character formatting, hidden text included
            state.hidden = False
        elif word == b"uc":
            state.uc = int(arg or b"1")
        if state.skip or state.hidden:
            return
        if word in _RTF_BREAKS:
            self.out.append("\n")
        elif word == b"u":
            self.out.append(chr(int(arg or b"0") % 0x10000))
            self.fallback = state.uc
        elif word in _RTF_CHARACTERS:
            self.out.append(_RTF_CHARACTERS[word])

    def _symbol(self, symbol: bytes) -> None:
        shown = not (self.state.skip or self.state.hidden)
        if symbol in (b"\n", b"\r"):
            # A backslash before a line end is a paragraph mark, like \par (RTF 1.9.1 spec).
            if shown:
                self.out.append("\n")
        elif symbol == b"*":
            self.state.skip = True
        elif shown and symbol in _RTF_SYMBOLS:
            self.out.append(_RTF_SYMBOLS[symbol])

    def _text(self, hexa: bytes | None, text: bytes | None) -> None:
        if hexa is not None:
            if self.fallback:
                self.fallback -= 1
            else:
                self.out.append(bytes.fromhex(hexa.decode()).decode("cp1252", errors="replace"))
        elif text is not None:
            chunk = text.decode("cp1252", errors="replace")
            if self.fallback:
                dropped = min(self.fallback, len(chunk))
                chunk, self.fallback = chunk[dropped:], self.fallback - dropped
            self.out.append(chunk)


def read_category_titles(data: bytes, where: str, part: Part) -> dict[str, str]:
    """Category titles from CDC Appendix E (diagnoses) or the procedure tabular list (two-digit categories).

    The first line that names a code wins: the tabular lists give a category's heading before any prose that
    may start with the same digits.
    """
    pattern = _SG_CATEGORY_LINE if part is Part.SG_TABULAR else _DX_CATEGORY_LINE
    titles: dict[str, str] = {}
    for line in rtf_lines(data, where):
        found = pattern.match(line.strip(" "))
        if found and found.group(1) not in titles:
            titles[found.group(1)] = re.sub(r"\s+", " ", found.group(2))
    if not titles:
        raise SourceError(where, None, "no category titles found (expected lines like '250<tab>Diabetes mellitus')")
    return titles


@dataclass(slots=True)
class _Builder:
    titles: dict[str, str]
    concepts: list[Concept]
    designations: list[Designation]
    properties: list[Property]
    warnings: list[str]
    seen: set[str]

    def add(self, concept: Concept, where: str, line: int | None) -> None:
        if concept.code in self.seen:
            raise SourceError(where, line, f"code {concept.code!r} appears twice (diagnosis and procedure collide?)")
        self.seen.add(concept.code)
        self.concepts.append(concept)

    def section(self, long: list[Entry], short: list[Entry], where: str, where_short: str, procedures: bool) -> None:
        short_by_code = {entry.code: entry for entry in short}
        valid = {entry.code for entry in long}
        for entry in short:
            if entry.code not in valid:
                raise SourceError(where_short, entry.line, f"code {entry.code} has a short title but no long title")
        kind_value, kind_label = ("SG", "procedure") if procedures else ("DX", "diagnosis")
        current: str | None = None
        for entry in long:
            category = _category(entry.code, procedures)
            if category != current and category not in valid:
                title = self.titles.get(category)
                if title is None:
                    title = f"Category {category}"
                    self.warnings.append(
                        f"no CDC title for ICD-9-CM {kind_label} category {category}: titled {title!r}"
                    )
                header = Concept(
                    SYSTEM, category, title, ConceptKind.CATEGORY, False, None, None, 0, len(self.concepts)
                )
                self.add(header, where, entry.line)
                self.designations.extend(title_designations(header, "cdc"))
                self.properties.append(Property(SYSTEM, category, PropertyName.ICD9CM_TYPE, kind_value, kind_label))
            current = category
            code = canonical(entry.code, procedures)
            is_category = entry.code == category
            short_entry = short_by_code.get(entry.code)
            concept = Concept(
                SYSTEM,
                code,
                entry.title,
                ConceptKind.CATEGORY if is_category else ConceptKind.CODE,
                True,
                None if is_category else category,
                short_entry.title if short_entry else None,
                0 if is_category else 1,
                len(self.concepts),
            )
            self.add(concept, where, entry.line)
            self.designations.extend(title_designations(concept, "cms-long", "cms-short"))
            self.properties.append(Property(SYSTEM, code, PropertyName.ICD9CM_TYPE, kind_value, kind_label))


def _effective(version: str) -> dt.date:
    # CMS master version N is fiscal year 1983 + N (v32 = FY2015, the last before ICD-10), and a federal
    # fiscal year starts on October 1 of the year before.
    return dt.date(int(version) + 1982, 10, 1)


def _newest(candidates: list[_Located]) -> _Located:
    return max(candidates, key=lambda located: int(located.version))


def load(found: Sequence[FoundFile]) -> ReleaseContent | None:
    """The newest CMS ICD-9-CM master descriptions among ``found`` (with CDC category titles where found)."""
    parts = _locate(found)
    cms = parts.get(Part.LONG_DX, []) + parts.get(Part.LONG_SG, [])
    if not cms:
        return None
    version = max((located.version for located in cms), key=int)
    chosen: dict[Part, _Located] = {}
    for part in _CMS_PARTS:
        matching = [located for located in parts.get(part, []) if located.version == version]
        if not matching:
            raise SourceError(cms[0].path, None, f"no CMS{version}_DESC_{part.value.upper().replace('-', '_')}.txt")
        chosen[part] = matching[0]
    titles: dict[str, str] = {}
    for part in (Part.DX_CATEGORIES, Part.SG_TABULAR):
        if parts.get(part):
            located = _newest(parts[part])
            chosen[part] = located
            titles.update(read_category_titles(_read(located), located.where, part))
    builder = _Builder(titles, [], [], [], [], set())
    for long_part, short_part, procedures in (
        (Part.LONG_DX, Part.SHORT_DX, False),
        (Part.LONG_SG, Part.SHORT_SG, True),
    ):
        long_at, short_at = chosen[long_part], chosen[short_part]
        long = list(read_entries(_read(long_at), long_at.where, procedures))
        short = list(read_entries(_read(short_at), short_at.where, procedures))
        if not long:
            raise SourceError(long_at.where, None, "no codes in the file")
        builder.section(long, short, long_at.where, short_at.where, procedures)
    files: dict[Path, SourceFile] = {}
    for located in chosen.values():
        files.setdefault(located.path, source_file(located.path))
    release = Release(SYSTEM, version, _effective(version), tuple(files.values()))
    return ReleaseContent(
        release,
        tuple(builder.concepts),
        tuple(builder.designations),
        properties=tuple(builder.properties),
        warnings=tuple(builder.warnings),
    )
