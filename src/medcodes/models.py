"""Value objects shared by every layer: concepts, their words, notes, relations and releases.

No I/O and no third-party imports live here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from medcodes.systems import REGISTRY, SystemId


class ConceptKind(StrEnum):
    """Where a concept sits in its system's hierarchy."""

    CHAPTER = "chapter"
    BLOCK = "block"  # a range of categories, e.g. ICD-10-CM section A15-A19
    CATEGORY = "category"  # a three-character ICD category
    CODE = "code"  # anything below a category: subcategories and full codes
    MODIFIER = "modifier"  # HCPCS/CPT modifiers (RT, 59)
    EXTENSION = "extension"  # ICD-11 chapter X extension codes


class DesignationKind(StrEnum):
    """The kind of word or phrase that names a concept."""

    TITLE = "title"
    SHORT_TITLE = "short_title"
    INCLUSION_TERM = "inclusion_term"
    INDEX_TERM = "index_term"
    SYNONYM = "synonym"
    ABBREVIATION = "abbreviation"


class NameScope(StrEnum):
    """How closely a name from a vocabulary (not the code set itself) fits the code it names.

    A vocabulary's synonym is exact, related, narrower or broader than its concept, and the concept's
    link to the code is exact, a cross-reference, or a broad match (the code is broader): the name's scope
    is the weaker of the two (``weaker``). Official designations have no scope (None): they are the code's.
    """

    EXACT = "exact"  # the name means what the code means
    NARROW = "narrow"  # the name is narrower than the code (the code includes it, as an inclusion term)
    RELATED = "related"  # a related name, or a cross-reference of unstated precision
    BROAD = "broad"  # the name is broader than the code: never read it as the code's own name

    def weaker(self, other: NameScope) -> NameScope:
        return max(self, other, key=_SCOPE_ORDER.index)


_SCOPE_ORDER = (NameScope.EXACT, NameScope.NARROW, NameScope.RELATED, NameScope.BROAD)


class NoteKind(StrEnum):
    """Instructional notes of the ICD-10-CM tabular list (and their equivalents elsewhere)."""

    NOTE = "note"
    INCLUDES = "includes"
    INCLUSION_TERM = "inclusion_term"
    EXCLUDES1 = "excludes1"
    EXCLUDES2 = "excludes2"
    CODE_FIRST = "code_first"
    USE_ADDITIONAL_CODE = "use_additional_code"
    CODE_ALSO = "code_also"
    SEVENTH_CHARACTER_NOTE = "seventh_character_note"
    SEVENTH_CHARACTER = "seventh_character"


# The heading each kind of note is printed under, as the tabular list prints it: a "Use additional" note reads
# "code to identify the organism" (every one starts with "code", "codes" or "code(s)").
NOTE_LABELS: dict[NoteKind, str] = {
    NoteKind.NOTE: "Note",
    NoteKind.SEVENTH_CHARACTER_NOTE: "7th character",
    NoteKind.INCLUDES: "Includes",
    NoteKind.INCLUSION_TERM: "Inclusion terms",
    NoteKind.EXCLUDES1: "Excludes1",
    NoteKind.EXCLUDES2: "Excludes2",
    NoteKind.CODE_FIRST: "Code first",
    NoteKind.USE_ADDITIONAL_CODE: "Use additional",
    NoteKind.CODE_ALSO: "Code also",
    NoteKind.SEVENTH_CHARACTER: "7th character",
}


class RelationKind(StrEnum):
    """A typed link from one concept to another (same or other system)."""

    SEE = "see"  # index cross-reference resolved to a code
    REPLACED_BY = "replaced_by"  # code history: a deleted code and its successor
    MAPS_TO = "maps_to"  # a crosswalk row (GEMs, WHO ICD-10 <-> ICD-11 tables); flags in Relation.flags
    # The CDC conversion table: the source (an older code, still in use or made a header) was the code used
    # before the target was created for part of what it covered ("Previous Code(s) Assignment").
    PREVIOUS_CODE_OF = "previous_code_of"
    # A mapping table row that says the source has no equivalent in the target system (GEM flag "no map",
    # WHO "No Mapping"); the target code is empty.
    NO_MAP = "no_map"


# How a relation reads from each end: (seen from its source, seen from its target).
RELATION_WORDS: dict[RelationKind, tuple[str, str]] = {
    RelationKind.SEE: ("see", "seen from"),
    RelationKind.REPLACED_BY: ("replaced by", "replaces"),
    RelationKind.MAPS_TO: ("maps to", "mapped from"),
    RelationKind.PREVIOUS_CODE_OF: ("previous code of", "previous code"),
    RelationKind.NO_MAP: ("no equivalent in", "no equivalent from"),
}


class HistoryKind(StrEnum):
    ADDED = "added"
    REVISED = "revised"  # title changed
    DELETED = "deleted"  # no longer in the classification (or, for HCPCS, terminated)
    # A valid code subdivided into new subcodes: it stays as a header of them, no longer valid on a claim.
    EXPANDED = "expanded"


def shown_code(system: SystemId, code: str, kind: ConceptKind) -> str | None:
    """A code as people read it; None where it is medcodes' own id (an ICD-11 block, "BlockL1-5A0")."""
    return None if kind is ConceptKind.BLOCK and not REGISTRY[system].coded_blocks else code


@dataclass(frozen=True, slots=True)
class Concept:
    """One node of a code system: a chapter, block, category or code."""

    system: SystemId
    code: str  # canonical notation, e.g. "E11.9", "A15-A19", "1" for chapter 1
    title: str
    kind: ConceptKind
    billable: bool
    parent: str | None = None
    short_title: str | None = None
    depth: int = 0
    # Position in the official tabular order, so that browsing and prefix listings follow it.
    seq: int = 0

    @property
    def shown_code(self) -> str | None:
        """The code as people read it; None where it is medcodes' own id (an ICD-11 block, "BlockL1-5A0")."""
        return shown_code(self.system, self.code, self.kind)

    @property
    def named(self) -> str:
        """The code and its title ("E11 Type 2 diabetes mellitus"), or the title alone where it has no code."""
        return f"{self.shown_code} {self.title}" if self.shown_code is not None else self.title


# Appended to a designation's source when the file it was read from is a reconstruction in the official
# schema, not the publisher's file ("index-reconstructed"): every interface says so where it shows the term.
RECONSTRUCTED = "-reconstructed"


@dataclass(frozen=True, slots=True)
class Designation:
    """A word or phrase that names a concept, with where it came from."""

    system: SystemId
    code: str
    kind: DesignationKind
    text: str
    source: str  # e.g. "tabular", "order", "index", "eindex", "drug", "neoplasm", "index-reconstructed", "doid"
    # For index terms reached through a "see" reference: the term path that was followed. For names from
    # a vocabulary: the vocabulary term and the mapping that links it to the code ("DOID:10763 hypertension;
    # xref ICD10CM:I10"); for ICD-9-CM titles given to ICD-10-PCS codes: the GEM row.
    via: str | None = None
    # For names that do not come from the code set itself (vocabularies, GEMs): how closely the name fits.
    scope: NameScope | None = None

    @property
    def reconstructed(self) -> bool:
        """Whether it comes from a reconstructed file (an index rebuilt by a third party), not an official one."""
        return self.source.endswith(RECONSTRUCTED)


@dataclass(frozen=True, slots=True)
class Note:
    """An instructional note attached to a concept.

    ``inherited_from`` is None where the note is written on the concept itself, otherwise the code of
    the ancestor that carries it. ``character`` is set for 7th-character definitions only.
    """

    kind: NoteKind
    text: str
    character: str | None = None
    inherited_from: str | None = None


@dataclass(frozen=True, slots=True)
class ConceptNote:
    """A note as a source yields it: the note and the concept it is written on."""

    system: SystemId
    code: str
    note: Note


@dataclass(frozen=True, slots=True)
class Relation:
    """A directed, typed link between two concepts."""

    source_system: SystemId
    source_code: str
    kind: RelationKind
    target_system: SystemId
    target_code: str
    detail: str | None = None
    source: str | None = None  # which table the row comes from, e.g. "gem-2018-i9-to-i10"
    # Decoded flags in words, e.g. ("approximate",), ("combination", "scenario 1", "choice list 2").
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Property:
    """A structured fact of a concept: a PCS axis value, an HCPCS indicator, an ICD-11 flag, an MS-DRG MDC.

    ``name`` is namespaced by system ("pcs.body_part", "hcpcs.coverage", "drg.mdc"); ``value`` is the raw
    value as the official file writes it; ``label`` is its meaning in words; ``definition`` the official
    definition where one exists (PCS root operations and approaches).
    """

    system: SystemId
    code: str
    name: str
    value: str
    label: str | None = None
    definition: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """A change to a code between two releases."""

    system: SystemId
    code: str
    kind: HistoryKind
    release: str  # the release that made the change
    effective: dt.date | None = None
    old_title: str | None = None
    new_title: str | None = None
    replaced_by: tuple[str, ...] = ()  # DELETED: the successors; EXPANDED: the new subcodes

    def describe(self) -> str:
        """The event in words: "expanded into subcodes on 2021-10-01: M54.50, M54.51, M54.59"."""
        when = f"on {self.effective.isoformat()}" if self.effective else f"in release {self.release}"
        codes = ", ".join(self.replaced_by)
        if self.kind is HistoryKind.EXPANDED:
            return f"expanded into subcodes {when}" + (f": {codes}" if codes else "")
        if self.kind is HistoryKind.DELETED:
            return f"deleted {when}" + (f", replaced by {codes}" if codes else "")
        if self.kind is HistoryKind.REVISED:
            change = f": {self.old_title} -> {self.new_title}" if self.old_title and self.new_title else ""
            return f"title revised {when}{change}"
        return f"added {when}"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file a release was read from: an official file, or a reconstruction of one in its official schema
    (``reconstructed``: its name or its own header says so; what was read from it is labelled as such)."""

    name: str
    sha256: str
    reconstructed: bool = False


@dataclass(frozen=True, slots=True)
class Release:
    """One official release of one code system."""

    system: SystemId
    version: str
    effective: dt.date | None
    files: tuple[SourceFile, ...] = ()
    # The licence or attribution the content is used under, shown with it (WHO's notice; for CPT the
    # AMA notice and the licence its user asserted). None for US-government public-domain content.
    licence: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseContent:
    """Everything one source yields for one release of one system, ready for the store."""

    release: Release
    concepts: tuple[Concept, ...]
    designations: tuple[Designation, ...] = ()
    notes: tuple[ConceptNote, ...] = ()
    relations: tuple[Relation, ...] = ()
    properties: tuple[Property, ...] = ()
    history: tuple[HistoryEvent, ...] = ()
    # Rows the source could not use (e.g. a mapping row naming a code absent from its system), in words.
    warnings: tuple[str, ...] = ()
    priors: tuple[Prior, ...] = ()  # what the system's alphabetic index gives its main terms
    # Words the index reads as other words, in any query: "overdose" -> "poisoning" (its reference to the Table of
    # Drugs' column for any substance).
    readings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Definition:
    """A short definition of a code's concept from an open vocabulary, with its source.

    ``term`` names the vocabulary term it is the definition of ("DOID:10763 hypertension").
    """

    system: SystemId
    code: str
    text: str
    source: str  # the vocabulary: "doid", "ncit"
    term: str


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A name whose concept links to no code: the query may be read as the concept's label instead.

    ``text`` is the name as the vocabulary writes it ("AFib"), ``target`` the label it stands for ("Atrial
    Fibrillation"); the label's words were found in the loaded code sets when the rewrite was made.
    """

    text: str
    target: str
    source: str  # the vocabulary: "doid", "ncit", "abbrev-imantsm"
    term: str  # the vocabulary term ("NCIT:C50466"), or the abbreviation's sense ("atrial fibrillation")
    scope: NameScope = NameScope.EXACT


@dataclass(frozen=True, slots=True)
class Prior:
    """The code an alphabetic index gives a main term, or a main term and one subterm: what the unqualified
    word means ("Diabetes, diabetic" -> E11.9, "Pneumonia" -> J18.9, "Hypertension, hypertensive" -> I10).

    ``term`` is the main term as printed without its nonessential modifiers (commas in it separate forms
    or inversions: "Diabetes, diabetic", "Abruption, placenta"); ``subterm`` the first-level subterm or
    None; ``modifiers`` the nonessential modifiers printed after the term that holds the code ("(mellitus)
    (sugar)"); ``via`` the "see" reference followed, where the code is reached through one.
    """

    system: SystemId
    code: str
    term: str
    subterm: str | None = None
    modifiers: str | None = None
    source: str = "index"
    via: str | None = None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """An open vocabulary (or derived table) whose names, rewrites and definitions a build stored.

    ``derived`` is True when the rows come from medcodes' packaged table, derived from the vocabulary's
    files by ``scripts/derive_vocabulary.py``, rather than from the files themselves.
    """

    name: str  # "doid", "ncit", "mondo", "abbrev-imantsm", "index"
    title: str  # "Human Disease Ontology"
    version: str
    files: tuple[SourceFile, ...]
    licence: str
    attribution: str
    derived: bool = False
    url: str | None = None


@dataclass(frozen=True, slots=True)
class VocabularyContent:
    """What the vocabularies add to a build: names of codes, rewrites, definitions and index priors."""

    vocabularies: tuple[Vocabulary, ...]
    designations: tuple[Designation, ...] = ()
    rewrites: tuple[Rewrite, ...] = ()
    definitions: tuple[Definition, ...] = ()
    priors: tuple[Prior, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # counts worth reporting (abbreviation senses kept and dropped)
    # What an index reads a word as (``ReleaseContent.readings``), as (source, word typed, word meant).
    readings: tuple[tuple[str, str, str], ...] = ()


def cited(via: str) -> str:
    """How a designation's ``via`` reads after its text, in brackets: "see Vomiting" (the Alphabetic Index
    stores the term referred to). A via that says its own instruction, as the ICD-10-PCS Index's do ("see
    Excision, Gallbladder 0FB4", "use Peritoneal Cavity"), is read as it is."""
    return via if via.startswith(("see ", "use ")) else f"see {via}"


# What joins a table cell's term and its column in the cell's designation: "Lithium — Poisoning Accidental
# (unintentional)", "Neoplasm, neoplastic, lung — Malignant Primary" (the Drug and Neoplasm tables).
TABLE_COLUMN = " \u2014 "


@dataclass(frozen=True, slots=True)
class IndexTerm:
    """One term of an alphabetic index or table, with its full path ("Infarct, myocardium, anterior wall").

    ``codes`` are the codes the term points to as written in the index (possibly a category that needs
    more characters, e.g. "T51.3X1" or "C79.8-"). ``see`` and ``see_also`` are term paths.
    """

    source: str  # "index", "eindex", "drug", "neoplasm", "pcs-index"
    path: tuple[str, ...]
    codes: tuple[str, ...] = ()
    see: str | None = None
    see_also: str | None = None
    nemod: str | None = None  # nonessential modifiers, kept as written
    column: str | None = None  # table column heading for drug/neoplasm cells

    @property
    def text(self) -> str:
        return ", ".join(self.path)


@dataclass(frozen=True, slots=True)
class MatchReason:
    """Why a search hit matched: the field and the words that made it."""

    # "code", "title", "index_term", "inclusion_term", "synonym", "abbreviation", "typo", "semantic", "crosswalk",
    # "narrower" (a billable code standing in for the header above it that matched: text = that header's match),
    # "range" (a number typed inside a range the name writes: "42 in 40.0-44.9")
    field: str
    text: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    system: SystemId
    code: str
    display: str
    score: float
    billable: bool
    kind: ConceptKind
    reasons: tuple[MatchReason, ...] = ()
    # (start, end) character spans of ``display`` that the query's words matched, for highlighting.
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    total: int
    hits: tuple[SearchHit, ...]
    facets: dict[SystemId, int] = field(default_factory=dict)
    corrected_query: str | None = None
    # True when a very broad query's total and facets are extrapolated rather than counted.
    estimated: bool = False
    # Something the person should know about the answer (a CPT code asked for without a licensed CPT file).
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class ConceptDetail:
    """Every fact the store holds about one concept, for `show` and the code page."""

    concept: Concept
    designations: tuple[Designation, ...]
    notes: tuple[Note, ...]  # own notes first, then inherited ones, nearest ancestor first
    ancestors: tuple[Concept, ...]  # root first
    children: tuple[Concept, ...]
    release: Release | None
    properties: tuple[Property, ...] = ()  # PCS axes, HCPCS indicators, ICD-11 flags, MS-DRG MDC
    relations: tuple[Relation, ...] = ()  # crosswalks and references, outgoing first
    history: tuple[HistoryEvent, ...] = ()
    definitions: tuple[Definition, ...] = ()  # from open vocabularies, best first, with their source
    # Set when the facts are those of a past date (``show --as-of``); ``as_of_notes`` say in words what the
    # loaded history changed for that date and which parts are the current release's.
    as_of: dt.date | None = None
    as_of_notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SystemInfo:
    """A loaded code system: its release and how much of it there is."""

    system: SystemId
    name: str
    release: Release
    concepts: int
    billable: int


@dataclass(frozen=True, slots=True)
class BuildStamp:
    """What a build writes into the database it makes: which release of the database this is.

    ``release`` names one run of `medcodes build` (its UTC time and a random tag), so that a server that moves
    to a newly built file can say which one answered (the ``X-Medcodes-Release`` header).
    """

    release: str
    built_at: dt.datetime
    medcodes: str  # the medcodes version that built it


@dataclass(frozen=True, slots=True)
class Suggestions:
    """What autocomplete offers for a partly typed query: word completions and the best codes."""

    query: str
    completions: tuple[str, ...]  # whole queries: the typed words with the last one completed
    hits: tuple[SearchHit, ...]
    corrected_query: str | None = None


# ---------------------------------------------------------------------------------------------- explainers
class ExplainerKind(StrEnum):
    """Which set of sections a generated explainer has (``explain/schema.py`` lists them)."""

    PROCEDURE = "procedure"  # ICD-10-PCS, CPT, procedure-like HCPCS, ICD-9-CM procedures
    DIAGNOSIS = "diagnosis"  # ICD-10-CM, ICD-11, WHO ICD-10, ICD-9-CM diagnoses
    SUPPLY = "supply"  # HCPCS supplies, equipment and drugs


class SectionType(StrEnum):
    TEXT = "text"  # one paragraph
    LIST = "list"  # unordered items
    STEPS = "steps"  # numbered, in order


class ExplainerStatus(StrEnum):
    """Where a generated explainer stands. A failed generation is never an explainer: it is only logged."""

    GENERATED = "generated"  # passed validation, not yet read by a person
    REVIEWED = "reviewed"  # a person read it and accepted it
    REJECTED = "rejected"  # a person read it and turned it down: never shown


@dataclass(frozen=True, slots=True)
class FactLine:
    """One official fact in words: ``label`` names the aspect, ``text`` says it.

    ``definition`` is an official definition quoted as published (PCS root operations and approaches);
    ``source`` is the code of the ancestor a note is inherited from (None where it is the code's own).
    """

    label: str
    text: str
    definition: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class FactSection:
    heading: str
    lines: tuple[FactLine, ...]


@dataclass(frozen=True, slots=True)
class FactsExplainer:
    """The deterministic explainer: a code's official structure and notes in plain sentences, no model."""

    system: SystemId
    code: str
    title: str
    summary: str
    sections: tuple[FactSection, ...]


@dataclass(frozen=True, slots=True)
class ExplainerSection:
    """One section of a generated explainer: ``text`` for TEXT sections, ``items`` for LIST and STEPS."""

    key: str
    title: str
    type: SectionType
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a generated explainer came from, and whether a person has read it."""

    model: str
    endpoint: str  # host (and path) of the chat-completions server, never a key
    prompt_version: str
    facts_hash: str  # sha256 of the official facts the prompt carried
    release: str | None  # the code system release those facts came from
    created: dt.datetime
    status: ExplainerStatus
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    origin: str = "generated"  # "generated", or "imported from <file>" for a content pack


@dataclass(frozen=True, slots=True)
class Explainer:
    """A generated plain-language explainer of one code. Not medical advice; pages say so with its provenance.

    ``stale`` is True when the code's official facts have changed since it was generated (facts hash differs).
    """

    system: SystemId
    code: str
    kind: ExplainerKind
    sections: tuple[ExplainerSection, ...]
    provenance: Provenance
    stale: bool = False

    @property
    def name(self) -> str:
        return self.sections[0].text if self.sections else self.code

    @property
    def showable(self) -> bool:
        return self.provenance.status is not ExplainerStatus.REJECTED

    @property
    def label(self) -> str:
        """The line every page shows with the text: "Generated by MODEL on DATE — not medical advice — STATUS"."""
        p = self.provenance
        text = f"Generated by {p.model} on {p.created.date().isoformat()} — not medical advice — {p.status.value}"
        if self.stale:
            text += " — out of date: the official facts of this code have changed since"
        return text


class SimilarKind(StrEnum):
    """Why one code is similar to another (see docs/similar.md for each kind's score and minimum).

    Reasons are listed in this order: what the code structure says first, similar wording last.
    """

    VARIANT = "variant"  # the same code but for one character: laterality, episode of care, approach, device...
    SIBLING = "sibling"  # the same parent
    FAMILY = "family"  # the same grandparent (ICD) or PCS table, more than one character apart
    BODY_PART = "body_part"  # ICD-10-PCS: the same body part, another root operation
    DRG_FAMILY = "drg_family"  # MS-DRGs that differ only in the CC/MCC split
    CROSSWALK = "crosswalk"  # a mapping table row (GEMs, WHO maps), directly or through a shared target
    INDEX_TERM = "index_term"  # a neighbouring entry of the Alphabetic Index, or the same row of a table
    NOTE = "note"  # named in an Excludes note of the code or its ancestors
    REFERENCE = "reference"  # another relation: a cross-reference, a replaced code
    COVERAGE = "coverage"  # HCPCS: the same section of a Medicare coverage or carriers manual
    NEARBY = "nearby"  # HCPCS: a code near it in the same letter range and BETOS category, sharing its words
    WORDING = "wording"  # similar words in the titles and inclusion terms


@dataclass(frozen=True, slots=True)
class SimilarReason:
    kind: SimilarKind
    text: str  # in words, e.g. "Differs only in laterality: left instead of right"


@dataclass(frozen=True, slots=True)
class SimilarCode:
    """One neighbour of a code, with every reason it is similar (one per kind, in SimilarKind's order).

    ``more`` counts the codes of the same group that this entry stands for (the other 7th characters,
    the other approaches ...); ``more_label`` says what they are ("other 7th characters").
    """

    system: SystemId
    code: str
    title: str
    score: float  # 0..1, the reasons' scores combined
    reasons: tuple[SimilarReason, ...]
    billable: bool = False
    more: int = 0
    more_label: str | None = None
