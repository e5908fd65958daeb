"""A small client for any OpenAI-compatible chat-completions server (OpenAI, Azure, vLLM, Ollama, llama.cpp).

One route: ``POST {base_url}/chat/completions``. Structured output is asked for with
``response_format: {"type": "json_schema", ...}``; a server that refuses it (HTTP 400 naming
``response_format``) is asked again with ``{"type": "json_object"}``, then with nothing, and the client
remembers what the server accepts. Whatever comes back is parsed strictly later (``validate.parse_answer``).

429 and 5xx answers, timeouts and dropped connections are retried with exponential backoff (a
``Retry-After`` header, when sent, is honoured); at most ``max_concurrency`` requests are in flight at
once; every answer's ``usage`` is added to the client's running token count. Standard library only.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from medcodes.errors import MedcodesError

_RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
_MAX_RETRY_AFTER_S = 60.0


class LLMError(MedcodesError):
    """The chat-completions server could not give an answer (after retries), or gave an unusable one."""

    status = 502

    def __init__(self, endpoint: str, reason: str) -> None:
        super().__init__(f"chat-completions server {endpoint}: {reason}")
        self.endpoint = endpoint
        self.reason = reason


class LLMNotConfigured(MedcodesError):
    def __init__(self) -> None:
        super().__init__("No model server is configured for generated explainers")
        self.hint = "set MEDCODES_LLM_BASE_URL and MEDCODES_LLM_MODEL (see docs/explainers.md)"


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
    timeout_s: float = 120.0
    max_retries: int = 4
    backoff_s: float = 1.0  # first wait; doubles on each retry
    max_concurrency: int = 4
    temperature: float = 0.2
    max_tokens: int = 4000

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
    usage: Usage
    finish_reason: str | None
    mode: OutputMode


class ChatClient:
    """Thread-safe: a batch shares one client across its workers."""

    def __init__(self, config: LLMConfig, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self._sleep = sleep
        self._slots = threading.BoundedSemaphore(max(1, config.max_concurrency))
        self._lock = threading.Lock()
        self._mode = OutputMode.JSON_SCHEMA
        self._usage = Usage()
        self.requests = 0  # HTTP requests sent, retries included

    @property
    def usage(self) -> Usage:
        """Tokens used by every answer so far."""
        with self._lock:
            return self._usage

    @property
    def mode(self) -> OutputMode:
        with self._lock:
            return self._mode

    def complete(self, messages: Sequence[Message], schema_name: str, schema: Mapping[str, object]) -> Completion:
        """One chat completion, asking for JSON that follows ``schema`` in the strongest way the server takes."""
        while True:
            mode = self.mode
            try:
                return self._complete(messages, schema_name, schema, mode)
            except _FormatRefused:
                with self._lock:
                    if self._mode is mode:
                        self._mode = _weaker(mode)

    def _complete(
        self, messages: Sequence[Message], schema_name: str, schema: Mapping[str, object], mode: OutputMode
    ) -> Completion:
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
        answer = self._post(json.dumps(body).encode("utf-8"), mode)
        return _completion(answer, mode, self.config.endpoint, self._count)

    def _count(self, usage: Usage) -> None:
        with self._lock:
            self._usage = self._usage + usage

    def _post(self, data: bytes, mode: OutputMode) -> object:
        url = self.config.base_url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.api_key:
            # OpenAI and most servers take a bearer token; Azure OpenAI reads "api-key".
            headers["Authorization"] = f"Bearer {self.config.api_key}"
            headers["api-key"] = self.config.api_key
        endpoint = self.config.endpoint
        attempt = 0
        while True:
            wait: float | None = None
            reason: str
            try:
                with self._slots:
                    with self._lock:
                        self.requests += 1
                    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
                    with urllib.request.urlopen(request, timeout=self.config.timeout_s) as response:
                        raw = response.read()
                try:
                    return json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise LLMError(endpoint, f"the answer is not JSON: {exc.msg}") from None
            except urllib.error.HTTPError as exc:
                text = _read_error(exc)
                exc.close()
                if exc.code == 400 and mode is not OutputMode.PLAIN and "response_format" in text:
                    raise _FormatRefused from None
                if exc.code not in _RETRY_STATUS:
                    raise LLMError(endpoint, f"HTTP {exc.code}: {text[:300]}") from None
                reason = f"HTTP {exc.code}"
                wait = _retry_after(exc.headers.get("Retry-After"))
            except TimeoutError:
                reason = f"no answer within {self.config.timeout_s:g} s"
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError | socket.timeout):
                    reason = f"no answer within {self.config.timeout_s:g} s"
                else:
                    reason = f"cannot connect: {exc.reason}"
            except (ConnectionError, OSError) as exc:
                reason = f"connection failed: {exc}"
            if attempt >= self.config.max_retries:
                raise LLMError(endpoint, f"{reason} (after {attempt + 1} tries)")
            self._sleep(wait if wait is not None else self.config.backoff_s * 2**attempt)
            attempt += 1


class _FormatRefused(Exception):
    """The server does not take the response_format it was sent."""


def _weaker(mode: OutputMode) -> OutputMode:
    return OutputMode.JSON_OBJECT if mode is OutputMode.JSON_SCHEMA else OutputMode.PLAIN


def _read_error(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), _MAX_RETRY_AFTER_S)
    except ValueError:
        return None  # an HTTP date: fall back to the client's own backoff


def _completion(answer: object, mode: OutputMode, endpoint: str, count: Callable[[Usage], None]) -> Completion:
    if not isinstance(answer, dict):
        raise LLMError(endpoint, "the answer is not a JSON object")
    usage = _usage(answer.get("usage"))
    count(usage)
    choices = answer.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise LLMError(endpoint, "the answer has no choices")
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        refusal = message.get("refusal") if isinstance(message, dict) else None
        raise LLMError(endpoint, f"the model refused: {refusal}" if refusal else "the answer has no message content")
    finish = choices[0].get("finish_reason")
    model = answer.get("model")
    return Completion(
        content, model if isinstance(model, str) else "", usage, finish if isinstance(finish, str) else None, mode
    )


def _usage(value: object) -> Usage:
    if not isinstance(value, dict):
        return Usage()
    prompt, completion = value.get("prompt_tokens"), value.get("completion_tokens")
    return Usage(prompt if isinstance(prompt, int) else 0, completion if isinstance(completion, int) else 0)
