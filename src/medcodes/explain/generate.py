"""Generating explainers: prompt, ask, parse, validate, retry with the problems fed back; one code or a batch.

Nothing partial is ever stored: an answer becomes an ``Explainer`` only when it parses and passes every
check; otherwise, after ``max_attempts``, the code gets a ``Failure`` row in the log and nothing else. A
batch asks the model from worker threads (at most the client's concurrency) and writes to the explainers
database from the calling thread only, one transaction per code, so an interrupted batch loses nothing and
resumes where it stopped.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from medcodes.errors import MedcodesError
from medcodes.explain.facts import Grounding
from medcodes.explain.llm import ChatClient, LLMError, Usage
from medcodes.explain.prompt import PROMPT_VERSION, messages
from medcodes.explain.schema import json_schema
from medcodes.explain.store import ExplainerStore, Failure
from medcodes.explain.validate import Existing, Problem, parse_answer, validate
from medcodes.models import Explainer, ExplainerStatus, Provenance
from medcodes.systems import NAMES, SystemId

DEFAULT_ATTEMPTS = 2


class NotExplained(MedcodesError):
    """A code (or a whole system) that gets the deterministic explainer only: MS-DRGs, modifiers, chapters."""

    def __init__(self, system: SystemId, code: str | None, reason: str | None = None) -> None:
        what = f"{NAMES[system]} {code}" if code else f"{NAMES[system]}"
        super().__init__(f"{what}: {reason or 'no generated explainer for this kind of code (facts only)'}")
        self.system = system
        self.code = code
        self.hint = f"see its official facts: medcodes explain facts {code}" if code else None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one code's generation came to: an explainer, or a failure (never both)."""

    system: SystemId
    code: str
    explainer: Explainer | None
    failure: Failure | None
    usage: Usage
    attempts: int


class Generator:
    """Turns a Grounding into an Outcome. Thread-safe: code look-ups go through one lock."""

    def __init__(
        self,
        client: ChatClient,
        existing: Existing,
        systems: Sequence[SystemId],
        max_attempts: int = DEFAULT_ATTEMPTS,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.client = client
        self.systems = tuple(systems)
        self.max_attempts = max(1, max_attempts)
        self._existing = existing
        self._lock = threading.Lock()
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))

    def _exists(self, system: SystemId, codes: Sequence[str]) -> list[str]:
        with self._lock:
            return self._existing(system, codes)

    def generate(self, grounding: Grounding) -> Outcome:
        usage = Usage()
        feedback: tuple[Problem, ...] = ()
        reasons: list[str] = []
        model = self.client.config.model
        attempts = 0
        while attempts < self.max_attempts:
            attempts += 1
            try:
                completion = self.client.complete(
                    messages(grounding, feedback), f"{grounding.kind.value}_explainer", json_schema(grounding.kind)
                )
            except LLMError as exc:
                # The client has already retried what can be retried; another attempt would repeat it.
                reasons.append(f"attempt {attempts}: {exc.reason}")
                break
            usage = usage + completion.usage
            model = completion.model or model
            draft, problems = parse_answer(completion.content, grounding.kind)
            if draft is not None:
                problems = validate(draft, grounding, self._exists, self.systems)
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
                return Outcome(grounding.system, grounding.code, explainer, None, usage, attempts)
            feedback = problems
            reasons.extend(f"attempt {attempts}: {p}" for p in problems)
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
        return Outcome(grounding.system, grounding.code, None, failure, usage, attempts)


def keep(outcome: Outcome, store: ExplainerStore) -> None:
    """Store an outcome: the explainer as the code's current one, or the failure in the log."""
    if outcome.explainer is not None:
        store.save(outcome.explainer)
    elif outcome.failure is not None:
        store.record_failure(outcome.failure)


@dataclass(frozen=True, slots=True)
class BatchProgress:
    done: int  # codes finished: generated, failed or skipped
    total: int
    generated: int
    failed: int
    skipped: int
    usage: Usage
    last: str | None = None  # the code just finished


BatchItem = Grounding | str  # a grounding to generate, or the code of one skipped (already current)


def run_batch(
    generator: Generator,
    items: Iterable[BatchItem],
    store: ExplainerStore,
    total: int,
    progress: Callable[[BatchProgress], None] | None = None,
) -> BatchProgress:
    """Generate every grounding of ``items`` (strings count as skipped), storing each outcome as it comes."""
    workers = max(1, generator.client.config.max_concurrency)
    state = BatchProgress(0, total, 0, 0, 0, Usage())

    def report(new: BatchProgress) -> BatchProgress:
        if progress is not None:
            progress(new)
        return new

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="explain") as pool:
        pending: set[Future[Outcome]] = set()
        source: Iterator[BatchItem] = iter(items)
        exhausted = False
        while pending or not exhausted:
            # Keep the workers busy without building every prompt up front.
            while not exhausted and len(pending) < 2 * workers:
                item = next(source, None)
                if item is None:
                    exhausted = True
                elif isinstance(item, str):
                    state = report(_add(state, skipped=1, last=item))
                else:
                    pending.add(pool.submit(generator.generate, item))
            if not pending:
                continue
            try:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            except BaseException:
                # Interrupted (Ctrl-C): drop what has not started; what is stored so far stays complete.
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            for future in finished:
                outcome = future.result()
                keep(outcome, store)
                ok = outcome.explainer is not None
                state = report(
                    _add(state, generated=int(ok), failed=int(not ok), usage=outcome.usage, last=outcome.code)
                )
    return state


def _add(
    state: BatchProgress,
    *,
    generated: int = 0,
    failed: int = 0,
    skipped: int = 0,
    usage: Usage | None = None,
    last: str | None = None,
) -> BatchProgress:
    return BatchProgress(
        state.done + generated + failed + skipped,
        state.total,
        state.generated + generated,
        state.failed + failed,
        state.skipped + skipped,
        state.usage + usage if usage is not None else state.usage,
        last,
    )
