"""Concept maps: supplied ones (in memory) and the loaded crosswalks, and how a relation reads as an equivalence.

The loaded crosswalks are relations in the store (GEMs, the WHO ICD-10 <-> ICD-11 tables, code history);
each row's flags become a FHIR R4 ConceptMap equivalence (docs/fhir.md has the table):

- a no-map row -> unmatched (the translation fails, with a message);
- code history (replaced by, previous code) -> relatedto;
- "combination" (GEMs and WHO: the source needs several target codes together) and "postcoordinated"
  (WHO: a stem code that extension codes complete) -> wider: each target code alone says more generally
  what the source says with the others;
- "approximate" (GEMs; WHO rows reached through an ICD-10-CM code's WHO stem) -> inexact;
- WHO "subclass" (the ICD-10 class is narrower than its ICD-11 target) -> wider;
- GEM "identical", WHO "equivalent" -> equivalent; anything else -> relatedto.

A row read against its direction (an ICD-9-CM -> ICD-10-CM row used to go from ICD-10-CM to ICD-9-CM)
swaps wider and narrower.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from medcodes.models import Relation, RelationKind
from medcodes.systems import SystemId
from medcodes.terminology.concepts import Coding

# R5 ConceptMap relationship -> R4 equivalence (a supplied map may be written either way).
R5_TO_R4 = {
    "related-to": "relatedto",
    "equivalent": "equivalent",
    "source-is-narrower-than-target": "wider",
    "source-is-broader-than-target": "narrower",
    "not-related-to": "disjoint",
}
_REVERSED = {"wider": "narrower", "narrower": "wider", "subsumes": "specializes", "specializes": "subsumes"}
NO_MAP_FLAG = "no map"


@dataclass(frozen=True, slots=True)
class MapTarget:
    code: str | None
    display: str | None = None
    equivalence: str = "equivalent"  # R4 ConceptMapEquivalence
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class MapElement:
    code: str
    display: str | None
    targets: tuple[MapTarget, ...]


@dataclass(frozen=True, slots=True)
class MapGroup:
    source: str | None
    target: str | None
    elements: tuple[MapElement, ...]
    source_version: str | None = None
    target_version: str | None = None


@dataclass(frozen=True, slots=True)
class ConceptMapDefinition:
    url: str | None
    version: str | None = None
    name: str | None = None
    source_scope: str | None = None  # the source value set
    target_scope: str | None = None
    groups: tuple[MapGroup, ...] = ()
    id: str | None = None

    @property
    def canonical(self) -> str:
        return f"{self.url}|{self.version}" if self.url and self.version else self.url or ""


@dataclass(frozen=True, slots=True)
class Match:
    """One translation of a code."""

    equivalence: str
    concept: Coding | None
    origin: str | None  # the canonical of the concept map (or crosswalk table) it comes from
    source: Coding | None = None  # for a reverse translation: the source code found
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Translation:
    result: bool
    matches: tuple[Match, ...]
    message: str | None = None


class Crosswalked(Protocol):
    """A crosswalk row seen from a code (service.Mapping)."""

    @property
    def relation(self) -> Relation: ...

    @property
    def forward(self) -> bool: ...

    @property
    def system(self) -> SystemId: ...

    @property
    def code(self) -> str: ...

    @property
    def title(self) -> str | None: ...


def crosswalk_url(table: str | None) -> str:
    """The canonical medcodes gives a loaded crosswalk table (``gem-2018-dx-i10-i9``)."""
    return f"urn:medcodes:crosswalk:{table or 'unnamed'}"


def equivalence(relation: Relation, forward: bool) -> str:
    """The R4 equivalence of a crosswalk row, read from ``relation``'s source (forward) or its target."""
    flags = set(relation.flags)
    if NO_MAP_FLAG in flags:
        return "unmatched"
    if relation.kind is RelationKind.REPLACED_BY or "previous code" in flags:
        word = "relatedto"
    elif flags & {"combination", "postcoordinated"}:
        word = "wider"
    elif "approximate" in flags:
        word = "inexact"
    elif "subclass" in flags:
        word = "wider"
    elif flags & {"identical", "equivalent"}:
        word = "equivalent"
    else:
        word = "relatedto"
    return word if forward else _REVERSED.get(word, word)


def comment(relation: Relation) -> str | None:
    words = [f for f in relation.flags if f not in ("identical", "equivalent")]
    detail = f"; {relation.detail}" if relation.detail else ""
    return (", ".join(words) + detail) if words or detail else None


def translate_supplied(
    maps: Sequence[ConceptMapDefinition],
    system: str | None,
    code: str,
    target_system: str | None,
    reverse: bool,
) -> list[Match]:
    """Every match for a code in supplied concept maps (``reverse``: the code is a target, find its sources)."""
    found: list[Match] = []
    for cm in maps:
        for group in cm.groups:
            if reverse:
                if system is not None and group.target != system:
                    continue
                for element in group.elements:
                    for t in element.targets:
                        if t.code == code and t.equivalence not in ("unmatched", "disjoint"):
                            found.append(
                                Match(
                                    t.equivalence,
                                    Coding(group.target, code),
                                    cm.canonical,
                                    Coding(group.source, element.code, element.display),
                                )
                            )
                continue
            if system is not None and group.source != system:
                continue
            if target_system is not None and group.target != target_system:
                continue
            for element in group.elements:
                if element.code != code:
                    continue
                for t in element.targets:
                    if t.equivalence in ("unmatched", "disjoint"):
                        continue
                    target = Coding(group.target, t.code, t.display) if t.code else None
                    found.append(Match(t.equivalence, target, cm.canonical, comment=t.comment))
    return found
