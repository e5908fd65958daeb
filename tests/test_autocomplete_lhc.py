"""NLM's autocomplete-lhc widget (npm, pinned in tests/js/package-lock.json) in Debian's Chromium, against a real
server: Clinical-Tables mode on /api/icd10cm/v3/search and /api/hcpcs/v3/search, FHIR mode on
/fhir/ValueSet/icd10cm/$expand. Type, see rows, pick one. The test page (tests/js/autocomplete.html) is mounted
on the app by this test only. Skips, saying why, without Chromium, Playwright or the npm packages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from medcodes.service import CodeService
from medcodes.web.app import create_app
from tests.helpers import live_server
from tests.test_browser import CHROMIUM, browser
from tests.test_web_support import web_db

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

JS = Path(__file__).parent / "js"

__all__ = ["browser"]  # the Chromium fixture, shared with tests/test_browser.py

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
    pytest.mark.skipif(
        not (JS / "node_modules" / "autocomplete-lhc").is_dir(), reason="npm packages missing: run `npm ci` in tests/js"
    ),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    service = CodeService.at(web_db(tmp_path_factory.mktemp("autocomplete")))
    app = create_app(service)
    app.router.routes.insert(0, Mount("/test-js", StaticFiles(directory=JS)))
    with live_server(app) as url:
        yield url
    service.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(base_url + "/test-js/autocomplete.html")
    yield opened
    context.close()
    assert errors == []


def pick(page: Page, field: str, typed: str, wanted: str) -> list[str]:
    """Type into ``field``, wait for the list, pick the row whose text starts with ``wanted``; the rows seen."""
    box = page.locator(f"#{field}")
    box.click()
    box.press_sequentially(typed, delay=60)
    rows = page.locator("#completionOptions tr, #completionOptions li")
    rows.first.wait_for(state="visible")
    texts = [t.strip() for t in rows.all_inner_texts()]
    rows.nth(next(i for i, t in enumerate(texts) if t.startswith(wanted))).click()
    return texts


def test_clinical_tables_mode_on_icd10cm(page: Page) -> None:
    rows = pick(page, "icd10cm", "diab", "E11.9")
    assert any("Type 2 diabetes mellitus without complications" in r for r in rows)
    assert page.locator("#icd10cm").input_value() == "E11.9"
    assert page.evaluate("document.getElementById('icd10cm').autocomp.getSelectedCodes()") == ["E11.9"]


def test_clinical_tables_mode_on_hcpcs(page: Page) -> None:
    rows = pick(page, "hcpcs", "cpap", "E0601")
    assert any("airway pressure" in r.lower() for r in rows)
    assert page.evaluate("document.getElementById('hcpcs').autocomp.getSelectedCodes()") == ["E0601"]


def test_fhir_mode_on_the_expand_operation(page: Page) -> None:
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if "$expand" in request.url else None)
    rows = pick(page, "fhir", "heart att", "Acute myocardial infarction, unspecified")
    assert rows
    assert page.locator("#fhir").input_value() == "Acute myocardial infarction, unspecified"
    assert page.evaluate("document.getElementById('fhir').autocomp.getSelectedCodes()") == ["I21.9"]
    assert sent and "filter=" in sent[-1] and "count=" in sent[-1]
