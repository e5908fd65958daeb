"""`medcodes explain generate`: explainers for many codes against an OpenAI-compatible server, and its dry run.

Which codes: CODES given, a ``--codes`` file (with counts: the most viewed first), the codes ``--within`` a
chapter, block, range or category, or a whole ``--system``. The service plans the batch (what is current
is skipped), runs it ``--concurrency`` at a time under an optional ``--rate``, and stores each explainer as
it arrives. Progress goes to stderr (a live bar in a terminal, plain lines elsewhere), the summary to
stdout. Exit status: 0, or 1 when every code sent failed (or the server refused the requests), 130 when
interrupted (Ctrl-C: in-flight codes are dropped; run the command again to resume).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import TextIO

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from medcodes.cli_explain.options import (
    API_KEY_VARIABLE,
    DEFAULT_MAX_TOKENS,
    DEFAULT_RETRIES,
    LISTED,
    Server,
    db_options,
    settings_for,
    system_id,
    system_option,
)
from medcodes.console import errors, line, terminal
from medcodes.errors import LLMRefused
from medcodes.explain.estimate import Estimate
from medcodes.explain.generate import DEFAULT_ATTEMPTS, DEFAULT_CONCURRENCY, BatchProgress
from medcodes.explain.llm import ChatClient, Usage
from medcodes.explain.rate import Rate
from medcodes.explain.selection import Targets, read_code_list
from medcodes.explain.store import ExplainerStore
from medcodes.service import CodeService

Prices = tuple[float | None, float | None]
# Without a terminal, a progress line every 5% of the batch, or this often when codes come slowly.
_PLAIN_EVERY_S = 30.0


def _rate(ctx: click.Context, param: click.Parameter, value: str | None) -> Rate | None:
    if value is None:
        return None
    try:
        return Rate.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("generate")
@click.argument("codes", nargs=-1)
@system_option
@click.option("--within", metavar="CODE", help="The codes below CODE: a chapter, block, range or category (I21).")
@click.option(
    "--codes",
    "code_list",
    type=click.File("r", encoding="utf-8"),
    help="A file of codes, one a line; a count after each (E11.9,1532) takes the most viewed first. - for stdin.",
)
@click.option("--headings", is_flag=True, help="With --system or --within: non-billable categories too.")
@click.option("--limit", "-n", type=click.IntRange(1), default=None, help="Send at most N codes to the model.")
@click.option("--only-missing", is_flag=True, help="Skip codes that have an explainer, even a stale one.")
@click.option("--force", is_flag=True, help="Regenerate explainers that are still current.")
@click.option("--dry-run", is_flag=True, help="Count the tokens, estimate time and cost; send nothing.")
@click.option(
    "--throughput",
    type=click.FloatRange(0, min_open=True),
    metavar="TOKENS/S",
    help="Dry run: completion tokens per second the server sustains (default: the last run's, measured).",
)
@click.option("--base-url", default=None, help="OpenAI-compatible base URL (default: MEDCODES_LLM_BASE_URL).")
@click.option("--model", default=None, help="Model name (default: MEDCODES_LLM_MODEL).")
@click.option(
    "--api-key-env",
    default=API_KEY_VARIABLE,
    show_default=True,
    metavar="VARIABLE",
    help="Environment variable that holds the API key (never printed or stored).",
)
@click.option("--concurrency", type=click.IntRange(1, 64), default=DEFAULT_CONCURRENCY, show_default=True)
@click.option("--rate", callback=_rate, default=None, help="At most this many requests: 2/s, 120/min, 3000/h.")
@click.option("--stream/--no-stream", default=False, help="Streamed answers (server-sent events); default: no.")
@click.option("--timeout", type=click.FloatRange(1), default=None, help="Seconds to wait for an answer (120).")
@click.option("--retries", type=click.IntRange(0, 10), default=DEFAULT_RETRIES, show_default=True)
@click.option("--attempts", type=click.IntRange(1, 5), default=DEFAULT_ATTEMPTS, show_default=True)
@click.option("--max-tokens", type=click.IntRange(256), default=DEFAULT_MAX_TOKENS, show_default=True)
@click.option("--price-in", type=click.FloatRange(0), default=None, help="USD per million prompt tokens.")
@click.option("--price-out", type=click.FloatRange(0), default=None, help="USD per million completion tokens.")
@db_options
def generate_command(  # noqa: PLR0917 - click passes options as arguments
    codes: tuple[str, ...],
    system: str | None,
    within: str | None,
    code_list: TextIO | None,
    headings: bool,
    limit: int | None,
    only_missing: bool,
    force: bool,
    dry_run: bool,
    throughput: float | None,
    base_url: str | None,
    model: str | None,
    api_key_env: str,
    concurrency: int,
    rate: Rate | None,
    stream: bool,
    timeout: float | None,
    retries: int,
    attempts: int,
    max_tokens: int,
    price_in: float | None,
    price_out: float | None,
    db: str | None,
    explainers_db: str | None,
) -> None:
    """Generate explainers: the CODES given, a --codes list, the codes --within a chapter or range, or a whole
    --system. Resumable: codes whose explainer is current (same facts, prompt and model) are skipped."""
    settings = settings_for(db, explainers_db)
    server = Server(base_url, model, api_key_env, timeout, retries, stream, rate, max_tokens)
    prices = (price_in, price_out)
    listed = list(codes)
    with errors():
        if code_list is not None:
            listed += [w.code for w in read_code_list(code_list, code_list.name)]
        if not listed and within is None and system is None:
            raise click.UsageError("give CODES, --codes FILE, --within CODE or --system SYSTEM")
        service = CodeService.open(settings)
        explainers = ExplainerStore.open(settings.explainers_path)
        targets = service.explainer_targets(system=system_id(system), within=within, codes=listed, headings=headings)
        _print_left_out(targets)
        if not targets.concepts:
            click.echo("No code to explain.", err=True)
            sys.exit(1)
        if dry_run:
            found = service.estimate_explainers(
                targets,
                explainers,
                model=server.model_in(settings),
                endpoint=server.endpoint_in(settings),
                limit=limit,
                only_missing=only_missing,
                force=force,
                throughput=throughput,
                rate=rate,
            )
            _print_estimate(found, concurrency, prices)
            return
        client = server.client(settings)
        plan = _Plan(targets, limit, only_missing, force, attempts, concurrency)
        final = _run(service, explainers, client, plan, prices)
    if final.failed and not final.generated:
        sys.exit(1)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What to run, as the options say."""

    targets: Targets
    limit: int | None
    only_missing: bool
    force: bool
    attempts: int
    concurrency: int

    @property
    def total(self) -> int:
        n = len(self.targets.concepts)
        return min(self.limit, n) if self.limit is not None else n


def _run(
    service: CodeService, explainers: ExplainerStore, client: ChatClient, plan: _Plan, prices: Prices
) -> BatchProgress:
    display = _Display(terminal(stderr=True), counted=plan.limit is not None, prices=prices)
    state = BatchProgress(plan.total)

    def progress(p: BatchProgress) -> None:
        nonlocal state
        state = p
        display.update(p)

    try:
        with display:
            service.generate_explainers(
                plan.targets,
                explainers,
                client,
                limit=plan.limit,
                only_missing=plan.only_missing,
                force=plan.force,
                max_attempts=plan.attempts,
                concurrency=plan.concurrency,
                progress=progress,
            )
    except KeyboardInterrupt:
        _print_summary(state, prices)
        again = "the same command without --force" if plan.force else "the same command"
        click.echo(
            f"Interrupted: {state.in_flight} code(s) in flight were dropped, nothing stored for them."
            f" Run {again} again to resume."
        )
        sys.exit(130)
    except LLMRefused:
        _print_summary(state, prices)
        raise
    _print_summary(state, prices)
    return state


class _Display:
    """Progress on stderr: a live bar in a terminal; elsewhere (a log, a pipe) a plain line every 5% or 30 s."""

    def __init__(self, console: Console, *, counted: bool, prices: Prices) -> None:
        self.console = console
        self.counted = counted  # with --limit the bar counts codes sent, else every code of the batch
        self.prices = prices
        self.live = console.is_terminal
        self.bar = Progress(
            TextColumn("explainers", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}", markup=False),
            TextColumn("{task.fields[tokens]}", markup=False),
            TimeElapsedColumn(),
            TextColumn("ETA {task.fields[eta]}", markup=False),
            console=console,
            transient=True,
        )
        self.task = self.bar.add_task("explainers", total=None, counts="", tokens="", eta="-")
        self._line_at = (-1, time.monotonic())

    def __enter__(self) -> _Display:
        if self.live:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self.bar.stop()

    def update(self, p: BatchProgress) -> None:
        completed = p.generated + p.failed + (0 if self.counted else p.skipped)
        counts = f"ok {p.generated:,}  failed {p.failed:,}  skipped {p.skipped:,}  in flight {p.in_flight}"
        tokens = f"{p.usage.total_tokens:,} tokens  {_cost(p.usage, self.prices)}"
        speed = p.codes_per_second
        # Codes still to be skipped make this an upper bound: skipping takes no time.
        eta = _duration((p.total - completed) / speed) if speed > 0 and p.total >= completed else "-"
        if self.live:
            self.bar.update(self.task, total=p.total, completed=completed, counts=counts, tokens=tokens, eta=eta)
            return
        step = max(1, p.total // 20)
        last_count, last_time = self._line_at
        if completed // step > last_count // step or time.monotonic() - last_time >= _PLAIN_EVERY_S:
            self._line_at = (completed, time.monotonic())
            self.console.print(f"{completed:,}/{p.total:,}  {counts}  {tokens}  {speed:.2f} codes/s  ETA {eta}")


def _print_left_out(targets: Targets) -> None:
    console = terminal(stderr=True)
    for text, why in targets.unknown[:LISTED]:
        console.print(line(("left out", "yellow"), f" {text}: {why}"))
    if len(targets.unknown) > LISTED:
        console.print(line(("left out", "yellow"), f" {len(targets.unknown) - LISTED:,} more"))


def _print_estimate(found: Estimate, concurrency: int, prices: Prices) -> None:
    skipped = f" ({_counts(found.skips)})" if found.skips else ""
    rows = [
        ("codes to send", f"{found.codes:,}", f"{found.skipped:,} left alone{skipped}"),
        ("prompt tokens", f"~{found.prompt_tokens:,}", f"from {found.prompt_chars:,} characters of prompts"),
        ("completion tokens", f"~{found.completion_tokens:,}", ""),
        ("tokens counted by", "", found.tokens_basis),
        ("time", f"~{_duration(found.seconds)}" if found.seconds is not None else "?", found.time_basis),
        ("concurrency", str(concurrency), "a measured time holds for the concurrency it was measured at"),
        ("cost", _cost(Usage(found.prompt_tokens, found.completion_tokens), prices), ""),
    ]
    lines = ["Dry run: nothing was sent to the model."]
    lines += [f"  {name:<18} {value:>12}   {note}".rstrip() for name, value, note in rows]
    click.echo("\n".join(lines))


def _print_summary(p: BatchProgress, prices: Prices) -> None:
    console = terminal()
    skipped = f" ({_counts(p.skips)})" if p.skips else ""
    usage = p.usage
    console.print(
        f"{p.generated:,} generated, {p.failed:,} failed (nothing stored for them), {p.skipped:,} skipped{skipped};"
        f" {usage.total_tokens:,} tokens ({usage.prompt_tokens:,} in, {usage.completion_tokens:,} out),"
        f" {_cost(usage, prices)}; {_duration(p.elapsed_s)}, {p.codes_per_second:.2f} codes/s"
    )
    if p.causes:
        console.print(f"Failed, by cause: {_counts(p.causes)}")
    for code, reason in p.failures:
        console.print(line("  ", (code, "red"), f": {reason}"))
    if p.failed:
        console.print("Every failure and its reasons: medcodes explain status --failures")


def _cost(usage: Usage, prices: Prices) -> str:
    price_in, price_out = prices
    if price_in is None and price_out is None:
        return "cost: give --price-in/--price-out"
    dollars = usage.prompt_tokens * (price_in or 0) / 1e6 + usage.completion_tokens * (price_out or 0) / 1e6
    return f"~${dollars:,.4f}"


def _counts(pairs: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{why} {n:,}" for why, n in pairs)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"
