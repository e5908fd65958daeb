"""The chat-completions client against a real HTTP server on loopback (tests/test_explain_support.py)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from medcodes.explain.llm import LLMConfig, LLMError, Message, OutputMode, Usage
from medcodes.explain.schema import json_schema
from medcodes.models import ExplainerKind

from .test_explain_support import MODEL, LoopbackServer, Reply, client_for, server

__all__ = ["server"]  # the pytest fixture, imported for the tests below

ASK = [Message("system", "rules"), Message("user", "facts")]
SCHEMA = json_schema(ExplainerKind.SUPPLY)


def test_a_good_answer_gives_its_content_model_and_usage(server: LoopbackServer) -> None:
    server.script(Reply(content='{"name": "x"}', prompt_tokens=120, completion_tokens=30))
    completion = client_for(server).complete(ASK, "supply_explainer", SCHEMA)
    assert (completion.content, completion.model, completion.usage) == ('{"name": "x"}', MODEL, Usage(120, 30))


def test_the_request_asks_for_the_json_schema(server: LoopbackServer) -> None:
    server.script(Reply(content="{}"))
    client_for(server).complete(ASK, "supply_explainer", SCHEMA)
    body = server.received[0].body
    assert body["model"] == MODEL
    assert body["messages"] == [{"role": "system", "content": "rules"}, {"role": "user", "content": "facts"}]
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "supply_explainer", "strict": True, "schema": SCHEMA},
    }


def test_the_key_is_sent_as_a_bearer_token(server: LoopbackServer) -> None:
    server.script(Reply(content="{}"))
    client_for(server).complete(ASK, "x", SCHEMA)
    assert server.received[0].headers["Authorization"] == "Bearer test-key"


def test_429_then_success_is_retried(server: LoopbackServer) -> None:
    server.script(Reply(status=429, headers={"Retry-After": "0"}), Reply(content="{}"))
    client = client_for(server)
    assert client.complete(ASK, "x", SCHEMA).content == "{}"
    assert client.requests == 2


def test_5xx_answers_are_retried(server: LoopbackServer) -> None:
    server.script(Reply(status=503), Reply(status=500), Reply(content="{}"))
    client = client_for(server)
    client.complete(ASK, "x", SCHEMA)
    assert client.requests == 3


def test_retries_end_with_an_error_naming_the_last_status(server: LoopbackServer) -> None:
    server.script(Reply(status=429))
    with pytest.raises(LLMError, match=r"HTTP 429 \(after 3 tries\)"):
        client_for(server, max_retries=2).complete(ASK, "x", SCHEMA)


def test_a_slow_server_times_out_after_retries(server: LoopbackServer) -> None:
    server.script(Reply(content="{}", delay=0.5))
    with pytest.raises(LLMError, match=r"no answer within 0.1 s \(after 2 tries\)"):
        client_for(server, timeout_s=0.1, max_retries=1).complete(ASK, "x", SCHEMA)


def test_a_timeout_then_an_answer_succeeds(server: LoopbackServer) -> None:
    server.script(Reply(content="{}", delay=0.5), Reply(content='{"ok": true}'))
    completion = client_for(server, timeout_s=0.1).complete(ASK, "x", SCHEMA)
    assert completion.content == '{"ok": true}'


def test_a_client_error_is_not_retried(server: LoopbackServer) -> None:
    server.script(Reply(status=401, raw='{"error": {"message": "bad key"}}'))
    client = client_for(server)
    with pytest.raises(LLMError, match="HTTP 401"):
        client.complete(ASK, "x", SCHEMA)
    assert client.requests == 1


def test_a_refused_json_schema_falls_back_to_json_object(server: LoopbackServer) -> None:
    refused = Reply(status=400, raw='{"error": {"message": "response_format json_schema is not supported"}}')
    server.script(refused, Reply(content="{}"))
    client = client_for(server)
    client.complete(ASK, "x", SCHEMA)
    assert server.received[1].body["response_format"] == {"type": "json_object"}
    assert client.mode is OutputMode.JSON_OBJECT


def test_a_server_without_json_mode_gets_plain_requests(server: LoopbackServer) -> None:
    refused = Reply(status=400, raw='{"error": {"message": "unknown field response_format"}}')
    server.script(refused, refused, Reply(content="{}"))
    client = client_for(server)
    client.complete(ASK, "x", SCHEMA)
    assert "response_format" not in server.received[2].body
    assert client.mode is OutputMode.PLAIN


def test_the_fallback_is_remembered(server: LoopbackServer) -> None:
    refused = Reply(status=400, raw='{"error": {"message": "response_format not supported"}}')
    server.script(refused, Reply(content="{}"))
    client = client_for(server)
    client.complete(ASK, "x", SCHEMA)
    client.complete(ASK, "x", SCHEMA)
    assert len(server.received) == 3


def test_a_body_that_is_not_json_is_an_error(server: LoopbackServer) -> None:
    server.script(Reply(raw="<html>proxy error</html>"))
    with pytest.raises(LLMError, match="not JSON"):
        client_for(server).complete(ASK, "x", SCHEMA)


def test_an_answer_without_choices_is_an_error(server: LoopbackServer) -> None:
    server.script(Reply(raw=json.dumps({"choices": []})))
    with pytest.raises(LLMError, match="no choices"):
        client_for(server).complete(ASK, "x", SCHEMA)


def test_usage_adds_up_across_answers(server: LoopbackServer) -> None:
    server.script(Reply(content="{}", prompt_tokens=10, completion_tokens=5))
    client = client_for(server)
    client.complete(ASK, "x", SCHEMA)
    client.complete(ASK, "x", SCHEMA)
    assert client.usage == Usage(20, 10)


def test_no_more_requests_are_in_flight_than_the_limit(server: LoopbackServer) -> None:
    server.script(Reply(content="{}", delay=0.1))
    client = client_for(server, max_concurrency=2)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda _: client.complete(ASK, "x", SCHEMA), range(6)))
    assert server.max_in_flight == 2


def test_the_endpoint_name_leaves_out_credentials() -> None:
    config = LLMConfig("https://user:secret@llm.example.org:8443/v1/?key=abc", "m", "sk-123")
    assert config.endpoint == "llm.example.org:8443/v1"


def test_the_key_is_never_printed() -> None:
    assert "sk-123" not in repr(LLMConfig("http://localhost:11434/v1", "llama3.1", "sk-123"))
