"""Explainer generation end to end: codes per second by concurrency, against a loopback chat-completions server.

    python bench/explain.py --db /tmp/mc/full.db [--system icd10cm] [--within 9] [--codes 120]
                            [--latency 0.25] [--concurrency 1 8] [--stream] [--repeat 3]

The server (tests/llm_server.py, on 127.0.0.1) answers every request after ``--latency`` seconds with the
hand-written example answer of the kind it is asked for, so that every answer passes the checks and is
stored, as a model that takes that long per answer would. Each run sends the same first ``--codes`` codes
(of ``--within``, else of ``--system``) through ``CodeService.generate_explainers`` into a fresh explainers
database: facts, prompt, HTTP, parsing, validation, storage. Prints, per concurrency, the median over
``--repeat`` runs of codes per second and its ratio to the first concurrency listed. With ``--latency 0``
the numbers are the client's own cost per code (no model time at all).

No real model is involved; the latency stands for one. A real server's codes per second at a concurrency
depends on how many requests it batches at once (vLLM, llama-server -np, OLLAMA_NUM_PARALLEL).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, where bench/http.py would hide the standard
# library's http package from httpx: put the repository root (which holds tests/llm_server.py) there instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from tests.llm_server import MODEL, LoopbackServer, Reply

from medcodes.explain.llm import ChatClient, LLMConfig
from medcodes.explain.prompt import examples
from medcodes.explain.selection import Targets
from medcodes.explain.store import ExplainerStore
from medcodes.models import ExplainerKind
from medcodes.service import CodeService
from medcodes.systems import SystemId


def responder(latency: float, stream: bool) -> LoopbackServer:
    answers = {f"{kind.value}_explainer": example.answer for kind, example in examples().items()}

    def reply(body: dict[str, object]) -> Reply:
        response_format = body.get("response_format")
        name = ""
        if isinstance(response_format, dict) and isinstance(response_format.get("json_schema"), dict):
            name = str(response_format["json_schema"].get("name", ""))
        content = answers.get(name, answers[f"{ExplainerKind.DIAGNOSIS.value}_explainer"])
        return Reply(content=content, delay=latency, stream=stream, prompt_tokens=2900, completion_tokens=950)

    return LoopbackServer(responder=reply)


def one_run(service: CodeService, targets: Targets, base_url: str, concurrency: int, stream: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        explainers = ExplainerStore.open(Path(folder) / "explainers.db")
        client = ChatClient(LLMConfig(base_url, MODEL, stream=stream, timeout_s=60))
        final = service.generate_explainers(targets, explainers, client, concurrency=concurrency)
        explainers.close()
    if final.failed:
        print(f"  {final.failed} failed: {final.causes}", file=sys.stderr)
    return final.codes_per_second, final.generated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--system", default="icd10cm")
    parser.add_argument("--within", default="9", help="a chapter, block or category (default: chapter 9)")
    parser.add_argument("--codes", type=int, default=120)
    parser.add_argument("--latency", type=float, default=0.25, help="seconds the server takes per answer")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    service = CodeService.at(args.db)
    found = service.explainer_targets(system=SystemId(args.system), within=args.within or None)
    targets = Targets(found.concepts[: args.codes])
    mode = "streamed" if args.stream else "whole"
    print(f"{len(targets.concepts)} codes of {args.system} {args.within}, latency {args.latency:g} s, {mode} answers")
    print(f"{'concurrency':>11} {'codes/s':>9} {'ratio':>6} {'stored':>7}  runs (codes/s)")
    with responder(args.latency, args.stream) as server:
        one_run(service, Targets(targets.concepts[:2]), server.base_url, 1, args.stream)  # warm-up
        baseline = None
        for concurrency in args.concurrency:
            runs = [one_run(service, targets, server.base_url, concurrency, args.stream) for _ in range(args.repeat)]
            median = statistics.median(r[0] for r in runs)
            baseline = baseline or median
            each = " ".join(f"{r[0]:.2f}" for r in runs)
            print(f"{concurrency:>11} {median:>9.2f} {median / baseline:>5.2f}x {runs[-1][1]:>7}  {each}")
    service.close()


if __name__ == "__main__":
    main()
