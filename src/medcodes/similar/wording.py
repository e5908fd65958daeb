"""The wording finder over every system: a TF-IDF engine over the search engine's lexical index."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from medcodes.models import (
    Concept,
    DesignationKind,
    SimilarKind,
)
from medcodes.search.index import KINDS, SYSTEMS, LexicalIndex
from medcodes.search.text import index_words
from medcodes.similar.clue import (
    BOILERPLATE,
    BOILERPLATE_WEIGHT,
    MIN_SCORE,
    PCS_OTHER_BODY_SYSTEM,
    SPARSE_POSTINGS,
    WORDING_OTHER_SYSTEM,
    WORDING_SAME_SYSTEM,
    Clue,
)
from medcodes.similar.payment import TITLE_FAMILIES
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import REGISTRY

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]

_TARGET_KINDS = (DesignationKind.TITLE, DesignationKind.INCLUSION_TERM)


class Wording:
    """TF-IDF cosine between a concept's title and every title and inclusion term, over the lexical index.

    Weights are the index's BM25-saturated term frequencies times the idf. Candidates come from the
    postings of the title's rarer words only: the most frequent words are left out while together they
    hold less than half of ``min_cosine``² of the title's squared weight, so that a designation sharing none
    of the other words stays below ``min_cosine`` / √2 (Cauchy-Schwarz). The best candidates by that partial
    score (and the best of each other system) are then scored exactly from their own words.
    """

    EXACT_POOL = 400
    EXACT_POOL_PER_SYSTEM = 60

    def __init__(self, index: LexicalIndex, skipped: Sequence[int] = ()) -> None:
        self.index = index
        self.skipped = skipped  # concept ids never matched: chapters, blocks, extension codes, modifiers
        self._norm: F64 | None = None
        self._target: npt.NDArray[np.bool_] | None = None
        self._by_designation: tuple[I32, I32] | None = None
        known = (index.term(word) for word in sorted(BOILERPLATE))
        self.boilerplate = np.array([t for t in known if t is not None], dtype=np.int32)

    @property
    def norm(self) -> F64:
        """The TF-IDF vector length of every designation (computed once: ~30 ms on the full database)."""
        if self._norm is None:
            ix = self.index
            # A negative weight (a word of a name's tail) squares as its size.
            squares = (ix.doc_weight.astype(np.float64) * ix.idf[ix.doc_term]) ** 2
            sums = np.add.reduceat(squares, ix.doc_ptr[:-1]) if len(squares) else np.zeros(0)
            sums[ix.doc_ptr[1:] == ix.doc_ptr[:-1]] = 0.0
            self._norm = np.sqrt(sums)
        return self._norm

    @property
    def target(self) -> npt.NDArray[np.bool_]:
        """Which designations may be matched: titles and inclusion terms."""
        if self._target is None:
            wanted = np.array([KINDS.index(k) for k in _TARGET_KINDS], dtype=np.uint8)
            target = np.isin(self.index.doc_kind, wanted)
            skipped = np.zeros(len(self.index.concept_system), dtype=np.bool_)
            skipped[[i for i in self.skipped if i < len(skipped)]] = True
            self._target = target & ~skipped[self.index.doc_concept]
        return self._target

    @property
    def by_designation(self) -> tuple[I32, I32]:
        """(designation ids sorted, the index's position of each), to find a designation by its id."""
        if self._by_designation is None:
            order = np.argsort(self.index.doc_id, kind="stable").astype(np.int32)
            self._by_designation = (self.index.doc_id[order], order)
        return self._by_designation

    def query_doc(self, store: SQLiteStore, concept: Concept) -> int | None:
        """The index's designation of the concept's title (or its first indexed designation)."""
        ids = store.designation_ids(concept.system, concept.code)
        ordered = [i for i, k in ids if k is DesignationKind.TITLE] + [i for i, _ in ids]
        sorted_ids, positions = self.by_designation
        for designation in ordered:
            # As the array's own type: a Python int would make numpy widen (copy) all 546k ids first (0.3 ms).
            at = int(np.searchsorted(sorted_ids, sorted_ids.dtype.type(designation)))
            if at < len(sorted_ids) and int(sorted_ids[at]) == designation:
                return int(positions[at])
        return None

    def vector(self, doc: int) -> tuple[I32, F64]:
        """(term ids, TF-IDF weights) of one indexed designation."""
        ix = self.index
        start, end = int(ix.doc_ptr[doc]), int(ix.doc_ptr[doc + 1])
        terms = ix.doc_term[start:end]
        return terms, np.abs(ix.doc_weight[start:end].astype(np.float64)) * ix.idf[terms]

    def text_vector(self, text: str) -> tuple[I32, F64]:
        """(term ids, TF-IDF weights) of a text that is not indexed itself (words unknown to the index drop)."""
        counts: dict[int, int] = {}
        for word in index_words(text):
            term = self.index.term(word)
            if term is not None:
                counts[term] = counts.get(term, 0) + 1
        ordered = sorted(counts)
        terms = np.array(ordered, dtype=np.int32)
        tf = np.array([counts[t] for t in ordered], dtype=np.float64)
        return terms, tf * 2.2 / (tf + 1.2) * self.index.idf[terms]

    def nearest(
        self, query: tuple[I32, F64], own: tuple[int, int], want: int, want_other: int, min_cosine: float
    ) -> list[tuple[int, float, int]]:
        """(concept id, cosine, designation) of the designations nearest to ``query``, best first: at most
        ``want`` concepts of the querying concept's own system and ``want_other`` of each other system.
        ``own`` is (concept id, system number) of the querying concept, which is never returned."""
        ix = self.index
        terms, weights = query
        weights = np.where(np.isin(terms, self.boilerplate), weights * BOILERPLATE_WEIGHT, weights)
        q_norm = float(np.sqrt(np.sum(weights**2)))
        if q_norm == 0.0:
            return []
        order = np.argsort(-ix.df[terms], kind="stable")
        budget = 0.5 * min_cosine**2 * q_norm**2
        left_out = 0.0
        essential: list[int] = []
        for i in order:
            share = float(weights[i] ** 2)
            if left_out + share < budget and len(essential) < len(order) - 1:
                left_out += share
                continue
            essential.append(int(i))
        docs: list[I32] = []
        scores: list[F64] = []
        for i in essential:
            t = int(terms[i])
            lo, hi = int(ix.term_ptr[t]), int(ix.term_ptr[t + 1])
            docs.append(ix.post_doc[lo:hi])
            scores.append(np.abs(ix.post_weight[lo:hi].astype(np.float64)) * (ix.idf[t] * weights[i]))
        posted, posted_scores = np.concatenate(docs), np.concatenate(scores)
        if len(posted) < len(ix.doc_id) // SPARSE_POSTINGS:
            # Few postings (the usual case): sum them by sorting, not over an array of every designation.
            hit, at = np.unique(posted, return_inverse=True)
            partial = np.bincount(at, weights=posted_scores, minlength=len(hit))
        else:
            dense = np.bincount(posted, weights=posted_scores, minlength=len(ix.doc_id))
            hit = np.flatnonzero(dense).astype(np.int32)
            partial = dense[hit]
        own_concept, own_system = own
        wanted = self.target[hit] & (ix.doc_concept[hit] != own_concept)
        hit, partial = hit[wanted], partial[wanted]
        if not len(hit):
            return []
        rough = partial / (q_norm * np.maximum(self.norm[hit], 1e-9))
        # The words left out can add at most |left out| / |query| to a cosine (Cauchy-Schwarz): a designation
        # whose rough cosine stays below the minimum by more than that never makes the list. Dropping those first
        # spares the passes below most of the designations that share one common word (PCS titles).
        reachable = rough >= min_cosine - np.sqrt(left_out) / q_norm
        hit, rough = hit[reachable], rough[reachable]
        if not len(hit):
            return []
        systems = ix.concept_system[ix.doc_concept[hit]]
        pool = [_top(rough, self.EXACT_POOL)]
        for system in np.unique(systems):
            if system != own_system:
                inside = np.flatnonzero(systems == system)
                pool.append(inside[_top(rough[inside], self.EXACT_POOL_PER_SYSTEM)].astype(np.int32))
        keep = np.unique(np.concatenate(pool))
        hit, systems = hit[keep], systems[keep]
        exact = self._dot(hit, terms, weights) / (q_norm * np.maximum(self.norm[hit], 1e-9))
        out: list[tuple[int, float, int]] = []
        seen: set[int] = set()
        per_system: dict[int, int] = {}
        open_systems = len(np.unique(systems))  # systems whose quota is not full yet
        for i in np.argsort(-exact, kind="stable"):
            if exact[i] < min_cosine or open_systems == 0:
                break
            concept, system = int(ix.doc_concept[hit[i]]), int(systems[i])
            quota = want if system == own_system else want_other
            if concept in seen or per_system.get(system, 0) >= quota:
                continue
            seen.add(concept)
            per_system[system] = per_system.get(system, 0) + 1
            open_systems -= per_system[system] == quota
            out.append((concept, float(exact[i]), int(hit[i])))
        return out

    def _dot(self, docs: I32, terms: I32, weights: F64) -> F64:
        """The full dot product of each designation with the query, from its own words."""
        ix = self.index
        starts = ix.doc_ptr[docs]
        lengths = ix.doc_ptr[docs + 1] - starts
        seg = np.zeros(len(docs), dtype=np.int64)
        np.cumsum(lengths[:-1], out=seg[1:])
        positions = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(seg - starts, lengths)
        their_terms = ix.doc_term[positions]
        order = np.argsort(terms)
        sorted_terms = terms[order]
        at = np.clip(np.searchsorted(sorted_terms, their_terms), 0, len(sorted_terms) - 1)
        query_weight = np.where(sorted_terms[at] == their_terms, weights[order][at], 0.0)
        contrib = np.abs(ix.doc_weight[positions].astype(np.float64)) * ix.idf[their_terms] * query_weight
        return np.add.reduceat(contrib, seg) if len(contrib) else np.zeros(len(docs))

    def clues(self, store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
        doc = self.query_doc(store, concept)
        if doc is None:
            return
        family_of = TITLE_FAMILIES.get(concept.system)
        family = family_of(concept.title) if family_of is not None else None
        # An MS-DRG is compared without its CC/MCC split, which every third MS-DRG title shares.
        query = self.text_vector(family) if family else self.vector(doc)
        own = (int(self.index.doc_concept[doc]), SYSTEMS.index(concept.system))
        found = self.nearest(query, own, WORDING_SAME_SYSTEM, WORDING_OTHER_SYSTEM, MIN_SCORE[SimilarKind.WORDING])
        concepts = store.concepts_by_id([cid for cid, _, _ in found])
        kinds = self.index.doc_kind
        inclusions = store.designations_by_id(
            [int(self.index.doc_id[d]) for _, _, d in found if KINDS[kinds[d]] is not DesignationKind.TITLE]
        )
        for cid, cosine, d in found:
            other = concepts.get(cid)
            if other is None:
                continue
            inclusion = inclusions.get(int(self.index.doc_id[d]))
            text = (
                f"Similar inclusion term: {inclusion[1]} (text similarity {cosine:.2f})"
                if inclusion is not None
                else f"Similar title (text similarity {cosine:.2f})"
            )
            region = REGISTRY[concept.system].region_chars
            far = region > 0 and other.system is concept.system and other.code[:region] != concept.code[:region]
            # A PCS title is mostly its root operation ("Plain Radiography of ..."): in another body system
            # the same words say less.
            yield Clue(
                other.system, other.code, SimilarKind.WORDING, text, cosine * (PCS_OTHER_BODY_SYSTEM if far else 1)
            )


def _top(values: F64, n: int) -> I32:
    """Positions of the ``n`` largest values (all of them when there are fewer)."""
    if len(values) <= n:
        return np.arange(len(values), dtype=np.int32)
    return np.argpartition(-values, n - 1)[:n].astype(np.int32)
