"""The FHIR R4 terminology server (/fhir), in process, over the web fixtures (ICD-10-CM, ICD-10-PCS, HCPCS,
ICD-11, ICD-9-CM, GEMs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medcodes.models import Relation, RelationKind
from medcodes.service import CodeService
from medcodes.systems import SystemId
from medcodes.terminology.conceptmaps import equivalence
from medcodes.web.app import create_app
from tests.test_web_support import web_db

CM = "http://hl7.org/fhir/sid/icd-10-cm"
I9 = "http://hl7.org/fhir/sid/icd-9-cm"
FHIR_JSON = "application/fhir+json"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    service = CodeService.at(web_db(tmp_path_factory.mktemp("fhir")))
    with TestClient(create_app(service, close_service=True)) as c:
        yield c


def params(body: dict[str, Any]) -> dict[str, Any]:
    """A Parameters resource as name -> value (the value[x], part list or resource)."""
    out: dict[str, Any] = {}
    for p in body["parameter"]:
        value = next((v for k, v in p.items() if k.startswith("value") or k in ("part", "resource")), None)
        out.setdefault(p["name"], value)
    return out


def post(*items: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": [{"name": n, **v} for n, v in items]}


# ---------------------------------------------------------------------------------------------- capabilities
def test_metadata_is_a_terminology_server_capability_statement(client: TestClient) -> None:
    r = client.get("/fhir/metadata")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(FHIR_JSON)
    body = r.json()
    assert body["resourceType"] == "CapabilityStatement"
    assert body["instantiates"] == ["http://hl7.org/fhir/CapabilityStatement/terminology-server"]
    assert body["fhirVersion"] == "4.0.1"
    operations = {o["name"] for res in body["rest"][0]["resource"] for o in res.get("operation", [])}
    assert {"lookup", "validate-code", "subsumes", "expand", "translate"} <= operations


def test_terminology_capabilities_list_each_loaded_system_and_version(client: TestClient) -> None:
    body = client.get("/fhir/metadata?mode=terminology").json()
    assert body["resourceType"] == "TerminologyCapabilities"
    systems = {cs["uri"]: cs["version"][0]["code"] for cs in body["codeSystem"]}
    assert systems[CM] == "2026"
    assert "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets" in systems
    assert {"name": "filter"} in body["expansion"]["parameter"]


def test_code_system_read_and_search(client: TestClient) -> None:
    cs = client.get("/fhir/CodeSystem/icd10cm").json()
    assert (cs["url"], cs["content"], cs["version"]) == (CM, "not-present", "2026")
    bundle = client.get("/fhir/CodeSystem", params={"url": CM}).json()
    assert bundle["resourceType"] == "Bundle"
    assert [e["resource"]["id"] for e in bundle["entry"]] == ["icd10cm"]


def test_the_hl7_registry_uris_name_the_systems(client: TestClient) -> None:
    urls = {e["resource"]["url"] for e in client.get("/fhir/CodeSystem").json()["entry"]}
    assert {
        CM,
        "http://www.cms.gov/Medicare/Coding/ICD10",
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        "http://id.who.int/icd/release/11/mms",
        I9,
    } <= urls


# ---------------------------------------------------------------------------------------------- $lookup
def test_lookup_gives_display_parent_children_and_notes(client: TestClient) -> None:
    body = client.get("/fhir/CodeSystem/$lookup", params={"system": CM, "code": "E11"}).json()
    found = params(body)
    assert found["display"] == "Type 2 diabetes mellitus"
    properties = [{p["name"]: p for p in prop}["code"]["valueCode"] for prop in _all(body, "property")]
    assert {"parent", "child", "inactive", "notSelectable", "billable"} <= set(properties)
    children = [
        {p["name"]: p for p in prop}["value"]["valueCode"]
        for prop in _all(body, "property")
        if {p["name"]: p for p in prop}["code"]["valueCode"] == "child"
    ]
    assert "E11.9" in children


def test_lookup_property_filter_keeps_only_what_was_asked(client: TestClient) -> None:
    body = client.get("/fhir/CodeSystem/$lookup", params={"system": CM, "code": "E11.9", "property": "parent"}).json()
    codes = {{p["name"]: p for p in prop}["code"]["valueCode"] for prop in _all(body, "property")}
    assert codes == {"parent"}


def test_lookup_by_post_with_a_coding(client: TestClient) -> None:
    body = post(("coding", {"valueCoding": {"system": CM, "code": "E11.9"}}))
    r = client.post("/fhir/CodeSystem/$lookup", json=body)
    assert params(r.json())["display"] == "Type 2 diabetes mellitus without complications"


def test_lookup_of_an_unknown_code_is_a_404_operation_outcome(client: TestClient) -> None:
    r = client.get("/fhir/CodeSystem/$lookup", params={"system": CM, "code": "E11.99"})
    assert r.status_code == 404
    assert r.json()["resourceType"] == "OperationOutcome"
    assert r.json()["issue"][0]["details"]["text"] == f"Unknown code 'E11.99' in the CodeSystem '{CM}' version '2026'"


def test_an_unknown_system_is_a_404(client: TestClient) -> None:
    r = client.get("/fhir/CodeSystem/$lookup", params={"system": "http://example.org/nope", "code": "x"})
    assert r.status_code == 404
    assert "http://example.org/nope" in r.json()["issue"][0]["details"]["text"]


def test_an_unknown_parameter_is_a_400(client: TestClient) -> None:
    r = client.get("/fhir/CodeSystem/$lookup", params={"system": CM, "code": "E11.9", "colour": "red"})
    assert r.status_code == 400
    assert r.json()["issue"][0]["code"] == "not-supported"


def test_an_unknown_resource_type_is_a_404_operation_outcome(client: TestClient) -> None:
    r = client.get("/fhir/Patient/1")
    assert (r.status_code, r.json()["resourceType"]) == (404, "OperationOutcome")


def test_a_body_that_is_not_json_is_a_400(client: TestClient) -> None:
    r = client.post("/fhir/ValueSet/$expand", content=b"{not json", headers={"content-type": FHIR_JSON})
    assert r.status_code == 400
    assert r.json()["issue"][0]["code"] == "structure"


# ---------------------------------------------------------------------------------------------- $validate-code
def test_validate_code_in_a_code_system(client: TestClient) -> None:
    ok = params(client.get("/fhir/CodeSystem/$validate-code", params={"url": CM, "code": "E11.9"}).json())
    assert (ok["result"], ok["display"]) == (True, "Type 2 diabetes mellitus without complications")
    bad = params(client.get("/fhir/CodeSystem/$validate-code", params={"url": CM, "code": "E11.99"}).json())
    assert bad["result"] is False
    assert bad["message"] == f"Unknown code 'E11.99' in the CodeSystem '{CM}' version '2026'"
    assert bad["issues"]["issue"][0]["details"]["coding"][0]["code"] == "invalid-code"


def test_validate_code_with_a_wrong_display(client: TestClient) -> None:
    found = params(
        client.get("/fhir/CodeSystem/$validate-code", params={"url": CM, "code": "E11.9", "display": "Diabetes"}).json()
    )
    assert found["result"] is False
    assert "Wrong Display Name 'Diabetes'" in found["message"]


def test_validate_code_in_an_implicit_is_a_value_set(client: TestClient) -> None:
    vs = f"{CM}?fhir_vs=isa/E11"
    inside = params(
        client.get("/fhir/ValueSet/$validate-code", params={"url": vs, "system": CM, "code": "E11.9"}).json()
    )
    assert inside["result"] is True
    outside = params(
        client.get("/fhir/ValueSet/$validate-code", params={"url": vs, "system": CM, "code": "I21.9"}).json()
    )
    assert outside["result"] is False
    assert outside["message"].startswith(f"The provided code '{CM}#I21.9' was not found in the value set")


# ---------------------------------------------------------------------------------------------- $subsumes
@pytest.mark.parametrize(
    ("a", "b", "outcome"),
    [
        ("E11", "E11.9", "subsumes"),
        ("E11.9", "E11", "subsumed-by"),
        ("E11.9", "E11.9", "equivalent"),
        ("E11.9", "I21.9", "not-subsumed"),
    ],
)
def test_subsumes(client: TestClient, a: str, b: str, outcome: str) -> None:
    body = client.get("/fhir/CodeSystem/$subsumes", params={"system": CM, "codeA": a, "codeB": b}).json()
    assert params(body)["outcome"] == outcome


# ---------------------------------------------------------------------------------------------- $expand
def test_expand_a_whole_system_a_page_at_a_time(client: TestClient) -> None:
    first = client.get("/fhir/ValueSet/icd10cm/$expand", params={"count": 3}).json()["expansion"]
    second = client.get("/fhir/ValueSet/icd10cm/$expand", params={"count": 3, "offset": 3}).json()["expansion"]
    assert len(first["contains"]) == len(second["contains"]) == 3
    assert first["total"] == second["total"] > 6
    assert {c["code"] for c in first["contains"]}.isdisjoint({c["code"] for c in second["contains"]})
    assert first["contains"][0]["abstract"] is True  # a chapter: a header, not for use in data


def test_expand_filter_text_goes_through_the_search_engine(client: TestClient) -> None:
    found = client.get(
        "/fhir/ValueSet/$expand", params={"url": f"{CM}?fhir_vs", "filter": "heart attack", "count": 5}
    ).json()["expansion"]
    assert found["contains"][0]["code"] == "I21.9"  # a lay term the search engine knows
    assert {"name": "filter", "valueString": "heart attack"} in found["parameter"]
    assert {"name": "used-codesystem", "valueUri": f"{CM}|2026"} in found["parameter"]


def test_expand_is_a_with_filter_stays_inside(client: TestClient) -> None:
    found = client.get(
        "/fhir/ValueSet/$expand", params={"url": f"{CM}?fhir_vs=isa/E11", "filter": "without", "count": 10}
    ).json()["expansion"]
    assert found["contains"]
    assert all(c["code"].startswith("E11") for c in found["contains"])


def test_expand_a_posted_value_set_with_includes_excludes_and_filters(client: TestClient) -> None:
    vs = {
        "resourceType": "ValueSet",
        "url": "http://example.org/ValueSet/diabetes",
        "status": "active",
        "compose": {
            "include": [
                {"system": CM, "filter": [{"property": "concept", "op": "is-a", "value": "E11"}]},
                {"system": I9, "concept": [{"code": "250.00"}]},
            ],
            "exclude": [{"system": CM, "concept": [{"code": "E11.9"}]}],
        },
    }
    body = client.post("/fhir/ValueSet/$expand", json=post(("valueSet", {"resource": vs}))).json()
    codes = [(c["system"], c["code"]) for c in body["expansion"]["contains"]]
    assert (CM, "E11") in codes
    assert (CM, "E11.9") not in codes
    assert (I9, "250.00") in codes
    assert body["url"] == "http://example.org/ValueSet/diabetes"


def test_expand_a_regex_filter_on_codes(client: TestClient) -> None:
    vs = {
        "resourceType": "ValueSet",
        "status": "active",
        "compose": {"include": [{"system": CM, "filter": [{"property": "code", "op": "regex", "value": r"E11\.\d"}]}]},
    }
    body = client.post("/fhir/ValueSet/$expand", json=post(("valueSet", {"resource": vs}))).json()
    assert {c["code"] for c in body["expansion"]["contains"]} >= {"E11.9"}
    assert all(c["code"].startswith("E11.") and len(c["code"]) == 5 for c in body["expansion"]["contains"])


def test_expand_an_unknown_value_set_is_a_404(client: TestClient) -> None:
    r = client.get("/fhir/ValueSet/$expand", params={"url": "http://example.org/ValueSet/none"})
    assert r.status_code == 404
    assert r.json()["issue"][0]["code"] == "not-found"


def test_expand_a_count_above_the_limit_is_a_400(client: TestClient) -> None:
    r = client.get("/fhir/ValueSet/icd10cm/$expand", params={"filter": "a", "count": 5000})
    assert r.status_code == 400


def test_expand_supplied_code_system_with_tx_resource(client: TestClient) -> None:
    cs = {
        "resourceType": "CodeSystem",
        "url": "http://example.org/CodeSystem/colours",
        "version": "1",
        "status": "active",
        "content": "complete",
        "concept": [{"code": "red", "display": "Red"}, {"code": "dark-red", "display": "Dark red"}],
    }
    vs = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [{"system": cs["url"]}]}}
    body = client.post(
        "/fhir/ValueSet/$expand",
        json=post(
            ("valueSet", {"resource": vs}), ("tx-resource", {"resource": cs}), ("filter", {"valueString": "dar"})
        ),
    ).json()
    assert [c["code"] for c in body["expansion"]["contains"]] == ["dark-red"]


# ---------------------------------------------------------------------------------------------- $translate
def test_translate_through_the_gems_with_their_flags_as_equivalence(client: TestClient) -> None:
    body = client.get("/fhir/ConceptMap/$translate", params={"system": CM, "code": "E11.9", "targetsystem": I9}).json()
    found = params(body)
    assert found["result"] is True
    match = {p["name"]: p for p in found["match"]}
    assert match["concept"]["valueCoding"]["code"] == "250.00"
    assert match["equivalence"]["valueCode"] == "inexact"  # the fixture row E119 25000 10000: approximate
    assert match["originMap"]["valueCanonical"].startswith("urn:medcodes:crosswalk:gem-")


def test_translate_without_a_mapping_says_so(client: TestClient) -> None:
    found = params(
        client.get("/fhir/ConceptMap/$translate", params={"system": CM, "code": "I21.9", "targetsystem": I9}).json()
    )
    assert found["result"] is False
    assert "No mapping" in found["message"]


def test_translate_needs_a_target_system(client: TestClient) -> None:
    r = client.get("/fhir/ConceptMap/$translate", params={"system": CM, "code": "E11.9"})
    assert r.status_code == 400


@pytest.mark.parametrize(
    ("flags", "forward", "expected"),
    [
        (("identical",), True, "equivalent"),
        (("approximate",), True, "inexact"),
        (("approximate", "combination", "scenario 1", "choice list 1"), True, "wider"),
        (("approximate", "combination", "scenario 1", "choice list 1"), False, "narrower"),
        (("subclass",), True, "wider"),
        (("no map",), True, "unmatched"),
    ],
)
def test_crosswalk_flags_read_as_equivalence(flags: tuple[str, ...], forward: bool, expected: str) -> None:
    relation = Relation(SystemId.ICD9CM, "250.00", RelationKind.MAPS_TO, SystemId.ICD10CM, "E11.9", flags=flags)
    assert equivalence(relation, forward) == expected


def _all(body: dict[str, Any], name: str) -> list[Any]:
    return [p["part"] for p in body["parameter"] if p["name"] == name]


def test_system_version_names_the_version_used(client: TestClient) -> None:
    ok = client.get("/fhir/ValueSet/icd10cm/$expand", params={"count": 1, "system-version": f"{CM}|2026"})
    assert ok.status_code == 200
    missing = client.get("/fhir/ValueSet/icd10cm/$expand", params={"count": 1, "system-version": f"{CM}|2019"})
    assert missing.status_code == 404
