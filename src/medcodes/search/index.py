"""The lexical index: every designation's words, as flat numpy arrays kept in the database.

Why a precomputed structure rather than FTS5 ranking: ICD-10-PCS titles repeat the same words tens of
thousands of times ("Approach", "Open", "Right"), and FTS5's ``ORDER BY rank`` scores every row a common
word matches (30-60 ms at p99 here). This index is built once at build time and loaded with zero parsing:

- ``vocabulary``: every distinct normalised word, sorted, so that the words starting with a prefix are
  one contiguous range of term ids (found by bisection).
- postings (term -> designations, CSR): ``term_ptr``, ``post_doc``, ``post_weight``. Used to gather
  candidates, and to score a one-word query without looking at the designations' other words.
- forward (designation -> its terms and their weights, CSR): ``doc_ptr``, ``doc_term``, ``doc_weight``.
  Candidates are scored by looking at their own few words, so a common query word costs nothing more.
- per designation: ``doc_concept`` (concept id), ``doc_kind``, ``doc_len``, ``doc_id`` (designation id),
  ``doc_head`` (the term number of its head noun, ``text.head_noun``; -1 for none).
- per concept (indexed by concept id): ``concept_system``, ``concept_billable``, ``concept_family``, and its
  priors (``concept_marks``, ``concept_index_terms``: ``search.priors``).

Weights are BM25's term-frequency saturation with length normalisation (``Ranking.bm25``: k1 = 1.2, b = 0.75),
without the idf, which is computed from the postings at load time. A weight's sign says whether the word is
in the name's tail (negative: after its head, ``text.head_words``), which the engine reads (``Ranking.tail``).
The database keeps them as float32, rounded to float16 at build; a loaded (or built) index holds the postings'
weights as float16 and the forward pointers as int32 (``_HELD``): 15 MB less in every server worker, the same top
hit for every development query and the same scores on every set. The forward weights are held as float32 (of
the same float16 values): every scoring call gathers thousands of them, and converting float16 there cost a
sixth of autocomplete's time (10 MB more, measured).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import chain

import numpy as np
import numpy.typing as npt

from medcodes.errors import DatabaseDamaged
from medcodes.models import TABLE_COLUMN, DesignationKind
from medcodes.search import priors
from medcodes.search.abbreviations import RESIDUAL_WORDS
from medcodes.search.priors import Marks
from medcodes.search.ranking import DEFAULT, LISTING_SYSTEMS, Ranking
from medcodes.search.text import (
    NOT_HEADS,
    distinct_length,
    head_noun,
    head_words,
    index_words,
    may_have_head,
    tokens,
    word_form,
)
from medcodes.sources.spelled_out import spells
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

INDEX_VERSION = "lexical-9"

SYSTEMS: tuple[SystemId, ...] = tuple(SystemId)
KINDS: tuple[DesignationKind, ...] = tuple(DesignationKind)
# A word says a population a chapter is kept for (or a circumstance) where this many titles of such chapters' codes
# hold it, and this share of the titles holding it are theirs (``LexicalIndex.population_terms``).
_POPULATION_TITLES = 5
_POPULATION_SHARE = 0.7
# Rankings whose worth arrays are kept (``LexicalIndex._worth``): an engine reads queries with two (the residual
# said or not; the chapters' factors apply per designation), a tuning run with a few in turn.
_WORTHS_KEPT = 4

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F16 = npt.NDArray[np.float16]
F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]
U16 = npt.NDArray[np.uint16]
BOOL = npt.NDArray[np.bool_]

_ARRAYS: dict[str, type[np.generic]] = {
    "term_ptr": np.int64,
    "post_doc": np.int32,
    "post_weight": np.float32,
    "doc_ptr": np.int64,
    "doc_term": np.int32,
    "doc_weight": np.float32,
    "doc_concept": np.int32,
    "doc_kind": np.uint8,
    "doc_len": np.uint8,
    "doc_id": np.int32,
    "doc_head": np.int32,
    "concept_system": np.uint8,
    "concept_billable": np.uint8,
    "concept_family": np.int32,
    "concept_marks": np.uint8,
    "concept_index_terms": np.uint16,
}
# Coding conventions, not content: the words a designation holds of "NOS", "not elsewhere classified" and "not
# otherwise specified" (their clause words are marked, ``text.negated``) do not count against the exact bonus
# (``LexicalIndex.doc_said``). "NEC" does: in an index entry ("Carcinoid syndrome NEC") it points to the "other"
# code, which the bare words do not mean (counted, E34.09 came before E34.00 for `carcinoid syndrome`).
_CONVENTION_CLAUSES = ("~elsewhere", "~otherwise")
_CONVENTION_WORDS = ("nos", "~classified", *_CONVENTION_CLAUSES)
# The systems whose codes name a side with no unspecified one, and the words of a side (``LexicalIndex.doc_said``).
_SIDED_SYSTEMS = (SystemId.ICD10PCS,)
_SIDES = ("right", "left", "bilateral")
# Letters a form of an index entry's main term shares with it ("stenosis", "stenotic"): ``main_term_forms``.
_FORM_PREFIX = 5
# Written by builds since 2026-12-07; a database built before has none (``LexicalIndex.enclosed_entries``).
_ENCLOSED_ENTRIES = "enclosed_entries"
# Arrays held narrower in memory than the database stores them (the file's layout stays as it was).
_HELD: dict[str, type[np.generic]] = {"post_weight": np.float16, "doc_weight": np.float32, "doc_ptr": np.int32}


@lru_cache(maxsize=_WORTHS_KEPT * 4)
def _chapter_factors(ranking: Ranking) -> F32:
    """The factors of no kept chapter, a population's and the circumstances' (``LexicalIndex.doc_chapter``)."""
    return ranking.priors.chapters([0, 1, 0], [0, 0, 1])


@lru_cache(maxsize=_WORTHS_KEPT * 4)
def _chapters_in_full(ranking: Ranking) -> Ranking:
    """The ranking with the chapters kept for a population or for circumstances read in full: the key of its
    worth arrays (``LexicalIndex._worth``)."""
    return ranking.said_population().said_circumstance()


@dataclass(frozen=True)  # not slotted: the derived arrays below are cached on the instance
class LexicalIndex:
    vocabulary: tuple[str, ...]
    term_ptr: I64
    post_doc: I32
    post_weight: F16
    doc_ptr: I32
    doc_term: I32
    doc_weight: F32
    doc_concept: I32
    doc_kind: U8
    doc_len: U8
    doc_id: I32
    # The term number of each designation's head noun (``text.head_noun``), -1 where it has none.
    doc_head: I32
    concept_system: U8
    concept_billable: U8
    # The family of siblings differing only in their 7th character (ICD-10-CM): -1 - the parent's id for
    # such a code, the concept's own id otherwise. Ranking shows one of each family first.
    concept_family: I32
    # What the official data says about a concept before any word matches (``search.priors``): its marks
    # (main term, residual) and how many index entries lead to it.
    concept_marks: U8
    concept_index_terms: U16
    # The forward entries (positions in ``doc_term``) of the words a tabular name says only between parentheses or
    # brackets (``enclosed``), sorted: the exact bonus does not wait for them (``LexicalIndex.doc_enclosed``). A
    # database built before them has none.
    enclosed_entries: I32 = field(default_factory=lambda: np.empty(0, dtype=np.int32))

    def check(self) -> None:
        """ValueError unless the arrays fit together: pointers as long as what they point into."""
        sizes = {
            "term_ptr": (len(self.term_ptr), len(self.vocabulary) + 1),
            "postings": (int(self.term_ptr[-1]) if len(self.term_ptr) else 0, len(self.post_doc)),
            "post_weight": (len(self.post_weight), len(self.post_doc)),
            "doc_ptr": (len(self.doc_ptr), len(self.doc_id) + 1),
            "forward": (int(self.doc_ptr[-1]) if len(self.doc_ptr) else 0, len(self.doc_term)),
            "doc_weight": (len(self.doc_weight), len(self.doc_term)),
            "designations": (len(self.doc_concept), len(self.doc_id)),
            "doc_head": (len(self.doc_head), len(self.doc_id)),
            "concepts": (len(self.concept_billable), len(self.concept_system)),
        }
        wrong = [f"{name} {have:,} != {want:,}" for name, (have, want) in sizes.items() if have != want]
        aside = self.enclosed_entries
        if len(aside) and (int(aside.min()) < 0 or int(aside.max()) >= len(self.doc_term)):
            wrong.append("enclosed_entries outside the forward entries")
        if wrong:
            raise ValueError("; ".join(wrong))

    def __post_init__(self) -> None:
        # However made (built, loaded, or by a test), an index holds its arrays as ``_HELD`` says.
        for name, dtype in _HELD.items():
            object.__setattr__(self, name, getattr(self, name).astype(dtype, copy=False))

    @cached_property
    def term_ids(self) -> dict[str, int]:
        return {term: i for i, term in enumerate(self.vocabulary)}

    @cached_property
    def df(self) -> I64:
        return np.diff(self.term_ptr)

    @cached_property
    def idf(self) -> F32:
        n = len(self.doc_id)
        df = self.df.astype(np.float64)
        return np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)

    @cached_property
    def term_len(self) -> U8:
        return np.fromiter((min(len(t), 255) for t in self.vocabulary), dtype=np.uint8, count=len(self.vocabulary))

    def concept_worth(self, ranking: Ranking) -> F32:
        """What each concept is worth before any word matches: its system's weight, less for headers, times its
        priors, the chapters kept for a population or for circumstances read in full (``doc_worth`` applies
        their factors)."""
        return self._worth(ranking)[0]

    def doc_worth(self, ranking: Ranking, docs: I32) -> F32:
        """What each of ``docs`` (designations) is worth before any word matches: its kind's weight times its
        concept's, times the factor of its concept's chapter where the ranking does not read it in full. The arrays
        are kept per ranking with the chapters in full, so that the rankings a query picks by the chapters' words
        it says (``Ranking.said_population``, ``said_circumstance``) share them."""
        worth = self._worth(ranking)[1][docs]
        chapter = self.doc_chapter[docs]
        if chapter.any():
            worth *= _chapter_factors(ranking)[chapter]
        return worth

    @cached_property
    def doc_chapter(self) -> U8:
        """Per designation, its concept's kept chapter: 0 none, 1 a population's, 2 the circumstances' (the index
        of ``_chapter_factors``)."""
        marks = self.concept_marks[self.doc_concept]
        chapter = ((marks & priors.POPULATION) > 0).astype(np.uint8)
        chapter[(marks & priors.CIRCUMSTANCE) > 0] = 2
        return chapter

    def _worth(self, ranking: Ranking) -> tuple[F32, F32]:
        ranking = _chapters_in_full(ranking)  # the chapters' factors apply per designation (``doc_worth``)
        found = self._worth_by_ranking.get(ranking)
        if found is None:
            billable = np.array([ranking.concept_worth(s, billable=True) for s in SYSTEMS], dtype=np.float32)
            header = np.array([ranking.concept_worth(s, billable=False) for s in SYSTEMS], dtype=np.float32)
            concept = np.where(
                self.concept_billable > 0, billable[self.concept_system], header[self.concept_system]
            ).astype(np.float32)
            marks = Marks(self.concept_marks, self.concept_index_terms)
            concept *= ranking.priors.factor(
                marks.main_term(),
                marks.index_terms,
                marks.residual(),
                marks.category_default(),
                marks.population(),
                extension=marks.extension(),
                circumstance=marks.circumstance(),
            )
            kind = np.array([ranking.kinds.of(k) for k in KINDS], dtype=np.float32)[self.doc_kind]
            found = (concept, (kind * concept[self.doc_concept]).astype(np.float32))
            if len(self._worth_by_ranking) >= _WORTHS_KEPT:  # an engine's two, and a tuning run's next
                self._worth_by_ranking.clear()
            self._worth_by_ranking[ranking] = found
        return found

    @cached_property
    def doc_said(self) -> U8:
        """Per designation, how many words it says for the exact bonus: its length less the coding conventions
        it holds ("NOS", "not elsewhere classified"), which say nothing of the condition: "Pleural effusion NOS"
        says all that `pleural effusion` says and no more."""
        # The clause's "not" counts once with it ("not elsewhere classified"), marked as its words are not.
        conventions = self._held(_CONVENTION_WORDS) + (self._held(_CONVENTION_CLAUSES) > 0)
        # An ICD-10-PCS body part's side: the tables have no unspecified side, so a procedure named without one
        # ("kidney transplant") says all that "Transplantation, Kidney, Right" says (``_SIDED_SYSTEMS``).
        sided = np.isin(self.concept_system[self.doc_concept], [SYSTEMS.index(s) for s in _SIDED_SYSTEMS])
        conventions = conventions + np.where(sided, self._held(_SIDES), 0)
        return (self.doc_len.astype(np.int32) - conventions).clip(min=1).astype(np.uint8)

    @cached_property
    def doc_enclosed(self) -> U8:
        """Per designation, how many of its words it says only between parentheses or brackets (``enclosed``)."""
        if not len(self.enclosed_entries):
            return np.zeros(len(self.doc_id), dtype=np.uint8)
        owner = np.searchsorted(self.doc_ptr, self.enclosed_entries, side="right") - 1
        return np.minimum(np.bincount(owner, minlength=len(self.doc_id)), 255).astype(np.uint8)

    def is_enclosed(self, entries: I32) -> BOOL:
        """For each forward entry, whether its word is one its name says only between parentheses or brackets."""
        aside = self.enclosed_entries
        if not len(aside):
            return np.zeros(len(entries), dtype=np.bool_)
        at = np.minimum(np.searchsorted(aside, entries), len(aside) - 1)
        found: BOOL = aside[at] == entries
        return found

    def _held(self, words: Sequence[str]) -> I32:
        """Per designation, how many of ``words`` it holds."""
        of_term = np.zeros(len(self.vocabulary), dtype=np.bool_)
        of_term[[t for t in (self.term(w) for w in words) if t is not None]] = True
        counts = np.zeros(len(self.doc_term) + 1, dtype=np.int32)
        np.cumsum(of_term[self.doc_term], out=counts[1:])
        return counts[self.doc_ptr[1:]] - counts[self.doc_ptr[:-1]]

    @cached_property
    def family_leader(self) -> I32:
        """Per concept id, the first member of its family of 7th-character siblings (the initial encounter, in the
        official order): -1 for a concept in no such family."""
        leader = np.full(len(self.concept_family), -1, dtype=np.int32)
        members = np.flatnonzero(self.concept_family < 0)
        if len(members):
            parents = -1 - self.concept_family[members]
            _, first = np.unique(parents, return_index=True)
            by_parent = np.full(int(parents.max()) + 1, -1, dtype=np.int32)
            by_parent[parents[first]] = members[first]
            leader[members] = by_parent[parents]
        return leader

    @cached_property
    def population_terms(self) -> BOOL:
        """Per term, whether it says a population a chapter is kept for (``priors.POPULATION``): of the titles that
        hold it in the systems that keep such chapters, at least ``_POPULATION_TITLES`` are of those chapters'
        codes, and ``_POPULATION_SHARE`` of them ("pregnancy", "newborn", "congenital", "trimester", "fetus").
        Derived at load."""
        marked = (self.concept_marks & priors.POPULATION) > 0
        # Only the titles of systems that keep such chapters: ICD-9-CM's, which this build does not divide into
        # chapters, and ICD-10-PCS's ("delivery") would say the words are anyone's.
        return self._chapter_terms(marked, np.unique(self.concept_system[marked]))

    @cached_property
    def circumstance_terms(self) -> BOOL:
        """Per term, whether it says a circumstance of the chapter of factors influencing health status
        (``priors.CIRCUMSTANCE``), as ``population_terms`` tells ("screening", "aftercare", "history"), counting the
        titles of every system but ICD-9-CM, whose V codes are that chapter undivided: a procedure's name that the
        chapter's titles give as a status ("angioplasty") is said by the procedures' titles too. Derived at load."""
        marked = (self.concept_marks & priors.CIRCUMSTANCE) > 0
        others = [SYSTEMS.index(s) for s in SYSTEMS if s is not SystemId.ICD9CM]
        return self._chapter_terms(marked, np.array(others, dtype=self.concept_system.dtype))

    def _chapter_terms(self, marked: BOOL, systems: npt.ArrayLike) -> BOOL:
        """Per term, whether the titles of the ``marked`` concepts say it, of those of concepts of ``systems``
        (``population_terms``)."""
        title = (self.doc_kind == KINDS.index(DesignationKind.TITLE)) & np.isin(
            self.concept_system[self.doc_concept], systems
        )
        # Per forward entry (a word of a designation): whether its designation is such a title, and of a marked code.
        of_title = np.repeat(title, np.diff(self.doc_ptr))
        of_kept = np.repeat(title & marked[self.doc_concept], np.diff(self.doc_ptr))
        size = len(self.vocabulary)
        held = np.bincount(self.doc_term[of_title], minlength=size)
        in_kept = np.bincount(self.doc_term[of_kept], minlength=size)
        return (in_kept >= _POPULATION_TITLES) & (in_kept >= _POPULATION_SHARE * held)

    @cached_property
    def _worth_by_ranking(self) -> dict[Ranking, tuple[F32, F32]]:
        return {}

    @cached_property
    def system_ranges(self) -> dict[SystemId, tuple[int, int]] | None:
        """Concept ids [first, end) of each system, when each system's ids are one run (as builds make them)."""
        ranges: dict[SystemId, tuple[int, int]] = {}
        changes = np.flatnonzero(np.diff(self.concept_system[1:])) + 2
        starts = np.concatenate([[1], changes])
        ends = np.concatenate([changes, [len(self.concept_system)]])
        for start, end in zip(starts, ends, strict=True):
            system = SYSTEMS[int(self.concept_system[start])]
            if system in ranges:
                return None
            ranges[system] = (int(start), int(end))
        return ranges

    @cached_property
    def concept_docs(self) -> tuple[I64, I32]:
        """(pointer, designations) by concept: the designations of concepts [a, b) are
        ``docs[pointer[a] : pointer[b]]``, and a subtree's concepts are one run of ids."""
        order = np.argsort(self.doc_concept, kind="stable").astype(np.int32)
        pointer = np.zeros(len(self.concept_system) + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.doc_concept, minlength=len(self.concept_system)), out=pointer[1:])
        return pointer, order

    def names_of(self, concept: int) -> npt.NDArray[np.int64]:
        """The designation ids of a concept's names in the index (lent ones included: a header's index entry lent
        to the code it defaults to is a name of both)."""
        pointer, order = self.concept_docs
        return np.asarray(self.doc_id[order[pointer[concept] : pointer[concept + 1]]], dtype=np.int64)

    @cached_property
    def _filters(self) -> dict[tuple[tuple[SystemId, ...], bool], npt.NDArray[np.bool_]]:
        return {}

    def concept_filter(self, systems: tuple[SystemId, ...], billable_only: bool) -> npt.NDArray[np.bool_] | None:
        """Which concepts pass a query's filters (None: all); computed once per distinct filter."""
        if not systems and not billable_only:
            return None
        key = (systems, billable_only)
        found = self._filters.get(key)
        if found is None:
            keep = np.ones(len(self.concept_system), dtype=np.bool_)
            if systems:
                wanted = np.array([SYSTEMS.index(s) for s in systems], dtype=np.uint8)
                keep &= np.isin(self.concept_system, wanted)
            if billable_only:
                keep &= self.concept_billable > 0
            if len(self._filters) < 64:  # the distinct filters people use are few
                self._filters[key] = keep
            found = keep
        return found

    def term(self, word: str) -> int | None:
        return self.term_ids.get(word)

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Term ids [lo, hi) of every word that starts with ``prefix``."""
        lo = bisect.bisect_left(self.vocabulary, prefix)
        hi = bisect.bisect_left(self.vocabulary, prefix + "\uffff", lo)
        return lo, hi

    def postings(self, lo: int, hi: int) -> I32:
        """Designations holding any term in [lo, hi), sorted, without repeats."""
        docs = self.post_doc[self.term_ptr[lo] : self.term_ptr[hi]]
        return docs if hi - lo <= 1 else distinct(docs, len(self.doc_id))

    def held_with(self, terms: Sequence[int], others: Sequence[int]) -> list[int]:
        """For each of ``terms``, how many designations hold it and one of ``others`` (term ids)."""
        with_others = np.zeros(len(self.doc_id), dtype=np.bool_)
        for t in others:
            with_others[self.postings(t, t + 1)] = True
        return [int(with_others[self.postings(t, t + 1)].sum()) for t in terms]

    def posting_count(self, lo: int, hi: int) -> int:
        return int(self.term_ptr[hi] - self.term_ptr[lo])


def distinct(values: I32, size: int) -> I32:
    """The distinct values (each < ``size``), sorted. A mark per possible value is cheaper than sorting when
    there are more than a few thousand values."""
    if len(values) < 4096:
        return np.unique(values)
    marked = np.zeros(size, dtype=np.bool_)
    marked[values] = True
    return np.flatnonzero(marked).astype(np.int32)


# The kinds of name a classification's tabular list prints, whose parentheses and brackets enclose words the code
# is reported with or without (``enclosed``). An index entry's nonessential modifiers are read by the priors.
_TABULAR_KINDS = frozenset({DesignationKind.TITLE, DesignationKind.INCLUSION_TERM})
# The kinds of names a source gives to codes as names of a concept (not the code's own wording).
_NAMES_OF_CATEGORIES = frozenset({DesignationKind.SYNONYM, DesignationKind.ABBREVIATION})


_ENCLOSED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def enclosed(text: str, words: Sequence[str] | None = None) -> frozenset[str]:
    """The words a tabular name says only between parentheses or brackets: the classification's nonessential words
    ("Chronic kidney disease, stage 4 (severe)", "Type 1 diabetes mellitus with diabetic chronic kidney disease")
    and alternative wordings ("[ulcer]"), which a code is reported for whether or not the record says them
    (ICD-10-CM guidelines I.A.7, I.A.8). A form of a word said outside them is no such word. ``words``: the text's
    ``index_words``, where the caller has read them already."""
    if "(" not in text and "[" not in text:
        return frozenset()
    outside = {word_form(w) for w in index_words(_ENCLOSED.sub(" ", text))}
    return frozenset(w for w in (index_words(text) if words is None else words) if word_form(w) not in outside)


def main_term_forms(text: str) -> int:
    """How many more forms of its main term an index entry lists before its subterms, which its length does not
    count: the Alphabetic Index heads an entry with the forms of its word ("Stenosis, stenotic, mitral",
    "Obstruction, obstructed, obstructive, airway"), as the one word. A form starts with the main term's first
    letters (``_FORM_PREFIX``): "Fracture, traumatic, ulna" lists none. Forms the stems already count once
    ("Hypertension, hypertensive") take nothing off."""
    parts = text.split(", ")
    first = parts[0].lower()
    if " " in first or len(first) < _FORM_PREFIX:
        return 0
    more = 0
    for part in parts[1:]:
        word = part.lower()
        if " " in word or not word.startswith(first[:_FORM_PREFIX]):
            break
        more += 1
    return distinct_length(index_words(", ".join(parts[: more + 1]))) - 1 if more else 0


def _flagged(size: int, numbers: list[int], at: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """For each of ``at``, whether it is one of ``numbers`` (each below ``size``)."""
    marks = np.zeros(size, dtype=np.bool_)
    marks[numbers] = True
    return marks[at]


def _among(keys: npt.NDArray[np.int64], wanted: list[int]) -> npt.NDArray[np.bool_]:
    """For each of ``keys`` (sorted, distinct), whether it is one of ``wanted``: ``np.isin`` by binary search, which
    sorts only ``wanted`` (sorted, its searches read ``keys`` in order; ten times faster on the full build)."""
    found = np.zeros(len(keys), dtype=np.bool_)
    if not len(keys) or not wanted:
        return found
    asked = np.sort(np.asarray(wanted, dtype=np.int64))
    at = np.minimum(np.searchsorted(keys, asked), len(keys) - 1)
    found[at[keys[at] == asked]] = True
    return found


def _spelled(name: Sequence[str], holders: Iterable[int], titles: Mapping[int, Sequence[str]]) -> set[int]:
    """Of the codes holding a name of one word, those whose title the name spells as an abbreviation
    (``spelled_out.spells``: "ESRD", End stage renal disease); none for a longer name."""
    if len(name) != 1 or len(name[0]) < 2 or not name[0].isalnum():
        return set()
    return {cid for cid in holders if cid in titles and spells(name[0], " ".join(titles[cid]))}


def build_index(store: SQLiteStore, ranking: Ranking = DEFAULT) -> LexicalIndex:
    """Read every designation from the store and build the index (not yet saved)."""
    concept_rows = list(store.concept_rows())
    max_concept = max((cid for cid, *_ in concept_rows), default=0)
    marks = priors.derive(store, max_concept + 1)
    concept_system = np.zeros(max_concept + 1, dtype=np.uint8)
    concept_billable = np.zeros(max_concept + 1, dtype=np.uint8)
    concept_family = np.arange(max_concept + 1, dtype=np.int32)
    for member, head in store.seventh_character_parents():
        # Siblings share a family of their own, apart from their parent header (which stays itself).
        concept_family[member] = -1 - head
    system_number = {s: i for i, s in enumerate(SYSTEMS)}
    for cid, system, billable, _kind in concept_rows:
        concept_system[cid] = system_number[system]
        concept_billable[cid] = billable
    kind_number = {k: i for i, k in enumerate(KINDS)}
    doc_system = concept_system.tolist()  # read per designation: a list's items are cheaper than an array's

    # (designation id, concept id, kind, words, length for ranking)
    docs: list[tuple[int, int, int, tuple[str, ...], int]] = []
    seen: set[tuple[int, tuple[str, ...]]] = set()
    repeated: dict[tuple[int, tuple[str, ...]], int] = {}  # how many more designations say the same words
    # A title that is its parent's title plus a qualifier ("Torus fracture of lower end of right radius,
    # initial encounter for closed fracture") is as specific as its parent plus one word: its length for
    # ranking counts the qualifier once, so that siblings differing only in it rank by official order.
    parent_titles = store.parent_titles()
    index_terms: dict[tuple[int, str], int] = {}
    # The words of an index entry's main term (before its first comma), by (designation id, words), where the
    # entry has subterms: its other words weigh ``Bm25.subterm`` (see there). Only in a diagnosis index, whose
    # main term names the condition: the ICD-10-PCS index's main term is the root operation ("Replacement,
    # Joint, Hip"), and its body part no mere qualifier.
    main_words: dict[tuple[int, tuple[str, ...]], frozenset[str]] = {}
    # The words of any other name's head, by designation id (``text.head_words``): the name's other words, its
    # tail, are held with a negative weight, which the engine reads (``Ranking.tail``).
    heads: dict[int, frozenset[str]] = {}
    # The last word of each name's head (``text.head_noun``), by designation id: what the name names. A query
    # that says no form of it matches the name as a modifier or a qualifier says it (``Ranking.unheaded``). A
    # table cell names what its column says first (a poisoning, an adverse effect, a malignant neoplasm).
    nouns: dict[int, str] = {}
    # A table cell ("Lithium — Poisoning Accidental (unintentional)") is its row's term said in one of the table's
    # columns: designation id -> the term, and term -> the most words a column heading of its row has.
    table_cells: dict[int, str] = {}
    row_columns: dict[str, int] = {}
    # A text most often repeats on other codes (a title is its short title; 7th-character codes share their
    # entries): its words and its head are read once.
    words_of: dict[str, tuple[tuple[str, ...], int]] = {}
    head_of: dict[str, frozenset[str] | None] = {}
    noun_of: dict[str, str | None] = {}
    # The words a tabular name says only between parentheses or brackets (``enclosed``), by designation id.
    optional: dict[int, frozenset[str]] = {}
    for did, cid, kind, text in store.designation_rows():
        read = words_of.get(text)
        if read is None:
            said_words = index_words(text)
            read = words_of[text] = (tuple(said_words), distinct_length(said_words))
        words, length = read
        key = (cid, words)
        if not words or key in seen:  # the same words on the same concept count once (the first kind wins)
            if words:
                repeated[key] = repeated.get(key, 0) + 1
            continue
        seen.add(key)
        if kind is DesignationKind.INDEX_TERM and "," in text and SYSTEMS[doc_system[cid]] not in LISTING_SYSTEMS:
            main_words[(did, words)] = frozenset(index_words(text.split(",", 1)[0]))
        elif kind is not DesignationKind.INDEX_TERM:
            if text not in head_of:
                head_of[text] = head_words(text) if may_have_head(text, words) else None
            if (said_first := head_of[text]) is not None:
                heads[did] = said_first
        if kind in _TABULAR_KINDS and (said_aside := enclosed(text, words)):
            optional[did] = said_aside
        parent = parent_titles.get(cid)
        if parent and kind is DesignationKind.TITLE and text.startswith(parent + ", "):
            said = len(tokens(parent))
            length = said + 1
            # Nor does the qualifier say its parent's words again: "Pathological fracture, hip, unspecified,
            # initial encounter for fracture" holds "fracture" once, as its parent does.
            words = words[:said] + tuple(word for word in words[said:] if word not in words[:said])
        elif kind is DesignationKind.INDEX_TERM:
            index_terms.setdefault((cid, text), did)
            length -= main_term_forms(text)
            if TABLE_COLUMN in text:
                term, column = text.split(TABLE_COLUMN, 1)
                column_words = index_words(column)
                table_cells[did] = term
                row_columns[term] = max(row_columns.get(term, 0), len(column_words))
                heads[did] = frozenset(column_words)
                if column_words:  # a cell is about its column ("Poisoning Accidental", "Malignant Primary")
                    nouns[did] = column_words[0]
        if did not in nouns:
            # A name with no comma, bracket or joining word is all head: its last word is ``head_noun``'s answer
            # (the same for every name of the full build, read again; a second of build less than reading each).
            if text in noun_of:
                noun = noun_of[text]
            else:
                plain = not may_have_head(text, words) and "(" not in text and "[" not in text
                noun = noun_of[text] = words[-1] if plain and words[-1] not in NOT_HEADS else head_noun(text)
            if noun is not None:
                nouns[did] = noun
        docs.append((did, cid, kind_number[kind], words, length))
        below = marks.defaults.get(cid) if kind is DesignationKind.INDEX_TERM else None
        if below is not None and (below, key[1]) not in seen:
            # An entry that leads to a category to be completed ("Conjunctivitis, acute H10.3-") also names
            # the billable code the category defaults to (H10.30): what the entry's words mean, said no further.
            seen.add((below, key[1]))
            docs.append((did, below, kind_number[kind], words, length))
    # The cells of one row are as long as each other for ranking (the term and the row's longest heading), so that
    # its columns match the term's words alike and its prior decides ("lithium poisoning": the accidental column,
    # whose heading is the longest, not "Assault"); a cell is no shorter, so no stronger, than it was.
    if table_cells:
        row_length = {term: distinct_length(index_words(term)) + most for term, most in row_columns.items()}
        for at, (did, cid, kind_id, words, _length) in enumerate(docs):
            row = table_cells.get(did)
            if row is not None:
                docs[at] = (did, cid, kind_id, words, row_length[row])

    # The nonessential modifiers an index prints beside a term ("Diabetes, diabetic (mellitus) (sugar)",
    # "Infection, urinary (tract)") are words the term may be said with: a term the build gives as a prior is
    # also indexed with them, under its index-term designation, so that "sugar diabetes" and "urinary tract
    # infection" match every word of it. Its length counts them all: a modifier alone ("Hyperosmolality
    # (diabetic)") is no exact match for "diabetes".
    for cid, term, subterm, modifiers in store.prior_names():
        name = term if subterm is None else f"{term}, {subterm}"
        held = index_terms.get((cid, name))
        words = tuple(index_words(f"{name} {modifiers}")) if modifiers else ()
        if held is None or not words or (cid, words) in seen:
            continue
        for holder in (cid, marks.defaults.get(cid)):
            if holder is not None and (holder, words) not in seen:
                seen.add((holder, words))
                docs.append((held, holder, kind_number[DesignationKind.INDEX_TERM], words, distinct_length(words)))

    # A name (not a title) a source gives to several codes of one category ("pancreatic cancer", which DO links to
    # C25.0, C25.1 and C25.2) names the category: what the category means said no further is its default code
    # (C25.9), which the name is indexed on as well, and which comes first of the name's codes (also where the
    # source gives it the default itself: "liver cancer", C22.0 and C22.9).
    title = kind_number[DesignationKind.TITLE]
    siblings: dict[tuple[str, ...], tuple[int, int, list[int]]] = {}
    for did, cid, kind_id, words, _length in docs:
        if KINDS[kind_id] in _NAMES_OF_CATEGORIES and cid in marks.parents:
            siblings.setdefault(words, (did, kind_id, []))[2].append(cid)
    # The category may hold the name too ("stomach cancer": DO links it to C16 and to C16.2, C16.5 and C16.6). A
    # name saying a word that a holder's title says and the category's does not is that holder's, not the
    # category's ("malignant neoplasm of anterior portion of floor of mouth", which DO links to C04, C04.0 and C04.1).
    spreads: list[
        tuple[tuple[str, ...], int, int, int, set[int], int]
    ] = []  # name, did, kind, category, holders, default
    for named, (did, kind_id, holders) in siblings.items():
        holding = set(holders)
        inner = holding - {marks.parents[c] for c in holding}
        above = {marks.parents[c] for c in inner}
        if len(above) != 1 or len(inner) < 2 or not holding - inner <= above:
            continue
        category = next(iter(above))
        below = marks.residuals.get(category)
        if below is not None:
            spreads.append((named, did, kind_id, category, inner, below))
    titles_said = {cid: words for _did, cid, kind_id, words, _length in docs if kind_id == title}
    titled = {cid for _, _, _, category, inner, _ in spreads for cid in (category, *inner)}
    title_words = {cid: set(titles_said[cid]) for cid in titled if cid in titles_said}
    defaulted: set[tuple[int, tuple[str, ...]]] = set()  # (the default code, the name) indexed so
    for named, did, kind_id, category, inner, below in spreads:
        general = title_words.get(category, set())
        # Nor is an abbreviation that spells one holder's title the category's: it is that code's ("ESRD", which
        # NCIt gives its Chronic Kidney Disease, Stage 5, and MONDO maps to N18.5 and N18.6, spells N18.6's
        # "End stage renal disease"; N18.9 "Chronic kidney disease, unspecified" is not what it means).
        if len(_spelled(named, inner, titles_said)) == 1:
            continue
        if not any(set(named) & (title_words.get(cid, set()) - general) for cid in inner):
            defaulted.add((below, named))
            if (below, named) not in seen:  # the default may hold the name itself ("liver cancer": C22.9)
                seen.add((below, named))
                docs.append((did, below, kind_id, named, distinct_length(named)))

    # How many codes of its system each name (other than a title) is given to, and the first of them: a name
    # given to many says less of each but the first, which stands for them all (as one of a family of
    # 7th-character siblings does), so that they do not crowd out every other answer.
    # The first is the category's default where the name is given to several of its codes (above), else the one the
    # index gives the main term, else the residual code, else the first in code order;
    # of two alike, the code a header holding the name defaults to comes before the header ("Pernio" T69.1XXA,
    # not the category T69.1 it completes), where a header's other codes come after it (the header stands for them);
    # then the code more of whose other names say the name's words, the same words first ("Cholecystectomy":
    # Resection 0FT40ZZ, which ICD-9-CM 51.22 Cholecystectomy maps to, before Excision 0FB40ZZ, which the index
    # names alike and ICD-9-CM's "Other partial cholecystectomy" maps to), then more words ("Appendectomy":
    # Resection 0DTJ0ZZ, whose ICD-9-CM titles say "Other appendectomy", before Excision 0DBJ0ZZ).
    standing = marks.main_term() * 2 + marks.residual()
    holders_of: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    for _did, cid, kind_id, words, _length in docs:
        if kind_id != title:
            holders_of.setdefault((doc_system[cid], words), []).append(cid)
    # Of holders still alike, the agreement of their other names is read (only theirs: few, and cheap).
    spread: dict[tuple[int, tuple[str, ...]], tuple[int, int]] = {}
    pending: list[tuple[tuple[int, tuple[str, ...]], int, list[int]]] = []
    for key, holders in holders_of.items():
        completing = {marks.defaults.get(cid) for cid in holders}
        spelled = _spelled(key[1], holders, titles_said) if len(holders) > 1 else set()
        rank = {c: (c in spelled, (c, key[1]) in defaulted, standing[c], c in completing) for c in holders}
        best = max(rank.values())
        tied = [c for c in holders if rank[c] == best]
        if len(tied) == 1:
            spread[key] = (len(holders), tied[0])
        else:
            pending.append((key, len(holders), tied))
    asked = {cid for _key, _count, tied in pending for cid in tied}
    names_of: dict[int, list[frozenset[str]]] = {}
    for _did, cid, _kind_id, words, _length in docs:
        if cid in asked:
            names_of.setdefault(cid, []).append(frozenset(words))

    def corroborated(cid: int, words: tuple[str, ...]) -> tuple[int, int]:
        """How many more of the code's names say ``words``: the same words from another source, then more."""
        held = frozenset(words)
        wider = sum(1 for other in names_of.get(cid, ()) if other != held and held <= other)
        return repeated.get((cid, words), 0), wider

    for key, count, tied in pending:
        spread[key] = (count, max(tied, key=lambda c: (corroborated(c, key[1]), -c)))

    # Number the designations best first: short, official titles of billable codes in the US code sets
    # before long index paths of headers. Postings are kept in this order, so the first designations a
    # common word matches are also its most likely answers, and a broad query can stop early.
    worth_of = np.array(
        [
            [
                [ranking.designation_worth(kind, system, bool(billable), exact=False) for billable in (0, 1)]
                for system in SYSTEMS
            ]
            for kind in KINDS
        ]
    )
    # The designations' columns, read once: numpy orders and looks them up.
    dids = np.fromiter((did for did, *_ in docs), dtype=np.int64, count=len(docs))
    cids = np.fromiter((cid for _, cid, *_ in docs), dtype=np.int64, count=len(docs))
    kinds = np.fromiter((kind for _, _, kind, _, _ in docs), dtype=np.int64, count=len(docs))
    word_counts = np.fromiter((len(words) for *_, words, _ in docs), dtype=np.int64, count=len(docs))
    worth = worth_of[kinds, concept_system[cids], concept_billable[cids]]
    # By number of words, then worth (best first), then designation id; the sort is stable (ties keep their order).
    order = np.lexsort((dids, -worth, word_counts))
    docs = [docs[at] for at in order.tolist()]
    dids, cids, kinds = dids[order], cids[order], kinds[order]

    vocabulary = sorted(set(chain.from_iterable(words for *_, words, _ in docs)))
    term_number = {t: i for i, t in enumerate(vocabulary)}
    doc_head = np.array([term_number.get(nouns.get(did, ""), -1) for did, *_ in docs], dtype=np.int32)
    doc_lengths = np.fromiter((length for *_, length in docs), dtype=np.int64, count=len(docs))
    avg_len = int(doc_lengths.sum()) / max(len(docs), 1)
    k1, b = ranking.bm25.k1, ranking.bm25.b

    # The forward entries: each designation's distinct words (by term number) and how often it says each.
    size = max(len(vocabulary), 1)
    per_doc = word_counts[order]
    said_term = np.fromiter(
        map(term_number.__getitem__, chain.from_iterable(words for *_, words, _ in docs)),
        dtype=np.int64,
        count=int(per_doc.sum()),
    )
    keys, tf = np.unique(
        np.repeat(np.arange(len(docs), dtype=np.int64), per_doc) * size + said_term, return_counts=True
    )
    entry_doc, entry_term = np.divmod(keys, size)
    doc_ptr = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(np.bincount(entry_doc, minlength=len(docs)), out=doc_ptr[1:])

    # Which entries are an index entry's qualifiers (words not of its main term: ``Bm25.subterm``), and which a
    # name's tail (words not of its head: negative). The entry as written, not with the nonessential modifiers a
    # prior adds beside its main term, has main words.
    holders = []
    for _, cid, kind_id, words, _ in docs:
        count, first = (1, cid) if kind_id == title else spread[(doc_system[cid], words)]
        holders.append(1 if cid == first else count)
    factors = ranking.bm25.spread_factor(np.array(holders, dtype=np.float32)).astype(np.float64)
    main_dids = {did for did, _words in main_words}
    qualified_docs: list[int] = []
    main_keys: list[int] = []
    headed_docs: list[int] = []
    head_keys: list[int] = []
    optional_keys: list[int] = []
    for number, (did, _, _, words, _) in enumerate(docs):
        if (aside := optional.get(did)) is not None:
            optional_keys.extend(number * size + term_number[w] for w in aside if w in term_number)
        if did in main_dids and (main := main_words.get((did, words))) is not None:
            qualified_docs.append(number)
            main_keys.extend(number * size + term_number[w] for w in main if w in term_number)
        if (name_head := heads.get(did)) is not None:
            headed_docs.append(number)
            head_keys.extend(number * size + term_number[w] for w in name_head if w in term_number)
    qualifier = np.ones(len(keys))
    qualifier[_flagged(len(docs), qualified_docs, entry_doc) & ~_among(keys, main_keys)] = ranking.bm25.subterm
    sign = np.ones(len(keys))
    sign[_flagged(len(docs), headed_docs, entry_doc) & ~_among(keys, head_keys)] = -1.0
    norm = k1 * (1 - b + b * doc_lengths.astype(np.float64) / avg_len)
    # A classification's name says a word again to list alternatives ("with stage 1 through stage 4 chronic kidney
    # disease, or unspecified chronic kidney disease"), not to say more of it: each word counts once
    # (``Bm25.repeats``). A supply's or procedure's descriptor says its subject again as prose does ("Crutches,
    # forearm, includes crutches of various materials"), which counts.
    # A residual word said again says that much more is left unspecified ("Unspecified fracture of unspecified
    # lower leg": the fracture and the side), and counts as often as it is said.
    counts = tf.astype(np.float64)
    if not ranking.bm25.repeats:
        listing = np.array([system in LISTING_SYSTEMS for system in SYSTEMS], dtype=np.bool_)
        residual = np.zeros(size, dtype=np.bool_)
        residual[[term_number[w] for w in RESIDUAL_WORDS if w in term_number]] = True
        said_once = ~listing[concept_system[cids]][entry_doc] & ~residual[entry_term]
        counts = np.where(said_once, np.minimum(counts, 1.0), counts)
    weights = (sign * qualifier * factors[entry_doc] * counts * (k1 + 1) / (counts + norm[entry_doc])).astype(
        np.float32
    )
    doc_term = entry_term.astype(np.int32)

    # Postings: sort the forward entries by term, then by designation (a stable sort keeps doc order).
    owners = np.repeat(np.arange(len(docs), dtype=np.int32), np.diff(doc_ptr))
    order = np.argsort(doc_term, kind="stable")
    post_doc = owners[order]
    term_ptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    np.cumsum(np.bincount(doc_term, minlength=len(vocabulary)), out=term_ptr[1:])

    return LexicalIndex(
        vocabulary=tuple(vocabulary),
        term_ptr=term_ptr,
        post_doc=post_doc.astype(np.int32),
        post_weight=weights[order].astype(np.float16),
        doc_ptr=doc_ptr.astype(np.int32),
        doc_term=doc_term,
        doc_weight=weights.astype(np.float16),
        doc_concept=cids.astype(np.int32),
        doc_kind=kinds.astype(np.uint8),
        doc_len=np.minimum(doc_lengths, 255).astype(np.uint8),
        doc_id=dids.astype(np.int32),
        doc_head=doc_head,
        concept_system=concept_system,
        concept_billable=concept_billable,
        concept_family=concept_family,
        concept_marks=marks.marks,
        concept_index_terms=marks.index_terms,
        enclosed_entries=np.flatnonzero(_among(keys, optional_keys)).astype(np.int32),
    )


def save_index(store: SQLiteStore, index: LexicalIndex) -> None:
    store.put_blob(f"{INDEX_VERSION}/vocabulary", "\n".join(index.vocabulary).encode())
    for name, stored in _ARRAYS.items():
        array: np.ndarray[tuple[int, ...], np.dtype[np.generic]] = getattr(index, name)
        store.put_blob(f"{INDEX_VERSION}/{name}", array.astype(stored, copy=False).tobytes())
    store.put_blob(f"{INDEX_VERSION}/{_ENCLOSED_ENTRIES}", index.enclosed_entries.astype(np.int32).tobytes())


def load_index(store: SQLiteStore) -> LexicalIndex | None:
    """The index saved in the store, or None if the database was built without one; DatabaseDamaged when its
    parts do not fit together (each part passed its checksum, so a build wrote them so, or the file was edited)."""
    vocabulary = store.get_blob(f"{INDEX_VERSION}/vocabulary")
    if vocabulary is None:
        return None
    blobs: dict[str, bytes] = {}
    for name in _ARRAYS:
        blob = store.get_blob(f"{INDEX_VERSION}/{name}")
        if blob is None:
            return None
        blobs[name] = blob
    words = tuple(vocabulary.decode().split("\n")) if vocabulary else ()
    said_aside = store.get_blob(f"{INDEX_VERSION}/{_ENCLOSED_ENTRIES}") or b""
    try:  # a blob that is no whole number of its items is a ValueError too
        index = LexicalIndex(
            vocabulary=words,
            **{name: np.frombuffer(blobs[name], dtype=dtype) for name, dtype in _ARRAYS.items()},
            enclosed_entries=np.frombuffer(said_aside, dtype=np.int32),
        )
        index.check()
    except ValueError as exc:
        raise DatabaseDamaged(store.path, f"the search index's parts do not fit together ({exc})") from exc
    return index


def write(store: SQLiteStore) -> None:
    """Build-time step: build the lexical index from the store's designations and save it there."""
    save_index(store, build_index(store))
