"""Open vocabularies of disease names, and how their names become names of codes.

A vocabulary (the Human Disease Ontology, the NCI Thesaurus, MONDO's mappings, the Human Phenotype
Ontology, a list of medical abbreviations) is read by its own source module into ``VocabularyTerm``s and
``Abbreviation``s (``VocabularySource``). ``link`` turns every source found into what a build stores:

- a term's names (label and synonyms) become designations (SYNONYM, or ABBREVIATION for abbreviations)
  of the ICD-10-CM codes the term links to, **only through mappings a source states**: the term's own
  links (DOID's ``ICD10CM:`` xrefs, MONDO's exactMatch/hasDbXref/broadMatch rows), else the links of a term
  of another vocabulary stated to be the same concept (MONDO's exactMatch to DOID and NCIt, DOID's ``NCI:``
  xrefs, a UMLS concept that an HPO term and a DOID term both cite), at most two such steps
  away (an NCIt term -> MONDO -> DOID -> ICD-10-CM; an HPO term -> UMLS:C0011860 -> DOID -> ICD-10-CM);
  a link to a range of categories ("E08-E13") names no code and is not used. Each designation keeps the
  term and the mapping in ``via`` and how closely it fits in ``scope``: the weaker of the synonym's scope and
  the link's;
- a term that links to no code gives rewrites instead: each of its exact or narrower names (and
  abbreviations) may be read as its label, when the label's words are words of the loaded code sets;
- a term's definition becomes the definition of the codes it links to (not through a broad match): per code
  and vocabulary, the one from the best link (exact first, own link before a bridged one, the term whose
  label is the code's title first);
- an abbreviation's sense is kept only when its meaning is the label or an exact synonym of a known term
  (then it names that term's codes, or rewrites to the meaning when the term links to none), or is a
  loaded designation's text (then it names those codes, or rewrites to the meaning when more than
  ``_MAX_SENSE_CODES`` codes carry it), or is said word for word within a loaded designation ("white blood
  cell" in "Decreased white blood cell count": then it rewrites to the meaning, unless the abbreviation spells
  words of the ICD-10-CM titles, "IN", "OR"). Every sense that resolves is kept. An abbreviation none of whose
  senses resolves so may still name the codes of an Alphabetic Index entry that says a meaning in other words
  ("PVC", premature ventricular contraction: "Premature, contraction, ventricular" I49.3). The others are dropped
  and counted.

A name is not repeated where the code already carries it (its title, an inclusion or index term), and one
code gets one designation per name: the best-fitting, from the first source in the order given.

The code set's own index decides what its words mean: a name whose words an Alphabetic Index entry (a main term
and at most ``MAX_ENTRY_DEPTH`` subterms) gives only to other codes -- none of them the named code, a code above
it or a code below it -- is left out (``word_set`` compares them whatever their order and endings). NCIt's
"Hypertension" on I15 (Secondary hypertension) and "Aortic stenosis" on Q23.0 (Congenital stenosis of aortic
valve) are such names: the index gives "Hypertension" to I10 and "Stenosis, aortic" to I35.0. An abbreviation is
checked by what it stands for, and a sense refused so becomes a rewrite to its meaning (kept beside the codes
its other senses name). ``link`` counts what it left out in its notes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from medcodes.models import (
    Definition,
    Designation,
    DesignationKind,
    NameScope,
    Rewrite,
    Vocabulary,
    VocabularyContent,
)
from medcodes.sources import spelled_out
from medcodes.systems import SystemId

__all__ = [
    "Abbreviation",
    "CodeLink",
    "Synonym",
    "VocabularySource",
    "VocabularyTerm",
    "date_in",
    "distinct",
    "entry_word_sets",
    "index_entries",
    "link",
    "looks_like_abbreviation",
    "name_key",
    "name_keys",
    "same_concept",
    "word_set",
    "words_of",
]

SYSTEM = SystemId.ICD10CM
# An abbreviation whose meaning is the text of more designations than this names no code in particular:
# it is kept as a rewrite to its meaning.
_MAX_SENSE_CODES = 3
# How many equivalence steps a term may be from the term whose links it borrows.
_MAX_BRIDGE = 2
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NON_WORD_OR_LINE = re.compile(r"[^0-9a-z\n]+")
# Every ASCII character that is not a letter or digit becomes a space.
_PUNCTUATION = str.maketrans({chr(i): " " for i in range(128) if not chr(i).isalnum()})
# SNOMED CT's semantic tags, which some vocabularies copy into their synonyms: "... (disorder)".
_SEMANTIC_TAG = re.compile(r"\s*\((?:disorder|finding|morphologic abnormality|situation|event|procedure)\)\s*$", re.I)
# Ontology relation names inside definitions ("has_material_basis_in"): read as words.
_RELATION_NAME = re.compile(r"(?<=[a-z])_(?=[a-z])")


# --- value objects ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Synonym:
    """A name of a vocabulary term: how closely it fits the term, and whether it is an abbreviation."""

    text: str
    scope: NameScope = NameScope.EXACT
    abbreviation: bool = False


@dataclass(frozen=True, slots=True)
class CodeLink:
    """A mapping a vocabulary states from one of its terms to a code.

    ``predicate`` as the source writes it ("xref", "skos:exactMatch", "oboInOwl:hasDbXref",
    "skos:broadMatch"); ``scope`` what it means for a name of the term given to the code.
    """

    system: SystemId
    code: str
    predicate: str
    scope: NameScope


@dataclass(frozen=True, slots=True)
class VocabularyTerm:
    """One concept of a vocabulary: its id (a CURIE, "DOID:10763"), label, names, definition, links to codes,
    and the ids of the same concept in other vocabularies as this source states them."""

    id: str
    label: str
    source: str  # the vocabulary's name: "doid", "ncit", "mondo"
    synonyms: tuple[Synonym, ...] = ()
    definition: str | None = None
    links: tuple[CodeLink, ...] = ()
    equivalents: tuple[str, ...] = ()

    def names(self) -> tuple[Synonym, ...]:
        """The label (exact) and every synonym."""
        return (Synonym(self.label), *self.synonyms)


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """One sense of an abbreviation as a list gives it: "CHF" -> "congestive heart failure"."""

    text: str
    meaning: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class VocabularySource:
    """What one vocabulary's files hold, as its source module read them."""

    vocabulary: Vocabulary
    terms: tuple[VocabularyTerm, ...] = ()
    abbreviations: tuple[Abbreviation, ...] = ()
    warnings: tuple[str, ...] = ()


# --- text ------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1 << 18)
def name_key(text: str) -> str:
    """A name compared without case, punctuation or a SNOMED semantic tag: "Heart-attack (disorder)" ->
    "heart attack". (Called on every designation of a build: a translation table, not a regex.)"""
    if text.endswith(")"):
        text = _SEMANTIC_TAG.sub("", text)
    folded = text.casefold().translate(_PUNCTUATION)
    if not folded.isascii():
        folded = _NON_WORD.sub(" ", folded)
    return " ".join(folded.split())


def name_keys(texts: Sequence[str]) -> list[str]:
    """``name_key`` of many texts at once (every designation of a build): one pass of C-level string
    operations over them joined, instead of one Python call each. Official texts carry no semantic tag."""
    joined = _NON_WORD_OR_LINE.sub(" ", "\n".join(t.replace("\n", " ") for t in texts).casefold())
    return [line.strip() for line in joined.split("\n")]


# A meaning's closing bracket restates it ("tympanic membrane (eardrum)"): the designations say what precedes it.
_RESTATED = re.compile(r"\s*\([^()]*\)\s*$")


def sense_phrase(meaning: str) -> str:
    """An abbreviation's meaning as the designations may say it: without a closing bracketed restatement."""
    return _RESTATED.sub("", meaning) or meaning


def sense_phrases(meaning: str) -> tuple[str, ...]:
    """The name keys a designation may say a meaning as: as written, and with its last word singular or plural
    ("white blood cells" is said in "white blood cell count")."""
    key = name_key(sense_phrase(meaning))
    if not key:
        return ()
    if key.endswith("s") and not key.endswith("ss"):
        return (key, key[:-1])
    return (key, key + "s")


def spelled(abbreviation: str, words: Collection[str]) -> bool:
    """Whether an abbreviation's letters spell words (of the ICD-10-CM titles: "IN", "OR", "ALL"): as a phrase
    within a designation its meaning is no reading of its own. A single letter spells no word: a title's letter
    names something ("L-amino acid", "vitamin K"), so "L" (left) is read as "R" (right) is."""
    found = name_key(abbreviation).split()
    return not found or all(w in words and len(w) > 1 for w in found)


# Words an index entry and a name may differ by. Endings are cut crudely (-s, -es, -ic, -al): enough for names
# that differ by a plural or an adjective ("Kidneys, cystic" and "cyst kidney" are both {"kidney", "cyst"}).
_SET_SKIPPED = frozenset({"a", "an", "and", "by", "due", "in", "nec", "nos", "of", "or", "the", "to", "with"})
_CONNECTIVES = _SET_SKIPPED | {"after", "during", "following", "from", "complicating", "without"}
_ENDING = re.compile(r"(?:es|s|ic|al)$")
_WORD = re.compile(r"[a-z0-9]+")
# Subterms below a main term an entry may have and still be a name (deeper paths qualify more than they name).
MAX_ENTRY_DEPTH = 3
# Readings of an entry whose subterms give alternatives ("acute or subacute"), at most.
_READINGS = 8


def word_set(text: str, *, entry: bool = False) -> frozenset[str]:
    """A name as the set of its content words with their endings cut, to compare a name with an index entry
    whatever the order: "Aortic stenosis" and the entry "Stenosis, stenotic, aortic" are both
    {"aort", "stenosi"}. With ``entry``, ``text`` is an index entry's path, whose main term may list its
    variant forms ("Stenosis, stenotic", "Infection, infected, infective"): they count as one word."""
    parts = _entry_parts(text) if entry else [part.strip() for part in text.casefold().split(",")]
    return _content_words(parts)


def _content_words(parts: Sequence[str]) -> frozenset[str]:
    return frozenset(_ENDING.sub("", w) for w in _WORD.findall(" ".join(parts)) if w not in _SET_SKIPPED)


def _entry_parts(text: str) -> list[str]:
    """An index entry's main term and subterms, the main term's variant forms as one; none for an entry with a
    subterm led by a connective ("Dermatomyositis, in (neoplastic disease)": it qualifies, it names nothing)."""
    parts = [part.strip() for part in text.casefold().split(",")]
    while len(parts) > 1 and " " not in parts[1] and parts[1][:4] == parts[0][:4]:
        del parts[1]
    if any(part.split(" ", 1)[0] in _CONNECTIVES for part in parts[1:]):
        return []
    return parts


def entry_word_sets(text: str) -> list[frozenset[str]]:
    """An index entry's ``word_set``, and one for each reading of a subterm that gives alternatives: "Bronchitis,
    acute or subacute" is also {"bronchiti", "acute"} and {"bronchiti", "subacute"} (the index says either)."""
    parts = _entry_parts(text)
    whole = _content_words(parts)
    if not whole:
        return []
    sets = [whole]
    readings: list[list[str]] = [[]]
    for part in parts:
        options = [option.strip() for option in part.split(" or ")] if " or " in part else [part]
        readings = [[*reading, option] for reading in readings for option in options if option][:_READINGS]
    for reading in readings:
        key = _content_words(reading)
        if key and key not in sets:
            sets.append(key)
    return sets


def index_entries(designations: Iterable[Designation]) -> dict[frozenset[str], set[str]]:
    """The Alphabetic Index's entries among ICD-10-CM ``designations`` (index terms that are no cross-reference,
    at most ``MAX_ENTRY_DEPTH`` subterms deep), as ``entry_word_sets`` -> the codes they lead to."""
    entries: dict[frozenset[str], set[str]] = {}
    for d in designations:
        if d.system is not SYSTEM or d.kind is not DesignationKind.INDEX_TERM or d.via is not None:
            continue
        if d.text.count(",") <= MAX_ENTRY_DEPTH:
            for key in entry_word_sets(d.text):
                entries.setdefault(key, set()).add(d.code)
    return entries


def words_of(text: str) -> list[str]:
    return name_key(text).split()


def clean_name(text: str) -> str:
    """A name as shown: white space squashed, a SNOMED semantic tag removed."""
    return " ".join(_SEMANTIC_TAG.sub("", text).split())


def clean_definition(text: str) -> str:
    return " ".join(_RELATION_NAME.sub(" ", text).split())


def date_in(text: str) -> str | None:
    """The ISO date a file name or version IRI holds ("doid-2018-07-05.json" -> "2018-07-05"), if any."""
    found = _DATE.search(text)
    return found.group(0) if found else None


# How the vocabularies write a cross-reference to a concept of a shared terminology, and the one prefix
# used for it here: two terms that cite the same UMLS concept are stated to be that concept.
_SHARED_PREFIXES = {
    "UMLS": "UMLS",
    "UMLS_CUI": "UMLS",
    "NCI": "NCIT",
    "NCIT": "NCIT",
    "DOID": "DOID",
    "MONDO": "MONDO",
}


def same_concept(xref: str) -> str | None:
    """The id a cross-reference gives of the same concept in a terminology several vocabularies cite, in one
    spelling ("UMLS_CUI:C0027051" and "UMLS:C0027051" -> "UMLS:C0027051", "NCI:C27996" -> "NCIT:C27996"); None
    for any other (ICD codes, OMIM, and SNOMED CT, whose xrefs in DO 2018 are too loose to bridge by)."""
    prefix, sep, local = xref.strip().partition(":")
    prefix = prefix.strip()
    local = local.strip()
    if not sep or not local or prefix not in _SHARED_PREFIXES:
        return None
    if prefix in ("NCI", "NCIT") and not local.startswith("C"):
        return None
    return f"{_SHARED_PREFIXES[prefix]}:{local}"


def distinct(label: str, synonyms: Iterable[Synonym]) -> tuple[Synonym, ...]:
    """Each synonym once (the first of those with one name key), and none that is the label."""
    seen = {name_key(label)}
    kept: list[Synonym] = []
    for synonym in synonyms:
        key = name_key(synonym.text)
        if key and key not in seen:
            seen.add(key)
            kept.append(synonym)
    return tuple(kept)


def looks_like_abbreviation(text: str, label: str) -> bool:
    """Whether an untyped synonym is an abbreviation: one short token, mostly capitals, not the label
    ("AFib", "HTN", "GERD", "CRPS-I"). Vocabularies that do not type their abbreviations need this."""
    token = text.strip()
    if " " in token or not 2 <= len(token) <= 8 or name_key(token) == name_key(label):
        return False
    capitals = sum(ch.isupper() for ch in token)
    return capitals >= 2 and capitals >= sum(ch.islower() for ch in token)


# --- linking ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Reach:
    """The links a term uses: its own, or those of a term it is stated to be, with the path followed."""

    links: tuple[CodeLink, ...]
    owner: VocabularyTerm
    path: tuple[str, ...] = ()  # the ids stepped through, the owner last; empty for own links


@dataclass(slots=True)
class _Linker:
    codes: Collection[str]
    titles: Mapping[str, str]  # code -> title
    official: Mapping[str, Collection[str]]  # code -> name keys of its designations
    words: Collection[str]
    entries: Mapping[frozenset[str], Collection[str]] = field(default_factory=dict)  # ``index_entries``
    designations: dict[tuple[str, str], tuple[int, int, Designation]] = field(default_factory=dict)
    definitions: dict[tuple[str, str], tuple[tuple[int, int, int], Definition]] = field(default_factory=dict)
    rewrites: dict[tuple[str, str], Rewrite] = field(default_factory=dict)
    missing: dict[str, set[str]] = field(default_factory=dict)  # source -> codes not in the release
    elsewhere: dict[str, int] = field(default_factory=dict)  # source -> names the index gives to other codes
    senses: set[tuple[str, str]] = field(default_factory=set)  # rewrites that are an abbreviation's senses

    def name(
        self, code: str, name: Synonym, source: str, *, via: str, scope: NameScope, order: int, meaning: str = ""
    ) -> bool:
        """Give ``code`` the name; ``meaning``: what an abbreviation stands for (its words are checked). False
        when the index gives the name's words to other codes."""
        key = name_key(name.text)
        if not key or key in self.official.get(code, ()):
            return True
        if self.indexed_elsewhere(code, meaning or name.text):
            self.elsewhere[source] = self.elsewhere.get(source, 0) + 1
            return False
        kind = DesignationKind.ABBREVIATION if name.abbreviation else DesignationKind.SYNONYM
        rank = _SCOPE_RANK[scope]
        made = Designation(SYSTEM, code, kind, clean_name(name.text), source, via, scope)
        found = self.designations.get((code, key))
        if found is None or (rank, order) < found[:2]:
            self.designations[(code, key)] = (rank, order, made)
        return True

    def indexed_elsewhere(self, code: str, text: str) -> bool:
        """Whether an index entry of ``text``'s words leads only to codes other than ``code`` and its family."""
        codes = self.entries.get(word_set(text), ())
        return bool(codes) and not any(code.startswith(c) or c.startswith(code) for c in codes)

    def resolvable(self, target: str) -> bool:
        """Whether every word of a rewrite's target is a word of the loaded code sets."""
        found = words_of(target)
        return bool(found) and all(word in self.words for word in found)

    def rewrite(self, text: str, target: str, source: str, term: str, scope: NameScope, *, sense: bool = False) -> None:
        """``sense``: an abbreviation's sense, kept beside the codes its other senses name."""
        key = (name_key(text), name_key(target))
        if sense:
            self.senses.add(key)
        if not key[0] or key[0] == key[1] or key in self.rewrites or not self.resolvable(target):
            return
        self.rewrites[key] = Rewrite(clean_name(text), clean_name(target), source, term, scope)


# How the vocabularies write a code's system in their mappings.
_PREFIXES = {SystemId.ICD10CM: "ICD10CM"}
_SCOPE_RANK = {NameScope.EXACT: 0, NameScope.NARROW: 1, NameScope.RELATED: 2, NameScope.BROAD: 3}
# Names a rewrite may start from: an exact or narrower name read as its concept's label keeps its sense.
_REWRITE_SCOPES = frozenset({NameScope.EXACT, NameScope.NARROW})


def _graph(terms: Sequence[VocabularyTerm]) -> dict[str, list[str]]:
    """Stated equivalences, both ways."""
    graph: dict[str, list[str]] = {}
    for term in terms:
        for other in term.equivalents:
            graph.setdefault(term.id, []).append(other)
            graph.setdefault(other, []).append(term.id)
    return graph


def _reach(term: VocabularyTerm, by_id: Mapping[str, VocabularyTerm], graph: Mapping[str, list[str]]) -> list[_Reach]:
    """The links a term uses: its own; else those of the nearest terms of another vocabulary stated to be the
    same concept."""
    if term.links:
        return [_Reach(term.links, term)]
    seen = {term.id}
    frontier: list[tuple[str, tuple[str, ...]]] = [(term.id, ())]
    for _step in range(_MAX_BRIDGE):
        found: list[_Reach] = []
        following: list[tuple[str, tuple[str, ...]]] = []
        for current, path in frontier:
            for other in graph.get(current, ()):
                if other in seen:
                    continue
                seen.add(other)
                reached = (*path, other)
                owner = by_id.get(other)
                # Two terms of one vocabulary are two concepts by its own word, whatever they cite in common.
                if owner is not None and owner.links and owner.source != term.source:
                    found.append(_Reach(owner.links, owner, reached))
                following.append((other, reached))
        if found:
            return found
        frontier = following
    return []


def _nearest(term: VocabularyTerm, reached: list[_Reach]) -> list[_Reach]:
    """A term stated to be several concepts of one other vocabulary (HPO's "Keratoconjunctivitis sicca", "Dry
    eyes", which cites the UMLS concepts of DO's "dry eye syndrome" and "xerophthalmia") is the one with the name
    nearest one of its own (the most words in common for the words of both: "dry eyes" and "dry eye syndrome",
    H04.12, not E50.7); where none shares a word, or they are as near, it is each of them. Concepts of different
    vocabularies (DO's and MONDO's "stomach cancer") are one."""
    by_source: dict[str, list[_Reach]] = {}
    for reach in reached:
        by_source.setdefault(reach.owner.source, []).append(reach)
    if all(len(same) < 2 for same in by_source.values()):
        return reached
    own = _name_words(term)
    kept: list[_Reach] = []
    for same in by_source.values():
        nearness = [_nearness(own, _name_words(r.owner)) for r in same]
        nearest = max(nearness)
        kept.extend(reach for reach, near in zip(same, nearness, strict=True) if near == nearest)
    return kept


def _nearness(own: Sequence[frozenset[str]], other: Sequence[frozenset[str]]) -> float:
    """The most words two names have in common for the words of both (0 where either term has no name of words)."""
    return max((len(a & b) / len(a | b) for b in other for a in own), default=0.0)


def _name_words(term: VocabularyTerm) -> list[frozenset[str]]:
    """The words of each of a term's names (none empty; ``name_key``'s words, a hyphen's parts apart)."""
    return [words for name in term.names() if (words := frozenset(name_key(name.text).split()))]


def _named(term: VocabularyTerm, reached: Sequence[_Reach], graph: Mapping[str, list[str]]) -> spelled_out.Named:
    """The term as ``spelled_out.misread`` reads it: what it is, its codes and the terms stated to be it."""
    codes = {lk.code for r in reached for lk in r.links}
    return spelled_out.Named(
        term.id,
        tuple(n.text for n in term.names() if not n.abbreviation),
        tuple(n.text for n in term.synonyms if n.abbreviation),
        frozenset({term.id, *graph.get(term.id, ()), *codes}),
        bool(codes),
    )


def _damaged(text: str) -> bool:
    """Whether a name holds the replacement character: its source file lost letters in a wrong encoding
    ("Griscelli-Pruni\ufffd\ufffdras syndrome"); its pieces would be read as words ("ras")."""
    return "\ufffd" in text


def _usable(reach: _Reach) -> _Reach:
    """A reach without its links to ranges of categories ("E08-E13", "I00-I99"): a block or chapter is no
    code anyone reports, and a name on it would stand before the codes that say what it means."""
    return _Reach(tuple(lk for lk in reach.links if "-" not in lk.code), reach.owner, reach.path)


def _via(term: VocabularyTerm, reach: _Reach, link: CodeLink) -> str:
    path = "".join(f" = {step}" for step in reach.path)
    prefix = _PREFIXES.get(link.system, link.system.value.upper())
    return f"{term.id} {term.label}{path}; {link.predicate} {prefix}:{link.code}"


def link(
    sources: Sequence[VocabularySource],
    *,
    codes: Collection[str],
    titles: Mapping[str, str],
    official: Mapping[str, Collection[str]],
    texts: Mapping[str, Collection[tuple[SystemId, str]]],
    words: Collection[str],
    entries: Mapping[frozenset[str], Collection[str]] | None = None,
    said: Collection[str] = (),
    title_words: Collection[str] = (),
) -> VocabularyContent:
    """Names, rewrites and definitions of ICD-10-CM codes from the vocabularies read (see the module doc).

    ``codes`` are the ICD-10-CM codes loaded, ``titles`` their titles, ``official`` the name keys of each
    code's designations, ``texts`` every loaded designation's name key -> the codes that carry it (any
    system: abbreviations may name a procedure), ``words`` the words of the loaded ICD-10-CM designations,
    ``entries`` the Alphabetic Index's entries as ``index_entries`` gives them (a name they give only to other
    codes is left out), ``said`` the abbreviations' meanings (``sense_phrases``) that a designation says within
    its words, ``title_words`` the words of the ICD-10-CM titles (an abbreviation spelling one is no phrase's).
    """
    linker = _Linker(codes, titles, official, words, entries or {})
    terms = [term for source in sources for term in source.terms]
    by_id = {term.id: term for term in terms}
    graph = _graph(terms)
    reaches: dict[str, list[_Reach]] = {}
    order = {source.vocabulary.name: number for number, source in enumerate(sources)}
    reached_by = {term.id: _nearest(term, [_usable(r) for r in _reach(term, by_id, graph)]) for term in terms}
    misread = spelled_out.misread(_named(term, reached_by[term.id], graph) for term in terms)
    for term in terms:
        reached = reached_by[term.id]
        names = [
            name
            for name in term.names()
            if not _damaged(name.text) and not (name.abbreviation and (term.id, name.text) in misread)
        ]
        usable = [(r, lk) for r in reached for lk in r.links if lk.system is SYSTEM and lk.code in codes]
        for r in reached:
            for lk in r.links:
                if lk.system is SYSTEM and lk.code not in codes:
                    linker.missing.setdefault(r.owner.source, set()).add(lk.code)
        reaches[term.id] = [r for r in reached if any(lk.code in codes for lk in r.links)]
        rank = order[term.source]
        if usable:
            for reach, lk in usable:
                via = _via(term, reach, lk)
                for name in names:
                    scope = name.scope.weaker(lk.scope)
                    meaning = term.label if name.abbreviation else ""
                    linker.name(lk.code, name, term.source, via=via, scope=scope, order=rank, meaning=meaning)
            _define(linker, term, usable)
        else:
            for name in names:
                if name.scope in _REWRITE_SCOPES:
                    linker.rewrite(name.text, term.label, term.source, term.id, name.scope)
    kept, dropped = _abbreviations(linker, sources, terms, _Senses(reaches, texts, order, said, title_words))
    # A rewrite is for a name that names no code: where another term links the same name, that one serves. An
    # abbreviation keeps every sense: "AS" names M45 (ankylosing spondylitis) and is read as "aortic stenosis".
    linked = {key for _code, key in linker.designations}
    rewrites = tuple(r for key, r in linker.rewrites.items() if key[0] not in linked or key in linker.senses)
    warnings = tuple(
        f"{source}: {len(missing)} ICD-10-CM codes its mappings name are not in the loaded release"
        f" (first: {', '.join(sorted(missing)[:5])}); their links are left out"
        for source, missing in sorted(linker.missing.items())
    )
    notes = tuple(
        f"{name}: {kept[name]:,} abbreviation senses kept (they resolve to a known term or designation),"
        f" {dropped[name]:,} dropped"
        for name in kept
    ) + tuple(
        f"{source}: {count:,} names left out: the Alphabetic Index gives their words to other codes"
        for source, count in sorted(linker.elsewhere.items())
    )
    return VocabularyContent(
        tuple(source.vocabulary for source in sources),
        tuple(d for *_, d in sorted(linker.designations.values(), key=lambda item: item[:2])),
        rewrites,
        tuple(d for _rank, d in linker.definitions.values()),
        warnings=tuple(w for source in sources for w in source.warnings) + warnings,
        notes=notes,
    )


def _define(linker: _Linker, term: VocabularyTerm, usable: Iterable[tuple[_Reach, CodeLink]]) -> None:
    if not term.definition:
        return
    text = clean_definition(term.definition)
    for reach, lk in usable:
        if lk.scope is NameScope.BROAD:
            continue
        title = linker.titles.get(lk.code, "")
        rank = (_SCOPE_RANK[lk.scope], len(reach.path), 0 if name_key(title) == name_key(term.label) else 1)
        key = (lk.code, term.source)
        found = linker.definitions.get(key)
        if found is None or rank < found[0]:
            linker.definitions[key] = (rank, Definition(SYSTEM, lk.code, text, term.source, f"{term.id} {term.label}"))


@dataclass(frozen=True, slots=True)
class _Senses:
    """What resolving an abbreviation's senses looks at."""

    reaches: Mapping[str, list[_Reach]]  # term id -> the links it uses
    texts: Mapping[str, Collection[tuple[SystemId, str]]]  # designation name key -> the codes carrying it
    order: Mapping[str, int]  # vocabulary name -> its rank
    said: Collection[str] = ()  # meanings a designation says within its words (``sense_phrases``)
    title_words: Collection[str] = ()  # the words of the ICD-10-CM titles


def _abbreviations(
    linker: _Linker, sources: Sequence[VocabularySource], terms: Sequence[VocabularyTerm], senses: _Senses
) -> tuple[dict[str, int], dict[str, int]]:
    """Each abbreviation sense that resolves names codes or becomes a rewrite; returns kept and dropped."""
    named: dict[str, list[VocabularyTerm]] = {}
    for term in terms:
        for synonym in term.names():
            if synonym.scope is NameScope.EXACT and not synonym.abbreviation:
                named.setdefault(name_key(synonym.text), []).append(term)
    kept: dict[str, int] = {}
    dropped: dict[str, int] = {}
    for source in sources:
        name = source.vocabulary.name
        if not source.abbreviations:
            continue
        kept[name] = dropped[name] = 0
        resolved: set[str] = set()
        left: list[Abbreviation] = []
        for sense in source.abbreviations:
            if _sense(linker, sense, name, named.get(name_key(sense.meaning), []), senses):
                kept[name] += 1
                resolved.add(name_key(sense.text))
            else:
                left.append(sense)
        # An abbreviation none of whose senses resolves may be read through the index's words (``by_entry``).
        for sense in left:
            ok = name_key(sense.text) not in resolved and _sense(linker, sense, name, [], senses, by_entry=True)
            kept[name] += ok
            dropped[name] += not ok
    return kept, dropped


def _sense(
    linker: _Linker,
    sense: Abbreviation,
    source: str,
    known: Sequence[VocabularyTerm],
    senses: _Senses,
    *,
    by_entry: bool = False,
) -> bool:
    """Resolve one sense; True when it is kept. ``by_entry``: a meaning that is an Alphabetic Index entry in
    other words ("premature ventricular contraction": "Premature, contraction, ventricular" I49.3) names the
    codes the entry leads to (read for an abbreviation none of whose senses resolves otherwise)."""
    abbreviation = Synonym(sense.text, abbreviation=True)
    rank = senses.order[source]
    linked = refused = False
    for term in known:
        for reach in senses.reaches.get(term.id, ()):
            for lk in reach.links:
                if lk.system is SYSTEM and lk.code in linker.codes:
                    via = f"{sense.meaning}; {_via(term, reach, lk)}"
                    if linker.name(
                        lk.code, abbreviation, source, via=via, scope=lk.scope, order=rank, meaning=sense.meaning
                    ):
                        linked = True
                    else:
                        refused = True
    if linked:
        return True
    carriers = senses.texts.get(name_key(sense.meaning), ())
    if by_entry and not carriers and not spelled(sense.text, senses.title_words):
        said_as = word_set(sense.meaning)
        if len(said_as) > 1:
            carriers = [(SYSTEM, code) for code in sorted(linker.entries.get(said_as, ()))]
    # A meaning the index gives to other codes than the term's: the abbreviation is read as its meaning's words.
    if known or refused or len(carriers) > _MAX_SENSE_CODES:
        linker.rewrite(sense.text, sense.meaning, source, sense.meaning, NameScope.EXACT, sense=True)
        return True
    if not carriers:
        # A meaning said within designations ("WBC": white blood cells, in "Decreased white blood cell count"), by
        # an abbreviation that spells no word of the titles: the abbreviation is read as its meaning's words.
        # The meaning as written where a designation says it so, else as the designation says it ("fracture").
        said = [p for p in sense_phrases(sense.meaning) if p in senses.said]
        if spelled(sense.text, senses.title_words) or not said:
            return False
        written = sense_phrase(sense.meaning)
        target = written if name_key(written) == said[0] else said[0]
        if not linker.resolvable(target):
            return False
        linker.rewrite(sense.text, target, source, sense.meaning, NameScope.EXACT, sense=True)
        return True
    for system, code in sorted(carriers):  # in code order: a set's order changes from one process to the next
        if system is SYSTEM:
            linker.name(
                code, abbreviation, source, via=sense.meaning, scope=NameScope.EXACT, order=rank, meaning=sense.meaning
            )
    if any(system is not SYSTEM for system, _code in carriers):
        # A procedure or supply named by its abbreviation: the alternative finds it in its own system.
        linker.rewrite(sense.text, sense.meaning, source, sense.meaning, NameScope.EXACT, sense=True)
    return bool(carriers)
