"""Load benchmark of `medcodes serve` as an operator runs it: the realistic mix, memory per worker, and bystanders
while worst-case batch matches run.

    python bench/serve.py --db /tmp/mc/full.db [--seconds 300] [--connections 64] [--workers N]
                          [--parts 20] [--worst 60] [--heavy 1,100]

It starts `medcodes serve` (with the workers it chooses by default unless --workers) on a free loopback port,
and loads it from a separate process: an asyncio HTTP/1.1 client over ``--connections`` keep-alive connections
(a closed connection is reopened and counted as an error; a request unanswered after 10 s is a timeout). The
mix, by requests: 30 % JSON search, 15 % HTML search page, 20 % suggest, 20 % code page (HTML), 15 % code (JSON),
over a fixed pool (the queries below and, where ../shared/eval exists, 400 of its queries; 300 codes of every
loaded system), drawn in a seeded order. Every request is timed from send to the last body byte.

Prints, for the run of ``--seconds``: requests/s, p50 and p99 latency, errors (a status other than 2xx/3xx, or
a broken connection) and timeouts, overall and per part of the mix; each worker's resident memory (RSS) when
the load starts and when it ends. ``--parts S`` then loads each part alone for S seconds (what each part costs:
the slowest one limits the mix). ``--worst S`` loads the mix with 16 connections for S seconds while other
clients send worst-case batch matches (each the most a request may hold: 200 lines of 100 one-letter words,
20,000 words): none (the baseline), one at a time, then 100 at once (``--heavy``), and prints the bystanders'
p99 and what the matches were answered.

The load generator shares the machine's cores with the server: on 2 cores, what it spends is not the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import queue
import random
import signal
import socket
import string
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

if not __package__:  # run as a script (python bench/serve.py): the repository's root, for bench.web
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.web import HOST, RawConnection, free_port

TIMEOUT = 10.0
EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"
MIX: tuple[tuple[str, float], ...] = (
    ("search API", 0.30),
    ("search page", 0.15),
    ("suggest", 0.20),
    ("code page", 0.20),
    ("code API", 0.15),
)
QUERIES = (
    "diabetes",
    "type 2 diabetes with neuropathy",
    "heart attack",
    "e119",
    "E11.9",
    "S52521A",
    "0ut70zz",
    "torus fracture radius",
    "wheelchair",
    "knee replacement",
    "asthma",
    "copd exacerbation",
    "chest pain",
    "diabetis",
    "broken arm",
    "cpap",
    "myocardial infarction",
    "cholera",
    "heart failure",
    "insulin pump",
    "migraine",
    "pneumonia",
    "hypertension",
    "appendectomy",
)


# ---------------------------------------------------------------------------------------------- requests
@dataclass(frozen=True, slots=True)
class Request:
    part: str
    method: str
    path: str
    body: bytes = b""


def encode(request: Request) -> bytes:
    """The request as it goes on the wire."""
    head = f"{request.method} {request.path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: */*\r\n"
    if request.body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(request.body)}\r\n"
    return head.encode() + b"\r\n" + request.body


def pool_queries(seed: int) -> list[str]:
    queries = list(QUERIES)
    found = sorted(EVAL.glob("*.jsonl")) if EVAL.is_dir() else []
    lines = [json.loads(line)["q"] for path in found for line in path.read_text().splitlines() if line.strip()]
    queries += random.Random(seed).sample(lines, min(400, len(lines)))
    return queries


def pool_codes(db: Path, per_system: int = 300) -> list[tuple[str, str]]:
    """Codes of every loaded system, spread over each system's official order."""
    from medcodes.service import CodeService

    service = CodeService.at(db)
    try:
        codes = []
        for system in service.loaded_systems():
            concepts = service.store.concepts(system)
            step = max(1, len(concepts) // per_system)
            codes += [(system.value, c.code) for c in concepts[::step][:per_system]]
        return codes
    finally:
        service.close()


def build_mix(
    queries: Sequence[str], pages: Sequence[str], codes: Sequence[tuple[str, str]], seed: int
) -> list[Request]:
    """10,000 requests in the mix's proportions, in a seeded order."""
    rng = random.Random(seed)
    out: list[Request] = []
    for part, share in MIX:
        for _ in range(round(10_000 * share)):
            q = rng.choice(queries)
            if part == "search API":
                out.append(Request(part, "GET", "/api/v1/search?" + urlencode({"q": q})))
            elif part == "search page":
                out.append(Request(part, "GET", "/search?" + urlencode({"q": q})))
            elif part == "suggest":
                typed = q[: rng.randint(3, max(3, len(q)))]
                out.append(Request(part, "GET", "/api/v1/suggest?" + urlencode({"q": typed})))
            elif part == "code page":
                out.append(Request(part, "GET", rng.choice(pages)))
            else:
                system, code = rng.choice(codes)
                out.append(Request(part, "GET", f"/api/v1/codes/{system}/{quote(code, safe='')}"))
    rng.shuffle(out)
    return out


def worst_match() -> Request:
    """The most one batch may hold: 200 lines of 100 one-letter words (20,000 words)."""
    rng = random.Random(1)
    lines = [" ".join(rng.choice(string.ascii_lowercase) for _ in range(100)) for _ in range(200)]
    return Request("worst match", "POST", "/api/v1/match", json.dumps({"lines": lines, "limit": 20}).encode())


# ---------------------------------------------------------------------------------------------- the client
@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    timeouts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


async def _load(port: int, requests: Sequence[Request], connections: int, seconds: float, offset: int) -> Tally:
    tally = Tally()
    deadline = time.perf_counter() + seconds
    counter = offset

    async def worker() -> None:
        nonlocal counter
        connection = RawConnection(port)
        while time.perf_counter() < deadline:
            request = requests[counter % len(requests)]
            counter += 1
            started = time.perf_counter()
            try:
                # A worst-case match may take its whole budget (20 s): its client waits for it.
                limit = TIMEOUT if request.part != "worst match" else 60.0
                status = await asyncio.wait_for(connection.send(encode(request)), timeout=limit)
            except TimeoutError:
                tally.timeouts[request.part] = tally.timeouts.get(request.part, 0) + 1
                await connection.close()
                continue
            except (OSError, asyncio.IncompleteReadError, ValueError):
                tally.errors[request.part] = tally.errors.get(request.part, 0) + 1
                await connection.close()
                continue
            tally.latencies.setdefault(request.part, []).append(time.perf_counter() - started)
            counts = tally.statuses.setdefault(request.part, {})
            counts[status] = counts.get(status, 0) + 1
            if not 200 <= status < 400 and request.part != "worst match":
                tally.errors[request.part] = tally.errors.get(request.part, 0) + 1
        await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    tally.seconds = time.perf_counter() - started
    return tally


def _client(plan: tuple[int, list[Request], int, float, int], cpus: set[int] | None, out: Any) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)
    out.put(asyncio.run(_load(*plan)))


CLIENT_CPUS: set[int] | None = None  # --client-cpus


def load(port: int, requests: list[Request], connections: int, seconds: float, offset: int = 0) -> Any:
    """Run the client in a process of its own; returns a handle and a queue for its Tally."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_client, args=((port, requests, connections, seconds, offset), CLIENT_CPUS, queue))
    process.start()
    return process, queue


def collect(handle: Any) -> Tally:
    process, queue = handle
    tally: Tally = queue.get()
    process.join()
    return tally


# ---------------------------------------------------------------------------------------------- the server
class Serve:
    """`medcodes serve` in a child process, stopped on exit."""

    def __init__(self, db: Path, workers: int | None, cpus: set[int] | None = None) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "medcodes.cli", "serve", "--db", str(db), "--port", str(self.port)]
        if workers:
            command += ["--workers", str(workers)]
        self.process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        if cpus:
            # On these cores only, as in a container (set at once: the workers it starts later inherit them, and
            # the number it starts by default follows them).
            os.sched_setaffinity(self.process.pid, cpus)

    def wait_ready(self, workers: int, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"medcodes serve exited with {self.process.returncode}")
            if len(self.workers()) >= workers:
                try:
                    with socket.create_connection((HOST, self.port), timeout=1) as s:
                        s.sendall(b"GET /api/v1/systems HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        if s.recv(12).endswith(b"200"):
                            return
                except OSError:
                    pass
            time.sleep(0.2)
        raise SystemExit("medcodes serve did not start")

    def workers(self) -> list[int]:
        """The processes answering requests: the server itself, or the worker children of uvicorn's supervisor."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    children.append(int(entry.name))
        # uvicorn's spawn start method adds a resource tracker child, which answers nothing: it is small.
        return [pid for pid in children if rss_mb(pid) > 50] or [self.process.pid]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def canonical_pages(port: int, codes: Sequence[tuple[str, str]]) -> list[str]:
    """Each code's canonical page (the redirect is followed once, here, not in the measured load)."""
    import urllib.request

    pages = []
    for system, code in codes:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/code/{system}/{quote(code, safe='')}", timeout=30) as r:
                pages.append(r.url.removeprefix(f"http://{HOST}:{port}"))
        except OSError:
            continue
    return pages


# ---------------------------------------------------------------------------------------------- reports
def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def report(title: str, tally: Tally) -> None:
    parts = [p for p, _ in MIX if p in tally.latencies or p in tally.errors] + [
        p for p in tally.latencies if p not in dict(MIX)
    ]
    every = [x for p in parts for x in tally.latencies.get(p, [])]
    print(f"\n{title} ({tally.seconds:.0f} s)")
    print(f"{'part':<14}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'timeouts':>9}  statuses")
    for name, values in [(p, tally.latencies.get(p, [])) for p in parts] + [("all", every)]:
        errors = sum(tally.errors.values()) if name == "all" else tally.errors.get(name, 0)
        timeouts = sum(tally.timeouts.values()) if name == "all" else tally.timeouts.get(name, 0)
        statuses = tally.statuses.get(name, {}) if name != "all" else {}
        print(
            f"{name:<14}{len(values):>10}{len(values) / tally.seconds:>9.0f}{percentile(values, 50):>9.1f}"
            f"{percentile(values, 99):>9.1f}{errors:>8}{timeouts:>9}  {dict(sorted(statuses.items())) or ''}"
        )


def _cpus(text: str | None) -> set[int] | None:
    """``0,1`` or ``2-5`` as a set of core numbers."""
    if not text:
        return None
    out: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        out |= set(range(int(first), int(last or first) + 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=300.0, help="length of the main run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=None, help="default: what medcodes serve chooses")
    parser.add_argument("--parts", type=float, default=20.0, help="seconds of each part alone (0: skip)")
    parser.add_argument("--worst", type=float, default=60.0, help="seconds of bystanders per heavy level (0: skip)")
    parser.add_argument("--heavy", default="0,1,100", help="worst-case matches at once, per level (0: none)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warm", type=float, default=20.0, help="seconds of warm-up before the run, not counted")
    parser.add_argument("--cpus", default=None, help="the server's cores, e.g. 0,1 (default: all)")
    parser.add_argument("--client-cpus", default=None, help="the load generator's cores, e.g. 2-5 (default: all)")
    args = parser.parse_args()
    if not args.db.is_file():
        raise SystemExit(f"no database at {args.db}")

    from medcodes.config import default_workers

    global CLIENT_CPUS  # noqa: PLW0603 - read by load(), which each phase calls
    cpus = _cpus(args.cpus)
    CLIENT_CPUS = _cpus(args.client_cpus)
    workers = args.workers or (len(cpus) if cpus else default_workers())
    server = Serve(args.db, args.workers, cpus)
    try:
        server.wait_ready(workers if workers > 1 else 0)
        queries = pool_queries(args.seed)
        codes = pool_codes(args.db)
        pages = canonical_pages(server.port, random.Random(args.seed).sample(codes, min(300, len(codes))))
        mix = build_mix(queries, pages, codes, args.seed)
        pids = server.workers()
        print(
            f"medcodes serve: {len(pids)} worker process(es) on {len(cpus) if cpus else os.cpu_count()} of"
            f" {os.cpu_count()} CPUs; client: {args.connections}"
            f" connections, {len(queries)} queries, {len(pages)} code pages, {len(codes)} codes"
        )
        collect(load(server.port, mix, args.connections, args.warm))  # warm-up, not counted
        start = {pid: rss_mb(pid) for pid in pids}
        handle = load(server.port, mix, args.connections, args.seconds, offset=1234)
        peak = dict(start)
        found: Tally | None = None
        while found is None:  # the answer is read while it waits: a child joins only once its queue is drained
            try:
                found = handle[1].get(timeout=5)
            except queue.Empty:
                peak = {pid: max(peak[pid], rss_mb(pid)) for pid in pids}
        handle[0].join()
        tally = found
        end = {pid: rss_mb(pid) for pid in pids}
        report(f"the mix, {args.connections} connections", tally)
        print("\nworker  RSS start MB  RSS end MB  peak MB  growth")
        for pid in pids:
            growth = (end[pid] - start[pid]) / start[pid] * 100 if start[pid] else float("nan")
            print(f"{pid:<8}{start[pid]:>13.0f}{end[pid]:>12.0f}{peak[pid]:>9.0f}{growth:>7.1f} %")

        if args.parts > 0:
            for part, _ in MIX:
                alone = [r for r in mix if r.part == part]
                report(f"{part} alone", collect(load(server.port, alone, args.connections, args.parts)))

        if args.worst > 0:
            heavy = worst_match()
            for level in (int(n) for n in args.heavy.split(",")):
                bystanders = load(server.port, mix, 16, args.worst, offset=99)
                matches = load(server.port, [heavy], level, args.worst) if level else None
                report(f"bystanders (16 connections) while {level} worst-case matches run", collect(bystanders))
                if matches is not None:
                    report(f"the {level} worst-case match client(s)", collect(matches))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
