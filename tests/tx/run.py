"""Replay HL7's terminology-ecosystem tests against medcodes and print the pass count per suite.

    python -m tests.tx.run                  # in process, over a small fixture database
    python -m tests.tx.run --url http://127.0.0.1:8000/fhir
    python -m tests.tx.run --suite simple-cases --show-failures
    python -m tests.tx.run --record         # rewrite tests/tx/passing.json (what CI asserts)

The cases live in ../shared/tx-ecosystem (see tests/tx/harness.py for how answers are compared).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.tx import harness

PASSING = Path(__file__).with_name("passing.json")


@contextmanager
def in_process() -> Iterator[harness.Post]:
    """A post function over the app on a small fixture database, without a network."""
    from fastapi.testclient import TestClient

    from medcodes.service import CodeService
    from medcodes.web.app import create_app
    from tests.test_web_support import web_db

    with tempfile.TemporaryDirectory() as folder:
        service = CodeService.at(web_db(Path(folder)))
        with TestClient(create_app(service, close_service=True), raise_server_exceptions=False) as client:

            def send(method: str, url: str, **kw: Any) -> Any:
                return client.request(method, "/fhir/" + url, **kw)

            yield _poster(send)


@contextmanager
def over_http(base: str) -> Iterator[harness.Post]:
    with httpx.Client(timeout=30) as client:

        def send(method: str, url: str, **kw: Any) -> httpx.Response:
            return client.request(method, base.rstrip("/") + "/" + url, **kw)

        yield _poster(send)


def _poster(send: Callable[..., Any]) -> harness.Post:
    def post(path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        wanted = {"accept": "application/fhir+json", **headers}
        if body is None:
            response = send("GET", path, headers=wanted)
        else:
            wanted["content-type"] = "application/fhir+json"
            response = send("POST", path, content=json.dumps(body), headers=wanted)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, {"text": response.text[:500]}

    return post


def run_all(post: harness.Post, suite: str | None = None) -> list[harness.Outcome]:
    return [harness.run(case, post) for case in harness.cases() if suite is None or case.suite == suite]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server's FHIR base (default: in process)")
    parser.add_argument("--suite", help="only this suite")
    parser.add_argument("--show-failures", action="store_true", help="print why each failing test failed")
    parser.add_argument("--test", help="only the test of this name; print its answer")
    parser.add_argument("--record", action="store_true", help=f"write the passing tests to {PASSING.name}")
    args = parser.parse_args(argv)
    if not harness.available():
        print(f"no test cases at {harness.ROOT}", file=sys.stderr)
        return 2
    with over_http(args.url) if args.url else in_process() as post:
        outcomes = run_all(post, args.suite)
    if args.test:
        outcomes = [o for o in outcomes if o.case.name == args.test]
        for o in outcomes:
            print(json.dumps(o.answer, indent=1))
    if args.show_failures:
        for o in outcomes:
            if not o.passed:
                print(f"FAIL {o.case.id}: {o.message}")
    totals = harness.summary(outcomes)
    width = max(len(s) for s in totals)
    for suite, (passed, total) in totals.items():
        print(f"{suite:<{width}}  {passed:>3} / {total}")
    passed = sum(p for p, _ in totals.values())
    print(f"{'all':<{width}}  {passed:>3} / {sum(t for _, t in totals.values())}")
    if args.record:
        PASSING.write_text(json.dumps(sorted(o.case.id for o in outcomes if o.passed), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
