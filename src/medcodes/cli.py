"""The command line: a thin shell over CodeService and build."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from medcodes import __version__
from medcodes.build import BuildSummary
from medcodes.cli_explain import explain
from medcodes.config import Settings, default_data_dir
from medcodes.console import errors
from medcodes.errors import MedcodesError, QueryError
from medcodes.models import ConceptDetail, Relation, SearchResult, SimilarCode
from medcodes.service import CodeService, build_database
from medcodes.sources.download import Downloaded, download
from medcodes.sources.manifest import MANIFEST, select
from medcodes.systems import NAMES, SystemId, UnknownSystem

SYSTEM_CHOICE = click.Choice([s.value for s in SystemId], case_sensitive=False)
_JSONL_DEFAULT_LIMIT = 10


def _service(db: str | None) -> CodeService:
    return CodeService.open(Settings.from_env(db=db))


db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Database file (default: MEDCODES_DB, else the user data folder).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="medcodes")
def main() -> None:
    """Search all medical codes and explain each one in plain language."""


# ---------------------------------------------------------------------------------------------- build
@main.command("build")
@click.option(
    "--from",
    "source",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of official release files (default: the embedded ICD-10-CM April 2026 tabular list).",
)
@click.option(
    "--cpt-licence",
    default=None,
    metavar="TEXT",
    help="The CPT licence you hold (e.g. 'AMA distribution licence #123'): CPT files are loaded only with one.",
)
@db_option
def build_command(source: str | None, cpt_licence: str | None, db: str | None) -> None:
    """Build the database from official release files; the old database is replaced only on success."""
    settings = Settings.from_env(db=db)
    console = Console(stderr=True)
    with (
        errors(),
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar,
    ):
        tasks: dict[str, Any] = {}

        def progress(description: str, done: int, total: int) -> None:
            for other, task in tasks.items():
                if other != description:
                    bar.update(task, completed=bar.tasks[task].total)
            if description not in tasks:
                tasks[description] = bar.add_task(description, total=max(total, 1))
            bar.update(tasks[description], completed=done)

        summary = build_database(settings.db_path, Path(source) if source else None, progress, cpt_licence)
    _print_summary(Console(), summary)


def _print_summary(console: Console, summary: BuildSummary) -> None:
    table = Table(title=f"Built {summary.db_path}")
    columns = (
        "system",
        "release",
        "concepts",
        "billable",
        "designations",
        "notes",
        "properties",
        "relations",
        "history",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in ("system", "release") else "right")
    for s in summary.systems:
        table.add_row(
            s.system.value,
            s.version,
            *(
                f"{n:,}"
                for n in (s.concepts, s.billable, s.designations, s.notes, s.properties, s.relations, s.history)
            ),
        )
    console.print(table)
    for s in summary.systems:
        for warning in s.warnings:
            console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    for link in summary.links:
        console.print(
            f"[bold]{link.name}[/] ({link.version}): "
            f"{sum(link.relations.values()):,} relation rows, {link.history:,} history events",
            highlight=False,
        )
        for kind, n in link.relations.items():
            console.print(f"  {kind}: {n:,}", highlight=False)
        for where, n in ((w, n) for w, n in link.missing.items() if n):
            console.print(f"  [yellow]{n:,} rows name a code absent from {where}[/] (kept, unlinked)", highlight=False)
        for warning in link.warnings[:5]:
            console.print(f"  [yellow]warning:[/] {warning}", highlight=False)
        if len(link.warnings) > 5:
            console.print(f"  [dim]... and {len(link.warnings) - 5} more warnings[/]", highlight=False)
    for note in summary.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    if summary.ignored:
        console.print(
            f"[dim]{len(summary.ignored)} file(s) recognised but not used (an older release, or"
            " another release's addenda):[/]",
            highlight=False,
        )
        for path in summary.ignored:
            console.print(f"  [dim]{path}[/]", highlight=False)
    console.print(f"{summary.seconds:.1f} s, {summary.size_bytes / 1e6:.1f} MB")


# ---------------------------------------------------------------------------------------------- download
@main.command("download")
@click.argument("systems", nargs=-1, type=SYSTEM_CHOICE)
@click.option(
    "--release",
    default=None,
    metavar="YEAR",
    help="Release to fetch: 2026, or 2026-01 where a publisher releases more often (default: the newest known).",
)
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the files (default: downloads/ in the user data folder).",
)
@click.option("--force", is_flag=True, help="Fetch files again even when they are already complete.")
@click.option("--list", "list_only", is_flag=True, help="List the release files medcodes knows, and exit.")
def download_command(
    systems: tuple[str, ...], release: str | None, folder: str | None, force: bool, list_only: bool
) -> None:
    """Fetch official release files from their publishers (CMS, CDC, WHO).

    Without SYSTEM, every system with an official download. An interrupted transfer resumes on the next run;
    a file that does not match the publisher's sha256 is rejected. MEDCODES_MIRROR (a URL or a folder) replaces
    the publishers' hosts.
    """
    target = Path(folder) if folder else default_data_dir() / "downloads"
    with errors():
        if list_only:
            _print_known_files(Console(), systems)
            return
        files = select(systems, release)
        mirror = Settings.from_env().mirror
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(name: str, done: int, total: int | None) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(name, total=total)
                bar.update(tasks[name], completed=done, total=total)

            fetched = download(files, target, mirror=mirror, progress=progress, force=force)
    _print_downloads(Console(), target, fetched)


def _print_known_files(console: Console, systems: tuple[str, ...]) -> None:
    wanted = {SystemId(s.lower()) for s in systems} or set(SystemId)
    table = Table(title="Official release files medcodes knows")
    for column in ("system", "release", "publisher", "file", "contains", "sha256", "URL checked"):
        table.add_column(column)
    for f in MANIFEST:
        if wanted & set(f.systems):
            table.add_row(
                ", ".join(NAMES[s] for s in f.systems),
                f.release,
                f.publisher.value,
                f.name,
                f.contains,
                "known" if f.sha256 else "-",
                "yes" if f.verified else "no",
            )
    console.print(table)


def _print_downloads(console: Console, folder: Path, fetched: tuple[Downloaded, ...]) -> None:
    table = Table(title=f"Downloaded to {folder}")
    for column in ("system", "release", "file", "size", "sha256", "checked", "status"):
        table.add_column(column, justify="right" if column == "size" else "left")
    for d in fetched:
        table.add_row(
            ", ".join(NAMES[s] for s in d.file.systems),
            d.file.release,
            d.file.name,
            f"{d.size / 1e6:.1f} MB",
            d.sha256[:12],
            "publisher's sha256" if d.file.sha256 else "archive reads",
            d.status.value,
        )
    console.print(table)
    console.print(f"Next: medcodes build --from {folder}", highlight=False)


# ---------------------------------------------------------------------------------------------- show
def _detail_json(detail: ConceptDetail) -> dict[str, Any]:
    c = detail.concept
    return {
        "system": c.system.value,
        "code": c.code,
        "title": c.title,
        "short_title": c.short_title,
        "kind": c.kind.value,
        "billable": c.billable,
        "parent": c.parent,
        "release": detail.release.version if detail.release else None,
        "ancestors": [{"code": a.code, "title": a.title, "kind": a.kind.value} for a in detail.ancestors],
        "children": [{"code": k.code, "title": k.title, "billable": k.billable} for k in detail.children],
        "notes": [
            {"kind": n.kind.value, "text": n.text, "character": n.character, "inherited_from": n.inherited_from}
            for n in detail.notes
        ],
        "designations": [
            {"kind": d.kind.value, "text": d.text, "source": d.source, "via": d.via} for d in detail.designations
        ],
        "properties": [
            {"name": p.name, "value": p.value, "label": p.label, "definition": p.definition} for p in detail.properties
        ],
        "relations": [_relation_json(r) for r in detail.relations],
        "history": [
            {
                "kind": h.kind.value,
                "release": h.release,
                "effective": h.effective.isoformat() if h.effective else None,
                "old_title": h.old_title,
                "new_title": h.new_title,
                "replaced_by": list(h.replaced_by),
            }
            for h in detail.history
        ],
        "licence": detail.release.licence if detail.release else None,
    }


def _relation_json(r: Relation) -> dict[str, Any]:
    from medcodes.web import shapes  # the web stack loads only for the commands that print its JSON

    return dict(shapes.relation_json(r))


as_of_option = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Answer for the release in force on this date (YYYY-MM-DD), from the code history loaded.",
)


@main.command("show")
@click.argument("code")
@click.option("--system", "-s", type=SYSTEM_CHOICE, default=None, help="Code system (default: any loaded).")
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def show_command(code: str, system: str | None, as_of: dt.datetime | None, as_json: bool, db: str | None) -> None:
    """Every fact of one code: titles, hierarchy, notes (with where each is inherited from), children."""
    with errors():
        service = _service(db)
        detail = service.show(code, SystemId(system.lower()) if system else None, as_of.date() if as_of else None)
    if as_json:
        click.echo(json.dumps(_detail_json(detail), ensure_ascii=False, indent=2))
        return
    console = Console()
    c = detail.concept
    console.print(
        f"[bold]{c.code}[/]  {NAMES[c.system]}  "
        f"{'[green]billable[/]' if c.billable else '[dim]' + c.kind.value + '[/]'}",
        highlight=False,
    )
    console.print(c.title, highlight=False)
    if c.short_title and c.short_title != c.title:
        console.print(f"[dim]short:[/] {c.short_title}", highlight=False)
    if detail.ancestors:
        console.print(" > ".join(f"{a.code} {a.title}" for a in detail.ancestors), style="dim", highlight=False)
    for note in detail.notes:
        label = note.kind.value.replace("_", " ")
        char = f"{note.character}: " if note.character else ""
        inherited = f" [dim](inherited from {note.inherited_from})[/]" if note.inherited_from else ""
        console.print(f"  [cyan]{label}[/] {char}{note.text}{inherited}", highlight=False)
    for prop in detail.properties:
        label = f" {prop.label}" if prop.label else ""
        console.print(f"  [green]{prop.name}[/] {prop.value}{label}", highlight=False)
    for relation in detail.relations[:30]:
        other = (
            f"{relation.target_system.value} {relation.target_code}"
            if relation.source_code == c.code and relation.source_system is c.system
            else f"{relation.source_system.value} {relation.source_code} (to this code)"
        )
        flags = f" [dim]({', '.join(relation.flags)})[/]" if relation.flags else ""
        console.print(f"  [blue]{relation.kind.value}[/] {other}{flags}", highlight=False)
    for event in detail.history:
        when = event.effective.isoformat() if event.effective else event.release
        change = f": {event.old_title} -> {event.new_title}" if event.old_title and event.new_title else ""
        replaced = f", replaced by {', '.join(event.replaced_by)}" if event.replaced_by else ""
        console.print(f"  [yellow]{event.kind.value}[/] {when}{change}{replaced}", highlight=False)
    if detail.release and detail.release.licence:
        console.print(f"[dim]{detail.release.licence}[/]", highlight=False)
    terms = [d for d in detail.designations if d.kind.value in ("index_term", "synonym")]
    for term in terms[:20]:
        via = f" [dim](see {term.via})[/]" if term.via else ""
        console.print(f"  [magenta]index[/] {term.text}{via}", highlight=False)
    for child in detail.children:
        console.print(f"    {child.code}  {child.title}", highlight=False)


# ---------------------------------------------------------------------------------------------- search
def _result_json(result: SearchResult) -> dict[str, Any]:
    return {
        "q": result.query,
        "total": result.total,
        "results": [
            {
                "system": h.system.value,
                "code": h.code,
                "display": h.display,
                "score": round(h.score, 4),
                "billable": h.billable,
                "why": [{"field": r.field, "text": r.text} for r in h.reasons],
            }
            for h in result.hits
        ],
        "facets": {s.value: n for s, n in result.facets.items()},
        "total_estimated": result.estimated,
        "notice": result.notice,
        "corrected": result.corrected_query,
    }


def _systems(values: tuple[str, ...] | list[str] | None) -> tuple[SystemId, ...]:
    return tuple(SystemId(v.lower()) for v in values or ())


def _jsonl(service: CodeService) -> None:
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or not isinstance(request.get("q"), str):
                raise QueryError('each line must be a JSON object with a string "q"')
            systems = request.get("systems") or []
            if not isinstance(systems, list):
                raise QueryError('"systems" must be a list of system ids')
            limit = request.get("limit", _JSONL_DEFAULT_LIMIT)
            if not isinstance(limit, int):
                raise QueryError('"limit" must be an integer')
            result = service.search(request["q"], _systems(systems), limit)
            answer = _result_json(result)
        except json.JSONDecodeError as exc:
            answer = {"q": None, "total": 0, "results": [], "error": f"line {number}: not JSON: {exc.msg}"}
        except (MedcodesError, UnknownSystem, ValueError) as exc:
            q = request.get("q") if isinstance(request, dict) else None
            answer = {"q": q, "total": 0, "results": [], "error": str(exc)}
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        sys.stdout.flush()


@main.command("search")
@click.argument("query", required=False)
@click.option("--system", "-s", "systems", type=SYSTEM_CHOICE, multiple=True, help="Only these systems.")
@click.option("--limit", "-n", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--billable", is_flag=True, help="Billable codes only.")
@click.option("--within", default=None, metavar="CODE", help="Only under this chapter, block or category (9, I20-I25).")
@click.option("--include-deleted", is_flag=True, help="Also list deleted codes (from the code history loaded).")
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--jsonl", is_flag=True, help='Batch: read {"q": ...} JSON lines on stdin, write one answer per line.')
@db_option
def search_command(  # noqa: PLR0917 - click passes options as arguments
    query: str | None,
    systems: tuple[str, ...],
    limit: int,
    offset: int,
    billable: bool,
    within: str | None,
    include_deleted: bool,
    as_of: dt.datetime | None,
    as_json: bool,
    jsonl: bool,
    db: str | None,
) -> None:
    """Search codes by code (any notation) or words."""
    with errors():
        service = _service(db)
        if jsonl:
            _jsonl(service)
            return
        if query is None:
            raise click.UsageError("give a QUERY, or --jsonl to read queries from stdin")
        result = service.search(
            query,
            _systems(systems),
            limit,
            offset,
            billable,
            as_of=as_of.date() if as_of else None,
            within=within,
            include_deleted=include_deleted,
        )
    if as_json:
        click.echo(json.dumps(_result_json(result), ensure_ascii=False, indent=2))
        return
    console = Console()
    if result.notice:
        console.print(f"[yellow]{result.notice}[/]", highlight=False)
    if result.corrected_query:
        console.print(f"Showing results for [bold]{result.corrected_query}[/]", highlight=False)
    if not result.hits:
        console.print(f"No results for {query!r}.", highlight=False)
        return
    for hit in result.hits:
        badge = "" if hit.billable else f" [dim]({hit.kind.value})[/]"
        console.print(f"[bold]{hit.code:<10}[/] [cyan]{hit.system.value:<8}[/] {hit.display}{badge}", highlight=False)
    console.print(f"[dim]{result.total} results[/]")


# ---------------------------------------------------------------------------------------------- serve
@main.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--access-log",
    is_flag=True,
    help="Log every request line. Off by default: URLs hold search text, which may describe a patient.",
)
@click.option(
    "--cache-size",
    type=click.IntRange(0),
    default=4096,
    show_default=True,
    help="Recent searches answered from memory (0: none).",
)
@click.option(
    "--explainers-db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Explainers database, read only (default: MEDCODES_EXPLAINERS_DB, else explainers.db beside the database).",
)
def serve_command(  # noqa: PLR0917 - click passes options as arguments
    db: str | None, host: str, port: int, access_log: bool, cache_size: int, explainers_db: str | None
) -> None:
    """Serve the website and JSON API (/api/v1; reference at /docs)."""
    import uvicorn

    from medcodes.explain.store import ExplainerStore
    from medcodes.web.app import WebOptions, create_app

    settings = Settings.from_env(db=db)
    explainers_path = Path(explainers_db) if explainers_db else settings.explainers_path
    with errors():
        service = CodeService.open(settings)
        # Read only: the server never writes explainers; a missing file reads as none (the facts still show).
        explainers = ExplainerStore.open(explainers_path, readonly=True)
        app = create_app(
            service, WebOptions(cache_size=cache_size), close_service=True, explainers=explainers, close_explainers=True
        )
    Console(stderr=True).print(f"medcodes: serving {settings.db_path} on http://{host}:{port}", highlight=False)
    uvicorn.run(app, host=host, port=port, access_log=access_log, server_header=False)


# ---------------------------------------------------------------------------------------------- similar
def _similar_json(found: list[SimilarCode]) -> list[dict[str, Any]]:
    return [
        {
            "system": s.system.value,
            "code": s.code,
            "title": s.title,
            "score": round(s.score, 4),
            "billable": s.billable,
            "more": s.more,
            "more_label": s.more_label,
            "why": [{"kind": r.kind.value, "text": r.text} for r in s.reasons],
        }
        for s in found
    ]


@main.command("similar")
@click.argument("code")
@click.option("--system", "-s", type=SYSTEM_CHOICE, default=None, help="Code system (default: any loaded).")
@click.option("--limit", "-n", type=click.IntRange(1, 50), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def similar_command(code: str, system: str | None, limit: int, as_json: bool, db: str | None) -> None:
    """Codes similar to CODE, in its system and across systems, each with the reasons why."""
    with errors():
        service = _service(db)
        concept = service.resolve(code, SystemId(system.lower()) if system else None)
        found = service.similar(concept.code, concept.system, limit)
    if as_json:
        payload = {"system": concept.system.value, "code": concept.code, "title": concept.title}
        click.echo(json.dumps({**payload, "similar": _similar_json(found)}, ensure_ascii=False, indent=2))
        return
    console = Console()
    console.print(f"[bold]{concept.code}[/]  {NAMES[concept.system]}  {concept.title}", highlight=False)
    if not found:
        console.print("[dim]No similar codes.[/]", highlight=False)
    for s in found:
        more = f"  [dim](and {s.more} more: {s.more_label})[/]" if s.more else ""
        console.print(f"  [bold]{s.code}[/] [dim]{NAMES[s.system]}[/]  {s.title}{more}", highlight=False)
        for reason in s.reasons:
            console.print(f"      [cyan]{reason.kind.value}[/] {reason.text}", highlight=False)


# ---------------------------------------------------------------------------------------------- map
@main.command("map")
@click.argument("code")
@click.option("--to", "to", type=SYSTEM_CHOICE, required=True, help="The system to map to.")
@click.option("--system", "-s", type=SYSTEM_CHOICE, default=None, help="The code's system (default: any loaded).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def map_command(code: str, to: str, system: str | None, as_json: bool, db: str | None) -> None:
    """Crosswalk a code to another system (GEMs, WHO ICD-10/ICD-11 tables, code history), both directions."""
    with errors():
        service = _service(db)
        concept, mappings = service.map(code, SystemId(system.lower()) if system else None, SystemId(to.lower()))
    if as_json:
        # The same JSON as /api/v1/codes/{system}/{code}/map, less its "ok".
        from medcodes.web import shapes

        body = {k: v for k, v in shapes.map_body(concept, SystemId(to.lower()), mappings).items() if k != "ok"}
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    console = Console()
    if concept is not None:
        console.print(f"[bold]{concept.code}[/] {NAMES[concept.system]}: {concept.title}", highlight=False)
    if not mappings:
        console.print(f"No mapping to {NAMES[SystemId(to.lower())]} in the loaded crosswalks.", highlight=False)
    for m in mappings:
        arrow = "->" if m.forward else "<-"
        flags = f" [dim]({', '.join(m.relation.flags)})[/]" if m.relation.flags else ""
        title = m.title or "[dim](not in the loaded release)[/]"
        console.print(f"  {arrow} [bold]{m.code}[/] {title}{flags} [dim]{m.relation.source or ''}[/]", highlight=False)


main.add_command(explain)


if __name__ == "__main__":  # pragma: no cover
    main()
