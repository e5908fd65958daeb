"""What a code is worth before any word matches: what the official data says people mean (build time).

A generic query ("diabetes", "pneumonia", "broken wrist") matches many codes about as well; the one people
mean is the one the classification itself treats as the default. Marks per concept, derived from the
official data when the search index is built and kept with it:

- **main term**: an index gives the code for a main term, or a main term and one subterm, without further
  words (the Alphabetic Index's "Diabetes, diabetic (mellitus) (sugar)" E11.9, "Pneumonia" J18.9), or a
  vocabulary concept links its name straight to the code (the priors the build stores, ``store.prior_names()``).
  Where the index gives a category to be completed ("Conjunctivitis, acute H10.3-"), the mark goes to the
  billable code the category defaults to as well: at each level the one child that says "unspecified" most
  (H10.30 "Unspecified acute conjunctivitis, unspecified eye"), or the first of 7th-character siblings (the
  initial encounter); where no child says it more than the others, the descent stops.
- **index entries**: how many entries of the indexes (Alphabetic Index, External Cause Index, tables, PCS
  Index) lead to the code: a code many terms lead to is a common answer, a code one rare term leads to is not.
- **residual**: the code says it is the unspecified case of its category ("Pneumonia, unspecified organism",
  "Unspecified conjunctivitis", "Urinary tract infection, site not specified", "... NOS"): what a query that
  says no more than the category's words means.
- **category default**: the residual code that the 3-character category itself defaults to (``default_below``
  from the category): C74.90 "... of unspecified part of unspecified adrenal gland", where C74.10 "... of
  medulla of unspecified adrenal gland" says "unspecified" of its side only.
- **population**: the code sits in a chapter kept for one population, by the chapter's title: pregnancy and
  childbirth, the perinatal period, congenital malformations (developmental anomalies in ICD-11). The coding
  conventions take such a code where the record says so (ICD-10-CM guidelines I.C.15-17), so a query that says
  nothing of that population ("mitral valve insufficiency", "dislocated hip") means the other code its words
  match alike (I34.0, S73.006A, not Q23.3, Q65.6). A database built before this mark reads every code in full.
- **extension**: an ICD-11 extension code (chapter X: an anatomy, an agent, a severity), which is never reported
  alone but added to a stem code (ICD-11 Reference Guide 2.9): "Midbrain" or "Anterior cruciate ligament" names
  the part a stem code's cluster adds, not the condition a query about it means. A database built before this
  mark reads extension codes as other headers.
- **circumstance**: the code sits in the chapter of factors influencing health status and contact with health
  services (ICD-10-CM's and ICD-10's Z codes, ICD-11's chapter 24): a status, an encounter, a history, a screening.
  Such a code says why a person is seen, not what is done or found (ICD-10-CM guidelines I.C.21), and its title
  names a procedure or condition as its context ("Encounter for routine and ritual male circumcision", "Kidney
  transplant status"). A query that names the procedure or condition and says nothing of the circumstance
  (`circumcision`, `liver transplant`) means the other code its words match alike. A database built before this
  mark reads every code in full.

``search.ranking.Priors`` turns the marks into a factor on the concept's worth.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from medcodes.models import ConceptKind, DesignationKind
from medcodes.search.ranking import LISTING_SYSTEMS
from medcodes.search.text import singular, tokens
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

U8 = npt.NDArray[np.uint8]
U16 = npt.NDArray[np.uint16]

MAIN_TERM = 1
RESIDUAL = 2
CATEGORY_DEFAULT = 4
POPULATION = 8
EXTENSION = 16
CIRCUMSTANCE = 32

# Levels a category is followed down to its default billable code (ICD-10-CM: at most 4 more characters).
_DEPTH = 5
# Chapter titles that keep their codes for one population: "Pregnancy, childbirth and the puerperium", "Certain
# conditions originating in the perinatal period", "Congenital malformations, ...", ICD-11's "Developmental
# anomalies", MS-DRG's "Newborns and Other Neonates ..." (its MDC 14 says pregnancy).
_POPULATION_CHAPTER = re.compile(
    r"\bpregnancy\b|\bperinatal\b|\bcongenital\b|\bdevelopmental anomalies\b|\bnewborns?\b", re.IGNORECASE
)
# The chapter of circumstances rather than conditions: ICD-10-CM's and ICD-10's "Factors influencing health status
# and contact with health services", ICD-11's "Factors influencing health status or contact with health services".
_CIRCUMSTANCE_CHAPTER = re.compile(r"\bfactors influencing health status\b", re.IGNORECASE)
# The chapters whose codes are worth less where a query says nothing of them, with their marks.
_KEPT_CHAPTERS = ((_POPULATION_CHAPTER, POPULATION), (_CIRCUMSTANCE_CHAPTER, CIRCUMSTANCE))
# The words with which the classifications name their residual ("unspecified") codes.
_RESIDUAL = re.compile(r"\bunspecified\b|\bnot specified\b|\bNOS\b|\bnot otherwise specified\b", re.IGNORECASE)
# What a title says it does not specify, up to the next comma ("not specified as primary or secondary").
_UNCLAIMED = re.compile(
    r"\b(?:site |level )?not specified(?: as [^,]*)?|\bNOS\b|\bnot otherwise specified\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Marks:
    """Per concept id: its marks (``MAIN_TERM`` | ``RESIDUAL`` | ``CATEGORY_DEFAULT`` bits) and how many index
    entries lead to it."""

    marks: U8
    index_terms: U16
    # Build time only (not saved): header id -> the billable code it defaults to (``default_below``), for every
    # header of a system whose codes nest; the same where its children that say "unspecified" alike are told apart
    # by their titles (``residuals``: the code a name given to several of its codes is indexed on; the marks keep
    # the strict rule, docs/search.md); and concept id -> its parent's id.
    defaults: Mapping[int, int] = field(default_factory=dict)
    parents: Mapping[int, int] = field(default_factory=dict)
    residuals: Mapping[int, int] = field(default_factory=dict)

    def main_term(self) -> U8:
        return (self.marks & MAIN_TERM).astype(np.uint8)

    def residual(self) -> U8:
        return ((self.marks & RESIDUAL) >> 1).astype(np.uint8)

    def category_default(self) -> U8:
        return ((self.marks & CATEGORY_DEFAULT) >> 2).astype(np.uint8)

    def population(self) -> U8:
        return ((self.marks & POPULATION) >> 3).astype(np.uint8)

    def extension(self) -> U8:
        return ((self.marks & EXTENSION) >> 4).astype(np.uint8)

    def circumstance(self) -> U8:
        return ((self.marks & CIRCUMSTANCE) >> 5).astype(np.uint8)


def residual(title: str) -> bool:
    """Whether a title names the unspecified case of its category."""
    return _RESIDUAL.search(title) is not None


def least_claiming(vague: Sequence[int], added: Sequence[int] = ()) -> int | None:
    """Of siblings that say "unspecified" ``vague[i]`` times, the position of the one that says it most (it claims
    least: the default), or None where none says it or several say it as often. ``added[i]``: how many words each
    sibling's title says beyond its parent's and "unspecified" (``added_words``); of several that say
    "unspecified" as often, the one that says nothing else is the parent's own residual (C16.9 "Malignant neoplasm
    of stomach, unspecified", not C16.5 "... of lesser curvature of stomach, unspecified"; D46.9 "Myelodysplastic
    syndrome, unspecified", not D46.4 "Refractory anemia, unspecified"). Where none or several do (I71.8 "Aortic
    aneurysm of unspecified site, ruptured" and I71.9 "..., without rupture"), nothing is chosen."""
    most = max(vague, default=0)
    if not most:
        return None
    tied = [i for i, v in enumerate(vague) if v == most]
    if len(tied) == 1:
        return tied[0]
    plain = [i for i in tied if added and added[i] == 0]
    return plain[0] if len(plain) == 1 else None


def plainest(vague: Sequence[int], parent: str, children: Sequence[str]) -> int | None:
    """``least_claiming`` of children titled ``children`` under a parent titled ``parent``, their titles read only
    where the children say "unspecified" alike."""
    pick = least_claiming(vague)
    if pick is not None or not max(vague, default=0):
        return pick
    return least_claiming(vague, added_words(parent, children))


def unspecified(title: str) -> int:
    """How often a title says "unspecified", in any of the classifications' words for it (``_RESIDUAL``: "not
    specified as recurrent", "NOS"): the child saying it most claims least ("Unspecified ..., unspecified eye";
    A04.72 "Enterocolitis due to Clostridium difficile, not specified as recurrent", not A04.71 "..., recurrent")."""
    return len(_RESIDUAL.findall(title))


def added_words(parent: str, children: Sequence[str]) -> list[int]:
    """How many words each child's title says beyond its parent's and "unspecified" (singular and plural alike).
    What a title says is "not specified as" claims nothing (C22.9 "Malignant neoplasm of liver, not specified as
    primary or secondary" adds nothing to C22's title; C22.8 "..., primary, unspecified as to type" does)."""
    said = {singular(w) for w in tokens(parent)} | {"unspecified"}
    return [len({singular(w) for w in tokens(_UNCLAIMED.sub(" ", child))} - said) for child in children]


def said_nos(parent: str, terms: Iterable[tuple[int, str]]) -> int | None:
    """Of a parent's children's inclusion terms ending in "NOS" (``terms``: (child id, text)), the one child that
    holds the parent's title followed by "NOS": what the title means said no further, as the classification says
    (C94.00 "Acute erythroid leukemia, not having achieved remission" holds "Acute erythroid leukemia NOS"); None
    where none or several do."""
    title = tokens(parent)
    found = {cid for cid, text in terms if tokens(text)[:-1] == title}
    return next(iter(found)) if len(found) == 1 else None


def held_below(marks: U8, bounds: Sequence[int], mark: int) -> list[bool]:
    """Whether each run of concepts ``[bounds[i], bounds[i + 1])`` (a child's subtree) holds a concept with
    ``mark``."""
    start = bounds[0]
    held = (marks[start : bounds[-1]] & mark) > 0
    return [bool(held[a - start : b - start].any()) for a, b in itertools.pairwise(bounds)]


def default_below(
    cid: int,
    children: Mapping[int, Sequence[int]],
    billable: npt.NDArray[np.bool_],
    vague: Mapping[int, int],
    seventh: Collection[int],
    *,
    titles: Mapping[int, str] | None = None,
) -> int | None:
    """The billable code a category defaults to (see the module docstring), or None where its children do not
    say which. ``vague``: how often each concept's title says "unspecified"; ``seventh``: the ids of codes made
    by adding a 7th character to their parent (the first of such siblings is the initial encounter); ``titles``:
    the concepts' titles, to tell apart children that say "unspecified" as often (``least_claiming``)."""
    for _ in range(_DEPTH):
        kids = children.get(cid)
        if not kids:
            return None
        if all(k in seventh for k in kids):
            cid = kids[0]
        else:
            said = [vague.get(k, 0) for k in kids]
            if titles is not None and cid in titles:
                pick = plainest(said, titles[cid], [titles.get(k, "") for k in kids])
            else:
                pick = least_claiming(said)
            if pick is None:
                return None
            cid = kids[pick]
        if billable[cid]:
            return cid
    return None


def derive(store: SQLiteStore, size: int) -> Marks:
    """The marks of concepts ``0 .. size - 1``, from the store's titles, index terms and priors."""
    marks = np.zeros(size, dtype=np.uint8)
    counts = np.zeros(size, dtype=np.int64)
    billable = np.zeros(size, dtype=np.bool_)
    systems: dict[int, SystemId] = {}
    categories: set[int] = set()
    for cid, system, is_billable, concept_kind in store.concept_rows():
        billable[cid] = is_billable
        systems[cid] = system
        if concept_kind is ConceptKind.CATEGORY:
            categories.add(cid)
        elif concept_kind is ConceptKind.EXTENSION:
            marks[cid] |= EXTENSION
    vague: dict[int, int] = {}  # concept id -> how many times its title says "unspecified"
    kept: list[tuple[int, int]] = []  # (chapter, mark): the chapters kept for one population or for circumstances
    titles: dict[int, str] = {}  # for children that say "unspecified" as often (``default_below``)
    for cid, _system, concept_kind, title in store.concept_titles():
        titles[cid] = title
        if billable[cid] and residual(title):
            marks[cid] |= RESIDUAL
        vague[cid] = unspecified(title)
        if concept_kind is ConceptKind.CHAPTER:
            kept.extend((cid, mark) for chapter, mark in _KEPT_CHAPTERS if chapter.search(title))
    for cid, count in store.designation_counts(DesignationKind.INDEX_TERM):
        counts[cid] = count
    seventh = {member for member, _parent in store.seventh_character_parents()}
    children: dict[int, list[int]] = {}
    for parent, child in store.child_pairs():
        children.setdefault(parent, []).append(child)
    defaults: dict[int, int] = {}
    residuals: dict[int, int] = {}
    for cid in children:
        if not billable[cid] and systems.get(cid) not in LISTING_SYSTEMS:
            below = default_below(cid, children, billable, vague, seventh)
            if below is not None:
                defaults[cid] = below
                if cid in categories:
                    marks[below] |= CATEGORY_DEFAULT
            told = below if below is not None else default_below(cid, children, billable, vague, seventh, titles=titles)
            if told is not None:
                residuals[cid] = told
    for cid, *_names in store.prior_names():
        marks[cid] |= MAIN_TERM
        if cid in defaults:
            marks[defaults[cid]] |= MAIN_TERM
    while kept:  # the chapters kept for one population or for circumstances, and everything below them
        cid, mark = kept.pop()
        marks[cid] |= mark
        kept.extend((child, mark) for child in children.get(cid, ()))
    parents = {child: parent for parent, kids in children.items() for child in kids}
    index_terms = np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16)
    return Marks(marks, index_terms, defaults, parents, residuals)
