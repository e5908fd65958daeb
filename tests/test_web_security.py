"""Security and privacy of the site: escaping, the Content-Security-Policy, request limits, no search text in logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from medcodes.cli import main
from medcodes.explain.store import ExplainerStore
from medcodes.models import ExplainerKind
from medcodes.service import CodeService
from medcodes.systems import SystemId
from medcodes.web import server
from medcodes.web.app import WebOptions, create_app
from medcodes.web.assets import Assets
from medcodes.web.guard import CONTENT_SECURITY_POLICY
from medcodes.web.pages import environment
from tests.test_web_support import example_explainer, explainer_store, read, web_db, web_service

SCRIPT = "<script>alert(1)</script>"
PAGES = (
    "/",
    "/search?q=heart+attack",
    "/search?q=diabetes&system=icd10cm&billable=1",
    "/code/icd10cm/E11.9-type-2-diabetes-mellitus-without-complications",
    "/code/icd10pcs/0UT70ZZ-resection-of-bilateral-fallopian-tubes-open-approach",
    "/code/icd11/1A00-cholera",
    "/browse",
    "/browse/hcpcs",
    "/about",
    "/docs",
    "/code/icd10cm/E11.99",
    "/nothing",
)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CodeService]:
    service = web_service(tmp_path_factory.mktemp("web"))
    yield service
    service.close()


@pytest.fixture(scope="module")
def explainers(service: CodeService) -> Iterator[ExplainerStore]:
    """E11.9's generated explainer holds markup, as a model's answer might."""
    store = explainer_store(
        example_explainer(service, SystemId.ICD10CM, "E11.9", ExplainerKind.DIAGNOSIS, summary=f"Sugar {SCRIPT}")
    )
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(service: CodeService, explainers: ExplainerStore) -> Iterator[TestClient]:
    options = WebOptions(max_body_bytes=4096, max_url_chars=1000)
    with TestClient(create_app(service, options, explainers=explainers)) as test_client:
        yield test_client


# ---------------------------------------------------------------------------------------------- escaping
def test_search_page_escapes_the_query(client: TestClient) -> None:
    html = client.get("/search", params={"q": SCRIPT}).text
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_search_box_value_is_escaped(client: TestClient) -> None:
    html = client.get("/search", params={"q": '"><img src=x onerror=alert(1)>'}).text
    assert "<img" not in html
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in html


def test_code_page_error_escapes_the_code(client: TestClient) -> None:
    response = client.get("/code/icd10cm/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code in (400, 404)
    assert SCRIPT not in response.text


def test_generated_explainer_text_is_escaped(client: TestClient) -> None:
    html = client.get("/code/icd10cm/E11.9-type-2-diabetes-mellitus-without-complications").text
    assert SCRIPT not in html
    assert "Sugar &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unknown_system_error_escapes_the_name(client: TestClient) -> None:
    response = client.get("/code/%3Cscript%3E/E11.9")
    assert (response.status_code, "<script>'" in response.text) == (404, False)


def test_api_answers_json_that_browsers_do_not_sniff(client: TestClient) -> None:
    response = client.get("/api/v1/search", params={"q": SCRIPT})
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.json()["q"] == SCRIPT


def test_structured_data_cannot_close_its_script_element(service: CodeService) -> None:
    rendered = environment(Assets.load(), ()).from_string("{{ data|tojson }}").render(data={"name": "</script><b>"})
    assert "</script>" not in rendered
    assert "<b>" not in rendered


# ---------------------------------------------------------------------------------------------- CSP
@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_csp_without_inline_script(client: TestClient, path: str) -> None:
    policy = client.get(path).headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize("path", PAGES)
def test_no_page_holds_inline_script_handlers_or_styles(client: TestClient, path: str) -> None:
    page = read(client.get(path).text)
    for attributes, content in page.scripts:
        # External scripts, or JSON-LD data blocks, which browsers never execute.
        assert ("src" in attributes and not content.strip()) or attributes.get("type") == "application/ld+json"
    assert [name for _, name, _ in page.attributes if name.startswith("on")] == []
    assert [tag for tag, name, _ in page.attributes if name == "style"] == []
    assert "<style" not in client.get(path).text


@pytest.mark.parametrize("path", PAGES)
def test_no_page_loads_anything_from_another_site(client: TestClient, path: str) -> None:
    page = read(client.get(path).text)
    loaded = [v for tag, name, v in page.attributes if name == "src"]
    loaded += [link["href"] for link in page.head_links if link.get("rel") in ("stylesheet", "icon", "preload")]
    assert loaded
    assert [url for url in loaded if "//" in url] == []


def test_api_and_assets_carry_the_security_headers(client: TestClient) -> None:
    for path in ("/api/v1/systems", "/static/app.css", "/api/v1/nothing"):
        headers = client.get(path).headers
        assert (headers["x-frame-options"], headers["referrer-policy"]) == ("DENY", "same-origin")


# ---------------------------------------------------------------------------------------------- limits
def test_too_long_url_is_414_json_for_the_api(client: TestClient) -> None:
    response = client.get("/api/v1/search", params={"q": "a" * 1200})
    assert (response.status_code, response.json()) == (
        414,
        {"ok": False, "error": "URL too long: at most 1000 characters", "status": 414},
    )


def test_too_long_url_is_414_html_for_a_page(client: TestClient) -> None:
    response = client.get("/search", params={"q": "a" * 1200})
    assert response.status_code == 414
    assert "URL too long" in read(response.text).text("main")


def test_declared_body_too_large_is_413(client: TestClient) -> None:
    response = client.post("/api/v1/match", json={"lines": ["asthma " * 100] * 10})
    assert (response.status_code, response.json()["error"]) == (413, "request body too large: at most 4096 bytes")


def test_streamed_body_too_large_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"lines": ['
        for _ in range(100):
            yield b'"a line of text about nothing in particular",'
        yield b'"end"]}'

    response = client.post("/api/v1/match", content=chunks(), headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["status"]) == (413, 413)


def test_query_longer_than_the_engine_takes_is_400_on_the_page(client: TestClient) -> None:
    response = client.get("/search", params={"q": "a" * 501})
    assert response.status_code == 400
    assert "query too long: 501 characters, at most 500" in read(response.text).text("main")


# ---------------------------------------------------------------------------------------------- privacy
def test_search_text_is_not_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    secret = "jane roe 1970 hiv"
    with caplog.at_level(logging.DEBUG):
        client.get("/search", params={"q": secret})
        client.get("/api/v1/search", params={"q": secret})
        client.get("/api/v1/suggest", params={"q": secret})
    assert secret not in caplog.text


def test_a_bug_answers_500_without_details_and_logs_no_query(
    service: CodeService, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("engine failed")

    with TestClient(create_app(service), raise_server_exceptions=False) as broken_client:
        monkeypatch.setattr(service, "search", broken)
        with caplog.at_level(logging.ERROR):
            response = broken_client.get("/api/v1/search", params={"q": "jane roe"})
    assert (response.status_code, response.json()) == (
        500,
        {"ok": False, "error": "Internal server error", "status": 500},
    )
    assert "GET /api/v1/search" in caplog.text
    assert "jane" not in caplog.text


def _served(monkeypatch: pytest.MonkeyPatch, *args: str) -> server.ServerConfig:
    configs: list[server.ServerConfig] = []
    monkeypatch.setattr(server, "run", configs.append)
    result = CliRunner().invoke(main, ["serve", *args])
    assert result.exit_code == 0, result.output
    return configs[0]


def test_serve_keeps_the_access_log_off_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configured = _served(monkeypatch, "--db", str(web_db(tmp_path)), "--port", "8123")
    assert (configured.access_log, configured.host, configured.port) == (False, "127.0.0.1", 8123)


def test_serve_logs_requests_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _served(monkeypatch, "--db", str(web_db(tmp_path)), "--access-log").access_log is True


def test_serve_without_a_database_says_to_build_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "run `medcodes build` first" in result.output


# ---------------------------------------------------------------------------------------------- odd input
ODD = ("", " ", "\x00", "'", '"unclosed', "\\", "🙂", "*", "NEAR(", "E11..9", "-E11.9", "E11.9--x", "a-" * 99, "%")


@pytest.mark.parametrize("text", ODD)
def test_odd_input_is_never_a_server_error(client: TestClient, text: str) -> None:
    quoted = quote(text, safe="")
    statuses = [
        client.get("/search", params={"q": text}).status_code,
        client.get("/api/v1/search", params={"q": text}).status_code,
        client.get("/api/v1/suggest", params={"q": text}).status_code,
        client.get(f"/code/icd10cm/{quoted}", follow_redirects=False).status_code,
        client.get(f"/code/hcpcs/{quoted}", follow_redirects=False).status_code,
        client.get(f"/api/v1/codes/icd10pcs/{quoted}").status_code,
        client.get(f"/api/v1/codes/icd11/{quoted}/children").status_code,
        client.post("/api/v1/match", json={"lines": [text]}).status_code,
    ]
    assert all(status < 500 for status in statuses), statuses


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "request: Field required"),
        (b"[]", "request: Input should be a valid dictionary or object to extract fields from"),
        (b'{"lines": "x"}', "lines: Input should be a valid list"),
        (b'{"lines": ["a"], "extra": 1}', "extra: Extra inputs are not permitted"),
    ],
)
def test_malformed_match_body_is_400(client: TestClient, body: bytes, error: str) -> None:
    response = client.post("/api/v1/match", content=body, headers={"content-type": "application/json"})
    assert response.json() == {"ok": False, "error": error, "status": 400}
