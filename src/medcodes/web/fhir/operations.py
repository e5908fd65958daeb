"""The FHIR endpoints: each reads its parameters, makes one call on the service's terminology, builds the answer.

Endpoints are ``async`` and call the service on the event loop, as the JSON API does (web/api.py says why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from medcodes.errors import FhirError
from medcodes.service import CodeService
from medcodes.terminology.codesystems import StoredCodeSystem
from medcodes.terminology.operations import CodingToValidate, Terminology
from medcodes.terminology.registry import IMPLICIT
from medcodes.terminology.valuesets import MAX_EXPANSION, ExpansionRequest, ValueSetDefinition
from medcodes.web.fhir import definitions, resources
from medcodes.web.fhir.errors import FHIR_JSON
from medcodes.web.fhir.parameters import Inputs, Value, read

JsonObject = dict[str, Any]
# A page of an expansion with filter text comes from the search engine, which ranks at most this many.
MAX_SEARCH_COUNT = 1000
_SYSTEM_VERSIONS = ("system-version", "check-system-version", "force-system-version")
_VALIDATION_EXTRAS = (
    "abstract",
    "activeOnly",
    "date",
    "default-to-latest-version",
    "displayLanguage",
    "inferSystem",
    "lenient-display-validation",
    "valueset-membership-only",
    *_SYSTEM_VERSIONS,
)
EXPAND = (
    "useSupplement",
    "url",
    "valueSet",
    "valueSetVersion",
    "filter",
    "date",
    "offset",
    "count",
    "includeDesignations",
    "includeDefinition",
    "activeOnly",
    "excludeNested",
    "excludeNotForUI",
    "excludePostCoordinated",
    "displayLanguage",
    "property",
    "default-to-latest-version",
    "incomplete-ok",
    *_SYSTEM_VERSIONS,
)
VS_VALIDATE = (
    "useSupplement",
    "url",
    "valueSet",
    "valueSetVersion",
    "code",
    "system",
    "systemVersion",
    "version",
    "display",
    "coding",
    "codeableConcept",
    *_VALIDATION_EXTRAS,
)
CS_VALIDATE = (
    "useSupplement",
    "url",
    "codeSystem",
    "code",
    "version",
    "display",
    "coding",
    "codeableConcept",
    "system",
    *_VALIDATION_EXTRAS,
)
LOOKUP = ("useSupplement", "system", "code", "version", "coding", "date", "displayLanguage", "property")
SUBSUMES = ("system", "version", "codeA", "codeB", "codingA", "codingB")
TRANSLATE = (
    "url",
    "conceptMap",
    "conceptMapVersion",
    "code",
    "system",
    "version",
    "source",
    "coding",
    "codeableConcept",
    "target",
    "targetsystem",
    "reverse",
    "sourceCode",
    "sourceSystem",
    "sourceCoding",
    "targetCode",
    "targetSystem",
    "targetCoding",
    "sourceScope",
    "targetScope",
)


def fhir_json(body: JsonObject, status: int = 200, public: bool = False) -> JSONResponse:
    headers = {"cache-control": "public, max-age=3600" if public else "no-store"}
    return JSONResponse(body, status, headers=headers, media_type=FHIR_JSON)


class Fhir:
    def __init__(self, service: CodeService, released: dt.date | None = None) -> None:
        self.service = service
        self.released = released or dt.date.today()

    # ------------------------------------------------------------ capabilities
    async def metadata(self, request: Request) -> JSONResponse:
        inputs = await read(request, "metadata", ("mode",))
        mode = inputs.string("mode")
        base = _base(request)
        if mode == "terminology":
            infos = [cs.info for cs in self.service.code_systems.values()]
            return fhir_json(resources.terminology_capabilities(base, self.released, infos), public=True)
        if mode not in (None, "full", "normative"):
            raise FhirError(400, "not-supported", f"Unknown metadata mode {mode!r}: use terminology, or none")
        return fhir_json(resources.capability_statement(base, self.released), public=True)

    async def versions(self, request: Request) -> JSONResponse:
        await read(request, "$versions", ())
        return fhir_json(resources.versions(), public=True)

    # ------------------------------------------------------------ CodeSystem
    async def code_systems(self, request: Request) -> JSONResponse:
        inputs = await read(request, "CodeSystem search", ("url", "version", "name", "_id", "_count", "system"))
        wanted = inputs.string("url", "system")
        version, name, ident = inputs.string("version"), inputs.string("name"), inputs.string("_id")
        found = [
            resources.code_system(cs.info)
            for cs in self.service.code_systems.values()
            if (wanted is None or cs.info.url == wanted)
            and (version is None or cs.info.version == version)
            and (ident is None or cs.info.system_id == ident)
            and (name is None or name.lower() in (cs.info.name.lower(), resources.machine_name(cs.info).lower()))
        ]
        return fhir_json(resources.bundle(_base(request), "CodeSystem", found))

    async def code_system(self, request: Request) -> JSONResponse:
        return fhir_json(resources.code_system(self._stored(request.path_params["id"]).info), public=True)

    async def lookup(self, request: Request) -> JSONResponse:
        inputs = await read(request, "$lookup", LOOKUP)
        terminology = self._terminology(inputs)
        system, code, version = _system_and_code(inputs, "system", "code", "coding", request)
        if code is None or system is None:
            raise FhirError(400, "required", "$lookup needs a code and its system (or a coding)")
        found = terminology.lookup(
            system, code, inputs.string("version") or version, inputs.string("displayLanguage"), inputs.date("date")
        )
        return fhir_json(resources.lookup(found, inputs.strings("property")))

    async def subsumes(self, request: Request) -> JSONResponse:
        inputs = await read(request, "$subsumes", SUBSUMES)
        terminology = self._terminology(inputs)
        a, b = inputs.coding("codingA"), inputs.coding("codingB")
        system = inputs.string("system") or (a.system if a else None) or (b.system if b else None)
        system = system or self._instance_url(request)
        code_a = inputs.string("codeA") or (a.code if a else None)
        code_b = inputs.string("codeB") or (b.code if b else None)
        if system is None or code_a is None or code_b is None:
            raise FhirError(
                400, "required", "$subsumes needs a system and two codes (codeA, codeB or codingA, codingB)"
            )
        return fhir_json(resources.subsumes(terminology.subsumes(system, code_a, code_b, inputs.string("version"))))

    async def validate_in_code_system(self, request: Request) -> JSONResponse:
        inputs = await read(request, "CodeSystem/$validate-code", CS_VALIDATE)
        terminology = self._terminology(inputs)
        supplied = inputs.resource("codeSystem", "CodeSystem")
        url = inputs.string("url") or (str(supplied.get("url")) if supplied else None) or self._instance_url(request)
        codings = _codings(inputs, url, inputs.string("version"))
        found = terminology.validate(
            codings,
            lenient_display=inputs.boolean("lenient-display-validation"),
            display_language=inputs.string("displayLanguage"),
            as_of=inputs.date("date"),
        )
        return fhir_json(resources.validation(found, codings[0].code if len(codings) == 1 else None))

    # ------------------------------------------------------------ ValueSet
    async def value_sets(self, request: Request) -> JSONResponse:
        inputs = await read(request, "ValueSet search", ("url", "version", "_id", "_count", "name"))
        wanted, ident = inputs.string("url"), inputs.string("_id")
        found = [
            resources.implicit_value_set(cs)
            for cs in self.service.code_systems.values()
            if (wanted is None or cs.info.url + IMPLICIT == wanted) and (ident is None or cs.info.system_id == ident)
        ]
        return fhir_json(resources.bundle(_base(request), "ValueSet", found))

    async def value_set(self, request: Request) -> JSONResponse:
        return fhir_json(resources.implicit_value_set(self._stored(request.path_params["id"])), public=True)

    async def expand(self, request: Request) -> JSONResponse:
        inputs = await read(request, "$expand", EXPAND)
        terminology = self._terminology(inputs)
        vs, supplied = self._value_set(inputs, terminology, request)
        text = inputs.string("filter")
        count = inputs.integer("count", 0, MAX_SEARCH_COUNT if text else MAX_EXPANSION)
        ask = ExpansionRequest(
            text=text.strip() or None if text else None,
            count=count,
            offset=inputs.integer("offset", 0) or 0,
            active_only=inputs.boolean("activeOnly"),
            display_language=inputs.string("displayLanguage") or request.headers.get("accept-language"),
            as_of=inputs.date("date"),
        )
        found = terminology.expand(vs, ask)
        header = resources.value_set_header(vs, supplied)
        body = resources.expansion(
            header,
            found,
            _echoed(inputs),
            designations=inputs.boolean("includeDesignations"),
            properties=inputs.strings("property"),
            warnings=_warnings(terminology, vs, found.used, found.used_value_sets),
        )
        return fhir_json(body)

    async def validate_in_value_set(self, request: Request) -> JSONResponse:
        inputs = await read(request, "ValueSet/$validate-code", VS_VALIDATE)
        terminology = self._terminology(inputs)
        vs, _ = self._value_set(inputs, terminology, request)
        codings = _codings(inputs, inputs.string("system"), inputs.string("systemVersion") or inputs.string("version"))
        found = terminology.validate(
            codings,
            vs,
            active_only=inputs.boolean("activeOnly"),
            lenient_display=inputs.boolean("lenient-display-validation"),
            display_language=inputs.string("displayLanguage"),
            as_of=inputs.date("date"),
        )
        return fhir_json(resources.validation(found, codings[0].code if len(codings) == 1 else None))

    # ------------------------------------------------------------ ConceptMap
    async def translate(self, request: Request) -> JSONResponse:
        inputs = await read(request, "$translate", TRANSLATE)
        terminology = self._terminology(inputs)
        reverse = inputs.boolean("reverse")
        coding = inputs.coding("coding") or inputs.coding("sourceCoding")
        target_coding = inputs.coding("targetCoding")
        code = inputs.string("code", "sourceCode") or (coding.code if coding else None)
        system = inputs.string("system", "sourceSystem") or (coding.system if coding else None)
        target_system = inputs.string("targetsystem", "targetSystem")
        if code is None and (inputs.string("targetCode") or target_coding):
            # R5's reverse form: the code given is a target; find what maps to it.
            code = inputs.string("targetCode") or (target_coding.code if target_coding else None)
            reverse = True
            system = target_system or (target_coding.system if target_coding else None)
        if code is None:
            concepts = inputs.codings("codeableConcept")
            if concepts:
                code, system = concepts[0].code, concepts[0].system
        if code is None:
            raise FhirError(400, "required", "$translate needs a code (code and system, coding, or codeableConcept)")
        found = terminology.translate(code, system, target_system, inputs.string("url"), reverse)
        return fhir_json(resources.translation(found))

    # ------------------------------------------------------------ shared
    def _terminology(self, inputs: Inputs) -> Terminology:
        resources_given = inputs.resources("tx-resource")
        for wanted in inputs.strings("useSupplement"):
            base = wanted.partition("|")[0]
            if not any(r.get("content") == "supplement" and r.get("url") == base for r in resources_given):
                raise FhirError(404, "not-found", f"Required supplement not found: {wanted}", "not-found")
            raise FhirError(422, "not-supported", f"Code system supplements are not applied by this server ({wanted})")
        supplied = definitions.supplied(resources_given)
        for name in ("valueSet", "codeSystem", "conceptMap"):
            resource = inputs.resource(name)
            if resource is not None:
                extra = definitions.supplied([resource])
                supplied = replace(
                    supplied,
                    code_systems=supplied.code_systems + extra.code_systems,
                    concept_maps=supplied.concept_maps + extra.concept_maps,
                )
        pinned = []
        for name in _SYSTEM_VERSIONS:
            for canonical in inputs.strings(name):
                url, bar, version = canonical.partition("|")
                if not bar or not version:
                    raise FhirError(400, "invalid", f"{name} takes a canonical with its version: url|version")
                pinned.append((url, version))
        return self.service.terminology(replace(supplied, versions=tuple(pinned)))

    def _value_set(
        self, inputs: Inputs, terminology: Terminology, request: Request
    ) -> tuple[ValueSetDefinition, JsonObject | None]:
        posted = inputs.resource("valueSet", "ValueSet")
        if posted is not None:
            return definitions.value_set(posted), posted
        url = inputs.string("url") or self._instance_vs_url(request)
        if url is None:
            raise FhirError(400, "required", "Name the value set: 'url', or post it as 'valueSet'")
        version = inputs.string("valueSetVersion")
        vs = terminology.value_set(f"{url}|{version}" if version else url)
        supplied = next(
            (
                r
                for r in inputs.resources("tx-resource")
                if r.get("resourceType") == "ValueSet" and r.get("url") == vs.url
            ),
            None,
        )
        return vs, supplied

    def _stored(self, ident: str) -> StoredCodeSystem:
        for cs in self.service.code_systems.values():
            if cs.info.system_id == ident:
                return cs
        raise FhirError(
            404,
            "not-found",
            f"No resource with id {ident!r}: the ids are the loaded systems' "
            + ", ".join(sorted(str(cs.info.system_id) for cs in self.service.code_systems.values())),
        )

    def _instance_url(self, request: Request) -> str | None:
        ident = request.path_params.get("id")
        return self._stored(ident).info.url if ident else None

    def _instance_vs_url(self, request: Request) -> str | None:
        url = self._instance_url(request)
        return url + IMPLICIT if url else None


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def _system_and_code(
    inputs: Inputs, system_name: str, code_name: str, coding_name: str, request: Request
) -> tuple[str | None, str | None, str | None]:
    coding = inputs.coding(coding_name)
    system = inputs.string(system_name) or (coding.system if coding else None)
    code = inputs.string(code_name) or (coding.code if coding else None)
    return system, code, coding.version if coding else None


def _codings(inputs: Inputs, system: str | None, version: str | None) -> list[CodingToValidate]:
    code = inputs.string("code")
    if code is not None:
        return [CodingToValidate(code, system, version, inputs.string("display"))]
    coding = inputs.coding("coding")
    if coding is not None:
        return [
            CodingToValidate(
                coding.code,
                coding.system or system,
                coding.version or version,
                coding.display or inputs.string("display"),
                "Coding",
            )
        ]
    concepts = inputs.codings("codeableConcept")
    if concepts:
        return [
            CodingToValidate(c.code, c.system, c.version, c.display, f"CodeableConcept.coding[{i}]")
            for i, c in enumerate(concepts)
        ]
    raise FhirError(400, "required", "Give the code to validate: code (with system), coding, or codeableConcept")


def _echoed(inputs: Inputs) -> list[tuple[str, JsonObject]]:
    out: list[tuple[str, JsonObject]] = []
    for value in inputs.values:
        if value.name in resources.ECHOED:
            out.append((value.name, _typed(value)))
    return out


def _typed(value: Value) -> JsonObject:
    if value.kind != "query":
        return {f"value{value.kind}": value.value}
    if value.name in ("count", "offset"):
        return {"valueInteger": int(value.value)}
    if value.name in ("activeOnly", "excludeNested", "includeDesignations", "includeDefinition"):
        return {"valueBoolean": str(value.value).lower() == "true"}
    if value.name == "date":
        return {"valueDateTime": value.value}
    return {"valueString": value.value}


def _warnings(
    terminology: Terminology, vs: ValueSetDefinition, used: Sequence[Any], used_value_sets: Sequence[str]
) -> list[tuple[str, str]]:
    """warning-draft, -experimental, -deprecated, -withdrawn for the code systems and value sets used."""
    out: list[tuple[str, str]] = []
    for info in used:
        for kind, applies in (
            ("draft", info.status == "draft"),
            ("experimental", info.experimental and info.status != "draft"),
            ("deprecated", info.standards_status == "deprecated"),
            ("withdrawn", info.standards_status == "withdrawn"),
        ):
            if applies:
                out.append((kind, info.canonical))
    sets = [vs] + [v for v in (terminology.registry.value_set(u) for u in used_value_sets) if v is not None]
    for v in sets:
        for kind, applies in (
            ("draft", v.status == "draft" and v is not vs),
            ("deprecated", v.standards_status == "deprecated"),
            ("withdrawn", v.standards_status == "withdrawn"),
        ):
            if applies:
                out.append((kind, v.canonical))
    return out
