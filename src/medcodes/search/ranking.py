"""Every weight, boost and threshold of the search engine, in one typed object.

The engine takes a ``Ranking`` as bm25s takes ``k1`` and ``b``: ``SearchEngine(store, Ranking(...))``; the
defaults are the values measured best on the development sets (``bench/ranking.py`` scores a change of them
in-process). A designation's score for a query is

    sum over word groups (idf x BM25 weight x match factor) x coverage ** coverage_power
        x kind weight x concept worth [x exact_bonus]

where the match factor is 1 for the word itself, ``stem`` for a word sharing its stem, ``completion(share)``
for a word the last, partly typed word starts, and an alternative's factor (``alternative``) for what an
abbreviation or lay term stands for; the concept's worth is its system's weight, times ``header`` for a code
one does not report, times its prior (``Priors``: what the official index says people mean by the words).

Most fields only change how the same index is read. Two groups are written into the index at build time and
need a rebuild to take effect: ``bm25`` (term weights) and the order designations are numbered in (by kind,
system and header weight: a broad query reads the best-numbered candidates first).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from medcodes.models import DesignationKind
from medcodes.systems import SystemId

F32 = npt.NDArray[np.float32]

# Systems whose headers list alternatives rather than hold narrower codes: an ICD-10-PCS table's codes differ in
# body part, approach and device, an HCPCS range's in what is supplied. Such a header is never the answer and
# is not narrowed to one of its codes (``Ranking.listing_header``); the other systems' headers are.
LISTING_SYSTEMS: frozenset[SystemId] = frozenset({SystemId.ICD10PCS, SystemId.HCPCS, SystemId.CPT, SystemId.MSDRG})


@dataclass(frozen=True, slots=True)
class KindWeights:
    """How much a match in each kind of designation counts: the official title above inclusion and index
    terms, above synonyms and abbreviations. Field names are ``DesignationKind`` values."""

    title: float = 1.0
    short_title: float = 0.8
    inclusion_term: float = 0.95
    index_term: float = 0.9
    synonym: float = 0.85
    abbreviation: float = 0.85

    def of(self, kind: DesignationKind) -> float:
        return float(getattr(self, kind.value))


@dataclass(frozen=True, slots=True)
class SystemWeights:
    """With no system filter, the code sets in force in the US come first; the international (WHO) and the
    retired (ICD-9-CM) ones follow when their words match as well. Field names are ``SystemId`` values."""

    icd10cm: float = 1.0
    icd10pcs: float = 1.0
    hcpcs: float = 1.0
    cpt: float = 1.0
    msdrg: float = 0.8  # a payment group's title ("CHEST PAIN") is no code one assigns from words
    icd11: float = 0.75
    icd10: float = 0.75
    icd9cm: float = 0.6

    def of(self, system: SystemId) -> float:
        return float(getattr(self, system.value))


@dataclass(frozen=True, slots=True)
class Priors:
    """What a concept is worth before any word matches, from what the official data says people mean.

    Derived at build time (``search.priors``): a concept gets ``main_term`` when an index names it for one of
    its headings' own words (the Alphabetic Index's code for a main term: "Diabetes" E11.9, "Pneumonia" J18.9),
    and ``index_terms`` x log2(1 + n) / log2(1 + ``index_terms_cap``) (capped at 1) for the ``n`` index
    entries that lead to it; a code whose title says it is the unspecified case gets ``residual``, and the one the
    3-character category itself defaults to (C74.90, not the C74.10 whose "unspecified" is of its side) gets
    ``category_default`` besides.
    A prior multiplies the concept's worth by (1 + its share): it orders codes whose words match alike.
    The residual prior stands for what a query leaves unsaid: a query that says "other", "specified" or
    "unspecified" itself is read without it (``Ranking.said_residual``), so that its words choose between the
    "other" and the "unspecified" code ("Other and unspecified speech disturbances": R47.89 and R47.9 alike).
    A code of a chapter kept for one population (pregnancy, the perinatal period, congenital malformations) is
    worth ``population`` of itself where the query says nothing of that population; a query that does (a word
    that such chapters' titles hold and others hardly do: ``LexicalIndex.population_terms``) reads it in full
    (``Ranking.said_population``). A code of the chapter of circumstances (status, encounter, history: the Z codes)
    is worth ``circumstance`` of itself the same way, where the query says no word of that chapter's
    (``LexicalIndex.circumstance_terms``; ``Ranking.said_circumstance``).
    """

    main_term: float = 0.1
    index_terms: float = 0.1
    index_terms_cap: int = 64
    residual: float = 0.1
    category_default: float = 0.1  # read and left out with ``residual`` (``Ranking.said_residual``)
    # A query of more words than this names its case in words: the residual prior stays out of it (a title
    # typed out, "Car occupant injured in collision with pedestrian: passenger", is no "unspecified" query).
    residual_words: int = 6
    population: float = 0.9
    extension: float = 0.15  # an ICD-11 extension code (never reported alone), besides ``Ranking.header``
    circumstance: float = 0.9

    def factor(
        self,
        main_term: npt.ArrayLike,
        index_terms: npt.ArrayLike,
        residual: npt.ArrayLike,
        category_default: npt.ArrayLike = 0,
        population: npt.ArrayLike = 0,
        *,
        extension: npt.ArrayLike = 0,
        circumstance: npt.ArrayLike = 0,
    ) -> F32:
        """The worth factor of concepts with these marks (1 = no prior); ``index_terms`` are counts."""
        count = np.asarray(index_terms, dtype=np.float32)
        share: F32 = np.minimum(np.log2(1.0 + count) / np.float32(np.log2(1.0 + self.index_terms_cap)), 1.0)
        marks: F32 = self.main_term * np.asarray(main_term, dtype=np.float32)
        marks = marks + self.residual * np.asarray(residual, dtype=np.float32)
        marks = marks + self.category_default * np.asarray(category_default, dtype=np.float32)
        kept = np.where(np.asarray(extension) > 0, np.float32(self.extension), np.float32(1.0))
        kept = kept * self.chapters(population, circumstance)
        return ((1.0 + marks + self.index_terms * share) * kept).astype(np.float32)

    def chapters(self, population: npt.ArrayLike, circumstance: npt.ArrayLike) -> F32:
        """The factor of concepts of a chapter kept for one population, or of circumstances (1 = neither); read in
        full where the query says that chapter's words (``Ranking.said_population``, ``said_circumstance``)."""
        kept = np.where(np.asarray(population) > 0, np.float32(self.population), np.float32(1.0))
        return (kept * np.where(np.asarray(circumstance) > 0, np.float32(self.circumstance), np.float32(1.0))).astype(
            np.float32
        )


@dataclass(frozen=True, slots=True)
class Narrowing:
    """A header among the first hits gives way to the billable code below it that the words point to."""

    headers: int = 14  # headers among the first this many word hits (a page of 10 and its spares) are followed down
    clear_lead: float = 1.02  # children scoring within this factor of the best child tie for first
    depth: int = 5  # levels below a category: at most 4 more characters
    # A header that gives way to a billable code scores this much more, a share of what being a header cost it
    # (``Ranking.header``): the code below a header whose inclusion term the query names ("Genu valgum" at
    # M21.06 for M21.069) is one to report, and comes before a billable code the words match less well.
    gives_way: float = 1.15


@dataclass(frozen=True, slots=True)
class Fusion:
    """Word and meaning matches fused by reciprocal rank, when the words found too little."""

    rrf_k: int = 60
    # Below this cosine a title is no nearer the query than unrelated titles are ("diabetes" and the nearest
    # title in the circulatory chapter: 0.47); "appendectomy" and "Resection of Appendix, Endoscopic": 0.56.
    min_cosine: float = 0.5
    # The word matches' first places are kept as they are; the best of both lists follow. Two, not five: a lay or
    # procedure name's word matches are often right at the top and wrong below it, where the meaning matches
    # help (procedure categories R@3 0.71 -> 0.82, diagnosis categories 0.84 -> 0.89; docs/search.md).
    keep_lexical: int = 2
    depth: int = 50  # each list is read this deep
    # A name's bracketed restatement ("bone spur (exostosis)") is the clinical term for it: its word matches count
    # this many times the name's and the whole text's in the fused list. An initialism of the name ("deep vein
    # thrombosis (dvt)") says nothing more and counts once.
    restated: float = 2.0
    # Queries of at most this many words are fused even when the words found enough (lay names share few words
    # with titles, and a short query is cheap to encode); 0: only when the words found too little.
    short_query: int = 0


@dataclass(frozen=True, slots=True)
class Limits:
    """How much work a query may do: these bound cost, and change the ranking only at the margins."""

    candidate_postings: int = 60_000  # beyond this many postings one word is too broad to gather in full
    # At most this many candidates are scored word by word: more are first narrowed to those holding the query's
    # other words, then the first this many scored (6,000 before 2026-12-06; 3,000, scored before narrowing, until
    # 2026-12-07: docs/search.md).
    gather: int = 1_000
    pool: int = 3_000  # without every word, this many designations (best by their postings) are scored
    narrower: int = 12_000  # a header with more designations below it is not looked into
    spare: int = 4  # word hits read beyond the page (headers go after the page's other hits)
    # Where fewer distinct codes than this match every word, codes matching only some words join them.
    enough: int = 14
    rank_keep: int = 40  # the best ``rank_keep`` x page designations (at least ``rank_keep_min``) are ranked
    rank_keep_min: int = 400
    # A word held by fewer postings than this also gathers the designations of the other words sharing its stem,
    # where those hold at most ``stem_postings`` ("disoriented": the titles that say "disorientation").
    rare_word: int = 100
    stem_postings: int = 5_000


@dataclass(frozen=True, slots=True)
class Typos:
    """A word the vocabulary does not know is replaced by its nearest known word."""

    min_length: int = 4  # shorter words are not corrected
    short: int = 5  # words up to this long allow one edit, longer ones two
    # A word nothing is near may be a known word with a part added before it, of at least this many letters
    part_letters: int = 6
    part_share: float = 0.6  # and this share of the word,
    part_dropped: int = 2  # or a known word with at most this many first letters left off
    # A word at most this many designations hold ("hart", "brest": an eponym, an ICD-9-CM short title) is also read
    # as a word one edit away that at least ``commoner`` times as many hold and the query's other words are said with.
    rare_known: int = 5
    commoner: float = 100.0
    # A word one edit from its correction, the longer of the two this long, is a slip of the keys: taken though the
    # correction matches none of the query's other words ("sponioblastoma multiforme"); a shorter one may be a real
    # word the data lacks ("tarry stool" is not "tardy", "cramping" not "camping").
    sure_letters: int = 9
    # A word of this many letters that nothing the build read writes (``typos.save``), one edit from its correction,
    # is a slip too ("sarcowma").
    slip_letters: int = 6


@dataclass(frozen=True, slots=True)
class Initialisms:
    """A short word no list carries, read as the name of a condition whose initials it spells ("ivh":
    intraventricular hemorrhage). Build time (``search.initialisms``): the keys and their names are written
    into the store; only ``phrases`` is read when the engine loads them."""

    min_letters: int = 3  # two letters stand for too many names (the curated lists hold those)
    max_letters: int = 6
    # A compound word gives the initials of its parts too: a leading part of at least ``part`` letters before
    # a known word of at least ``tail`` letters ("intra|ventricular", "gun|shot", "supra|ventricular").
    part: int = 3
    tail: int = 4
    phrases: int = 3  # the names kept for one key, those most codes and sources give first


@dataclass(frozen=True, slots=True)
class ShortForms:
    """The code sets' own abbreviations, read off their short titles ("malig": malignant). Build time
    (``search.short_forms``): the pairs are written into the store."""

    # Two letters are too few to say which word they are of ("gn": generator in the short titles, the
    # glomerulonephritis of "GN" elsewhere).
    min_letters: int = 3
    min_titles: int = 3  # a short form and its word lined up on at least this many titles
    min_share: float = 0.05  # a sense of at least this share of the short form's pairs
    senses: int = 3  # the words kept for one short form, most often seen first
    # A short form that is a word of the full names too is kept where short titles use it this many times as
    # often as full names hold it ("mal": 269 short titles, 29 names; "low": a word of its own).
    word_ratio: float = 8.0


@dataclass(frozen=True, slots=True)
class Bm25:
    """Term-frequency saturation and length normalisation (build time: written into the index)."""

    k1: float = 1.2
    b: float = 0.75
    # A name (not a title) that a source gives to n codes of one system at once says less of each but the first:
    # the others' weights are multiplied by n ** -spread ("Total hip replacement", which the GEM gives 30
    # ICD-10-PCS codes: the first stands for them, the rest make room for other answers).
    spread: float = 0.2
    # A word a diagnosis index entry holds only in its subterms, not in its main term ("hysterectomy" in
    # "Status, hysterectomy"), counts this much: the entry is about its main term (the status), and the subterm
    # only qualifies it, so a name that is about the word itself ("Hysterectomy, supracervical") comes first.
    subterm: float = 0.8
    # Whether a word a classification's name says again counts again (BM25's term frequency). It does not: a title
    # repeats words to list alternatives ("Hypertensive chronic kidney disease with stage 1 through stage 4 chronic
    # kidney disease, or unspecified chronic kidney disease"), and counted, they outweighed the code the words name
    # (`chronic kidney disease stage 4`: I12.9 before N18.4). The listing systems' descriptors (HCPCS, ICD-10-PCS)
    # count their words as often as they say them: a supply's says its subject again as prose does.
    repeats: bool = False

    def spread_factor(self, codes: npt.ArrayLike) -> F32:
        """The weight factor of a name given to ``codes`` codes."""
        return np.power(np.maximum(np.asarray(codes, dtype=np.float32), 1.0), np.float32(-self.spread))


@dataclass(frozen=True, slots=True)
class Ranking:
    """The engine's weights (see the module docstring for how they combine)."""

    kinds: KindWeights = field(default_factory=KindWeights)
    systems: SystemWeights = field(default_factory=SystemWeights)
    header: float = 0.7  # a header (no code one reports) counts this much of a billable code
    listing_header: float = 0.3  # a header of a system whose headers list alternatives (a PCS table)
    exact_bonus: float = 1.25  # a designation holding nothing but the query's words
    coverage_power: float = 2.0  # the share of the query's idf a designation matches, to this power
    stem: float = 0.5  # a word sharing the typed word's stem ("tuberculous" ~ "tuberculosis")
    # A completion of the partly typed last word counts completion_floor + completion_span x the share typed.
    completion_floor: float = 0.55
    completion_span: float = 0.35
    completion_length: float = 0.15  # autocomplete: a phrase counts less by this for each word beyond those typed
    # Autocomplete: a phrase that starts more of the data's phrases is more often what is being typed ("pneumonia",
    # which starts 164, before "pneumohydropericardium", one): its worth times (1 + ln n) ** completion_spread.
    completion_spread: float = 1.0
    alternative: float = 0.9  # what a typed word stands for (abbreviation, lay term), next to the word itself
    short_form: int = 5  # a query of one word this short that stands for something means that first ("copd")
    cut_short: int = 3  # a word no designation holds, at least this long, may be the start of one ("malig")
    # The last word, at least this long, is also read as the start of a longer word when it is an abbreviation
    # ("type 2 dia"); shorter ones ("mi") start too many words to mean any of them.
    typed_past_abbreviation: int = 3
    later_alternative: float = 0.95  # each later alternative, of the one before (likeliest first)
    negated: float = 0.3  # a word in a "without" clause says what the code is not: it confirms, names little
    function_word: float = 0.2  # "of", "for": joining words
    residual_word: float = 0.5  # "other", "unspecified", "part": a residual category, not a thing
    qualifier: float = 0.25  # "not elsewhere classified", "NOS": conventions, not content
    # A word of a name's tail, after its head ("wheelchair" in "Dependence on wheelchair", "walker" in "Seat
    # attachment, walker"), counts this much where the query matches nothing of the head: the name is about its
    # head, and `wheelchair` names a wheelchair (K0001 Standard wheelchair) before a dependence on one.
    tail: float = 0.85
    # A name whose head noun (``text.head_noun``: the last word before its first comma or joining word) the query
    # does not say, in any form, counts this much: the query's words only qualify what it names (`crutches` in
    # "Crutch paralysis", a paralysis; `insulin pump` in "Presence of insulin pump", a presence; docs/search.md).
    unheaded: float = 0.7
    # A query "<word> of <words>" names its first word's thing ("history of deep vein thrombosis": a history, Z86.718,
    # not the thrombosis): where no name says every word, that word weighs this many times its own (``lexical``).
    of_head: float = 1.5
    priors: Priors = field(default_factory=Priors)
    narrowing: Narrowing = field(default_factory=Narrowing)
    fusion: Fusion = field(default_factory=Fusion)
    limits: Limits = field(default_factory=Limits)
    typos: Typos = field(default_factory=Typos)
    initialisms: Initialisms = field(default_factory=Initialisms)
    short_forms: ShortForms = field(default_factory=ShortForms)
    bm25: Bm25 = field(default_factory=Bm25)

    # ------------------------------------------------------------ the arithmetic, one place each
    def coverage(self, share: npt.ArrayLike) -> F32:
        """The factor for matching ``share`` of the query's idf."""
        return np.power(np.asarray(share, dtype=np.float32), np.float32(self.coverage_power))

    def completion(self, typed_share: npt.ArrayLike) -> F32:
        """The match factor of a word the partly typed word completes, ``typed_share`` of it typed."""
        share = np.minimum(np.asarray(typed_share, dtype=np.float32), np.float32(1.0))
        return (self.completion_floor + self.completion_span * share).astype(np.float32)

    def alternative_factor(self, number: int, literal: bool) -> float:
        """The factor of a group's ``number``-th alternative (0: the first); ``literal`` when the first is
        the words as typed, which count in full."""
        if literal and number == 0:
            return 1.0
        factor = self.alternative if literal else 1.0
        later = number - 1 if literal else number
        return factor * self.later_alternative**later if later > 0 else factor

    def concept_worth(self, system: SystemId, billable: bool, prior: float = 1.0) -> float:
        """What a concept is worth before any word matches."""
        header = self.listing_header if system in LISTING_SYSTEMS else self.header
        return self.systems.of(system) * (1.0 if billable else header) * prior

    def designation_worth(self, kind: DesignationKind, system: SystemId, billable: bool, exact: bool) -> float:
        """A designation's factor: its kind, its concept's worth, the exact bonus."""
        return self.kinds.of(kind) * self.concept_worth(system, billable) * (self.exact_bonus if exact else 1.0)

    def said_residual(self) -> Ranking:
        """The weights for a query that names the residual case itself: no residual prior."""
        if not self.priors.residual and not self.priors.category_default:
            return self
        return dataclasses.replace(self, priors=dataclasses.replace(self.priors, residual=0.0, category_default=0.0))

    def said_population(self) -> Ranking:
        """The weights for a query that names a population a chapter is kept for: its codes in full."""
        if self.priors.population == 1.0:
            return self
        return dataclasses.replace(self, priors=dataclasses.replace(self.priors, population=1.0))

    def said_circumstance(self) -> Ranking:
        """The weights for a query that names a circumstance (a status, an encounter): that chapter's codes in full."""
        if self.priors.circumstance == 1.0:
            return self
        return dataclasses.replace(self, priors=dataclasses.replace(self.priors, circumstance=1.0))

    # ------------------------------------------------------------ changing it by name (the tuning script)
    def replace(self, changes: Mapping[str, float]) -> Ranking:
        """A copy with fields changed by dotted name: ``{"systems.icd9cm": 0.5, "exact_bonus": 1.3}``."""
        nested: dict[str, dict[str, float]] = {}
        flat: dict[str, object] = {}
        for name, value in changes.items():
            head, _, rest = name.partition(".")
            if head not in _FIELDS:
                raise KeyError(f"no ranking field {name!r}")
            if rest:
                nested.setdefault(head, {})[rest] = value
            else:
                flat[head] = _typed(self, head, value)
        for head, values in nested.items():
            part = getattr(self, head)
            unknown = [n for n in values if n not in {f.name for f in dataclasses.fields(part)}]
            if unknown:
                raise KeyError(f"no ranking field {head}.{unknown[0]}")
            flat[head] = dataclasses.replace(part, **{n: _typed(part, n, v) for n, v in values.items()})
        return dataclasses.replace(self, **flat)  # type: ignore[arg-type]

    def values(self) -> Iterator[tuple[str, float]]:
        """Every number by dotted name, as ``replace`` takes them."""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if dataclasses.is_dataclass(value):
                for inner in dataclasses.fields(value):
                    yield f"{f.name}.{inner.name}", getattr(value, inner.name)
            else:
                yield f.name, value


_FIELDS = frozenset(f.name for f in dataclasses.fields(Ranking))


def _typed(holder: object, name: str, value: float) -> float:
    """``value`` as the field's type (an int field stays an int, a switch a bool)."""
    current = getattr(holder, name)
    if isinstance(current, bool):
        return bool(value)
    return int(value) if isinstance(current, int) else float(value)


DEFAULT = Ranking()
