"""CodeService: the one façade every interface calls. No interface holds SQL or ranking logic."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from medcodes.build import BuildSummary, Progress, build
from medcodes.config import Settings
from medcodes.errors import CodeNotFound, InvalidCode, QueryError
from medcodes.models import Concept, ConceptDetail, Property, Release, SearchResult, Suggestions, SystemInfo
from medcodes.search import query as query_parser
from medcodes.search.engine import SearchEngine
from medcodes.search.prepare import prepare
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
        release = self.store.release_of(target)
        raise CodeNotFound(target, canonical, release.version if release else None, self.closest(target, canonical))

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

    def show(self, code: str, system: SystemId | None = None) -> ConceptDetail:
        concept = self.resolve(code, system)
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

    def children(self, code: str, system: SystemId | None = None) -> list[Concept]:
        concept = self.resolve(code, system)
        return self.store.children(concept.system, concept.code)

    def ancestors(self, code: str, system: SystemId | None = None) -> list[Concept]:
        concept = self.resolve(code, system)
        return self.store.ancestors(concept.system, concept.code)

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
    ) -> SearchResult:
        query = query_parser.parse(text, tuple(systems), limit, offset, billable_only)
        return self.engine.search(query)

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


def _shape(system: SystemId) -> str:
    try:
        REGISTRY[system].candidates("")
    except InvalidCodeSyntax as exc:
        return exc.shape
    return f"a {NAMES[system]} code such as {REGISTRY[system].example}"
