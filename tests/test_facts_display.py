"""How the facts of the full database are shown: every bracketed title in the terminal, every property with its
label, the crosswalks of a much-mapped code, the wording of pages of every system. Needs ../shared/data."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medcodes.cli import print_detail
from medcodes.console import terminal
from medcodes.properties import LABELS, HcpcsField, PcsAxis, label
from medcodes.service import CodeService
from medcodes.systems import SystemId
from medcodes.web import pages
from medcodes.web.app import create_app
from medcodes.web.urls import short_code_path
from tests.test_web_support import official_text, read, wording_slips

# Pages of each system read for wording slips, spread over its official order; and pages known to have slipped.
PAGES_PER_SYSTEM = 40
KNOWN = (
    ("icd10cm", "L02.212"),
    ("icd10cm", "I21.9"),
    ("icd10cm", "M54.50"),
    ("icd10cm", "K41.10"),
    ("icd10pcs", "BF270ZZ"),
    ("hcpcs", "E0601"),
    ("icd11", "MA16.0"),
    ("icd11", "5A11"),
    ("icd9cm", "250.00"),
    ("msdrg", "291"),
)


@pytest.fixture(scope="module")
def service(full_db: Path) -> Iterator[CodeService]:
    service = CodeService.at(full_db)
    yield service
    service.close()


@pytest.fixture(scope="module")
def client(service: CodeService) -> Iterator[TestClient]:
    with TestClient(create_app(service)) as test_client:
        yield test_client


def _rows(db: Path, sql: str) -> list[tuple[str, ...]]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_every_bracketed_title_and_note_prints_whole(service: CodeService, full_db: Path) -> None:
    """1,869 titles and 170 note rows lost their bracketed words to rich's markup before."""
    titles = _rows(full_db, "SELECT system, code, title FROM concepts WHERE title LIKE '%[%'")
    notes = _rows(
        full_db,
        "SELECT c.system, c.code, n.text FROM notes n JOIN concepts c ON c.id = n.concept_id WHERE n.text LIKE '%[%'",
    )
    assert len(titles) > 1000
    assert len(notes) > 100
    console = terminal()
    lost = []
    for system, code, text in titles + notes:
        concept = service.store.get(SystemId(system), code)
        assert concept is not None
        detail = service.detail(concept)
        with console.capture() as captured:
            print_detail(console, detail, ())
        if text not in captured.get():
            lost.append((system, code, text))
    assert lost == []


def test_every_property_name_of_a_full_build_has_its_own_label(full_db: Path) -> None:
    names = {name for (name,) in _rows(full_db, "SELECT DISTINCT name FROM properties")}
    assert "hcpcs.carriers_manual" in names
    assert names - {n.value for n in LABELS} == set()
    assert all((found := label(n)) is not None and found.official and found.plain for n in names)


def test_a_much_mapped_icd11_code_lists_each_code_once_in_words(client: TestClient) -> None:
    response = client.get("/code/icd11/5A11", follow_redirects=True)
    page = read(response.text)
    crosswalks = page.text("crosswalks")
    links = [text for href, text in page.links if href == f"/code/icd10cm/{text}"]  # the crosswalks' links
    assert len(links) == len(set(links)) > 100  # one entry per ICD-10-CM code
    assert "narrower: a subclass of this code" in crosswalks
    assert "WHO ICD-10 to ICD-11 mapping table (one category per ICD-10 code)" in crosswalks
    assert not re.search(r"who-10to11|BlockL\d", page.text("main"))
    folded = [int(n) for n in re.findall(r"<summary>(\d+) codes</summary>", response.text)]
    assert folded and min(folded) > pages.COLLAPSE_AFTER  # a long list folded behind its count


def test_a_crosswalk_list_of_hundreds_is_cut_on_the_page_with_a_link_to_the_whole(client: TestClient) -> None:
    """ICD-9-CM 92.23 maps to hundreds of ICD-10-PCS codes: the page shows the first ones, the map endpoint all."""
    response = client.get("/code/icd9cm/92.23", follow_redirects=True)
    assert response.status_code == 200 and len(response.content) <= 100_000
    more = re.search(r'and (\d+) more: <a href="([^"]+)">the whole list</a>', response.text)
    assert more is not None and int(more.group(1)) > 0
    assert more.group(2) == "/api/v1/codes/icd9cm/92.23/map?to=icd10pcs"
    whole = client.get(more.group(2)).json()
    shown = len(re.findall(r'<a class="code" href="/code/icd10pcs/', response.text))
    assert shown == pages.SHOWN_LINKS and len(whole["mappings"]) >= shown + int(more.group(1))


@pytest.mark.parametrize(("system", "code"), [("icd11", "5A11"), ("msdrg", "291"), ("icd11", "1A00")])
def test_no_billable_badge_outside_the_us_claim_code_sets(client: TestClient, system: str, code: str) -> None:
    response = client.get(short_code_path(system, code), follow_redirects=True)
    head = read(response.text).text("main").split(" Official titles ", 1)[0]
    assert "billable" not in head


def test_pages_of_every_system_say_no_word_twice_and_take_the_right_article(
    client: TestClient, service: CodeService, full_db: Path
) -> None:
    official = official_text(full_db)
    wanted = list(KNOWN)
    for loaded in service.loaded_systems():
        concepts = service.store.concepts(loaded)
        step = max(1, len(concepts) // PAGES_PER_SYSTEM)
        wanted += [(loaded.value, c.code) for c in concepts[::step]]
    slips = {}
    for name, code in wanted:
        response = client.get(short_code_path(name, code), follow_redirects=True)
        assert response.status_code == 200, (name, code)
        found = wording_slips(response.text, official)
        if found:
            slips[(name, code)] = found
    assert slips == {}


def test_typed_property_names_are_the_stored_names() -> None:
    # The typed vocabularies store the same strings the database and the API have always held.
    assert PcsAxis.BODY_PART.value == "pcs.body_part" and PcsAxis.at(3).value == "pcs.axis3"
    assert HcpcsField.CARRIERS_MANUAL.value == "hcpcs.carriers_manual"
    assert label("hcpcs.carriers_manual") == LABELS[HcpcsField.CARRIERS_MANUAL]
    assert label("pcs.axis3") is not None and label("not.a.name") is None
