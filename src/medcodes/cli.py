"""The command line: a thin shell over CodeService and build."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping
from dataclasses import replace
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
from medcodes.config import ServeSettings, Settings, default_data_dir
from medcodes.console import SYSTEM, Part, errors, line, wide
from medcodes.errors import MedcodesError, QueryError
from medcodes.matches import LinkGroup, default_words, row_words, table_name
from medcodes.models import NOTE_LABELS, ConceptDetail, ConceptKind, RelationKind, SearchResult, cited
from medcodes.properties import label as property_label
from medcodes.service import CodeService, build_database, remove_build_leftovers
from medcodes.sources.download import Downloaded, download
from medcodes.sources.manifest import MANIFEST, select
from medcodes.systems import NAMES, REGISTRY, SystemId, parse_system, reporting_status

SYSTEM_CHOICE = SYSTEM
_JSONL_DEFAULT_LIMIT = 10
_JSONL_MAX_LIMIT = 1000


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
    console = wide(stderr=True)
    with (
        errors(),
        Progress(
            TextColumn("{task.description}", markup=False),
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
    _print_summary(wide(), summary)


def _print_summary(console: Console, summary: BuildSummary) -> None:
    # The path on a line of its own: as a table's title it would wrap at the table's width.
    console.print(f"Built {summary.db_path}", highlight=False, soft_wrap=True)
    table = Table()
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
            console.print(line(("warning:", "yellow"), " ", warning))
    for link in summary.links:
        console.print(
            line(
                (link.name, "bold"),
                f" ({link.version}): {sum(link.relations.values()):,} relation rows, {link.history:,} history events"
                + (f", {link.names:,} names of codes" if link.names else ""),
            )
        )
        for kind, n in link.relations.items():
            console.print(f"  {kind}: {n:,}")
        for where, n in ((w, n) for w, n in link.missing.items() if n):
            console.print(line("  ", (f"{n:,} rows name a code absent from {where}", "yellow"), " (kept, unlinked)"))
        for warning in link.warnings[:5]:
            console.print(line("  ", ("warning:", "yellow"), " ", warning))
        if len(link.warnings) > 5:
            console.print(f"  ... and {len(link.warnings) - 5} more warnings", style="dim")
    for vocabulary in summary.vocabularies:
        origin = "its files" if vocabulary.origin == "files" else f"the packaged table {vocabulary.origin} (derived)"
        counts = (
            f"{vocabulary.names:,} names of codes, {vocabulary.rewrites:,} rewrites,"
            f" {vocabulary.definitions:,} definitions"
        )
        if vocabulary.priors:
            counts += f", {vocabulary.priors:,} index priors"
        console.print(line((vocabulary.title, "bold"), f" ({vocabulary.version}), from {origin}: {counts}"))
    for note in summary.vocabulary_notes:
        console.print(f"  {note}", style="dim")
    for note in summary.notes:
        console.print(line(("note:", "yellow"), " ", note))
    if summary.ignored:
        console.print(
            f"{len(summary.ignored)} file(s) recognised but not used (an older release, or another release's addenda):",
            style="dim",
        )
        for path in summary.ignored:
            console.print(f"  {path}", style="dim")
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
            _print_known_files(wide(), systems)
            return
        files = select(systems, release)
        mirror = Settings.from_env().mirror
        with Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=wide(stderr=True),
            transient=True,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(name: str, done: int, total: int | None) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(name, total=total)
                bar.update(tasks[name], completed=done, total=total)

            fetched = download(files, target, mirror=mirror, progress=progress, force=force)
    _print_downloads(wide(), target, fetched)


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
    console.print(f"Next: medcodes build --from {folder}")


# ---------------------------------------------------------------------------------------------- show
def _print_api_json(body: Mapping[str, object]) -> None:
    """A body of the JSON API (web/shapes.py), less its "ok": `--json` prints what the API answers for the same
    question, one shape per model."""
    click.echo(json.dumps({k: v for k, v in body.items() if k != "ok"}, ensure_ascii=False, indent=2))


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
        from medcodes.web import shapes  # the web's modules load only for the commands that print its JSON

        _print_api_json(shapes.code_body(detail, service.axes(detail.concept), service.links(detail)))
        return
    print_detail(wide(), detail, service.links(detail))


# Linked codes printed per set of a crosswalk group; the rest are counted (all are in --json).
_LINKS_SHOWN = 10


def badge(system: SystemId, billable: bool, kind: ConceptKind) -> Part:
    """A code's place on claims ("billable", "retired"), or its kind where its system bills nothing as such."""
    status = reporting_status(system, billable)
    if kind is ConceptKind.MODIFIER:
        return ("modifier", "dim")
    if status == "billable":
        return ("billable", "green")
    if status == "retired":
        until = REGISTRY[system].reported_until
        return (f"retired: valid on US claims until {until.isoformat() if until else 'its retirement'}", "yellow")
    return (kind.value, "dim")


def print_detail(console: Console, detail: ConceptDetail, links: tuple[LinkGroup, ...]) -> None:
    """Every fact of a code, as `medcodes show` prints it."""
    c = detail.concept
    console.print(line((c.code, "bold"), "  ", NAMES[c.system], "  ", badge(c.system, c.billable, c.kind)))
    console.print(c.title)
    for said in detail.as_of_notes:
        console.print(line("  ", (f"as of {detail.as_of}:", "yellow"), " ", said))
    if c.short_title and c.short_title != c.title:
        console.print(line(("short:", "dim"), " ", c.short_title))
    if detail.ancestors:
        console.print(" > ".join(f"{a.code} {a.title}" for a in detail.ancestors), style="dim")
    for definition in detail.definitions[:1]:
        console.print(
            line(
                "  ",
                ("definition", "cyan"),
                f" {definition.text} ",
                (f"({definition.source}: {definition.term})", "dim"),
            )
        )
    for note in detail.notes:
        char = f"{note.character}: " if note.character else ""
        inherited: Part = (f" (inherited from {note.inherited_from})", "dim") if note.inherited_from else ""
        console.print(line("  ", (NOTE_LABELS[note.kind], "cyan"), " ", char, note.text, inherited))
    for prop in detail.properties:
        named = property_label(prop.name)
        meaning = f" {prop.label}" if prop.label else ""
        console.print(line("  ", (named.plain if named else prop.name, "green"), " ", prop.value, meaning))
    for group in links:
        count: Part = (f" ({group.count})", "dim") if group.count else ""
        console.print(line("  ", (group.name, "blue bold"), count))
        for found in group.sets:
            console.print(line("    ", "; ".join(found.words), (f" - {' and '.join(found.tables)}", "dim")))
            for link in found.links[:_LINKS_SHOWN]:
                if not link.code:  # a "no map" row names no code: the table's own words
                    console.print(line("      ", "; ".join(link.details) or "none"))
                    continue
                title = link.title or "(not in the loaded release)"
                details: Part = (f" ({', '.join(link.details)})", "dim") if link.details else ""
                console.print(line("      ", (link.code, "bold"), " ", title, details))
            if len(found.links) > _LINKS_SHOWN:
                console.print(
                    line(("      and " + f"{len(found.links) - _LINKS_SHOWN} more (--json lists all)", "dim"))
                )
    for event in detail.history:
        console.print(line("  ", ("history", "yellow"), f" {event.describe()}"))
    if detail.release and detail.release.licence:
        console.print(detail.release.licence, style="dim")
    terms = [d for d in detail.designations if d.kind.value in ("index_term", "synonym")]
    for term in terms[:20]:
        via: Part = (f" ({cited(term.via)})", "dim") if term.via else ""
        rebuilt: Part = (" (from a reconstructed index, not the official file)", "dim") if term.reconstructed else ""
        console.print(line("  ", ("index", "magenta"), " ", term.text, via, rebuilt))
    for child in detail.children:
        console.print(f"    {child.code}  {child.title}")


# ---------------------------------------------------------------------------------------------- search
def _result_json(result: SearchResult) -> dict[str, Any]:
    """A search answer as `search --json` and each `--jsonl` line write it: the batch contract the evaluation
    harness reads (docs/search.md), pinned by a test, so it keeps its own shape (the API's hit adds ``kind``,
    ``url`` and ``highlights``, and its body the page's ``limit`` and ``offset``)."""
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
    return tuple(parse_system(v) for v in values or ())


# An error answer repeats at most this much of the line's query (a line may hold megabytes).
_ECHOED_CHARS = 200


def _echo(q: object) -> str | None:
    if not isinstance(q, str):
        return None
    return q if len(q) <= _ECHOED_CHARS else q[:_ECHOED_CHARS] + "…"


def _jsonl_line(line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise QueryError(f"not JSON: {exc.msg}") from None
    except RecursionError:
        raise QueryError("not JSON this program reads: nested too deeply") from None


def _jsonl_request(request: object) -> tuple[str, tuple[SystemId, ...], int]:
    """A line of `medcodes search --jsonl` read as (q, systems, limit); QueryError says what is wrong with it."""
    if not isinstance(request, dict) or not isinstance(request.get("q"), str):
        raise QueryError('each line must be a JSON object with a string "q"')
    systems = request.get("systems") or []
    if not isinstance(systems, list) or not all(isinstance(s, str) for s in systems):
        raise QueryError('"systems" must be a list of system ids (strings)')
    limit = request.get("limit", _JSONL_DEFAULT_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= _JSONL_MAX_LIMIT:
        raise QueryError(f'"limit" must be a whole number from 1 to {_JSONL_MAX_LIMIT}')
    return request["q"], _systems(systems), limit


def _jsonl(service: CodeService) -> None:
    """One answer per input line, in order; a line that cannot be answered gets an answer with an "error"."""
    for number, text in enumerate(sys.stdin, start=1):
        if not text.strip():
            continue
        request: object = None
        try:
            request = _jsonl_line(text)
            q, systems, limit = _jsonl_request(request)
            answer = _result_json(service.search(q, systems, limit))
        except MedcodesError as exc:
            echoed = _echo(request.get("q")) if isinstance(request, dict) else None
            answer = {"q": echoed, "total": 0, "results": [], "error": f"line {number}: {exc}"}
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
    console = wide()
    if result.notice:
        console.print(result.notice, style="yellow")
    if result.corrected_query:
        console.print(line("Showing results for ", (result.corrected_query, "bold")))
    if not result.hits:
        console.print(f"No results for {query!r}.")
        return
    for hit in result.hits:
        mark = badge(hit.system, hit.billable, hit.kind)
        shown: Part = "" if mark[0] == "billable" else (f" ({mark[0]})", "dim")
        console.print(
            line((f"{hit.code:<10}", "bold"), " ", (f"{hit.system.value:<8}", "cyan"), " ", hit.display, shown)
        )
    console.print(f"{result.total} results", style="dim")


# ---------------------------------------------------------------------------------------------- serve
@main.command("serve")
@db_option
@click.option("--host", default=None, help="Address to listen on (MEDCODES_HOST; default 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (MEDCODES_PORT; default 8000).")
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Server processes (MEDCODES_WORKERS; default: one per CPU core this process may use).",
)
@click.option(
    "--public-url",
    default=None,
    metavar="URL",
    help="The address the public reaches the site at, for canonical links (MEDCODES_PUBLIC_URL).",
)
@click.option(
    "--timeout-keep-alive",
    type=click.FloatRange(0, 3600),
    default=None,
    help="Seconds an idle keep-alive connection stays open (MEDCODES_TIMEOUT_KEEP_ALIVE; default 5).",
)
@click.option(
    "--timeout-headers",
    type=click.FloatRange(0, 3600),
    default=None,
    help="Seconds a client has to send a whole request head, else 408 (MEDCODES_TIMEOUT_HEADERS; default 10).",
)
@click.option(
    "--limit-concurrency",
    type=click.IntRange(1),
    default=None,
    help="Connections at once per worker, beyond which 503 (MEDCODES_LIMIT_CONCURRENCY; default 1000).",
)
@click.option(
    "--max-header-bytes",
    type=click.IntRange(1024),
    default=None,
    help="Request line and headers, in bytes, beyond which 431 (MEDCODES_MAX_HEADER_BYTES; default 16384).",
)
@click.option(
    "--release-check",
    type=click.FloatRange(0),
    default=None,
    help="Seconds between two looks for a newly built database (MEDCODES_RELEASE_CHECK; default 1; 0: never).",
)
@click.option(
    "--access-log",
    is_flag=True,
    help="Log every request line. Off by default: URLs hold search text, which may describe a patient.",
)
@click.option(
    "--cache-size",
    type=click.IntRange(0),
    default=None,
    help="Recent searches answered from memory (MEDCODES_CACHE_SIZE; default 4096; 0: none).",
)
@click.option(
    "--explainers-db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Explainers database, read only (default: MEDCODES_EXPLAINERS_DB, else explainers.db beside the database).",
)
def serve_command(  # noqa: PLR0917 - click passes options as arguments
    db: str | None,
    host: str | None,
    port: int | None,
    workers: int | None,
    public_url: str | None,
    timeout_keep_alive: float | None,
    timeout_headers: float | None,
    limit_concurrency: int | None,
    max_header_bytes: int | None,
    release_check: float | None,
    access_log: bool,
    cache_size: int | None,
    explainers_db: str | None,
) -> None:
    """Serve the website and JSON API (/api/v1; reference at /docs). docs/operations.md: limits, timeouts,
    read-only and container deployment, a reverse proxy in front, moving to a newly built database."""
    from medcodes.web import server

    flags: dict[str, Any] = {
        "host": host,
        "port": port,
        "workers": workers,
        "public_url": public_url.rstrip("/") if public_url else None,
        "timeout_keep_alive": timeout_keep_alive,
        "timeout_headers": timeout_headers,
        "limit_concurrency": limit_concurrency,
        "max_header_bytes": max_header_bytes,
        "release_check": release_check,
        "cache_size": cache_size,
    }
    with errors():
        settings = Settings.from_env(db=db)
        serve = replace(ServeSettings.from_env(), **{k: v for k, v in flags.items() if v is not None})
        if serve.public_url and not serve.public_url.startswith(("http://", "https://")):
            raise click.BadParameter("must start with http:// or https://", param_hint="--public-url")
        site = server.Site.of(settings, serve, Path(explainers_db) if explainers_db else None)
        remove_build_leftovers(settings.db_path)
        # The database is opened (and its search index checked) here, so that a problem is one line, not a
        # server that fails as it starts; each worker process then opens its own.
        live = site()
        live.start()
        if serve.workers > 1:
            live.close()
        configured = server.config(site, access_log, app=live if serve.workers == 1 else None)
    processes = f"{serve.workers} worker processes" if serve.workers > 1 else "1 process"
    wide(stderr=True).print(
        f"medcodes: serving {settings.db_path} on http://{serve.host}:{serve.port} ({processes})", highlight=False
    )
    server.run(configured)


# ---------------------------------------------------------------------------------------------- similar
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
        from medcodes.web import shapes

        _print_api_json(shapes.similar_body(concept, found))
        return
    console = wide()
    console.print(line((concept.code, "bold"), "  ", NAMES[concept.system], "  ", concept.title))
    if not found:
        console.print("No similar codes.", style="dim")
    for s in found:
        more: Part = (f"  (and {s.more} more: {s.more_label})", "dim") if s.more else ""
        console.print(line("  ", (s.code, "bold"), " ", (NAMES[s.system], "dim"), "  ", s.title, more))
        for reason in s.reasons:
            console.print(line("      ", (reason.kind.value, "cyan"), " ", reason.text))


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
        from medcodes.web import shapes

        _print_api_json(shapes.map_body(concept, SystemId(to.lower()), mappings))
        return
    console = wide()
    if concept is not None:
        console.print(line((concept.code, "bold"), f" {NAMES[concept.system]}: ", concept.title))
    if not mappings:
        console.print(f"No mapping to {NAMES[SystemId(to.lower())]} in the loaded crosswalks.")
    for m in mappings:
        if m.relation.kind is RelationKind.NO_MAP:
            console.print(line(f"  {m.relation.detail} ", (table_name(m.relation.source), "dim")))
            continue
        arrow = "->" if m.forward else "<-"
        words = "; ".join(row_words(m.relation, m.forward) or (default_words(m.relation, m.forward),))
        title: Part = m.title or ("(not in the loaded release)", "dim")
        console.print(
            line(f"  {arrow} ", (m.code, "bold"), " ", title, (f" ({words}; {table_name(m.relation.source)})", "dim"))
        )


main.add_command(explain)


if __name__ == "__main__":  # pragma: no cover
    main()
