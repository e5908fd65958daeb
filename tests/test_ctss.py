"""The NLM Clinical Tables-compatible search (/api/{table}/v3/search) and the crosswalk endpoint of /api/v1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from medcodes.service import CodeService
from medcodes.web.app import create_app
from tests.test_web_support import web_db


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    service = CodeService.at(web_db(tmp_path_factory.mktemp("ctss")))
    with TestClient(create_app(service, close_service=True)) as c:
        yield c


def test_the_answer_is_total_codes_extras_display(client: TestClient) -> None:
    body = client.get("/api/icd10cm/v3/search", params={"terms": "diab"}).json()
    total, codes, extras, display = body
    assert total >= 1
    assert codes[0] == "E11.9"
    assert extras is None
    assert display[0] == ["E11.9", "Type 2 diabetes mellitus without complications"]


def test_icd10cm_lists_billable_codes_only(client: TestClient) -> None:
    _, codes, _, _ = client.get("/api/icd10cm/v3/search", params={"terms": "diabetes", "maxList": 20}).json()
    assert "E11" not in codes


def test_max_list_defaults_to_seven_and_empty_means_500(client: TestClient) -> None:
    _, seven, _, _ = client.get("/api/icd10cm/v3/search", params={"terms": "s"}).json()
    _, many, _, _ = client.get("/api/icd10cm/v3/search", params={"terms": "s", "maxList": ""}).json()
    assert len(seven) <= 7
    assert len(many) >= len(seven)


def test_count_and_offset_page_through_the_hits(client: TestClient) -> None:
    _, both, _, _ = client.get("/api/icd10cm/v3/search", params={"terms": "fracture", "count": 2}).json()
    _, second, _, _ = client.get("/api/icd10cm/v3/search", params={"terms": "fracture", "count": 1, "offset": 1}).json()
    assert second == both[1:2]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "terms is required: the text to search for"),
        ({"terms": "a", "maxList": "501"}, "maxList must be at most 500"),
        ({"terms": "a", "count": "501"}, "count must be at most 500"),
        ({"terms": "a", "count": "500", "offset": "7001"}, "offset + count must be at most 7,500"),
        ({"terms": "a", "df": "code,colour"}, "df: no field colour in table icd10cm; its fields: code, name"),
        ({"terms": "a", "q": "colour"}, "q: expected field:value, got 'colour'"),
    ],
)
def test_bad_parameters_are_a_400_with_the_one_error_body(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    r = client.get("/api/icd10cm/v3/search", params=params)
    assert r.status_code == 400
    assert r.json() == {"ok": False, "error": message, "status": 400}


def test_an_unknown_table_is_a_404(client: TestClient) -> None:
    r = client.get("/api/rxterms/v3/search", params={"terms": "a"})
    assert r.status_code == 404


def test_hcpcs_uses_nlm_field_names_with_aliases(client: TestClient) -> None:
    body = client.get(
        "/api/hcpcs/v3/search", params={"terms": "E0601", "df": "code,short_desc", "ef": "add_dt,obsolete:old"}
    ).json()
    total, codes, extras, display = body
    assert total >= 1
    assert codes[0] == "E0601"
    assert display[0][0] == "E0601"
    assert set(extras) == {"add_dt", "old"}
    assert extras["old"][0] == "false"


def test_icd9_diagnoses_and_procedures_are_two_tables(client: TestClient) -> None:
    _, dx, _, dx_display = client.get("/api/icd9cm_dx/v3/search", params={"terms": "cholera vibrio"}).json()
    assert dx[0] == "0010"  # NLM's codes are undotted; the display shows the dotted form
    assert dx_display[0] == ["001.0", "Cholera due to vibrio cholerae"]
    _, sg, _, _ = client.get("/api/icd9cm_sg/v3/search", params={"terms": "hysterosalpingogram"}).json()
    assert sg == ["8783"]
    _, none, _, _ = client.get("/api/icd9cm_sg/v3/search", params={"terms": "cholera"}).json()
    assert none == []


def test_cf_chooses_the_code_field(client: TestClient) -> None:
    _, codes, _, _ = client.get(
        "/api/icd9cm_dx/v3/search", params={"terms": "cholera vibrio", "cf": "code_dotted"}
    ).json()
    assert codes[0] == "001.0"


def test_q_adds_a_condition(client: TestClient) -> None:
    _, codes, _, _ = client.get("/api/icd11_codes/v3/search", params={"terms": "cholera", "q": "type:category"}).json()
    assert codes
    assert all(not c.startswith("Block") for c in codes)


def test_suggestions_answer_codes_and_display_strings(client: TestClient) -> None:
    codes, display, extras = client.get(
        "/api/icd10cm/v3/search", params={"suggest": "1", "field_val": "diabetis"}
    ).json()
    assert codes[0] == "E11.9"
    assert display[0] == "E11.9 - Type 2 diabetes mellitus without complications"
    assert extras is None


# ---------------------------------------------------------------------------------------------- /api/v1 map
def test_map_endpoint_has_the_content_of_medcodes_map(client: TestClient) -> None:
    body = client.get("/api/v1/codes/icd10cm/E11.9/map", params={"to": "icd9cm"}).json()
    assert body["ok"] is True
    assert body["source"] == {
        "system": "icd10cm",
        "code": "E11.9",
        "title": "Type 2 diabetes mellitus without complications",
    }
    assert body["to"] == "icd9cm"
    row = body["mappings"][0]
    assert (row["system"], row["code"], row["direction"]) == ("icd9cm", "250.00", "forward")
    assert row["relation"]["flags"] == ["approximate"]


def test_map_endpoint_needs_a_known_target(client: TestClient) -> None:
    r = client.get("/api/v1/codes/icd10cm/E11.9/map", params={"to": "snomed"})
    assert r.status_code == 400
    assert r.json()["ok"] is False
