"""What a code page says first, for a person who is not a coder: the names people use, short definitions with
their sources, and where the code sits, in words. The coder's view (notes, axes, crosswalks) follows it.

Each reading is one small function over the ConceptDetail the page already holds, so that a new source of
names or definitions (an open vocabulary's synonyms, with their own source) is one more case here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medcodes.explain.facts import level
from medcodes.models import Concept, ConceptDetail, Designation, DesignationKind, NameScope, Property
from medcodes.systems import NAMES, SystemId

# Names shown under "Also known as" at most; the coder's view lists every index term.
MAX_NAMES = 8
# Definitions from open vocabularies shown at most ("a short definition", best first as the service orders them).
MAX_DEFINITIONS = 2


@dataclass(frozen=True, slots=True)
class Name:
    """A name people use for a code, and where it comes from, in words."""

    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Meaning:
    """A short definition of one part of what a code means, quoted as published, with its source."""

    term: str
    text: str
    source: str


def names(detail: ConceptDetail, vocabularies: Mapping[str, str] | None = None) -> list[Name]:
    """The names people use for the code: its inclusion terms, synonyms and abbreviations (an open vocabulary's
    only where they mean what the code means: scope exact), and the index's one-word main terms that lead to it
    (a longer index entry is a path of subterms, "Attack, attacks, heart", which reads as no one's name). Each
    text once, titles left out, at most MAX_NAMES. ``vocabularies`` names each vocabulary ("doid" -> "Human
    Disease Ontology")."""
    c = detail.concept
    seen = {_key(c.title), _key(c.short_title or "")}
    out: list[Name] = []
    for d in sorted(detail.designations, key=_rank):
        source = _name_source(c.system, d, vocabularies or {})
        if source is None or _key(d.text) in seen:
            continue
        seen.add(_key(d.text))
        out.append(Name(d.text, source))
    return out[:MAX_NAMES]


def _key(text: str) -> str:
    """A name as compared for repeats: "Chronic obstructive lung disease NOS" is "chronic obstructive lung
    disease" ("not otherwise specified" adds nothing to a name)."""
    folded = text.lower().strip()
    return folded.removesuffix(" nos").strip()


# The code set's own names first, then the vocabularies', then the index's.
_ORDER = {DesignationKind.INCLUSION_TERM: 0, DesignationKind.SYNONYM: 1, DesignationKind.ABBREVIATION: 2}


def _rank(d: Designation) -> int:
    return _ORDER.get(d.kind, len(_ORDER))


def _name_source(system: SystemId, d: Designation, vocabularies: Mapping[str, str]) -> str | None:
    """Where a designation that is a name people use comes from, in words; None for one that is not."""
    name = NAMES[system]
    if d.scope is not None and d.scope is not NameScope.EXACT:
        return None  # a vocabulary's narrower, broader or related name is not the code's own
    if d.kind is DesignationKind.INCLUSION_TERM:
        return f"an inclusion term of the {name} tabular list"
    if d.kind in (DesignationKind.SYNONYM, DesignationKind.ABBREVIATION):
        where = vocabularies.get(d.source) or _SOURCES.get(d.source, d.source)
        return f"{d.kind.value} from {where}"
    if d.kind is DesignationKind.INDEX_TERM and "," not in d.text and not d.via:
        where = f"the {name} index"
        return f"{where}, as rebuilt by a third party (not the official file)" if d.reconstructed else where
    return None


# Designation sources in words (sources/*.py name them).
_SOURCES = {
    "pcs-body-part-key": "the ICD-10-PCS body part key",
    "pcs-device-key": "the ICD-10-PCS device key",
    "pcs-device-aggregation": "the ICD-10-PCS device aggregation table",
    "pcs-substance-key": "the ICD-10-PCS substance key",
}


def meanings(
    detail: ConceptDetail, axes: Sequence[tuple[str, Property]], vocabularies: Mapping[str, str] | None = None
) -> list[Meaning]:
    """Short definitions of what the code means, each with its source: an open vocabulary's definitions of the
    code's concept (``detail.definitions``, at most MAX_DEFINITIONS); for an ICD-10-PCS code, the official ones of
    its root operation, approach and device (and of the axes that the definitions file defines in the other
    sections), from CMS's ICD-10-PCS definitions, as the code's table holds them (``CodeService.axes``)."""
    release = detail.release
    version = f" {release.version}" if release is not None else ""
    out: list[Meaning] = []
    for d in detail.definitions[:MAX_DEFINITIONS]:
        # term: "DOID:10763 hypertension": the vocabulary's id goes with its source, its label is the term.
        ident, _, label = d.term.partition(" ")
        term, where = (label, f"{ident}, ") if ":" in ident and label else (d.term, "")
        vocabulary = (vocabularies or {}).get(d.source, d.source)
        out.append(Meaning(term[:1].upper() + term[1:], d.text, f"{where}{vocabulary}"))
    for title, p in axes:
        if p.definition:
            out.append(Meaning(f"{title}: {p.label or p.value}", p.definition, f"ICD-10-PCS{version} definitions"))
    return out


@dataclass(frozen=True, slots=True)
class Place:
    """One level above a code, named as its system names it ("category E11", "table 0UT")."""

    level: str
    concept: Concept


def places(detail: ConceptDetail) -> list[Place]:
    """The code's ancestors, nearest first, each named by its level: a sentence reads "within category E11
    (Type 2 diabetes mellitus), in block E08-E13 (...), in chapter 4 (...)"."""
    out = []
    for a in reversed(detail.ancestors):
        named = level(a)
        out.append(Place(named[:1].lower() + named[1:], a))
    return out
