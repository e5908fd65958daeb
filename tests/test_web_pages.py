"""The HTML pages, in process: what each page shows, its redirects, its JSON twin, its head for search engines."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.types import ASGIApp

from medcodes.cli import main
from medcodes.explain.store import ExplainerStore
from medcodes.models import ExplainerKind, ExplainerStatus, HistoryEvent, HistoryKind, Relation, RelationKind
from medcodes.service import CodeService
from medcodes.systems import SystemId
from medcodes.web import pages, server
from medcodes.web.app import create_app, from_environment
from medcodes.web.assets import Assets
from medcodes.web.cache import Searches
from medcodes.web.live import Live
from medcodes.web.urls import short_code_path
from tests.test_web_support import (
    Page,
    example_explainer,
    explainer_store,
    official_text,
    read,
    web_db,
    web_service,
    wording_slips,
)

E119 = "/code/icd10cm/E11.9-type-2-diabetes-mellitus-without-complications"
PCS = "/code/icd10pcs/0UT70ZZ-resection-of-bilateral-fallopian-tubes-open-approach"
I219 = "/code/icd10cm/I21.9-acute-myocardial-infarction-unspecified"
S52521A = "/code/icd10cm/S52.521A-torus-fracture-of-lower-end-of-right-radius-initial-encounter-for-closed-fracture"
NO_EXPLAINER = "/code/icd10cm/S06.5X7A"
CM, PCS_SYSTEM = SystemId.ICD10CM, SystemId.ICD10PCS


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CodeService]:
    service = web_service(tmp_path_factory.mktemp("web"))
    yield service
    service.close()


@pytest.fixture(scope="module")
def explainers(service: CodeService) -> Iterator[ExplainerStore]:
    """E11.9 generated, 0UT70ZZ reviewed, S52.521A out of date, I21.9 rejected; no other code has one."""
    store = explainer_store(
        example_explainer(service, CM, "E11.9", ExplainerKind.DIAGNOSIS),
        example_explainer(service, PCS_SYSTEM, "0UT70ZZ", ExplainerKind.PROCEDURE, status=ExplainerStatus.REVIEWED),
        example_explainer(service, CM, "S52.521A", ExplainerKind.DIAGNOSIS, current=False),
        example_explainer(service, CM, "I21.9", ExplainerKind.DIAGNOSIS, status=ExplainerStatus.REJECTED),
    )
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(service: CodeService, explainers: ExplainerStore) -> Iterator[TestClient]:
    with TestClient(create_app(service, explainers=explainers)) as test_client:
        yield test_client


def page(client: TestClient, path: str, status: int = 200) -> Page:
    response = client.get(path)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return read(response.text)


# ---------------------------------------------------------------------------------------------- home
def test_home_has_one_search_box_with_system_filters(client: TestClient) -> None:
    home = page(client, "/")
    assert home.title == "medcodes: search all medical codes"
    assert [v for tag, name, v in home.attributes if tag == "input" and name == "role"] == ["combobox"]
    filters = [v for tag, name, v in home.attributes if tag == "input" and name == "value"]
    assert filters == ["", "icd10cm", "icd10pcs", "hcpcs", "icd11", "icd9cm", "1"]  # the box, then the filters


def test_home_lists_what_is_loaded(client: TestClient) -> None:
    home = page(client, "/")
    assert home.text("loaded-h") == "What is loaded"
    assert "ICD-10-CM 2026 2025-10-01 36 13" in home.text("main")


def test_home_offers_example_queries(client: TestClient) -> None:
    assert ("/search?q=type+2+diabetes", "type 2 diabetes") in page(client, "/").links


# ---------------------------------------------------------------------------------------------- search
def test_results_show_code_system_badge_title_and_why(client: TestClient) -> None:
    results = page(client, "/search?q=heart+attack").text("main")
    # The Alphabetic Index's own entry for the words typed ("Attack, attacks": one word since stems start at six
    # letters) explains the hit; before, the title reached through the lay term did.
    why = "Matched index term: Attack, attacks, heart (see infarct, myocardium)"
    assert f"I21.9 ICD-10-CM billable Acute myocardial infarction, unspecified {why}" in results


def test_results_highlight_the_matched_words(client: TestClient) -> None:
    assert {"Torus", "fracture", "radius"} <= set(page(client, "/search?q=torus+fracture+radius").marks)


def test_results_mark_headers(client: TestClient) -> None:
    assert "E08-E13 ICD-10-CM block Diabetes mellitus" in page(client, "/search?q=diabetes").text("main")


def test_results_link_each_code_page(client: TestClient) -> None:
    assert (E119, "E11.9") in page(client, "/search?q=type+2+diabetes").links


def test_results_count_per_system_with_filter_links(client: TestClient) -> None:
    results = page(client, "/search?q=diabetes")
    assert ("/search?q=diabetes&system=icd9cm", "ICD-9-CM") in results.links
    assert "All systems 5 ICD-10-CM 3 ICD-9-CM 2" in results.text("main")


def test_results_filtered_by_system(client: TestClient) -> None:
    results = page(client, "/search?q=diabetes&system=icd9cm").text("main")
    assert "250.00" in results
    assert "E11.9" not in results


def test_results_offer_the_corrected_query(client: TestClient) -> None:
    results = page(client, "/search?q=heart+atack")
    assert ("/search?q=heart+attack", "heart attack") in results.links
    assert "Did you mean heart attack" in results.text("main")


def test_results_say_where_a_code_among_the_words_kept_them(client: TestClient) -> None:
    scoped = page(client, "/search?q=e11+diabetes").text("main")
    assert "Searched within ICD-10-CM E11 Type 2 diabetes mellitus" in scoped
    assert "Searched within" not in page(client, "/search?q=diabetes").text("main")


def test_results_page_through(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    second = page(client, "/search?q=fracture&page=2")
    assert ("/search?q=fracture", "← Previous") in second.links
    assert ("/search?q=fracture&page=3", "Next →") in second.links
    assert "Page 2 of 3" in second.text("main")


def test_a_code_matched_and_standing_in_for_its_header_counts_once(service: CodeService) -> None:
    # S52.521A matches "fracture" itself and stands in for its header S52.521: one code, counted once (it was
    # counted twice where the header ranked first, and the pages ran one too many).
    found = service.search("fracture", (), 50)
    assert {h.code for h in found.hits} >= {"S52.521", "S52.521A"}
    assert found.total == len(found.hits) == 6


def test_results_page_out_of_range_is_400(client: TestClient) -> None:
    assert "page must be a number from 1 to 500" in page(client, "/search?q=asthma&page=0", 400).text("main")


def test_unknown_system_filter_is_400(client: TestClient) -> None:
    assert "Unknown code system 'icd99'" in page(client, "/search?q=asthma&system=icd99", 400).text("main")


def test_empty_search_asks_for_a_query(client: TestClient) -> None:
    assert "Type a code in any notation" in page(client, "/search").text("main")


def test_no_results(client: TestClient) -> None:
    assert "No results." in page(client, "/search?q=zzzzqqq").text("main")


# ---------------------------------------------------------------------------------------------- code page
def test_code_page_at_its_canonical_url(client: TestClient) -> None:
    code = page(client, E119)
    assert code.title == "E11.9: Type 2 diabetes mellitus without complications - ICD-10-CM - medcodes"
    assert code.link("canonical") == E119  # the path alone where no public URL is configured


@pytest.mark.parametrize(
    "path",
    [
        "/code/icd10cm/E11.9",
        "/code/icd10cm/e119",
        "/code/icd10cm/e11.9",
        "/code/icd10cm/E11.9-some-old-title",
        "/code/ICD10CM/E11.9",
        "/code/ICD10CM/E11.9-type-2-diabetes-mellitus-without-complications",
    ],
)
def test_any_notation_redirects_to_the_canonical_url(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (301, E119)


def test_a_code_typed_without_its_x_placeholder_redirects(client: TestClient) -> None:
    response = client.get("/code/icd10cm/t4011a", follow_redirects=False)
    expected = "/code/icd10cm/T40.1X1A-poisoning-by-heroin-accidental-unintentional-initial-encounter"
    assert response.headers["location"] == expected


@pytest.mark.parametrize(
    "path",
    [
        "/code/icd10cm/E08-E13-diabetes-mellitus",
        "/code/icd11/BlockL1-1A0-gastroenteritis-or-colitis-of-infectious-origin",
        "/code/hcpcs/MODIFIERS-hcpcs-level-ii-modifiers",
        "/code/icd10cm/4-endocrine-nutritional-and-metabolic-diseases",
    ],
)
def test_codes_holding_hyphens_and_headers_have_pages(client: TestClient, path: str) -> None:
    page(client, path)


def test_code_page_meta_description_names_code_and_title(client: TestClient) -> None:
    assert page(client, E119).meta["description"] == (
        "E11.9 is the ICD-10-CM code for Type 2 diabetes mellitus without complications (billable)."
        " Notes, hierarchy and related codes."
    )


def test_code_page_structured_data(client: TestClient) -> None:
    [(_, content)] = [s for s in page(client, E119).scripts if s[0].get("type") == "application/ld+json"]
    assert json.loads(content) == {
        "@context": "https://schema.org",
        "@type": "MedicalCode",
        "codeValue": "E11.9",
        "codingSystem": "ICD-10-CM",
        "name": "Type 2 diabetes mellitus without complications",
        "url": E119,
    }


def test_code_page_breadcrumbs(client: TestClient) -> None:
    code = page(client, E119)
    crumbs = [text for href, text in code.links if href.startswith(("/code/icd10cm/", "/browse/"))][:5]
    assert crumbs == ["ICD-10-CM", "4", "E08-E13", "E11", "E11.9"]


def test_code_page_titles(client: TestClient) -> None:
    assert (
        page(client, E119)
        .text("titles")
        .startswith("Official titles Title Type 2 diabetes mellitus without complications")
    )


def test_code_page_notes_say_where_they_are_inherited_from(client: TestClient) -> None:
    notes = page(client, "/code/icd10cm/I21.4").text("notes")
    assert "Code also tobacco use (Z72.0) inherited from I21" in notes


def test_code_page_seventh_character_table(client: TestClient) -> None:
    table = page(client, "/code/icd10cm/S06.5X7A").text("seventh-character")
    assert table.startswith("7th characters Character Meaning From A initial encounter inherited from S06")


def test_code_page_children(client: TestClient) -> None:
    assert page(client, "/code/icd10cm/E11").text("children") == (
        "1 code below E11.9 Type 2 diabetes mellitus without complications billable"
    )


def test_pcs_page_explains_each_character(client: TestClient) -> None:
    axes = page(client, PCS).text("axes")
    assert "3 Operation T Resection definition above" in axes
    assert "4 Body Part 7 Fallopian Tubes, Bilateral" in axes
    # Each definition is said once, in the overview, with its source.
    assert "Cutting out or off" not in axes


def test_hcpcs_page_shows_indicators(client: TestClient) -> None:
    indicators = page(client, "/code/hcpcs/E0601").text("indicators")
    assert "Pricing Pricing Indicator Code 36 Capped rental DME (price subject to floors and ceilings)" in indicators


def test_hcpcs_indicators_are_labelled_by_the_names_the_source_emits(client: TestClient) -> None:
    # The carriers manual, the ASC group date and the action date once fell back to generic words.
    indicators = page(client, "/code/hcpcs/E0601").text("indicators")
    assert "Latest change effective Action Effective Date 20140101" in indicators
    assert "Action effective date" not in indicators


def test_code_page_crosswalks_say_the_kind_of_match_and_the_table_in_words(client: TestClient) -> None:
    crosswalks = page(client, E119).text("crosswalks")
    assert (
        "ICD-9-CM 1 code approximate from the CMS General Equivalence Mappings 2018 (ICD-10-CM to ICD-9-CM) and the"
        " CMS General Equivalence Mappings 2018 (ICD-9-CM to ICD-10-CM) 250.00 Diabetes mellitus" in crosswalks
    )
    assert "gem-2018" not in crosswalks


def test_code_page_history(client: TestClient) -> None:
    history = page(client, "/code/hcpcs/Q9993").text("history")
    assert history.startswith("History Added in release 2018-07 (effective 2018-07-01) Deleted in release 2019")
    assert "replaced by: J3304" in history


def test_code_page_shows_who_notice_for_who_content(client: TestClient) -> None:
    notices = page(client, "/code/icd11/1A00-cholera").text("notices")
    assert notices.startswith("ICD-11 MMS: ICD-11 for Mortality and Morbidity Statistics (ICD-11 MMS).")
    assert "© World Health Organization" in notices


@pytest.mark.parametrize("path", ["/", "/search?q=cholera", E119, "/browse", "/about", "/docs", "/nothing"])
def test_every_page_shows_who_notice_while_who_content_is_loaded(client: TestClient, path: str) -> None:
    """Any page's search box may suggest ICD-11 codes and titles."""
    shown = read(client.get(path).text)
    assert "© World Health Organization" in shown.text("notices")


# ---------------------------------------------------------------------------------------------- patients first
def test_code_page_opens_with_the_code_in_plain_words(client: TestClient) -> None:
    code = page(client, E119)
    ids = list(code.ids)
    assert ids.index("overview") < ids.index("generated") < ids.index("coders") < ids.index("titles")
    assert code.text("overview").startswith(
        "In plain words E11.9 is an ICD-10-CM diagnosis code: Type 2 diabetes mellitus without complications."
        " It is a complete code that can be reported (billable)."
    )


def test_code_page_says_where_the_code_sits_in_a_sentence(client: TestClient) -> None:
    overview = page(client, E119).text("overview")
    assert (
        "Where it sits E11.9 is within category E11 Type 2 diabetes mellitus, in block E08-E13 Diabetes mellitus,"
        " in chapter 4 Endocrine, nutritional and metabolic diseases."
    ) in overview


def test_code_page_names_the_names_people_use_with_their_source(client: TestClient) -> None:
    overview = page(client, I219).text("overview")
    assert "Also known as Myocardial infarction (acute) NOS an inclusion term of the ICD-10-CM tabular list" in overview
    # Shown once: the coder's list of index terms leaves out what the overview names.
    assert "Myocardial infarction (acute) NOS" not in page(client, I219).text("titles")


def test_pcs_code_page_gives_the_official_definitions_with_their_source(client: TestClient) -> None:
    overview = page(client, PCS).text("overview")
    assert (
        "What it means Operation: Resection Cutting out or off, without replacement, all of a body part"
        " ICD-10-PCS 2026 definitions Approach: Open Cutting through the skin or mucous membrane"
    ) in overview


def test_code_page_says_the_overview_is_taken_from_the_official_data(client: TestClient) -> None:
    overview = page(client, E119).text("overview")
    assert overview.endswith(
        "Taken from the official ICD-10-CM release 2026: the code's own titles, hierarchy and notes, put into"
        " sentences without a model. As JSON."
    )


def test_code_page_shows_each_note_once_with_its_meaning(client: TestClient) -> None:
    code = page(client, E119)
    # The generated text (which may name the same codes) aside, each note is said once.
    main = code.text("main").replace(code.text("generated"), "")
    assert main.count("insulin (Z79.4)") == 1
    assert main.count("type 1 diabetes mellitus (E10.-)") == 1
    notes = page(client, E119).text("notes")
    assert "Excludes1 do not code this together with type 2 diabetes mellitus, without complications" in notes


def test_code_page_links_the_ancestor_a_fact_is_inherited_from(client: TestClient) -> None:
    code = page(client, E119)
    assert ("/code/icd10cm/E11-type-2-diabetes-mellitus", "E11") in code.links


def test_code_page_shows_the_generated_explainer_under_its_label(client: TestClient) -> None:
    label = page(client, E119).text("generated-label")
    assert label == "Generated by test-model on 2026-01-05 — not medical advice — generated"


def test_generated_text_sections_are_paragraphs_and_lists(client: TestClient) -> None:
    generated = page(client, E119).text("generated")
    assert "Summary Type 2 diabetes is a long-term condition" in generated
    assert "Causes The body's cells respond poorly to insulin (insulin resistance) The pancreas" in generated


def test_generated_procedure_steps_are_numbered(client: TestClient) -> None:
    code = page(client, PCS)
    assert ("ol", "class", "steps") in code.attributes
    assert code.text("generated-label").endswith("not medical advice — reviewed")


def test_generated_explainer_shows_its_provenance_but_not_the_model_server(client: TestClient) -> None:
    generated = page(client, E119).text("generated")
    assert (
        "Where this text comes from Model test-model Created 2026-01-05 10:00 UTC Status generated"
        " Origin generated Grounded in the official facts of this code (as JSON), release 2026"
        " Prompt explain-1/sections-1"
    ) in generated
    assert "llm.example.org" not in generated


def test_out_of_date_generated_explainer_says_so(client: TestClient) -> None:
    label = page(client, S52521A).text("generated-label")
    assert label.startswith("out of date Generated by test-model on 2026-01-05 — not medical advice — generated")
    assert label.endswith("— out of date: the official facts of this code have changed since")


def test_no_generated_section_without_an_explainer(client: TestClient) -> None:
    code = page(client, NO_EXPLAINER)
    assert ("overview" in code.ids, "generated" in code.ids) == (True, False)


def test_rejected_explainer_is_not_shown(client: TestClient) -> None:
    code = page(client, I219)
    assert ("overview" in code.ids, "generated" in code.ids) == (True, False)


def test_a_code_page_kept_in_memory_shows_the_explainer_of_the_moment(service: CodeService) -> None:
    """Pages are kept by the explainer they show: one generated (or rejected) meanwhile is shown (or not)."""
    store = ExplainerStore.memory()
    with TestClient(create_app(service, explainers=store)) as fresh:
        assert "generated" not in page(fresh, E119).ids
        store.save(example_explainer(service, CM, "E11.9", ExplainerKind.DIAGNOSIS))
        assert "generated" in page(fresh, E119).ids
        store.set_status(CM, "E11.9", ExplainerStatus.REJECTED)
        assert "generated" not in page(fresh, E119).ids
    store.close()


def test_plain_language_section_links_its_json_twin(client: TestClient) -> None:
    assert ("/api/v1/codes/icd10cm/E11.9/explain", "As JSON") in page(client, E119).links


# ---------------------------------------------------------------------------------------------- similar codes
# A code page loads its similar codes from their JSON twin (tests/test_browser.py); their own page lists them for
# readers without JavaScript, and the code page links it.
I219_SIMILAR = I219 + "/similar"


def test_code_page_links_the_page_of_its_similar_codes(client: TestClient) -> None:
    code = page(client, I219)
    assert (I219_SIMILAR, "Similar codes, each with the reasons why") in code.links
    assert ("section", "data-similar", "/api/v1/codes/icd10cm/I21.9/similar") in code.attributes


def test_similar_page_of_a_code_in_another_notation_redirects_to_the_canonical_one(client: TestClient) -> None:
    answer = client.get("/code/icd10cm/i219/similar", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (301, I219_SIMILAR)


def test_code_page_lists_similar_codes_with_their_reasons(client: TestClient) -> None:
    similar = page(client, I219_SIMILAR).text("similar")
    assert (
        "I21.4 ICD-10-CM billable Non-ST elevation (NSTEMI) myocardial infarction"
        " variant Differs only in the 4th character: Non-ST elevation (NSTEMI) instead of Acute;"
    ) in similar


def test_similar_codes_link_their_canonical_code_pages(client: TestClient) -> None:
    links = page(client, I219_SIMILAR).links
    assert ("/code/icd10cm/I21.4-non-st-elevation-nstemi-myocardial-infarction", "I21.4") in links
    assert ("/code/icd11/BA41-acute-myocardial-infarction", "BA41") in links


def test_a_grouped_similar_code_says_how_many_more(client: TestClient) -> None:
    similar = page(client, I219_SIMILAR).text("similar")
    # The similarity depends on every name the build gives the codes: near 1, not exact.
    assert re.search(
        r"BA41 ICD-11 MMS Acute myocardial infarction wording Similar title \(text similarity 0\.9[89]\)", similar
    )
    assert "and 2 more: codes above or below it" in similar


def test_similar_section_and_its_twin_list_the_same_codes(client: TestClient) -> None:
    code = page(client, I219_SIMILAR)
    twin = client.get("/api/v1/codes/icd10cm/I21.9/similar").json()
    shown = [href for href, _ in code.links if href.startswith(("/code/icd10cm/I21.4", "/code/icd11/"))]
    assert shown == [s["url"] for s in twin["similar"]]


def test_a_code_without_similar_codes_says_so(client: TestClient) -> None:
    assert page(client, "/code/hcpcs/E/similar").text("similar") == (
        "Similar codes No similar codes found for E. Similar codes as JSON: /api/v1/codes/hcpcs/E/similar"
    )


def test_code_page_sections_render_when_given(service: CodeService, explainers: ExplainerStore) -> None:
    """The crosswalk and history sections from a detail that holds both."""
    detail = replace(
        service.detail(service.find(SystemId.ICD10CM, "E11.9")),
        relations=(Relation(SystemId.ICD9CM, "250.00", RelationKind.MAPS_TO, SystemId.ICD10CM, "E11.9", None, "gem"),),
        history=(HistoryEvent(SystemId.ICD10CM, "E11.9", HistoryKind.REVISED, "2025", None, "Old", "New"),),
    )
    templates = pages.environment(Assets.load(), service.systems())
    site = pages.Pages(service, Searches(service, 0), templates, lambda: [], explainers)
    request = Request({"type": "http", "scheme": "http", "server": ("example.org", 80), "path": "/", "headers": []})
    html = site.templates.get_template("code.html").render(**site._code_context(request, detail, E119, None))
    shown = read(html)
    assert shown.text("crosswalks").startswith(
        "Crosswalks and references ICD-9-CM 1 code kind of match not stated from the gem 250.00 Diabetes mellitus"
    )
    assert shown.text("history") == "History Revised in release 2025 was: Old now: New"


def test_unknown_code_page_is_a_friendly_404_with_the_closest_codes(client: TestClient) -> None:
    missing = page(client, "/code/icd10cm/E11.99", 404)
    assert missing.title == "Not found"
    assert "No ICD-10-CM code 'E11.99' in release 2026" in missing.text("main")
    assert ("/code/icd10cm/E11.9", "E11.9") in missing.links
    assert missing.text("main").lower().count("closest existing codes") == 1


def test_a_code_of_a_system_that_is_not_loaded_says_how_to_load_it(client: TestClient) -> None:
    missing = page(client, "/code/msdrg/291", 404)
    text = missing.text("main")
    assert "'291' may be an MS-DRG code, but MS-DRG is not loaded in this database" in text
    assert "medcodes build --from DIR" in text


def test_a_bare_code_of_one_system_redirects_to_its_page(client: TestClient) -> None:
    response = client.get("/code/e119", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == E119


def test_a_bare_code_of_several_systems_lists_them(client: TestClient) -> None:
    choices = page(client, "/code/01", 300)
    assert choices.title == "Which code?"
    assert "'01' is a code of 2 loaded systems" in choices.text("main")
    assert ("/code/icd11/01", "01") in choices.links
    assert ("/code/icd9cm/01", "01") in choices.links


def test_an_icd11_chapter_has_a_page(client: TestClient) -> None:
    response = client.get("/code/icd11/1", follow_redirects=True)
    assert response.status_code == 200
    assert "Certain infectious or parasitic diseases" in read(response.text).title


# ---------------------------------------------------------------------------------------------- wording
def test_no_page_says_a_word_twice_or_takes_the_wrong_article(client: TestClient, service: CodeService) -> None:
    """Every code page of every loaded system ("use additional code code", "a ICD-10-CM" once slipped through)."""
    official = official_text(service.store.path)
    slips = {}
    for concept in service.store.concepts():
        response = client.get(short_code_path(concept.system, concept.code), follow_redirects=True)
        assert response.status_code == 200, concept
        found = wording_slips(response.text, official)
        if found:
            slips[(concept.system.value, concept.code)] = found
    assert slips == {}


def test_only_the_us_claim_code_sets_wear_a_billable_badge(client: TestClient) -> None:
    assert "billable" in _badges(page(client, E119))
    icd11 = _badges(page(client, "/code/icd11/1A00"))
    assert "billable" not in icd11
    assert "category" in icd11


def test_a_retired_icd9cm_code_says_it_is_retired(client: TestClient) -> None:
    shown = page(client, "/code/icd9cm/250.00")
    assert "retired" in _badges(shown)
    assert ("span", "title", "valid on US claims until 2015-09-30") in shown.attributes
    assert "billable" not in _badges(shown)


def _badges(shown: Page) -> list[str]:
    head = shown.text("main").split(" Official titles ", 1)[0]
    return [word for word in ("billable", "retired", "category", "code") if f" {word} " in f" {head} "]


def test_icd11_blocks_are_shown_by_their_titles_not_their_ids(client: TestClient) -> None:
    shown = page(client, "/code/icd11/1A00")
    crumbs = [text for href, text in shown.links if href.startswith("/code/icd11/Block")]
    # The breadcrumbs, then the overview's sentence of where it sits, nearest first.
    assert crumbs == [
        "Gastroenteritis or colitis of…",
        "Bacterial intestinal infections",
        "Bacterial intestinal infections",
        "Gastroenteritis or colitis of infectious origin",
    ]
    assert "BlockL" not in shown.text("main")


def test_malformed_code_page_is_400(client: TestClient) -> None:
    assert "An ICD-10-CM code looks like this: a letter" in page(client, "/code/icd10cm/E1", 400).text("main")


def test_unknown_system_page_is_404(client: TestClient) -> None:
    assert "Unknown code system 'icd99'" in page(client, "/code/icd99/E11.9", 404).text("main")


def test_unknown_page_is_404_html(client: TestClient) -> None:
    assert page(client, "/nothing/here", 404).text("main").startswith("Not found Error 404 No such page")


# ---------------------------------------------------------------------------------------------- browse, about
def test_browse_lists_systems(client: TestClient) -> None:
    assert ("/browse/icd10pcs", "ICD-10-PCS") in page(client, "/browse").links


def test_browse_a_system_lists_its_chapters(client: TestClient) -> None:
    chapters = [text for href, text in page(client, "/browse/icd10cm").links if href.startswith("/code/")]
    assert chapters == ["1", "4", "9", "19"]


def test_browse_goes_down_through_code_pages(client: TestClient) -> None:
    chapter = page(client, "/code/icd10cm/4-endocrine-nutritional-and-metabolic-diseases")
    assert chapter.text("children") == "1 code below E08-E13 Diabetes mellitus block"


def test_browse_an_unloaded_system_is_404(client: TestClient) -> None:
    page(client, "/browse/msdrg", 404)


def test_about_names_sources_releases_and_licences(client: TestClient) -> None:
    about = page(client, "/about")
    assert about.text("sources").startswith("Sources and releases System Release Effective Files read ICD-10-CM 2026")
    assert "CPT® is a registered trademark of the American Medical Association (AMA)" in about.text("licences")
    assert about.text("advice").startswith("Not medical advice")
    assert "World Health Organization" in " ".join(about.ids["main"].split())


def test_every_page_says_not_medical_advice(client: TestClient) -> None:
    for path in ("/", "/search?q=asthma", E119, "/browse", "/about", "/docs"):
        assert "Not medical advice." in client.get(path).text


# ---------------------------------------------------------------------------------------------- JSON twins
@pytest.mark.parametrize(
    ("path", "twin"),
    [
        ("/", "/api/v1/systems"),
        ("/search?q=diabetes&system=icd10cm", "/api/v1/search?q=diabetes&system=icd10cm&limit=20&offset=0"),
        (E119, "/api/v1/codes/icd10cm/E11.9"),
        ("/browse", "/api/v1/systems"),
        ("/browse/icd10cm", "/api/v1/systems/icd10cm"),
        ("/about", "/api/v1/systems"),
        ("/docs", "/openapi.json"),
    ],
)
def test_every_page_links_its_json_twin(client: TestClient, path: str, twin: str) -> None:
    assert page(client, path).link("alternate") == twin
    response = client.get(twin)
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")


def test_search_page_and_its_twin_show_the_same_hits(client: TestClient) -> None:
    results = page(client, "/search?q=diabetes")
    twin = client.get(results.link("alternate")).json()
    assert [text for href, text in results.links if href.startswith("/code/")][::2] == [
        h["code"] for h in twin["results"]
    ]


# ---------------------------------------------------------------------------------------------- assets
def test_static_assets_are_versioned_and_cached_for_a_year(client: TestClient) -> None:
    href = next(attrs["href"] for attrs in page(client, "/").head_links if attrs.get("rel") == "stylesheet")
    response = client.get(href)
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"] == "text/css; charset=utf-8"


def test_static_asset_without_its_version_is_cached_for_an_hour(client: TestClient) -> None:
    assert client.get("/static/search.js").headers["cache-control"] == "public, max-age=3600"


def test_static_asset_answers_304_to_its_etag(client: TestClient) -> None:
    etag = client.get("/static/app.css").headers["etag"]
    assert client.get("/static/app.css", headers={"if-none-match": etag}).status_code == 304


def test_unknown_static_asset_is_404(client: TestClient) -> None:
    assert client.get("/static/nothing.js").status_code == 404


# ---------------------------------------------------------------------------------------------- serving explainers
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with E11.9's explainer saved in explainers.db beside it, as `medcodes explain` saves it."""
    folder = tmp_path_factory.mktemp("served")
    db = web_db(folder)
    service = CodeService.at(db)
    explainer = example_explainer(service, CM, "E11.9", ExplainerKind.DIAGNOSIS)
    service.close()
    store = ExplainerStore.open(folder / "explainers.db")
    store.save(explainer)
    store.close()
    return db


def _serve(monkeypatch: pytest.MonkeyPatch, *args: str) -> ASGIApp:
    configs: list[server.ServerConfig] = []
    monkeypatch.setattr(server, "run", configs.append)
    result = CliRunner().invoke(main, ["serve", "--workers", "1", *args])
    assert result.exit_code == 0, result.output
    app = configs[0].app
    assert isinstance(app, Live)
    return app


def _label(app: ASGIApp) -> str | None:
    with TestClient(app) as served_client:
        shown = page(served_client, E119)
    return shown.text("generated-label") if "generated-label" in shown.ids else None


def test_serve_shows_the_explainers_beside_the_database(served: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _serve(monkeypatch, "--db", str(served))
    assert _label(app) == "Generated by test-model on 2026-01-05 — not medical advice — generated"


def test_serve_without_an_explainers_file_shows_the_facts_only_and_creates_none(
    served: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "none" / "explainers.db"
    app = _serve(monkeypatch, "--db", str(served), "--explainers-db", str(missing))
    assert (_label(app), missing.parent.exists()) == (None, False)


def test_app_factory_reads_the_explainers_database_of_the_environment(
    served: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    shutil.copy(served.parent / "explainers.db", elsewhere)
    monkeypatch.setenv("MEDCODES_DB", str(tmp_path / "medcodes.db"))
    shutil.copy(served, tmp_path / "medcodes.db")
    monkeypatch.setenv("MEDCODES_EXPLAINERS_DB", str(elsewhere))
    assert _label(from_environment()) == "Generated by test-model on 2026-01-05 — not medical advice — generated"


# ---------------------------------------------------------------------------------------------- a code typed in the box
@pytest.mark.parametrize(
    ("q", "target"),
    [("E11.9", E119), ("e119", E119), ("  0ut70zz ", PCS), ("0UT.70ZZ", PCS), ("I21.9", I219)],
)
def test_a_code_typed_in_the_box_opens_its_page(client: TestClient, q: str, target: str) -> None:
    answer = client.get("/search", params={"q": q}, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (302, target)
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("q", ["heart attack", "diabetes", "E11.9 I21.9", "E11.99"])
def test_words_and_codes_that_are_not_one_code_stay_on_the_results_page(client: TestClient, q: str) -> None:
    assert client.get("/search", params={"q": q}, follow_redirects=False).status_code == 200


def test_a_code_outside_the_chosen_systems_stays_on_the_results_page(client: TestClient) -> None:
    # E0601 is a HCPCS code: with a filter that leaves its system out, the box searches its words.
    assert client.get("/search?q=E0601&system=icd10cm", follow_redirects=False).status_code == 200
    answer = client.get("/search?q=E0601&system=hcpcs", follow_redirects=False)
    assert answer.headers["location"] == "/code/hcpcs/E0601-continuous-positive-airway-pressure-cpap-device"


def test_a_later_results_page_of_a_code_is_not_redirected(client: TestClient) -> None:
    assert client.get("/search?q=e119&page=2", follow_redirects=False).status_code == 200


# ---------------------------------------------------------------------------------------------- site files, examples
def test_favicon_and_robots_are_served_at_the_root(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert (icon.status_code, icon.headers["content-type"], icon.content[:4]) == (200, "image/x-icon", b"\0\0\1\0")
    robots = client.get("/robots.txt")
    assert robots.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Disallow: /search\nDisallow: /api/\n" in robots.text


def test_api_reference_shows_an_example_answer_for_every_endpoint_of_api_v1(client: TestClient) -> None:
    shown = read(client.get("/docs").text)
    operations = [
        (method, path)
        for path, methods in client.get("/openapi.json").json()["paths"].items()
        if path.startswith("/api/v1/")
        for method in methods
    ]
    assert len(operations) == 12
    for method, path in operations:
        section = shown.text(method + "-" + path.replace("/", "-").replace("{", "").replace("}", ""))
        assert f"Example: {method.upper()} /api/v1/" in section, path
    search = shown.text("get--api-v1-search")
    assert 'Example: GET /api/v1/search?q=heart+attack&limit=2 { "ok": true, "q": "heart attack"' in search
    assert '"code": "I21.9"' in search
