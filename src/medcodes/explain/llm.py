"""A client for any OpenAI-compatible chat-completions server (OpenAI, Azure, vLLM, Ollama, llama.cpp), on httpx.

One route: ``POST {base_url}/chat/completions``, answered whole (JSON) or streamed (server-sent events:
``data: {chunk}`` lines ending with ``data: [DONE]``). Structured output is asked for with
``response_format: {"type": "json_schema", ...}``; a server that refuses it (HTTP 400 naming
``response_format``) is asked again with ``{"type": "json_object"}``, then with nothing, and the client
remembers what the server accepts. Whatever comes back is parsed strictly later (``validate.parse_answer``).

Failures, by what they say about the next request:

- 408, 409, 425, 429 and 5xx answers, timeouts, dropped connections and streams cut short are retried with
  exponential backoff; a ``Retry-After`` header (seconds or an HTTP date) is honoured and holds every
  request of the client, not only the one that got it;
- 401, 403 and 404 (a bad key, an unknown model, a wrong base URL) raise ``LLMRefused``: every other
  request would get the same answer, so a batch stops at once;
- other 4xx (a prompt too long for the model's context, ...) raise ``LLMError`` for that request only.

The API key is sent in headers only; it is never part of an error, a log line or provenance (error bodies
that echo it are redacted). One ``ChatClient`` serves one event loop: ``async with client:`` opens its
connection pool and closes it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import random
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType

import httpx

from medcodes.errors import LLMError, LLMRefused
from medcodes.explain.rate import Rate, TokenBucket

_RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
# The server refuses every request alike: a bad or missing key, a forbidden model, an unknown model or route.
_MAX_RETRY_AFTER_S = 120.0
_ERROR_CHARS = 300


class OutputMode(StrEnum):
    """How the server is asked for JSON, strongest first."""

    JSON_SCHEMA = "json_schema"
    JSON_OBJECT = "json_object"
    PLAIN = "plain"


@dataclass(frozen=True, slots=True)
class LLMConfig:
    base_url: str  # e.g. https://api.openai.com/v1, http://localhost:11434/v1
    model: str
    api_key: str | None = None
    timeout_s: float = 120.0  # for a streamed answer: the longest pause between two chunks
    max_retries: int = 4
    backoff_s: float = 1.0  # first wait; doubles on each retry
    temperature: float = 0.2
    max_tokens: int = 4000
    stream: bool = False
    rate: Rate | None = None  # requests per second, retries included

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    @property
    def endpoint(self) -> str:
        """The server's name for provenance: host and path, never a key or a query string."""
        url = urllib.parse.urlsplit(self.base_url)
        host = url.hostname or ""
        port = f":{url.port}" if url.port else ""
        return f"{host}{port}{url.path}".rstrip("/")  # userinfo (user:password@) left out

    def __repr__(self) -> str:  # the key is never printed
        return f"LLMConfig(base_url={self.base_url!r}, model={self.model!r})"


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # "system", "user", "assistant"
    content: str


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens)


@dataclass(frozen=True, slots=True)
class Completion:
    content: str
    model: str  # the model the server says answered
    usage: Usage  # zero where the server does not report it
    finish_reason: str | None  # "stop", "length" (cut off at max_tokens), ...
    mode: OutputMode


class _FormatRefused(Exception):
    """The server does not take the response_format it was sent."""


class _StreamOptionsRefused(Exception):
    """The server does not take ``stream_options`` (asking for token counts at the end of a stream)."""


class _Retryable(Exception):
    def __init__(self, reason: str, cause: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.cause = cause
        self.wait = wait


class ChatClient:
    """Asks one server for chat completions. Not thread-safe: one event loop, any number of tasks."""

    def __init__(
        self,
        config: LLMConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self._transport = transport
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._http: httpx.AsyncClient | None = None
        self._bucket: TokenBucket | None = None
        self._hold_until = 0.0
        self._mode = OutputMode.JSON_SCHEMA
        self._stream_usage = True
        self.usage = Usage()  # tokens of every answer so far
        self.requests = 0  # HTTP requests sent, retries included

    @property
    def mode(self) -> OutputMode:
        return self._mode

    async def __aenter__(self) -> ChatClient:
        headers = {"Accept": "application/json"}
        if self.config.api_key:
            # OpenAI and most servers take a bearer token; Azure OpenAI reads "api-key".
            headers["Authorization"] = f"Bearer {self.config.api_key}"
            headers["api-key"] = self.config.api_key
        self._http = httpx.AsyncClient(
            transport=self._transport, headers=headers, timeout=httpx.Timeout(self.config.timeout_s)
        )
        self._bucket = TokenBucket(self.config.rate, self._clock, self._sleep) if self.config.rate else None
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def complete(self, messages: Sequence[Message], schema_name: str, schema: Mapping[str, object]) -> Completion:
        """One chat completion, asking for JSON that follows ``schema`` in the strongest way the server takes."""
        while True:
            mode = self._mode
            try:
                return await self._post(self._body(messages, schema_name, schema, mode), mode)
            except _FormatRefused:
                if self._mode is mode:
                    self._mode = OutputMode.JSON_OBJECT if mode is OutputMode.JSON_SCHEMA else OutputMode.PLAIN
            except _StreamOptionsRefused:
                self._stream_usage = False

    def _body(
        self, messages: Sequence[Message], schema_name: str, schema: Mapping[str, object], mode: OutputMode
    ) -> dict[str, object]:
        body: dict[str, object] = {
            "model": self.config.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }
        if mode is OutputMode.JSON_SCHEMA:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "strict": True, "schema": schema},
            }
        elif mode is OutputMode.JSON_OBJECT:
            body["response_format"] = {"type": "json_object"}
        if self.config.stream:
            body["stream"] = True
            if self._stream_usage:
                body["stream_options"] = {"include_usage": True}
        return body

    async def _post(self, body: Mapping[str, object], mode: OutputMode) -> Completion:
        if self._http is None:
            raise RuntimeError("use the client inside `async with client:`")
        endpoint = self.config.endpoint
        attempt = 0
        while True:
            await self._gate()
            self.requests += 1
            try:
                completion = await (self._streamed(body, mode) if self.config.stream else self._whole(body, mode))
            except _Retryable as retry:
                if attempt >= self.config.max_retries:
                    raise LLMError(endpoint, f"{retry.reason} (after {attempt + 1} tries)", retry.cause) from None
                if retry.wait is not None:
                    self._hold_until = max(self._hold_until, self._clock() + retry.wait)
                    await self._sleep(retry.wait)
                else:
                    # A little jitter, so that workers that failed together do not all come back together.
                    await self._sleep(self.config.backoff_s * 2**attempt * (1 + 0.25 * self._jitter()))
                attempt += 1
                continue
            self.usage = self.usage + completion.usage
            return completion

    async def _gate(self) -> None:
        """Wait while a Retry-After holds, then for the rate limit."""
        while (wait := self._hold_until - self._clock()) > 0:
            await self._sleep(wait)
        if self._bucket is not None:
            await self._bucket.acquire()

    async def _whole(self, body: Mapping[str, object], mode: OutputMode) -> Completion:
        assert self._http is not None
        try:
            response = await self._http.post(self.config.url, json=body)
        except httpx.TransportError as exc:
            raise self._transport_failure(exc) from None
        await self._check(response, mode)
        return self._completion(response.content, mode)

    async def _streamed(self, body: Mapping[str, object], mode: OutputMode) -> Completion:
        assert self._http is not None
        try:
            async with self._http.stream("POST", self.config.url, json=body) as response:
                await self._check(response, mode)
                if not response.headers.get("content-type", "").startswith("text/event-stream"):
                    # A server that ignores "stream" answers whole.
                    return self._completion(await response.aread(), mode)
                return await self._read_stream(_events(response.aiter_lines()), mode)
        except httpx.TransportError as exc:
            raise self._transport_failure(exc) from None

    async def _read_stream(self, events: AsyncIterator[str], mode: OutputMode) -> Completion:
        endpoint = self.config.endpoint
        parts: list[str] = []
        model = ""
        finish: str | None = None
        usage = Usage()
        done = False
        async for data in events:
            if data == "[DONE]":
                done = True
                break
            chunk = self._json_object(data, "a streamed chunk", "malformed stream")
            if "error" in chunk:
                raise LLMError(endpoint, f"error in the stream: {self._redact(_message(chunk))}", "error in stream")
            model = _text(chunk.get("model")) or model
            if isinstance(chunk.get("usage"), dict):
                usage = _usage(chunk["usage"])
            choices = chunk.get("choices")
            for choice in choices if isinstance(choices, list) else ():
                if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                    continue
                delta = choice.get("delta")
                if isinstance(delta, dict) and isinstance(delta.get("content"), str):
                    parts.append(delta["content"])
                finish = _text(choice.get("finish_reason")) or finish
        if not done and finish is None:
            raise _Retryable("the stream ended before the answer did", "stream cut short")
        return Completion("".join(parts), model, usage, finish, mode)

    async def _check(self, response: httpx.Response, mode: OutputMode) -> None:
        """Raise for any answer but a success, as the module docstring lists."""
        status = response.status_code
        if 200 <= status < 300:
            return
        text = self._redact((await response.aread()).decode("utf-8", "replace"))
        if status == 400 and mode is not OutputMode.PLAIN and "response_format" in text:
            raise _FormatRefused
        if status == 400 and self.config.stream and self._stream_usage and "stream_options" in text:
            raise _StreamOptionsRefused
        if status in _RETRY_STATUS:
            raise _Retryable(f"HTTP {status}", f"HTTP {status}", _retry_after(response.headers.get("Retry-After")))
        message = _message(_json_or_none(text)) or text[:_ERROR_CHARS]
        if status in LLMRefused.HINTS:
            raise LLMRefused(self.config.endpoint, status, message)
        raise LLMError(self.config.endpoint, f"HTTP {status}: {message}", f"HTTP {status}")

    def _transport_failure(self, exc: httpx.TransportError) -> _Retryable:
        if isinstance(exc, httpx.TimeoutException):
            return _Retryable(f"no answer within {self.config.timeout_s:g} s", "timeout")
        if isinstance(exc, httpx.ConnectError):
            return _Retryable(f"cannot connect: {exc}", "cannot connect")
        return _Retryable(f"connection failed: {exc or type(exc).__name__}", "connection failed")

    def _json_object(self, raw: str | bytes, what: str, cause: str) -> dict[str, object]:
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise LLMError(self.config.endpoint, f"{what} is not JSON: {exc.msg}", cause) from None
        if not isinstance(value, dict):
            raise LLMError(self.config.endpoint, f"{what} is not a JSON object", cause)
        return value

    def _completion(self, raw: bytes, mode: OutputMode) -> Completion:
        endpoint = self.config.endpoint
        answer = self._json_object(raw, "the answer", "answer not JSON")
        choices = answer.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise LLMError(endpoint, "the answer has no choices", "no choices")
        message = choices[0].get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str):
            refusal = message.get("refusal") if isinstance(message, dict) else None
            reason = f"the model refused: {refusal}" if refusal else "the answer has no message content"
            raise LLMError(endpoint, reason, "no content")
        return Completion(
            content,
            _text(answer.get("model")) or "",
            _usage(answer.get("usage")),
            _text(choices[0].get("finish_reason")),
            mode,
        )

    def _redact(self, text: str) -> str:
        key = self.config.api_key
        return text.replace(key, "[key]") if key else text


async def _events(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The data of each server-sent event: ``data:`` lines joined until a blank line; comments and other fields
    (``event:``, ``id:``, ``retry:``) carry nothing a completion needs."""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield "\n".join(data)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date (RFC 9110, 10.2.3)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - dt.datetime.now(dt.UTC)).total_seconds()
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER_S)


def _json_or_none(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _message(value: object) -> str:
    """The server's own words from an error body: ``{"error": {"message": ...}}`` (OpenAI) or ``{"error": "..."}``."""
    error = value.get("error") if isinstance(value, dict) else None
    if isinstance(error, dict):
        error = error.get("message")
    return str(error)[:_ERROR_CHARS] if error else ""


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _usage(value: object) -> Usage:
    if not isinstance(value, dict):
        return Usage()
    prompt, completion = value.get("prompt_tokens"), value.get("completion_tokens")
    return Usage(prompt if isinstance(prompt, int) else 0, completion if isinstance(completion, int) else 0)
