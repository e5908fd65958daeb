"""Shared set-up for the explainer tests: a real chat-completions server on loopback, and a small database.

The server (tests/llm_server.py) answers ``POST /v1/chat/completions`` as an OpenAI-compatible server does;
each test scripts its replies and reads back the requests it received. Nothing in the client is mocked here
(tests/test_explain_llm.py also has httpx.MockTransport unit tests).
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from medcodes.explain.llm import ChatClient, Completion, LLMConfig, Message
from medcodes.explain.prompt import examples
from medcodes.explain.rate import Rate
from medcodes.models import ExplainerKind
from medcodes.service import build_database

from .helpers import FIXTURES
from .llm_server import MODEL, LoopbackServer, Reply

__all__ = ["MODEL", "LoopbackServer", "Reply"]


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def client_for(
    server: LoopbackServer,
    *,
    timeout_s: float = 5.0,
    max_retries: int = 3,
    stream: bool = False,
    rate: Rate | None = None,
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
            stream=stream,
            rate=rate,
        )
    )


def ask(
    client: ChatClient,
    messages: Sequence[Message] = (Message("system", "rules"), Message("user", "facts")),
    times: int = 1,
) -> list[Completion]:
    """``times`` completions from ``client`` asked one after the other, in one event loop."""

    async def go() -> list[Completion]:
        async with client:
            return [await client.complete(messages, "x", {"type": "object"}) for _ in range(times)]

    return asyncio.run(go())


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
    assert ask(client_for(server))[0].content == '{"a": 1}'
    assert server.received[0].path == "/v1/chat/completions"
