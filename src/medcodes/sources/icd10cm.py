"""ICD-10-CM from the official CDC and CMS files.

- CDC tabular XML (``<ICD10CM.tabular>``): chapters, sections, every ``diag`` level, every note kind,
  and the 7th-character expansion that yields the valid codes.
- CMS order file (``icd10cm_order_YYYY.txt``): short and long titles, header vs billable flag.
- The CDC Alphabetic Index, External Cause Index and Drug and Neoplasm tables: names of the tabular list's
  codes, read by ``icd10cm_index``.

``sniff`` and ``load`` follow the source contract (docs/architecture.md).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
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
    Prior,
    Release,
    ReleaseContent,
)
from medcodes.sources import icd10cm_index
from medcodes.sources.files import line_of, parse_xml, source_file, squash, text_lines
from medcodes.sources.kinds import FileKind, FoundFile, effective_date, newest
from medcodes.sources.titles import title_designations
from medcodes.systems import SystemId

SYSTEM = SystemId.ICD10CM
_VERSION = re.compile(rb"<version>\s*(\d{4})\s*</version>")

# Tabular XML element -> note kind. <notes> holds general notes; <sevenChrDef> is handled apart.
_NOTE_ELEMENTS: dict[str, NoteKind] = {
    "notes": NoteKind.NOTE,
    "includes": NoteKind.INCLUDES,
    "inclusionTerm": NoteKind.INCLUSION_TERM,
    "excludes1": NoteKind.EXCLUDES1,
    "excludes2": NoteKind.EXCLUDES2,
    "codeFirst": NoteKind.CODE_FIRST,
    "useAdditionalCode": NoteKind.USE_ADDITIONAL_CODE,
    "codeAlso": NoteKind.CODE_ALSO,
    "sevenChrNote": NoteKind.SEVENTH_CHARACTER_NOTE,
}
_CHAPTER_RANGE = re.compile(r"\s*\(([A-Z][0-9][0-9A-Z])-([A-Z][0-9][0-9A-Z])\)\s*$")
# 7th characters that a category's prose note withholds from some of its codes. The tabular list states
# these only in words, so they are written out here, each with the note it comes from.
# Category S06, <notes>: "7th characters D and S do not apply to codes in category S06 with 6th
# character 7 - death due to brain injury prior to regaining consciousness, or 8 - death due to other
# cause prior to regaining consciousness."
_SEVENTH_WITHHELD: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "S06": (frozenset("78"), frozenset("DS")),
}


@dataclass(frozen=True, slots=True)
class Tabular:
    """Everything the tabular list says: concepts in tabular order, their notes and inclusion terms."""

    version: str
    concepts: tuple[Concept, ...]
    notes: tuple[ConceptNote, ...]
    designations: tuple[Designation, ...]


@dataclass(frozen=True, slots=True)
class OrderEntry:
    """One line of the CMS order file."""

    order: int
    code: str  # canonical, with dot
    billable: bool
    short_title: str
    long_title: str


def _dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


class _TabularReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.concepts: list[Concept] = []
        self.notes: list[ConceptNote] = []
        self.designations: list[Designation] = []

    def _fail(self, element: etree._Element, reason: str) -> SourceError:
        return SourceError(self.path, line_of(element), reason)

    def read(self, root: etree._Element) -> Tabular:
        if root.tag != "ICD10CM.tabular":
            raise self._fail(root, f"not an ICD-10-CM tabular file: root <{root.tag}>")
        version = squash(root.findtext("version"))
        if not version:
            raise self._fail(root, "no <version> element")
        chapters = root.findall("chapter")
        if not chapters:
            raise self._fail(root, "no <chapter> element")
        for chapter in chapters:
            self._chapter(chapter)
        return Tabular(version, tuple(self.concepts), tuple(self.notes), tuple(self.designations))

    def _add(self, concept: Concept, element: etree._Element) -> None:
        self.concepts.append(concept)
        self.designations.extend(title_designations(concept, "tabular"))
        for child in element:
            kind = _NOTE_ELEMENTS.get(str(child.tag))
            if kind is None:
                continue
            for note in child.iter("note"):
                text = squash(note.text)
                if not text:
                    continue
                self.notes.append(ConceptNote(SYSTEM, concept.code, Note(kind, text)))
                if kind is NoteKind.INCLUSION_TERM:
                    self.designations.append(
                        Designation(SYSTEM, concept.code, DesignationKind.INCLUSION_TERM, text, "tabular")
                    )

    def _chapter(self, element: etree._Element) -> None:
        name = squash(element.findtext("name"))
        title = squash(element.findtext("desc"))
        if not name or not title:
            raise self._fail(element, "chapter without <name> or <desc>")
        # The chapter title carries its code range, "... (A00-B99)"; the range is not part of the title.
        self._add(
            Concept(
                SYSTEM,
                name,
                _CHAPTER_RANGE.sub("", title),
                ConceptKind.CHAPTER,
                False,
                None,
                None,
                0,
                len(self.concepts),
            ),
            element,
        )
        for section in element.findall("section"):
            # A section of one category has the category's own code as its id ("B20"); name every block
            # as a range so that it never collides with the category it holds.
            code = squash(section.get("id"))
            if code and "-" not in code:
                code = f"{code}-{code}"
            desc = squash(section.findtext("desc"))
            if not code or not desc:
                raise self._fail(section, "section without id or <desc>")
            self._add(
                Concept(
                    SYSTEM,
                    code,
                    _CHAPTER_RANGE.sub("", desc),
                    ConceptKind.BLOCK,
                    False,
                    name,
                    None,
                    1,
                    len(self.concepts),
                ),
                section,
            )
            for diag in section.findall("diag"):
                self._diag(diag, code, 2, None)

    def _diag(
        self, element: etree._Element, parent: str, depth: int, seventh: tuple[tuple[str, str], ...] | None
    ) -> None:
        code = squash(element.findtext("name"))
        title = squash(element.findtext("desc"))
        if not code or not title:
            raise self._fail(element, "diag without <name> or <desc>")
        own = element.find("sevenChrDef")
        if own is not None:
            seventh = tuple((squash(ext.get("char")), squash(ext.text)) for ext in own.findall("extension"))
            for char, meaning in seventh:
                note = Note(NoteKind.SEVENTH_CHARACTER, meaning, character=char)
                self.notes.append(ConceptNote(SYSTEM, code, note))
        children = element.findall("diag")
        kind = ConceptKind.CATEGORY if len(code) == 3 else ConceptKind.CODE
        # A leaf that needs a 7th character is a header; its valid codes are the expansions below.
        billable = not children and not seventh
        self._add(Concept(SYSTEM, code, title, kind, billable, parent, None, depth, len(self.concepts)), element)
        for child in children:
            self._diag(child, code, depth + 1, seventh)
        if not children and seventh:
            self._expand(code, title, depth + 1, seventh)

    def _expand(self, code: str, title: str, depth: int, seventh: tuple[tuple[str, str], ...]) -> None:
        # Placeholder X fills the places up to the 6th character (ICD-10-CM guidelines I.A.5, I.A.6).
        bare = code.replace(".", "").ljust(6, "X")
        sixth, withheld = _SEVENTH_WITHHELD.get(bare[:3], (frozenset(), frozenset()))
        for char, meaning in seventh:
            if bare[5] in sixth and char in withheld:
                continue
            full = _dotted(bare + char)
            concept = Concept(
                SYSTEM, full, f"{title}, {meaning}", ConceptKind.CODE, True, code, None, depth, len(self.concepts)
            )
            self.concepts.append(concept)
            self.designations.extend(title_designations(concept, "tabular"))


def load_tabular(path: Path, data: bytes | None = None) -> Tabular:
    """Read a CDC ICD-10-CM tabular XML file (plain or .gz)."""
    return _TabularReader(path).read(parse_xml(path, data))


def load_order(path: Path, member: str | None = None) -> Iterator[OrderEntry]:
    """Read the CMS order file (fixed width), from a plain file or a member of the CMS zip.

    Layout (CMS icd10OrderFiles.pdf): cols 1-5 order number, 7-13 code without dot, 15 valid for
    HIPAA transactions (1 = billable, 0 = header), 17-76 short title, 78 on long title.
    """
    for number, line in text_lines(path, member):
        if not line.strip():
            continue
        if len(line) < 78 or not line[:5].isdigit() or line[14] not in "01":
            raise SourceError(
                path if member is None else f"{path}!{member}",
                number,
                "not an ICD-10-CM order file line (expected: order, code, 0/1 flag, titles)",
            )
        code = line[6:13].strip()
        if not code:
            raise SourceError(path, number, "order file line without a code")
        yield OrderEntry(
            order=int(line[:5]),
            code=_dotted(code),
            billable=line[14] == "1",
            short_title=line[16:76].strip(),
            long_title=line[77:].strip(),
        )


def order_member(names: list[str]) -> str | None:
    """The order file inside a CMS code-descriptions zip (``icd10cm_order_YYYY.txt``), if any."""
    for name in names:
        base = name.rsplit("/", 1)[-1].lower()
        if re.fullmatch(r"icd10cm_order_\d{4}\.txt", base):
            return name
    return None


def merge_order(tabular: Tabular, entries: Iterator[OrderEntry], path: Path) -> Tabular:
    """Take short and long titles from the order file; the billable flags of both must agree."""
    by_code = {entry.code: entry for entry in entries}
    concepts: list[Concept] = []
    designations = list(tabular.designations)
    for concept in tabular.concepts:
        entry = by_code.get(concept.code)
        if entry is None:
            concepts.append(concept)
            continue
        if entry.billable != concept.billable:
            raise SourceError(path, entry.order, f"{concept.code}: billable flag differs from the tabular list")
        concepts.append(
            Concept(
                concept.system,
                concept.code,
                entry.long_title or concept.title,
                concept.kind,
                concept.billable,
                concept.parent,
                entry.short_title or None,
                concept.depth,
                concept.seq,
            )
        )
        if entry.short_title:
            designations.append(
                Designation(SYSTEM, concept.code, DesignationKind.SHORT_TITLE, entry.short_title, "order")
            )
    return Tabular(tabular.version, tuple(concepts), tabular.notes, tuple(designations))


# --- the source contract: finding the files, loading the release ----------------------------------------
_INDEX_SOURCES: dict[FileKind, str] = {
    FileKind.ICD10CM_INDEX: "index",
    FileKind.ICD10CM_EINDEX: icd10cm_index.EXTERNAL_CAUSE_INDEX,
    FileKind.ICD10CM_DRUG: icd10cm_index.DRUG_TABLE,
    FileKind.ICD10CM_NEOPLASM: "neoplasm",
}

_PRIOR_SOURCES = frozenset({FileKind.ICD10CM_INDEX, FileKind.ICD10CM_DRUG})
_TABLES = frozenset({FileKind.ICD10CM_DRUG, FileKind.ICD10CM_NEOPLASM})


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """The CDC tabular and index-family XML, and the CMS order file (plain or in the CMS zip)."""
    name = path.name.lower()
    if name.endswith((".xml", ".xml.gz")):
        version_match = _VERSION.search(head)
        version = version_match.group(1).decode() if version_match else None
        if b"<ICD10CM.tabular" in head:
            return FoundFile(FileKind.ICD10CM_TABULAR, path, version)
        if b"<ICD10CM.index" not in head:
            return None
        if b"<indexHeading" in head:
            if re.search(rb"<head[^>]*>\s*Substance", head):
                return FoundFile(FileKind.ICD10CM_DRUG, path, version)
            if re.search(rb"<head[^>]*>\s*Neoplasm", head):
                return FoundFile(FileKind.ICD10CM_NEOPLASM, path, version)
            return None
        if re.search(rb"<title>[^<]*EXTERNAL CAUSE", head, re.IGNORECASE):
            return FoundFile(FileKind.ICD10CM_EINDEX, path, version)
        return FoundFile(FileKind.ICD10CM_INDEX, path, version)
    if re.fullmatch(r"icd10cm_order_\d{4}\.txt(\.gz)?", name):
        return FoundFile(FileKind.ICD10CM_ORDER, path, re.findall(r"\d{4}", name)[0])
    if name.endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                member = order_member(archive.namelist())
        except (OSError, zipfile.BadZipFile):
            return None
        if member is not None:
            return FoundFile(FileKind.ICD10CM_ORDER, path, re.findall(r"\d{4}", member)[-1], member)
    return None


def _quiet(_part: str, _done: int, _total: int) -> None:
    return None


def load(found: Sequence[FoundFile], progress: Callable[[str, int, int], None] | None = None) -> ReleaseContent | None:
    """The ICD-10-CM release: the newest tabular list, the order file of its year, and the Alphabetic Index,
    the External Cause Index and the Drug and Neoplasm tables, which name codes of the tabular list.

    ``progress(part, done, total)`` is told as each part is read (the build shows it)."""
    progress = progress or _quiet
    tabulars = newest(found, FileKind.ICD10CM_TABULAR)
    if not tabulars:
        return None
    main = tabulars[0]
    progress("ICD-10-CM tabular list", 0, 1)
    tabular = load_tabular(main.path)
    files = [source_file(main.path)]
    warnings: list[str] = []
    orders = [o for o in newest(found, FileKind.ICD10CM_ORDER) if o.version == tabular.version]
    if orders:
        order = orders[0]
        progress("ICD-10-CM order file", 0, 1)
        tabular = merge_order(tabular, load_order(order.path, order.member), order.path)
        files.append(source_file(order.path, order.path.name + (f"!{order.member}" if order.member else "")))
    known = {c.code for c in tabular.concepts}
    designations: list[Designation] = list(tabular.designations)
    priors: list[Prior] = []
    readings: dict[tuple[str, str], None] = {}
    index_files = [f for kind in _INDEX_SOURCES for f in newest(found, kind)]
    # The tables are read first: the indexes' references name their rows ("see Neoplasm, skin, benign"). A
    # table's own references stay within it, so only the indexes are given the tables' terms.
    tables = {
        f.path: list(icd10cm_index.load_table(f.path, _INDEX_SOURCES[f.kind])) for f in index_files if f.kind in _TABLES
    }
    cited = [term for rows in tables.values() for term in rows]
    for number, index_file in enumerate(index_files):
        progress("ICD-10-CM index and tables", number, len(index_files))
        source = _INDEX_SOURCES[index_file.kind]
        if index_file.kind in _TABLES:
            made = icd10cm_index.designations(tables[index_file.path], known, SYSTEM)
        else:
            terms = list(icd10cm_index.load_index(index_file.path, source))
            made = icd10cm_index.designations(terms, known, SYSTEM, cited)
            if index_file.kind in _PRIOR_SOURCES:
                readings.update(dict.fromkeys((k, v) for k, vs in icd10cm_index.readings(terms).items() for v in vs))
        record = source_file(index_file.path)
        # Priors come from the Alphabetic Index and the Table of Drugs (its default column): an entry of the
        # External Cause Index names an event, and a Neoplasm Table cell a behaviour, that the query must say.
        index_priors = made.priors if index_file.kind in _PRIOR_SOURCES else ()
        if record.reconstructed:
            # Terms of a reconstructed index (not the CDC's file) say so wherever they are shown.
            designations.extend(replace(d, source=d.source + RECONSTRUCTED) for d in made.designations)
            priors.extend(replace(p, source=p.source + RECONSTRUCTED) for p in index_priors)
        else:
            designations.extend(made.designations)
            priors.extend(index_priors)
        files.append(record)
        if made.unresolved_codes or made.unresolved_references:
            warnings.append(
                f"{index_file.path.name}: {made.unresolved_codes} codes not in the tabular list,"
                f" {made.unresolved_references} see-references without a target; left out"
            )
    release = Release(SYSTEM, tabular.version, effective_date(main), tuple(files))
    return ReleaseContent(
        release,
        tabular.concepts,
        tuple(designations),
        tabular.notes,
        warnings=tuple(warnings),
        priors=tuple(dict.fromkeys(priors)),
        readings=tuple(readings),
    )
