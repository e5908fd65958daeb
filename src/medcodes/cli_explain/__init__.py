"""`medcodes explain`: plain-language explainers on the command line, a thin shell over CodeService.

    medcodes explain CODE                  the official facts in words, and the generated explainer
                                           (generated first when missing and a model server is set)
    medcodes explain show CODE             the same, spelled out
    medcodes explain facts CODE            the official facts in words only (no model)
    medcodes explain generate CODE...      generate explainers for some codes; also --codes FILE (a list,
                                           with counts: the most viewed first), --within CODE, -s SYSTEM;
                                           resumable, concurrent, rate-limited, --dry-run (generate.py)
    medcodes explain review CODE --status reviewed|rejected|generated [--by NAME]
    medcodes explain export FILE.jsonl     a content pack (``-`` for stdout)
    medcodes explain import FILE.jsonl     checked like generated answers; provenance kept
    medcodes explain status                counts by system and status, recent failures

cli.py registers the group with ``main.add_command(explain)``; this module never imports cli.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from medcodes.cli_explain.generate import generate_command
from medcodes.cli_explain.options import LISTED, Server, db_options, settings_for, system_id, system_option
from medcodes.config import Settings
from medcodes.console import Part, errors, line, terminal
from medcodes.explain import pack
from medcodes.explain.store import ExplainerStore
from medcodes.models import Explainer, ExplainerStatus, FactsExplainer, SectionType
from medcodes.service import CodeService
from medcodes.systems import NAMES

_STATUS = click.Choice([s.value for s in ExplainerStatus], case_sensitive=False)


class _CodeFirstGroup(click.Group):
    """`medcodes explain CODE` means `show CODE`; options alone (`medcodes explain --system X --limit N`) mean
    `generate`, a batch."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["show" if self._has_code(args) else "generate", *args]
        return super().parse_args(ctx, args)

    def _has_code(self, args: list[str]) -> bool:
        # Options of show and generate that take a value (the others are flags).
        valued = {
            name
            for command in (self.commands["show"], self.commands["generate"])
            for param in command.params
            if isinstance(param, click.Option) and not param.is_flag
            for name in param.opts
        }
        skip = False
        for arg in args:
            if skip:
                skip = False
            elif arg.startswith("-"):
                skip = arg in valued
            else:
                return True
        return False


@click.group("explain", cls=_CodeFirstGroup, context_settings={"help_option_names": ["-h", "--help"]})
def explain() -> None:
    """Plain-language explainers: the official facts in words, and generated text with provenance.

    `medcodes explain CODE` shows both (and generates the text when it is missing and a model server is set
    with MEDCODES_LLM_BASE_URL and MEDCODES_LLM_MODEL). Generated text is not medical advice.
    """


# ---------------------------------------------------------------------------------------------- show, facts
@explain.command("show")
@click.argument("code")
@system_option
@click.option("--no-generate", is_flag=True, help="Never ask the model server, even when the text is missing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_options
def show_command(  # noqa: PLR0917 - click passes options as arguments
    code: str, system: str | None, no_generate: bool, as_json: bool, db: str | None, explainers_db: str | None
) -> None:
    """The official facts of CODE in words, and its generated explainer."""
    settings = settings_for(db, explainers_db)
    with errors():
        service = CodeService.open(settings)
        explainers = ExplainerStore.open(settings.explainers_path)
        facts = service.explain_facts(code, system_id(system))
        found = service.explainer(facts.code, facts.system, explainers, include_rejected=True)
        note = None
        if found is not None and not found.showable:
            found, note = None, "A reviewer rejected the generated explainer of this code; it is not shown."
        elif found is None and not no_generate:
            found, note = _generate_missing(service, explainers, settings, facts)
    if as_json:
        click.echo(
            json.dumps(
                {"facts": _facts_json(facts), "explainer": _explainer_json(found) if found else None},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    console = terminal()
    _print_facts(console, facts)
    if found is not None:
        _print_explainer(console, found)
    elif note:
        console.print(f"\n{note}", style="dim")


def _generate_missing(
    service: CodeService, explainers: ExplainerStore, settings: Settings, facts: FactsExplainer
) -> tuple[Explainer | None, str | None]:
    if service.explainer_grounding(facts.code, facts.system) is None:
        return None, "This kind of code has the official facts only; no text is generated for it."
    if not settings.llm_base_url or not settings.llm_model:
        return None, (
            "No generated explainer yet. Set MEDCODES_LLM_BASE_URL and MEDCODES_LLM_MODEL to generate one"
            " (docs/explainers.md)."
        )
    with terminal(stderr=True).status(f"Generating the explainer of {facts.code} ..."):
        outcome = service.generate_explainer(facts.code, facts.system, explainers, Server().client(settings))
    if outcome.explainer is None:
        reasons = "; ".join(outcome.failure.reasons) if outcome.failure else "no answer"
        return None, f"Generation failed and nothing was stored: {reasons}"
    return service.explainer(facts.code, facts.system, explainers), None


@explain.command("facts")
@click.argument("code")
@system_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_options
def facts_command(code: str, system: str | None, as_json: bool, db: str | None, explainers_db: str | None) -> None:
    """The official structure and notes of CODE in plain sentences (no model)."""
    with errors():
        facts = CodeService.open(settings_for(db, explainers_db)).explain_facts(code, system_id(system))
    if as_json:
        click.echo(json.dumps(_facts_json(facts), ensure_ascii=False, indent=2))
        return
    _print_facts(terminal(), facts)


def _facts_json(facts: FactsExplainer) -> dict[str, Any]:
    return {
        "system": facts.system.value,
        "code": facts.code,
        "title": facts.title,
        "summary": facts.summary,
        "sections": [
            {
                "heading": s.heading,
                "lines": [
                    {"label": ln.label, "text": ln.text, "definition": ln.definition, "source": ln.source}
                    for ln in s.lines
                ],
            }
            for s in facts.sections
        ],
    }


def _explainer_json(found: Explainer) -> dict[str, Any]:
    return {
        "system": found.system.value,
        "code": found.code,
        "kind": found.kind.value,
        "label": found.label,
        "stale": found.stale,
        "sections": pack.sections_json(found),
        "provenance": pack.provenance_json(found.provenance),
    }


def _print_facts(console: Console, facts: FactsExplainer) -> None:
    console.print(line((facts.code, "bold"), f"  {NAMES[facts.system]}  ", facts.title))
    console.print(facts.summary)
    for section in facts.sections:
        console.print(line("\n", (section.heading, "bold")))
        for fact in section.lines:
            definition: Part = (f" - {fact.definition}", "dim") if fact.definition else ""
            source: Part = (f" (from {fact.source})", "dim") if fact.source else ""
            console.print(line("  ", (f"{fact.label}:", "cyan"), " ", fact.text, definition, source))


def _print_explainer(console: Console, found: Explainer) -> None:
    style = "yellow" if found.stale or found.provenance.status is not ExplainerStatus.REVIEWED else "green"
    console.print(line("\n", (found.label, style)))
    for section in found.sections:
        console.print(line("\n", (section.title, "bold")))
        if section.type is SectionType.TEXT:
            console.print(section.text)
        for number, item in enumerate(section.items, start=1):
            bullet = f"{number}." if section.type is SectionType.STEPS else "-"
            console.print(f"  {bullet} {item}")


# ---------------------------------------------------------------------------------------------- review
@explain.command("review")
@click.argument("code")
@system_option
@click.option("--status", "status", type=_STATUS, required=True, help="reviewed, rejected, or generated (undo).")
@click.option("--by", "reviewer", default=None, help="Who reviewed it.")
@db_options
def review_command(  # noqa: PLR0917 - click passes options as arguments
    code: str, system: str | None, status: str, reviewer: str | None, db: str | None, explainers_db: str | None
) -> None:
    """Record a person's review of CODE's explainer; rejected explainers are never shown."""
    settings = settings_for(db, explainers_db)
    with errors():
        service = CodeService.open(settings)
        explainers = ExplainerStore.open(settings.explainers_path)
        found = service.review_explainer(code, system_id(system), explainers, ExplainerStatus(status.lower()), reviewer)
    terminal().print(f"{found.code} ({NAMES[found.system]}): {found.label}")


# ---------------------------------------------------------------------------------------------- packs
@explain.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@system_option
@click.option(
    "--status",
    "statuses",
    type=_STATUS,
    multiple=True,
    help="Only these statuses (repeatable; default: generated and reviewed).",
)
@db_options
def export_command(
    file: str, system: str | None, statuses: tuple[str, ...], db: str | None, explainers_db: str | None
) -> None:
    """Write explainers to FILE as a content pack (JSON lines; - for stdout)."""
    settings = settings_for(db, explainers_db)
    wanted = tuple(ExplainerStatus(s.lower()) for s in statuses) or (
        ExplainerStatus.GENERATED,
        ExplainerStatus.REVIEWED,
    )
    with errors():
        service = CodeService.open(settings)
        explainers = ExplainerStore.open(settings.explainers_path)
        if file == "-":
            n = service.export_explainers(explainers, sys.stdout.write, system_id(system), wanted)
        else:
            with open(file, "w", encoding="utf-8") as out:
                n = service.export_explainers(explainers, out.write, system_id(system), wanted)
    terminal(stderr=True).print(f"{n} explainer(s) exported")


@explain.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", "replace_existing", is_flag=True, help="Replace explainers this deployment already has.")
@db_options
def import_command(file: str, replace_existing: bool, db: str | None, explainers_db: str | None) -> None:
    """Import a content pack; every explainer is checked against this database first, provenance kept."""
    settings = settings_for(db, explainers_db)
    with errors():
        service = CodeService.open(settings)
        explainers = ExplainerStore.open(settings.explainers_path)
        with open(file, encoding="utf-8") as lines:
            summary = service.import_explainers(explainers, lines, Path(file).name, replace_existing)
    console = terminal()
    console.print(
        f"{summary.added} added, {summary.replaced} replaced, {summary.skipped} kept as they were,"
        f" {len(summary.rejected)} rejected"
    )
    for rejected in summary.rejected:
        console.print(line("  ", (f"line {rejected.line}", "red"), f" {rejected.code or ''}: {rejected.reason}"))
    if summary.rejected:
        sys.exit(1)


# ---------------------------------------------------------------------------------------------- status
@explain.command("status")
@click.option("--failures", "show_failures", is_flag=True, help="List recent failures with their reasons.")
@db_options
def status_command(show_failures: bool, db: str | None, explainers_db: str | None) -> None:
    """How many explainers there are, by system and status, and how many generations failed."""
    settings = settings_for(db, explainers_db)
    with errors():
        explainers = ExplainerStore.open(settings.explainers_path)
        counts = explainers.counts()
        failures = explainers.failures()
    console = terminal()
    console.print(str(settings.explainers_path), style="dim")
    if not counts:
        console.print("No explainers yet.")
    for (system, status), n in sorted(counts.items()):
        console.print(f"  {NAMES[system]:<16} {status.value:<10} {n:>8,}")
    console.print(f"{len(failures):,} failed generation(s) logged")
    if show_failures:
        for failure in failures[-LISTED:]:
            console.print(
                line(
                    "  ",
                    (failure.code, "red"),
                    f" ({failure.system.value}, {failure.at.isoformat()}): " + "; ".join(failure.reasons),
                )
            )


explain.add_command(generate_command)
