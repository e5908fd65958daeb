"""A chat-completions server on loopback that answers the way an OpenAI-compatible server does.

``http.server`` in a thread, HTTP/1.1 with keep-alive, implementing ``POST /v1/chat/completions``: whole
JSON answers, or server-sent events (``data: {chunk}`` lines, a usage chunk when the request asks for
``stream_options.include_usage``, then ``data: [DONE]``). Each test scripts its replies (good answers,
malformed JSON, 429 with Retry-After, 5xx, 401, slow answers, streams cut short) and reads back the requests
it received, with their arrival times; a ``responder`` answers every request instead (bench/explain.py).
Nothing in the client is mocked. Used by the explainer tests and by ``bench/explain.py``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "loopback-model-1"
ROUTE = "/v1/chat/completions"


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted answer: a chat completion with ``content``, or an error status, or a raw body.

    ``stream`` sends ``content`` as server-sent events in ``chunks`` pieces, ``chunk_delay`` apart; ``cut``
    closes the connection after the first piece, before ``[DONE]``.
    """

    content: str | None = None
    status: int = 200
    raw: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    prompt_tokens: int = 100
    completion_tokens: int = 50
    stream: bool = False
    chunks: int = 4
    chunk_delay: float = 0.0
    cut: bool = False
    finish_reason: str = "stop"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, object]
    at: float  # time.monotonic() on arrival


class LoopbackServer:
    """A chat-completions server on 127.0.0.1 answering from a script; the last reply repeats."""

    def __init__(self, responder: Callable[[dict[str, object]], Reply] | None = None) -> None:
        self.replies: list[Reply] = []
        self.received: list[Received] = []
        self.responder = responder
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                with server._lock:
                    server.received.append(Received(self.path, dict(self.headers.items()), body, time.monotonic()))
                    if server.responder is not None:
                        reply = server.responder(body)
                    else:
                        reply = server.replies.pop(0) if len(server.replies) > 1 else server.replies[0]
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    if reply.delay:
                        time.sleep(reply.delay)
                    self._answer(reply, body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting (the timeout tests)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _answer(self, reply: Reply, body: Mapping[str, object]) -> None:
                if self.path != ROUTE:
                    self._send(404, json.dumps({"error": {"message": f"no route {self.path}"}}), {})
                elif reply.raw is not None or reply.status != 200:
                    self._send(reply.status, reply.raw or json.dumps({"error": {"message": "busy"}}), reply.headers)
                elif body.get("stream"):
                    self._stream(reply, body)
                else:
                    self._send(200, json.dumps(_completion(reply)), reply.headers)

            def _stream(self, reply: Reply, body: Mapping[str, object]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")  # the body ends when the connection does
                self.end_headers()
                self.close_connection = True
                text = reply.content or ""
                size = max(1, -(-len(text) // max(1, reply.chunks)))
                pieces = [text[i : i + size] for i in range(0, len(text), size)] or [""]
                for number, piece in enumerate(pieces):
                    last = number == len(pieces) - 1
                    choice = {
                        "index": 0,
                        "delta": {"content": piece},
                        "finish_reason": reply.finish_reason if last else None,
                    }
                    self._event(
                        {"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": MODEL, "choices": [choice]}
                    )
                    if reply.cut:
                        return
                    if reply.chunk_delay:
                        time.sleep(reply.chunk_delay)
                options = body.get("stream_options")
                if isinstance(options, dict) and options.get("include_usage"):
                    self._event({"id": "chatcmpl-1", "model": MODEL, "choices": [], "usage": _usage(reply)})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, chunk: Mapping[str, object]) -> None:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

            def _send(self, status: int, text: str, headers: Mapping[str, str]) -> None:
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

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


def _usage(reply: Reply) -> dict[str, int]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
    }


def _completion(reply: Reply) -> dict[str, object]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": _usage(reply),
    }
