"""Real-browser tests: Playwright drives Debian's Chromium against a real uvicorn server on 127.0.0.1.

They type a query, see suggestions, pick one with the keyboard, land on the code page and read its sections
(the plain-language explainer with its label, and the similar codes), and save screenshots of the home,
results and code pages under test-artifacts/ (git-ignored by the .gitignore the test writes there). They
skip, saying why, where Chromium (apt: chromium) or the Python `playwright` package is missing; CI installs
both. The browser is never downloaded: Playwright launches the system's executable.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from medcodes.models import ExplainerKind
from medcodes.service import CodeService
from medcodes.systems import SystemId
from medcodes.web.app import create_app
from tests.helpers import live_server
from tests.test_web_support import example_explainer, explainer_store, web_db

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Root in a container has no user namespace for Chromium's sandbox; the rest keeps the browser off the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
E119 = "/code/icd10cm/E11.9-type-2-diabetes-mellitus-without-complications"

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A uvicorn server in a thread, serving the fixture database on a free loopback port.

    E11.9 and S06.5X7A have generated explainers (the shipped example answer of a diagnosis).
    """
    service = CodeService.at(web_db(tmp_path_factory.mktemp("browser")))
    explainers = explainer_store(
        *(example_explainer(service, SystemId.ICD10CM, code, ExplainerKind.DIAGNOSIS) for code in ("E11.9", "S06.5X7A"))
    )
    with live_server(create_app(service, explainers=explainers)) as url:
        yield url
    explainers.close()
    service.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    # A CSP violation or a script error shows up here: none is allowed.
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == []


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n")
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_type_pick_a_suggestion_with_the_keyboard_and_read_the_code_page(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    screenshot(page, "home")
    box = page.locator("#q")
    box.press_sequentially("diab", delay=40)
    listbox = page.locator("#q-listbox")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.locator("[role=option]")
    texts = options.all_inner_texts()
    target = next(i for i, text in enumerate(texts) if text.startswith("E11.9"))
    for _ in range(target + 1):
        box.press("ArrowDown")
    chosen = options.nth(target)
    assert chosen.get_attribute("aria-selected") == "true"
    screenshot(page, "suggestions")
    assert box.get_attribute("aria-activedescendant") == chosen.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(base_url + E119)
    assert page.locator("h1").inner_text() == "Type 2 diabetes mellitus without complications"
    assert page.locator("#titles").is_visible()
    assert "Excludes1" in page.locator("#notes").inner_text()
    assert "250.00" in page.locator("#crosswalks").inner_text()
    assert page.locator("nav.crumbs li").all_inner_texts() == ["ICD-10-CM", "4", "E08-E13", "E11", "E11.9"]
    assert page.locator("script[type='application/ld+json']").count() == 1
    _read_plain_language_and_similar_codes(page)
    screenshot(page, "code")


def _read_plain_language_and_similar_codes(page: Page) -> None:
    assert page.locator("#explainer-h").inner_text() == "In plain language"
    facts = page.locator("#facts")
    assert facts.is_visible()
    assert "Taken from the official ICD-10-CM release 2026" in facts.locator(".origin").inner_text()
    assert "Category E11\nType 2 diabetes mellitus" in facts.inner_text()
    label = page.locator("#generated-label")
    assert label.inner_text() == "Generated by test-model on 2026-01-05 — not medical advice — generated"
    assert page.locator("#generated ul li").first.is_visible()
    provenance = page.locator("#generated details.provenance")
    assert not provenance.locator("dd").first.is_visible()
    provenance.locator("summary").click()
    assert provenance.locator("dd").first.inner_text() == "test-model"
    assert page.locator("#similar-h").inner_text() == "Similar codes"
    first = page.locator("#similar ol.similar > li").first
    assert first.locator("a.code").inner_text() == "250.00"
    assert "crosswalk" in first.locator(".reasons").inner_text()


def test_suggestions_mark_the_matched_words(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.locator("#q").press_sequentially("torus", delay=30)
    page.locator("#q-listbox [role=option] mark").first.wait_for()
    assert page.locator("#q-listbox [role=option] mark").first.inner_text().lower() == "torus"


def test_typing_fast_sends_few_requests(page: Page, base_url: str) -> None:
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if "/api/v1/suggest" in request.url else None)
    page.goto(base_url + "/")
    page.locator("#q").press_sequentially("fracture", delay=10)
    page.locator("#q-listbox").wait_for(state="visible")
    assert 1 <= len(sent) <= 2
    assert sent[-1].endswith("q=fracture")


def test_escape_closes_the_suggestions(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    box = page.locator("#q")
    box.press_sequentially("cholera", delay=20)
    page.locator("#q-listbox").wait_for(state="visible")
    box.press("Escape")
    page.locator("#q-listbox").wait_for(state="hidden")
    assert box.get_attribute("aria-expanded") == "false"


def test_enter_without_a_choice_searches(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.locator("#q").fill("heart attack")
    page.locator("#q").press("Enter")
    page.wait_for_url(base_url + "/search?q=heart+attack*")
    assert page.locator(".hit").count() >= 1
    assert "Acute myocardial infarction, unspecified" in page.locator(".hits").inner_text()
    screenshot(page, "results")


def test_the_site_works_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/")
    page.locator("#q").fill("type 2 diabetes")
    page.locator("button[type=submit]").click()
    page.wait_for_url(base_url + "/search?q=type+2+diabetes*")
    page.locator(f"a[href='{E119}']").first.click()
    page.wait_for_url(base_url + E119)
    assert page.locator("h1").inner_text() == "Type 2 diabetes mellitus without complications"
    # Similar codes are a link to their own page.
    page.locator("#similar .similar-load a").click()
    page.wait_for_url(base_url + E119 + "/similar")
    assert page.locator("#similar ol.similar > li").count() >= 1
    # A code typed in the box opens its page.
    page.locator("#q").fill("e119")
    page.locator("button[type=submit]").click()
    page.wait_for_url(base_url + E119)
    context.close()


def test_code_page_fits_a_360_pixel_screen(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(base_url + "/code/icd10cm/S06.5X7A")
    page.locator("#generated details.provenance summary").click()
    assert page.locator("#generated-label").is_visible()
    assert page.locator("#similar ol.similar > li").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "code-360")
    context.close()
