"""MONDO's mapping sets (Monarch Initiative), as SSSOM TSV: MONDO -> ICD-10-CM, and MONDO = DO / NCIt.

Files: ``mondo_<predicate>_<target>.sssom.tsv`` (``src/ontology/mappings/`` of the MONDO repository), plain
or ``.gz``. SSSOM (https://mapping-commons.github.io/sssom/): a YAML header in ``#`` lines (``license``,
``mapping_set_version``, ``curie_map``), then a TSV table with the columns ``subject_id``,
``subject_label``, ``predicate_id``, ``object_id`` and others.

What is read: every MONDO subject becomes a term labelled by ``subject_label``; a row whose object is an
``ICD10CM:`` code is a link of that term, a ``skos:exactMatch`` row whose object is a DO or NCIt term says
the two are the same concept (links to ranges of categories are left to ``vocabulary.link``). A name given
to a code through ``skos:exactMatch`` is exact; through ``oboInOwl:hasDbXref`` or ``skos:closeMatch``
related; through ``skos:broadMatch`` (the code is broader) narrower than the code;
through ``skos:narrowMatch`` broader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import NameScope, Vocabulary
from medcodes.sources.files import source_file, squash, table_rows, text_lines
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.vocabulary import CodeLink, VocabularySource, VocabularyTerm
from medcodes.systems import SystemId

__all__ = ["NAME", "load", "sniff"]

NAME = "mondo"
TITLE = "MONDO Disease Ontology mappings"
URL = "https://mondo.monarchinitiative.org"
ATTRIBUTION = (
    "Mondo Disease Ontology (Monarch Initiative), https://mondo.monarchinitiative.org: its mapping sets to "
    "ICD-10-CM, the Disease Ontology and the NCI Thesaurus. MONDO labels are shown as names of the codes "
    "MONDO maps them to; the mappings also link DO and NCIt terms that have no ICD-10-CM xref of their own."
)
_SCOPES = {
    "skos:exactMatch": NameScope.EXACT,
    "skos:closeMatch": NameScope.RELATED,
    "oboInOwl:hasDbXref": NameScope.RELATED,
    "skos:relatedMatch": NameScope.RELATED,
    "skos:broadMatch": NameScope.NARROW,
    "skos:narrowMatch": NameScope.BROAD,
}
_EQUIVALENT_PREFIXES = ("DOID:", "NCIT:")
_REQUIRED = ("subject_id", "subject_label", "predicate_id", "object_id")


def sniff(path: Path, head: bytes) -> FoundFile | None:
    name = path.name.lower()
    if not name.endswith((".sssom.tsv", ".sssom.tsv.gz")):
        return None
    text = head.decode("utf-8", "replace")
    if "MONDO:" not in text or not re.search(r"^subject_id\t", text, re.M):
        return None
    version = re.search(r"^# mapping_set_version: .*?(\d{4}-\d{2}-\d{2})", text, re.M)
    return FoundFile(FileKind.MONDO_SSSOM, path, version.group(1) if version else None)


@dataclass(slots=True)
class _Term:
    label: str
    links: dict[str, CodeLink] = field(default_factory=dict)
    equivalents: list[str] = field(default_factory=list)


def _header(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for _number, line in text_lines(path, encoding="utf-8"):
        if not line.startswith("#"):
            break
        body = line[1:].removeprefix(" ")
        key, sep, value = body.partition(":")
        if sep and not key.startswith(" "):  # indented keys belong to a map ("curie_map")
            found[key.strip()] = value.strip()
    return found


def load(found: Sequence[FoundFile]) -> VocabularySource | None:
    """Every MONDO mapping set found, merged into MONDO terms; None when there is none."""
    own = sorted((f for f in found if f.kind is FileKind.MONDO_SSSOM), key=lambda f: str(f.path))
    if not own:
        return None
    terms: dict[str, _Term] = {}
    licences: list[str] = []
    for item in own:
        licence = _header(item.path).get("license")
        if licence and licence not in licences:
            licences.append(licence)
        _read(item.path, terms)
    made = tuple(
        VocabularyTerm(term_id, term.label, NAME, links=tuple(term.links.values()), equivalents=tuple(term.equivalents))
        for term_id, term in terms.items()
        if term.label and not term.label.startswith("obsolete ")
    )
    versions = sorted({f.version for f in own if f.version}, reverse=True)
    vocabulary = Vocabulary(
        NAME,
        TITLE,
        versions[0] if versions else "not stated",
        tuple(source_file(f.path) for f in own),
        "; ".join(f"mapping sets: {licence}" for licence in licences) or "not stated in the mapping sets",
        ATTRIBUTION,
        url=URL,
    )
    return VocabularySource(vocabulary, made)


def _read(path: Path, terms: dict[str, _Term]) -> None:
    columns: dict[str, int] | None = None
    for number, fields in table_rows(path, "\t"):
        if not fields or fields[0].startswith("#"):
            continue
        if columns is None:
            columns = {name: i for i, name in enumerate(fields)}
            missing = [c for c in _REQUIRED if c not in columns]
            if missing:
                raise SourceError(path, number, f"not an SSSOM table: no column {missing[0]}")
            continue
        if len(fields) < len(columns):
            raise SourceError(path, number, f"expected {len(columns)} columns, found {len(fields)}")
        subject, predicate, target = (fields[columns[c]].strip() for c in ("subject_id", "predicate_id", "object_id"))
        if not subject.startswith("MONDO:"):
            continue
        term = terms.setdefault(subject, _Term(squash(fields[columns["subject_label"]])))
        scope = _SCOPES.get(predicate)
        if target.startswith("ICD10CM:") and scope is not None:
            code = target.split(":", 1)[1]
            old = term.links.get(code)
            if old is None or _better(scope, old.scope):
                term.links[code] = CodeLink(SystemId.ICD10CM, code, predicate, scope)
        elif target.startswith(_EQUIVALENT_PREFIXES) and predicate == "skos:exactMatch":
            term.equivalents.append(target)
    if columns is None:
        raise SourceError(path, None, "not an SSSOM table: no header row")


def _better(new: NameScope, old: NameScope) -> bool:
    return new.weaker(old) is old and new is not old
