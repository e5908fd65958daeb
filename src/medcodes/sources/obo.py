"""The two published forms of an OBO ontology: OBO-JSON (obographs) and the OBO flat file format 1.2/1.4.

Both are read into ``OboTerm``s: the term's CURIE ("DOID:10763"), label, synonyms with their scope and
type, definition, cross-references, parents and whether it is obsolete. Which terms matter, and what
the cross-references mean, is the vocabulary's own source module's business (``doid.py``, ``ncit.py``).

- OBO-JSON (https://github.com/geneontology/obographs): ``{"graphs": [{"id", "meta", "nodes": [{"id": IRI,
  "lbl", "type": "CLASS", "meta": {"definition": {"val"}, "synonyms": [{"pred": "hasExactSynonym", "val",
  "synonymType"?}], "xrefs": [{"val"}], "deprecated"}}], "edges": [{"sub", "pred": "is_a", "obj"}]}]}``.
  Only the first graph is the ontology; the others are its imports.
- OBO flat file (https://owlcollab.github.io/oboformat/doc/obo-syntax.html): header tag-value lines, then
  ``[Term]`` stanzas of ``tag: value`` lines (``id``, ``name``, ``def: "text" [xrefs]``, ``synonym: "text"
  EXACT|RELATED|NARROW|BROAD [TYPE] [xrefs]``, ``xref``, ``is_a: ID ! label``, ``is_obsolete: true``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import NameScope
from medcodes.sources.files import read_bytes, squash, text_lines

__all__ = [
    "OboOntology",
    "OboSynonym",
    "OboTerm",
    "curie",
    "descendants",
    "read_json",
    "read_obo",
    "synonym_scope",
]

_SCOPES = {
    "EXACT": NameScope.EXACT,
    "RELATED": NameScope.RELATED,
    "NARROW": NameScope.NARROW,
    "BROAD": NameScope.BROAD,
}
_JSON_SCOPES = {
    "hasExactSynonym": NameScope.EXACT,
    "hasRelatedSynonym": NameScope.RELATED,
    "hasNarrowSynonym": NameScope.NARROW,
    "hasBroadSynonym": NameScope.BROAD,
}
# The OBO Metadata Ontology's "abbreviation" synonym type, and the older name some files use.
_ABBREVIATION_TYPES = frozenset({"OMO:0003012", "abbreviation", "ABBREVIATION", "acronym"})
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True, slots=True)
class OboSynonym:
    text: str
    scope: NameScope
    abbreviation: bool = False
    kind: str = ""  # the synonym type as the file writes it ("layperson", "OMO:0003012"), if any


@dataclass(frozen=True, slots=True)
class OboTerm:
    id: str  # a CURIE: "DOID:10763"
    label: str
    synonyms: tuple[OboSynonym, ...] = ()
    definition: str | None = None
    xrefs: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    obsolete: bool = False


@dataclass(frozen=True, slots=True)
class OboOntology:
    """An ontology file's terms, and the version it states (OBO ``data-version``, OBO-JSON ``versionInfo``
    or version IRI), if any."""

    terms: tuple[OboTerm, ...]
    version: str | None = None


def synonym_scope(predicate: str) -> NameScope | None:
    """The scope a synonym predicate says ("hasExactSynonym", "oboInOwl:hasNarrowSynonym"), or None for
    another predicate."""
    return _JSON_SCOPES.get(predicate.rsplit(":", 1)[-1].rsplit("#", 1)[-1])


def descendants(terms: Sequence[OboTerm], root: str) -> set[str]:
    """The ids of ``root`` and every term below it by is_a; every id where the file lacks ``root`` (an
    extract of one branch)."""
    ids = {t.id for t in terms}
    if root not in ids:
        return ids
    children: dict[str, list[str]] = {}
    for term in terms:
        for parent in term.parents:
            children.setdefault(parent, []).append(term.id)
    keep: set[str] = set()
    stack = [root]
    while stack:
        current = stack.pop()
        if current not in keep:
            keep.add(current)
            stack.extend(children.get(current, ()))
    return keep


def curie(iri: str) -> str:
    """The CURIE of an OBO PURL: "http://purl.obolibrary.org/obo/DOID_8718" -> "DOID:8718" (a CURIE stays)."""
    if "://" not in iri:
        return iri
    local = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    prefix, sep, rest = local.partition("_")
    return f"{prefix}:{rest}" if sep else local


# --- OBO-JSON --------------------------------------------------------------------------------------------
def read_json(path: Path) -> OboOntology:
    """The classes of the first graph of an OBO-JSON file (plain or .gz)."""
    try:
        document = json.loads(read_bytes(path))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(path, getattr(exc, "lineno", None), f"malformed OBO-JSON: {exc}") from exc
    graphs = document.get("graphs") if isinstance(document, dict) else None
    if not isinstance(graphs, list) or not graphs or not isinstance(graphs[0], dict):
        raise SourceError(path, None, 'not an OBO-JSON file: no "graphs" list')
    graph = graphs[0]
    parents: dict[str, list[str]] = {}
    for edge in graph.get("edges") or ():
        if isinstance(edge, dict) and edge.get("pred") == "is_a":
            parents.setdefault(curie(str(edge.get("sub"))), []).append(curie(str(edge.get("obj"))))
    terms = [term for node in graph.get("nodes") or () if (term := _json_term(path, node, parents)) is not None]
    return OboOntology(tuple(terms), _json_version(graph.get("meta")))


def _json_term(path: Path, node: object, parents: dict[str, list[str]]) -> OboTerm | None:
    if not isinstance(node, dict) or "id" not in node:
        raise SourceError(path, None, f"OBO-JSON node without an id: {str(node)[:80]}")
    if node.get("type", "CLASS") != "CLASS" or not node.get("lbl"):
        return None
    meta = node.get("meta") or {}
    synonyms = tuple(
        OboSynonym(
            squash(str(s.get("val"))),
            synonym_scope(str(s.get("pred"))) or NameScope.RELATED,
            _is_abbr(s),
            curie(str(s.get("synonymType") or "")),
        )
        for s in meta.get("synonyms") or ()
        if isinstance(s, dict) and s.get("val")
    )
    definition = meta.get("definition") or {}
    term_id = curie(str(node["id"]))
    return OboTerm(
        term_id,
        squash(str(node["lbl"])),
        synonyms,
        squash(str(definition.get("val"))) or None if isinstance(definition, dict) else None,
        tuple(str(x.get("val")) for x in meta.get("xrefs") or () if isinstance(x, dict) and x.get("val")),
        tuple(parents.get(term_id, ())),
        bool(meta.get("deprecated")),
    )


def _is_abbr(synonym: dict[str, object]) -> bool:
    kind = synonym.get("synonymType")
    return isinstance(kind, str) and curie(kind) in _ABBREVIATION_TYPES


def _json_version(meta: object) -> str | None:
    if not isinstance(meta, dict):
        return None
    for value in meta.get("basicPropertyValues") or ():
        if isinstance(value, dict) and str(value.get("pred", "")).endswith("versionInfo") and value.get("val"):
            return str(value["val"])
    iri = meta.get("version")
    if isinstance(iri, str):
        found = re.search(r"(\d{4}-\d{2}-\d{2})", iri)
        return found.group(1) if found else iri
    return None


# --- OBO flat file ---------------------------------------------------------------------------------------
def read_obo(path: Path) -> OboOntology:
    """The [Term] stanzas of an OBO flat file (plain or .gz), and its data-version."""
    version: str | None = None
    terms: list[OboTerm] = []
    stanza: list[tuple[int, str, str]] | None = None
    kind = ""
    for number, raw in text_lines(path, encoding="utf-8"):
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line.startswith("[") and line.endswith("]"):
            if stanza is not None and kind == "Term":
                terms.append(_obo_term(path, stanza))
            stanza, kind = [], line[1:-1]
            continue
        tag, sep, value = line.partition(":")
        if not sep:
            raise SourceError(path, number, f"not an OBO tag-value line: {line[:60]!r}")
        if stanza is None:
            if tag == "data-version":
                version = _version_of(value.strip())
            continue
        stanza.append((number, tag.strip(), value.strip()))
    if stanza is not None and kind == "Term":
        terms.append(_obo_term(path, stanza))
    if not terms:
        raise SourceError(path, None, "not an OBO file: no [Term] stanza")
    return OboOntology(tuple(terms), version)


def _version_of(data_version: str) -> str:
    # "doid/releases/2026-07-31/subsets/NCIthesaurus.obo" -> "2026-07-31"
    found = re.search(r"\d{4}-\d{2}-\d{2}", data_version)
    return found.group(0) if found else data_version


def _unquote(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def _obo_term(path: Path, stanza: list[tuple[int, str, str]]) -> OboTerm:
    values: dict[str, list[tuple[int, str]]] = {}
    for number, tag, value in stanza:
        values.setdefault(tag, []).append((number, value))
    first = stanza[0][0]
    ids = values.get("id")
    names = values.get("name")
    if not ids:
        raise SourceError(path, first, "[Term] without id")
    term_id = _strip_comment(ids[0][1])
    synonyms = tuple(_obo_synonym(path, number, value) for number, value in values.get("synonym", ()))
    definition = None
    for number, value in values.get("def", ()):
        quoted = _QUOTED.match(value)
        if quoted is None:
            raise SourceError(path, number, "def: without a quoted text")
        definition = squash(_unquote(quoted.group(1))) or None
    return OboTerm(
        term_id,
        squash(names[0][1]) if names else "",
        synonyms,
        definition,
        tuple(_strip_comment(v).split(" ", 1)[0] for _, v in values.get("xref", ())),
        tuple(_strip_comment(v).split(" ", 1)[0] for _, v in values.get("is_a", ())),
        any(v == "true" for _, v in values.get("is_obsolete", ())),
    )


def _strip_comment(value: str) -> str:
    # "DOID:4 ! disease", "ICD10CM:E88.9 {source=...}": the id before any trailing comment or modifier.
    return re.split(r"\s+[!{]", value, maxsplit=1)[0].strip()


def _obo_synonym(path: Path, number: int, value: str) -> OboSynonym:
    quoted = _QUOTED.match(value)
    if quoted is None:
        raise SourceError(path, number, "synonym: without a quoted text")
    rest = value[quoted.end() :].split()
    if not rest or rest[0] not in _SCOPES:
        raise SourceError(path, number, "synonym: without EXACT, RELATED, NARROW or BROAD")
    kind = rest[1] if len(rest) > 1 and not rest[1].startswith("[") else ""
    return OboSynonym(squash(_unquote(quoted.group(1))), _SCOPES[rest[0]], kind in _ABBREVIATION_TYPES, kind)
