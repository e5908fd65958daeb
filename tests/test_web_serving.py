"""Serving under load and attack (issue 17): long work off the event loop and stopped when the client leaves,
request budgets, header caps and timeouts on a real server, answers that keep a connection usable, one reader of
numbers and system names, public URLs from configuration, counts read not recounted, and a newly built database
that goes live without a failed request.

The real-server tests run uvicorn (as `medcodes serve` configures it) in a thread on a loopback port. Their
waits are bounded and none asserts a duration: they are ordered by events (a request that completes while
another is held inside its work).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from medcodes.config import ServeSettings
from medcodes.explain.store import ExplainerStore
from medcodes.models import Concept, ConceptDetail
from medcodes.service import MAX_MATCH_WORDS, CodeService, build_database
from medcodes.store.sqlite import SQLiteStore
from medcodes.web import server
from medcodes.web.app import WebOptions, create_app
from medcodes.web.cache import Searches
from medcodes.web.live import Live
from tests.test_web_support import read, web_db

HOST = "127.0.0.1"
WAIT = 20.0  # the most any step waits for something that should happen at once


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return web_db(tmp_path_factory.mktemp("serving"))


@pytest.fixture(scope="module")
def service(db: Path) -> Iterator[CodeService]:
    opened = CodeService.at(db)
    yield opened
    opened.close()


def live(db: Path, options: WebOptions | None = None, check_every: float = 0.0) -> Live:
    """The app as `medcodes serve` builds it, with a fresh in-memory explainers store."""
    explainers = ExplainerStore.memory()
    site = Live(db, lambda s: create_app(s, options, explainers=explainers), check_every, on_close=explainers.close)
    site.start()
    return site


@contextmanager
def running(app: Live, db: Path, **settings: Any) -> Iterator[int]:
    """uvicorn serving ``app`` on a free loopback port, configured as `medcodes serve` configures it."""
    serve = replace(ServeSettings(workers=1), **settings)
    configured = server.config(server.Site(db, db.parent / "none.db", serve), app=app)
    configured.log_config = None
    listening = socket.socket()
    listening.bind((HOST, 0))
    port = int(listening.getsockname()[1])
    uvicorn_server = uvicorn.Server(configured)
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not uvicorn_server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    try:
        yield port
    finally:
        uvicorn_server.should_exit = True
        thread.join(WAIT)
        listening.close()


def get(port: int, path: str, connection: http.client.HTTPConnection | None = None) -> http.client.HTTPResponse:
    """GET ``path``, on ``connection`` (kept open) or on a connection of its own (closed)."""
    own = connection or http.client.HTTPConnection(HOST, port, timeout=WAIT)
    own.request("GET", path)
    response = own.getresponse()
    response.read()
    if connection is None:
        own.close()
    return response


def post_json(port: int, path: str, body: object) -> tuple[int, dict[str, Any], dict[str, str]]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    connection.request("POST", path, json.dumps(body), {"content-type": "application/json"})
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer, dict(response.getheaders())


def raw(port: int, data: bytes, timeout: float = WAIT) -> bytes:
    """Send ``data`` on a new connection and read until the server closes it."""
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        s.sendall(data)
        return _until_closed(s)


def _until_closed(s: socket.socket) -> bytes:
    received = b""
    while chunk := s.recv(65536):
        received += chunk
    return received


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def held(
    service: CodeService, monkeypatch: pytest.MonkeyPatch, method: str = "search"
) -> tuple[threading.Event, threading.Event]:
    """Make the service's searches (or another ``method``) wait, inside the work, until released: (entered,
    release)."""
    entered, release = threading.Event(), threading.Event()
    work = getattr(service, method)

    def waiting(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        assert release.wait(WAIT)
        return work(*args, **kwargs)

    monkeypatch.setattr(service, method, waiting)
    return entered, release


def in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    done: list[object] = []
    thread = threading.Thread(target=lambda: done.append(work()), daemon=True)
    thread.start()
    return thread, done


# ---------------------------------------------------------------------------------------------- 1. long work
HEAVY = {
    "a batch match": lambda port: post_json(port, "/api/v1/match", {"lines": ["asthma", "diabetes"]})[0],
    "a search for 1,000 hits": lambda port: get(port, "/api/v1/search?q=fracture&limit=1000").status,
    "a search page far down": lambda port: get(port, "/search?q=fracture&page=400").status,
}


@pytest.mark.parametrize("heavy", HEAVY)
def test_long_work_does_not_hold_up_other_requests(db: Path, monkeypatch: pytest.MonkeyPatch, heavy: str) -> None:
    app = live(db)
    entered, release = held(app.start().service, monkeypatch)
    with running(app, db) as port:
        thread, done = in_thread(lambda: HEAVY[heavy](port))
        assert entered.wait(WAIT)
        # The long request is inside its work, holding it: a cheap one is answered meanwhile.
        assert get(port, "/api/v1/systems").status == 200
        assert get(port, "/code/icd10cm/E11.9-type-2-diabetes-mellitus-without-complications").status == 200
        assert thread.is_alive() and not done
        release.set()
        thread.join(WAIT)
    assert done == [200]


def test_a_batch_stops_when_its_client_leaves(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = live(db)
    service = app.start().service
    searched: list[str] = []
    search = service.search

    def slow(text: str, *args: Any, **kwargs: Any) -> Any:
        searched.append(text)
        time.sleep(0.01)  # a thousand lines: ten seconds of work at least
        return search(text, *args, **kwargs)

    monkeypatch.setattr(service, "search", slow)
    body = json.dumps({"lines": [f"asthma {n}" for n in range(1000)]}).encode()
    head = f"POST /api/v1/match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    with running(app, db) as port:
        client = socket.create_connection((HOST, port), timeout=WAIT)
        client.sendall(head.encode() + b"\r\n\r\n" + body)
        deadline = time.monotonic() + WAIT
        while len(searched) < 5:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        client.close()
        # Wait until the work has stopped: no line more for a second (or it ran to the end, which fails).
        seen, since = len(searched), time.monotonic()
        while time.monotonic() - since < 1.0 and len(searched) < 1000:
            time.sleep(0.05)
            if len(searched) != seen:
                seen, since = len(searched), time.monotonic()
        assert len(searched) < 1000
        # The worker thread it held is free again.
        assert post_json(port, "/api/v1/match", {"lines": ["asthma"]})[0] == 200


def test_a_batch_over_its_time_budget_is_503(service: CodeService) -> None:
    with TestClient(create_app(service, WebOptions(work_seconds=0.0))) as client:
        response = client.post("/api/v1/match", json={"lines": ["asthma"]})
    assert (response.status_code, response.json()["error"]) == (
        503,
        "the request needs more than 0 s of work, the most one request may take. Split it into smaller batches",
    )


def test_long_work_beyond_the_queue_is_503_with_retry_after(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = live(db, WebOptions(work_threads=1, work_waiting=0))
    entered, release = held(app.start().service, monkeypatch)
    with running(app, db) as port:
        thread, done = in_thread(lambda: post_json(port, "/api/v1/match", {"lines": ["asthma"]})[0])
        assert entered.wait(WAIT)
        status, answer, headers = post_json(port, "/api/v1/match", {"lines": ["diabetes"]})
        release.set()
        thread.join(WAIT)
    assert (status, answer["status"], headers["retry-after"]) == (503, 503, "5")
    assert done == [200]


def test_a_batch_is_refused_before_its_body_is_read_when_the_lane_is_full(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = live(db, WebOptions(work_threads=1, work_waiting=0))
    entered, release = held(app.start().service, monkeypatch)
    with running(app, db) as port:
        thread, done = in_thread(lambda: post_json(port, "/api/v1/match", {"lines": ["asthma"]})[0])
        assert entered.wait(WAIT)
        # Headers that promise 100 KB of lines, and not one byte of them: the answer comes all the same.
        head = "POST /api/v1/match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000"
        with socket.create_connection((HOST, port), timeout=WAIT) as client:
            client.sendall(head.encode() + b"\r\n\r\n")
            answer = _whole_answer(client)
        release.set()
        thread.join(WAIT)
    status_line, _, rest = answer.partition("\r\n")
    assert status_line == "HTTP/1.1 503 Service Unavailable"
    assert "retry-after: 5" in rest.lower()
    assert json.loads(rest.split("\r\n\r\n", 1)[1])["error"].startswith("the server is busy with long requests")
    assert done == [200]


def test_batches_filling_their_lane_leave_long_searches_theirs(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = live(db, WebOptions(work_threads=1, work_waiting=0))
    entered, release = held(app.start().service, monkeypatch, "match")
    with running(app, db) as port:
        thread, done = in_thread(lambda: post_json(port, "/api/v1/match", {"lines": ["asthma"]})[0])
        assert entered.wait(WAIT)
        refused = post_json(port, "/api/v1/match", {"lines": ["diabetes"]})[0]  # the batch lane is full
        long_search = get(port, "/api/v1/search?q=fracture&limit=1000").status  # long work of its own lane
        release.set()
        thread.join(WAIT)
    assert (refused, long_search, done) == (503, 200, [200])


def _whole_answer(client: socket.socket) -> str:
    """One HTTP answer read off a socket: its head, then as many body bytes as its Content-Length says."""
    data = b""
    while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < _length(data):
        chunk = client.recv(65536)
        assert chunk, f"the server closed the connection after {data!r}"
        data += chunk
    return data.decode()


def _length(data: bytes) -> int:
    head = data.partition(b"\r\n\r\n")[0].lower()
    return next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.startswith(b"content-length:")), 0)


def test_answers_of_many_hits_are_not_kept_in_memory(service: CodeService) -> None:
    app = create_app(service)
    with TestClient(app) as client:
        client.get("/api/v1/search", params={"q": "fracture", "limit": 1000})
        client.get("/api/v1/search", params={"q": "fracture", "limit": 10})
    [route] = [r for r in app.routes if isinstance(r, APIRoute) and r.path == "/api/v1/search"]
    searches: Searches = route.endpoint.__self__.searches  # type: ignore[attr-defined]
    assert [key[2] for key in searches.results.entries] == [10]


def test_a_batch_of_too_many_words_is_422(service: CodeService) -> None:
    with TestClient(create_app(service)) as client:
        lines = [" ".join(["a"] * 100)] * (MAX_MATCH_WORDS // 100 + 1)
        response = client.post("/api/v1/match", json={"lines": lines})
    assert response.json() == {
        "ok": False,
        "error": "too many words: 20,100 in all, at most 20,000 per request. Split it into smaller batches",
        "status": 422,
    }


def test_a_query_of_too_many_words_is_422(service: CodeService) -> None:
    with TestClient(create_app(service)) as client:
        response = client.get("/api/v1/search", params={"q": "a " * 101, "limit": 1000})
    assert response.json() == {
        "ok": False,
        "error": "query has too many words: 101, at most 100. Search for the words that matter",
        "status": 422,
    }


# ---------------------------------------------------------------------------------------------- 2, 3. connections
def test_request_headers_over_the_cap_are_431_and_the_connection_closed(db: Path) -> None:
    with running(live(db), db, max_header_bytes=4096) as port:
        answer = raw(port, b"GET /api/v1/systems HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"a" * 5000 + b"\r\n\r\n")
        # The cap stops reading, whatever else the client would send: no answer of 200 follows.
        assert get(port, "/api/v1/systems").status == 200
    assert status_of(answer) == 431
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"] == "request headers too large: at most 4096 bytes"


def test_a_request_line_over_the_cap_is_414(db: Path) -> None:
    with running(live(db), db, max_header_bytes=4096) as port:
        answer = raw(port, b"GET /search?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_of(answer) == 414


def test_a_slow_request_head_is_408_and_closed(db: Path) -> None:
    with running(live(db), db, timeout_headers=0.3) as port:
        answer = raw(port, b"GET /api/v1/systems HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        silent = raw(port, b"")  # a connection that sends nothing
    assert (status_of(answer), status_of(silent)) == (408, 408)


def test_an_idle_keep_alive_connection_is_closed(db: Path) -> None:
    with running(live(db), db, timeout_keep_alive=0.3) as port, socket.create_connection((HOST, port), WAIT) as s:
        s.sendall(b"GET /api/v1/systems HTTP/1.1\r\nHost: x\r\n\r\n")
        received = _until_closed(s)  # returns only once the server closes the connection
    assert status_of(received) == 200


def test_connections_beyond_the_limit_are_503_at_once(db: Path) -> None:
    with running(live(db), db, limit_concurrency=2) as port:
        first = socket.create_connection((HOST, port), timeout=WAIT)
        second = socket.create_connection((HOST, port), timeout=WAIT)
        try:
            third = raw(port, b"")
        finally:
            first.close()
            second.close()
        assert get(port, "/api/v1/systems").status == 200  # room again once they are gone
    assert status_of(third) == 503


# ---------------------------------------------------------------------------------------------- 8. numbers, errors
@pytest.mark.parametrize("number", ["²", "①", "١٢", "1_0", " 2", "+2", "0x2"])
def test_a_page_number_that_is_no_ascii_number_is_400(service: CodeService, number: str) -> None:
    with TestClient(create_app(service)) as client:
        response = client.get("/search", params={"q": "fracture", "page": number})
    assert response.status_code == 400
    assert "page must be a number from 1 to 500" in read(response.text).text("main")


@pytest.mark.parametrize("number", ["²", "①", "١٢", "1_0"])
def test_an_api_number_that_is_no_ascii_number_is_400(service: CodeService, number: str) -> None:
    with TestClient(create_app(service)) as client:
        response = client.get("/api/v1/search", params={"q": "fracture", "limit": number})
    assert (response.status_code, response.json()["status"]) == (400, 400)


def test_a_server_error_keeps_the_connection_usable(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = live(db)
    service = app.start().service

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(service, "search", broken)
    with running(app, db) as port:
        connection = http.client.HTTPConnection(HOST, port, timeout=WAIT)
        failed = get(port, "/api/v1/search?q=asthma", connection)
        after = get(port, "/api/v1/systems", connection)  # the same keep-alive connection
        connection.close()
    assert (failed.status, failed.getheader("connection"), after.status) == (500, None, 200)


def test_a_damaged_database_is_503_in_words(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "damaged.db"
    copy.write_bytes(db.read_bytes())
    connection = sqlite3.connect(copy)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    (root,) = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'notes'").fetchone()
    connection.close()
    with copy.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * page_size)
    damaged = CodeService.at(copy)
    with TestClient(create_app(damaged)) as client:
        response = client.get("/api/v1/codes/icd10cm/E11.9")
    damaged.close()
    assert (response.status_code, response.json()["status"]) == (503, 503)
    assert "is damaged" in response.json()["error"]


# ---------------------------------------------------------------------------------------------- 11. API surface
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("POST", "/api/v1/search", {"GET"}), ("GET", "/api/v1/match", {"POST"}), ("DELETE", "/search", {"GET", "HEAD"})],
)
def test_a_method_not_allowed_says_which_are(service: CodeService, method: str, path: str, allow: set[str]) -> None:
    with TestClient(create_app(service)) as client:
        response = client.request(method, path)
    assert (response.status_code, set(response.headers["allow"].split(", "))) == (405, allow)


def test_openapi_documents_414_and_503_everywhere_and_the_shape_of_a_code(service: CodeService) -> None:
    with TestClient(create_app(service)) as client:
        document = client.get("/openapi.json").json()
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert all({"414", "503"} <= set(op["responses"]) for op in operations)
    parameters = document["paths"]["/api/v1/codes/{system}/{code}"]["get"]["parameters"]
    (code,) = [p for p in parameters if p["name"] == "code"]
    assert code["schema"]["pattern"] == r"^[A-Za-z0-9][A-Za-z0-9 .\-]{0,39}$"


@pytest.mark.parametrize("name", ["ICD10CM", "ICD-10-CM", "icd10cm"])
def test_the_api_and_the_pages_read_a_system_name_alike(service: CodeService, name: str) -> None:
    with TestClient(create_app(service)) as client:
        api = client.get("/api/v1/search", params={"q": "fracture", "system": name}).json()
        page = client.get("/search", params={"q": "fracture", "system": name})
        match = client.post("/api/v1/match", json={"lines": ["fracture"], "systems": [name]}).json()
        code = client.get(f"/api/v1/codes/{name}/E11.9")
    assert set(api["facets"]) == {"icd10cm"}
    assert page.status_code == 200
    assert {m["system"] for m in match["results"][0]["matches"]} == {"icd10cm"}
    assert code.json()["system"] == "icd10cm"


# ---------------------------------------------------------------------------------------------- 12. public URL
E119 = "/code/icd10cm/E11.9-type-2-diabetes-mellitus-without-complications"


def _canonical(client: TestClient, host: str) -> tuple[str | None, str]:
    page = read(client.get(E119, headers={"host": host}).text)
    [(_, data)] = [s for s in page.scripts if s[0].get("type") == "application/ld+json"]
    return page.link("canonical"), json.loads(data)["url"]


def test_canonical_links_take_the_configured_public_url(service: CodeService) -> None:
    with TestClient(create_app(service, WebOptions(public_url="https://codes.example.org/"))) as client:
        assert _canonical(client, "attacker.example") == ("https://codes.example.org" + E119,) * 2


def test_canonical_links_never_take_the_requests_host(service: CodeService) -> None:
    with TestClient(create_app(service)) as client:
        assert _canonical(client, "attacker.example") == (E119, E119)


# ---------------------------------------------------------------------------------------------- 4. counts
def test_systems_are_read_from_the_builds_counts_not_recounted(service: CodeService) -> None:
    statements: list[str] = []
    with TestClient(create_app(service)) as client:
        service.store.connection.set_trace_callback(statements.append)
        answers = [client.get("/api/v1/systems").json() for _ in range(3)]
        service.store.connection.set_trace_callback(None)
    assert [s for s in statements if "count(" in s.lower() or "FROM concepts" in s] == []
    assert answers[0] == answers[2]
    assert [s["billable"] for s in answers[0]["systems"] if s["system"] == "icd10cm"] == [13]
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", answers[0]["database"]["release"])


# ---------------------------------------------------------------------------------------------- release swap
def _release_of(db: Path) -> str:
    store = SQLiteStore.open(db)
    stamp = store.stamp()
    store.close()
    assert stamp is not None
    return stamp.release


def _rebuild(db: Path, folder: Path) -> str:
    """`medcodes build` over the served file, as an operator would run it: a new file renamed in."""
    build_database(db, folder)
    return _release_of(db)


@pytest.fixture
def served(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "site"
    folder.mkdir()
    db = web_db(folder)
    return db, folder / "release"


def test_a_rebuilt_database_goes_live_without_a_failed_request(served: tuple[Path, Path]) -> None:
    db, release_folder = served
    old = _release_of(db)
    app = live(db, check_every=0.05)
    answers: list[tuple[int, str | None]] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def client(port: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=WAIT)
        paths = ["/api/v1/search?q=fracture", "/api/v1/systems", E119, "/search?q=diabetes"]
        n = 0
        while not stop.is_set():
            try:
                response = get(port, paths[n % len(paths)], connection)
            except (OSError, http.client.HTTPException) as exc:
                failures.append(exc)
                break
            answers.append((response.status, response.getheader("x-medcodes-release")))
            n += 1
        connection.close()

    with running(app, db) as port:
        clients = [threading.Thread(target=client, args=(port,), daemon=True) for _ in range(4)]
        for thread in clients:
            thread.start()
        new = _rebuild(db, release_folder)
        deadline = time.monotonic() + WAIT
        while sum(r == new for _, r in answers) < 50:
            assert time.monotonic() < deadline, "the server did not move to the new release"
            time.sleep(0.02)
        stop.set()
        for thread in clients:
            thread.join(WAIT)
    assert failures == []
    assert {status for status, _ in answers} == {200}
    assert {release for _, release in answers} == {old, new}


def test_requests_in_flight_finish_on_the_release_they_began_on(
    served: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, release_folder = served
    app = live(db, check_every=0.05)
    before = app.start()
    entered, release = held(before.service, monkeypatch)
    with running(app, db) as port:
        thread, done = in_thread(lambda: post_json(port, "/api/v1/match", {"lines": ["asthma"]}))
        assert entered.wait(WAIT)
        new = _rebuild(db, release_folder)
        deadline = time.monotonic() + WAIT
        while get(port, "/api/v1/systems").getheader("x-medcodes-release") != new:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        release.set()
        thread.join(WAIT)
    [answer] = done
    assert isinstance(answer, tuple)
    assert (answer[0], answer[2]["x-medcodes-release"]) == (200, before.release)
    with pytest.raises(sqlite3.ProgrammingError):  # the old release was closed once its last request ended
        before.service.store.connection.execute("SELECT 1")


def test_a_damaged_new_file_is_not_served_and_the_old_release_goes_on(served: tuple[Path, Path]) -> None:
    db, _ = served
    old = _release_of(db)
    app = live(db, check_every=0.05)
    with running(app, db) as port:
        garbage = db.with_name("garbage.db")
        garbage.write_bytes(b"not a database at all" * 100)
        garbage.replace(db)
        deadline = time.monotonic() + WAIT
        while app.refused is None:
            assert time.monotonic() < deadline
            get(port, "/api/v1/systems")
            time.sleep(0.02)
        response = get(port, "/api/v1/systems")
    assert (response.status, response.getheader("x-medcodes-release")) == (200, old)


def test_a_code_answer_and_a_search_page_are_made_once_and_kept(tmp_path: Path) -> None:
    """The same code asked twice is read from the database once; the same search page is rendered once."""
    service = CodeService.at(web_db(tmp_path))
    read: list[str] = []
    detail = service.detail

    def counted(concept: Concept) -> ConceptDetail:
        read.append(concept.code)
        return detail(concept)

    service.detail = counted  # type: ignore[method-assign]
    with TestClient(create_app(service)) as client:
        first = client.get("/api/v1/codes/icd10cm/E11.9")
        again = client.get("/api/v1/codes/icd10cm/E11.9")
        assert first.status_code == again.status_code == 200
        assert first.content == again.content and first.headers["content-type"] == "application/json"
        assert read == ["E11.9"]
        page = client.get("/search?q=diabetes")
        assert page.status_code == 200 and client.get("/search?q=diabetes").text == page.text
        assert client.get("/search?q=diabetes&page=2").text != page.text


def test_workers_start_with_two_malloc_arenas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes inherit MALLOC_ARENA_MAX=2 (an operator's own value is kept)."""
    started: list[str | None] = []

    class Supervisor:
        def __init__(self, config: object, sockets: object) -> None:
            pass

        def run(self) -> None:
            started.append(os.environ.get("MALLOC_ARENA_MAX"))

    class Configured:
        workers = 2

        def bind_socket(self) -> None:
            return None

    monkeypatch.setattr(server, "Multiprocess", Supervisor)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    server.run(Configured())  # type: ignore[arg-type]
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    server.run(Configured())  # type: ignore[arg-type]
    assert started == ["2", "4"]
