"""Code systems as the terminology operations see them: the loaded ones (a store) and supplied ones (in memory).

Both answer the same small protocol, so that a value set may include codes of either, and $lookup,
$validate-code and $subsumes need not know where a code lives.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from medcodes.models import Concept, DesignationKind, NoteKind
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import NAMES, REGISTRY, SystemId
from medcodes.terminology.concepts import (
    INACTIVE_STATUSES,
    Coding,
    ConceptProperty,
    Designation,
    PropertyDefinition,
    PropertyType,
    SystemInfo,
    TermConcept,
)

# medcodes' own code system for the kinds of designation (title, short title, index term ...).
DESIGNATION_USE = "urn:medcodes:designation"
CONCEPT_PROPERTIES = "http://hl7.org/fhir/concept-properties"

_STANDARD_PROPERTIES = (
    PropertyDefinition("parent", PropertyType.CODE, f"{CONCEPT_PROPERTIES}#parent", "The concept's parent"),
    PropertyDefinition("child", PropertyType.CODE, f"{CONCEPT_PROPERTIES}#child", "A concept one level below"),
    PropertyDefinition("inactive", PropertyType.BOOLEAN, f"{CONCEPT_PROPERTIES}#inactive", "Whether it is inactive"),
    PropertyDefinition(
        "notSelectable",
        PropertyType.BOOLEAN,
        f"{CONCEPT_PROPERTIES}#notSelectable",
        "A header (chapter, block, category with codes below it): not for use in data",
    ),
    PropertyDefinition("billable", PropertyType.BOOLEAN, None, "Valid for use in claims and records"),
    PropertyDefinition("kind", PropertyType.CODE, None, "chapter, block, category, code, modifier or extension"),
)
_NOTE_PROPERTIES = tuple(
    PropertyDefinition(kind.value, PropertyType.STRING, None, f"An official note of this kind ({kind.value})")
    for kind in NoteKind
)


class CodeSource(Protocol):
    """A code system the terminology operations can read."""

    @property
    def info(self) -> SystemInfo: ...

    def find(self, code: str) -> TermConcept | None:
        """The concept with this code (any case where the system is case-insensitive), or None."""

    def detail(self, code: str) -> TermConcept | None:
        """The concept with every designation and property (for $lookup)."""

    def children(self, code: str) -> list[TermConcept]: ...

    def parents(self, code: str) -> list[TermConcept]: ...

    def ancestors(self, code: str) -> list[str]:
        """Every code above ``code``, nearest first."""

    def descendants(self, code: str) -> list[TermConcept]:
        """Every concept below ``code``, in order (not itself)."""

    def concepts(self) -> Iterator[TermConcept]:
        """Every concept, in the system's order (depth first)."""


# ---------------------------------------------------------------------------------------------- supplied
@dataclass(frozen=True, slots=True)
class LocalConcept:
    """A concept of a supplied code system with where it sits."""

    concept: TermConcept
    parents: tuple[str, ...] = ()


@dataclass(slots=True)
class LocalCodeSystem:
    """A code system supplied with a request (tx-resource), held in memory for that request only."""

    info: SystemInfo
    entries: Sequence[LocalConcept]
    _by_code: dict[str, LocalConcept] = field(init=False, default_factory=dict)
    _by_folded: dict[str, LocalConcept] = field(init=False, default_factory=dict)
    _children: dict[str, list[str]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.entries:
            self._by_code.setdefault(entry.concept.code, entry)
            self._by_folded.setdefault(entry.concept.code.casefold(), entry)
            for parent in entry.parents:
                self._children.setdefault(parent, []).append(entry.concept.code)

    def find(self, code: str) -> TermConcept | None:
        entry = self._by_code.get(code)
        if entry is None and not self.info.case_sensitive:
            entry = self._by_folded.get(code.casefold())
        return entry.concept if entry is not None else None

    def detail(self, code: str) -> TermConcept | None:
        return self.find(code)

    def children(self, code: str) -> list[TermConcept]:
        return [self._by_code[c].concept for c in self._children.get(code, ())]

    def parents(self, code: str) -> list[TermConcept]:
        entry = self._by_code.get(code)
        return [self._by_code[p].concept for p in entry.parents if p in self._by_code] if entry else []

    def ancestors(self, code: str) -> list[str]:
        seen: list[str] = []
        frontier = [code]
        while frontier:
            entry = self._by_code.get(frontier.pop(0))
            for parent in entry.parents if entry else ():
                if parent not in seen and parent != code:
                    seen.append(parent)
                    frontier.append(parent)
        return seen

    def descendants(self, code: str) -> list[TermConcept]:
        out: list[TermConcept] = []
        seen = {code}
        stack = list(reversed(self._children.get(code, [])))
        while stack:
            child = stack.pop()
            if child in seen:
                continue
            seen.add(child)
            out.append(self._by_code[child].concept)
            stack.extend(reversed(self._children.get(child, [])))
        return out

    def concepts(self) -> Iterator[TermConcept]:
        return (entry.concept for entry in self.entries)


def is_inactive(concept: TermConcept) -> bool:
    return concept.inactive or (concept.status or "") in INACTIVE_STATUSES


# ---------------------------------------------------------------------------------------------- loaded
class StoredCodeSystem:
    """A loaded system, read from the store.

    A code the release keeps although the history says it was deleted (HCPCS keeps terminated codes for
    earlier dates of service) is inactive; any other header that is not billable is not selectable.
    """

    def __init__(self, store: SQLiteStore, system: SystemId, version: str | None, count: int) -> None:
        self.store = store
        self.system = system
        self._count = count
        self._version = version
        self._info: SystemInfo | None = None
        self._retired: frozenset[str] | None = None

    def term(self, concept: Concept) -> TermConcept:
        """A stored concept as a terminology concept."""
        if self._retired is None:
            self._retired = frozenset(e.code for e in self.store.deleted_codes() if e.system is self.system)
        retired = concept.code in self._retired
        abstract = not concept.billable and not retired
        return TermConcept(
            concept.code, concept.title, abstract=abstract, inactive=retired, status="retired" if retired else None
        )

    @property
    def info(self) -> SystemInfo:
        if self._info is None:
            release = self.store.release_of(self.system)
            own = tuple(
                PropertyDefinition(name, PropertyType.STRING, None, None)
                for name, _ in self.store.property_names(self.system)
            )
            self._info = SystemInfo(
                url=REGISTRY[self.system].fhir_uri,
                version=self._version,
                name=NAMES[self.system],
                title=NAMES[self.system],
                case_sensitive=True,
                content="not-present",
                language="en",
                copyright=release.licence if release else None,
                date=release.effective if release else None,
                count=self._count,
                properties=_STANDARD_PROPERTIES + _NOTE_PROPERTIES + own,
                system_id=self.system.value,
            )
        return self._info

    def find(self, code: str) -> TermConcept | None:
        concept = self.store.get(self.system, code)
        return self.term(concept) if concept is not None else None

    def find_all(self, codes: Sequence[str]) -> list[TermConcept]:
        """The concepts of ``codes`` that exist, in the order given (one query)."""
        found = self.store.concepts_in(self.system, codes)
        return [self.term(found[c]) for c in codes if c in found]

    def detail(self, code: str) -> TermConcept | None:
        concept = self.store.get(self.system, code)
        if concept is None:
            return None
        s, c = self.system, concept.code
        designations = [
            Designation(d.text, "en", Coding(DESIGNATION_USE, d.kind.value, d.kind.value.replace("_", " ")))
            for d in self.store.designations(s, c)
            if not (d.kind is DesignationKind.TITLE and d.text == concept.title)
        ]
        base = self.term(concept)
        props: list[ConceptProperty] = []
        for parent in self.parents(c):
            props.append(ConceptProperty("parent", parent.code, PropertyType.CODE, parent.display))
        for child in self.store.children(s, c):
            props.append(ConceptProperty("child", child.code, PropertyType.CODE, child.title))
        props += [
            ConceptProperty("inactive", base.inactive, PropertyType.BOOLEAN),
            ConceptProperty("notSelectable", not concept.billable, PropertyType.BOOLEAN),
            ConceptProperty("billable", concept.billable, PropertyType.BOOLEAN),
            ConceptProperty("kind", concept.kind.value, PropertyType.CODE),
        ]
        for note in self.store.notes(s, c):
            text = f"{note.character}: {note.text}" if note.character else note.text
            where = f"inherited from {note.inherited_from}" if note.inherited_from else None
            props.append(ConceptProperty(note.kind.value, text, PropertyType.STRING, where))
        for p in self.store.properties(s, c):
            props.append(ConceptProperty(p.name, p.value, PropertyType.STRING, p.label))
        return replace(base, designations=tuple(designations), properties=tuple(props))

    def children(self, code: str) -> list[TermConcept]:
        return [self.term(c) for c in self.store.children(self.system, code)]

    def parents(self, code: str) -> list[TermConcept]:
        concept = self.store.get(self.system, code)
        if concept is None or concept.parent is None:
            return []
        parent = self.store.get(self.system, concept.parent)
        return [self.term(parent)] if parent is not None else []

    def ancestors(self, code: str) -> list[str]:
        return [c.code for c in reversed(self.store.ancestors(self.system, code))]

    def descendants(self, code: str) -> list[TermConcept]:
        bounds = self.store.subtree_ids(self.system, code)
        if bounds is None:
            return []
        return [self.term(c) for c in self.store.concept_page(self.system, bounds, 1, bounds[1] - bounds[0])]

    def concepts(self) -> Iterator[TermConcept]:
        return (self.term(c) for c in self.store.concept_page(self.system, None, 0, self._count + 1))

    def page(self, within: str | None, offset: int, count: int) -> tuple[int, list[TermConcept]]:
        """A page of the whole system, or of one concept's subtree (the concept first): (total, concepts)."""
        bounds = None
        total = self._count
        if within is not None:
            bounds = self.store.subtree_ids(self.system, within)
            if bounds is None:
                return 0, []
            total = bounds[1] - bounds[0]
        return total, [self.term(c) for c in self.store.concept_page(self.system, bounds, offset, count)]
