"""HTTP benchmark: requests/s and latency of the JSON search and a code page, next to the framework's floor.

    python bench/web.py --db /tmp/mc/full.db [--requests 6000] [--connections 8] [--workers 1]
                        [--client raw|httpx] [--seconds 60] [--fresh-pages 2000] [--baseline-src DIR]

Each target runs in its own uvicorn server (httptools, uvloop where installed, access log off, as
`medcodes serve` runs it) on 127.0.0.1, started by this script and stopped by it:

- ``floor: raw ASGI``: an ASGI callable that returns a constant (the server's own cost);
- ``floor: FastAPI``: a FastAPI route that returns a constant JSON (the framework's floor);
- ``medcodes``: searches with its answer cache on (the default) and off (every search computed), code pages:
  ten canonical pages over and over (as a site's popular pages are asked for), and ``--fresh-pages`` distinct
  pages drawn from every loaded system (seeded), each asked for once, so that none is served from memory; the
  similar codes of those pages from their JSON twin (which a code page loads after itself), each once; and
  suggestions for every prefix of the searches' words as they are typed ("d", "di", ... "diabetes"), each once.
- ``--baseline-src DIR``: the ``src`` folder of another medcodes checkout (``git archive main src | tar -x -C
  DIR/..``): its code pages, each asked for once, are measured in the same run, in a server of its own.

After the rows, the bytes each code page sends (the HTML, and with the stylesheet and script it loads).

Against the medcodes servers it sends a fixed mix: searches (words, codes in any notation, misspellings,
filters, pages) to /api/v1/search, and canonical code pages. Each run is bounded: ``--requests`` requests or
``--seconds`` seconds, whichever comes first, over ``--connections`` keep-alive connections, loopback only.
The load generator runs on the same machine: its CPU is not the server's, so the floor shows what this
machine can measure at all. Prints requests/s, p50, p99 and errors per row; a non-2xx/3xx status, a
connection failure or a timeout is an error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

HOST = "127.0.0.1"
# Words, codes in several notations, misspellings, filters and later pages: what the site's box sees.
SEARCHES: tuple[tuple[tuple[str, str], ...], ...] = tuple(
    tuple(p)
    for p in (
        [("q", "diabetes")],
        [("q", "type 2 diabetes with neuropathy")],
        [("q", "heart attack")],
        [("q", "e119")],
        [("q", "E11.9")],
        [("q", "S52521A")],
        [("q", "0ut70zz")],
        [("q", "torus fracture radius")],
        [("q", "wheelchair")],
        [("q", "knee replacement")],
        [("q", "asthma")],
        [("q", "hypertension"), ("system", "icd10cm")],
        [("q", "copd exacerbation")],
        [("q", "pneumonia"), ("billable", "true")],
        [("q", "chest pain")],
        [("q", "diabetis")],
        [("q", "broken arm")],
        [("q", "cpap"), ("system", "hcpcs")],
        [("q", "fracture"), ("offset", "20")],
        [("q", "myocardial infarction"), ("limit", "20")],
        [("q", "cholera")],
        [("q", "heart failure"), ("system", "msdrg")],
        [("q", "insulin pump")],
        [("q", "migraine")],
    )
)
CODE_PAGES = ("E11.9", "S52.521A", "I21.9", "J45.909", "0UT70ZZ", "E0601", "1A00", "250.00", "291", "T40.1X1A")
CODE_SYSTEMS = ("icd10cm", "icd10cm", "icd10cm", "icd10cm", "icd10pcs", "hcpcs", "icd11", "icd9cm", "msdrg", "icd10cm")

_SERVER = """
import sys, uvicorn
kind, db, port, cache = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if kind == "raw":
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"11")]})
        await send({"type": "http.response.body", "body": b'{"ok":true}'})
elif kind == "fastapi":
    from fastapi import FastAPI
    app = FastAPI()
    @app.get("/api/v1/search")
    async def constant(q: str = "") -> dict[str, bool]:
        return {"ok": True}
else:
    from pathlib import Path
    from medcodes.service import CodeService
    from medcodes.web.app import WebOptions, create_app
    app = create_app(CodeService.at(Path(db)), WebOptions(cache_size=cache), close_service=True)
uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning", server_header=False)
"""


@dataclass(frozen=True, slots=True)
class Run:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: tuple[float, ...]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


# ---------------------------------------------------------------------------------------------- servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """A uvicorn server in a child process, stopped on exit."""

    def __init__(self, kind: str, db: Path, cache: int, workers: int, src: Path | None = None) -> None:
        self.port = free_port()
        # Another checkout's code (the baseline) comes first on the path of the server's process.
        env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"} if src else None
        if workers > 1:
            # Several processes share the port: uvicorn's own supervisor, with the app factory.
            env = {**os.environ, "MEDCODES_DB": str(db)}
            command = [sys.executable, "-m", "uvicorn", "--factory", "medcodes.web.app:from_environment"]
            command += ["--host", HOST, "--port", str(self.port), "--workers", str(workers), "--no-access-log"]
            command += ["--log-level", "warning"]
            self.process = subprocess.Popen(command, env=env)
        else:
            code = [sys.executable, "-c", _SERVER, kind, str(db), str(self.port), str(cache)]
            self.process = subprocess.Popen(code, env=env)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited with {self.process.returncode}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("server did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ---------------------------------------------------------------------------------------------- clients
class RawConnection:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams: a request, its status line, and its body read to
    the end (by Content-Length or chunked); a connection the server closes is reopened on the next request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        return await self.send(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: */*\r\n\r\n".encode())

    async def send(self, request: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length, chunked, close = 0, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        if chunked:
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        elif length:
            await self.reader.readexactly(length)
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def _load(
    get: Callable[[int, str], Awaitable[int]], paths: Sequence[str], connections: int, total: int, seconds: float
) -> tuple[int, int, float, list[float]]:
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds

    async def worker(n: int) -> None:
        nonlocal errors, sent
        while sent < total and time.perf_counter() < deadline:
            path = paths[sent % len(paths)]
            sent += 1
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(get(n, path), timeout=10)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
                errors += 1
                continue
            latencies.append(time.perf_counter() - started)
            if not 200 <= status < 400:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(connections)))
    return sent, errors, time.perf_counter() - started, latencies


async def _raw(port: int, paths: Sequence[str], connections: int, total: int, seconds: float) -> Run:
    pool = [RawConnection(port) for _ in range(connections)]

    async def get(n: int, path: str) -> int:
        try:
            return await pool[n].get(path)
        except BaseException:
            pool[n] = RawConnection(port)  # a broken connection is replaced, and the request counted as an error
            raise

    try:
        sent, errors, elapsed, latencies = await _load(get, paths, connections, total, seconds)
    finally:
        for connection in pool:
            await connection.close()
    return Run("", sent, errors, elapsed, tuple(latencies))


async def _httpx(port: int, paths: Sequence[str], connections: int, total: int, seconds: float) -> Run:
    try:  # Starlette 1.x's choice; the API is httpx's
        httpx: Any = importlib.import_module("httpx2")
    except ImportError:
        httpx = importlib.import_module("httpx")
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", limits=limits) as client:

        async def get(_: int, path: str) -> int:
            response = await client.get(path)
            return int(response.status_code)

        sent, errors, elapsed, latencies = await _load(get, paths, connections, total, seconds)
    return Run("", sent, errors, elapsed, tuple(latencies))


def measure(
    name: str, port: int, paths: Sequence[str], args: argparse.Namespace, warm: Sequence[str] | None = None
) -> Run:
    client = _raw if args.client == "raw" else _httpx
    # A short warm-up (connections, caches, the index's pages), not counted; ``warm`` where the measured paths
    # must not have been asked for before.
    warm = paths if warm is None else warm
    asyncio.run(client(port, warm, args.connections, min(len(warm) * 2, 500), 10.0))
    requests = args.requests if warm is paths else min(args.requests, len(paths))
    run = asyncio.run(client(port, paths, args.connections, requests, args.seconds))
    return Run(name, run.requests, run.errors, run.seconds, run.latencies)


def search_paths() -> list[str]:
    return ["/api/v1/search?" + urlencode(params) for params in SEARCHES]


def fresh_code_paths(db: Path, count: int, seed: int = 17, similar: bool = False) -> list[str]:
    """``count`` canonical code pages drawn from every loaded system in proportion to its size (seeded); with
    ``similar``, the JSON twins of their similar codes instead (which a code page loads after itself)."""
    from medcodes.service import CodeService
    from medcodes.web.urls import code_path

    service = CodeService.at(db)
    try:
        concepts = [c for s in service.loaded_systems() for c in service.store.concepts(s)]
    finally:
        service.close()
    chosen = random.Random(seed).sample(concepts, min(count, len(concepts)))
    if similar:
        return [f"/api/v1/codes/{c.system.value}/{quote(c.code, safe='.-')}/similar" for c in chosen]
    return [code_path(c.system, c.code, c.title) for c in chosen]


def suggest_paths() -> list[str]:
    """Every prefix of the searches' texts, as the box sends them while someone types (each once)."""
    prefixes = dict.fromkeys(
        params[0][1][:end]
        for params in SEARCHES
        for end in range(1, len(params[0][1]) + 1)
        if params[0][1][:end].strip()
    )
    return ["/api/v1/suggest?" + urlencode([("q", q)]) for q in prefixes]


def page_bytes(port: int, paths: Sequence[str]) -> tuple[list[int], int]:
    """The size of each page's answer (headers and body) and of the stylesheet and script a page loads."""
    import re
    import urllib.request

    sizes = []
    assets = 0
    for path in paths:
        with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=10) as response:
            body = response.read()
            sizes.append(len(body) + len(str(response.headers)))
        if not assets:
            for asset in re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js)[^"]*)"', body):
                with urllib.request.urlopen(f"http://{HOST}:{port}{asset.decode()}", timeout=10) as answer:
                    assets += len(answer.read()) + len(str(answer.headers))
    return sizes, assets


def code_paths(port: int) -> list[str]:
    """The canonical code pages (the redirects are looked up once, not measured)."""
    import urllib.request

    paths = []
    for system, code in zip(CODE_SYSTEMS, CODE_PAGES, strict=True):
        url = f"http://{HOST}:{port}/code/{system}/{quote(code)}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # follows the redirect
                paths.append(response.url.removeprefix(f"http://{HOST}:{port}"))
        except OSError:
            continue  # that system is not in this database
    if not paths:
        raise SystemExit("none of the benchmark's code pages exists in this database")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="a medcodes database (medcodes build --db ...)")
    parser.add_argument("--requests", type=int, default=6000, help="requests per row (at most)")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds per row (at most)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="server processes for the medcodes rows")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument(
        "--fresh-pages", type=int, default=2000, help="distinct code pages for the 'each new' row (0: no such row)"
    )
    parser.add_argument("--baseline-src", type=Path, help="the src folder of a baseline checkout (its code pages)")
    args = parser.parse_args()
    if not args.db.is_file():
        raise SystemExit(f"no database at {args.db}")

    searches = search_paths()
    rows: list[Run] = []
    plan = [
        ("floor: raw ASGI constant", "raw", 0, 1, False),
        ("floor: FastAPI constant", "fastapi", 0, 1, False),
        ("search, answer cache on", "medcodes", 4096, args.workers, False),
        ("code page (HTML)", "medcodes", 4096, args.workers, True),
        ("search, cache off", "medcodes", 0, 1, False),
    ]
    fresh = fresh_code_paths(args.db, args.fresh_pages + 100) if args.fresh_pages else []
    sizes: list[int] = []
    assets = 0
    if args.baseline_src is not None and fresh:
        server = Server("medcodes", args.db, 4096, 1, args.baseline_src)
        try:
            server.wait_ready()
            rows.append(measure("baseline: code page, each new", server.port, fresh[100:], args, warm=fresh[:100]))
        finally:
            server.stop()
    for name, kind, cache, workers, pages in plan:
        server = Server(kind, args.db, cache, workers)
        try:
            server.wait_ready()
            paths = code_paths(server.port) if pages else searches
            rows.append(measure(name, server.port, paths, args))
            if pages and fresh:
                # The first 100 warm the server up; the rest are each asked for once.
                rows.append(measure("code page, each new", server.port, fresh[100:], args, warm=fresh[:100]))
                twins = fresh_code_paths(args.db, args.fresh_pages + 100, similar=True)
                rows.append(measure("similar (JSON), each new", server.port, twins[100:], args, warm=twins[:100]))
                sizes, assets = page_bytes(server.port, fresh[100:])
            if pages:
                typed = suggest_paths()
                rows.append(measure("suggest, each prefix once", server.port, typed, args, warm=searches))
        finally:
            server.stop()

    floor = rows[1].rate
    print(
        f"client {args.client}, {args.connections} connections, at most {args.requests} requests or"
        f" {args.seconds:.0f} s per row, {os.cpu_count()} CPUs, server workers {args.workers}"
    )
    print(f"{'target':<30}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs floor':>10}")
    for run in rows:
        print(
            f"{run.name:<30}{run.requests:>9}{run.rate:>9.0f}{run.percentile(50):>9.2f}{run.percentile(99):>9.2f}"
            f"{run.errors:>8}{run.rate / floor if floor else 0:>10.2f}"
        )
    if sizes:
        ordered = sorted(sizes)
        print(
            f"code page bytes over {len(sizes)} pages: p50 {ordered[len(ordered) // 2]:,}, max {ordered[-1]:,};"
            f" with its stylesheet and script ({assets:,}): max {ordered[-1] + assets:,}"
        )


if __name__ == "__main__":
    main()
