"""CodeService: the one façade every interface calls. No interface holds SQL or ranking logic."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from medcodes import matches
from medcodes.build import BuildSummary, Progress, build, remove_leftovers
from medcodes.config import Settings
from medcodes.errors import (
    AmbiguousCode,
    AsOfOutOfRange,
    CodeChoice,
    CodeDeleted,
    CodeNoLongerValid,
    CodeNotFound,
    CodeNotYetValid,
    InvalidCode,
    InvalidCodeSyntax,
    MedcodesError,
    NotExplained,
    QueryError,
    SystemNotLoaded,
    TooMuchWork,
)
from medcodes.explain import facts as fact_sheet
from medcodes.explain import pack as explain_pack
from medcodes.explain.estimate import Estimate, estimate
from medcodes.explain.generate import (
    DEFAULT_ATTEMPTS,
    DEFAULT_CONCURRENCY,
    Batch,
    BatchItem,
    BatchProgress,
    Generator,
    Outcome,
    Skip,
    SkipReason,
    keep,
    skip_reason,
)
from medcodes.explain.llm import ChatClient, Usage
from medcodes.explain.prompt import PROMPT_VERSION
from medcodes.explain.rate import Rate
from medcodes.explain.schema import explained
from medcodes.explain.selection import Targets
from medcodes.explain.store import ExplainerStore, Run, Stamp
from medcodes.models import (
    BuildStamp,
    Concept,
    ConceptDetail,
    ConceptKind,
    Explainer,
    ExplainerStatus,
    FactsExplainer,
    HistoryEvent,
    HistoryKind,
    MatchReason,
    Property,
    Relation,
    RelationKind,
    Release,
    SearchHit,
    SearchResult,
    SimilarCode,
    Suggestions,
    SystemInfo,
    Vocabulary,
)
from medcodes.recent import Recent
from medcodes.search import query as query_parser
from medcodes.search.engine import SearchEngine
from medcodes.search.prepare import prepare
from medcodes.search.text import tokens
from medcodes.similar import SimilarFinder
from medcodes.sources.icd10pcs import code_axes
from medcodes.sources.manifest import select
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import NAMES, REGISTRY, SystemId, a_name
from medcodes.terminology.codesystems import StoredCodeSystem
from medcodes.terminology.operations import Terminology
from medcodes.terminology.registry import Registry, Supplied

_CLOSEST = 5
# ICD-10-PCS tables whose properties (axis titles, labels, definitions: up to a few hundred rows) are kept.
_TABLES_KEPT = 32
# Codes whose similar codes and explainer facts are kept in memory (a few KB each).
_REMEMBERED = 4096
# One batch-match request holds at most this many lines, and this many words in all (each line is a search, and
# a search costs about its number of words): 1,000 lines of 20 words. docs/operations.md lists every limit.
MAX_MATCH_LINES = 1000
MAX_MATCH_WORDS = 20_000


def _go_on() -> None:
    return None


def build_database(
    db_path: Path, source_dir: Path | None = None, progress: Progress | None = None, cpt_licence: str | None = None
) -> BuildSummary:
    """Build a database with everything the read side needs (the search index included)."""
    if progress is None:
        return build(db_path, source_dir, steps=(prepare,), cpt_licence=cpt_licence)
    return build(db_path, source_dir, progress, steps=(prepare,), cpt_licence=cpt_licence)


def remove_build_leftovers(db_path: Path) -> list[Path]:
    """Remove the scratch files of builds of ``db_path`` that were killed (a server does this as it starts)."""
    return remove_leftovers(db_path)


@dataclass(frozen=True, slots=True)
class Mapping:
    """One crosswalk row seen from a code: the relation, its direction, and the code on the other side."""

    relation: Relation
    forward: bool  # the row maps from the code (False: the row maps another code to it)
    system: SystemId
    code: str
    title: str | None  # None when the other code is not in the loaded release


class CodeService:
    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.engine = SearchEngine(store)
        self._tables: Recent[str, tuple[Property, ...]] = Recent(_TABLES_KEPT)  # ICD-10-PCS table -> its properties
        # What one release says of a code, computed once: its similar codes (a few ms each) and the facts its
        # generated explainer is checked against (for the explainer's "out of date" mark on every page view).
        self._similar: Recent[tuple[SystemId, str, int], tuple[SimilarCode, ...]] = Recent(_REMEMBERED)
        self._groundings: Recent[tuple[SystemId, str], tuple[fact_sheet.Grounding | None]] = Recent(_REMEMBERED)

    @classmethod
    def open(cls, settings: Settings) -> CodeService:
        return cls(SQLiteStore.open(settings.db_path))

    @classmethod
    def at(cls, db_path: Path) -> CodeService:
        return cls(SQLiteStore.open(db_path))

    def close(self) -> None:
        self.store.close()

    def loaded_systems(self) -> list[SystemId]:
        return list(dict.fromkeys(r.system for r in self.store.releases()))

    def releases(self) -> list[Release]:
        return self.store.releases()

    # ---------------------------------------------------------------- codes
    def resolve(self, code: str, system: SystemId | None = None) -> Concept:
        """The concept ``code`` denotes (in any notation), in ``system`` or in the one loaded system that has it.

        Raises AmbiguousCode where, without ``system``, several loaded systems have the code (MS-DRG 291 and
        ICD-9-CM 291), SystemNotLoaded where ``system`` (or the only system the code may belong to) is not loaded.
        """
        loaded = self.loaded_systems()
        if system is not None and system not in loaded:
            raise self.not_loaded(system, code)
        systems = [system] if system is not None else loaded
        found, syntax_errors = self._look_up(code, systems)
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousCode(code, tuple(CodeChoice(c.system, c.code, c.title) for c in found))
        raise self._missing(code, system, systems, loaded, syntax_errors)

    def _look_up(self, code: str, systems: Sequence[SystemId]) -> tuple[list[Concept], list[InvalidCodeSyntax]]:
        """The concept ``code`` denotes in each of ``systems`` that has it, and the systems that cannot read it."""
        syntax_errors: list[InvalidCodeSyntax] = []
        found: list[Concept] = []
        for candidate_system in systems:
            try:
                candidates = REGISTRY[candidate_system].candidates(code)
            except InvalidCodeSyntax as exc:
                syntax_errors.append(exc)
                continue
            existing = self.store.existing(candidate_system, list(candidates))
            if existing:
                concept = self.store.get(candidate_system, existing[0])
                assert concept is not None
                found.append(concept)
        return found, syntax_errors

    def _missing(
        self,
        code: str,
        system: SystemId | None,
        systems: Sequence[SystemId],
        loaded: Sequence[SystemId],
        syntax_errors: Sequence[InvalidCodeSyntax],
    ) -> MedcodesError:
        """Why no loaded system has ``code``: no such notation, a system not loaded, a deleted code, or no such
        code (with the closest existing ones)."""
        if system is not None and syntax_errors:
            return InvalidCode(system, code, syntax_errors[0].shape)
        target = system or next((s for s in systems if REGISTRY[s].looks_like_code(code)), None)
        elsewhere = [s for s in SystemId if s not in loaded and REGISTRY[s].is_typical(code)]
        if target is None:
            if elsewhere:
                return self.not_loaded(elsewhere[0], code, tuple(elsewhere[1:]))
            first = systems[0] if systems else SystemId.ICD10CM
            return InvalidCode(first, code, _shape(first))
        deleted = self._deletion(target, code)
        if deleted is not None:
            return deleted
        canonical = REGISTRY[target].normalize_code(code)
        release = self.store.release_of(target)
        missing = CodeNotFound(target, canonical, release.version if release else None, self.closest(target, canonical))
        if system is None and elsewhere:
            also = " or ".join(NAMES[s] for s in elsewhere)
            missing.hint = "; ".join(
                h for h in (missing.hint, f"it may also be a code of {also}, which is not loaded here") if h
            )
        return missing

    def _deletion(self, system: SystemId, code: str) -> CodeDeleted | None:
        """The deletion of the first reading of ``code`` that the loaded history says was deleted, if any."""
        for reading in REGISTRY[system].candidates(code):
            deleted = [e for e in self.store.history(system, reading) if e.kind is HistoryKind.DELETED]
            if deleted:
                last = deleted[-1]
                return CodeDeleted(
                    system,
                    reading,
                    last.effective.isoformat() if last.effective else None,
                    last.replaced_by,
                    last.old_title or last.new_title,
                )
        return None

    def not_loaded(self, system: SystemId, code: str | None = None, also: tuple[SystemId, ...] = ()) -> SystemNotLoaded:
        """The error for a system this database lacks, naming the official files that load it."""
        try:
            files = tuple(f.name for f in select((system,)))
        except MedcodesError:
            files = ()  # CPT: no public file; the user supplies a licensed one
        looks = code is not None and REGISTRY[system].looks_like_code(code)
        return SystemNotLoaded(system, files, code if looks else None, also)

    # ---------------------------------------------------------------- history: codes as of a date
    def loaded_ranges(self) -> dict[SystemId, dt.date]:
        """For each loaded system, the earliest date its release and history can answer for."""
        ranges: dict[SystemId, dt.date] = {}
        for release in self.store.releases():
            start = self.store.earliest_history(release.system) or release.effective
            if release.effective and (start is None or release.effective < start):
                start = release.effective
            if start is not None:
                ranges[release.system] = start
        return ranges

    def check_as_of(self, as_of: dt.date, system: SystemId | None = None) -> None:
        """Raise AsOfOutOfRange when no loaded release (of ``system``) was in force on ``as_of``."""
        ranges = self.loaded_ranges()
        wanted = {system: ranges[system]} if system is not None and system in ranges else ranges
        if not any(start <= as_of for start in wanted.values()):
            raise AsOfOutOfRange(
                as_of.isoformat(), tuple(f"{NAMES[s]} from {start.isoformat()}" for s, start in wanted.items())
            )

    def as_of(self, code: str, system: SystemId | None, when: dt.date) -> ConceptDetail:
        """Every fact of ``code`` as it stood on ``when``, where the loaded history says it.

        An error where it was not valid then (added later: CodeNotYetValid; deleted or terminated before:
        CodeDeleted, CodeNoLongerValid). From the history: the title then (before a later revision), the
        billable flag then (a code expanded into subcodes, or an HCPCS code terminated, after that day was a
        valid code), a deleted code's own facts. Left out: the children, the notes and the conversion-table
        links that name codes added after that day. ``as_of_notes`` say each of these in words, and that
        everything else is the current release's.
        """
        day = when.isoformat()
        try:
            concept = self.resolve(code, system)
        except CodeDeleted as deleted:
            self.check_as_of(when, deleted.system)
            if deleted.effective is None or when >= dt.date.fromisoformat(deleted.effective):
                raise
            return self._gone_as_of(deleted.system, deleted.code, when)
        self.check_as_of(when, concept.system)
        events = self.store.history(concept.system, concept.code)
        _check_valid_on(concept.system, concept.code, events, when)
        said: list[str] = []
        later = [e for e in events if e.effective is not None and e.effective > when]
        revised = next((e for e in later if e.kind is HistoryKind.REVISED and e.old_title), None)
        if revised is not None and revised.old_title:
            concept = replace(concept, title=revised.old_title)
            said.append(f"Title as it was on {day}, before it was {revised.describe()}.")
        ended = next((e for e in later if e.kind in (HistoryKind.EXPANDED, HistoryKind.DELETED)), None)
        if ended is not None and not concept.billable:
            concept = replace(concept, billable=True)
            said.append(f"A valid code on {day}: it was {ended.describe()}.")
        detail = self.detail(concept)
        return self._dated(detail, when, said)

    def _gone_as_of(self, system: SystemId, code: str, when: dt.date) -> ConceptDetail:
        """A code deleted since ``when``, as the history records it (its title where a file gave one)."""
        events = self.store.history(system, code)
        _check_valid_on(system, code, events, when)
        later = [e for e in events if e.effective is not None and e.effective > when]
        earlier = [e for e in events if e not in later]
        title = next((e.old_title for e in later if e.old_title), None) or next(
            (e.new_title for e in reversed(earlier) if e.new_title), None
        )
        gone = next(e for e in later if e.kind is HistoryKind.DELETED)
        parent = next(
            (c for c in (self.store.get(system, p) for p in _prefixes(code)) if c is not None and c.code != code), None
        )
        day = when.isoformat()
        said = [f"A valid code on {day}: it was {gone.describe()}. It is not in the current release."]
        if title is None:
            title = "(title not in the loaded files)"
            said.append(
                f"The loaded history records {code} without its title: only the CMS addenda of release"
                f" {gone.release} name it."
            )
        concept = Concept(system, code, title, ConceptKind.CODE, True, parent.code if parent else None)
        detail = ConceptDetail(
            concept=concept,
            designations=(),
            notes=(),
            ancestors=(*self.store.ancestors(system, parent.code), parent) if parent else (),
            children=(),
            release=self.store.release_of(system),
            relations=tuple(self.store.relations(system, code)),
            history=tuple(events),
        )
        return self._dated(detail, when, said)

    def _dated(self, detail: ConceptDetail, when: dt.date, said: list[str]) -> ConceptDetail:
        """``detail`` without what names codes added after ``when``, with notes that say what was done."""
        c = detail.concept
        day = when.isoformat()
        named = {n: set(_NAMED_CODE.findall(n.text)) for n in detail.notes}
        codes = [child.code for child in detail.children] + [code for found in named.values() for code in found]
        later = self.store.added_after(c.system, codes, when)
        children = tuple(child for child in detail.children if child.code not in later)
        if len(children) < len(detail.children):
            gone = [child.code for child in detail.children if child.code in later]
            said.append(f"Left out: {len(gone)} code(s) below it added after {day} ({', '.join(gone[:8])}).")
        notes = tuple(n for n in detail.notes if not named[n] & later)
        if len(notes) < len(detail.notes):
            names = sorted({code for n in detail.notes for code in named[n] & later})
            said.append(
                f"Left out: {len(detail.notes) - len(notes)} note(s) naming codes added after {day}"
                f" ({', '.join(names[:8])})."
            )
        relations = tuple(r for r in detail.relations if not _dated_after(r, when))
        if len(relations) < len(detail.relations):
            said.append(f"Left out: {len(detail.relations) - len(relations)} code-history link(s) dated after {day}.")
        release = detail.release
        current = f"{NAMES[c.system]} {release.version}" if release else NAMES[c.system]
        said.append(
            f"Everything else (notes, hierarchy, index terms, indicators, crosswalks) is as the current release"
            f" ({current}) and the loaded mapping tables have it: the loaded files do not say how it stood on {day}."
        )
        return replace(
            detail,
            concept=c,
            notes=notes,
            children=children,
            relations=relations,
            as_of=when,
            as_of_notes=tuple(said),
        )

    def valid_on(self, system: SystemId, code: str, when: dt.date) -> bool:
        """Whether a code of the current release was already valid on ``when`` (not added later)."""
        return not any(
            e.kind is HistoryKind.ADDED and e.effective and e.effective > when for e in self.store.history(system, code)
        )

    # ---------------------------------------------------------------- crosswalks
    def map(self, code: str, system: SystemId | None, to: SystemId) -> tuple[Concept | None, list[Mapping]]:
        """Every crosswalk row linking ``code`` to a code of system ``to``, in either direction.

        A code deleted from its system (an ICD-9-CM code, a retired ICD-10-CM code) is mapped too. A table's
        row saying that the code has no equivalent in ``to`` (a GEM "no map") is a Mapping without a code.
        """
        try:
            concept: Concept | None = self.resolve(code, system)
            source_system, source_code = concept.system, concept.code  # type: ignore[union-attr]
        except CodeNotFound as missing:
            concept = None
            source_system, source_code = missing.system, missing.code
        out: list[Mapping] = []
        for relation in self.store.relations(source_system, source_code):
            if relation.kind is RelationKind.SEE:
                continue
            forward = relation.source_system is source_system and relation.source_code == source_code
            other_system = relation.target_system if forward else relation.source_system
            other_code = relation.target_code if forward else relation.source_code
            if other_system is not to:
                continue
            other = self.store.get(other_system, other_code) if other_code else None
            out.append(Mapping(relation, forward, other_system, other_code, other.title if other else None))
        if concept is None and not out:
            raise CodeNotFound(source_system, source_code, None)
        return concept, out

    def closest(self, system: SystemId, code: str) -> tuple[str, ...]:
        """Existing codes nearest to a missing one: the children of its longest existing prefix."""
        prefix = code
        while prefix:
            prefix = prefix[:-1].rstrip(".")
            parent = self.store.get(system, prefix)
            if parent is not None:
                children = self.store.children(system, parent.code)
                return tuple(c.code for c in children[:_CLOSEST]) or (parent.code,)
        return ()

    def show(self, code: str, system: SystemId | None = None, as_of: dt.date | None = None) -> ConceptDetail:
        """Every fact of a code; with ``as_of``, the code as it stood on that date (see ``as_of``)."""
        return self.detail(self.resolve(code, system)) if as_of is None else self.as_of(code, system, as_of)

    def roots(self, system: SystemId) -> list[Concept]:
        """The top of a system's hierarchy (chapters, sections), for browsing."""
        return self.store.roots(system)

    def vocabularies(self) -> list[Vocabulary]:
        """The open vocabularies the database's names, rewrites and definitions come from, with their licences."""
        return self.store.vocabularies()

    def systems(self) -> list[SystemInfo]:
        """Every loaded system with its release and counts (facts of the release: read once)."""
        return list(self._systems)

    @cached_property
    def _systems(self) -> tuple[SystemInfo, ...]:
        counts = self.store.counts()
        return tuple(
            SystemInfo(
                r.system,
                NAMES[r.system],
                r,
                counts.get(r.system, {}).get("concepts", 0),
                counts.get(r.system, {}).get("billable", 0),
            )
            for r in self.store.releases()
        )

    @cached_property
    def stamp(self) -> BuildStamp | None:
        """Which build made the database this service reads."""
        return self.store.stamp()

    # ---------------------------------------------------------------- search
    def warm(self) -> None:
        """Load the search engine's parts and answer its broadest queries now, before any visitor waits on them
        (a server calls this once when it opens a release; it also checks the index on the way)."""
        self.engine.warm()

    def search(
        self,
        text: str,
        systems: Sequence[SystemId] = (),
        limit: int = 10,
        offset: int = 0,
        billable_only: bool = False,
        *,
        as_of: dt.date | None = None,
        within: str | None = None,
        include_deleted: bool = False,
        by_meaning: bool = True,
    ) -> SearchResult:
        """Search every loaded system.

        ``within`` keeps the codes under one chapter, section/block or category (a code of any loaded
        system, e.g. "9", "I20-I25", "0UT"); ``as_of`` leaves out codes that were added after that date;
        ``include_deleted`` adds codes the history says were deleted, after the codes in force; ``by_meaning``
        False answers from the words alone (autocompleters, asked at every keystroke).
        """
        if include_deleted:
            found = self.search(
                text, systems, limit, offset, billable_only, as_of=as_of, within=within, by_meaning=by_meaning
            )
            return self._with_deleted(found, text, systems, limit, offset)
        subtree = None
        if within is not None:
            parent = self.resolve(within, systems[0] if len(systems) == 1 else None)
            subtree = self.store.subtree_ids(parent.system, parent.code)
        if as_of is None:
            return self.engine.search(
                query_parser.parse(
                    text, tuple(systems), limit, offset, billable_only, within=subtree, by_meaning=by_meaning
                )
            )
        # Only the systems whose release and history reach back to the date (HCPCS codes' added dates go back
        # decades, ICD-10-CM's history to 2016).
        ranges = self.loaded_ranges()
        wanted = tuple(systems) or tuple(ranges)
        in_force = tuple(s for s in wanted if s in ranges and ranges[s] <= as_of)
        if not in_force:
            raise AsOfOutOfRange(
                as_of.isoformat(), tuple(f"{NAMES[s]} from {ranges[s].isoformat()}" for s in wanted if s in ranges)
            )
        # Ask for more than the page: the codes added after the date are dropped from it.
        query = query_parser.parse(
            text, in_force, min(1000, (offset + limit) * 3), 0, billable_only, within=subtree, by_meaning=by_meaning
        )
        result = self.engine.search(query)
        kept = [h for h in result.hits if self.valid_on(h.system, h.code, as_of)]
        dropped = len(result.hits) - len(kept)
        return replace(
            result, hits=tuple(kept[offset : offset + limit]), total=max(0, result.total - dropped), estimated=True
        )

    def _with_deleted(
        self, found: SearchResult, text: str, systems: Sequence[SystemId], limit: int, offset: int
    ) -> SearchResult:
        """``found`` followed by the deleted codes whose old title holds every word of ``text``."""
        words = tokens(text)
        code = "".join(text.split()).upper()
        hits: list[SearchHit] = []
        for event, title, title_words in self._deleted:
            if systems and event.system not in systems:
                continue
            if event.code.replace(".", "") == code.replace(".", "") or (
                words and all(any(t.startswith(w) for t in title_words) for w in words)
            ):
                when = event.effective.isoformat() if event.effective else event.release
                why = f"deleted on {when}" + (
                    f"; replaced by {', '.join(event.replaced_by)}" if event.replaced_by else ""
                )
                hits.append(
                    SearchHit(
                        event.system,
                        event.code,
                        title or "(title not recorded)",
                        0.0,
                        False,
                        ConceptKind.CODE,
                        (MatchReason("deleted", why),),
                    )
                )
        if not hits:
            return found
        # The deleted codes come after every code in force: on the page after the last one, or on this page.
        start = max(0, offset - found.total)
        room = limit - len(found.hits)
        extra = tuple(hits[start : start + room]) if room > 0 else ()
        return replace(found, hits=found.hits + extra, total=found.total + len(hits))

    @cached_property
    def _deleted(self) -> list[tuple[HistoryEvent, str, list[str]]]:
        """Every deleted code with its last title and that title's words, read and split once."""
        out = []
        for event in self.store.deleted_codes():
            title = event.old_title or event.new_title or ""
            out.append((event, title, tokens(title)))
        return out

    def suggest(self, text: str, systems: Sequence[SystemId] = (), limit: int = 8) -> Suggestions:
        """Autocomplete: phrases a code carries that start with what was typed, and the best codes so far (those of
        the words as typed, or, where the last word is a letter or two after others, of the word the first
        completion goes on with, whichever matches better: ``SearchEngine.completed``)."""
        query = query_parser.parse(text, tuple(systems), limit, by_meaning=False)
        completions = self.engine.complete(text)
        if not completions:
            # No name goes on from the text: a letter typed last starts a word of none, and is read so as well.
            query = replace(query, typing=True)
        result = self.engine.search(query)
        if completions and (going_on := self.engine.completed(query, completions[0])) is not None:
            found = self.engine.search(going_on)
            if found.hits and (not result.hits or found.hits[0].score > result.hits[0].score):
                result = found
        if not completions:
            completions = self.engine.complete(text, result.hits)
        return Suggestions(query.text, tuple(completions), result.hits, result.corrected_query)

    def match(
        self,
        lines: Sequence[str],
        systems: Sequence[SystemId] = (),
        limit: int = 3,
        check: Callable[[], None] = _go_on,
    ) -> list[SearchResult]:
        """Batch text-to-code matching: the best codes for each line, in order.

        ``check`` is called before each line and may raise to stop the batch (the web's budget: a client that
        left, a request that ran out of time).
        """
        if len(lines) > MAX_MATCH_LINES:
            raise QueryError(f"too many lines: {len(lines)}, at most {MAX_MATCH_LINES} per request")
        words = sum(len(tokens(line)) for line in lines)
        if words > MAX_MATCH_WORDS:
            raise TooMuchWork(
                f"too many words: {words:,} in all, at most {MAX_MATCH_WORDS:,} per request",
                "split it into smaller batches",
            )
        out = []
        for line in lines:
            check()
            out.append(self.search(line, systems, limit))
        return out

    # ---------------------------------------------------------------- pages (the web interface)
    def find(self, system: SystemId, text: str) -> Concept:
        """The concept ``text`` names in ``system``: a stored code exactly as stored, else any notation of a code.

        The exact look-up comes first because some stored headers are no code notation at all (the HCPCS
        chapter "MODIFIERS", ICD-11 blocks such as "BlockL1-1A0"), and browsing must reach them too.
        """
        concept = self.store.get(system, text)
        return concept if concept is not None else self.resolve(text, system)

    def detail(self, concept: Concept) -> ConceptDetail:
        """Every fact of a concept already found (``show`` for a concept in hand)."""
        s, c = concept.system, concept.code
        return ConceptDetail(
            concept=concept,
            designations=tuple(self.store.designations(s, c)),
            notes=tuple(self.store.notes(s, c)),
            ancestors=tuple(self.store.ancestors(s, c)),
            children=tuple(self.store.children(s, c)),
            release=self.store.release_of(s),
            properties=tuple(self.store.properties(s, c)),
            relations=tuple(self.store.relations(s, c)),
            history=tuple(self.store.history(s, c)),
            definitions=tuple(self.store.definitions(s, c)),
        )

    def links(self, detail: ConceptDetail) -> tuple[matches.LinkGroup, ...]:
        """A code's crosswalks and references grouped by the other system, one entry per other code, in words."""
        wanted: dict[SystemId, list[str]] = {}
        me = (detail.concept.system, detail.concept.code)
        for r in detail.relations:
            for system, code in ((r.source_system, r.source_code), (r.target_system, r.target_code)):
                if (system, code) != me:
                    wanted.setdefault(system, []).append(code)
        titles = {
            (system, code): concept.title
            for system, codes in wanted.items()
            for code, concept in self.store.concepts_in(system, codes).items()
        }
        return matches.group(detail.concept.system, detail.concept.code, detail.relations, titles)

    def properties_of(self, concept: Concept) -> list[Property]:
        """A concept's structured facts (PCS axes, HCPCS indicators, ICD-11 flags), without the rest of detail()."""
        return self.store.properties(concept.system, concept.code)

    def children_of(self, concept: Concept) -> list[Concept]:
        return self.store.children(concept.system, concept.code)

    def ancestors_of(self, concept: Concept) -> list[Concept]:
        return self.store.ancestors(concept.system, concept.code)

    def axes(self, concept: Concept) -> list[tuple[str, Property]]:
        """ICD-10-PCS: what each character of a code (or table) means, axis by axis, as (axis title, value).

        One reading for the page, the API and the explainer (``icd10pcs.code_axes``): the labels are the
        code's own, from its table row; the axis titles and definitions come from its table (the code's first
        three characters). Empty for other systems and for sections and body systems, which have no table.
        """
        chars = REGISTRY[concept.system].table_chars  # only ICD-10-PCS has tables of axes
        if not chars or len(concept.code) < chars:
            return []
        own = self.store.properties(concept.system, concept.code)
        table = own if len(concept.code) == chars else self._table(concept.system, concept.code[:chars])
        return code_axes(concept.code, own, table)

    def _table(self, system: SystemId, table: str) -> tuple[Property, ...]:
        """The properties of one ICD-10-PCS table; the last few are kept, codes are looked at table by table."""
        found = self._tables.get(table)
        if found is None:
            found = tuple(self.store.properties(system, table))
            self._tables.put(table, found)
        return found

    # ---------------------------------------------------------------- explainers (explain/)
    def explain_facts(self, code: str, system: SystemId | None = None) -> FactsExplainer:
        """The deterministic explainer: the code's official structure and notes in plain sentences, no model."""
        detail = self.detail(self._explainer_concept(code, system))
        return self.facts_of(detail, self.links(detail))

    def facts_of(self, detail: ConceptDetail, links: Sequence[matches.LinkGroup]) -> FactsExplainer:
        """``explain_facts`` for a code whose facts and links are in hand (a code page has them already)."""
        return fact_sheet.describe(detail, self._explainer_table(detail.concept), links)

    def explainer_grounding(self, code: str, system: SystemId | None = None) -> fact_sheet.Grounding | None:
        """The official facts a generated explainer of ``code`` is grounded in (None: the code gets none)."""
        return self._explainer_grounding(self._explainer_concept(code, system))

    def explainer(
        self, code: str, system: SystemId | None, explainers: ExplainerStore, include_rejected: bool = False
    ) -> Explainer | None:
        """The generated explainer of a code, marked stale where the release has changed its facts.

        None where there is none, or where a reviewer rejected it (unless ``include_rejected``).
        """
        concept = self._explainer_concept(code, system)
        found = explainers.get(concept.system, concept.code)
        if found is None or not (found.showable or include_rejected):
            return None
        grounding = self._explainer_grounding(concept)
        return replace(found, stale=grounding is None or grounding.facts_hash != found.provenance.facts_hash)

    def generate_explainer(
        self,
        code: str,
        system: SystemId | None,
        explainers: ExplainerStore,
        client: ChatClient,
        *,
        force: bool = False,
        max_attempts: int = DEFAULT_ATTEMPTS,
    ) -> Outcome:
        """Generate (and store) a code's explainer; an explainer that is still current is returned as it is."""
        concept = self._explainer_concept(code, system)
        grounding = self._explainer_grounding(concept)
        if grounding is None:
            raise NotExplained(concept.system, concept.code)
        current = explainers.get(concept.system, concept.code)
        if current is not None and not force and current.provenance.facts_hash == grounding.facts_hash:
            return Outcome(concept.system, concept.code, current, None, Usage(), 0)
        generator = Generator(client, self.store.existing, self.loaded_systems(), max_attempts)

        async def ask() -> Outcome:
            async with client:
                return await generator.generate(grounding)

        outcome = asyncio.run(ask())
        keep(outcome, explainers, client.config.model)
        return outcome

    def explainer_targets(
        self,
        *,
        system: SystemId | None = None,
        within: str | None = None,
        codes: Sequence[str] = (),
        headings: bool = False,
    ) -> Targets:
        """The codes a batch explains, in order: ``codes`` as listed (those below ``within`` where it is given),
        else the codes below ``within`` (a chapter, block, category, range), else every code of ``system``.
        Listing codes takes them as they are; the others are billable codes only, unless ``headings``."""
        if not codes and within is None and system is None:
            raise QueryError("say which codes: list them, or give a system or a code to look within")
        scope: Concept | None = self._explainer_concept(within, system) if within is not None else None
        if codes:
            return self._listed_targets(codes, system, scope)
        if scope is not None:
            members = [scope, *self.store.descendants(scope.system, scope.code, limit=1 << 30)]
        else:
            assert system is not None
            if system not in self.loaded_systems():
                raise NotExplained(system, None, "not loaded in this database")
            if not explained(system):
                raise NotExplained(system, None)
            members = self.store.concepts(system)
        wanted = tuple(
            c for c in members if c.kind in (ConceptKind.CATEGORY, ConceptKind.CODE) and (headings or c.billable)
        )
        return Targets(wanted)

    def _listed_targets(self, codes: Sequence[str], system: SystemId | None, scope: Concept | None) -> Targets:
        inside = None
        if scope is not None:
            below = self.store.descendants(scope.system, scope.code, limit=1 << 30)
            inside = {(c.system, c.code) for c in (scope, *below)}
        found: dict[tuple[SystemId, str], Concept] = {}
        unknown: list[tuple[str, str]] = []
        for text in codes:
            try:
                concept = self._explainer_concept(text, system)
            except MedcodesError as exc:
                unknown.append((text, str(exc)))
                continue
            key = (concept.system, concept.code)
            if inside is not None and key not in inside:
                assert scope is not None
                unknown.append((text, f"not within {scope.code}"))
            else:
                found.setdefault(key, concept)
        return Targets(tuple(found.values()), tuple(unknown))

    def explainer_plan(
        self,
        targets: Targets,
        explainers: ExplainerStore,
        *,
        model: str | None,
        limit: int | None = None,
        only_missing: bool = False,
        force: bool = False,
    ) -> Iterator[BatchItem]:
        """What a batch does with each target, lazily: the grounding to send, or why the code is left alone.

        ``model`` is the model a batch asks for; an explainer by another model is redone (None: any model's
        counts). ``limit`` caps the codes sent."""
        stamps: dict[SystemId, dict[str, Stamp]] = {}
        sent = 0
        for concept in targets.concepts:
            if limit is not None and sent >= limit:
                return
            if concept.system not in stamps:
                stamps[concept.system] = explainers.stamps(concept.system)
            stamp = stamps[concept.system].get(concept.code)
            if stamp is not None and only_missing and not force:
                yield Skip(concept.system, concept.code, SkipReason.HAS_ONE)
                continue
            grounding = self._explainer_grounding(concept)
            if grounding is None:
                yield Skip(concept.system, concept.code, SkipReason.FACTS_ONLY)
                continue
            reason = skip_reason(stamp, grounding, model, force=force)
            if reason is not None:
                yield Skip(concept.system, concept.code, reason)
                continue
            sent += 1
            yield grounding

    def generate_explainers(
        self,
        targets: Targets,
        explainers: ExplainerStore,
        client: ChatClient,
        *,
        limit: int | None = None,
        only_missing: bool = False,
        force: bool = False,
        max_attempts: int = DEFAULT_ATTEMPTS,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Callable[[BatchProgress], None] | None = None,
    ) -> BatchProgress:
        """Generate the targets' explainers, resumably (see ``explainer_plan``), ``concurrency`` at a time.

        Each outcome is stored as it arrives. An interruption (KeyboardInterrupt) propagates after the
        workers stop; ``progress`` has by then seen the last state. The run is recorded (``runs``) for the
        dry run's measured throughput."""
        total = min(limit, len(targets.concepts)) if limit is not None else len(targets.concepts)
        generator = Generator(client, self.store.existing, self.loaded_systems(), max_attempts)
        batch = Batch(generator, explainers, total=total, concurrency=concurrency, progress=progress)
        plan = self.explainer_plan(
            targets, explainers, model=client.config.model, limit=limit, only_missing=only_missing, force=force
        )

        async def run() -> BatchProgress:
            async with client:
                return await batch.run(plan)

        started = dt.datetime.now(dt.UTC).replace(microsecond=0)
        interrupted = True
        try:
            final = asyncio.run(run())
            interrupted = False
            return final
        finally:
            state = batch.state
            if state.requests:
                explainers.record_run(
                    Run(
                        started,
                        state.elapsed_s,
                        client.config.model,
                        client.config.endpoint,
                        PROMPT_VERSION,
                        concurrency,
                        state.generated,
                        state.failed,
                        state.skipped,
                        state.requests,
                        state.usage.prompt_tokens,
                        state.usage.completion_tokens,
                        state.prompt_chars,
                        interrupted,
                    )
                )

    def estimate_explainers(
        self,
        targets: Targets,
        explainers: ExplainerStore,
        *,
        model: str | None,
        endpoint: str | None,
        limit: int | None = None,
        only_missing: bool = False,
        force: bool = False,
        throughput: float | None = None,
        rate: Rate | None = None,
    ) -> Estimate:
        """A dry run of ``generate_explainers``: the same plan, counted in tokens and time, nothing sent."""
        plan = self.explainer_plan(
            targets, explainers, model=model, limit=limit, only_missing=only_missing, force=force
        )
        measured = explainers.last_run(model, endpoint) if model and endpoint else None
        return estimate(
            plan, measured=measured, completions=explainers.completion_tokens(), throughput=throughput, rate=rate
        )

    def review_explainer(
        self,
        code: str,
        system: SystemId | None,
        explainers: ExplainerStore,
        status: ExplainerStatus,
        reviewer: str | None = None,
    ) -> Explainer:
        """Record a person's review of a code's explainer (reviewed, rejected, or back to generated)."""
        concept = self._explainer_concept(code, system)
        explainers.set_status(concept.system, concept.code, status, reviewer)
        found = self.explainer(concept.code, concept.system, explainers, include_rejected=True)
        assert found is not None
        return found

    def export_explainers(
        self,
        explainers: ExplainerStore,
        out: Callable[[str], object],
        system: SystemId | None = None,
        statuses: Sequence[ExplainerStatus] = (ExplainerStatus.GENERATED, ExplainerStatus.REVIEWED),
    ) -> int:
        """Write explainers as a content pack (JSON lines) through ``out``; returns how many."""
        return explain_pack.write(explainers.all(system, statuses), out)

    def import_explainers(
        self, explainers: ExplainerStore, lines: Iterable[str], source: str, replace_existing: bool = False
    ) -> explain_pack.ImportSummary:
        """Import a content pack; each explainer is checked against this database like a generated answer."""

        def ground(system: SystemId, code: str) -> fact_sheet.Grounding | None:
            concept = self.store.get(system, code)
            if concept is None:
                release = self.store.release_of(system)
                raise CodeNotFound(system, code, release.version if release else None)
            return self._explainer_grounding(concept)

        return explain_pack.import_pack(
            lines,
            source,
            explainers,
            ground=ground,
            existing=self.store.existing,
            systems=self.loaded_systems(),
            replace_existing=replace_existing,
        )

    def _explainer_concept(self, code: str, system: SystemId | None) -> Concept:
        # Within a system, headers that are no code notation (HCPCS "E", ICD-11 blocks) are found too.
        return self.find(system, code) if system is not None else self.resolve(code)

    def _explainer_grounding(self, concept: Concept) -> fact_sheet.Grounding | None:
        key = (concept.system, concept.code)
        kept = self._groundings.get(key)
        if kept is None:
            detail = self.detail(concept)
            kept = (fact_sheet.ground(detail, self._explainer_table(concept), self.links(detail)),)
            self._groundings.put(key, kept)
        return kept[0]

    def _explainer_table(self, concept: Concept) -> list[Property]:
        # ICD-10-PCS keeps the axis titles and definitions on the table, a code's first three characters.
        table = REGISTRY[concept.system].table_chars
        if table and concept.kind is ConceptKind.CODE:
            return self.store.properties(concept.system, concept.code[:table])
        return []

    # ---------------------------------------------------------------- terminology (FHIR operations)
    @cached_property
    def code_systems(self) -> dict[str, StoredCodeSystem]:
        """Each loaded system as a FHIR code system, by its FHIR URI."""
        counts = self.store.counts()
        latest = {r.system: r for r in self.store.releases()}
        return {
            REGISTRY[s].fhir_uri: StoredCodeSystem(self.store, s, r.version, counts.get(s, {}).get("concepts", 0))
            for s, r in latest.items()
        }

    def terminology(self, supplied: Supplied | None = None) -> Terminology:
        """$lookup, $validate-code, $subsumes, $expand and $translate over the loaded systems, and over the code
        systems, value sets and concept maps a request supplies (``supplied``, for that request only)."""
        return Terminology(Registry(self.code_systems, supplied or Supplied()), self)

    # ---------------------------------------------------------------- similar codes
    @cached_property
    def similar_finder(self) -> SimilarFinder:
        """The similar-codes finder, built once per service (it keeps a few arrays over the lexical index)."""
        return SimilarFinder(self.store, self.engine.index)

    def similar(self, code: str, system: SystemId | None = None, limit: int = 10) -> list[SimilarCode]:
        """Codes similar to ``code`` in its system and across systems, each with its reasons, best first.

        Unknown or malformed codes raise CodeNotFound / InvalidCode, as ``show`` does; ``limit`` is
        clamped to 1..50.
        """
        concept = self._explainer_concept(code, system)
        key = (concept.system, concept.code, limit)
        found = self._similar.get(key)
        if found is None:
            found = tuple(self.similar_finder.similar(concept, limit))
            self._similar.put(key, found)
        return list(found)


# A code named in a note's text ("(E11.A)", "(O24.4-)"): ICD-10-CM and WHO ICD-10 notation.
_NAMED_CODE = re.compile(r"\b([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)")
_EFFECTIVE_FLAG = re.compile(r"^effective (\d{4}-\d{2}-\d{2})$")


def _prefixes(code: str) -> list[str]:
    """``S52.521A`` -> ``S52.521``, ``S52.52``, ``S52.5``, ``S52``: the codes a code may sit under, nearest first."""
    out: list[str] = []
    prefix = code
    while len(prefix) > 3:
        prefix = prefix[:-1].rstrip(".")
        out.append(prefix)
    return out


def _dated_after(relation: Relation, when: dt.date) -> bool:
    """Whether a relation carries an "effective DATE" flag (the conversion table's) later than ``when``."""
    for flag in relation.flags:
        match = _EFFECTIVE_FLAG.match(flag)
        if match and dt.date.fromisoformat(match.group(1)) > when:
            return True
    return False


def _check_valid_on(system: SystemId, code: str, events: Sequence[HistoryEvent], when: dt.date) -> None:
    """Raise when the history says ``code`` was not valid on ``when``: added after it, or deleted before."""
    state: HistoryEvent | None = None  # the last addition or deletion on or before ``when``
    for event in events:
        if event.effective is None or event.kind not in (HistoryKind.ADDED, HistoryKind.DELETED):
            continue
        if event.effective <= when:
            state = event
        elif event.kind is HistoryKind.ADDED and state is None:
            raise CodeNotYetValid(system, code, when.isoformat(), event.effective.isoformat())
    if state is not None and state.kind is HistoryKind.DELETED and state.effective is not None:
        raise CodeNoLongerValid(system, code, when.isoformat(), state.effective.isoformat(), state.replaced_by)


def _shape(system: SystemId) -> str:
    try:
        REGISTRY[system].candidates("")
    except InvalidCodeSyntax as exc:
        return exc.shape
    return f"{a_name(system)} code such as {REGISTRY[system].example}"
