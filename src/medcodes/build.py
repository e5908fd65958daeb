"""Build: official files -> a new database file that replaces the old one atomically.

The new database is written next to the target under a temporary name and moved over the target
with ``os.replace`` only once it is complete, so readers never see half a build and a failed build
leaves the previous database untouched. The file is written without a journal and closed before the move
in rollback-journal mode, so it needs no companion file to be read (a read-only volume serves it). The
process holds a lock on its scratch files while it works; the next build removes those of a killed one
(``store/scratch.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import multiprocessing
import os
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from medcodes import __version__
from medcodes.config import default_workers
from medcodes.errors import BuildError, MedcodesError
from medcodes.models import BuildStamp, Designation, Relation, ReleaseContent
from medcodes.sources import (
    cpt,
    gems,
    hcpcs,
    history,
    icd9cm,
    icd10cm,
    icd10pcs,
    icd10who,
    icd11,
    msdrg,
    vocabularies,
    who_maps,
)
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.releases import discover, embedded_default
from medcodes.sources.vocabulary import VocabularySource
from medcodes.store import scratch
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import NAMES, SystemId

# Called with a step's description, units done and units in all.
Progress = Callable[[str, int, int], None]
# A build-time step that derives more from the filled store (the search index), before it is swapped in.
Step = Callable[[SQLiteStore], None]


@dataclass(frozen=True, slots=True)
class SystemSummary:
    system: SystemId
    version: str
    concepts: int
    billable: int
    designations: int
    notes: int
    files: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    properties: int = 0
    relations: int = 0
    history: int = 0


@dataclass(frozen=True, slots=True)
class LinkSummary:
    """A crosswalk or history file set stored by the build: relations by kind, and rows left unlinked."""

    name: str
    version: str
    files: tuple[str, ...]
    relations: dict[str, int]  # relation kind (and flag) -> rows
    history: int
    missing: dict[str, int]  # "<file>: <system>" -> rows naming a code absent from that system
    warnings: tuple[str, ...] = ()
    names: int = 0  # designations made from the rows (ICD-9-CM procedure titles given to ICD-10-PCS codes)


@dataclass(frozen=True, slots=True)
class VocabularySummary:
    """One open vocabulary stored by the build: where it was read from and what it added."""

    name: str
    title: str
    version: str
    origin: str  # "files" (its own files), or the name of the packaged table it came from
    names: int  # designations of codes
    rewrites: int
    definitions: int
    priors: int
    files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BuildSummary:
    db_path: Path
    systems: tuple[SystemSummary, ...]
    seconds: float
    size_bytes: int
    ignored: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())
    links: tuple[LinkSummary, ...] = field(default=())
    vocabularies: tuple[VocabularySummary, ...] = field(default=())
    # What the vocabularies step reported: abbreviation senses kept and dropped, codes its rows lacked.
    vocabulary_notes: tuple[str, ...] = field(default=())


def _quiet(_description: str, _done: int, _total: int) -> None:
    return None


# Every other system's loader (the source contract: docs/architecture.md).
LOADERS: tuple[Callable[[Sequence[FoundFile]], ReleaseContent | None], ...] = (
    icd10pcs.load,
    hcpcs.load,
    icd11.load,
    icd9cm.load,
    msdrg.load,
    icd10who.load,
)


def _relation_counts(relations: Sequence[Relation]) -> dict[str, int]:
    # Relations alike in systems, kind and flags are counted together first (a crosswalk has a million rows).
    alike = Counter((r.source_system, r.target_system, r.kind, r.flags) for r in relations)
    counts: dict[str, int] = {}
    for (source, target, kind, flags), number in alike.items():
        key = f"{source.value}->{target.value} {kind.value}"
        # Count by the flags that are words (approximate, combination, ...), not by dates or codes.
        for flag in [f for f in flags if not any(ch.isdigit() for ch in f)] or [""]:
            label = f"{key} {flag}".rstrip()
            counts[label] = counts.get(label, 0) + number
    return dict(sorted(counts.items()))


def _links(
    store: SQLiteStore, found: Sequence[FoundFile], contents: Sequence[ReleaseContent], progress: Progress
) -> list[LinkSummary]:
    """Crosswalks (GEMs, WHO maps) and ICD-10-CM history, linked against the codes just stored."""
    known: dict[SystemId, set[str]] = {}
    for content in contents:
        known.setdefault(content.release.system, set()).update(c.code for c in content.concepts)
    # ICD-10-CM titles: a CM code is linked to ICD-11 through WHO ICD-10 only where its title shows WHO's meaning.
    cm_titles = {
        c.code: c.title for content in contents if content.release.system is SystemId.ICD10CM for c in content.concepts
    }
    out: list[LinkSummary] = []
    progress("crosswalks", 0, 3)
    for crosswalk in (gems.load(found, known), who_maps.load(found, known, cm_titles)):
        progress("crosswalks", len(out) + 1, 3)
        if crosswalk is None:
            continue
        names = _procedure_names(crosswalk.relations, contents)
        store.add_designations(names)
        store.add_links(
            crosswalk.name,
            crosswalk.version,
            crosswalk.files,
            crosswalk.relations,
            missing=crosswalk.missing,
            licence=crosswalk.attribution,
        )
        out.append(
            LinkSummary(
                crosswalk.name,
                crosswalk.version,
                tuple(f.name for f in crosswalk.files),
                _relation_counts(crosswalk.relations),
                0,
                dict(crosswalk.missing),
                crosswalk.warnings,
                len(names),
            )
        )
    progress("code history", 0, 1)
    changes = history.load(found, known)
    if changes is not None:
        name = f"{NAMES[changes.system]} history"
        version = next((c.release.version for c in contents if c.release.system is changes.system), "")
        store.add_links(name, version, changes.files, changes.relations, history=changes.events)
        out.append(
            LinkSummary(
                name,
                version,
                tuple(f.name for f in changes.files),
                _relation_counts(changes.relations),
                len(changes.events),
                {},
                changes.warnings,
            )
        )
    return out


def _vocabularies(
    store: SQLiteStore, found: Sequence[FoundFile], contents: Sequence[ReleaseContent], read: Sequence[VocabularySource]
) -> tuple[tuple[VocabularySummary, ...], tuple[str, ...]]:
    """Names, rewrites, definitions and priors from the open vocabularies (their files, else the packaged table)."""
    loaded = vocabularies.load(found, contents, read)
    if loaded is None:
        return (), ()
    content = loaded.content
    store.add_vocabularies(content)
    summaries = tuple(
        VocabularySummary(
            v.name,
            v.title,
            v.version,
            loaded.origins.get(v.name, "files"),
            sum(d.source == v.name for d in content.designations),
            sum(r.source == v.name for r in content.rewrites),
            sum(d.source == v.name for d in content.definitions),
            sum(p.source == v.name for p in content.priors),
            tuple(f.name for f in v.files),
        )
        for v in content.vocabularies
    )
    return summaries, content.notes + content.warnings


def _procedure_names(relations: Sequence[Relation], contents: Sequence[ReleaseContent]) -> tuple[Designation, ...]:
    """ICD-9-CM procedure titles as names of the ICD-10-PCS codes (or tables) the procedure GEM maps them to."""
    by_system = {content.release.system: content for content in contents}
    icd9, pcs = by_system.get(SystemId.ICD9CM), by_system.get(SystemId.ICD10PCS)
    if icd9 is None or pcs is None or not any(r.target_system is SystemId.ICD10PCS for r in relations):
        return ()
    titles = {c.code: c.title for c in icd9.concepts}
    official: dict[str, set[str]] = {c.code: set() for c in pcs.concepts}
    for d in pcs.designations:
        official[d.code].add(d.text.casefold())
    return gems.procedure_names(relations, titles, official)


def _store(store: SQLiteStore, content: ReleaseContent, progress: Progress) -> SystemSummary:
    release = content.release
    progress(f"{NAMES[release.system]} store", 0, 1)
    store.add_release(content)
    return SystemSummary(
        release.system,
        release.version,
        len(content.concepts),
        sum(c.billable for c in content.concepts),
        len(content.designations),
        len(content.notes),
        tuple(f.name for f in release.files),
        content.warnings,
        len(content.properties),
        len(content.relations),
        len(content.history),
    )


def _others(found: Sequence[FoundFile]) -> list[ReleaseContent]:
    """The releases of every system but ICD-10-CM (and CPT) among the files found."""
    return [content for loader in LOADERS if (content := loader(found)) is not None]


def _others_stored(found: Sequence[FoundFile], path: Path) -> list[SystemSummary]:
    """In a worker process: the releases of every system but ICD-10-CM (and CPT), stored in a new database of their
    own at ``path``, which the building process merges into its own (``SQLiteStore.merge``); their summaries."""
    side = SQLiteStore.create(path)
    try:
        with few_collections():
            return [_store(side, content, _quiet) for content in _others(found)]
    finally:
        side.close()


# The other systems' releases are read and stored by a worker process while this one reads and stores ICD-10-CM,
# where their files are big enough for the worker's start and the merge (a second or two) to pay: the full build's
# (ICD-10-PCS, HCPCS, ICD-11, ICD-9-CM, MS-DRG: 15 MB) take 5-10 seconds to read and 4-5 to store. Their releases
# come back through the database, not as objects: pickling ICD-10-PCS's 582,091 properties alone cost more than
# reading them.
BESIDE_BYTES = 5_000_000


class _Beside:
    """What is read beside ICD-10-CM: the other systems' releases, read here (``others``) or read and stored by a
    worker (``stored``: their summaries to come, and the database it stores them in), and the vocabularies' own
    files, read once where first asked for."""

    def __init__(
        self,
        found: Sequence[FoundFile],
        others: list[ReleaseContent],
        stored: tuple[Future[list[SystemSummary]], Path] | None = None,
    ) -> None:
        self.found = found
        self.others = others
        self.stored = stored
        self._vocabularies: list[VocabularySource] | None = None

    def vocabularies(self) -> list[VocabularySource]:
        if self._vocabularies is None:
            self._vocabularies = vocabularies.sources_of(self.found)
        return self._vocabularies


@contextlib.contextmanager
def _beside(found: Sequence[FoundFile], unpack: Path) -> Iterator[_Beside]:
    """Start reading the other systems' releases: in a worker process, into a database in ``unpack``, where there
    are cores and files enough, else here and now."""
    others = {f.path for f in found if not f.kind.value.startswith("icd10cm-")}
    size = sum(path.stat().st_size for path in others if path.is_file())
    if default_workers() <= 1 or size < BESIDE_BYTES:
        yield _Beside(found, _others(found))
        return
    side = unpack / "others.db"
    # spawn: no copy of this process (its open database, a progress display's thread)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        beside = _Beside(found, [], (pool.submit(_others_stored, found, side), side))
        try:
            yield beside
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _contents(
    store: SQLiteStore, found: Sequence[FoundFile], progress: Progress, cpt_licence: str | None, beside: _Beside
) -> tuple[list[ReleaseContent], list[SystemSummary], list[str]]:
    """Every system's release from the files found, stored (ICD-10-CM first, the others after it in ``LOADERS``'
    order, a licensed CPT last), with their summaries, and notes about files left out."""
    # ICD-10-CM's loader reports the progress of its parts (the tabular list, the order file, the indexes).
    first = icd10cm.load(found, progress)
    contents = [c for c in (first,) if c is not None]
    summaries = [_store(store, c, progress) for c in contents]
    if beside.stored is None:
        others = beside.others
        summaries += [_store(store, c, progress) for c in others]
    else:
        stored, side = beside.stored
        beside.vocabularies()  # read here while the worker reads and stores the other systems
        progress("other systems", 0, 1)
        summaries += stored.result()
        others = store.merge(side)
    contents += others
    notes: list[str] = []
    cpt_files = [f for f in found if f.kind is FileKind.CPT]
    if cpt_files and cpt_licence:
        licensed = cpt.load_licensed(found, cpt_licence)
        if licensed is not None:
            release = replace(licensed.content.release, licence=licensed.licence.notice)
            content = replace(licensed.content, release=release)
            contents.append(content)
            summaries.append(_store(store, content, progress))
    elif cpt_files:
        notes.append(
            f"{len(cpt_files)} CPT file(s) left out: CPT is AMA-licensed; state your licence with --cpt-licence"
        )
    return contents, summaries, notes


UNPACK_PREFIX = "medcodes-unpack-"


def scratch_name(db_path: Path) -> str:
    """The name pattern of the new databases that builds of ``db_path`` write beside it."""
    return f".{db_path.name}.building-*"


def remove_leftovers(db_path: Path) -> list[Path]:
    """Remove what killed builds left behind (new databases beside ``db_path``, unpack folders); returns them."""
    removed = scratch.sweep(db_path.parent, scratch_name(db_path))
    return removed + scratch.sweep(Path(tempfile.gettempdir()), f"{UNPACK_PREFIX}*")


def build(
    db_path: Path,
    source_dir: Path | None = None,
    progress: Progress = _quiet,
    steps: Sequence[Step] = (),
    cpt_licence: str | None = None,
) -> BuildSummary:
    """Build a database at ``db_path`` from the official files in ``source_dir`` (or the embedded default)."""
    remove_leftovers(db_path)
    # Official files inside publishers' zips that no loader reads in place are unpacked here for the build.
    with tempfile.TemporaryDirectory(prefix=f"{UNPACK_PREFIX}{os.getpid()}-") as unpack, few_collections():
        held = scratch.claim(Path(unpack))
        try:
            return _build(db_path, source_dir, Path(unpack), progress=progress, steps=steps, cpt_licence=cpt_licence)
        finally:
            held.release()


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while building: a build makes millions of objects that live
    until it ends (concepts, designations, parsed vocabularies), and at the default threshold (700 new
    objects) the collector scans them over and over: a sixth of a full build's time, measured. Reference
    counting still frees what a build drops; the threshold is restored afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _build(
    db_path: Path,
    source_dir: Path | None,
    unpack: Path,
    *,
    progress: Progress,
    steps: Sequence[Step],
    cpt_licence: str | None,
) -> BuildSummary:
    started = time.perf_counter()
    found = discover(source_dir, unpack) if source_dir is not None else embedded_default()
    temporary = db_path.with_name(scratch_name(db_path).replace("*", str(os.getpid())))
    held = _start(temporary)
    try:
        store = SQLiteStore.create(temporary)
        try:
            with _beside(found, unpack) as beside:
                contents, summaries, left_out = _contents(store, found, progress, cpt_licence, beside)
                links = _links(store, found, contents, progress)
                progress("vocabularies", 0, 1)
                names, vocabulary_notes = _vocabularies(store, found, contents, beside.vocabularies())
            if not summaries:
                raise BuildError("no code system could be built from the files found")
            for number, step in enumerate(steps):
                progress("search index", number, len(steps))
                step(store)
            progress("full-text index", 0, 1)
            store.set_stamp(_stamp())
            store.finish()
        finally:
            store.close()
        try:
            os.replace(temporary, db_path)
        except OSError as exc:
            raise BuildError(f"cannot put the new database at {db_path}: {exc.strerror or exc}") from exc
    except MedcodesError:
        _remove(temporary)
        raise
    except Exception as exc:
        _remove(temporary)
        raise BuildError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        held.release()
    used = {f.split("!")[0] for s in summaries for f in s.files}
    used |= {f.split("!")[0] for link in links for f in link.files}
    used |= {f for vocabulary in names for f in vocabulary.files}
    ignored = tuple(sorted({str(f.path) for f in found if f.path.name not in used}))
    return BuildSummary(
        db_path,
        tuple(summaries),
        time.perf_counter() - started,
        db_path.stat().st_size,
        ignored,
        tuple(left_out),
        tuple(links),
        names,
        vocabulary_notes,
    )


def _start(temporary: Path) -> scratch.Claim:
    """Create the new database's file, claimed by this process; a folder that cannot take it is named."""
    folder = temporary.parent
    if folder.exists() and not folder.is_dir():
        raise BuildError(f"cannot write a new database in {folder}: it is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove(temporary)
        os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        return scratch.claim(temporary)
    except OSError as exc:
        _remove(temporary)
        reason = exc.strerror or str(exc)
        raise BuildError(f"cannot write a new database in {folder}: {reason}") from exc


def _stamp() -> BuildStamp:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return BuildStamp(f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}", now, __version__)


def _remove(path: Path) -> None:
    for candidate in (path, *(path.with_name(path.name + suffix) for suffix in scratch.COMPANIONS)):
        try:
            candidate.unlink(missing_ok=True)
        except OSError:
            continue  # a read-only folder: there is nothing of ours in it to remove
