"""Supplied FHIR resources (CodeSystem, ValueSet, ConceptMap JSON, R4 or R5) as terminology value objects.

A malformed resource is a 400 naming what is wrong; parts that change no answer here (narrative, metadata)
are not read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from medcodes.errors import FhirError
from medcodes.terminology.codesystems import LocalCodeSystem, LocalConcept
from medcodes.terminology.conceptmaps import R5_TO_R4, ConceptMapDefinition, MapElement, MapGroup, MapTarget
from medcodes.terminology.concepts import (
    Coding,
    ConceptProperty,
    Designation,
    PropertyDefinition,
    PropertyType,
    SystemInfo,
    TermConcept,
)
from medcodes.terminology.registry import Supplied
from medcodes.terminology.valuesets import ComposePart, ConceptReference, Filter, ValueSetDefinition

JsonObject = dict[str, Any]
STANDARDS_STATUS = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"
VS_DEPRECATED = "http://hl7.org/fhir/StructureDefinition/valueset-deprecated"
_TYPES = {t.value: t for t in PropertyType}


def supplied(resources: Sequence[JsonObject]) -> Supplied:
    """The code systems, value sets and concept maps of a request's ``tx-resource`` parameters."""
    code_systems, value_sets, maps = [], [], []
    for r in resources:
        kind = r.get("resourceType")
        if kind == "CodeSystem":
            if r.get("content") == "supplement":
                continue  # supplements add designations to another system; not applied here
            code_systems.append(code_system(r))
        elif kind == "ValueSet":
            value_sets.append(value_set(r))
        elif kind == "ConceptMap":
            maps.append(concept_map(r))
    return Supplied(tuple(code_systems), tuple(value_sets), tuple(maps))


def _str(data: JsonObject, key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FhirError(400, "structure", f"{where}.{key} must be a string")
    return value


def _standards_status(data: JsonObject) -> str | None:
    for ext in data.get("extension", []) or []:
        if isinstance(ext, dict) and ext.get("url") == STANDARDS_STATUS:
            value = ext.get("valueCode")
            return value if isinstance(value, str) else None
    return None


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------- CodeSystem
def code_system(data: JsonObject) -> LocalCodeSystem:
    url = _str(data, "url", "CodeSystem")
    if not url:
        raise FhirError(400, "required", "A supplied CodeSystem needs a url")
    definitions = tuple(
        PropertyDefinition(
            str(p.get("code")),
            _TYPES.get(str(p.get("type")), PropertyType.STRING),
            p.get("uri") if isinstance(p.get("uri"), str) else None,
            p.get("description") if isinstance(p.get("description"), str) else None,
        )
        for p in data.get("property", []) or []
        if isinstance(p, dict) and isinstance(p.get("code"), str)
    )
    types = {d.code: d.type for d in definitions}
    info = SystemInfo(
        url=url,
        version=_str(data, "version", "CodeSystem"),
        name=_str(data, "name", "CodeSystem") or url,
        title=_str(data, "title", "CodeSystem"),
        status=_str(data, "status", "CodeSystem") or "active",
        experimental=data.get("experimental") is True,
        case_sensitive=data.get("caseSensitive") is not False,
        content=_str(data, "content", "CodeSystem") or "complete",
        language=_str(data, "language", "CodeSystem"),
        hierarchy_meaning=_str(data, "hierarchyMeaning", "CodeSystem"),
        publisher=_str(data, "publisher", "CodeSystem"),
        description=_str(data, "description", "CodeSystem"),
        date=_date(_str(data, "date", "CodeSystem")),
        properties=definitions,
        standards_status=_standards_status(data),
    )
    entries = list(_concepts(data.get("concept", []) or [], (), types, url))
    # Parents named by a `parent` property (a flat list of concepts with their hierarchy in properties).
    named = {e.concept.code: e for e in entries}
    linked: list[LocalConcept] = []
    for e in entries:
        parents = list(e.parents)
        for value in e.concept.property_values("parent") + e.concept.property_values("subsumedBy"):
            code = value.code if isinstance(value, Coding) else str(value)
            if code in named and code not in parents:
                parents.append(code)
        linked.append(LocalConcept(e.concept, tuple(parents)))
    return LocalCodeSystem(info, linked)


def _concepts(
    items: Sequence[Any], parents: tuple[str, ...], types: dict[str, PropertyType], url: str
) -> Iterator[LocalConcept]:
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise FhirError(400, "structure", f"CodeSystem {url}: every concept needs a code")
        props = tuple(_property(p, types) for p in item.get("property", []) or [] if isinstance(p, dict))
        values = {p.code: p.value for p in props}
        status = values.get("status")
        concept = TermConcept(
            code=item["code"],
            display=item.get("display") if isinstance(item.get("display"), str) else None,
            definition=item.get("definition") if isinstance(item.get("definition"), str) else None,
            abstract=values.get("notSelectable") is True or values.get("abstract") is True,
            inactive=values.get("inactive") is True,
            status=status if isinstance(status, str) else None,
            designations=tuple(designation(d) for d in item.get("designation", []) or [] if isinstance(d, dict)),
            properties=props,
        )
        yield LocalConcept(concept, parents)
        yield from _concepts(item.get("concept", []) or [], (concept.code,), types, url)


def designation(data: JsonObject) -> Designation:
    use = data.get("use")
    return Designation(
        str(data.get("value", "")),
        data.get("language") if isinstance(data.get("language"), str) else None,
        coding(use) if isinstance(use, dict) else None,
    )


def coding(data: JsonObject) -> Coding:
    return Coding(data.get("system"), str(data.get("code", "")), data.get("display"), data.get("version"))


def _property(data: JsonObject, types: dict[str, PropertyType]) -> ConceptProperty:
    code = str(data.get("code"))
    for key, value in data.items():
        if not key.startswith("value"):
            continue
        kind = key[5:]
        if kind == "Coding" and isinstance(value, dict):
            return ConceptProperty(code, coding(value), PropertyType.CODING)
        if isinstance(value, (str, bool, int, float)):
            return ConceptProperty(
                code, value, _TYPES.get(kind[0].lower() + kind[1:], types.get(code, PropertyType.STRING))
            )
    raise FhirError(400, "structure", f"Concept property '{code}' has no value")


# ---------------------------------------------------------------------------------------------- ValueSet
def value_set(data: JsonObject) -> ValueSetDefinition:
    compose = data.get("compose") or {}
    if not isinstance(compose, dict):
        raise FhirError(400, "structure", "ValueSet.compose must be an object")
    inactive = compose.get("inactive")
    return ValueSetDefinition(
        url=_str(data, "url", "ValueSet"),
        version=_str(data, "version", "ValueSet"),
        name=_str(data, "name", "ValueSet"),
        title=_str(data, "title", "ValueSet"),
        status=_str(data, "status", "ValueSet") or "active",
        experimental=data.get("experimental") is True,
        include=tuple(_part(p) for p in compose.get("include", []) or []),
        exclude=tuple(_part(p) for p in compose.get("exclude", []) or []),
        inactive=inactive if isinstance(inactive, bool) else None,
        id=_str(data, "id", "ValueSet"),
        contained=tuple(value_set(c) for c in data.get("contained", []) or [] if c.get("resourceType") == "ValueSet"),
        standards_status=_standards_status(data),
    )


def _part(data: Any) -> ComposePart:
    if not isinstance(data, dict):
        raise FhirError(400, "structure", "ValueSet.compose.include and .exclude hold objects")
    concepts = []
    for c in data.get("concept", []) or []:
        if not isinstance(c, dict) or not isinstance(c.get("code"), str):
            raise FhirError(400, "structure", "ValueSet.compose.include.concept needs a code")
        concepts.append(
            ConceptReference(
                c["code"],
                c.get("display") if isinstance(c.get("display"), str) else None,
                tuple(designation(d) for d in c.get("designation", []) or [] if isinstance(d, dict)),
                "deprecated" if _deprecation(c) else None,
                _deprecation(c),
            )
        )
    filters = []
    for f in data.get("filter", []) or []:
        if not isinstance(f, dict) or not all(isinstance(f.get(k), str) for k in ("property", "op", "value")):
            raise FhirError(400, "structure", "ValueSet.compose filters need property, op and value")
        filters.append(Filter(f["property"], f["op"], f["value"]))
    value_sets = data.get("valueSet", []) or []
    if isinstance(value_sets, str):
        value_sets = [value_sets]
    return ComposePart(
        system=data.get("system") if isinstance(data.get("system"), str) else None,
        version=data.get("version") if isinstance(data.get("version"), str) else None,
        concepts=tuple(concepts),
        filters=tuple(filters),
        value_sets=tuple(v for v in value_sets if isinstance(v, str)),
    )


def _deprecation(concept: JsonObject) -> str | None:
    """The extension that marks a value set's concept as deprecated, if one does."""
    for ext in concept.get("extension", []) or []:
        if not isinstance(ext, dict):
            continue
        if ext.get("url") == VS_DEPRECATED and str(ext.get("valueCode", ext.get("valueBoolean"))).lower() == "true":
            return VS_DEPRECATED
        if ext.get("url") == STANDARDS_STATUS and ext.get("valueCode") == "deprecated":
            return STANDARDS_STATUS
    return None


# ---------------------------------------------------------------------------------------------- ConceptMap
def concept_map(data: JsonObject) -> ConceptMapDefinition:
    groups = []
    for g in data.get("group", []) or []:
        if not isinstance(g, dict):
            raise FhirError(400, "structure", "ConceptMap.group holds objects")
        elements = []
        for e in g.get("element", []) or []:
            targets = []
            for t in e.get("target", []) or []:
                word = t.get("equivalence") or R5_TO_R4.get(str(t.get("relationship")), "relatedto")
                targets.append(MapTarget(t.get("code"), t.get("display"), str(word), t.get("comment")))
            elements.append(MapElement(str(e.get("code")), e.get("display"), tuple(targets)))
        groups.append(
            MapGroup(g.get("source"), g.get("target"), tuple(elements), g.get("sourceVersion"), g.get("targetVersion"))
        )
    return ConceptMapDefinition(
        url=_str(data, "url", "ConceptMap"),
        version=_str(data, "version", "ConceptMap"),
        name=_str(data, "name", "ConceptMap"),
        source_scope=data.get("sourceUri") or data.get("sourceCanonical") or data.get("sourceScopeUri"),
        target_scope=data.get("targetUri") or data.get("targetCanonical") or data.get("targetScopeUri"),
        groups=tuple(groups),
        id=_str(data, "id", "ConceptMap"),
    )
