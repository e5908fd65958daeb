"""WHO ICD-10 from WHO's ClaML file (Classification Markup Language, ISO 13120; WHO's ``icdClaML<year>ens.xml``).

ClaML lists every class of the classification as ``<Class code=".." kind="chapter|block|category">`` with
``<SuperClass code>`` (its parent), ``<SubClass code>`` (its children) and ``<Rubric kind="..">`` elements
whose ``<Label>`` holds text mixed with ``<Reference>``, ``<Fragment>``, ``<Para>`` and ``<List>`` markup.
The root names the release: ``<Identifier authority="WHO" uid="icd10_2019"/>`` and
``<Title name="ICD-10-EN-2019" version="2019">``.

What medcodes takes:

- Chapters (codes as WHO writes them, "I".."XXII"), blocks ("A00-A09") and categories ("A00", "A00.0"); a
  category with a dot is a CODE, without one a CATEGORY. Parents from ``<SuperClass>``, order from the file.
- ICD-10 has no "billable" flag; a category without subclasses (a leaf) is the nearest equivalent, as WHO's
  mortality and morbidity rules ask for the most detailed category. Fifth characters that ClaML gives as
  ``<ModifiedBy>`` modifiers (e.g. the closed/open fracture subdivision) are optional in WHO ICD-10 and are not
  expanded into concepts.
- Rubrics: ``preferred`` is the title; ``preferredLong`` a synonym; ``inclusion`` an inclusion term (note and
  designation); ``exclusion`` a note written "Excludes: ...", because WHO has one kind of exclusion, not the
  Excludes1/Excludes2 pair of ICD-10-CM; ``note``, ``coding-hint``, ``definition``, ``introduction``, ``text``
  and ``footnote`` are notes.
- ``usage="dagger"`` / ``usage="aster"`` (the dagger-asterisk system) become the property ``icd10.usage``.

The release has no effective date: WHO publishes an ICD-10 version and each country adopts it on its own date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from medcodes.errors import SourceError
from medcodes.models import (
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
)
from medcodes.properties import PropertyName
from medcodes.sources.files import line_of, parse_xml, source_file, squash
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.titles import title_designations
from medcodes.systems import SystemId

SYSTEM = SystemId.ICD10

# The notice to show with WHO ICD-10 content. ICD-10 is not public domain and not under an open licence:
# WHO licenses its use (https://www.who.int/about/policies/publishing/copyright). Every release carries it
# (Release.licence) to the pages.
ATTRIBUTION = (
    "ICD-10: International Statistical Classification of Diseases and Related Health Problems, 10th Revision. "
    "© World Health Organization. The codes and titles are WHO's, shown unmodified; "
    "WHO does not endorse this software."
)

_KINDS = {"chapter": ConceptKind.CHAPTER, "block": ConceptKind.BLOCK, "category": ConceptKind.CATEGORY}
_NOTE_RUBRICS = {
    "note": "",
    "coding-hint": "",
    "definition": "",
    "introduction": "",
    "text": "",
    "footnote": "",
    "exclusion": "Excludes: ",
}
_USAGE = {"dagger": "dagger (†): the code of the underlying disease", "aster": "asterisk (*): a manifestation"}
# Label markup that stands on its own (a paragraph, a list item): separated from its neighbours by a space.
_BLOCK_MARKUP = frozenset({"Para", "Fragment", "List", "ListItem", "Table", "THead", "TBody", "Row", "Cell"})
_SPACE_BEFORE = re.compile(r"\s+([,.;:)\]])")
_SPACE_AFTER = re.compile(r"([(\[])\s+")
_CLAML = re.compile(rb"<ClaML\b")
_WHO = re.compile(rb"<Identifier\b[^>]*\bauthority\s*=\s*[\"']WHO[\"']")
_ICD10 = re.compile(rb"\buid\s*=\s*[\"']icd10|<Title\b[^>]*\bname\s*=\s*[\"']ICD-10", re.IGNORECASE)
_TITLE_VERSION = re.compile(rb"<Title\b[^>]*\bversion\s*=\s*[\"']([^\"']+)[\"']")


@dataclass(frozen=True, slots=True)
class _Class:
    code: str
    kind: ConceptKind
    parent: str | None
    element: etree._Element


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """A WHO ICD-10 ClaML file: a ``<ClaML>`` root whose Identifier's authority is WHO and that names ICD-10."""
    if not (_CLAML.search(head) and _WHO.search(head) and _ICD10.search(head)):
        return None
    version = _TITLE_VERSION.search(head)
    return FoundFile(FileKind.ICD10_WHO, path, version.group(1).decode() if version else None)


def label_text(label: etree._Element) -> str:
    """The words of a ClaML ``<Label>``: its text and that of its markup, in reading order, spaces tidied."""
    pieces: list[str] = []

    def walk(element: etree._Element) -> None:
        block = element is not label and str(element.tag) in _BLOCK_MARKUP
        if block:
            pieces.append(" ")
        pieces.append(element.text or "")
        for child in element:
            walk(child)
            pieces.append(child.tail or "")
        if block:
            pieces.append(" ")

    walk(label)
    text = squash("".join(pieces))
    return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text))


def _rubric_texts(element: etree._Element, kind: str) -> list[str]:
    texts: list[str] = []
    for rubric in element.findall("Rubric"):
        if rubric.get("kind") != kind:
            continue
        label = rubric.find("Label")
        if label is not None and (text := label_text(label)):
            texts.append(text)
    return texts


def _classes(root: etree._Element, path: Path) -> list[_Class]:
    classes: list[_Class] = []
    for element in root.iter("Class"):
        code = (element.get("code") or "").strip()
        kind_name = (element.get("kind") or "").strip()
        if not code:
            raise SourceError(path, line_of(element), "a <Class> without a code")
        kind = _KINDS.get(kind_name)
        if kind is None:
            raise SourceError(
                path, line_of(element), f"{code}: class kind {kind_name!r} is not chapter, block or category"
            )
        if kind is ConceptKind.CATEGORY and "." in code:
            kind = ConceptKind.CODE
        superclass = element.find("SuperClass")
        parent = (superclass.get("code") or "").strip() or None if superclass is not None else None
        classes.append(_Class(code, kind, parent, element))
    return classes


def _depths(classes: list[_Class], path: Path) -> dict[str, int]:
    by_code = {c.code: c for c in classes}
    depths: dict[str, int] = {}
    for start in classes:
        chain: list[str] = []
        code: str | None = start.code
        while code is not None and code not in depths:
            if code in chain:
                raise SourceError(path, line_of(start.element), f"{start.code}: its superclasses form a loop")
            chain.append(code)
            code = by_code[code].parent
        depth = depths[code] + 1 if code is not None else 0
        for link in reversed(chain):
            depths[link] = depth
            depth += 1
    return depths


def load_claml(path: Path, data: bytes | None = None) -> ReleaseContent:
    """Read a WHO ICD-10 ClaML file (plain or .gz) into a release of WHO ICD-10."""
    root = parse_xml(path, data)
    if root.tag != "ClaML":
        raise SourceError(path, line_of(root), f"not a ClaML file: root <{root.tag}>")
    title = root.find("Title")
    version = (title.get("version") or "").strip() if title is not None else ""
    if not version:
        raise SourceError(path, line_of(root), "no <Title version=...>: cannot tell the release")
    classes = _classes(root, path)
    if not classes:
        raise SourceError(path, line_of(root), "no <Class> element")
    known: set[str] = set()
    for cls in classes:
        if cls.code in known:
            raise SourceError(path, line_of(cls.element), f"class {cls.code!r} appears twice")
        known.add(cls.code)
    parents = {cls.parent for cls in classes}
    for cls in classes:
        if cls.parent is not None and cls.parent not in known:
            raise SourceError(path, line_of(cls.element), f"{cls.code}: superclass {cls.parent!r} is not a class")
    depths = _depths(classes, path)
    concepts: list[Concept] = []
    designations: list[Designation] = []
    notes: list[ConceptNote] = []
    properties: list[Property] = []
    for cls in classes:
        titles = _rubric_texts(cls.element, "preferred")
        if not titles:
            raise SourceError(path, line_of(cls.element), f"{cls.code}: no preferred rubric (title)")
        leaf = cls.code not in parents
        billable = leaf and cls.kind in (ConceptKind.CATEGORY, ConceptKind.CODE)
        concepts.append(
            Concept(SYSTEM, cls.code, titles[0], cls.kind, billable, cls.parent, None, depths[cls.code], len(concepts))
        )
        designations.extend(title_designations(concepts[-1], "claml"))
        for text in _rubric_texts(cls.element, "preferredLong"):
            designations.append(Designation(SYSTEM, cls.code, DesignationKind.SYNONYM, text, "claml"))
        for text in _rubric_texts(cls.element, "inclusion"):
            notes.append(ConceptNote(SYSTEM, cls.code, Note(NoteKind.INCLUSION_TERM, text)))
            designations.append(Designation(SYSTEM, cls.code, DesignationKind.INCLUSION_TERM, text, "claml"))
        for rubric in cls.element.findall("Rubric"):
            prefix = _NOTE_RUBRICS.get(rubric.get("kind") or "")
            label = rubric.find("Label")
            if prefix is None or label is None or not (text := label_text(label)):
                continue
            notes.append(ConceptNote(SYSTEM, cls.code, Note(NoteKind.NOTE, prefix + text)))
        usage = cls.element.get("usage")
        if usage:
            properties.append(Property(SYSTEM, cls.code, PropertyName.ICD10_USAGE, usage, _USAGE.get(usage)))
    release = Release(SYSTEM, version, None, (source_file(path),), licence=ATTRIBUTION)
    return ReleaseContent(release, tuple(concepts), tuple(designations), tuple(notes), properties=tuple(properties))


def load(found: Sequence[FoundFile]) -> ReleaseContent | None:
    """The newest WHO ICD-10 ClaML file among ``found``, or None when there is none."""
    files = [f for f in found if f.kind is FileKind.ICD10_WHO]
    if not files:
        return None
    newest = max(files, key=lambda f: f.version or "")
    return load_claml(newest.path)
