"""Value sets: their definitions (compose) and what they contain (expansion).

A value set includes codes of code systems (every code, listed codes, codes that pass filters) and of other
value sets, and excludes some the same way. Expanding it lists the codes; ``filter`` text narrows the list.
For a loaded system the common cases never list the whole system: a whole-system or is-a value set is read a
page at a time, and filter text goes to the search engine, which ranks the codes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import regex

from medcodes.errors import ExpansionError, Issue
from medcodes.models import ConceptDetail, SearchResult
from medcodes.search.text import tokens
from medcodes.systems import SystemId
from medcodes.terminology.codesystems import CodeSource, StoredCodeSystem, is_inactive
from medcodes.terminology.concepts import Designation, SystemInfo, TermConcept

# Without `count`, an expansion lists at most this many codes (a larger one is refused: ask for a page).
MAX_EXPANSION = 10_000
# A value set may include another, which includes another ... no deeper than this.
MAX_DEPTH = 8
_HIERARCHY_OPS = ("is-a", "descendent-of", "child-of", "descendent-leaf", "is-not-a", "generalizes")
_SEARCH_DEPTH = 1000
# A regex filter (the client's pattern) may spend this long on one value set before it is stopped.
REGEX_SECONDS = 1.0


class Catalogue(Protocol):
    """What expansion needs from the service: its search (ranking stays in one place)."""

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
    ) -> SearchResult: ...

    def valid_on(self, system: SystemId, code: str, when: dt.date) -> bool: ...

    def as_of(self, code: str, system: SystemId | None, when: dt.date) -> ConceptDetail: ...


# ---------------------------------------------------------------------------------------------- definitions
@dataclass(frozen=True, slots=True)
class Filter:
    property: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class ConceptReference:
    code: str
    display: str | None = None
    designations: tuple[Designation, ...] = ()
    status: str | None = None  # "deprecated" where the value set marks the concept so
    marker: str | None = None  # the extension that marks it (valueset-deprecated, or standards-status)


@dataclass(frozen=True, slots=True)
class ComposePart:
    """One include or exclude of a compose."""

    system: str | None = None
    version: str | None = None
    concepts: tuple[ConceptReference, ...] = ()
    filters: tuple[Filter, ...] = ()
    value_sets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ValueSetDefinition:
    url: str | None
    version: str | None = None
    name: str | None = None
    title: str | None = None
    status: str = "active"
    experimental: bool = False
    include: tuple[ComposePart, ...] = ()
    exclude: tuple[ComposePart, ...] = ()
    inactive: bool | None = None  # compose.inactive: may inactive codes be in it
    id: str | None = None
    contained: tuple[ValueSetDefinition, ...] = ()
    standards_status: str | None = None  # deprecated, withdrawn (structuredefinition-standards-status)

    @property
    def canonical(self) -> str:
        return f"{self.url}|{self.version}" if self.url and self.version else self.url or ""


@dataclass(frozen=True, slots=True)
class ExpansionRequest:
    text: str | None = None
    count: int | None = None
    offset: int = 0
    active_only: bool = False
    display_language: str | None = None
    as_of: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """One code in an expansion."""

    source: CodeSource
    concept: TermConcept
    reference: ConceptReference | None = None  # how the value set listed it, where it did

    @property
    def key(self) -> tuple[str, str]:
        return (self.source.info.url, self.concept.code)


@dataclass(frozen=True, slots=True)
class Expansion:
    total: int | None
    offset: int
    members: tuple[Member, ...]
    used: tuple[SystemInfo, ...] = ()
    used_value_sets: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = field(default=())


# ---------------------------------------------------------------------------------------------- the registry
class Resolver(Protocol):
    """Finds code systems and value sets by canonical URL (loaded ones, and those supplied with a request)."""

    def code_system(self, url: str, version: str | None = None) -> CodeSource | None: ...

    def value_set(self, url: str) -> ValueSetDefinition | None: ...


# ---------------------------------------------------------------------------------------------- expansion
class Expander:
    def __init__(self, resolver: Resolver, catalogue: Catalogue) -> None:
        self.resolver = resolver
        self.catalogue = catalogue

    def expand(self, vs: ValueSetDefinition, request: ExpansionRequest) -> Expansion:
        fast = self._simple_stored(vs)
        if fast is not None:
            return self._expand_stored(fast[0], fast[1], vs, request)
        used: dict[str, SystemInfo] = {}
        used_vs: list[str] = []
        members = self._evaluate(vs, request, used, used_vs, 0)
        if request.active_only or vs.inactive is False:
            members = [m for m in members if not is_inactive(m.concept)]
        if request.as_of is not None:
            members = [m for m in members if self._valid_then(m, request.as_of)]
        if request.text:
            members = self._matching(members, request.text)
        total = len(members)
        if request.count is None and total - request.offset > MAX_EXPANSION:
            raise _too_costly(vs, total)
        end = total if request.count is None else request.offset + request.count
        page = members[request.offset : end]
        return Expansion(total, request.offset, tuple(page), tuple(used.values()), tuple(used_vs))

    # ------------------------------------------------------------ the fast path over a loaded system
    def _simple_stored(self, vs: ValueSetDefinition) -> tuple[StoredCodeSystem, str | None] | None:
        """(system, is-a root or None) where the value set is a whole loaded system or one concept's subtree."""
        if len(vs.include) != 1 or vs.exclude:
            return None
        part = vs.include[0]
        if part.system is None or part.concepts or part.value_sets:
            return None
        source = self.resolver.code_system(part.system, part.version)
        if not isinstance(source, StoredCodeSystem):
            return None
        if not part.filters:
            return source, None
        if len(part.filters) == 1:
            f = part.filters[0]
            if f.property == "concept" and f.op == "is-a" and source.find(f.value) is not None:
                return source, f.value
        return None

    def _expand_stored(
        self, source: StoredCodeSystem, root: str | None, vs: ValueSetDefinition, request: ExpansionRequest
    ) -> Expansion:
        used = (source.info,)
        if request.text:
            limit = request.count if request.count is not None else 100
            if limit == 0:
                found = self.catalogue.search(request.text, [source.system], 1, 0, as_of=request.as_of, within=root)
                return Expansion(found.total, request.offset, (), used)
            found = self.catalogue.search(
                request.text,
                [source.system],
                min(limit, _SEARCH_DEPTH),
                request.offset,
                as_of=request.as_of,
                within=root,
            )
            codes = [h.code for h in found.hits if h.system is source.system]
            members = [Member(source, concept) for concept in source.find_all(codes)]
            return Expansion(found.total, request.offset, tuple(members), used)
        if request.count is None:
            total, _ = source.page(root, 0, 0)
            if total - request.offset > MAX_EXPANSION:
                raise _too_costly(vs, total)
        count = request.count if request.count is not None else MAX_EXPANSION
        total, concepts = source.page(root, request.offset, count)
        members = [Member(source, c) for c in concepts]
        if request.as_of is not None:
            # Codes added after the date are dropped from the page; the total is the whole system's.
            members = [m for m in members if self._valid_then(m, request.as_of)]
        return Expansion(total, request.offset, tuple(members), used)

    def _valid_then(self, member: Member, when: dt.date) -> bool:
        if not isinstance(member.source, StoredCodeSystem):
            return True
        return self.catalogue.valid_on(member.source.system, member.concept.code, when)

    # ------------------------------------------------------------ the general path
    def _evaluate(
        self,
        vs: ValueSetDefinition,
        request: ExpansionRequest,
        used: dict[str, SystemInfo],
        used_vs: list[str],
        depth: int,
    ) -> list[Member]:
        if depth > MAX_DEPTH:
            raise ExpansionError(
                Issue("error", "too-costly", f"Value sets include each other more than {MAX_DEPTH} deep"), 422
            )
        chosen: dict[tuple[str, str], Member] = {}
        for part in vs.include:
            for member in self._part(vs, part, request=request, used=used, used_vs=used_vs, depth=depth):
                chosen.setdefault(member.key, member)
        for part in vs.exclude:
            for member in self._part(vs, part, request=request, used={}, used_vs=[], depth=depth):
                chosen.pop(member.key, None)
        return list(chosen.values())

    def _part(
        self,
        vs: ValueSetDefinition,
        part: ComposePart,
        *,
        request: ExpansionRequest,
        used: dict[str, SystemInfo],
        used_vs: list[str],
        depth: int,
    ) -> list[Member]:
        selected: list[Member] | None = None
        if part.system is not None:
            source = self.resolver.code_system(part.system, part.version)
            if source is None:
                raise ExpansionError(unknown_system_issue(part.system, part.version, vs), 404)
            used.setdefault(source.info.canonical, source.info)
            selected = self._from_system(source, part, vs)
        for url in part.value_sets:
            inner = self._value_set(url, vs)
            if inner.url and not url.startswith("#") and inner.canonical not in used_vs:
                used_vs.append(inner.canonical)
            members = self._evaluate(inner, request, used, used_vs, depth + 1)
            if selected is None:
                selected = members
            else:
                keep = {m.key for m in members}
                selected = [m for m in selected if m.key in keep]
        return selected or []

    def _value_set(self, url: str, vs: ValueSetDefinition) -> ValueSetDefinition:
        if url.startswith("#"):
            found = next((c for c in vs.contained if c.id == url[1:]), None)
        else:
            found = self.resolver.value_set(url)
        if found is None:
            raise ExpansionError(unknown_value_set_issue(url), 404)
        return found

    def _from_system(self, source: CodeSource, part: ComposePart, vs: ValueSetDefinition) -> list[Member]:
        if part.concepts:
            members: list[Member] = []
            for ref in part.concepts:
                concept = source.find(ref.code)
                if concept is not None:
                    members.append(Member(source, concept, ref))
            pool = members
        elif part.filters:
            pool = [Member(source, c) for c in self._filtered(source, part.filters[0], vs)]
        else:
            pool = [Member(source, c) for c in source.concepts()]
        for f in part.filters[1:] if not part.concepts else part.filters:
            keep = {c.code for c in self._filtered(source, f, vs)}
            pool = [m for m in pool if m.concept.code in keep]
        return pool

    def _filtered(self, source: CodeSource, f: Filter, vs: ValueSetDefinition) -> list[TermConcept]:
        """The concepts of ``source`` that pass one filter, in the system's order."""
        if f.property in ("concept", "code") and f.op in _HIERARCHY_OPS:
            root = source.find(f.value)
            if root is None:
                return []
            if f.op == "is-a":
                return [root, *source.descendants(root.code)]
            if f.op == "descendent-of":
                return source.descendants(root.code)
            if f.op == "child-of":
                return source.children(root.code)
            if f.op == "descendent-leaf":
                return [c for c in source.descendants(root.code) if not source.children(c.code)]
            if f.op == "generalizes":
                above = set(source.ancestors(root.code))
                return [c for c in source.concepts() if c.code in above or c.code == root.code]
            below = {c.code for c in source.descendants(root.code)} | {root.code}
            return [c for c in source.concepts() if c.code not in below]
        test = _predicate(f, vs, source.info)
        return [c for c in source.concepts() if test(c)]

    # ------------------------------------------------------------ filter text
    def _matching(self, members: list[Member], text: str) -> list[Member]:
        """Members whose display or designations hold every word of ``text`` (as word prefixes); for codes of a
        loaded system, the search engine's ranking puts the best first."""
        words = tokens(text)
        ranked: dict[tuple[str, str], int] = {}
        stored = {m.source.system: m.source.info.url for m in members if isinstance(m.source, StoredCodeSystem)}
        for system, url in stored.items():
            found = self.catalogue.search(text, [system], _SEARCH_DEPTH, 0)
            for rank, hit in enumerate(found.hits):
                ranked.setdefault((url, hit.code), rank)
        first = sorted((m for m in members if m.key in ranked), key=lambda m: ranked[m.key])
        rest = [m for m in members if m.key not in ranked and _has_words(m.concept, words)]
        return first + rest


def _has_words(concept: TermConcept, words: Sequence[str]) -> bool:
    if not words:
        return True
    texts = [concept.display or "", concept.code, *(d.value for d in concept.designations)]
    for text in texts:
        found = tokens(text)
        if all(any(w2.startswith(w) for w2 in found) for w in words):
            return True
    return False


def _predicate(f: Filter, vs: ValueSetDefinition, info: SystemInfo) -> Callable[[TermConcept], bool]:
    """A test for one property filter (=, regex, in, not-in, exists)."""
    if f.op == "regex":
        try:
            pattern = regex.compile(f.value)
        except regex.error as exc:
            raise ExpansionError(
                Issue("error", "invalid", f"The regex '{f.value}' is not valid: {exc}", "vs-invalid"), 400
            ) from None
        deadline = time.monotonic() + REGEX_SECONDS

        def values_regex(c: TermConcept) -> bool:
            for value in _values(c, f.property):
                try:
                    if pattern.fullmatch(value, timeout=max(0.001, deadline - time.monotonic())):
                        return True
                except TimeoutError:
                    raise ExpansionError(
                        Issue(
                            "error",
                            "too-costly",
                            f"The regex filter '{f.value}' took too long to evaluate against code '{c.code}'",
                            "vs-invalid",
                        ),
                        422,
                    ) from None
            return False

        return values_regex
    if f.op == "=":
        return lambda c: f.value in _values(c, f.property)
    if f.op == "in":
        wanted = {v.strip() for v in f.value.split(",")}
        return lambda c: bool(wanted & set(_values(c, f.property)))
    if f.op == "not-in":
        unwanted = {v.strip() for v in f.value.split(",")}
        return lambda c: not (unwanted & set(_values(c, f.property)))
    if f.op == "exists":
        want = f.value.strip().lower() == "true"
        return lambda c: bool(_values(c, f.property)) is want
    raise ExpansionError(
        Issue(
            "error",
            "not-supported",
            f"The filter '{f.property} {f.op} {f.value}' is not supported for {info.url}",
            "vs-invalid",
        ),
        400,
    )


def _values(concept: TermConcept, name: str) -> list[str]:
    if name == "code":
        return [concept.code]
    if name == "display":
        return [concept.display or ""]
    if name in ("inactive", "notSelectable"):
        flag = is_inactive(concept) if name == "inactive" else concept.abstract
        return ["true" if flag else "false"]
    if name == "status" and concept.status:
        return [concept.status]
    out: list[str] = []
    for value in concept.property_values(name):
        if isinstance(value, bool):
            out.append("true" if value else "false")
        elif isinstance(value, (int, float, str)):
            out.append(str(value))
        else:
            out.append(value.code)
    return out


def _too_costly(vs: ValueSetDefinition, total: int) -> ExpansionError:
    what = vs.url or "the value set"
    return ExpansionError(
        Issue(
            "error",
            "too-costly",
            f"The value set {what} has {total:,} codes, more than the {MAX_EXPANSION:,} one expansion lists: "
            "ask for a page with 'count' (and 'offset'), or narrow it with 'filter'",
            "too-costly",
        ),
        422,
    )


def unknown_value_set_issue(url: str) -> Issue:
    return Issue(
        "error",
        "not-found",
        f"A definition for the value Set '{url}' could not be found",
        "not-found",
        message_id="Unable_to_resolve_value_Set_",
    )


def unknown_system_issue(url: str, version: str | None, vs: ValueSetDefinition | None = None) -> Issue:
    if version:
        text = f"A definition for CodeSystem '{url}' version '{version}' could not be found"
    else:
        text = f"A definition for CodeSystem '{url}' could not be found"
    if vs is not None and vs.url:
        text += f", so the value set '{vs.canonical}' cannot be expanded"
    return Issue("error", "not-found", text, "not-found", message_id="UNKNOWN_CODESYSTEM")
