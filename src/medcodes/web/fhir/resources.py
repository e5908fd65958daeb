"""The JSON of FHIR R4 answers: CapabilityStatement, TerminologyCapabilities, CodeSystem, ValueSet (with its
expansion), Parameters (lookup, validate-code, translate, subsumes), Bundle. Built from terminology value objects.

R5-only elements (an expansion's properties) travel as the R4 extensions FHIR defines for them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from medcodes import __version__
from medcodes.errors import Issue
from medcodes.terminology.codesystems import StoredCodeSystem
from medcodes.terminology.conceptmaps import Match, Translation
from medcodes.terminology.concepts import Coding, ConceptProperty, Designation, PropertyType, SystemInfo, TermConcept
from medcodes.terminology.operations import Lookup, Validation
from medcodes.terminology.registry import IMPLICIT
from medcodes.terminology.valuesets import Expansion, Member, ValueSetDefinition
from medcodes.web.fhir.errors import operation_outcome

JsonObject = dict[str, Any]
FHIR_VERSION = "4.0.1"
# The version of the HL7 terminology ecosystem tests this server is checked against (tests/tx).
TX_TEST_VERSION = "1.9.0"
FEATURE = "http://hl7.org/fhir/uv/application-feature/StructureDefinition/feature"
R5_EXPANSION_PROPERTY = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.property"
R5_CONTAINS_PROPERTY = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.contains.property"
VS_DEPRECATED = "http://hl7.org/fhir/StructureDefinition/valueset-deprecated"
OPERATION_DEFINITION = "http://hl7.org/fhir/OperationDefinition/"
CONCEPT_PROPERTIES = "http://hl7.org/fhir/concept-properties"
PREFERRED_FOR_LANGUAGE = Coding(
    "http://terminology.hl7.org/CodeSystem/hl7TermMaintInfra", "preferredForLanguage", "Preferred For Language"
)
# The expansion parameters this server reads (TerminologyCapabilities lists them).
EXPANSION_PARAMETERS = (
    "activeOnly",
    "check-system-version",
    "count",
    "date",
    "displayLanguage",
    "excludeNested",
    "filter",
    "force-system-version",
    "includeDefinition",
    "includeDesignations",
    "offset",
    "property",
    "system-version",
    "tx-resource",
)
# Of an $expand request, the parameters an expansion repeats in expansion.parameter.
ECHOED = (
    "activeOnly",
    "count",
    "date",
    "displayLanguage",
    "excludeNested",
    "filter",
    "includeDesignations",
    "offset",
)


def machine_name(info: SystemInfo) -> str:
    return "".join(ch for ch in info.name if ch.isalnum()) or "CodeSystem"


# ---------------------------------------------------------------------------------------------- capabilities
def capability_statement(base: str, released: dt.date) -> JsonObject:
    def operation(name: str, definition: str) -> JsonObject:
        return {"name": name, "definition": OPERATION_DEFINITION + definition}

    return {
        "resourceType": "CapabilityStatement",
        "id": "medcodes",
        "extension": [
            {
                "url": FEATURE,
                "extension": [
                    {
                        "url": "definition",
                        "valueCanonical": "http://hl7.org/fhir/uv/tx-tests/FeatureDefinition/test-version",
                    },
                    {"url": "value", "valueCode": TX_TEST_VERSION},
                ],
            },
            {
                "url": FEATURE,
                "extension": [
                    {
                        "url": "definition",
                        "valueCanonical": "http://hl7.org/fhir/uv/tx-ecosystem/FeatureDefinition/CodeSystemAsParameter",
                    },
                    {"url": "value", "valueBoolean": True},
                ],
            },
        ],
        "url": f"{base}/metadata",
        "version": __version__,
        "name": "medcodes",
        "title": "medcodes FHIR R4 terminology server",
        "status": "active",
        "date": released.isoformat(),
        "publisher": "medcodes",
        "kind": "instance",
        "instantiates": ["http://hl7.org/fhir/CapabilityStatement/terminology-server"],
        "software": {"name": "medcodes", "version": __version__, "releaseDate": released.isoformat()},
        "implementation": {"description": "medcodes terminology server", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": "CodeSystem",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "url", "type": "uri"},
                            {"name": "version", "type": "token"},
                            {"name": "name", "type": "string"},
                        ],
                        "operation": [
                            operation("lookup", "CodeSystem-lookup"),
                            operation("validate-code", "CodeSystem-validate-code"),
                            operation("subsumes", "CodeSystem-subsumes"),
                        ],
                    },
                    {
                        "type": "ValueSet",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [{"name": "url", "type": "uri"}, {"name": "version", "type": "token"}],
                        "operation": [
                            operation("expand", "ValueSet-expand"),
                            operation("validate-code", "ValueSet-validate-code"),
                        ],
                    },
                    {"type": "ConceptMap", "operation": [operation("translate", "ConceptMap-translate")]},
                ],
                "operation": [operation("versions", "fhir-versions")],
            }
        ],
    }


def terminology_capabilities(base: str, released: dt.date, systems: Iterable[SystemInfo]) -> JsonObject:
    return {
        "resourceType": "TerminologyCapabilities",
        "id": "medcodes",
        "url": f"{base}/metadata?mode=terminology",
        "version": __version__,
        "name": "medcodes",
        "title": "medcodes FHIR R4 terminology server",
        "status": "active",
        "date": released.isoformat(),
        "kind": "instance",
        "software": {"name": "medcodes", "version": __version__},
        "implementation": {"description": "medcodes terminology server", "url": base},
        "codeSystem": [
            {
                "uri": info.url,
                "version": [
                    {
                        "code": info.version or "",
                        "isDefault": True,
                        "property": [p.code for p in info.properties],
                    }
                ],
            }
            for info in systems
        ],
        "expansion": {
            "hierarchical": False,
            "paging": True,
            "parameter": [{"name": name} for name in EXPANSION_PARAMETERS],
            "textFilter": "Words in any order, each matching the start of a word; ranked by the medcodes search "
            "engine for the loaded systems (abbreviations, typos, lay terms).",
        },
        "validateCode": {"translations": False},
        "translation": {"needsMap": False},
    }


def versions() -> JsonObject:
    return parameters([("version", {"valueString": "4.0"}), ("default", {"valueString": "4.0"})])


# ---------------------------------------------------------------------------------------------- CodeSystem, ValueSet
def code_system(info: SystemInfo) -> JsonObject:
    out: JsonObject = {
        "resourceType": "CodeSystem",
        "id": info.system_id or machine_name(info).lower(),
        "url": info.url,
        "version": info.version,
        "name": machine_name(info),
        "title": info.title or info.name,
        "status": info.status,
        "experimental": info.experimental,
        "date": info.date.isoformat() if info.date else None,
        "publisher": info.publisher,
        "description": info.description,
        "copyright": info.copyright,
        "caseSensitive": info.case_sensitive,
        "valueSet": info.url + IMPLICIT,
        "hierarchyMeaning": info.hierarchy_meaning,
        "content": info.content,
        "count": info.count,
        "property": [
            {
                k: v
                for k, v in (("code", p.code), ("uri", p.uri), ("description", p.description), ("type", p.type.value))
                if v
            }
            for p in info.properties
        ],
    }
    return _prune(out)


def implicit_value_set(source: StoredCodeSystem) -> JsonObject:
    info = source.info
    return {
        "resourceType": "ValueSet",
        "id": info.system_id,
        "url": info.url + IMPLICIT,
        "version": info.version,
        "name": machine_name(info) + "All",
        "title": f"All {info.name} codes",
        "status": "active",
        "experimental": False,
        "compose": {"include": [{"system": info.url}]},
    }


def value_set_header(vs: ValueSetDefinition, supplied: JsonObject | None) -> JsonObject:
    """The ValueSet an expansion belongs to, without its compose (a supplied one keeps its own id and dates)."""
    out: JsonObject = {"resourceType": "ValueSet"}
    if supplied is not None:
        for key in ("id", "language", "url", "version", "name", "title", "status", "experimental", "date", "publisher"):
            if key in supplied:
                out[key] = supplied[key]
        out.setdefault("status", "active")
        return out
    out.update(
        _prune(
            {
                "id": vs.id,
                "url": vs.url,
                "version": vs.version,
                "name": vs.name,
                "title": vs.title,
                "status": vs.status,
                "experimental": vs.experimental,
            }
        )
    )
    return out


def expansion(
    header: JsonObject,
    found: Expansion,
    echoed: Sequence[tuple[str, JsonObject]],
    *,
    designations: bool,
    properties: Sequence[str],
    warnings: Sequence[tuple[str, str]] = (),
) -> JsonObject:
    params: list[JsonObject] = [{"name": name, **value} for name, value in echoed]
    params += [{"name": "used-codesystem", "valueUri": info.canonical} for info in found.used]
    params += [{"name": "used-valueset", "valueUri": url} for url in found.used_value_sets]
    params += [{"name": f"warning-{kind}", "valueUri": url} for kind, url in warnings]
    body: JsonObject = {
        "identifier": f"urn:uuid:{uuid.uuid4()}",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    if found.total is not None:
        body["total"] = found.total
    if found.offset or any(name == "offset" for name, _ in echoed):
        body["offset"] = found.offset
    if params:
        body["parameter"] = params
    wanted = tuple(properties)
    contains = [_contains(m, designations, wanted) for m in found.members]
    declared = sorted({p.code for m in found.members for p in _shown(m.concept, wanted)})
    if declared:
        uris = {"definition": CONCEPT_PROPERTIES + "#definition"}
        uris.update({d.code: d.uri for info in found.used for d in info.properties if d.uri})
        body["extension"] = [
            {
                "url": R5_EXPANSION_PROPERTY,
                "extension": [
                    {"url": "code", "valueCode": code},
                    *([{"url": "uri", "valueUri": uris[code]}] if uris.get(code) else []),
                ],
            }
            for code in declared
        ]
    if contains:
        body["contains"] = contains
    return {**header, "expansion": body}


def _contains(member: Member, designations: bool, properties: Sequence[str]) -> JsonObject:
    concept = member.concept
    out: JsonObject = {"system": member.source.info.url}
    extensions: list[JsonObject] = []
    if member.reference is not None and member.reference.status == "deprecated":
        marker = member.reference.marker or VS_DEPRECATED
        extensions.append({"url": marker, "valueCode": "true" if marker == VS_DEPRECATED else "deprecated"})
    for p in _shown(concept, properties):
        extensions.append(
            {
                "url": R5_CONTAINS_PROPERTY,
                "extension": [{"url": "code", "valueCode": p.code}, {"url": "value", **_value(p)}],
            }
        )
    if extensions:
        out["extension"] = extensions
    if concept.abstract:
        out["abstract"] = True
    if concept.inactive or (concept.status or "") in ("retired", "inactive", "withdrawn"):
        out["inactive"] = True
    out["code"] = concept.code
    display = member.reference.display if member.reference and member.reference.display else concept.display
    if display is not None:
        out["display"] = display
    if designations:
        extra = list(member.reference.designations) if member.reference else []
        found = [*extra, *concept.designations]
        if found:
            out["designation"] = [designation(d) for d in found]
    return out


def _shown(concept: TermConcept, wanted: Sequence[str]) -> list[ConceptProperty]:
    """The properties an expansion shows for a concept: those asked for (``definition`` too)."""
    shown = [p for p in concept.properties if p.code in wanted]
    if "definition" in wanted and concept.definition:
        shown.append(ConceptProperty("definition", concept.definition, PropertyType.STRING))
    return shown


def designation(d: Designation) -> JsonObject:
    out: JsonObject = {}
    if d.language:
        out["language"] = d.language
    if d.use is not None:
        out["use"] = coding(d.use)
    out["value"] = d.value
    return out


def coding(c: Coding) -> JsonObject:
    return _prune({"system": c.system, "version": c.version, "code": c.code, "display": c.display})


def _value(p: ConceptProperty) -> JsonObject:
    v = p.value
    if isinstance(v, Coding):
        return {"valueCoding": coding(v)}
    if isinstance(v, bool):
        return {"valueBoolean": v}
    if p.type is PropertyType.CODE:
        return {"valueCode": str(v)}
    if isinstance(v, int):
        return {"valueInteger": v}
    if isinstance(v, float):
        return {"valueDecimal": v}
    if p.type is PropertyType.DATETIME:
        return {"valueDateTime": str(v)}
    return {"valueString": str(v)}


# ---------------------------------------------------------------------------------------------- Parameters
def parameters(items: Iterable[tuple[str, JsonObject]]) -> JsonObject:
    return {"resourceType": "Parameters", "parameter": [{"name": name, **value} for name, value in items]}


def lookup(found: Lookup, wanted: Sequence[str]) -> JsonObject:
    """$lookup's answer; ``wanted`` names the properties asked for (empty or ``*``: every one)."""
    info, concept = found.info, found.concept
    everything = not wanted or "*" in wanted
    items: list[tuple[str, JsonObject]] = [
        ("name", {"valueString": info.name}),
        ("code", {"valueCode": concept.code}),
        ("system", {"valueUri": info.url}),
    ]
    if info.version:
        items.append(("version", {"valueString": info.version}))
    items.append(("display", {"valueString": found.display or ""}))
    if concept.definition:
        items.append(("definition", {"valueString": concept.definition}))
    if concept.abstract:
        items.append(("abstract", {"valueBoolean": True}))
    shown = list(concept.designations)
    if info.language and found.display:
        # The display itself, as the preferred term in the code system's language.
        shown.append(Designation(found.display, info.language, PREFERRED_FOR_LANGUAGE))
    for d in shown:
        parts: list[JsonObject] = []
        if d.language:
            parts.append({"name": "language", "valueCode": d.language})
        if d.use is not None:
            parts.append({"name": "use", "valueCoding": coding(d.use)})
        parts.append({"name": "value", "valueString": d.value})
        items.append(("designation", {"part": parts}))
    for p in concept.properties:
        if everything or p.code in wanted:
            parts = [{"name": "code", "valueCode": p.code}, {"name": "value", **_value(p)}]
            if p.description:
                parts.append({"name": "description", "valueString": p.description})
            items.append(("property", {"part": parts}))
    return parameters(items)


def validation(found: Validation, echo_code: str | None) -> JsonObject:
    items: list[tuple[str, JsonObject]] = []
    code = echo_code if echo_code is not None else found.code
    if code is not None:
        items.append(("code", {"valueCode": code}))
    if found.display is not None:
        items.append(("display", {"valueString": found.display}))
    if found.inactive:
        items.append(("inactive", {"valueBoolean": True}))
    if found.issues:
        items.append(("issues", {"resource": operation_outcome(list(found.issues))}))
    if found.message:
        items.append(("message", {"valueString": found.message}))
    if found.normalized_code:
        items.append(("normalized-code", {"valueCode": found.normalized_code}))
    items.append(("result", {"valueBoolean": found.result}))
    if found.status and found.status != "inactive":
        items.append(("status", {"valueCode": found.status}))
    if found.system is not None:
        items.append(("system", {"valueUri": found.system}))
    if found.version is not None:
        items.append(("version", {"valueString": found.version}))
    return parameters(items)


def translation(found: Translation) -> JsonObject:
    items: list[tuple[str, JsonObject]] = [("result", {"valueBoolean": found.result})]
    if found.message:
        items.append(("message", {"valueString": found.message}))
    for m in found.matches:
        items.append(("match", {"part": _match(m)}))
    return parameters(items)


def _match(m: Match) -> list[JsonObject]:
    parts: list[JsonObject] = [{"name": "equivalence", "valueCode": m.equivalence}]
    if m.concept is not None:
        parts.append({"name": "concept", "valueCoding": coding(m.concept)})
    if m.origin:
        parts.append({"name": "originMap", "valueCanonical": m.origin})
    if m.source is not None:
        parts.append({"name": "source", "valueCoding": coding(m.source)})
    if m.comment:
        parts.append({"name": "comment", "valueString": m.comment})
    return parts


def subsumes(outcome: str) -> JsonObject:
    return parameters([("outcome", {"valueCode": outcome})])


def bundle(base: str, kind: str, resources: Sequence[JsonObject]) -> JsonObject:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": f"{base}/{kind}"}],
        "entry": [
            {"fullUrl": f"{base}/{kind}/{r['id']}", "resource": r, "search": {"mode": "match"}} for r in resources
        ],
    }


def outcome(issues: Sequence[Issue]) -> JsonObject:
    return operation_outcome(list(issues))


def _prune(data: JsonObject) -> JsonObject:
    return {k: v for k, v in data.items() if v is not None and v != []}
