"""Shared set-up for the explainer tests: a real chat-completions server on loopback, and a small database.

The server is ``http.server`` in a thread that implements ``POST /v1/chat/completions`` the way an
OpenAI-compatible server does; each test scripts its replies (good answers, malformed JSON, 429s, slow
answers) and reads back the requests it received. Nothing in the client is mocked.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from medcodes.explain.llm import ChatClient, LLMConfig
from medcodes.explain.prompt import examples
from medcodes.models import ExplainerKind
from medcodes.service import build_database

from .helpers import FIXTURES

MODEL = "loopback-model-1"


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted answer: a chat completion with ``content``, or an error status, or a raw body."""

    content: str | None = None
    status: int = 200
    raw: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    prompt_tokens: int = 100
    completion_tokens: int = 50


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, object]


class LoopbackServer:
    """A chat-completions server on 127.0.0.1 answering from a script; the last reply repeats."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.received: list[Received] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                with server._lock:
                    server.received.append(Received(self.path, dict(self.headers.items()), body))
                    reply = server.replies.pop(0) if len(server.replies) > 1 else server.replies[0]
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    if reply.delay:
                        time.sleep(reply.delay)
                    self._answer(reply)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _answer(self, reply: Reply) -> None:
                if self.path != "/v1/chat/completions":
                    self._send(404, json.dumps({"error": {"message": "no such route"}}), {})
                    return
                if reply.raw is not None or reply.status != 200:
                    self._send(reply.status, reply.raw or json.dumps({"error": {"message": "busy"}}), reply.headers)
                    return
                answer = {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": MODEL,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": reply.prompt_tokens,
                        "completion_tokens": reply.completion_tokens,
                        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                    },
                }
                self._send(200, json.dumps(answer), reply.headers)

            def _send(self, status: int, text: str, headers: Mapping[str, str]) -> None:
                data = text.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout tests)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for one poll, and every test stops its server.
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies = list(replies)
            self.received = []

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def client_for(
    server: LoopbackServer, *, timeout_s: float = 5.0, max_retries: int = 3, max_concurrency: int = 4
) -> ChatClient:
    """A client of the loopback server with short backoffs, so that retry tests run in milliseconds."""
    return ChatClient(
        LLMConfig(
            server.base_url,
            MODEL,
            "test-key",
            timeout_s=timeout_s,
            max_retries=max_retries,
            backoff_s=0.01,
            max_concurrency=max_concurrency,
        )
    )


def explain_release(folder: Path) -> Path:
    """A release folder holding the ICD-10-CM, ICD-10-PCS, HCPCS, ICD-9-CM, GEM and MS-DRG fixtures."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = {
        "icd10cm/tabular_sample.xml": "icd10cm_tabular_2026.xml",
        "icd10cm/order_sample.txt": "icd10cm_order_2026.txt",
        "icd10pcs/tables_sample.xml": "icd10pcs_tables_2026.xml",
        "icd10pcs/order_sample.txt": "icd10pcs_order_2026.txt",
        "icd10pcs/definitions_sample.xml": "icd10pcs_definitions_2026.xml",
        "hcpcs/anweb_sample.txt": "HCPC2026_JAN_ANWEB.txt",
        "msdrg/appendix_A_sample.txt": "appendix_A_v40.txt",
        "gems/2018_I9gem.txt": "2018_I9gem.txt",
        "gems/2018_I10gem.txt": "2018_I10gem.txt",
    }
    for source, name in copies.items():
        shutil.copy(FIXTURES / source, folder / name)
    for part in ("LONG_DX", "SHORT_DX", "LONG_SG", "SHORT_SG"):
        shutil.copy(FIXTURES / "icd9cm" / f"CMS32_DESC_{part}.txt", folder / f"CMS32_DESC_{part}.txt")
    return folder


def explain_db(folder: Path) -> Path:
    db = folder / "medcodes.db"
    build_database(db, explain_release(folder / "release"))
    return db


def answer(kind: ExplainerKind, **changes: object) -> str:
    """The shipped example answer of ``kind`` as the model would send it, with some sections changed."""
    sections = json.loads(examples()[kind].answer)
    sections.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del sections[key]
    return json.dumps(sections)


# The E11.9 example's coding notes name codes of the full release; the fixture database holds fewer.
FIXTURE_DIAGNOSIS_NOTES = [
    "An additional code shows when insulin is used (Z79.4).",
    "Not coded together with type 1 diabetes (E10.-) or with type 2 diabetes without complications in"
    " remission (E11.A).",
]


def test_loopback_server_answers_the_chat_completions_route(server: LoopbackServer) -> None:
    server.script(Reply(content='{"a": 1}'))
    completion = client_for(server).complete([], "x", {"type": "object"})
    assert completion.content == '{"a": 1}'
    assert server.received[0].path == "/v1/chat/completions"
