"""A replay harness for HL7's terminology-ecosystem test cases (../shared/tx-ecosystem, test-cases.json).

It does what the HL7 runner does, written from its documentation (the IG's test page, readme.md): each test
POSTs its request Parameters with the suite's setup resources as ``tx-resource`` parameters (and the runner's
default profile, parameters-default.json) to the operation, converts the R4 answer back to R5 for the parts
R4 carries in extensions, scrubs it as the runner does (narrative, meta, and unmanaged extensions go), and
compares it with the response template:

- objects: a property the server returns that the template lacks fails; a property the template has and the
  server lacks fails unless ``$optional-properties$`` names it (``*``: any) or the template's value is an
  array of entries that are all ``$optional$``;
- arrays: order never matters; each returned entry must match a different template entry; every template
  entry must be matched unless ``$optional$`` (true, a mode, ``!mode``, ``version:N``, ``warning:...``);
  ``$only$`` entries are required where their filter passes and prohibited where it does not;
  ``$count-arrays$`` compares lengths only;
- strings: ``$$``, ``$id$``, ``$uuid$``, ``$url$``, ``$token$``, ``$string$``, ``$date$``, ``$instant$``,
  ``$semver$``, ``$version$`` (also inside a longer string), ``$choice:a|b$``, ``$fragments:a|b$``,
  ``$external:N:a|b$`` (no externals file is used: the fragments must be in the text);
- metadata and terminology capabilities are compared in pattern mode (the server may say more).

The runner's modes here are ``general`` and ``flat`` (medcodes returns flat expansions), FHIR 4.0.1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3] / "shared" / "tx-ecosystem" / "tests"
MODES = frozenset({"general", "flat"})
FHIR_VERSION = "4.0.1"
R5_EXPANSION_PROPERTY = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.property"
R5_CONTAINS_PROPERTY = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.contains.property"
# Extensions the runner keeps when it scrubs an answer (TxTesterScrubbers, not "tight"): every other one
# with an absolute URL is removed before the comparison.
MANAGED_EXTENSIONS = frozenset(
    f"http://hl7.org/fhir/StructureDefinition/{name}"
    for name in (
        "codesystem-alternate",
        "codesystem-conceptOrder",
        "codesystem-label",
        "coding-sctdescid",
        "itemWeight",
        "rendering-style",
        "rendering-xhtml",
        "translation",
        "valueset-concept-definition",
        "valueset-conceptOrder",
        "valueset-deprecated",
        "valueset-label",
        "valueset-supplement",
        "alternate-code-use",
        "alternate-code-status",
    )
)
_OPERATIONS = {
    "expand": "ValueSet/$expand",
    "validate-code": "ValueSet/$validate-code",
    "cs-validate-code": "CodeSystem/$validate-code",
    "lookup": "CodeSystem/$lookup",
    "translate": "ConceptMap/$translate",
}
_R5_TO_R4_RELATIONSHIP = {
    "related-to": "relatedto",
    "equivalent": "equivalent",
    "source-is-narrower-than-target": "wider",
    "source-is-broader-than-target": "narrower",
    "not-related-to": "disjoint",
}

Json = Any
Post = Callable[[str, Json | None, dict[str, str]], tuple[int, Json]]


@dataclass(frozen=True, slots=True)
class Case:
    suite: str
    name: str
    operation: str
    request: str | None
    response: str
    http_code: str
    setup: tuple[str, ...]
    language: str | None = None

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    passed: bool
    message: str | None = None
    answer: Json = None


def available() -> bool:
    return (ROOT / "test-cases.json").is_file()


def load(path: str) -> Json:
    return json.loads((ROOT / path).read_text(encoding="utf-8-sig"))


def cases() -> Iterator[Case]:
    """Every test the runner would run in this harness's modes, in the registry's order."""
    registry = load("test-cases.json")
    for suite in registry["suites"]:
        if suite.get("disabled") or not _in_modes(suite):
            continue
        for test in suite["tests"]:
            if test.get("disabled") or not _in_modes(test):
                continue
            if str(test.get("version", "")).startswith("!4.0") or (
                "version" in test and not str(test["version"]).startswith("4.0")
            ):
                continue
            response = next((test[f"response:{m}"] for m in sorted(MODES) if f"response:{m}" in test), None)
            if response is None or not (ROOT / response).is_file():
                response = test["response"]
            yield Case(
                suite["name"],
                test["name"],
                test["operation"],
                test.get("request"),
                response,
                test.get("http-code", "2xx"),
                tuple(suite.get("setup", [])),
                test.get("Accept-Language"),
            )


def _in_modes(entry: Json) -> bool:
    if "modes" in entry:
        return any(m in MODES for m in entry["modes"])
    return "mode" not in entry or entry["mode"] in MODES


# ---------------------------------------------------------------------------------------------- running
def run(case: Case, post: Post) -> Outcome:
    """Run one test through ``post(path, body, headers) -> (status, json)``; never raises for a server's answer."""
    headers = {"Accept-Language": case.language} if case.language else {}
    if case.operation in ("metadata", "term-caps"):
        path = "metadata" if case.operation == "metadata" else "metadata?mode=terminology"
        status, answer = post(path, None, headers)
        pattern = True
    elif case.operation in _OPERATIONS:
        body: dict[str, Any] = load(case.request) if case.request else {"resourceType": "Parameters"}
        given: list[Any] = list(body.get("parameter", []))
        given += [{"name": "tx-resource", "resource": to_r4(load(s))} for s in case.setup]
        given += load("parameters-default.json")["parameter"]
        body["parameter"] = given
        status, answer = post(_OPERATIONS[case.operation], body, headers)
        pattern = False
    else:
        return Outcome(case, False, f"operation {case.operation!r} is not replayed by this harness")
    if not _status_ok(case.http_code, status):
        return Outcome(case, False, f"HTTP {status}, expected {case.http_code}: {json.dumps(answer)[:300]}")
    seen = scrub(to_r5(answer))
    problem = compare(load(case.response), seen, pattern=pattern)
    return Outcome(case, problem is None, problem, seen)


def _status_ok(expected: str, status: int) -> bool:
    return str(status)[0] == expected[0]


# ---------------------------------------------------------------------------------------------- R4 <-> R5
def to_r4(resource: Json) -> Json:
    """The R4 form of a setup resource, for the parts these suites use (a ConceptMap's relationships)."""
    if resource.get("resourceType") != "ConceptMap":
        return resource
    out = json.loads(json.dumps(resource))
    for r5, r4 in (("sourceScopeUri", "sourceUri"), ("targetScopeUri", "targetUri")):
        if r5 in out:
            out[r4] = out.pop(r5)
    for group in out.get("group", []):
        group.pop("unmapped", None)
        for element in group.get("element", []):
            for target in element.get("target", []):
                if "relationship" in target:
                    target["equivalence"] = _R5_TO_R4_RELATIONSHIP.get(target.pop("relationship"), "relatedto")
    return out


def to_r5(answer: Json) -> Json:
    """An R4 ValueSet answer with its R5 elements (expansion and contains properties) out of their extensions."""
    if not isinstance(answer, dict) or answer.get("resourceType") != "ValueSet" or "expansion" not in answer:
        return answer
    out = json.loads(json.dumps(answer))
    expansion = out["expansion"]
    declared = _take(expansion, R5_EXPANSION_PROPERTY)
    if declared:
        expansion["property"] = [_parts(e) for e in declared]
    for item in expansion.get("contains", []):
        found = _take(item, R5_CONTAINS_PROPERTY)
        if found:
            item["property"] = [_parts(e) for e in found]
    return out


def _take(holder: Json, url: str) -> list[Json]:
    found = [e for e in holder.get("extension", []) if e.get("url") == url]
    rest = [e for e in holder.get("extension", []) if e.get("url") != url]
    if found:
        if rest:
            holder["extension"] = rest
        else:
            holder.pop("extension")
    return found


def _parts(extension: Json) -> Json:
    out: dict[str, Any] = {}
    for part in extension.get("extension", []):
        value = {k: v for k, v in part.items() if k.startswith("value")}
        if part["url"] == "value":
            out.update(value)
        else:
            out[part["url"]] = next(iter(value.values()))
    return out


def scrub(answer: Json) -> Json:
    """What the runner removes before comparing: narrative and meta; unmanaged extensions of resources it
    scrubs whole (ValueSet, OperationOutcome, capability statements), not of a Parameters' content."""
    if not isinstance(answer, dict):
        return answer
    out = json.loads(json.dumps(answer))
    out.pop("meta", None)
    if out.get("resourceType") == "Parameters":
        return out
    out.pop("text", None)

    def visit(node: Json, top: bool) -> None:
        if isinstance(node, dict):
            if "extension" in node and not top:
                kept = [
                    e for e in node["extension"] if not _absolute(e.get("url", "")) or e["url"] in MANAGED_EXTENSIONS
                ]
                if kept:
                    node["extension"] = kept
                else:
                    node.pop("extension")
            for key, value in node.items():
                # Nothing below compose is scrubbed; an expansion's entries keep their extensions (which
                # the templates list): stricter than dropping them.
                if key not in ("compose", "contains"):
                    visit(value, False)
        elif isinstance(node, list):
            for item in node:
                visit(item, False)

    if out.get("resourceType") in ("ValueSet", "OperationOutcome"):
        kept = [
            e for e in out.get("extension", []) if not _absolute(e.get("url", "")) or e["url"] in MANAGED_EXTENSIONS
        ]
        if kept:
            out["extension"] = kept
        else:
            out.pop("extension", None)
        visit(out, True)
    return out


def _absolute(url: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url))


# ---------------------------------------------------------------------------------------------- comparison
def compare(expected: Json, actual: Json, *, pattern: bool = False, path: str = "") -> str | None:
    """None when ``actual`` matches the template ``expected``, else the first difference found."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {_short(actual)}"
        return _objects(expected, actual, pattern, path)
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{path}: expected an array, got {_short(actual)}"
        return _arrays(expected, actual, pattern, path)
    if isinstance(expected, str):
        if not isinstance(actual, str) or not matches(expected, actual):
            return f"{path}: expected {expected!r}, got {_short(actual)}"
        return None
    if isinstance(expected, bool) or expected is None:
        return None if actual is expected else f"{path}: expected {expected!r}, got {_short(actual)}"
    return None if actual == expected and not isinstance(actual, bool) else f"{path}: expected {expected}, got {actual}"


_CONTROL = ("$optional$", "$only$", "$optional-properties$", "$count-arrays$", "fhir_comments")


def _objects(expected: Json, actual: Json, pattern: bool, path: str) -> str | None:
    optional = set(expected.get("$optional-properties$", []))
    counted = set(expected.get("$count-arrays$", []))
    for key, value in actual.items():
        if key == "fhir_comments":
            continue
        if key not in expected:
            if pattern:
                continue
            return f"{path}: unexpected property {key!r}"
        if key in counted:
            if not isinstance(value, list) or len(value) != len(expected[key]):
                return f"{path}.{key}: expected {len(expected[key])} entries"
            continue
        problem = compare(expected[key], value, pattern=pattern, path=f"{path}.{key}")
        if problem:
            return problem
    for key, value in expected.items():
        if key in _CONTROL or key in actual or key in optional or "*" in optional:
            continue
        if isinstance(value, list) and all(_optional(v) for v in value):
            continue
        return f"{path}: missing property {key!r}"
    return None


def _arrays(expected: list[Json], actual: list[Json], pattern: bool, path: str) -> str | None:
    wanted = [e for e in expected if not (isinstance(e, dict) and "$only$" in e and not _passes(e["$only$"]))]
    prohibited = [e for e in expected if e not in wanted]
    for item in actual:
        for e in prohibited:
            if compare(e, item, pattern=pattern) is None:
                return f"{path}: an entry that a FHIR {FHIR_VERSION} server must not return: {_short(item)}"
    fits = [[compare(e, a, pattern=pattern) is None for e in wanted] for a in actual]
    owner: dict[int, int] = {}  # template entry -> answer entry

    def assign(a: int, seen: set[int]) -> bool:
        for e, ok in enumerate(fits[a]):
            if ok and e not in seen:
                seen.add(e)
                if e not in owner or assign(owner[e], seen):
                    owner[e] = a
                    return True
        return False

    for a in range(len(actual)):
        if not assign(a, set()) and not pattern:
            problem = _closest(wanted, actual[a], pattern, f"{path}[{a}]")
            return f"{path}: no template entry matches answer entry {a}: {problem or _short(actual[a])}"
    for e, item in enumerate(wanted):
        if e not in owner and not _optional(item):
            return f"{path}: template entry {e} not in the answer: {_short(item)}"
    return None


def _closest(wanted: list[Json], item: Json, pattern: bool, path: str) -> str | None:
    """Why the template entry most like ``item`` (same name, code or url) does not match it."""
    for key in ("name", "code", "url"):
        if isinstance(item, dict) and key in item:
            alike = [e for e in wanted if isinstance(e, dict) and e.get(key) == item[key]]
            if alike:
                wanted = alike
                break
    found = [compare(e, item, pattern=pattern, path=path) for e in wanted]
    problems = [p for p in found if p]
    return min(problems, key=len) if problems else None


def _optional(item: Json) -> bool:
    if not isinstance(item, dict):
        return False
    if "$only$" in item:
        return False
    return "$optional$" in item and _optional_now(item["$optional$"])


def _optional_now(flag: Json) -> bool:
    if flag is True:
        return True
    if not isinstance(flag, str):
        return False
    if flag.startswith("warning:"):
        return True
    if flag.startswith("version:"):
        return _passes(flag)
    # "mode": optional unless the runner is in that mode; "!mode": optional only when it is not (the same).
    return flag.lstrip("!") not in MODES


def _passes(flag: str) -> bool:
    """Whether a mode filter (``mode``, ``!mode``, ``version:N``) holds for this run."""
    if flag.startswith("version:"):
        return FHIR_VERSION.startswith(flag[8:])
    if flag.startswith("!"):
        return flag[1:] not in MODES
    return flag in MODES


_TEMPLATES: dict[str, str] = {
    "$instant$": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})",
    "$uuid$": r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "$id$": r"[A-Za-z0-9\-.]{1,64}",
    "$url$": r"[a-zA-Z][a-zA-Z0-9+.-]*:\S+",
    "$token$": r"\S+",
    "$string$": r"\S(.*\S)?",
    "$date$": r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?",
    "$semver$": r"\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?",
}


def matches(template: str, actual: str) -> bool:
    if template == "$$":
        return True
    if template in _TEMPLATES:
        return re.fullmatch(_TEMPLATES[template], actual, re.DOTALL) is not None
    if template.startswith("$choice:") and template.endswith("$"):
        return actual in template[8:-1].split("|")
    if template.startswith("$fragments:") and template.endswith("$"):
        return all(f.lower() in actual.lower() for f in template[11:-1].split("|"))
    if template.startswith("$external:") and template.endswith("$"):
        parts = template[1:-1].split(":", 2)
        return len(parts) < 3 or all(f.lower() in actual.lower() for f in parts[2].split("|"))
    return template.replace("$version$", FHIR_VERSION) == actual


def _short(value: Json) -> str:
    text = json.dumps(value)
    return text if len(text) <= 200 else text[:200] + "..."


def summary(outcomes: Sequence[Outcome]) -> dict[str, tuple[int, int]]:
    """Per suite: (passed, run)."""
    out: dict[str, tuple[int, int]] = {}
    for o in outcomes:
        passed, total = out.get(o.case.suite, (0, 0))
        out[o.case.suite] = (passed + o.passed, total + 1)
    return out
