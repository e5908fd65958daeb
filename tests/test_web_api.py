"""The JSON API, in process: every /api/v1 route, its parameters and its errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medcodes.models import ExplainerKind, ExplainerStatus
from medcodes.service import MAX_MATCH_LINES
from medcodes.systems import SystemId
from medcodes.web.app import create_app
from tests.test_web_support import example_explainer, explainer_store, web_service


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The API over the fixture database; E11.9 has a generated explainer, I21.9 a rejected one."""
    service = web_service(tmp_path_factory.mktemp("web"))
    explainers = explainer_store(
        example_explainer(service, SystemId.ICD10CM, "E11.9", ExplainerKind.DIAGNOSIS),
        example_explainer(service, SystemId.ICD10CM, "I21.9", ExplainerKind.DIAGNOSIS, status=ExplainerStatus.REJECTED),
    )
    with TestClient(create_app(service, explainers=explainers)) as test_client:
        yield test_client
    explainers.close()
    service.close()


def _codes(body: dict[str, object], key: str = "results") -> list[str]:
    items = body[key]
    assert isinstance(items, list)
    return [item["code"] for item in items]


# ---------------------------------------------------------------------------------------------- search
def test_search_by_code_in_any_notation(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "e119"}).json()
    assert body["results"][0] == {
        "system": "icd10cm",
        "code": "E11.9",
        "display": "Type 2 diabetes mellitus without complications",
        "score": body["results"][0]["score"],
        "billable": True,
        "kind": "code",
        "url": "/code/icd10cm/E11.9-type-2-diabetes-mellitus-without-complications",
        "why": [{"field": "code", "text": body["results"][0]["why"][0]["text"]}],
        "highlights": [],
    }


def test_search_body_has_query_paging_and_facets(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "diabetes"}).json()
    assert (body["ok"], body["q"], body["total"], body["limit"], body["offset"]) == (True, "diabetes", 5, 10, 0)
    assert body["facets"] == {"icd10cm": 3, "icd9cm": 2}


def test_search_hits_carry_highlights_and_why(client: TestClient) -> None:
    hits = client.get("/api/v1/search", params={"q": "torus fracture radius"}).json()["results"]
    [hit] = [h for h in hits if h["code"] == "S52.521A"]
    assert hit["highlights"] == [[0, 5], [6, 14], [37, 43], [74, 82]]
    assert [w["field"] for w in hit["why"]] == ["title"]


def test_search_filters_by_system(client: TestClient) -> None:
    body = client.get("/api/v1/search", params=[("q", "cholera"), ("system", "icd11")]).json()
    assert _codes(body) == ["1A00"]


def test_search_system_is_repeatable(client: TestClient) -> None:
    body = client.get("/api/v1/search", params=[("q", "diabetes"), ("system", "icd9cm"), ("system", "icd10cm")])
    assert set(body.json()["facets"]) == {"icd9cm", "icd10cm"}


def test_search_billable_only(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "diabetes", "billable": "true"}).json()
    assert all(hit["billable"] for hit in body["results"])
    assert "E08-E13" not in _codes(body)


def test_search_limit_and_offset_page_through_the_same_list(client: TestClient) -> None:
    whole = _codes(client.get("/api/v1/search", params={"q": "fracture", "limit": 6}).json())
    second = _codes(client.get("/api/v1/search", params={"q": "fracture", "limit": 2, "offset": 2}).json())
    assert second == whole[2:4]


def test_search_reports_the_corrected_query(client: TestClient) -> None:
    assert client.get("/api/v1/search", params={"q": "heart atack"}).json()["corrected"] == "heart attack"


def test_search_says_where_a_code_among_the_words_kept_them(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "e11 diabetes"}).json()
    assert body["notice"] is not None and "E11" in body["notice"]
    assert body["results"] and all(h["code"].startswith("E11") for h in body["results"])
    assert client.get("/api/v1/search", params={"q": "asthma"}).json()["notice"] is None


def test_search_is_not_cached_by_browsers(client: TestClient) -> None:
    assert client.get("/api/v1/search", params={"q": "asthma"}).headers["cache-control"] == "no-store"


def test_search_without_a_query_is_empty(client: TestClient) -> None:
    body = client.get("/api/v1/search").json()
    assert (body["total"], body["results"]) == (0, [])


# ---------------------------------------------------------------------------------------------- suggest
def test_suggest_completes_to_phrases_the_data_holds_and_offers_codes(client: TestClient) -> None:
    body = client.get("/api/v1/suggest", params={"q": "diab"}).json()
    # A name a code carries (the block title "Diabetes mellitus"), never a word glued on to what was typed.
    assert body["completions"][0] == "diabetes mellitus"
    assert all(c.startswith("diab") for c in body["completions"])
    codes = _codes(body, "hits")
    # E11.9 is the billable code its header E11 stands for here: it comes first, the header later if at all.
    assert codes[0] == "E11.9"
    assert "E08-E13" in codes[:3]
    assert "E11" not in codes[:3]
    urls = {hit["code"]: hit["url"] for hit in body["hits"]}
    assert urls["E11.9"] == "/code/icd10cm/E11.9-type-2-diabetes-mellitus-without-complications"


def test_suggest_limit(client: TestClient) -> None:
    assert len(client.get("/api/v1/suggest", params={"q": "diab", "limit": 2}).json()["hits"]) == 2


# ---------------------------------------------------------------------------------------------- match
def test_match_answers_each_line_in_order(client: TestClient) -> None:
    body = client.post("/api/v1/match", json={"lines": ["heart attack", "cpap"], "limit": 1}).json()
    assert [(r["line"], r["text"], _codes(r, "matches")) for r in body["results"]] == [
        (1, "heart attack", ["I21.9"]),
        (2, "cpap", ["E0601"]),
    ]


def test_match_carries_scores(client: TestClient) -> None:
    match = client.post("/api/v1/match", json={"lines": ["cpap"]}).json()["results"][0]["matches"][0]
    assert isinstance(match["score"], float)


def test_match_filters_by_system(client: TestClient) -> None:
    body = client.post("/api/v1/match", json={"lines": ["cholera"], "systems": ["icd9cm"], "limit": 5}).json()
    assert {m["system"] for m in body["results"][0]["matches"]} == {"icd9cm"}


def test_match_refuses_more_lines_than_documented(client: TestClient) -> None:
    response = client.post("/api/v1/match", json={"lines": ["asthma"] * (MAX_MATCH_LINES + 1)})
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error": "lines: List should have at most 1000 items after validation, not 1001",
        "status": 400,
    }


def test_match_refuses_a_line_longer_than_a_query(client: TestClient) -> None:
    response = client.post("/api/v1/match", json={"lines": ["ok", "x" * 501]})
    assert response.json() == {
        "ok": False,
        "error": "lines.1: String should have at most 500 characters",
        "status": 400,
    }


def test_match_refuses_a_body_that_is_not_json(client: TestClient) -> None:
    response = client.post("/api/v1/match", content=b"lines=asthma", headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["ok"]) == (400, False)


def test_match_is_post_only(client: TestClient) -> None:
    assert client.get("/api/v1/match").json() == {"ok": False, "error": "Method Not Allowed", "status": 405}


# ---------------------------------------------------------------------------------------------- codes
def test_code_in_any_notation_answers_with_the_canonical_code(client: TestClient) -> None:
    body = client.get("/api/v1/codes/icd10cm/e119").json()
    assert (body["code"], body["title"], body["billable"]) == (
        "E11.9",
        "Type 2 diabetes mellitus without complications",
        True,
    )


def test_code_carries_its_hierarchy(client: TestClient) -> None:
    body = client.get("/api/v1/codes/icd10cm/E11.9").json()
    assert [a["code"] for a in body["ancestors"]] == ["4", "E08-E13", "E11"]


def test_code_notes_say_where_they_are_inherited_from(client: TestClient) -> None:
    notes = client.get("/api/v1/codes/icd10cm/I21.4").json()["notes"]
    assert {"kind": "code_also", "text": "tobacco use (Z72.0)", "character": None, "inherited_from": "I21"} in notes


def test_code_seventh_characters(client: TestClient) -> None:
    notes = client.get("/api/v1/codes/icd10cm/S06.5X7A").json()["notes"]
    assert [(n["character"], n["inherited_from"]) for n in notes if n["kind"] == "seventh_character"] == [
        ("A", "S06"),
        ("D", "S06"),
        ("S", "S06"),
    ]


def test_code_crosswalks(client: TestClient) -> None:
    relations = client.get("/api/v1/codes/icd10cm/E11.9").json()["relations"]
    assert relations[0] == {
        "source_system": "icd10cm",
        "source_code": "E11.9",
        "kind": "maps_to",
        "target_system": "icd9cm",
        "target_code": "250.00",
        "detail": None,
        "source": "gem-2018-dx-i10-i9",
        "flags": ["approximate"],
    }


def test_code_history(client: TestClient) -> None:
    assert client.get("/api/v1/codes/hcpcs/Q9993").json()["history"] == [
        {
            "kind": "added",
            "release": "2018-07",
            "effective": "2018-07-01",
            "old_title": None,
            "new_title": None,
            "replaced_by": [],
        },
        {
            "kind": "deleted",
            "release": "2019",
            "effective": "2019-01-01",
            "old_title": "Injection, triamcinolone acetonide, preservative-free, extended-release, microsphere "
            "formulation, 1 mg",
            "new_title": None,
            "replaced_by": ["J3304"],
        },
    ]


def test_pcs_code_axes_with_definitions(client: TestClient) -> None:
    axes = client.get("/api/v1/codes/icd10pcs/0UT70ZZ").json()["axes"]
    assert [(a["position"], a["title"], a["value"], a["label"]) for a in axes] == [
        (1, "Section", "0", "Medical and Surgical"),
        (2, "Body System", "U", "Female Reproductive System"),
        (3, "Operation", "T", "Resection"),
        (4, "Body Part", "7", "Fallopian Tubes, Bilateral"),
        (5, "Approach", "0", "Open"),
        (6, "Device", "Z", "No Device"),
        (7, "Qualifier", "Z", "No Qualifier"),
    ]
    assert axes[2]["definition"] == "Cutting out or off, without replacement, all of a body part"


def test_hcpcs_code_indicators(client: TestClient) -> None:
    properties = client.get("/api/v1/codes/hcpcs/E0601").json()["properties"]
    assert properties[0] == {
        "name": "hcpcs.pricing",
        "value": "36",
        "label": "Capped rental DME (price subject to floors and ceilings)",
        "definition": None,
    }


def test_a_header_that_is_no_code_notation_is_found(client: TestClient) -> None:
    assert client.get("/api/v1/codes/hcpcs/MODIFIERS").json()["title"] == "HCPCS Level II modifiers"


def test_code_is_cacheable(client: TestClient) -> None:
    assert client.get("/api/v1/codes/icd10cm/E11.9").headers["cache-control"] == "public, max-age=3600"


def test_children(client: TestClient) -> None:
    body = client.get("/api/v1/codes/icd10cm/E11/children").json()
    assert (body["code"], _codes(body, "concepts")) == ("E11", ["E11.9"])


def test_ancestors(client: TestClient) -> None:
    assert _codes(client.get("/api/v1/codes/icd10cm/e119/ancestors").json(), "concepts") == ["4", "E08-E13", "E11"]


# ---------------------------------------------------------------------------------------------- similar
def test_similar_codes_with_the_reasons_why(client: TestClient) -> None:
    body = client.get("/api/v1/codes/icd10cm/i219/similar").json()
    assert (body["ok"], body["system"], body["code"], body["title"]) == (
        True,
        "icd10cm",
        "I21.9",
        "Acute myocardial infarction, unspecified",
    )
    first = body["similar"][0]
    # The score depends on every name the build gives the codes (vocabularies add some): near 1, not exact.
    assert first.pop("score") == pytest.approx(0.986, abs=0.005)
    (why,) = first.pop("why")
    assert why["kind"] == "wording"
    assert re.fullmatch(r"Similar title \(text similarity 0\.9[89]\)", why["text"]), why
    assert first == {
        "system": "icd11",
        "code": "BA41",
        "title": "Acute myocardial infarction",
        "billable": False,
        "badge": None,
        "more": 2,
        "more_label": "codes above or below it",
        "url": "/code/icd11/BA41-acute-myocardial-infarction",
    }


def test_similar_codes_are_the_code_pages_list(client: TestClient) -> None:
    body = client.get("/api/v1/codes/icd10cm/I21.9/similar").json()
    assert _codes(body, "similar") == ["BA41", "I21.4"]


def test_similar_limit(client: TestClient) -> None:
    assert _codes(client.get("/api/v1/codes/icd10cm/I21.9/similar", params={"limit": 1}).json(), "similar") == ["BA41"]


def test_similar_limit_beyond_50_is_400(client: TestClient) -> None:
    assert client.get("/api/v1/codes/icd10cm/I21.9/similar", params={"limit": 51}).json() == {
        "ok": False,
        "error": "limit: Input should be less than or equal to 50",
        "status": 400,
    }


def test_similar_of_an_unknown_code_is_the_one_404_body(client: TestClient) -> None:
    response = client.get("/api/v1/codes/icd10cm/E11.99/similar")
    assert (response.status_code, response.json()) == (
        404,
        {
            "ok": False,
            "error": "No ICD-10-CM code 'E11.99' in release 2026. Closest existing codes: E11.9",
            "status": 404,
        },
    )


def test_similar_is_cacheable(client: TestClient) -> None:
    assert client.get("/api/v1/codes/icd10cm/I21.9/similar").headers["cache-control"] == "public, max-age=3600"


# ---------------------------------------------------------------------------------------------- explain
def test_explain_gives_the_official_facts_in_words(client: TestClient) -> None:
    facts = client.get("/api/v1/codes/icd10pcs/0ut70zz/explain").json()["facts"]
    assert facts["summary"].startswith("0UT70ZZ is an ICD-10-PCS inpatient procedure code")
    assert facts["origin"].startswith("Taken from the official ICD-10-PCS release 2026:")
    assert facts["sections"][0]["lines"][2] == {
        "label": "Character 3, Operation (T)",
        "text": "Resection",
        "definition": "Cutting out or off, without replacement, all of a body part",
        "source": None,
    }


def test_explain_facts_say_where_a_note_is_inherited_from(client: TestClient) -> None:
    sections = client.get("/api/v1/codes/icd10cm/E11.9/explain").json()["facts"]["sections"]
    [notes] = [s for s in sections if s["heading"] == "Coding notes"]
    assert notes["lines"][1] == {
        "label": "Includes",
        "text": "This also covers: diabetes NOS.",
        "definition": None,
        "source": "E11",
    }


def test_explain_gives_the_generated_explainer_with_its_label_and_provenance(client: TestClient) -> None:
    body = client.get("/api/v1/codes/icd10cm/E11.9/explain").json()
    explainer = body["explainer"]
    assert (body["ok"], body["code"], explainer["kind"], explainer["stale"]) == (True, "E11.9", "diagnosis", False)
    assert explainer["label"] == "Generated by test-model on 2026-01-05 — not medical advice — generated"
    assert explainer["provenance"] == {
        "model": "test-model",
        "prompt_version": "explain-1/sections-1",
        "facts_hash": explainer["provenance"]["facts_hash"],
        "release": "2026",
        "created": "2026-01-05T10:00:00+00:00",
        "status": "generated",
        "reviewed_by": None,
        "reviewed_at": None,
        "origin": "generated",
    }


def test_explain_sections_are_typed(client: TestClient) -> None:
    sections = client.get("/api/v1/codes/icd10cm/E11.9/explain").json()["explainer"]["sections"]
    assert [(s["key"], s["type"]) for s in sections[:3]] == [("name", "text"), ("summary", "text"), ("causes", "list")]
    assert sections[2]["items"][0] == "The body's cells respond poorly to insulin (insulin resistance)"


def test_explain_without_a_generated_explainer_is_null(client: TestClient) -> None:
    assert client.get("/api/v1/codes/icd10cm/S52.521A/explain").json()["explainer"] is None


def test_explain_never_gives_a_rejected_explainer(client: TestClient) -> None:
    assert client.get("/api/v1/codes/icd10cm/I21.9/explain").json()["explainer"] is None


def test_explain_of_an_unknown_code_is_the_one_404_body(client: TestClient) -> None:
    response = client.get("/api/v1/codes/icd10pcs/0UT70ZY/explain")
    assert (response.status_code, response.json()) == (
        404,
        {
            "ok": False,
            "error": "No ICD-10-PCS code '0UT70ZY' in release 2026."
            " Closest existing codes: 0UT50ZZ, 0UT54ZZ, 0UT60ZZ, 0UT64ZZ, 0UT70ZZ",
            "status": 404,
        },
    )


def test_explain_is_cacheable(client: TestClient) -> None:
    assert client.get("/api/v1/codes/icd10cm/E11.9/explain").headers["cache-control"] == "public, max-age=3600"


# ---------------------------------------------------------------------------------------------- systems
def test_systems_list_releases_counts_and_licences(client: TestClient) -> None:
    systems = {s["system"]: s for s in client.get("/api/v1/systems").json()["systems"]}
    assert sorted(systems) == ["hcpcs", "icd10cm", "icd10pcs", "icd11", "icd9cm"]
    assert (systems["icd10cm"]["name"], systems["icd10cm"]["release"]["version"]) == ("ICD-10-CM", "2026")
    assert systems["icd10cm"]["release"]["licence"] is None
    assert "World Health Organization" in systems["icd11"]["release"]["licence"]


def test_system_with_its_roots(client: TestClient) -> None:
    body = client.get("/api/v1/systems/icd10cm").json()
    assert (body["system"]["name"], _codes(body, "roots")) == ("ICD-10-CM", ["1", "4", "9", "19"])


# ---------------------------------------------------------------------------------------------- errors
def test_one_error_body_for_an_unknown_code(client: TestClient) -> None:
    response = client.get("/api/v1/codes/icd10cm/E11.99")
    assert response.status_code == 404
    assert response.json() == {
        "ok": False,
        "error": "No ICD-10-CM code 'E11.99' in release 2026. Closest existing codes: E11.9",
        "status": 404,
    }


@pytest.mark.parametrize("route", ["", "/children", "/ancestors", "/similar", "/explain", "/map?to=icd10cm"])
def test_text_no_code_could_be_names_no_code_on_every_code_route(client: TestClient, route: str) -> None:
    # Schema-valid (the path's pattern allows it) yet no ICD-10-PCS code: no such resource, 404. Before, /map
    # alone answered 400 (the OpenAPI fuzz run found it: a schema-valid request refused).
    response = client.get(f"/api/v1/codes/icd10pcs/9Bb-6KbPyOI8U-nCi{route}")
    assert response.status_code == 404
    assert response.json()["error"].startswith("'9Bb-6KbPyOI8U-nCi' is not an ICD-10-PCS code.")


def test_unknown_system_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/codes/icd99/E11.9").json() == {
        "ok": False,
        "error": "Unknown code system 'icd99'. Known systems: icd10cm, icd10pcs, hcpcs, cpt, icd11, icd10, icd9cm, "
        "msdrg",
        "status": 404,
    }


def test_a_system_that_is_not_loaded_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/systems/msdrg").json() == {
        "ok": False,
        "error": "MS-DRG is not loaded in this database. Put the official MS-DRG files"
        " (icd10-ms-drg-definitions-manual-files-v43.zip) in the folder you build from and run"
        " `medcodes build --from DIR` again",
        "status": 404,
    }


def test_malformed_code_names_no_code_404(client: TestClient) -> None:
    response = client.get("/api/v1/codes/icd10cm/E1")
    assert response.status_code == 404
    assert response.json()["error"].startswith("'E1' is not an ICD-10-CM code.")


def test_a_code_of_a_system_that_is_not_loaded_is_404_saying_how_to_load_it(client: TestClient) -> None:
    response = client.get("/api/v1/codes/msdrg/291")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error.startswith("'291' may be an MS-DRG code, but MS-DRG is not loaded in this database. Put the official")
    assert "icd10-ms-drg-definitions-manual-files-v43.zip" in error
    assert "`medcodes build --from DIR`" in error


def test_a_bare_code_of_one_loaded_system_answers_its_facts(client: TestClient) -> None:
    body = client.get("/api/v1/codes/e119").json()
    assert (body["system"], body["code"]) == ("icd10cm", "E11.9")


def test_a_bare_code_of_several_systems_is_300_with_the_choices(client: TestClient) -> None:
    response = client.get("/api/v1/codes/01")
    assert response.status_code == 300
    body = response.json()
    assert body["ok"] is False
    assert body["status"] == 300
    assert body["error"].startswith("'01' is a code of 2 loaded systems")
    assert [(c["system"], c["code"], c["url"]) for c in body["choices"]] == [
        ("icd11", "01", "/api/v1/codes/icd11/01"),
        ("icd9cm", "01", "/api/v1/codes/icd9cm/01"),
    ]
    assert all(c["title"] for c in body["choices"])


def test_code_crosswalks_are_grouped_with_each_code_once(client: TestClient) -> None:
    crosswalks = client.get("/api/v1/codes/icd10cm/E11.9").json()["crosswalks"]
    icd9 = next(g for g in crosswalks if g["system"] == "icd9cm")
    assert icd9["count"] == 1
    assert icd9["sets"] == [
        {
            "match": ["approximate"],
            "tables": [
                "CMS General Equivalence Mappings 2018 (ICD-10-CM to ICD-9-CM)",
                "CMS General Equivalence Mappings 2018 (ICD-9-CM to ICD-10-CM)",
            ],
            "codes": [
                {
                    "system": "icd9cm",
                    "code": "250.00",
                    "title": "Diabetes mellitus without mention of complication, type II or unspecified type, not"
                    " stated as uncontrolled",
                    "details": [],
                }
            ],
        }
    ]


def test_unknown_system_filter_is_400(client: TestClient) -> None:
    response = client.get("/api/v1/search", params={"q": "asthma", "system": "icd99"})
    assert response.status_code == 400
    assert response.json()["error"] == (
        "system.0: Unknown code system 'icd99'; known systems: icd10cm, icd10pcs, hcpcs, cpt, icd11, icd10, icd9cm,"
        " msdrg"
    )


def test_too_long_query_is_400(client: TestClient) -> None:
    assert client.get("/api/v1/search", params={"q": "x" * 501}).json() == {
        "ok": False,
        "error": "q: String should have at most 500 characters",
        "status": 400,
    }


def test_bad_limit_is_400(client: TestClient) -> None:
    assert client.get("/api/v1/search", params={"q": "asthma", "limit": "many"}).json() == {
        "ok": False,
        "error": "limit: must be a whole number written in the digits 0-9",
        "status": 400,
    }


def test_unknown_api_path_is_404_json(client: TestClient) -> None:
    assert client.get("/api/v1/nothing").json() == {"ok": False, "error": "No such page", "status": 404}


# ---------------------------------------------------------------------------------------------- reference
def test_openapi_document_lists_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert sorted(paths) == [
        "/api/v1/codes/{code}",
        "/api/v1/codes/{system}/{code}",
        "/api/v1/codes/{system}/{code}/ancestors",
        "/api/v1/codes/{system}/{code}/children",
        "/api/v1/codes/{system}/{code}/explain",
        "/api/v1/codes/{system}/{code}/map",
        "/api/v1/codes/{system}/{code}/similar",
        "/api/v1/match",
        "/api/v1/search",
        "/api/v1/suggest",
        "/api/v1/systems",
        "/api/v1/systems/{system}",
        "/api/{table}/v3/search",
    ]


def test_openapi_documents_the_one_error_body_not_fastapis(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    search = document["paths"]["/api/v1/search"]["get"]["responses"]
    assert sorted(search) == ["200", "400", "414", "422", "503"]
    assert document["components"]["schemas"]["ErrorBody"]["required"] == ["ok", "error", "status"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_docs_page_describes_every_api_route(client: TestClient) -> None:
    page = client.get("/docs").text
    for path in client.get("/openapi.json").json()["paths"]:
        assert f"<code>{path}</code>" in page


def test_docs_page_loads_nothing_from_a_cdn(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "cdn" not in page.lower()
    assert "swagger-ui" not in page


def test_one_error_body_is_a_typed_dict_of_three_keys(tmp_path: Path) -> None:
    from medcodes.web.errors import Problem, error_body

    assert error_body(Problem(404, "No such page")) == {"ok": False, "error": "No such page", "status": 404}
