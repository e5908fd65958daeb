"""The value objects of the terminology layer: concepts, designations and properties as FHIR sees them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

# A concept's status property (http://hl7.org/fhir/concept-properties#status) that makes it inactive.
INACTIVE_STATUSES = frozenset({"retired", "inactive", "withdrawn"})


class PropertyType(StrEnum):
    """CodeSystem.property.type."""

    CODE = "code"
    CODING = "Coding"
    STRING = "string"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATETIME = "dateTime"
    DECIMAL = "decimal"


@dataclass(frozen=True, slots=True)
class Coding:
    system: str | None
    code: str
    display: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Designation:
    value: str
    language: str | None = None
    use: Coding | None = None


PropertyValue = str | bool | int | float | Coding


@dataclass(frozen=True, slots=True)
class PropertyDefinition:
    """A property a code system declares: its code, URI and type."""

    code: str
    type: PropertyType
    uri: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ConceptProperty:
    code: str
    value: PropertyValue
    type: PropertyType
    description: str | None = None  # the display of a code-valued property (parent, child)


@dataclass(frozen=True, slots=True)
class TermConcept:
    """One concept of a code system, whichever store it comes from."""

    code: str
    display: str | None
    definition: str | None = None
    abstract: bool = False  # notSelectable: a grouper, not for use in data
    inactive: bool = False
    status: str | None = None  # retired, deprecated, withdrawn, ... where the code system says
    designations: tuple[Designation, ...] = ()
    properties: tuple[ConceptProperty, ...] = ()

    def property_values(self, code: str) -> list[PropertyValue]:
        return [p.value for p in self.properties if p.code == code]


@dataclass(frozen=True, slots=True)
class SystemInfo:
    """What a code system says about itself."""

    url: str
    version: str | None
    name: str
    title: str | None = None
    status: str = "active"  # draft, active, retired
    experimental: bool = False
    case_sensitive: bool = True
    content: str = "complete"  # complete, not-present, fragment, example, supplement
    language: str | None = None
    hierarchy_meaning: str | None = "is-a"
    publisher: str | None = None
    description: str | None = None
    copyright: str | None = None
    date: dt.date | None = None
    count: int | None = None
    properties: tuple[PropertyDefinition, ...] = ()
    # Stored systems only: the medcodes id (icd10cm ...).
    system_id: str | None = None
    # The structuredefinition-standards-status extension of the resource: deprecated, withdrawn ...
    standards_status: str | None = None

    @property
    def canonical(self) -> str:
        return f"{self.url}|{self.version}" if self.version else self.url
