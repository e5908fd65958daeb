"""The chat-completions client: against a real HTTP server on loopback, and httpx.MockTransport unit tests."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import time
from collections.abc import Callable

import httpx
import pytest

from medcodes.errors import LLMError, LLMRefused
from medcodes.explain.llm import ChatClient, Completion, LLMConfig, Message, OutputMode, Usage
from medcodes.explain.rate import Rate, TokenBucket
from medcodes.explain.schema import json_schema
from medcodes.models import ExplainerKind

from .test_explain_support import MODEL, LoopbackServer, Reply, ask, client_for, server

__all__ = ["server"]  # the pytest fixture, imported for the tests below

SCHEMA = json_schema(ExplainerKind.SUPPLY)


# ---------------------------------------------------------------------------------------------- loopback
def test_a_good_answer_gives_its_content_model_and_usage(server: LoopbackServer) -> None:
    server.script(Reply(content='{"name": "x"}', prompt_tokens=120, completion_tokens=30))
    completion = ask(client_for(server))[0]
    assert (completion.content, completion.model, completion.usage) == ('{"name": "x"}', MODEL, Usage(120, 30))


def test_the_request_asks_for_the_json_schema(server: LoopbackServer) -> None:
    server.script(Reply(content="{}"))

    async def go() -> None:
        async with client_for(server) as client:
            await client.complete([Message("user", "facts")], "supply_explainer", SCHEMA)

    asyncio.run(go())
    body = server.received[0].body
    assert (body["model"], body["messages"]) == (MODEL, [{"role": "user", "content": "facts"}])
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "supply_explainer", "strict": True, "schema": SCHEMA},
    }
    assert "stream" not in body


def test_the_key_is_sent_as_a_bearer_token_and_as_azures_api_key(server: LoopbackServer) -> None:
    server.script(Reply(content="{}"))
    ask(client_for(server))
    headers = server.received[0].headers
    assert (headers["Authorization"], headers["api-key"]) == ("Bearer test-key", "test-key")


def test_429_with_retry_after_is_waited_out_then_retried(server: LoopbackServer) -> None:
    server.script(Reply(status=429, headers={"Retry-After": "0.2"}), Reply(content="{}"))
    client = client_for(server)
    assert ask(client)[0].content == "{}"
    first, second = server.received
    assert (client.requests, second.at - first.at >= 0.2) == (2, True)


def test_retry_after_holds_the_clients_other_requests(server: LoopbackServer) -> None:
    server.script(Reply(status=429, headers={"Retry-After": "0.3"}), Reply(content="{}"))

    async def go() -> None:
        async with client_for(server) as client:

            async def later() -> None:
                await asyncio.sleep(0.1)  # starts while the first request is held
                await client.complete([], "x", {})

            await asyncio.gather(client.complete([], "x", {}), later())

    asyncio.run(go())
    first, *others = (r.at for r in server.received)
    assert len(others) == 2
    assert min(others) - first >= 0.29


def test_5xx_answers_are_retried(server: LoopbackServer) -> None:
    server.script(Reply(status=503), Reply(status=500), Reply(content="{}"))
    client = client_for(server)
    ask(client)
    assert client.requests == 3


def test_retries_end_with_an_error_naming_the_last_status(server: LoopbackServer) -> None:
    server.script(Reply(status=429))
    with pytest.raises(LLMError, match=r"HTTP 429 \(after 3 tries\)"):
        ask(client_for(server, max_retries=2))


def test_a_slow_server_times_out_after_retries(server: LoopbackServer) -> None:
    server.script(Reply(content="{}", delay=0.5))
    with pytest.raises(LLMError, match=r"no answer within 0.1 s \(after 2 tries\)") as raised:
        ask(client_for(server, timeout_s=0.1, max_retries=1))
    assert raised.value.cause == "timeout"


def test_a_timeout_then_an_answer_succeeds(server: LoopbackServer) -> None:
    server.script(Reply(content="{}", delay=0.5), Reply(content='{"ok": true}'))
    assert ask(client_for(server, timeout_s=0.1))[0].content == '{"ok": true}'


def test_a_bad_key_is_refused_at_once_with_a_hint(server: LoopbackServer) -> None:
    server.script(Reply(status=401, raw='{"error": {"message": "Incorrect API key provided: test-key"}}'))
    client = client_for(server)
    with pytest.raises(LLMRefused) as raised:
        ask(client)
    assert (client.requests, raised.value.http_status) == (1, 401)
    assert str(raised.value).endswith("HTTP 401: Incorrect API key provided: [key]")
    assert raised.value.hint is not None and "API key" in raised.value.hint


def test_an_unknown_model_is_refused_with_a_hint(server: LoopbackServer) -> None:
    server.script(Reply(status=404, raw='{"error": {"message": "model \\"nope\\" not found"}}'))
    with pytest.raises(LLMRefused, match=r'HTTP 404: model "nope" not found') as raised:
        ask(client_for(server))
    assert raised.value.hint is not None and "--base-url" in raised.value.hint


def test_another_client_error_fails_that_request_only(server: LoopbackServer) -> None:
    server.script(Reply(status=400, raw='{"error": {"message": "prompt is longer than the context"}}'))
    client = client_for(server)
    with pytest.raises(LLMError, match="HTTP 400: prompt is longer than the context") as raised:
        ask(client)
    assert (type(raised.value), client.requests) == (LLMError, 1)


def test_a_refused_json_schema_falls_back_to_json_object(server: LoopbackServer) -> None:
    refused = Reply(status=400, raw='{"error": {"message": "response_format json_schema is not supported"}}')
    server.script(refused, Reply(content="{}"))
    client = client_for(server)
    ask(client)
    assert server.received[1].body["response_format"] == {"type": "json_object"}
    assert client.mode is OutputMode.JSON_OBJECT


def test_a_server_without_json_mode_gets_plain_requests(server: LoopbackServer) -> None:
    refused = Reply(status=400, raw='{"error": {"message": "unknown field response_format"}}')
    server.script(refused, refused, Reply(content="{}"))
    client = client_for(server)
    ask(client)
    assert "response_format" not in server.received[2].body
    assert client.mode is OutputMode.PLAIN


def test_the_fallback_is_remembered(server: LoopbackServer) -> None:
    refused = Reply(status=400, raw='{"error": {"message": "response_format not supported"}}')
    server.script(refused, Reply(content="{}"))
    ask(client_for(server), times=2)
    assert len(server.received) == 3


def test_a_body_that_is_not_json_is_an_error(server: LoopbackServer) -> None:
    server.script(Reply(raw="<html>proxy error</html>"))
    with pytest.raises(LLMError, match="not JSON"):
        ask(client_for(server))


def test_an_answer_without_choices_is_an_error(server: LoopbackServer) -> None:
    server.script(Reply(raw=json.dumps({"choices": []})))
    with pytest.raises(LLMError, match="no choices"):
        ask(client_for(server))


def test_usage_adds_up_across_answers(server: LoopbackServer) -> None:
    server.script(Reply(content="{}", prompt_tokens=10, completion_tokens=5))
    client = client_for(server)
    ask(client, times=2)
    assert client.usage == Usage(20, 10)


def test_a_streamed_answer_is_put_together_with_its_usage(server: LoopbackServer) -> None:
    server.script(Reply(content='{"name": "Nebulizer"}', stream=True, chunks=5, prompt_tokens=7, completion_tokens=3))
    completion = ask(client_for(server, stream=True))[0]
    assert (completion.content, completion.usage, completion.finish_reason) == (
        '{"name": "Nebulizer"}',
        Usage(7, 3),
        "stop",
    )
    body = server.received[0].body
    assert (body["stream"], body["stream_options"]) == (True, {"include_usage": True})


def test_a_stalled_stream_times_out(server: LoopbackServer) -> None:
    server.script(Reply(content='{"name": "Nebulizer"}', stream=True, chunk_delay=0.5))
    with pytest.raises(LLMError, match=r"no answer within 0.1 s \(after 1 tries\)"):
        ask(client_for(server, stream=True, timeout_s=0.1, max_retries=0))


def test_a_stream_cut_short_is_retried(server: LoopbackServer) -> None:
    server.script(Reply(content='{"name": "Nebulizer"}', stream=True, cut=True), Reply(content="{}", stream=True))
    client = client_for(server, stream=True)
    assert (ask(client)[0].content, client.requests) == ("{}", 2)


def test_a_rate_limit_spaces_the_requests(server: LoopbackServer) -> None:
    server.script(Reply(content="{}"))
    began = time.monotonic()

    async def go() -> None:
        async with client_for(server, rate=Rate(20)) as client:
            await asyncio.gather(*(client.complete([], "x", {}) for _ in range(5)))

    asyncio.run(go())
    # One token, no burst: the fifth of five requests at 20/s starts 4 intervals of 50 ms after the first.
    assert (len(server.received), max(r.at for r in server.received) - began >= 0.2) == (5, True)


def test_a_rate_limit_holds_for_requests_in_flight_together() -> None:
    clock = Clock()
    sent: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(clock.now)
        return httpx.Response(200, json=_whole())

    async def go() -> None:
        async with mocked(handler, clock, rate=Rate.parse("120/min")) as client:
            await asyncio.gather(*(client.complete([], "x", {}) for _ in range(4)))

    asyncio.run(go())
    assert sent == [0.0, 0.5, 1.0, 1.5]


def test_the_endpoint_name_leaves_out_credentials() -> None:
    config = LLMConfig("https://user:secret@llm.example.org:8443/v1/?key=abc", "m", "sk-123")
    assert config.endpoint == "llm.example.org:8443/v1"


def test_the_key_is_never_printed() -> None:
    assert "sk-123" not in repr(LLMConfig("http://localhost:11434/v1", "llama3.1", "sk-123"))


# ---------------------------------------------------------------------------------------------- MockTransport
class Clock:
    """A clock that only moves when the client sleeps, so that waits are exact and take no time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def mocked(
    handler: Callable[[httpx.Request], httpx.Response], clock: Clock | None = None, **config: object
) -> ChatClient:
    clock = clock or Clock()
    settings: dict[str, object] = {"backoff_s": 1.0, **config}
    return ChatClient(
        LLMConfig("http://llm.test/v1", "m", "sk-123", **settings),  # type: ignore[arg-type]
        transport=httpx.MockTransport(handler),
        sleep=clock.sleep,
        clock=clock,
        jitter=lambda: 0.0,
    )


def run(client: ChatClient) -> Completion:
    async def go() -> Completion:
        async with client:
            return await client.complete([Message("user", "facts")], "x", {})

    return asyncio.run(go())


def sse(*events: str) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, text="".join(events))


def chunk(content: str | None = None, finish: str | None = None, **extra: object) -> str:
    choices = (
        []
        if content is None and finish is None
        else [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]
    )
    return f"data: {json.dumps({'model': 'm-2026', 'choices': choices, **extra})}\n\n"


def test_sse_comments_fields_and_multi_line_data_are_read_as_events() -> None:
    split = 'data: {"model": "m-2026",\ndata: "choices": [{"index": 0, "delta": {"content": "b"}}]}\n\n'
    body = ": keep-alive\n\n" + "event: message\n" + chunk("a") + split + chunk("c", "stop") + "data: [DONE]\n\n"
    completion = run(mocked(lambda request: sse(body), stream=True))
    assert (completion.content, completion.model, completion.finish_reason) == ("abc", "m-2026", "stop")


def test_a_usage_chunk_at_the_end_of_a_stream_is_counted() -> None:
    body = chunk("{}", "stop") + chunk(usage={"prompt_tokens": 11, "completion_tokens": 2}) + "data: [DONE]\n\n"
    assert run(mocked(lambda request: sse(body), stream=True)).usage == Usage(11, 2)


def test_an_error_in_a_stream_is_an_error() -> None:
    body = chunk("{") + 'data: {"error": {"message": "out of memory"}}\n\n'
    with pytest.raises(LLMError, match="error in the stream: out of memory"):
        run(mocked(lambda request: sse(body), stream=True))


def test_a_malformed_stream_chunk_is_an_error() -> None:
    with pytest.raises(LLMError, match="a streamed chunk is not JSON"):
        run(mocked(lambda request: sse("data: {not json\n\n"), stream=True))


def test_a_server_that_ignores_stream_answers_whole() -> None:
    whole = {"model": "m", "choices": [{"message": {"content": "{}"}, "finish_reason": "stop"}]}
    assert run(mocked(lambda request: httpx.Response(200, json=whole), stream=True)).content == "{}"


def test_a_server_that_refuses_stream_options_is_asked_without_them() -> None:
    bodies: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        if "stream_options" in bodies[-1]:
            return httpx.Response(400, json={"error": {"message": "unknown field stream_options"}})
        return sse(chunk("{}", "stop") + "data: [DONE]\n\n")

    assert run(mocked(handler, stream=True)).content == "{}"
    assert ["stream_options" in b for b in bodies] == [True, False]


def test_backoff_doubles_between_retries() -> None:
    clock = Clock()
    with pytest.raises(LLMError, match=r"HTTP 503 \(after 4 tries\)"):
        run(mocked(lambda request: httpx.Response(503), clock, max_retries=3))
    assert clock.slept == [1.0, 2.0, 4.0]


def test_retry_after_as_an_http_date_is_honoured() -> None:
    clock = Clock()
    later = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30), usegmt=True)
    answers = iter([httpx.Response(429, headers={"Retry-After": later}), httpx.Response(200, json=_whole())])
    run(mocked(lambda request: next(answers), clock))
    assert len(clock.slept) == 1 and 27 <= clock.slept[0] <= 30


def test_a_connection_failure_is_retried_then_named() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(LLMError, match=r"cannot connect: connection refused \(after 2 tries\)") as raised:
        run(mocked(handler, max_retries=1))
    assert raised.value.cause == "cannot connect"


def test_a_refusal_without_content_is_an_error() -> None:
    refused = {"choices": [{"message": {"content": None, "refusal": "I can't help with that."}}]}
    with pytest.raises(LLMError, match="the model refused: I can't help with that"):
        run(mocked(lambda request: httpx.Response(200, json=refused)))


def test_a_client_outside_async_with_says_so() -> None:
    client = mocked(lambda request: httpx.Response(200, json=_whole()))
    with pytest.raises(RuntimeError, match="async with"):
        asyncio.run(client.complete([], "x", {}))


def _whole() -> dict[str, object]:
    return {"model": "m", "choices": [{"message": {"content": "{}"}, "finish_reason": "stop"}]}


# ---------------------------------------------------------------------------------------------- rates
@pytest.mark.parametrize(
    ("text", "per_second"),
    [("2", 2.0), ("2/s", 2.0), ("120/min", 2.0), ("30 / m", 0.5), ("3600/h", 1.0), ("0.5/sec", 0.5)],
)
def test_rates_are_read_per_second_minute_or_hour(text: str, per_second: float) -> None:
    assert Rate.parse(text).per_second == per_second


@pytest.mark.parametrize("text", ["", "fast", "0/s", "2/day", "-1"])
def test_a_malformed_rate_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        Rate.parse(text)


def test_the_token_bucket_lets_one_request_start_per_interval() -> None:
    clock = Clock()

    async def go() -> None:
        bucket = TokenBucket(Rate(2), clock, clock.sleep)
        for _ in range(4):
            await bucket.acquire()

    asyncio.run(go())
    assert (clock.now, clock.slept) == (1.5, [0.5, 0.5, 0.5])
