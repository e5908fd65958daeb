"""The terminology operations: $lookup, $validate-code, $subsumes, $expand and $translate, without HTTP.

Messages follow the wording of the HL7 terminology ecosystem (tx.fhir.org), which FHIR validators show to
people, so that a medcodes answer reads the same as any other terminology server's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from medcodes.errors import ExpansionError, Issue, MedcodesError, TerminologyError
from medcodes.models import Concept
from medcodes.systems import SystemId
from medcodes.terminology.codesystems import CodeSource, StoredCodeSystem, is_inactive
from medcodes.terminology.conceptmaps import (
    NO_MAP_FLAG,
    Crosswalked,
    Match,
    Translation,
    comment,
    crosswalk_url,
    equivalence,
    translate_supplied,
)
from medcodes.terminology.concepts import Coding, ConceptProperty, PropertyType, SystemInfo, TermConcept
from medcodes.terminology.registry import Registry
from medcodes.terminology.valuesets import (
    Catalogue,
    Expander,
    Expansion,
    ExpansionRequest,
    Member,
    ValueSetDefinition,
    unknown_system_issue,
    unknown_value_set_issue,
)


class Crosswalks(Catalogue, Protocol):
    """The service's crosswalks (``CodeService.map``), besides its search."""

    def map(self, code: str, system: SystemId | None, to: SystemId) -> tuple[Concept | None, Sequence[Crosswalked]]: ...


@dataclass(frozen=True, slots=True)
class Lookup:
    info: SystemInfo
    concept: TermConcept
    display: str | None


@dataclass(frozen=True, slots=True)
class Validation:
    result: bool
    code: str | None = None
    system: str | None = None
    version: str | None = None
    display: str | None = None
    inactive: bool = False
    status: str | None = None
    issues: tuple[Issue, ...] = ()
    normalized_code: str | None = None

    @property
    def message(self) -> str | None:
        # A value set's own deprecation of a concept is a remark on the value set, not on the code.
        texts = [
            i.text
            for i in self.issues
            if i.severity in ("error", "warning") and i.message_id != "CONCEPT_DEPRECATED_IN_VALUESET"
        ]
        return "; ".join(texts) if texts else None


@dataclass(frozen=True, slots=True)
class CodingToValidate:
    """A code to validate, where it came from in the request (``Coding``, ``CodeableConcept.coding[0]``, ````)."""

    code: str
    system: str | None = None
    version: str | None = None
    display: str | None = None
    path: str = ""


class Terminology:
    def __init__(self, registry: Registry, catalogue: Crosswalks) -> None:
        self.registry = registry
        self.catalogue = catalogue
        self.expander = Expander(registry, catalogue)

    # ------------------------------------------------------------ $lookup
    def lookup(
        self,
        system: str,
        code: str,
        version: str | None = None,
        display_language: str | None = None,
        as_of: dt.date | None = None,
    ) -> Lookup:
        source = self._source(system, version)
        concept = source.detail(code)
        if concept is None:
            raise TerminologyError(_unknown_code(source.info, code, ""), 404)
        if as_of is not None and isinstance(source, StoredCodeSystem):
            # The title the code had on that date, or an error if it was not valid then.
            then = self.catalogue.as_of(concept.code, source.system, as_of)
            concept = replace(concept, display=then.concept.title)
        if not isinstance(source, StoredCodeSystem):
            # A loaded system's concept carries its hierarchy already; a supplied one's is added here.
            hierarchy = [
                *(
                    ConceptProperty("parent", p.code, PropertyType.CODE, p.display)
                    for p in source.parents(concept.code)
                ),
                *(
                    ConceptProperty("child", c.code, PropertyType.CODE, c.display)
                    for c in source.children(concept.code)
                ),
                ConceptProperty("inactive", is_inactive(concept), PropertyType.BOOLEAN),
            ]
            own = [p for p in concept.properties if p.code not in ("parent", "child", "inactive")]
            concept = replace(concept, properties=(*hierarchy, *own))
        return Lookup(source.info, concept, pick_display(concept, display_language, source.info))

    # ------------------------------------------------------------ $subsumes
    def subsumes(self, system: str, code_a: str, code_b: str, version: str | None = None) -> str:
        source = self._source(system, version)
        a, b = source.find(code_a), source.find(code_b)
        for code, found in ((code_a, a), (code_b, b)):
            if found is None:
                raise TerminologyError(_unknown_code(source.info, code, ""), 404)
        assert a is not None and b is not None
        if a.code == b.code:
            return "equivalent"
        if a.code in source.ancestors(b.code):
            return "subsumes"
        if b.code in source.ancestors(a.code):
            return "subsumed-by"
        return "not-subsumed"

    # ------------------------------------------------------------ $expand
    def expand(self, vs: ValueSetDefinition, request: ExpansionRequest) -> Expansion:
        expansion = self.expander.expand(vs, request)
        if request.display_language:
            members = tuple(
                replace(m, concept=replace(m.concept, display=pick_display(m.concept, request.display_language, None)))
                for m in expansion.members
            )
            expansion = replace(expansion, members=members)
        return expansion

    def value_set(self, url: str) -> ValueSetDefinition:
        found = self.registry.value_set(url)
        if found is None:
            raise TerminologyError(unknown_value_set_issue(url), 404)
        return found

    def code_system_info(self, url: str, version: str | None = None) -> SystemInfo:
        return self._source(url, version).info

    # ------------------------------------------------------------ $validate-code
    def validate(
        self,
        codings: Sequence[CodingToValidate],
        vs: ValueSetDefinition | None = None,
        *,
        active_only: bool = False,
        lenient_display: bool = False,
        display_language: str | None = None,
        as_of: dt.date | None = None,
    ) -> Validation:
        """Validate one coding (or the codings of a CodeableConcept: valid when one of them is)."""
        results = [
            self._validate_one(
                c,
                vs,
                active_only=active_only,
                lenient_display=lenient_display,
                display_language=display_language,
                as_of=as_of,
            )
            for c in codings
        ]
        if not results:
            raise TerminologyError(Issue("error", "invalid", "No code to validate was given", "invalid-data"), 400)
        best = next((r for r in results if r.result), results[0])
        if len(results) == 1:
            return best
        issues = tuple(i for r in results for i in r.issues)
        return replace(best, issues=issues)

    def _validate_one(
        self,
        coding: CodingToValidate,
        vs: ValueSetDefinition | None,
        *,
        active_only: bool,
        lenient_display: bool,
        display_language: str | None,
        as_of: dt.date | None,
    ) -> Validation:
        at = coding.path + "." if coding.path else ""
        issues: list[Issue] = []
        if coding.system is None:
            return Validation(
                False,
                coding.code,
                issues=(
                    Issue(
                        "error",
                        "invalid",
                        "Coding has no system. A code with no system has no defined meaning, and it cannot be "
                        "validated. A system should be provided",
                        "invalid-data",
                        (f"{at}system" if at else "system",),
                    ),
                ),
            )
        source = self.registry.code_system(coding.system, coding.version)
        if source is None:
            issue = _unknown_system(self.registry, coding.system, coding.version, at)
            not_in_vs = []
            if vs is not None:
                not_in_vs.append(_not_in_value_set(coding, vs, at))
            return Validation(False, coding.code, coding.system, coding.version, issues=(*not_in_vs, issue))
        info = source.info
        issues += _status_checks(info, vs)
        concept = source.find(coding.code)
        if concept is None:
            unknown = _unknown_code(info, coding.code, at)
            if vs is not None:
                issues.append(_not_in_value_set(coding, vs, at))
            issues.append(unknown)
            return Validation(False, coding.code, info.url, info.version, issues=tuple(issues))
        normalized = concept.code if concept.code != coding.code else None
        if normalized is not None:
            issues.append(
                Issue(
                    "information",
                    "business-rule",
                    f"The code '{coding.code}' differs from the correct code '{concept.code}' by case. Although the "
                    f"code system '{info.canonical}' is case insensitive, implementers are strongly encouraged to use "
                    "the correct case anyway",
                    "code-rule",
                    (f"{at}code",),
                    "CODE_CASE_DIFFERENCE",
                )
            )
        if as_of is not None and isinstance(source, StoredCodeSystem):
            try:
                then = self.catalogue.as_of(concept.code, source.system, as_of)
            except MedcodesError as exc:
                issues.append(Issue("error", "code-invalid", str(exc), "invalid-code", (f"{at}code",)))
                return Validation(False, coding.code, info.url, info.version, issues=tuple(issues))
            concept = replace(concept, display=then.concept.title)
        inactive = is_inactive(concept)
        result = True
        reference = None
        if vs is not None:
            member = self._member(vs, source, concept)
            excluded_inactive = inactive and (active_only or vs.inactive is False)
            if member is None or excluded_inactive:
                if excluded_inactive and member is None and self._member(vs, source, concept, True) is not None:
                    issues.append(
                        Issue(
                            "error",
                            "business-rule",
                            f"The concept '{concept.code}' is valid but is not active",
                            "code-rule",
                            (f"{at}code",),
                            "STATUS_CODE_WARNING_CODE",
                        )
                    )
                issues.append(_not_in_value_set(coding, vs, at))
                result = False
            else:
                reference = member.reference
        if inactive:
            status = concept.status if concept.status and concept.status != "inactive" else None
            what = f"{status} and inactive" if status else "inactive"
            issues.append(
                Issue(
                    "warning",
                    "business-rule",
                    f"The concept '{concept.code}' has a status of {what} and its use should be reviewed",
                    "code-comment",
                    (coding.path,) if coding.path else (),
                    "INACTIVE_CONCEPT_FOUND",
                )
            )
        elif concept.status == "deprecated":
            issues.append(
                Issue(
                    "warning",
                    "business-rule",
                    f"The concept '{concept.code}' is deprecated",
                    "code-comment",
                    (coding.path,) if coding.path else (),
                    "DEPRECATED_CONCEPT_FOUND",
                )
            )
        if reference is not None and reference.status == "deprecated" and vs is not None:
            issues.append(
                Issue(
                    "warning",
                    "business-rule",
                    f"The presence of the concept '{concept.code}' in the system '{info.url}' in the value set "
                    f"{vs.canonical} is marked with a status of deprecated and its use should be reviewed",
                    "code-comment",
                    (f"{at}code",),
                    "CONCEPT_DEPRECATED_IN_VALUESET",
                )
            )
        display = pick_display(concept, display_language, info)
        if coding.display is not None and result and not _display_ok(concept, coding.display):
            severity = "warning" if lenient_display else "error"
            issues.append(
                Issue(
                    severity,
                    "invalid",
                    f"Wrong Display Name '{coding.display}' for {info.url}#{concept.code}. Valid display is "
                    f"'{concept.display}'",
                    "invalid-display",
                    (f"{at}display",),
                    "Display_Name_for__should_be_one_of__instead_of",
                )
            )
            result = result and lenient_display
        return Validation(
            result,
            coding.code,
            info.url,
            info.version,
            display,
            inactive,
            concept.status,
            tuple(issues),
            normalized,
        )

    def _member(
        self, vs: ValueSetDefinition, source: CodeSource, concept: TermConcept, any_status: bool = False
    ) -> Member | None:
        """The value set's member for ``concept`` (None: not in it). ``any_status`` ignores compose.inactive."""
        defined = replace(vs, inactive=None) if any_status else vs
        try:
            expansion = self.expander.expand(defined, ExpansionRequest(count=None))
        except ExpansionError as exc:
            if exc.issue.code != "too-costly":
                raise
            return self._member_by_hierarchy(defined, source, concept)
        key = (source.info.url, concept.code)
        return next((m for m in expansion.members if m.key == key), None)

    def _member_by_hierarchy(self, vs: ValueSetDefinition, source: CodeSource, concept: TermConcept) -> Member | None:
        """Membership in a value set too large to list: a whole loaded system, or a subtree of it."""
        for part in vs.include:
            if part.system != source.info.url or part.concepts or part.value_sets:
                continue
            if not part.filters:
                return Member(source, concept)
            roots = [f.value for f in part.filters if f.property == "concept" and f.op == "is-a"]
            if roots and len(roots) == len(part.filters):
                above = {concept.code, *source.ancestors(concept.code)}
                if all(r in above for r in roots):
                    return Member(source, concept)
        return None

    # ------------------------------------------------------------ $translate
    def translate(
        self,
        code: str,
        system: str | None,
        target_system: str | None = None,
        map_url: str | None = None,
        reverse: bool = False,
    ) -> Translation:
        supplied = self.registry.concept_maps(map_url)
        if supplied or map_url is not None:
            if not supplied:
                raise TerminologyError(
                    Issue("error", "not-found", f"A definition for the concept map '{map_url}' could not be found"),
                    404,
                )
            matches = translate_supplied(supplied, system, code, target_system, reverse)
            if matches:
                return Translation(True, tuple(matches))
            return Translation(False, (), f"No translations found for '{code}' in the concept maps supplied")
        return self._translate_loaded(code, system, target_system)

    def _translate_loaded(self, code: str, system: str | None, target_system: str | None) -> Translation:
        if system is None or target_system is None:
            raise TerminologyError(
                Issue(
                    "error",
                    "required",
                    "A translation through the loaded crosswalks needs the code's system and a target system "
                    "('targetsystem')",
                    "invalid-data",
                ),
                400,
            )
        source = self._source(system, None)
        target = self._source(target_system, None) if target_system in self.registry.stored else None
        if not isinstance(source, StoredCodeSystem) or not isinstance(target, StoredCodeSystem):
            raise TerminologyError(
                Issue(
                    "error",
                    "not-supported",
                    f"No crosswalk from {system} to {target_system} is loaded",
                    "not-found",
                ),
                404,
            )
        try:
            _, mappings = self.catalogue.map(code, source.system, target.system)
        except MedcodesError as exc:
            raise TerminologyError(Issue("error", "not-found", str(exc), "invalid-code"), 404) from None
        matches: list[Match] = []
        no_map: list[str] = []
        for m in mappings:
            if NO_MAP_FLAG in m.relation.flags:
                no_map.append(crosswalk_url(m.relation.source))
                continue
            matches.append(
                Match(
                    equivalence(m.relation, m.forward),
                    Coding(target.info.url, m.code, m.title, target.info.version),
                    crosswalk_url(m.relation.source),
                    comment=comment(m.relation),
                )
            )
        if matches:
            return Translation(True, tuple(matches))
        if no_map:
            return Translation(
                False,
                (),
                f"{source.info.name} {code} has no {target.info.name} equivalent: the crosswalk "
                f"{', '.join(dict.fromkeys(no_map))} says so (a no-map row)",
            )
        return Translation(False, (), f"No mapping of {source.info.name} {code} to {target.info.name} is loaded")

    # ------------------------------------------------------------ shared
    def _source(self, url: str, version: str | None) -> CodeSource:
        found = self.registry.code_system(url, version)
        if found is None:
            raise TerminologyError(_unknown_system(self.registry, url, version, ""), 404)
        return found


def pick_display(concept: TermConcept, language: str | None, info: SystemInfo | None) -> str | None:
    """The display in ``language`` where a designation in that language exists; the default display otherwise."""
    if not language:
        return concept.display
    wanted = [w.split(";")[0].strip().lower() for w in language.split(",") if w.strip()]
    default_language = (info.language if info else None) or "en"
    for lang in wanted:
        if lang == "*" or default_language.lower().startswith(lang) or lang.startswith(default_language.lower()):
            return concept.display
        for d in concept.designations:
            if d.language and (d.language.lower() == lang or d.language.lower().startswith(lang + "-")):
                return d.value
    return concept.display


def _display_ok(concept: TermConcept, display: str) -> bool:
    wanted = display.strip().casefold()
    return wanted == (concept.display or "").casefold() or any(
        wanted == d.value.casefold() for d in concept.designations
    )


def _status_checks(info: SystemInfo, vs: ValueSetDefinition | None) -> list[Issue]:
    out: list[Issue] = []
    for kind, canonical, status, experimental, standards in (
        ("CodeSystem", info.canonical, info.status, info.experimental, info.standards_status),
        *(
            [("ValueSet", vs.canonical, vs.status, vs.experimental, vs.standards_status)]
            if vs is not None and vs.url
            else []
        ),
    ):
        for word, applies in (
            ("draft", status == "draft"),
            ("experimental", experimental and status != "draft"),
            ("deprecated", standards == "deprecated"),
            ("withdrawn", standards == "withdrawn"),
            ("retired", status == "retired"),
        ):
            if applies:
                out.append(
                    Issue(
                        "information",
                        "business-rule",
                        f"Reference to {word} {kind} {canonical}",
                        "status-check",
                        message_id=f"MSG_{word.upper()}",
                    )
                )
    return out


def _unknown_code(info: SystemInfo, code: str, at: str) -> Issue:
    version = f" version '{info.version}'" if info.version else ""
    return Issue(
        "error",
        "code-invalid",
        f"Unknown code '{code}' in the CodeSystem '{info.url}'{version}",
        "invalid-code",
        (f"{at}code",),
        "Unknown_Code_in_Version" if info.version else "Unknown_Code_in",
    )


def _unknown_system(registry: Registry, url: str, version: str | None, at: str) -> Issue:
    known = [v for v in registry.supplied_versions(url) if v]
    if version and known:
        text = (
            f"A definition for CodeSystem '{url}' version '{version}' could not be found, so the code cannot be "
            f"validated. Valid versions: {', '.join(sorted(known))}"
        )
        return Issue("error", "not-found", text, "not-found", (f"{at}system",), "UNKNOWN_CODESYSTEM_VERSION")
    issue = unknown_system_issue(url, version)
    return replace(
        issue, text=issue.text + ", so the code cannot be validated", expression=(f"{at}system" if at else "system",)
    )


def _not_in_value_set(coding: CodingToValidate, vs: ValueSetDefinition, at: str) -> Issue:
    return Issue(
        "error",
        "code-invalid",
        f"The provided code '{coding.system}#{coding.code}' was not found in the value set '{vs.canonical}'",
        "not-in-vs",
        (f"{at}code",),
        "None_of_the_provided_codes_are_in_the_value_set_one",
    )
