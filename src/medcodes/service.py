"""CodeService: the one façade every interface calls. No interface holds SQL or ranking logic."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from medcodes.build import BuildSummary, Progress, build
from medcodes.config import Settings
from medcodes.errors import (
    AsOfOutOfRange,
    CodeDeleted,
    CodeNotFound,
    CodeNotYetValid,
    InvalidCode,
    MedcodesError,
    QueryError,
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
    NotExplained,
    Outcome,
    Skip,
    SkipReason,
    keep,
    skip_reason,
)
from medcodes.explain.llm import ChatClient, Usage
from medcodes.explain.prompt import PROMPT_VERSION
from medcodes.explain.rate import Rate
from medcodes.explain.selection import Targets
from medcodes.explain.store import ExplainerStore, Run, Stamp
from medcodes.models import (
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
)
from medcodes.search import query as query_parser
from medcodes.search.engine import SearchEngine
from medcodes.search.prepare import prepare
from medcodes.search.text import tokens
from medcodes.similar import SimilarFinder
from medcodes.sources.icd10pcs import AXIS_TITLE_PROPERTY, axis_name
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import NAMES, REGISTRY, InvalidCodeSyntax, SystemId

_CLOSEST = 5
# One batch-match request holds at most this many lines.
MAX_MATCH_LINES = 1000


def build_database(
    db_path: Path, source_dir: Path | None = None, progress: Progress | None = None, cpt_licence: str | None = None
) -> BuildSummary:
    """Build a database with everything the read side needs (the search index included)."""
    if progress is None:
        return build(db_path, source_dir, steps=(prepare,), cpt_licence=cpt_licence)
    return build(db_path, source_dir, progress, steps=(prepare,), cpt_licence=cpt_licence)


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
        """The concept ``code`` denotes (in any notation), in ``system`` or the first loaded system that has it."""
        systems = [system] if system is not None else self.loaded_systems()
        syntax_errors: list[InvalidCodeSyntax] = []
        for candidate_system in systems:
            try:
                candidates = REGISTRY[candidate_system].candidates(code)
            except InvalidCodeSyntax as exc:
                syntax_errors.append(exc)
                continue
            found = self.store.existing(candidate_system, list(candidates))
            if found:
                concept = self.store.get(candidate_system, found[0])
                assert concept is not None
                return concept
        if system is not None and syntax_errors:
            raise InvalidCode(system, code, syntax_errors[0].shape)
        target = system or next((s for s in systems if REGISTRY[s].looks_like_code(code)), None)
        if target is None:
            first = systems[0] if systems else SystemId.ICD10CM
            raise InvalidCode(first, code, _shape(first))
        canonical = REGISTRY[target].normalize_code(code)
        for reading in REGISTRY[target].candidates(code):
            deleted = [e for e in self.store.history(target, reading) if e.kind is HistoryKind.DELETED]
            if deleted:
                last = deleted[-1]
                raise CodeDeleted(
                    target,
                    reading,
                    last.effective.isoformat() if last.effective else None,
                    last.replaced_by,
                    last.old_title or last.new_title,
                )
        release = self.store.release_of(target)
        raise CodeNotFound(target, canonical, release.version if release else None, self.closest(target, canonical))

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

    def as_of(self, code: str, system: SystemId | None, when: dt.date) -> Concept:
        """The concept ``code`` denotes on ``when``: its title then, or an error if it was not valid then."""
        self.check_as_of(when, system)
        try:
            concept = self.resolve(code, system)
        except CodeDeleted as deleted:
            if deleted.effective and when < dt.date.fromisoformat(deleted.effective):
                events = self.store.history(deleted.system, deleted.code)
                title = next((e.old_title or e.new_title for e in events if e.old_title or e.new_title), None)
                return Concept(deleted.system, deleted.code, title or "(title not recorded)", ConceptKind.CODE, True)
            raise
        events = self.store.history(concept.system, concept.code)
        for event in events:
            if event.kind is HistoryKind.ADDED and event.effective and event.effective > when:
                raise CodeNotYetValid(concept.system, concept.code, when.isoformat(), event.effective.isoformat())
        for event in events:
            if event.kind is HistoryKind.REVISED and event.effective and event.effective > when and event.old_title:
                return replace(concept, title=event.old_title)
        return concept

    def valid_on(self, system: SystemId, code: str, when: dt.date) -> bool:
        """Whether a code of the current release was already valid on ``when`` (not added later)."""
        return not any(
            e.kind is HistoryKind.ADDED and e.effective and e.effective > when for e in self.store.history(system, code)
        )

    # ---------------------------------------------------------------- crosswalks
    def map(self, code: str, system: SystemId | None, to: SystemId) -> tuple[Concept | None, list[Mapping]]:
        """Every crosswalk row linking ``code`` to a code of system ``to``, in either direction.

        A code deleted from its system (an ICD-9-CM code, a retired ICD-10-CM code) is mapped too.
        """
        try:
            concept: Concept | None = self.resolve(code, system)
            source_system, source_code = concept.system, concept.code  # type: ignore[union-attr]
        except CodeNotFound as missing:
            concept = None
            source_system, source_code = missing.system, missing.code
        out: list[Mapping] = []
        for relation in self.store.relations(source_system, source_code):
            if relation.kind not in (RelationKind.MAPS_TO, RelationKind.REPLACED_BY):
                continue
            forward = relation.source_system is source_system and relation.source_code == source_code
            other_system = relation.target_system if forward else relation.source_system
            other_code = relation.target_code if forward else relation.source_code
            if other_system is not to:
                continue
            other = self.store.get(other_system, other_code)
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
        """Every fact of a code; with ``as_of``, the code as it stood on that date (title then, or an error)."""
        concept = self.resolve(code, system) if as_of is None else self.as_of(code, system, as_of)
        return self.detail(concept)

    def roots(self, system: SystemId) -> list[Concept]:
        """The top of a system's hierarchy (chapters, sections), for browsing."""
        return self.store.roots(system)

    def systems(self) -> list[SystemInfo]:
        """Every loaded system with its release and counts."""
        counts = self.store.counts()
        return [
            SystemInfo(
                r.system,
                NAMES[r.system],
                r,
                counts.get(r.system, {}).get("concepts", 0),
                counts.get(r.system, {}).get("billable", 0),
            )
            for r in self.store.releases()
        ]

    # ---------------------------------------------------------------- search
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
    ) -> SearchResult:
        """Search every loaded system.

        ``within`` keeps the codes under one chapter, section/block or category (a code of any loaded
        system, e.g. "9", "I20-I25", "0UT"); ``as_of`` leaves out codes that were added after that date;
        ``include_deleted`` adds codes the history says were deleted, after the codes in force.
        """
        if include_deleted:
            found = self.search(text, systems, limit, offset, billable_only, as_of=as_of, within=within)
            return self._with_deleted(found, text, systems, limit, offset)
        subtree = None
        if within is not None:
            parent = self.resolve(within, systems[0] if len(systems) == 1 else None)
            subtree = self.store.subtree_ids(parent.system, parent.code)
        if as_of is None:
            return self.engine.search(
                query_parser.parse(text, tuple(systems), limit, offset, billable_only, within=subtree)
            )
        self.check_as_of(as_of)
        # Ask for more than the page: the codes added after the date are dropped from it.
        query = query_parser.parse(
            text, tuple(systems), min(1000, (offset + limit) * 3), 0, billable_only, within=subtree
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
        """Autocomplete: completions of the last, partly typed word, and the best codes so far."""
        query = query_parser.parse(text, tuple(systems), limit)
        result = self.engine.search(query)
        return Suggestions(
            query.text, tuple(self.engine.complete(text, result.hits)), result.hits, result.corrected_query
        )

    def match(self, lines: Sequence[str], systems: Sequence[SystemId] = (), limit: int = 3) -> list[SearchResult]:
        """Batch text-to-code matching: the best codes for each line, in order."""
        if len(lines) > MAX_MATCH_LINES:
            raise QueryError(f"too many lines: {len(lines)}, at most {MAX_MATCH_LINES} per request")
        return [self.search(line, systems, limit) for line in lines]

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
        )

    def children_of(self, concept: Concept) -> list[Concept]:
        return self.store.children(concept.system, concept.code)

    def ancestors_of(self, concept: Concept) -> list[Concept]:
        return self.store.ancestors(concept.system, concept.code)

    def axes(self, concept: Concept) -> list[tuple[str, Property]]:
        """ICD-10-PCS: what each character of a code (or table) means, axis by axis, as (axis title, value).

        The PCS source keeps the words on the table (the code's first three characters): its axis titles
        ("pcs.axis_title", value "1".."7") and, per axis, each value's label and official definition under
        the same property name as the code's own axis property. Empty for other systems and for sections
        and body systems, which have no table.
        """
        if concept.system is not SystemId.ICD10PCS or len(concept.code) < 3:
            return []
        table = self.store.properties(SystemId.ICD10PCS, concept.code[:3])
        titles = {p.value: p.label for p in table if p.name == AXIS_TITLE_PROPERTY and p.label}
        values = {(p.name, p.value): p for p in table}
        axes: list[tuple[str, Property]] = []
        for position, character in enumerate(concept.code, start=1):
            title = titles.get(str(position))
            if title is None:
                continue
            name = axis_name(position, title)
            known = values.get((name, character))
            axes.append(
                (
                    title,
                    Property(
                        SystemId.ICD10PCS,
                        concept.code,
                        name,
                        character,
                        known.label if known else None,
                        known.definition if known else None,
                    ),
                )
            )
        return axes

    # ---------------------------------------------------------------- explainers (explain/)
    def explain_facts(self, code: str, system: SystemId | None = None) -> FactsExplainer:
        """The deterministic explainer: the code's official structure and notes in plain sentences, no model."""
        detail = self.detail(self._explainer_concept(code, system))
        return fact_sheet.describe(detail, self._explainer_table(detail.concept), self._explainer_titles(detail))

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
            if system is SystemId.MSDRG:
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
        detail = self.detail(concept)
        return fact_sheet.ground(detail, self._explainer_table(concept), self._explainer_titles(detail))

    def _explainer_table(self, concept: Concept) -> list[Property]:
        # ICD-10-PCS keeps the axis titles and definitions on the table, a code's first three characters.
        if concept.system is SystemId.ICD10PCS and concept.kind is ConceptKind.CODE:
            return self.store.properties(SystemId.ICD10PCS, concept.code[:3])
        return []

    def _explainer_titles(self, detail: ConceptDetail) -> dict[tuple[SystemId, str], str]:
        titles: dict[tuple[SystemId, str], str] = {}
        me = (detail.concept.system, detail.concept.code)
        for r in detail.relations[: fact_sheet.MAX_RELATIONS]:
            for key in ((r.source_system, r.source_code), (r.target_system, r.target_code)):
                if key != me and key not in titles:
                    other = self.store.get(*key)
                    if other is not None:
                        titles[key] = other.title
        return titles

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
        return self.similar_finder.similar(concept, limit)


def _shape(system: SystemId) -> str:
    try:
        REGISTRY[system].candidates("")
    except InvalidCodeSyntax as exc:
        return exc.shape
    return f"a {NAMES[system]} code such as {REGISTRY[system].example}"
