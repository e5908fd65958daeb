"""The HTML pages: server-rendered, readable without JavaScript, each with a JSON twin from the same service call.

Every page links its twin (``<link rel="alternate" type="application/json">``): ``/`` and ``/browse`` and
``/about`` -> ``/api/v1/systems``; ``/search`` -> ``/api/v1/search``; a code page -> ``/api/v1/codes/...``;
``/browse/{system}`` -> ``/api/v1/systems/{system}``. A code page's plain-language and similar-codes sections
link their own twins, ``.../explain`` and ``.../similar``, built from the same service calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from medcodes.errors import CodeNotFound, InvalidCode, MedcodesError
from medcodes.explain.facts import NOTE_MEANINGS
from medcodes.explain.store import ExplainerStore
from medcodes.models import (
    NOTE_LABELS,
    Concept,
    ConceptDetail,
    Designation,
    DesignationKind,
    Explainer,
    Note,
    NoteKind,
    Property,
    SectionType,
    SimilarKind,
    SystemInfo,
    shown_code,
)
from medcodes.properties import HCPCS_FIELDS, PCS_AXES, PropertyLabel
from medcodes.properties import label as property_label
from medcodes.recent import RecentBodies
from medcodes.service import MAX_MATCH_LINES, CodeService
from medcodes.systems import NAMES, REGISTRY, SystemId, reporting_status
from medcodes.web import overview
from medcodes.web.assets import Assets
from medcodes.web.cache import Searches
from medcodes.web.errors import WebError
from medcodes.web.params import whole_number
from medcodes.web.reference import EXAMPLE_ITEMS, Endpoint, Example, example, example_requests
from medcodes.web.shapes import facts_origin
from medcodes.web.urls import (
    code_path,
    code_ref,
    search_path,
    short_code_path,
    similar_path,
    system_of,
    systems_of,
)

PAGE_SIZE = 20
MAX_PAGE = 500
# A code page's last URL segment longer than this is no code of ours (the longest slug is 80 characters).
MAX_REF_CHARS = 200
_ALSO_KNOWN_AS = 40
# Rendered code pages kept in memory (10 to 60 KB each), and result pages (20-40 KB each), each within a byte
# budget: a worker's memory is budgeted (docs/operations.md), and a popular page is made again in 2-4 ms.
CODE_PAGES_KEPT, CODE_PAGES_BYTES = 1024, 8 << 20
SEARCH_PAGES_KEPT, SEARCH_PAGES_BYTES = 512, 8 << 20
# A list of linked codes longer than this is folded behind <details>, with its count, to keep a page short.
COLLAPSE_AFTER = 8
# At most this many codes of one crosswalk list are on a page (ICD-9-CM 92.23 maps to hundreds of ICD-10-PCS codes:
# 143 KB); the rest are in the map endpoint, linked below the list.
SHOWN_LINKS = 200

PUBLIC = {"cache-control": "public, max-age=3600"}
PRIVATE = {"cache-control": "no-store"}

REASON_LABELS = {
    "code": "code",
    "title": "title",
    "index_term": "index term",
    "inclusion_term": "inclusion term",
    "synonym": "synonym",
    "abbreviation": "abbreviation",
    "typo": "spelling corrected",
    "narrower": "billable code under",
    "semantic": "similar meaning",
    "crosswalk": "crosswalk",
    "range": "in range",
}
# Why a code is similar, as a short tag before the reason's own words (docs/similar.md lists the kinds).
SIMILAR_LABELS: dict[SimilarKind, str] = {
    SimilarKind.VARIANT: "variant",
    SimilarKind.SIBLING: "same parent",
    SimilarKind.FAMILY: "same family",
    SimilarKind.BODY_PART: "same body part",
    SimilarKind.DRG_FAMILY: "DRG family",
    SimilarKind.CROSSWALK: "crosswalk",
    SimilarKind.INDEX_TERM: "index",
    SimilarKind.NOTE: "note",
    SimilarKind.REFERENCE: "reference",
    SimilarKind.COVERAGE: "coverage",
    SimilarKind.NEARBY: "nearby",
    SimilarKind.WORDING: "wording",
}
EXAMPLES: dict[SystemId, tuple[str, ...]] = {
    SystemId.ICD10CM: ("type 2 diabetes", "e119", "heart attack", "torus fracture radius"),
    SystemId.ICD10PCS: ("0ut70zz", "resection fallopian tube"),
    SystemId.HCPCS: ("wheelchair", "E0601"),
    SystemId.ICD11: ("cholera",),
    SystemId.ICD10: ("acute myocardial infarction",),
    SystemId.ICD9CM: ("250.00",),
    SystemId.MSDRG: ("heart failure",),
}


# The code the API reference's examples are about: the first of these that is loaded.
_EXAMPLE_CODES = (
    (SystemId.ICD10CM, "E11.9"),
    (SystemId.ICD10PCS, "0UT70ZZ"),
    (SystemId.HCPCS, "E0601"),
    (SystemId.ICD11, "1A00"),
    (SystemId.ICD10, "E11.9"),
    (SystemId.ICD9CM, "250.00"),
)
# Where its map example maps it to, the first loaded.
_MAPS_TO = {
    SystemId.ICD10CM: (SystemId.ICD9CM, SystemId.ICD11),
    SystemId.ICD10PCS: (SystemId.ICD9CM,),
    SystemId.ICD11: (SystemId.ICD10,),
    SystemId.ICD10: (SystemId.ICD11,),
    SystemId.ICD9CM: (SystemId.ICD10CM,),
}


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a title, marked where the query's words matched it."""

    text: str
    marked: bool


@dataclass(frozen=True, slots=True)
class NoteGroup:
    label: str
    notes: tuple[Note, ...]
    meaning: str | None = None  # what the kind tells a coder, in plain words (explain.facts.NOTE_MEANINGS)


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> list[Segment]:
    """``text`` cut into plain and marked pieces; spans out of range or overlapping are clipped."""
    out: list[Segment] = []
    at = 0
    for first, last in sorted(spans):
        start, end = max(first, at), min(last, len(text))
        if end <= start:
            continue
        if start > at:
            out.append(Segment(text[at:start], False))
        out.append(Segment(text[start:end], True))
        at = end
    if at < len(text):
        out.append(Segment(text[at:], False))
    return out


_CRUMB_CHARS = 40


def crumb(concept: Concept) -> str:
    """A breadcrumb: the code, or for a block without one its title, shortened."""
    if concept.shown_code is not None:
        return concept.shown_code
    title = concept.title
    return title if len(title) <= _CRUMB_CHARS else title[: _CRUMB_CHARS - 1].rsplit(" ", 1)[0] + "…"


def humanize(name: str) -> str:
    """``"drg.mdc"`` -> ``"Mdc"``; ``"icd11.is_residual"`` -> ``"Is residual"``."""
    words = name.split(".", 1)[-1].replace("_", " ")
    return words[:1].upper() + words[1:]


def note_groups(notes: Sequence[Note]) -> list[NoteGroup]:
    """Notes by kind, in the order of NOTE_LABELS (the tabular list's own order: notes, then what is included,
    then what is excluded, then other codes to use). Within a kind, the service's order: the code's own notes
    first, then inherited ones, nearest ancestor first. 7th-character definitions go to their own table."""
    groups: dict[NoteKind, list[Note]] = {}
    for note in notes:
        if note.kind is not NoteKind.SEVENTH_CHARACTER:
            groups.setdefault(note.kind, []).append(note)
    order = list(NOTE_LABELS)
    ranked = sorted(groups, key=lambda kind: order.index(kind) if kind in order else len(order))
    return [
        NoteGroup(NOTE_LABELS.get(kind, humanize(kind.value)), tuple(groups[kind]), NOTE_MEANINGS.get(kind))
        for kind in ranked
    ]


def environment(assets: Assets, infos: Sequence[SystemInfo]) -> Environment:
    """The templates, with the helpers and defaults every page uses. Autoescaping is on for everything."""
    env = Environment(
        loader=PackageLoader("medcodes.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship inside the package and never change under a running server: no stat per render.
        auto_reload=False,
    )
    env.globals.update(
        asset=assets.url,
        code_url=lambda c: code_path(c.system, c.code, c.title),
        hit_url=lambda h: code_path(h.system, h.code, h.display),
        short_code_url=short_code_path,
        search_url=search_path,
        highlight=highlight,
        humanize=humanize,
        shown_code=lambda c: shown_code(c.system, c.code, c.kind),
        crumb=crumb,
        reporting=reporting_status,
        reported_until={s: p.reported_until for s, p in REGISTRY.items() if p.reported_until},
        collapse_after=COLLAPSE_AFTER,
        shown_links=SHOWN_LINKS,
        system_name=lambda s: NAMES[SystemId(s)],
        reason_labels=REASON_LABELS,
        similar_labels=SIMILAR_LABELS,
        similar_labels_json={kind.value: label for kind, label in SIMILAR_LABELS.items()},
        section_types=SectionType,
        systems=infos,
        system_names={s.value: name for s, name in NAMES.items()},
        loaded={i.system for i in infos},
        # Defaults that a page overrides; the error page renders with these alone.
        query="",
        selected=(),
        billable=False,
        filters=False,
        # Release.licence: WHO's notice for ICD-10 and ICD-11, the AMA's for CPT. Every page shows those of the
        # loaded systems, since any page's search box may suggest their codes and titles.
        notices=[(NAMES[i.system], i.release.licence) for i in infos if i.release.licence],
        alternate=None,
        canonical=None,
        jsonld=None,
        description="Search all medical codes: ICD-10-CM, ICD-10-PCS, HCPCS and more, one page per code.",
        search_box=True,
    )
    return env


class Pages:
    def __init__(
        self,
        service: CodeService,
        searches: Searches,
        templates: Environment,
        reference: Callable[[], list[Endpoint]],
        explainers: ExplainerStore,
    ) -> None:
        self.service = service
        self.searches = searches
        self.templates = templates
        self.reference = reference
        self.explainers = explainers
        self.infos = service.systems()
        self.loaded = {i.system for i in self.infos}
        self.vocabularies = service.vocabularies()
        # Their titles, for saying where a name or a definition on a code page comes from.
        self.vocabulary_titles = {v.name: v.title for v in self.vocabularies}
        self.code_pages: RecentBodies[tuple[SystemId, str, str, Explainer | None]] = RecentBodies(
            CODE_PAGES_KEPT, CODE_PAGES_BYTES
        )
        self.search_pages: RecentBodies[tuple[str, tuple[SystemId, ...], bool, int]] = RecentBodies(
            SEARCH_PAGES_KEPT, SEARCH_PAGES_BYTES
        )
        self.examples: dict[tuple[str, str], Example] | None = None

    def render(self, name: str, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(name).render(**context)
        return HTMLResponse(html, headers=headers)

    # ------------------------------------------------------------------------------------------ pages
    async def home(self, request: Request) -> Response:
        examples = [(i.name, q) for i in self.infos for q in EXAMPLES.get(i.system, ())]
        return self.render(
            "home.html",
            PUBLIC,
            title="medcodes: search all medical codes",
            examples=examples,
            search_box=False,
            filters=True,
            alternate="/api/v1/systems",
            canonical=_absolute(request, "/"),
            max_match_lines=MAX_MATCH_LINES,
        )

    async def search(self, request: Request) -> Response:
        params = request.query_params
        q = params.get("q", "")
        selected = systems_of(params.getlist("system"))
        billable = params.get("billable", "") not in ("", "0", "false")
        page = _page(params.get("page", "1"))
        alternate = "/api/v1/search?" + urlencode(
            [("q", q), *(("system", s.value) for s in selected)]
            + [("limit", str(PAGE_SIZE)), ("offset", str((page - 1) * PAGE_SIZE))]
            + ([("billable", "true")] if billable else [])
        )
        context: dict[str, Any] = {
            "title": f"{q} - search - medcodes" if q.strip() else "Search - medcodes",
            "query": q,
            "selected": selected,
            "billable": billable,
            "filters": True,
            "alternate": alternate,
            "page": page,
            "result": None,
        }
        if not q.strip():
            return self.render("search.html", PRIVATE, **context)
        if page == 1:
            concept = self._one_code(q, selected)
            if concept is not None:
                # A code typed in the box and confirmed opens its page; words stay on the results page.
                path = code_path(concept.system, concept.code, concept.title)
                return RedirectResponse(path, status_code=302, headers=PRIVATE)
        # The page of a search is kept as the search is (web/cache.py): the same words, filters and page read alike.
        key = (q, tuple(selected), billable, page)
        html = self.search_pages.get(key)
        if html is not None:
            return HTMLResponse(html, headers=PRIVATE)
        offset = (page - 1) * PAGE_SIZE
        result = await self.searches.find(q, selected, PAGE_SIZE, offset, billable, receive=request.receive)
        pages = max(1, min(MAX_PAGE, -(-result.total // PAGE_SIZE)))
        facets = sorted(result.facets.items(), key=lambda item: -item[1])
        context.update(
            result=result,
            pages=pages,
            facets=[(s, NAMES[s], n) for s, n in facets],
            description=f"Medical codes for {q!r}: {result.total} results.",
            first=(page - 1) * PAGE_SIZE + 1,
        )
        html = self.templates.get_template("search.html").render(**context).encode()
        self.search_pages.put(key, html)
        return HTMLResponse(html, headers=PRIVATE)

    async def code(self, request: Request) -> Response:
        system = system_of(request.path_params["system"])
        ref: str = request.path_params["ref"]
        when = _date_param(request.query_params.get("as_of"))
        if when is not None:
            return self._code_as_of(request, system, ref, when)
        concept, canonical = self._find(system, ref)
        if not canonical or request.path_params["system"] != system.value:
            return RedirectResponse(code_path(concept.system, concept.code, concept.title), status_code=301)
        # Everything on a code page but its generated explainer is a fact of the release, which never changes under
        # a running server: the page is kept, by the explainer it shows (which the explainers store may change).
        found = self.service.explainer(concept.code, concept.system, self.explainers)
        key = (concept.system, concept.code, str(request.base_url), found)
        html = self.code_pages.get(key)
        if html is None:
            detail = self.service.detail(concept)
            path = code_path(concept.system, concept.code, concept.title)
            context = self._code_context(request, detail, path, found)
            html = self.templates.get_template("code.html").render(**context).encode()
            self.code_pages.put(key, html)
        return HTMLResponse(html, headers=PUBLIC)

    async def similar(self, request: Request) -> Response:
        """``/code/{system}/{ref}/similar``: a code's similar codes as a page of their own, for readers without
        JavaScript (the code page loads them from their JSON twin)."""
        system = system_of(request.path_params["system"])
        concept, canonical = self._find(system, request.path_params["ref"])
        path = code_path(concept.system, concept.code, concept.title)
        if not canonical or request.path_params["system"] != system.value:
            return RedirectResponse(similar_path(path), status_code=301)
        twin = f"/api/v1/codes/{concept.system.value}/{quote(concept.code, safe='.-')}/similar"
        return self.render(
            "similar.html",
            PUBLIC,
            title=f"Codes similar to {concept.code}: {concept.title} - medcodes",
            description=f"Codes similar to {NAMES[concept.system]} {concept.code}, each with the reasons why.",
            concept=concept,
            code_page=path,
            similar=self.service.similar(concept.code, concept.system),
            similar_twin=twin,
            similar_page=None,
            alternate=twin,
            canonical=_absolute(request, similar_path(path)),
        )

    async def code_anywhere(self, request: Request) -> Response:
        """``/code/{code}``: the page of a code of any loaded system, or (300) the codes of several it may be."""
        ref: str = request.path_params["ref"]
        if len(ref) > MAX_REF_CHARS:
            raise WebError(404, "No such code page")
        concept = self.service.resolve(ref)
        # Temporary: which system a bare code means depends on what is loaded.
        return RedirectResponse(code_path(concept.system, concept.code, concept.title), status_code=302)

    def _one_code(self, q: str, selected: Sequence[SystemId]) -> Concept | None:
        """The concept ``q`` names when it is exactly one code (in any notation) of exactly one loaded system
        (among ``selected``, where some are); otherwise None, and the query is searched as words."""
        text = q.strip()
        if not text or len(text) > MAX_REF_CHARS:
            return None
        systems = [s for s in selected if s in self.loaded] if selected else [None]
        found = []
        for system in systems:
            try:
                found.append(self.service.resolve(text, system))
            except MedcodesError:
                continue
        return found[0] if len(found) == 1 else None

    def _code_as_of(self, request: Request, system: SystemId, ref: str, when: dt.date) -> Response:
        """A code page as the code stood on a date (``?as_of=YYYY-MM-DD``): the same service call as the
        API's ``?as_of`` and ``medcodes show --as-of``. A code deleted since is found by its code alone."""
        try:
            code = self._find(system, ref)[0].code
        except CodeNotFound:
            code = ref
        detail = self.service.as_of(code, system, when)
        c = detail.concept
        path = f"{code_path(c.system, c.code, c.title)}?as_of={when.isoformat()}"
        context = self._code_context(request, detail, path, None)
        context.update(
            title=f"{c.code} as of {when.isoformat()}: {c.title} - {NAMES[c.system]} - medcodes",
            alternate=f"{context['alternate']}?as_of={when.isoformat()}",
        )
        return self.render("code.html", PUBLIC, **context)

    def _find(self, system: SystemId, ref: str) -> tuple[Concept, bool]:
        """The concept a code page's last URL segment names, and whether that segment is its canonical one.

        ``{code}-{slug}``: codes hold hyphens too (``A15-A19``, ``BlockL1-1A0``), so each hyphen is tried as
        the boundary, left to right, until the code before it has exactly the slug after it. Otherwise the
        longest prefix that is a code (in any notation) wins, and the page redirects to its canonical URL.
        """
        if len(ref) > MAX_REF_CHARS:
            raise WebError(404, "No such code page")
        cuts = [i for i, ch in enumerate(ref) if ch == "-"]
        failures: list[CodeNotFound | InvalidCode] = []
        found: dict[str, Concept] = {}
        for cut in cuts:
            concept = self._try(system, ref[:cut], failures, found)
            if concept is not None and code_ref(concept.code, concept.title) == ref:
                return concept, True
        for cut in [len(ref), *reversed(cuts)]:
            concept = self._try(system, ref[:cut], failures, found)
            if concept is not None:
                return concept, code_ref(concept.code, concept.title) == ref
        missing = [f for f in failures if isinstance(f, CodeNotFound)]
        raise (missing[-1] if missing else failures[-1])

    def _try(
        self, system: SystemId, text: str, failures: list[CodeNotFound | InvalidCode], found: dict[str, Concept]
    ) -> Concept | None:
        if text in found:
            return found[text]
        try:
            concept = found[text] = self.service.find(system, text)
        except (CodeNotFound, InvalidCode) as exc:
            failures.append(exc)
            return None
        return concept

    def _code_context(
        self, request: Request, detail: ConceptDetail, path: str, found: Explainer | None
    ) -> dict[str, Any]:
        c = detail.concept
        name = NAMES[c.system]
        by_code = {a.code: a for a in detail.ancestors}
        titles = [
            d
            for d in detail.designations
            if d.kind in (DesignationKind.TITLE, DesignationKind.SHORT_TITLE) and d.text not in (c.title, c.short_title)
        ]
        names = overview.names(detail, self.vocabulary_titles)
        also = _also_known_as(detail.designations, {c.title, c.short_title or "", *(n.text for n in names)})
        links = self.service.links(detail)
        axes = self.service.axes(c)
        summary = f"{c.code} is the {name} code for {c.title}"
        status = reporting_status(c.system, c.billable)
        if status is not None:
            summary += f" ({status})"
        description = summary + ". Notes, hierarchy and related codes."
        canonical = _absolute(request, path)
        twin = f"/api/v1/codes/{c.system.value}/{quote(c.code, safe='.-')}"
        return {
            "title": f"{c.code}: {c.title} - {name} - medcodes",
            "description": description if len(description) <= 300 else description[:297] + "...",
            "canonical": canonical,
            "alternate": twin,
            "jsonld": {
                "@context": "https://schema.org",
                "@type": "MedicalCode",
                "codeValue": c.code,
                "codingSystem": name,
                "name": c.title,
                "url": canonical,
            },
            "detail": detail,
            "concept": c,
            "system_name": name,
            "titles": titles,
            "also_known_as": also[:_ALSO_KNOWN_AS],
            "also_more": max(0, len(also) - _ALSO_KNOWN_AS),
            "note_groups": note_groups(detail.notes),
            "seventh": [n for n in detail.notes if n.kind is NoteKind.SEVENTH_CHARACTER],
            "ancestor": by_code,
            "axes": axes,
            "names": names,
            "meanings": overview.meanings(detail, axes, self.vocabulary_titles),
            "places": overview.places(detail),
            "indicators": [(_label(p), p) for p in detail.properties if p.name in HCPCS_FIELDS],
            "properties": [
                (_label(p), p)
                for p in detail.properties
                if p.name not in PCS_AXES and p.name not in HCPCS_FIELDS and p.code == c.code
            ],
            "links": links,
            # The same service calls as the JSON twins .../explain and .../similar (api.Api.explain, .similar).
            # A page of a past date explains the facts of that date, and no generated text (it explains today's).
            "facts": self.service.facts_of(detail, links),
            "facts_origin": facts_origin(detail.release),
            "explainer": found if detail.as_of is None else None,
            "explain_twin": twin + "/explain",
            # Similar codes cost more than the rest of the page together: the page loads them from their JSON
            # twin (static/search.js) and, without JavaScript, links their own page.
            "similar": None,
            "similar_twin": twin + "/similar",
            "similar_page": similar_path(path.split("?", 1)[0]),
        }

    def _example_requests(self) -> dict[tuple[str, str], tuple[str, bytes | None]]:
        """The API reference's example requests, about a well-known code of a loaded system (any code else)."""
        for system, code in _EXAMPLE_CODES:
            if system in self.loaded and self.service.store.get(system, code) is not None:
                break
        else:
            system = self.infos[0].system if self.infos else SystemId.ICD10CM
            roots = self.service.roots(system) if self.infos else []
            code = roots[0].code if roots else "E11.9"
        other = next((s for s in _MAPS_TO.get(system, ()) if s in self.loaded), None)
        return example_requests(system.value, code, other.value if other else None)

    async def browse(self, request: Request) -> Response:
        return self.render(
            "browse.html",
            PUBLIC,
            title="Browse code systems - medcodes",
            description="Browse every loaded medical code system by chapter, section and category.",
            alternate="/api/v1/systems",
            canonical=_absolute(request, "/browse"),
        )

    async def browse_system(self, request: Request) -> Response:
        system = system_of(request.path_params["system"])
        info = next((i for i in self.infos if i.system is system), None)
        if info is None:
            raise self.service.not_loaded(system)
        return self.render(
            "browse_system.html",
            PUBLIC,
            title=f"{info.name}: browse - medcodes",
            description=f"Browse {info.name} release {info.release.version}: chapters and sections.",
            info=info,
            roots=self.service.roots(system),
            alternate=f"/api/v1/systems/{system.value}",
            canonical=_absolute(request, f"/browse/{system.value}"),
        )

    async def about(self, request: Request) -> Response:
        return self.render(
            "about.html",
            PUBLIC,
            vocabularies=self.vocabularies,
            title="About medcodes: sources, releases and licences",
            description="Where medcodes' codes come from, which releases are loaded, and their licences.",
            alternate="/api/v1/systems",
            canonical=_absolute(request, "/about"),
        )

    async def api_docs(self, request: Request) -> Response:
        if self.examples is None:
            # Made once per server (its release never changes under it), in process, from the loaded database.
            requests = self._example_requests()
            self.examples = {
                key: await example(request.app, key[0], target, body) for key, (target, body) in requests.items()
            }
        return self.render(
            "docs.html",
            PUBLIC,
            title="JSON API - medcodes",
            description="The medcodes JSON API: search, suggest, batch match, codes, systems.",
            endpoints=self.reference(),
            examples=self.examples,
            example_items=EXAMPLE_ITEMS,
            alternate="/openapi.json",
            max_match_lines=MAX_MATCH_LINES,
        )


def _absolute(request: Request, path: str) -> str:
    """A page's public address for canonical links and structured data: the configured public URL (WebOptions),
    never the request's Host header, which anyone can set and these pages are cached publicly. Without one,
    the path alone."""
    base = getattr(getattr(request.scope.get("app"), "state", None), "public_url", None)
    return f"{base}{path}" if base else path


def _date_param(value: str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise WebError(400, f"as_of must be a date written YYYY-MM-DD, not {value!r}") from None


def _page(value: str) -> int:
    page = whole_number(value)
    if page is None or not 1 <= page <= MAX_PAGE:
        raise WebError(400, f"page must be a number from 1 to {MAX_PAGE}")
    return page


def _label(p: Property) -> PropertyLabel:
    """A property's labels from the vocabulary both the sources and the pages use (a test holds every name)."""
    return property_label(p.name) or PropertyLabel(p.name, p.name)


def _also_known_as(designations: Sequence[Designation], titles: set[str]) -> list[Designation]:
    """Inclusion terms, synonyms, abbreviations and index terms, each text once."""
    seen = set(titles)
    out = []
    for d in designations:
        if d.kind in (DesignationKind.TITLE, DesignationKind.SHORT_TITLE) or d.text in seen:
            continue
        seen.add(d.text)
        out.append(d)
    return out
