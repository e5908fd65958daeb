"""The JSON the API answers with: one TypedDict per shape (they document the API too), one builder per value.

JSON is made here, at the edge, from the service's value objects; the same builders serve every route
that shows a value, so a hit looks the same in ``search``, ``suggest`` and ``match``.
"""

from __future__ import annotations

from collections.abc import Sequence

from typing_extensions import TypedDict

from medcodes.explain import pack
from medcodes.matches import LinkGroup
from medcodes.models import (
    BuildStamp,
    Concept,
    ConceptDetail,
    Definition,
    Designation,
    Explainer,
    FactsExplainer,
    HistoryEvent,
    Note,
    Property,
    Relation,
    Release,
    SearchHit,
    SearchResult,
    SimilarCode,
    Suggestions,
    SystemInfo,
    Vocabulary,
)
from medcodes.service import Mapping
from medcodes.systems import NAMES, SystemId, reporting_status
from medcodes.web.urls import code_path


class ConceptRef(TypedDict):
    system: str
    code: str
    title: str
    kind: str
    billable: bool
    url: str


class Reason(TypedDict):
    field: str
    text: str


class Hit(TypedDict):
    system: str
    code: str
    display: str
    score: float
    billable: bool
    kind: str
    url: str
    why: list[Reason]
    highlights: list[tuple[int, int]]


class SearchBody(TypedDict):
    ok: bool
    q: str
    total: int
    limit: int
    offset: int
    corrected: str | None
    # Something to know about the answer: where a code among the words kept them, a CPT code asked for unlicensed.
    notice: str | None
    facets: dict[str, int]
    results: list[Hit]


class SuggestBody(TypedDict):
    ok: bool
    q: str
    completions: list[str]
    hits: list[Hit]
    corrected: str | None


class MatchLine(TypedDict):
    line: int
    text: str
    total: int
    matches: list[Hit]


class MatchBody(TypedDict):
    ok: bool
    results: list[MatchLine]


class SourceFileOut(TypedDict):
    name: str
    sha256: str
    reconstructed: bool


class ReleaseOut(TypedDict):
    system: str
    version: str
    effective: str | None
    licence: str | None
    files: list[SourceFileOut]


class NoteOut(TypedDict):
    kind: str
    text: str
    character: str | None
    inherited_from: str | None


class DesignationOut(TypedDict):
    kind: str
    text: str
    source: str
    via: str | None
    reconstructed: bool  # from a reconstructed file (an index rebuilt in the official schema), not an official one
    # For names from open vocabularies and GEMs: how closely the name fits the code (exact, narrow, related,
    # broad); null for the code set's own designations.
    scope: str | None


class DefinitionOut(TypedDict):
    text: str
    source: str  # the vocabulary ("doid", "ncit"); its title, licence and attribution are in /api/v1/systems
    term: str


class VocabularyOut(TypedDict):
    name: str
    title: str
    version: str
    url: str | None
    licence: str
    attribution: str
    derived: bool  # read from medcodes' packaged table derived from the vocabulary's files
    files: list[SourceFileOut]


class PropertyOut(TypedDict):
    name: str
    value: str
    label: str | None
    definition: str | None


class AxisOut(TypedDict):
    position: int
    title: str
    value: str
    label: str | None
    definition: str | None


class EndJson(TypedDict):
    system: str
    code: str


class RelationJson(TypedDict):
    kind: str
    source: EndJson
    target: EndJson
    flags: list[str]
    table: str | None
    detail: str | None


class RelationOut(TypedDict):
    source_system: str
    source_code: str
    kind: str
    target_system: str
    target_code: str
    detail: str | None
    source: str | None
    flags: list[str]


class LinkOut(TypedDict):
    system: str
    code: str
    title: str | None
    details: list[str]


class LinkSetOut(TypedDict):
    match: list[str]  # what the rows say, in words: "narrower: a subclass of this code", "approximate"
    tables: list[str]  # the tables they come from, in words
    codes: list[LinkOut]


class LinkGroupOut(TypedDict):
    system: str
    name: str
    count: int
    sets: list[LinkSetOut]


class HistoryOut(TypedDict):
    kind: str
    release: str
    effective: str | None
    old_title: str | None
    new_title: str | None
    replaced_by: list[str]


class CodeBody(TypedDict):
    ok: bool
    system: str
    code: str
    title: str
    short_title: str | None
    kind: str
    billable: bool
    parent: str | None
    url: str
    release: ReleaseOut | None
    ancestors: list[ConceptRef]
    children: list[ConceptRef]
    notes: list[NoteOut]
    designations: list[DesignationOut]
    definitions: list[DefinitionOut]
    properties: list[PropertyOut]
    axes: list[AxisOut]
    relations: list[RelationOut]
    crosswalks: list[LinkGroupOut]  # the relations as the code page shows them: by system, each code once
    history: list[HistoryOut]
    as_of: str | None
    as_of_notes: list[str]


class ConceptsBody(TypedDict):
    ok: bool
    system: str
    code: str
    concepts: list[ConceptRef]


class SimilarReasonOut(TypedDict):
    kind: str
    text: str


class SimilarOut(TypedDict):
    system: str
    code: str
    title: str
    score: float
    billable: bool
    badge: str | None  # "billable", "retired" or null: the badge the code wears (systems.reporting_status)
    more: int
    more_label: str | None
    url: str
    why: list[SimilarReasonOut]


class SimilarBody(TypedDict):
    ok: bool
    system: str
    code: str
    title: str
    similar: list[SimilarOut]


class FactLineOut(TypedDict):
    label: str
    text: str
    definition: str | None
    source: str | None


class FactSectionOut(TypedDict):
    heading: str
    lines: list[FactLineOut]


class FactsOut(TypedDict):
    summary: str
    origin: str
    sections: list[FactSectionOut]


class ExplainerSectionOut(TypedDict):
    key: str
    title: str
    type: str
    text: str
    items: list[str]


class ProvenanceOut(TypedDict):
    model: str
    prompt_version: str
    facts_hash: str
    release: str | None
    created: str
    status: str
    reviewed_by: str | None
    reviewed_at: str | None
    origin: str


class ExplainerOut(TypedDict):
    kind: str
    label: str
    stale: bool
    sections: list[ExplainerSectionOut]
    provenance: ProvenanceOut


class ExplainBody(TypedDict):
    ok: bool
    system: str
    code: str
    title: str
    facts: FactsOut
    explainer: ExplainerOut | None


class MappingOut(TypedDict):
    system: str
    code: str
    title: str | None
    direction: str
    relation: RelationJson


class MapSource(TypedDict):
    system: str
    code: str
    title: str


class MapBody(TypedDict):
    ok: bool
    source: MapSource | None
    to: str
    mappings: list[MappingOut]


class SystemOut(TypedDict):
    system: str
    name: str
    release: ReleaseOut
    concepts: int
    billable: int


class DatabaseOut(TypedDict):
    """The database release that answered: one run of `medcodes build` (also the X-Medcodes-Release header)."""

    release: str
    built_at: str
    medcodes: str


class SystemsBody(TypedDict):
    ok: bool
    database: DatabaseOut | None
    systems: list[SystemOut]
    vocabularies: list[VocabularyOut]


class SystemBody(TypedDict):
    ok: bool
    system: SystemOut
    roots: list[ConceptRef]


# ---------------------------------------------------------------------------------------------- builders
def concept_ref(concept: Concept) -> ConceptRef:
    return {
        "system": concept.system.value,
        "code": concept.code,
        "title": concept.title,
        "kind": concept.kind.value,
        "billable": concept.billable,
        "url": code_path(concept.system, concept.code, concept.title),
    }


def hit(h: SearchHit) -> Hit:
    return {
        "system": h.system.value,
        "code": h.code,
        "display": h.display,
        "score": round(h.score, 4),
        "billable": h.billable,
        "kind": h.kind.value,
        "url": code_path(h.system, h.code, h.display),
        "why": [{"field": r.field, "text": r.text} for r in h.reasons],
        "highlights": list(h.highlights),
    }


def search_body(result: SearchResult, limit: int, offset: int) -> SearchBody:
    return {
        "ok": True,
        "q": result.query,
        "total": result.total,
        "limit": limit,
        "offset": offset,
        "corrected": result.corrected_query,
        "notice": result.notice,
        "facets": {s.value: n for s, n in result.facets.items()},
        "results": [hit(h) for h in result.hits],
    }


def suggest_body(suggestions: Suggestions) -> SuggestBody:
    return {
        "ok": True,
        "q": suggestions.query,
        "completions": list(suggestions.completions),
        "hits": [hit(h) for h in suggestions.hits],
        "corrected": suggestions.corrected_query,
    }


def match_body(lines: Sequence[str], results: Sequence[SearchResult]) -> MatchBody:
    return {
        "ok": True,
        "results": [
            {"line": n, "text": text, "total": r.total, "matches": [hit(h) for h in r.hits]}
            for n, (text, r) in enumerate(zip(lines, results, strict=True), start=1)
        ],
    }


def release_out(release: Release) -> ReleaseOut:
    return {
        "system": release.system.value,
        "version": release.version,
        "effective": release.effective.isoformat() if release.effective else None,
        "licence": release.licence,
        "files": [{"name": f.name, "sha256": f.sha256, "reconstructed": f.reconstructed} for f in release.files],
    }


def _note(n: Note) -> NoteOut:
    return {"kind": n.kind.value, "text": n.text, "character": n.character, "inherited_from": n.inherited_from}


def _designation(d: Designation) -> DesignationOut:
    return {
        "kind": d.kind.value,
        "text": d.text,
        "source": d.source,
        "via": d.via,
        "reconstructed": d.reconstructed,
        "scope": d.scope.value if d.scope else None,
    }


def _definition(d: Definition) -> DefinitionOut:
    return {"text": d.text, "source": d.source, "term": d.term}


def vocabulary_out(v: Vocabulary) -> VocabularyOut:
    return {
        "name": v.name,
        "title": v.title,
        "version": v.version,
        "url": v.url,
        "licence": v.licence,
        "attribution": v.attribution,
        "derived": v.derived,
        "files": [{"name": f.name, "sha256": f.sha256, "reconstructed": f.reconstructed} for f in v.files],
    }


def _property(p: Property) -> PropertyOut:
    return {"name": p.name, "value": p.value, "label": p.label, "definition": p.definition}


def _relation(r: Relation) -> RelationOut:
    return {
        "source_system": r.source_system.value,
        "source_code": r.source_code,
        "kind": r.kind.value,
        "target_system": r.target_system.value,
        "target_code": r.target_code,
        "detail": r.detail,
        "source": r.source,
        "flags": list(r.flags),
    }


def _history(h: HistoryEvent) -> HistoryOut:
    return {
        "kind": h.kind.value,
        "release": h.release,
        "effective": h.effective.isoformat() if h.effective else None,
        "old_title": h.old_title,
        "new_title": h.new_title,
        "replaced_by": list(h.replaced_by),
    }


def axis(position: int, title: str, p: Property) -> AxisOut:
    return {"position": position, "title": title, "value": p.value, "label": p.label, "definition": p.definition}


def _link_group(group: LinkGroup) -> LinkGroupOut:
    return {
        "system": group.system.value,
        "name": group.name,
        "count": group.count,
        "sets": [
            {
                "match": list(s.words),
                "tables": list(s.tables),
                "codes": [
                    {"system": k.system.value, "code": k.code, "title": k.title, "details": list(k.details)}
                    for k in s.links
                ],
            }
            for s in group.sets
        ],
    }


def code_body(detail: ConceptDetail, axes: Sequence[tuple[str, Property]], links: Sequence[LinkGroup] = ()) -> CodeBody:
    c = detail.concept
    return {
        "ok": True,
        "system": c.system.value,
        "code": c.code,
        "title": c.title,
        "short_title": c.short_title,
        "kind": c.kind.value,
        "billable": c.billable,
        "parent": c.parent,
        "url": code_path(c.system, c.code, c.title),
        "release": release_out(detail.release) if detail.release else None,
        "ancestors": [concept_ref(a) for a in detail.ancestors],
        "children": [concept_ref(k) for k in detail.children],
        "notes": [_note(n) for n in detail.notes],
        "designations": [_designation(d) for d in detail.designations],
        "definitions": [_definition(d) for d in detail.definitions],
        "properties": [_property(p) for p in detail.properties],
        "axes": [axis(n, title, p) for n, (title, p) in enumerate(axes, start=1)],
        "relations": [_relation(r) for r in detail.relations],
        "crosswalks": [_link_group(g) for g in links],
        "history": [_history(h) for h in detail.history],
        "as_of": detail.as_of.isoformat() if detail.as_of else None,
        "as_of_notes": list(detail.as_of_notes),
    }


def concepts_body(concept: Concept, concepts: Sequence[Concept]) -> ConceptsBody:
    return {
        "ok": True,
        "system": concept.system.value,
        "code": concept.code,
        "concepts": [concept_ref(c) for c in concepts],
    }


def relation_json(r: Relation) -> RelationJson:
    """A crosswalk row as `medcodes map --json` and /api/v1/codes/{system}/{code}/map write it."""
    return {
        "kind": r.kind.value,
        "source": {"system": r.source_system.value, "code": r.source_code},
        "target": {"system": r.target_system.value, "code": r.target_code},
        "flags": list(r.flags),
        "table": r.source,
        "detail": r.detail,
    }


def map_body(concept: Concept | None, to: SystemId, mappings: Sequence[Mapping]) -> MapBody:
    return {
        "ok": True,
        "source": {"system": concept.system.value, "code": concept.code, "title": concept.title} if concept else None,
        "to": to.value,
        "mappings": [
            {
                "system": m.system.value,
                "code": m.code,
                "title": m.title,
                "direction": "forward" if m.forward else "backward",
                "relation": relation_json(m.relation),
            }
            for m in mappings
        ],
    }


def system_out(info: SystemInfo) -> SystemOut:
    return {
        "system": info.system.value,
        "name": info.name,
        "release": release_out(info.release),
        "concepts": info.concepts,
        "billable": info.billable,
    }


def systems_body(
    infos: Sequence[SystemInfo], stamp: BuildStamp | None, vocabularies: Sequence[Vocabulary] = ()
) -> SystemsBody:
    database: DatabaseOut | None = None
    if stamp is not None:
        built_at = stamp.built_at.isoformat(timespec="seconds")
        database = {"release": stamp.release, "built_at": built_at, "medcodes": stamp.medcodes}
    return {
        "ok": True,
        "database": database,
        "systems": [system_out(i) for i in infos],
        "vocabularies": [vocabulary_out(v) for v in vocabularies],
    }


def system_body(info: SystemInfo, roots: Sequence[Concept]) -> SystemBody:
    return {"ok": True, "system": system_out(info), "roots": [concept_ref(c) for c in roots]}


# ---------------------------------------------------------------------------------------------- similar, explain
def similar_out(s: SimilarCode) -> SimilarOut:
    """One similar code as `medcodes similar --json` writes it, with its code page's address."""
    return {
        "system": s.system.value,
        "code": s.code,
        "title": s.title,
        "score": round(s.score, 4),
        "billable": s.billable,
        "badge": reporting_status(s.system, s.billable),
        "more": s.more,
        "more_label": s.more_label,
        "url": code_path(s.system, s.code, s.title),
        "why": [{"kind": r.kind.value, "text": r.text} for r in s.reasons],
    }


def similar_body(concept: Concept, found: Sequence[SimilarCode]) -> SimilarBody:
    return {
        "ok": True,
        "system": concept.system.value,
        "code": concept.code,
        "title": concept.title,
        "similar": [similar_out(s) for s in found],
    }


def facts_origin(release: Release | None) -> str:
    """Where the facts explainer comes from, in words: pages and the API say it with the facts."""
    where = f"the official {NAMES[release.system]} release {release.version}" if release else "the official release"
    return f"Taken from {where}: the code's own titles, hierarchy and notes, put into sentences without a model."


def facts_out(facts: FactsExplainer, release: Release | None) -> FactsOut:
    return {
        "summary": facts.summary,
        "origin": facts_origin(release),
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


def explainer_out(found: Explainer) -> ExplainerOut:
    """A generated explainer with its label and provenance (without the model server's address)."""
    return {
        "kind": found.kind.value,
        "label": found.label,
        "stale": found.stale,
        "sections": pack.sections_json(found),  # type: ignore[typeddict-item]
        "provenance": pack.provenance_json(found.provenance, endpoint=False),  # type: ignore[typeddict-item]
    }


def explain_body(
    concept: Concept, facts: FactsExplainer, release: Release | None, found: Explainer | None
) -> ExplainBody:
    return {
        "ok": True,
        "system": concept.system.value,
        "code": concept.code,
        "title": concept.title,
        "facts": facts_out(facts, release),
        "explainer": explainer_out(found) if found is not None else None,
    }
