"""What a code is worth before any word matches: what the official data says people mean (build time).

A generic query ("diabetes", "pneumonia", "broken wrist") matches many codes about as well; the one people
mean is the one the classification itself treats as the default. Three marks per concept, derived from the
official data when the search index is built and kept with it:

- **main term**: an index gives the code for a main term, or a main term and one subterm, without further
  words (the Alphabetic Index's "Diabetes, diabetic (mellitus) (sugar)" E11.9, "Pneumonia" J18.9), or a
  vocabulary concept links its name straight to the code (the priors the build stores, ``store.prior_names()``).
- **index entries**: how many entries of the indexes (Alphabetic Index, External Cause Index, tables, PCS
  Index) lead to the code: a code many terms lead to is a common answer, a code one rare term leads to is not.
- **residual**: the code says it is the unspecified case of its category ("Pneumonia, unspecified organism",
  "Unspecified conjunctivitis", "Urinary tract infection, site not specified", "... NOS"): what a query that
  says no more than the category's words means.

``search.ranking.Priors`` turns the marks into a factor on the concept's worth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from medcodes.models import DesignationKind
from medcodes.store.sqlite import SQLiteStore

U8 = npt.NDArray[np.uint8]
U16 = npt.NDArray[np.uint16]

MAIN_TERM = 1
RESIDUAL = 2

# The words with which the classifications name their residual ("unspecified") codes.
_RESIDUAL = re.compile(r"\bunspecified\b|\bnot specified\b|\bNOS\b|\bnot otherwise specified\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Marks:
    """Per concept id: its marks (``MAIN_TERM`` | ``RESIDUAL`` bits) and how many index entries lead to it."""

    marks: U8
    index_terms: U16

    def main_term(self) -> U8:
        return (self.marks & MAIN_TERM).astype(np.uint8)

    def residual(self) -> U8:
        return ((self.marks & RESIDUAL) >> 1).astype(np.uint8)


def residual(title: str) -> bool:
    """Whether a title names the unspecified case of its category."""
    return _RESIDUAL.search(title) is not None


def derive(store: SQLiteStore, size: int) -> Marks:
    """The marks of concepts ``0 .. size - 1``, from the store's titles, index terms and priors."""
    marks = np.zeros(size, dtype=np.uint8)
    counts = np.zeros(size, dtype=np.int64)
    billable = np.zeros(size, dtype=np.bool_)
    for cid, _system, is_billable, _kind in store.concept_rows():
        billable[cid] = is_billable
    for cid, _system, _kind, title in store.concept_titles():
        if billable[cid] and residual(title):
            marks[cid] |= RESIDUAL
    for _did, cid, kind, _text in store.designation_rows():
        if kind is DesignationKind.INDEX_TERM:
            counts[cid] += 1
    for cid, *_names in store.prior_names():
        marks[cid] |= MAIN_TERM
    return Marks(marks, np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16))
