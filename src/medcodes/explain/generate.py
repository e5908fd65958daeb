"""Generating explainers: prompt, ask, parse, validate, retry with the problems fed back; one code or a batch.

Nothing partial is ever stored: an answer becomes an ``Explainer`` only when it parses and passes every
check; otherwise, after ``max_attempts``, the code gets a ``Failure`` row in the log and nothing else.

A batch runs on one event loop: ``concurrency`` workers take the next item from one shared stream (the
service builds each grounding as it is taken, so no prompt is built long before it is sent), ask the model
and store each outcome in its own transaction as it arrives. So a killed batch loses at most the codes in
flight, and the next run skips what is stored (``skip_reason``). A server that refuses the requests
themselves (``LLMRefused``: a bad key, an unknown model) stops the batch at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from medcodes.errors import LLMError, LLMRefused
from medcodes.explain.facts import Grounding
from medcodes.explain.llm import ChatClient, Usage
from medcodes.explain.prompt import PROMPT_VERSION, messages
from medcodes.explain.schema import json_schema
from medcodes.explain.store import ExplainerStore, Failure, Stamp
from medcodes.explain.validate import Check, Existing, Problem, parse_answer, validate
from medcodes.models import Explainer, ExplainerStatus, Provenance
from medcodes.systems import SystemId

DEFAULT_ATTEMPTS = 2
DEFAULT_CONCURRENCY = 4
# The summary lists this many failed codes with their reasons; `medcodes explain status --failures` has all.
LISTED_FAILURES = 10


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one code's generation came to: an explainer, or a failure (never both)."""

    system: SystemId
    code: str
    explainer: Explainer | None
    failure: Failure | None
    usage: Usage
    attempts: int
    causes: tuple[str, ...] = ()  # why it failed, in a few words each (a Check, or "no answer: timeout")
    prompt_chars: int = 0  # of every prompt sent for it


class Generator:
    """Turns a Grounding into an Outcome, asking ``client`` (which must be open: ``async with client``)."""

    def __init__(
        self,
        client: ChatClient,
        existing: Existing,
        systems: Iterable[SystemId],
        max_attempts: int = DEFAULT_ATTEMPTS,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.client = client
        self.systems = tuple(systems)
        self.max_attempts = max(1, max_attempts)
        self._existing = existing
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))

    async def generate(self, grounding: Grounding) -> Outcome:
        """Ask, check, and ask again with the problems listed; LLMRefused propagates (no code would do better)."""
        usage = Usage()
        feedback: tuple[Problem, ...] = ()
        reasons: list[str] = []
        causes: tuple[str, ...] = ()
        model = self.client.config.model
        attempts = chars = 0
        while attempts < self.max_attempts:
            attempts += 1
            asked = messages(grounding, feedback)
            chars += sum(len(m.content) for m in asked)
            try:
                completion = await self.client.complete(
                    asked, f"{grounding.kind.value}_explainer", json_schema(grounding.kind)
                )
            except LLMRefused:
                raise
            except LLMError as exc:
                # The client has already retried what can be retried; another attempt would repeat it.
                reasons.append(f"attempt {attempts}: {exc.reason}")
                causes = (f"no answer: {exc.cause}",)
                break
            usage = usage + completion.usage
            model = completion.model or model
            draft, problems = parse_answer(completion.content, grounding.kind)
            if draft is not None:
                problems = validate(draft, grounding, self._existing, self.systems)
            if draft is not None and not problems:
                provenance = Provenance(
                    model=model,
                    endpoint=self.client.config.endpoint,
                    prompt_version=PROMPT_VERSION,
                    facts_hash=grounding.facts_hash,
                    release=grounding.release,
                    created=self._clock(),
                    status=ExplainerStatus.GENERATED,
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                )
                explainer = Explainer(grounding.system, grounding.code, grounding.kind, draft.sections, provenance)
                return Outcome(grounding.system, grounding.code, explainer, None, usage, attempts, (), chars)
            if completion.finish_reason == "length":
                cut = Problem(None, "the answer was cut off at the token limit: write it shorter", Check.CUT_OFF)
                problems = (cut, *problems)
            feedback = problems
            reasons.extend(f"attempt {attempts}: {p}" for p in problems)
            causes = tuple(dict.fromkeys(p.check.value for p in problems))
        failure = Failure(
            grounding.system,
            grounding.code,
            self._clock(),
            model,
            self.client.config.endpoint,
            PROMPT_VERSION,
            grounding.facts_hash,
            attempts,
            tuple(reasons),
            usage.prompt_tokens,
            usage.completion_tokens,
        )
        return Outcome(grounding.system, grounding.code, None, failure, usage, attempts, causes, chars)


def keep(outcome: Outcome, store: ExplainerStore, requested_model: str | None = None) -> None:
    """Store an outcome: the explainer as the code's current one, or the failure in the log."""
    if outcome.explainer is not None:
        store.save(outcome.explainer, requested_model)
    elif outcome.failure is not None:
        store.record_failure(outcome.failure)


# ---------------------------------------------------------------------------------------------- resuming
class SkipReason(StrEnum):
    CURRENT = "current"  # same facts, prompt version and model
    REVIEWED = "reviewed or rejected"  # a person's decision; redone only when the facts change (or --force)
    HAS_ONE = "has one"  # --only-missing
    FACTS_ONLY = "facts only"  # a kind of code that gets no generated explainer


@dataclass(frozen=True, slots=True)
class Skip:
    system: SystemId
    code: str
    reason: SkipReason


BatchItem = Grounding | Skip  # a grounding to generate, or a code left alone


def skip_reason(
    stamp: Stamp | None, grounding: Grounding, model: str | None, *, force: bool = False
) -> SkipReason | None:
    """Why a batch leaves a code's explainer as it is, or None to (re)generate it.

    Current: the same facts, prompt version and model (``model`` None: any model's). A person's review
    stands until the facts change. ``--only-missing`` (SkipReason.HAS_ONE) is decided before, by the service.
    """
    if stamp is None or force:
        return None
    if stamp.facts_hash != grounding.facts_hash:
        return None  # stale: the release changed the code's facts
    if stamp.status is not ExplainerStatus.GENERATED:
        return SkipReason.REVIEWED
    if stamp.prompt_version != PROMPT_VERSION:
        return None
    if model is not None and model not in (stamp.requested_model, stamp.model):
        return None
    return SkipReason.CURRENT


# ---------------------------------------------------------------------------------------------- a batch
@dataclass(frozen=True, slots=True)
class BatchProgress:
    total: int  # codes in the batch (with a limit: codes it may generate)
    generated: int = 0
    failed: int = 0
    skipped: int = 0
    usage: Usage = field(default_factory=Usage)
    elapsed_s: float = 0.0
    in_flight: int = 0
    requests: int = 0  # HTTP requests, retries included
    prompt_chars: int = 0
    last: str | None = None  # the code just finished
    skips: tuple[tuple[str, int], ...] = ()  # (SkipReason, codes), most first
    causes: tuple[tuple[str, int], ...] = ()  # (why, codes that failed so), most first
    failures: tuple[tuple[str, str], ...] = ()  # (code, last reason) of the first LISTED_FAILURES failures

    @property
    def done(self) -> int:
        return self.generated + self.failed + self.skipped

    @property
    def codes_per_second(self) -> float:
        return (self.generated + self.failed) / self.elapsed_s if self.elapsed_s > 0 else 0.0


class Batch:
    """One run over a stream of items with at most ``concurrency`` requests in flight.

    ``state`` is always the latest progress, also after an interruption (``KeyboardInterrupt``, a cancelled
    task): in-flight codes are then dropped unstored and the next run does them.
    """

    def __init__(
        self,
        generator: Generator,
        store: ExplainerStore,
        *,
        total: int,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Callable[[BatchProgress], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.generator = generator
        self.store = store
        self.total = total
        self.concurrency = max(1, concurrency)
        self._progress = progress
        self._clock = clock
        self._started = clock()
        self._finished: float | None = None
        self._generated = self._failed = self._in_flight = self._chars = 0
        self._usage = Usage()
        self._skips: Counter[str] = Counter()
        self._causes: Counter[str] = Counter()
        self._failures: list[tuple[str, str]] = []
        self._last: str | None = None

    @property
    def state(self) -> BatchProgress:
        return BatchProgress(
            total=self.total,
            generated=self._generated,
            failed=self._failed,
            skipped=sum(self._skips.values()),
            usage=self._usage,
            elapsed_s=(self._finished if self._finished is not None else self._clock()) - self._started,
            in_flight=self._in_flight,
            requests=self.generator.client.requests,
            prompt_chars=self._chars,
            last=self._last,
            skips=tuple(self._skips.most_common()),
            causes=tuple(self._causes.most_common()),
            failures=tuple(self._failures),
        )

    async def run(self, items: Iterable[BatchItem]) -> BatchProgress:
        """Generate every grounding of ``items``, storing each outcome as it comes; returns the final state."""
        source = iter(items)
        self._started = self._clock()
        tasks = [asyncio.create_task(self._work(source)) for _ in range(self.concurrency)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            # A refused request, an interruption: stop every worker; what is stored so far stays complete.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        finally:
            self._finished = self._clock()
        self._report()
        return self.state

    async def _work(self, source: Iterable[BatchItem]) -> None:
        # Workers share one iterator; taking an item never awaits, so no two take the same one.
        for item in source:
            if isinstance(item, Skip):
                self._skips[item.reason.value] += 1
                self._last = item.code
                self._report()
                await asyncio.sleep(0)  # a long run of skipped codes still lets Ctrl-C and the other workers in
                continue
            self._in_flight += 1
            self._report()
            try:
                outcome = await self.generator.generate(item)
            finally:
                self._in_flight -= 1
            keep(outcome, self.store, self.generator.client.config.model)
            self._count(outcome)
            self._report()

    def _count(self, outcome: Outcome) -> None:
        self._usage = self._usage + outcome.usage
        self._chars += outcome.prompt_chars
        self._last = outcome.code
        if outcome.explainer is not None:
            self._generated += 1
            return
        self._failed += 1
        self._causes.update(outcome.causes)
        if len(self._failures) < LISTED_FAILURES and outcome.failure is not None:
            self._failures.append((outcome.code, outcome.failure.reasons[-1] if outcome.failure.reasons else ""))

    def _report(self) -> None:
        if self._progress is not None:
            self._progress(self.state)
