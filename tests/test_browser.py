"""Real-browser tests: Playwright drives Debian's Chromium against a real uvicorn server on 127.0.0.1.

They type a query, see suggestions, pick one with the keyboard, land on the code page and read its sections
(the plain-language explainer with its label, and the similar codes), and save screenshots of the home,
results and code pages under test-artifacts/ (git-ignored by the .gitignore the test writes there). They
skip, saying why, where Chromium (apt: chromium) or the Python `playwright` package is missing; CI installs
both. The browser is never downloaded: Playwright launches the system's executable.
"""

from __future__ import annotations

import datetime as dt
import json
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
    from playwright.sync_api import Browser, Locator, Page, Route

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
# axe-core, pinned by tests/js/package-lock.json and installed by `npm ci` there (.ci/run).
AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
E119 = "/code/icd10cm/E11.9-type-2-diabetes-mellitus-without-complications"
PCS = "/code/icd10pcs/0UT70ZZ-resection-of-bilateral-fallopian-tubes-open-approach"
PHONE_WIDTH = 375
# One page of every type: home, results, no results, a code page of each loaded system (and a code page with a
# generated explainer, a 7th character and long titles), similar codes, browse, a system, about, the API, a 404.
PAGE_TYPES = {
    "home": "/",
    "results": "/search?q=fracture",
    "no results": "/search?q=qqqzzzxxx",
    "results within a code": "/search?q=e11+diabetes",  # with its notice above the results
    "ICD-10-CM code": E119,
    "ICD-10-CM code, 7th character": "/code/icd10cm/S06.5X7A",
    "ICD-10-CM category": "/code/icd10cm/E11",
    "ICD-10-PCS code": PCS,
    "HCPCS code": "/code/hcpcs/E0601",
    "ICD-11 code": "/code/icd11/1A00",
    "ICD-9-CM code": "/code/icd9cm/250.00",
    "similar codes": E119 + "/similar",
    "browse": "/browse",
    "browse a system": "/browse/icd10cm",
    "about": "/about",
    "API docs": "/docs",
    "not found": "/code/icd10cm/E11.99",
}

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


def answered(page: Page, typed: str) -> Locator:
    """The suggestions once they answer what was typed last: on a slow machine the answer to the letters before
    ("d", "dia") is shown first, and replaced (the list says which text it answers in ``data-for``)."""
    listbox = page.locator(f"#q-listbox[data-for={json.dumps(typed)}]")
    listbox.wait_for(state="visible")
    return listbox


def test_type_pick_a_suggestion_with_the_keyboard_and_read_the_code_page(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    screenshot(page, "home")
    box = page.locator("#q")
    box.press_sequentially("diab", delay=40)
    listbox = answered(page, "diab")
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
    assert page.locator("#overview").is_visible()
    assert page.locator("#titles").is_visible()
    assert "Excludes1" in page.locator("#notes").inner_text()
    assert "250.00" in page.locator("#crosswalks").inner_text()
    assert page.locator("nav.crumbs li").all_inner_texts() == ["ICD-10-CM", "4", "E08-E13", "E11", "E11.9"]
    assert page.locator("script[type='application/ld+json']").count() == 1
    _read_plain_language_and_similar_codes(page)
    screenshot(page, "code")


def _read_plain_language_and_similar_codes(page: Page) -> None:
    assert page.locator("#overview-h").inner_text() == "In plain words"
    overview = page.locator("#overview")
    assert "Taken from the official ICD-10-CM release 2026" in overview.locator(".origin").inner_text()
    assert "E11.9 is within category E11 Type 2 diabetes mellitus" in overview.inner_text()
    assert page.locator("#generated .card").count() >= 2
    label = page.locator("#generated-label")
    assert label.inner_text() == "Generated by test-model on 2026-01-05 — not medical advice — generated"
    assert page.locator("#generated ul li").first.is_visible()
    provenance = page.locator("#generated details.provenance")
    assert not provenance.locator("dd").first.is_visible()
    provenance.locator("summary").click()
    assert provenance.locator("dd").first.inner_text() == "test-model"
    assert page.locator("#similar-h").inner_text() == "Similar codes"
    # Loaded from their JSON twin after the page.
    first = page.locator("#similar ol.similar > li").first
    first.wait_for()
    assert first.locator("a.code").inner_text() == "250.00"
    assert "crosswalk" in first.locator(".reasons").inner_text()


def test_suggestions_mark_the_matched_words(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.locator("#q").press_sequentially("torus", delay=30)
    assert answered(page, "torus").locator("[role=option] mark").first.inner_text().lower() == "torus"


def test_typing_fast_sends_few_requests(page: Page, base_url: str) -> None:
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if "/api/v1/suggest" in request.url else None)
    # The page's clock moves only when told to: keys 20 ms apart, whatever the machine's load.
    page.clock.install(time=dt.datetime(2026, 1, 1))
    page.goto(base_url + "/")
    page.clock.pause_at(dt.datetime(2026, 1, 1, 0, 1))
    box = page.locator("#q")
    for letter in "fracture":
        box.press(letter)
        page.clock.run_for(20)
    page.clock.run_for(200)  # the wait after the last key
    answered(page, "fracture")
    assert len(sent) == 1
    assert sent[0].endswith("q=fracture")


def test_escape_closes_the_suggestions(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    box = page.locator("#q")
    box.press_sequentially("cholera", delay=20)
    page.locator("#q-listbox").wait_for(state="visible")
    box.press("Escape")
    page.locator("#q-listbox").wait_for(state="hidden")
    assert box.get_attribute("aria-expanded") == "false"


def test_an_answer_after_escape_does_not_open_the_suggestions_again(page: Page, base_url: str) -> None:
    held: list[Route] = []
    holding = False

    def answer(route: Route) -> None:
        if holding:
            held.append(route)  # the server answers late: after the person pressed Escape
        else:
            route.continue_()

    page.route("**/api/v1/suggest*", answer)
    page.goto(base_url + "/")
    box = page.locator("#q")
    box.press_sequentially("chol", delay=20)
    page.locator("#q-listbox").wait_for(state="visible")
    holding = True
    with page.expect_request("**/api/v1/suggest*q=cholera*"):
        box.press_sequentially("era", delay=20)
    box.press("Escape")  # the list is open: Escape closes it (and keeps the text)
    page.locator("#q-listbox").wait_for(state="hidden")
    for route in held:
        route.fulfill(json={"ok": True, "q": "cholera", "completions": ["cholera"], "hits": []})
    page.wait_for_timeout(300)  # time for the late answer to be (wrongly) shown
    assert page.locator("#q-listbox").is_hidden()
    assert box.input_value() == "cholera"


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
    page.locator("#similar ol.similar > li").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "code-360")
    context.close()


# ---------------------------------------------------------------------------------------------- phones
def _settled(page: Page, url: str) -> None:
    """``url`` opened, and its similar codes (loaded after the page, where it has them) in place."""
    page.goto(url)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("path", list(PAGE_TYPES.values()), ids=list(PAGE_TYPES))
def test_no_page_scrolls_sideways_on_a_phone(browser: Browser, base_url: str, path: str) -> None:
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 740})
    page = context.new_page()
    _settled(page, base_url + path)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    context.close()
    assert widths == [PHONE_WIDTH, PHONE_WIDTH, PHONE_WIDTH]


@pytest.mark.parametrize("query", ["acute myocardial", "fracture of lower end"])
def test_suggestions_span_a_phone_screen_and_their_titles_wrap_as_lines(
    browser: Browser, base_url: str, query: str
) -> None:
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 740})
    page = context.new_page()
    page.goto(base_url + "/code/icd10cm/E11")  # the box in the header, beside its button
    page.locator("#q").press_sequentially(query, delay=20)
    options = answered(page, query).locator("[role=option].option-hit")
    options.first.wait_for()
    boxes = [options.nth(i).bounding_box() for i in range(options.count())]
    titles = [options.nth(i).locator(".title").bounding_box() for i in range(options.count())]
    screenshot(page, f"suggestions-375-{query.split(maxsplit=1)[0]}")
    context.close()
    assert all(box is not None and box["width"] >= 0.8 * PHONE_WIDTH for box in boxes)
    # A title has a line of its own under the code, as wide as the option allows: not a word per line.
    assert all(t is not None and t["width"] >= 0.7 * PHONE_WIDTH for t in titles)


# ---------------------------------------------------------------------------------------------- accessibility
def _axe(page: Page) -> list[str]:
    """The serious and critical violations axe-core finds on the page, as "rule (impact): targets". axe is
    evaluated through the DevTools protocol, which the page's CSP (no inline script) does not stop."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (cd tests/js && npm ci)")
@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_no_serious_accessibility_violation_on_any_page(browser: Browser, base_url: str, width: int) -> None:
    """axe-core on every page type; and no page asks another site for anything (fonts, scripts, styles, icons
    all come from the site itself)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    found = {}
    for name, path in PAGE_TYPES.items():
        _settled(page, base_url + path)
        found[name] = _axe(page)
    # The suggestions open, as a screen reader meets them.
    page.goto(base_url + "/")
    page.locator("#q").press_sequentially("diab", delay=20)
    answered(page, "diab")
    page.locator("#q").press("ArrowDown")
    found["suggestions"] = _axe(page)
    context.close()
    assert {name: problems for name, problems in found.items() if problems} == {}
    assert len(sent) > len(PAGE_TYPES)
    assert [url for url in sent if not url.startswith(base_url + "/")] == []


def test_the_suggestions_work_with_the_keyboard_alone(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    for _ in range(20):  # Tab from the top of the page to the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    box = page.locator("#q")
    assert box.evaluate("node => node === document.activeElement")
    page.keyboard.type("fracture", delay=20)
    answered(page, "fracture")
    listbox = page.locator("#q-listbox")
    options = listbox.locator("[role=option]")
    count = options.count()
    page.keyboard.press("ArrowUp")  # from the box, up goes to the last option
    assert options.nth(count - 1).get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowDown")  # and down from the last, to the first
    assert options.nth(0).get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.nth(0).get_attribute("id")
    page.keyboard.press("Escape")
    listbox.wait_for(state="hidden")
    assert box.input_value() == "fracture"  # Escape closes the list and keeps what was typed
    page.keyboard.press("ArrowDown")  # opens it again
    listbox.wait_for(state="visible")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    href = options.nth(1).get_attribute("data-href")
    assert href is not None and options.nth(1).get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + href)


# ---------------------------------------------------------------------------------------------- a code in the box
@pytest.mark.parametrize(("typed", "target"), [("E11.9", E119), ("0ut70zz", PCS), ("e119", E119)])
def test_a_code_typed_and_confirmed_opens_its_page(page: Page, base_url: str, typed: str, target: str) -> None:
    page.goto(base_url + "/")
    box = page.locator("#q")
    box.press_sequentially(typed, delay=20)
    page.locator("#q-listbox").wait_for(state="visible")
    box.press("Enter")  # no suggestion chosen: the form is sent
    page.wait_for_url(base_url + target)
    assert page.locator(".bigcode").inner_text() == ("E11.9" if target == E119 else "0UT70ZZ")
