"""Latency of the standard interfaces: FHIR $expand with filter text, $lookup, and the Clinical Tables search.

    python bench/fhir.py --db /tmp/mc/full.db [--rounds 3] [--seed 7]
    python -m bench.fhir --db /tmp/mc/full.db

Each row runs its requests one after another, after a warm-up, twice over: in process (the ASGI app through
httpx's ASGI transport: routing, parameters, service, JSON, no socket) and over HTTP (uvicorn on 127.0.0.1
in a process of its own, one keep-alive connection). The answer cache is off: every request is computed.
Rows:

- ``$expand filter`` on all of ICD-10-CM and on all of ICD-10-PCS (implicit value sets), 1-3 word filters,
  count=10 (targets: p99 <= 20 ms);
- ``$lookup`` of codes drawn at random from ICD-10-CM, ICD-10-PCS and HCPCS (target: p99 <= 5 ms);
- ``CTSS search`` on /api/icd10cm/v3/search and /api/hcpcs/v3/search with maxList=7 (target: p99 <= 10 ms);
- the baseline: /api/v1/search with the same filters, in the same run (the JSON API's own search).

Prints p50, p99 and max in milliseconds, and each row's p50 over the baseline's. Needs the full database
(``medcodes build --from ../shared/data --db PATH``). Loopback only; every loop is bounded.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, where bench/http.py would hide the standard
# library's http package from httpx: take the folder off.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import asyncio
import random
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from medcodes.service import CodeService
from medcodes.systems import REGISTRY, SystemId
from medcodes.web.app import WebOptions, create_app

CM = REGISTRY[SystemId.ICD10CM].fhir_uri
PCS = REGISTRY[SystemId.ICD10PCS].fhir_uri
# One, two and three words, as people type them into a picker.
CM_FILTERS = (
    "diabetes",
    "asthma",
    "pneumonia",
    "hypertension",
    "heart attack",
    "chest pain",
    "kidney stone",
    "low back pain",
    "fracture left radius",
    "type 2 diabetes",
    "copd exacerbation",
    "major depressive disorder",
    "urinary tract infection",
    "migraine",
    "pink eye",
    "sepsis",
    "atrial fibrillation",
    "dementia",
)
PCS_FILTERS = (
    "appendectomy",
    "resection colon",
    "bypass coronary artery",
    "knee replacement",
    "colonoscopy",
    "drainage",
    "excision skin",
    "cesarean",
    "hip replacement",
    "insertion pacemaker",
    "cholecystectomy",
    "transfusion",
    "fusion lumbar",
    "extraction tooth",
    "repair hernia",
    "biopsy liver",
)
HCPCS_TERMS = ("wheelchair", "cpap", "oxygen", "glucose monitor", "walker", "insulin", "catheter", "ambulance")


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    urls: tuple[str, ...]


def rows(service: CodeService, seed: int) -> list[Row]:
    rng = random.Random(seed)
    codes = [
        (REGISTRY[s].fhir_uri, c.code)
        for s in (SystemId.ICD10CM, SystemId.ICD10PCS, SystemId.HCPCS)
        for c in rng.sample([c for c in service.store.concepts(s) if c.billable], 100)
    ]
    return [
        Row(
            "baseline: /api/v1/search",
            tuple(f"/api/v1/search?{urlencode({'q': q, 'limit': 10})}" for q in CM_FILTERS + PCS_FILTERS),
        ),
        Row(
            "$expand filter, ICD-10-CM",
            tuple(
                f"/fhir/ValueSet/$expand?{urlencode({'url': CM + '?fhir_vs', 'filter': q, 'count': 10})}"
                for q in CM_FILTERS
            ),
        ),
        Row(
            "$expand filter, ICD-10-PCS",
            tuple(
                f"/fhir/ValueSet/$expand?{urlencode({'url': PCS + '?fhir_vs', 'filter': q, 'count': 10})}"
                for q in PCS_FILTERS
            ),
        ),
        Row("$lookup", tuple(f"/fhir/CodeSystem/$lookup?{urlencode({'system': s, 'code': c})}" for s, c in codes)),
        Row(
            "CTSS search",
            tuple(f"/api/icd10cm/v3/search?{urlencode({'terms': q, 'maxList': 7})}" for q in CM_FILTERS)
            + tuple(f"/api/hcpcs/v3/search?{urlencode({'terms': q, 'maxList': 7})}" for q in HCPCS_TERMS),
        ),
    ]


async def timed(client: httpx.AsyncClient, urls: Sequence[str], rounds: int) -> list[float]:
    for url in urls:  # warm-up: caches, the index, the first request's set-up
        (await client.get(url)).raise_for_status()
    times = []
    for _ in range(rounds):
        for url in urls:
            started = time.perf_counter()
            response = await client.get(url)
            times.append(time.perf_counter() - started)
            response.raise_for_status()
    return times


def pct(times: Sequence[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


async def measure(
    base: str, transport: httpx.AsyncBaseTransport | None, table: list[Row], rounds: int
) -> dict[str, list[float]]:
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=30) as client:
        return {row.name: await timed(client, row.urls, rounds) for row in table}


# The server of the HTTP rows, in a process of its own (as `medcodes serve` runs), answer cache off.
_SERVER = """
import sys, uvicorn
from pathlib import Path
from medcodes.service import CodeService
from medcodes.web.app import WebOptions, create_app
app = create_app(CodeService.at(Path(sys.argv[1])), WebOptions(cache_size=0), close_service=True)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False, ws="none")
"""


def serve(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    process = subprocess.Popen([sys.executable, "-c", _SERVER, str(db), str(port)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/fhir/metadata", timeout=1).raise_for_status()
            return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the server did not start")


def report(title: str, results: dict[str, list[float]]) -> None:
    base = pct(results["baseline: /api/v1/search"], 0.5)
    print(f"\n{title}")
    print(f"{'row':<30} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'p50/base':>9}")
    for name, times in results.items():
        p50, p99, most = pct(times, 0.5), pct(times, 0.99), max(times) * 1000
        print(f"{name:<30} {len(times):>5} {p50:>8.2f} {p99:>8.2f} {most:>8.2f} {p50 / base:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="a full database (medcodes build --from ../shared/data)")
    parser.add_argument("--rounds", type=int, default=3, help="times each row's requests are sent")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    service = CodeService.at(args.db)
    # The answer cache off: every request is computed, as a first request for it would be.
    app = create_app(service, WebOptions(cache_size=0))
    table = rows(service, args.seed)
    in_process = asyncio.run(measure("http://bench", httpx.ASGITransport(app=app), table, args.rounds))
    report("in process (ASGI transport)", in_process)
    process, url = serve(args.db)
    try:
        over_http = asyncio.run(measure(url, None, table, args.rounds))
    finally:
        process.terminate()
        process.wait(timeout=30)
    report("over HTTP (uvicorn, 127.0.0.1, one connection)", over_http)
    service.close()


if __name__ == "__main__":
    main()
