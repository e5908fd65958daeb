"""The Human Disease Ontology (DO, https://disease-ontology.org; CC0 1.0), in the forms its project publishes.

Files (any of them; each term is merged from every file that has it, the newest first):

- the ontology as OBO-JSON (``doid.json``, dated copies such as ``doid-2018-07-05.json``): labels,
  synonyms typed exact/related/narrow/broad, definitions, cross-references, is_a;
- the ontology or a subset of it as OBO (``doid.obo``, ``subsets/NCIthesaurus.obo``): the same fields, with
  abbreviations typed ``OMO:0003012``;
- the reports ``DOreports/ICD10inDO.tsv`` (id, label, ``ICD10CM:`` xrefs of every term that has one, comma
  separated) and ``DOreports/HumanDO.tsv`` (id, label, parent label of every live term);
- the English texts DO sends for translation (``src/translations/doid-<lang>-*.tsv``: ``source_id``,
  ``predicate`` (``rdfs:label``, ``IAO:0000115`` = definition, ``oboInOwl:has*Synonym``), ``source_text``,
  ..., ``synonym_type`` (``obo:OMO_0003012`` = abbreviation)), which carry current synonyms and definitions.

What a term is made of: a term is live when the newest file that lists live terms (HumanDO.tsv, else the
ontology files) has it; its label is the newest one; its synonyms are every file's (an abbreviation where
any file types it so, or, in files that type none, where it looks like one); its definition the newest;
its ICD-10-CM links are ICD10inDO.tsv's where that report is present (it lists every current xref), else
the newest ontology file's ``ICD10CM:`` xrefs. DO's xrefs are its curators' equivalents: a name given to a
code through one is exact. Its ``NCI:`` and ``UMLS_CUI:`` xrefs state the same concept in the NCI Thesaurus
and the UMLS (the bridges by which NCIt and HPO names reach DO's codes).
A row of the translation texts whose review notes say ERROR is not read (its text was found faulty).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import NameScope, Vocabulary
from medcodes.sources import obo
from medcodes.sources.files import source_file, squash, table_rows
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.vocabulary import (
    CodeLink,
    Synonym,
    VocabularySource,
    VocabularyTerm,
    date_in,
    looks_like_abbreviation,
    name_key,
    same_concept,
)
from medcodes.systems import SystemId

__all__ = ["KINDS", "LICENCE", "NAME", "load", "sniff"]

NAME = "doid"
TITLE = "Human Disease Ontology"
URL = "https://disease-ontology.org"
LICENCE = "CC0 1.0 Universal (public domain dedication): https://creativecommons.org/publicdomain/zero/1.0/"
ATTRIBUTION = (
    "Human Disease Ontology (DO), https://disease-ontology.org, by the DO project (Schriml et al.), "
    "CC0 1.0. Its labels, synonyms and definitions are shown as names and definitions of the ICD-10-CM "
    "codes its curators cross-reference."
)
KINDS = (FileKind.DOID_JSON, FileKind.DOID_OBO, FileKind.DOID_XREFS, FileKind.DOID_TERMS, FileKind.DOID_TEXTS)
_SNIFF_NAME = re.compile(r"\.(?:json|obo|tsv)(?:\.gz)?$", re.I)
_ABBREVIATION_TYPES = frozenset({"obo:OMO_0003012", "OMO:0003012"})
_TEXT_COLUMNS = ("source_id", "predicate", "source_text")
_FAULTY = re.compile(r"\bERROR\b")  # a reviewer's mark on a translation text row


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """Recognise a DO file by its content: the first node or stanza, or a report's header."""
    name = path.name.lower()
    if not _SNIFF_NAME.search(name):
        return None
    dated = date_in(name)
    text = head.decode("utf-8", "replace")
    if name.endswith((".json", ".json.gz")):
        if '"graphs"' in text and "/obo/DOID_" in text:
            return FoundFile(FileKind.DOID_JSON, path, dated)
        return None
    if name.endswith((".obo", ".obo.gz")):
        if re.search(r"^ontology: doid\b", text, re.M) or re.search(r"^id: DOID:", text, re.M):
            found = re.search(r"^data-version: .*?(\d{4}-\d{2}-\d{2})", text, re.M)
            return FoundFile(FileKind.DOID_OBO, path, found.group(1) if found else dated)
        return None
    first, _, rest = text.partition("\n")
    columns = [c.strip('"\r') for c in first.split("\t")]
    if "DOID:" not in rest:
        return None
    if columns == ["id", "label", "xrefs"]:
        return FoundFile(FileKind.DOID_XREFS, path, dated)
    if columns == ["id", "label", "subClassOf"]:
        return FoundFile(FileKind.DOID_TERMS, path, dated)
    if tuple(columns[:3]) == _TEXT_COLUMNS and "synonym_type" in columns:
        return FoundFile(FileKind.DOID_TEXTS, path, dated)
    return None


@dataclass(slots=True)
class _Term:
    """A term as merged so far: the first value kept is the newest file's."""

    label: str | None = None
    synonyms: dict[str, Synonym] = field(default_factory=dict)
    definition: str | None = None
    icd: list[str] | None = None  # None: no file has said yet
    equivalents: list[str] = field(default_factory=list)  # the same concept elsewhere: NCIt, UMLS
    obsolete: bool = False

    def add_synonym(self, text: str, scope: NameScope, abbreviation: bool) -> None:
        key = name_key(text)
        if not key:
            return
        found = self.synonyms.get(key)
        if found is None:
            self.synonyms[key] = Synonym(text, scope, abbreviation)
        elif abbreviation and not found.abbreviation:
            self.synonyms[key] = Synonym(found.text, found.scope, True)


def _order(found: FoundFile) -> tuple[str, str]:
    return (found.version or "", str(found.path))


def load(found: Sequence[FoundFile]) -> VocabularySource | None:
    """The DO terms in the files found (every DO kind), or None when there is none."""
    own = sorted((f for f in found if f.kind in KINDS), key=_order, reverse=True)
    if not own:
        return None
    terms: dict[str, _Term] = {}
    live: set[str] | None = None
    labels_first = [f for f in own if f.kind is FileKind.DOID_TERMS]
    for item in labels_first[:1]:
        live = set()
        for term_id, label in _report(item.path, "subClassOf"):
            live.add(term_id)
            terms.setdefault(term_id, _Term()).label = label
    reports = [f for f in own if f.kind is FileKind.DOID_XREFS]
    if reports:
        for term_id, xrefs in _xref_report(reports[0].path):
            terms.setdefault(term_id, _Term()).icd = xrefs
    for item in own:
        if item.kind is FileKind.DOID_TEXTS:
            _texts(item.path, terms)
    versions: list[str] = []
    for item in own:
        if item.kind not in (FileKind.DOID_JSON, FileKind.DOID_OBO):
            continue
        ontology = obo.read_json(item.path) if item.kind is FileKind.DOID_JSON else obo.read_obo(item.path)
        version = ontology.version or item.version or ""
        versions.append(date_in(version) or version)
        _merge(ontology, terms, icd_listed=bool(reports))
        if live is None:
            live = {term_id for term_id, term in terms.items() if not term.obsolete}
    made = tuple(_term(term_id, term) for term_id, term in terms.items() if _keep(term_id, term, live))
    vocabulary = Vocabulary(
        NAME,
        TITLE,
        ", ".join(sorted({v for v in versions if v}, reverse=True)) or "not stated",
        tuple(source_file(f.path) for f in own),
        LICENCE,
        ATTRIBUTION,
        url=URL,
    )
    return VocabularySource(vocabulary, made)


def _keep(term_id: str, term: _Term, live: set[str] | None) -> bool:
    if not term.label or term.obsolete or not term_id.startswith("DOID:"):
        return False
    return live is None or term_id in live


def _term(term_id: str, term: _Term) -> VocabularyTerm:
    label = term.label or ""
    synonyms = tuple(
        s
        if s.abbreviation or not looks_like_abbreviation(s.text, label)
        else Synonym(s.text, s.scope, abbreviation=True)
        for key, s in term.synonyms.items()
        if key != name_key(label)
    )
    links = tuple(CodeLink(SystemId.ICD10CM, code, "xref", NameScope.EXACT) for code in dict.fromkeys(term.icd or ()))
    return VocabularyTerm(
        term_id, label, NAME, synonyms, term.definition, links, tuple(dict.fromkeys(term.equivalents))
    )


def _merge(ontology: obo.OboOntology, terms: dict[str, _Term], *, icd_listed: bool) -> None:
    """Add what one ontology file says, keeping what a newer file said first. With ``icd_listed`` (the
    ICD10inDO report was read), the report's ICD-10-CM xrefs are the only ones."""
    for item in ontology.terms:
        if not item.id.startswith("DOID:"):
            continue
        term = terms.setdefault(item.id, _Term())
        if term.label is None:
            term.label = item.label or None
            term.obsolete = item.obsolete
        for synonym in item.synonyms:
            term.add_synonym(synonym.text, synonym.scope, synonym.abbreviation)
        if term.definition is None:
            term.definition = item.definition
        icd = [x.split(":", 1)[1] for x in item.xrefs if x.startswith("ICD10CM:")]
        if term.icd is None and not icd_listed and (icd or item.xrefs):
            term.icd = icd
        for xref in item.xrefs:
            same = same_concept(xref)
            if same is not None and not same.startswith("DOID:"):
                term.equivalents.append(same)


def _report(path: Path, third: str) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for number, fields in table_rows(path, "\t"):
        if number == 1 or not fields:
            continue
        if len(fields) != 3:
            raise SourceError(path, number, f"expected 3 columns (id, label, {third}), found {len(fields)}")
        rows.append((fields[0].strip(), squash(fields[1])))
    return rows


def _xref_report(path: Path) -> list[tuple[str, list[str]]]:
    rows: list[tuple[str, list[str]]] = []
    for number, fields in table_rows(path, "\t"):
        if number == 1 or not fields:
            continue
        if len(fields) != 3:
            raise SourceError(path, number, f"expected 3 columns (id, label, xrefs), found {len(fields)}")
        xrefs = [x.strip() for x in fields[2].split(",") if x.strip()]
        bad = [x for x in xrefs if not x.startswith("ICD10CM:")]
        if bad:
            raise SourceError(path, number, f"not an ICD10CM xref: {bad[0]!r}")
        rows.append((fields[0].strip(), [x.split(":", 1)[1] for x in xrefs]))
    return rows


def _texts(path: Path, terms: dict[str, _Term]) -> None:
    columns: dict[str, int] = {}
    for number, fields in table_rows(path, "\t"):
        if number == 1:
            columns = {name: i for i, name in enumerate(fields)}
            if any(c not in columns for c in (*_TEXT_COLUMNS, "synonym_type")):
                raise SourceError(path, number, "expected the columns source_id, predicate, source_text, synonym_type")
            continue
        if len(fields) != len(columns):
            raise SourceError(path, number, f"expected {len(columns)} columns, found {len(fields)}")
        if "review_notes" in columns and _FAULTY.search(fields[columns["review_notes"]]):
            continue
        term_id, predicate = fields[columns["source_id"]], fields[columns["predicate"]]
        text = squash(fields[columns["source_text"]])
        if not term_id.startswith("DOID:") or not text:
            continue
        term = terms.setdefault(term_id, _Term())
        if predicate == "rdfs:label":
            term.label = term.label or text
        elif predicate == "IAO:0000115":
            term.definition = term.definition or text
        elif (scope := obo.synonym_scope(predicate)) is not None:
            kind = fields[columns["synonym_type"]].strip()
            term.add_synonym(text, scope, kind in _ABBREVIATION_TYPES)
