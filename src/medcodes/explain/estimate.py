"""A dry run: what a batch would send, in tokens and time, without asking the model anything.

Prompt tokens are counted from the very prompts the batch would send (first attempts; a retry sends the
prompt again), divided by characters per token: measured by the last real run against the same model and
server where there is one (its prompt characters over the prompt tokens the server reported), else the
usual rule of thumb for English text with BPE tokenizers, about 4 characters per token. Completion tokens
per code are the mean of the stored explainers of the same kind where there are some, else the
hand-written example answer of the kind counted the same way.

Time needs a throughput: ``--throughput`` (completion tokens per second that the server sustains over all
requests in flight together), else the codes per second measured by the last real run of the same model
and server. A rate limit bounds it from below either way. Without either, the estimate says how to get one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from medcodes.explain.generate import BatchItem, Skip
from medcodes.explain.prompt import examples, messages
from medcodes.explain.rate import Rate
from medcodes.explain.store import Run
from medcodes.models import ExplainerKind

# OpenAI's rule of thumb for English text ("one token is about four characters").
CHARS_PER_TOKEN = 4.0


@dataclass(frozen=True, slots=True)
class Estimate:
    codes: int  # codes that would be sent to the model
    skips: tuple[tuple[str, int], ...]  # (why, codes) left alone
    prompt_chars: int
    prompt_tokens: int
    completion_tokens: int
    chars_per_token: float
    tokens_basis: str  # where chars_per_token and the completion sizes came from, in words
    seconds: float | None  # None: no throughput known
    time_basis: str

    @property
    def skipped(self) -> int:
        return sum(n for _, n in self.skips)


def estimate(
    items: Iterable[BatchItem],
    *,
    measured: Run | None,
    completions: Mapping[ExplainerKind, tuple[float, int]],
    throughput: float | None = None,
    rate: Rate | None = None,
) -> Estimate:
    """Count what ``items`` would cost (see the module docstring for how)."""
    chars_per_token = CHARS_PER_TOKEN
    basis = [f"{CHARS_PER_TOKEN:g} characters per token (rule of thumb)"]
    if measured is not None and measured.prompt_tokens > 0 and measured.prompt_chars > 0:
        chars_per_token = measured.prompt_chars / measured.prompt_tokens
        basis = [f"{chars_per_token:.2f} characters per token (measured on {measured.started.date().isoformat()})"]
    per_kind = {kind: len(example.answer) / chars_per_token for kind, example in examples().items()}
    for kind, (mean, n) in completions.items():
        per_kind[kind] = mean
        basis.append(f"{kind.value} answers {mean:,.0f} tokens (mean of {n:,} stored)")
    codes = prompt_chars = 0
    completion = 0.0
    skips: Counter[str] = Counter()
    for item in items:
        if isinstance(item, Skip):
            skips[item.reason.value] += 1
            continue
        codes += 1
        prompt_chars += sum(len(m.content) for m in messages(item))
        completion += per_kind.get(item.kind, 0.0)
    seconds, time_basis = _time(codes, completion, measured, throughput, rate)
    return Estimate(
        codes,
        tuple(skips.most_common()),
        prompt_chars,
        round(prompt_chars / chars_per_token),
        round(completion),
        chars_per_token,
        "; ".join(basis),
        seconds,
        time_basis,
    )


def _time(
    codes: int, completion: float, measured: Run | None, throughput: float | None, rate: Rate | None
) -> tuple[float | None, str]:
    seconds: float | None = None
    basis = "no throughput known: give --throughput TOKENS/S, or run a small batch (--limit 20) to measure one"
    if throughput:
        seconds = completion / throughput
        basis = f"{throughput:g} completion tokens/s (stated)"
    elif measured is not None and measured.codes_per_second > 0:
        seconds = codes / measured.codes_per_second
        basis = (
            f"{measured.codes_per_second:.2f} codes/s at concurrency {measured.concurrency}"
            f" (measured on {measured.started.date().isoformat()})"
        )
    if rate is not None:
        floor = codes / rate.per_second
        if seconds is None or floor > seconds:
            seconds = floor
            basis = f"the rate limit, {rate}"
    return seconds, basis
