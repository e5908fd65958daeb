"""Word search over the lexical index: query words -> candidate designations -> scores -> concepts.

A query is a list of groups, one per word typed; a group holds alternatives (the word itself, or the
words an abbreviation stands for), and an alternative is a list of atoms (one word each). An atom matches
a designation that holds the word, its singular, or a word that starts with it (a prefix match counts
less, the less of the word was typed).

Candidates come from the postings of the cheapest group only, then every group is checked against each
candidate's own few words (the forward index), so a common word ("of", "right", "approach") never costs
more than the candidates it is checked against. Autocomplete-style queries want every word to match (AND);
when that finds too little, the two cheapest groups are unioned and words may be missing, with a score
that falls with the share of the query's weight left unmatched (coverage).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from medcodes.recent import Recent
from medcodes.search.index import SYSTEMS, LexicalIndex, distinct
from medcodes.search.ranking import Limits, Ranking
from medcodes.search.text import NEGATED, numeral, ordinal, other_numbers, plurals, singular, stem
from medcodes.systems import SystemId

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
Names = npt.NDArray[np.int64]  # designation ids
BOOL = npt.NDArray[np.bool_]

# A designation whose coverage reaches this matches every word (coverage is a float32 sum of idf shares).
FULL = 0.999


@dataclass(frozen=True, slots=True)
class Atom:
    word: str
    exact: tuple[int, ...]  # term ids matched as whole words (the word and its singular)
    lo: int  # term ids [lo, hi) start with the word
    hi: int
    idf: float
    cost: int  # postings to read to gather its designations
    # Term ids [stem_lo, stem_hi) share the word's stem (its first ~70 %): "tuberculous" and
    # "tuberculosis", "conjunctival" and "conjunctivitis". Empty for short words.
    stem_lo: int = 0
    stem_hi: int = 0
    # A rare word gathers the designations of its stem's words too (``Limits.rare_word``): "disoriented", which one
    # ICD-11 name holds, also gathers the titles that say "disorientation".
    stem_gather: bool = False


@dataclass(frozen=True, slots=True)
class Group:
    word: str  # as the user typed it (normalised)
    alternatives: tuple[tuple[Atom, ...], ...]
    idf: float
    literal: bool = True  # the first alternative is the words as typed
    weight: float = 1.0  # less for conventional qualifiers ("not elsewhere classified")

    @property
    def cost(self) -> int:
        return sum(min(a.cost for a in alt) for alt in self.alternatives)


@dataclass(frozen=True, slots=True)
class ConceptScore:
    concept: int  # concept id
    score: float
    doc: int  # index of the best-matching designation
    coverage: float


@dataclass(frozen=True, slots=True)
class LexicalResult:
    hits: tuple[ConceptScore, ...]
    total: int
    facets: dict[SystemId, int]
    complete: bool  # every group matched in the best hit
    estimated: bool = False  # total and facets are extrapolated from the best candidates


# What a one-word answer depends on: the word's group, the hits wanted, systems, billable only, ids within, ranking.
BroadKey = tuple[Group, int, tuple[SystemId, ...], bool, tuple[int, int] | None, Ranking]


_LIMITS = Limits()


def atom(index: LexicalIndex, word: str, prefix: bool = True, limits: Limits = _LIMITS) -> Atom | None:
    """The atom for a word; ``prefix`` also matches the words it starts (for the word being typed)."""
    forms = (word, singular(word), *plurals(word), *other_numbers(word), *ordinal(word), *numeral(word))
    exact = tuple(dict.fromkeys(t for t in (index.term(f) for f in forms) if t is not None))
    lo, hi = index.prefix_range(word) if prefix else (0, 0)
    root = stem(word)
    stem_lo, stem_hi = index.prefix_range(root) if root else (0, 0)
    if not exact and lo == hi and stem_lo == stem_hi:
        return None
    outside = [t for t in exact if not lo <= t < hi]
    cost = index.posting_count(lo, hi) + sum(index.posting_count(t, t + 1) for t in outside)
    # The commonest of its forms sets its weight: a rare plural ("accidents") must not inflate a common word.
    idf = float(min(index.idf[t] for t in exact)) if exact else _idf(index, cost)
    if not exact and lo == hi:
        # Known only by its stem: gather through the stem.
        cost = index.posting_count(stem_lo, stem_hi)
        return Atom(word, exact, stem_lo, stem_hi, _idf(index, cost), cost, stem_lo, stem_hi)
    # A word few designations hold, whose stem other words share, gathers theirs too (where they are not many): an
    # adjective typed where the titles say the noun. They match as stems do (``Ranking.stem``); its idf stays its own.
    if exact and cost < limits.rare_word and _stem_says_more(exact, lo, hi, stem_lo, stem_hi):
        more = index.posting_count(stem_lo, stem_hi)
        if more <= limits.stem_postings:
            return Atom(word, exact, lo, hi, idf, cost + more, stem_lo, stem_hi, stem_gather=True)
    return Atom(word, exact, lo, hi, idf, cost, stem_lo, stem_hi)


def started(index: LexicalIndex, letter: str) -> Atom | None:
    """The atom of the words longer than ``letter`` that it starts (the start of a word being typed, not the letter
    itself nor its other forms); None where none."""
    lo, hi = index.prefix_range(letter)
    if lo < hi and index.vocabulary[lo] == letter:
        lo += 1
    if lo >= hi:
        return None
    cost = index.posting_count(lo, hi)
    return Atom(letter, (), lo, hi, _idf(index, cost), cost)


def _idf(index: LexicalIndex, postings: int) -> float:
    """The idf of a word matched by this many postings (the words a prefix or a stem starts, read as one)."""
    n = len(index.doc_id)
    df = min(postings, n)
    return float(np.log1p((n - df + 0.5) / (df + 0.5)))


def _stem_says_more(exact: Sequence[int], lo: int, hi: int, stem_lo: int, stem_hi: int) -> bool:
    """Whether the words sharing the stem, term ids [stem_lo, stem_hi), include any the word's own matches (its
    ``exact`` forms, the words [lo, hi) it starts) do not."""
    inner = max(0, min(hi, stem_hi) - max(lo, stem_lo))
    own = sum(1 for t in exact if stem_lo <= t < stem_hi and not lo <= t < hi)
    return stem_hi - stem_lo > inner + own


def group(word: str, alternatives: Sequence[Sequence[Atom]], literal: bool = True, weight: float = 1.0) -> Group:
    """A group weighs what its likeliest-meant alternative's words weigh on average (an abbreviation and what it
    stands for count as one word), and a phrase typed in full ("hip fracture") at least what its rarest word
    weighs alone: the phrase says no less than that word. Otherwise recognising the phrase made it weigh less than
    one of its words would as a group of its own, and in `hip fracture repair` the phrase (mean idf 4.1) gave way
    to "repair" (4.4): every "Repair, Vagina" entry came before the hip fractures. A conventional qualifier
    (``weight`` < 1, "not elsewhere classified") and words of a "without" clause keep the average."""
    alts = tuple(tuple(a) for a in alternatives if a)
    idf = max((sum(a.idf for a in alt) / len(alt) for alt in alts), default=0.0)
    if literal and alts and len(alts[0]) > 1 and weight == 1.0 and not any(a.word.startswith(NEGATED) for a in alts[0]):
        idf = max(idf, *(a.idf for a in alts[0]))
    return Group(word, alts, idf * weight, literal, weight)


def _docs_of(index: LexicalIndex, a: Atom) -> I32:
    parts = [index.postings(a.lo, a.hi)] if a.hi > a.lo else []
    parts += [index.postings(t, t + 1) for t in a.exact if not a.lo <= t < a.hi]
    if a.stem_gather:
        parts.append(index.postings(a.stem_lo, a.stem_hi))
    if len(parts) == 1:
        return parts[0]
    return distinct(np.concatenate(parts), len(index.doc_id)) if parts else np.empty(0, dtype=np.int32)


def _narrow(index: LexicalIndex, a: Atom, budget: int) -> I32:
    """The designations of a very broad atom, limited to its exact words and its shortest completions."""
    parts = [index.postings(t, t + 1) for t in a.exact]
    budget -= sum(len(p) for p in parts)
    by_length = sorted(range(a.lo, a.hi), key=lambda t: (index.term_len[t], t))
    for t in by_length:
        if budget <= 0:
            break
        docs = index.postings(t, t + 1)
        parts.append(docs)
        budget -= len(docs)
    return distinct(np.concatenate(parts), len(index.doc_id)) if parts else np.empty(0, dtype=np.int32)


def _candidates(index: LexicalIndex, g: Group, budget: int) -> I32:
    parts = []
    for alt in g.alternatives:
        cheapest = min(alt, key=lambda a: a.cost)
        parts.append(_docs_of(index, cheapest) if cheapest.cost <= budget else _narrow(index, cheapest, budget))
    if len(parts) == 1:
        return parts[0]
    return distinct(np.concatenate(parts), len(index.doc_id))


class _Gathered:
    """The forward entries (term, weight) of a set of candidate designations, segment per designation.

    A word of a name's tail (``index.py``: after its head, "wheelchair" in "Dependence on wheelchair") is held
    with a negative weight. It counts ``Ranking.tail`` of its weight where the query matches none of the name's
    head: `wheelchair` names a wheelchair, not the dependence on one; `wheelchair dependence` matches in full.
    """

    def __init__(
        self, index: LexicalIndex, docs: I32, ranking: Ranking, groups: Sequence[Group] = (), *, enclosed: bool = True
    ) -> None:
        positions, lengths, seg = _entries(index, docs)
        self.terms = np.take(index.doc_term, positions)
        self.weights = np.take(index.doc_weight, positions)  # held as float32: no conversion at every query
        self.seg = seg
        self.index = index
        self.ranking = ranking
        self._hits: dict[Atom, F32] = {}
        self.said = np.zeros(len(docs), dtype=np.int32)
        tail = self.weights < 0
        if tail.any():
            np.abs(self.weights, out=self.weights)
            head = np.zeros(len(tail), dtype=np.bool_)
            for a in {a for g in groups for alt in g.alternatives for a in alt}:
                head |= self.hit(a) > 0
            head &= ~tail
            # Which designations the query names by a word of their head: marked from each matched entry's row
            # (a segmented OR costs as much again).
            row = np.repeat(np.arange(len(docs)), lengths)
            named = np.zeros(len(docs), dtype=np.bool_)
            named[row[head]] = True
            self.weights[tail & ~named[row]] *= np.float32(ranking.tail)
        if not enclosed:  # the words a name says only between parentheses or brackets left out (``_exact``)
            self.weights[index.is_enclosed(positions)] = 0.0

    def hit(self, a: Atom) -> F32:
        """How well the atom matches each forward entry (0: not at all)."""
        known = self._hits.get(a)
        if known is not None:
            return known
        terms = self.terms
        hit = np.zeros(len(terms), dtype=np.float32)
        if a.stem_hi > a.stem_lo:
            hit[(terms >= a.stem_lo) & (terms < a.stem_hi)] = self.ranking.stem
        if a.hi > a.lo:
            in_range = (terms >= a.lo) & (terms < a.hi)
            if in_range.any():
                # A completion counts less the less of it was typed: "ant" for "anterior" ~ 0.7.
                fraction = len(a.word) / self.index.term_len[terms[in_range]].astype(np.float32)
                hit[in_range] = np.maximum(hit[in_range], self.ranking.completion(fraction))
        for t in a.exact:
            hit[terms == t] = 1.0
        self._hits[a] = hit
        return hit

    def atom_weight(self, a: Atom) -> F32:
        """The atom's best match in each designation. Weights and hits are never negative, and non-negative
        floats order as their bits do read as integers: the segmented maximum over those is the same, at half
        the cost of numpy's float maximum (which looks for NaN)."""
        matched = self.weights * self.hit(a)
        return np.maximum.reduceat(matched.view(np.int32), self.seg).view(np.float32)

    def group_weight(self, g: Group) -> F32:
        """The group's weight in each designation: its best alternative's. Adds to ``said`` (how many words
        the query says in each designation) the words of the first alternative where that one is the best."""
        best: F32 | None = None
        words = np.zeros(len(self.seg), dtype=np.int32)
        base = g.idf / g.weight if g.weight else 0.0
        for number, alt in enumerate(g.alternatives):
            weights = [self.atom_weight(a) * a.idf for a in alt]
            # Every alternative says what the word typed says: it weighs the group's idf, shared by its words.
            total = np.sum(weights, axis=0) * (base / (sum(a.idf for a in alt) or 1.0))
            # Alternatives are listed likeliest first ("resection" before "excision" for "-ectomy").
            factor = self.ranking.alternative_factor(number, g.literal)
            if factor != 1.0:
                total = total * factor
            if g.weight != 1.0:
                total = total * g.weight
            if len(alt) > 1:
                total = np.where(np.all(np.stack(weights) > 0, axis=0), total, 0.0).astype(np.float32)
            better = total > 0 if best is None else total > best
            # The group's likeliest reading says all its words: the words as typed, and after them the first of what
            # a short form typed stands for (`ckd stage 4`: chronic kidney disease, whether or not "ckd" is a word of
            # the data too); a later reading is a guess, and counts as one word.
            words[better] = len(alt) if number == 0 or (number == 1 and g.literal) else 1
            best = total if best is None else np.maximum(best, total)
        assert best is not None
        self.said += words
        return best


def _score(index: LexicalIndex, groups: Sequence[Group], docs: I32, ranking: Ranking) -> tuple[F32, F32]:
    """(score, coverage) of each candidate designation."""
    score, coverage, _ = _score_matched(index, groups, docs, ranking)
    return score, coverage


def _score_matched(index: LexicalIndex, groups: Sequence[Group], docs: I32, ranking: Ranking) -> tuple[F32, F32, BOOL]:
    """(score, coverage, which groups match: groups x docs) of each candidate designation."""
    gathered = _Gathered(index, docs, ranking, groups)
    weights = [gathered.group_weight(g) for g in groups]
    total_idf = sum(g.idf for g in groups) or 1.0
    matched = np.stack([w > 0 for w in weights])
    coverage = (np.array([g.idf for g in groups], dtype=np.float32) @ matched.astype(np.float32)) / total_idf
    score = np.sum(weights, axis=0) * ranking.coverage(coverage)
    exact = _exact(index, groups, docs, ranking, matched=matched, said=gathered.said)
    score = score * _headed(index, groups, docs, ranking)
    return _prior(index, docs, score, exact, ranking), coverage.astype(np.float32), matched


def _exact(
    index: LexicalIndex, groups: Sequence[Group], docs: I32, ranking: Ranking, *, matched: BOOL, said: I32
) -> BOOL:
    """Which designations hold nothing but the words the query says ("dvt": deep vein thrombosis, three), where the
    query says every word it names something by; a joining word the designation lacks ("stenosis of the renal
    artery": "Stenosis, renal artery") takes nothing from that, nor does a word the designation says only between
    parentheses or brackets (``index.enclosed``: `chronic kidney disease stage 4` says all of "Chronic kidney
    disease, stage 4 (severe)"). Such words are left out only where the query says the others: "Chemical
    bronchitis (acute)" is no exact match for `acute bronchitis`."""
    naming = matched[_naming(groups, ranking)].all(axis=0)
    length = index.doc_said[docs].astype(np.int32)
    exact = naming & (length <= said)
    essential = length - index.doc_enclosed[docs]
    maybe = np.flatnonzero(naming & ~exact & (essential <= said))
    if len(maybe):
        # Few designations: what the query says of them is read again without their enclosed words.
        apart = _Gathered(index, docs[maybe], ranking, groups, enclosed=False)
        for g in groups:
            apart.group_weight(g)
        exact[maybe] = essential[maybe] <= apart.said
    return exact


def _headed(index: LexicalIndex, groups: Sequence[Group], docs: I32, ranking: Ranking) -> F32:
    """1 for each designation whose head noun the query says (any form of it, any alternative's: ``said``), or
    that has none; ``Ranking.unheaded`` for one the query matches only in words that qualify another thing
    (`crutches`: "Crutch paralysis" names a paralysis; "Crutches, forearm" crutches)."""
    said = np.zeros(len(index.vocabulary) + 1, dtype=np.bool_)
    said[-1] = True  # -1: no head noun
    for g in groups:
        for alt in g.alternatives:
            for a in alt:
                said[list(a.exact)] = True
                said[a.lo : a.hi] = True
                said[a.stem_lo : a.stem_hi] = True
    return np.where(said[index.doc_head[docs]], np.float32(1.0), np.float32(ranking.unheaded)).astype(np.float32)


def _naming(groups: Sequence[Group], ranking: Ranking) -> list[int]:
    """The groups that name something: all but the joining words ("of", "the"), or all where there are only those."""
    naming = [number for number, g in enumerate(groups) if g.weight > ranking.function_word]
    return naming or list(range(len(groups)))


def _concept_coverage(index: LexicalIndex, groups: Sequence[Group], docs: I32, scored: tuple[F32, F32, BOOL]) -> F32:
    """Scores raised where a concept's other designations hold the words its best one lacks.

    A title may say "unspecified" where the concept's index term says "administrative purpose": the concept
    holds more of the query than either designation alone. Each designation's score is scaled by the share
    of the query its whole concept covers (among the candidates) over the share it covers itself.
    """
    score, coverage, matched = scored
    concepts = index.doc_concept[docs]
    order = np.argsort(concepts, kind="stable")
    sorted_concepts = concepts[order]
    starts = np.flatnonzero(np.r_[True, sorted_concepts[1:] != sorted_concepts[:-1]])
    union = np.logical_or.reduceat(matched[:, order], starts, axis=1)  # groups x concepts
    idf = np.array([g.idf for g in groups], dtype=np.float32)
    concept_coverage = (idf @ union.astype(np.float32)) / (float(idf.sum()) or 1.0)
    per_doc = np.empty(len(docs), dtype=np.float32)
    per_doc[order] = np.repeat(concept_coverage, np.diff(np.r_[starts, len(docs)]))
    gain = np.where(coverage > 0, per_doc / np.maximum(coverage, 1e-6), 1.0)
    return (score * gain).astype(np.float32)


def _prior(index: LexicalIndex, docs: I32, score: npt.NDArray[np.floating], exact: BOOL, ranking: Ranking) -> F32:
    """The score times what the designation and its concept are worth on their own."""
    worth = index.doc_worth(ranking, docs)
    worth[exact] *= ranking.exact_bonus
    return (score * worth).astype(np.float32)


class _Allowed:
    """Which designations a query's filters let through (systems, billable only)."""

    def __init__(
        self,
        index: LexicalIndex,
        systems: Sequence[SystemId],
        billable_only: bool,
        within: tuple[int, int] | None = None,
    ) -> None:
        self.index = index
        self.concepts = index.concept_filter(tuple(sorted(set(systems))), billable_only)
        if within is not None:
            first, end = within
            keep = np.zeros(len(index.concept_system), dtype=np.bool_)
            keep[first : min(end, len(keep))] = True
            self.concepts = keep if self.concepts is None else keep & self.concepts

    def docs(self, docs: I32) -> I32:
        if self.concepts is None:
            return docs
        return docs[self.concepts[self.index.doc_concept[docs]]]

    def mask(self, docs: I32) -> BOOL | None:
        return None if self.concepts is None else self.concepts[self.index.doc_concept[docs]]


def _totals(index: LexicalIndex, docs: I32) -> tuple[int, dict[SystemId, int]]:
    """How many distinct concepts the designations belong to, in all and per system."""
    if not len(docs):
        return 0, {}
    marked = np.zeros(len(index.concept_system), dtype=np.bool_)
    marked[index.doc_concept[docs]] = True
    ranges = index.system_ranges
    if ranges is None:
        per_system = np.bincount(index.concept_system[np.flatnonzero(marked)], minlength=len(SYSTEMS))
        counts = {SYSTEMS[i]: int(n) for i, n in enumerate(per_system) if n}
    else:
        counts = {s: int(np.count_nonzero(marked[lo:hi])) for s, (lo, hi) in ranges.items()}
    return int(np.count_nonzero(marked)), {s: n for s, n in counts.items() if n}


def _families(index: LexicalIndex, docs: I32) -> int:
    """How many distinct results the designations give once 7th-character siblings count as one."""
    return len(np.unique(index.concept_family[index.doc_concept[docs]]))


def _rank(
    index: LexicalIndex, docs: I32, score: F32, coverage: F32, want: int, *, ranking: Ranking
) -> list[ConceptScore]:
    """The ``want`` best concepts, each with its best designation."""
    # Only the best designations can hold the best concepts: rank a short list, not every match.
    keep = min(len(docs), max(want * ranking.limits.rank_keep, ranking.limits.rank_keep_min))
    if keep < len(docs):
        top = np.argpartition(-score, keep - 1)[:keep]
        docs, score, coverage = docs[top], score[top], coverage[top]
    concepts = index.doc_concept[docs]
    order = np.lexsort((-score, concepts))
    unique, first = np.unique(concepts[order], return_index=True)
    best = order[first]
    best_score = score[best]
    # Concepts tied on their best name are told apart by their next one: the code more of whose names say the
    # words ("Fracture, traumatic, ulna" and "Fracture, pathological, ulna" tie for `ulna fracture`; the traumatic
    # code's title says "fracture of shaft of ulna" too).
    after = first + 1
    has_next = np.zeros(len(first), dtype=np.bool_)
    within = after < len(order)
    has_next[within] = concepts[order[after[within]]] == unique[within]
    # Only where the best name holds every word: among names holding some, more names holding them say less.
    has_next &= coverage[best] >= FULL
    next_score = np.where(has_next, score[order[np.minimum(after, len(order) - 1)]], 0.0)
    # One value for a family of 7th-character siblings, which keep their official order (the initial encounter).
    _, member = np.unique(index.concept_family[unique], return_inverse=True)
    family_next = np.zeros(int(member.max()) + 1 if len(member) else 0, dtype=np.float64)
    np.maximum.at(family_next, member, next_score)
    ranked = np.lexsort((-family_next[member], -best_score))
    # One concept of each family of 7th-character siblings first, the other siblings after all of them.
    families = index.concept_family[unique[ranked]]
    _, leader = np.unique(families, return_index=True)
    leads = np.zeros(len(ranked), dtype=np.bool_)
    leads[leader] = True
    ranked = np.concatenate([ranked[leads], ranked[~leads]])[:want]
    return [
        ConceptScore(int(unique[i]), float(best_score[i]), int(docs[best[i]]), float(coverage[best[i]])) for i in ranked
    ]


def _of_head(groups: Sequence[Group], ranking: Ranking) -> Sequence[Group]:
    """The groups with the first weighing ``Ranking.of_head`` times its own where the query is "<word> of <words>":
    the word before "of" names the thing ("history of deep vein thrombosis" is a history; "sprain and strain of
    wrist" names two things, and is left as it is)."""
    if len(groups) > 2 and groups[1].word == "of" and ranking.of_head != 1.0:
        return [dataclasses.replace(groups[0], idf=groups[0].idf * ranking.of_head), *groups[1:]]
    return groups


def _postings_of(index: LexicalIndex, a: Atom, ranking: Ranking) -> tuple[I32, F32]:
    """Every posting of an atom (a designation may repeat) with its match weight, idf included."""
    docs: list[I32] = []
    weights: list[F32] = []
    if a.hi > a.lo:
        start, end = int(index.term_ptr[a.lo]), int(index.term_ptr[a.hi])
        terms = np.repeat(np.arange(a.lo, a.hi, dtype=np.int32), index.df[a.lo : a.hi])
        factor = ranking.completion(len(a.word) / index.term_len[terms].astype(np.float32))
        for t in a.exact:
            factor[terms == t] = 1.0
        docs.append(index.post_doc[start:end])
        weights.append((_read(index, start, end, ranking) * factor).astype(np.float32))
    for t in a.exact:
        if not a.lo <= t < a.hi:
            start, end = int(index.term_ptr[t]), int(index.term_ptr[t + 1])
            docs.append(index.post_doc[start:end])
            weights.append(_read(index, start, end, ranking))
    if not docs:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
    return np.concatenate(docs), (np.concatenate(weights) * a.idf).astype(np.float32)


def _read(index: LexicalIndex, start: int, end: int, ranking: Ranking) -> F32:
    """Postings' weights as one word reads them: a word of a name's tail counts ``Ranking.tail`` of its weight
    (one word matches nothing of the head besides)."""
    weights = index.post_weight[start:end].astype(np.float32)
    tail = weights < 0
    if tail.any():
        weights[tail] *= np.float32(-ranking.tail)
    return weights


def _one_word(index: LexicalIndex, g: Group, want: int, allowed: _Allowed, ranking: Ranking) -> LexicalResult:
    """A one-word query scored straight from the postings (no designation is looked into)."""
    parts = [_postings_of(index, alt[0], ranking) for alt in g.alternatives if len(alt) == 1]
    docs = np.concatenate([d for d, _ in parts])
    weights = np.concatenate([w for _, w in parts])
    mask = allowed.mask(docs)
    if mask is not None:
        docs, weights = docs[mask], weights[mask]
    exact = index.doc_said[docs] <= 1
    score = _prior(index, docs, weights * _headed(index, [g], docs, ranking), exact, ranking)
    total, facets = _totals(index, docs)
    hits = _rank(index, docs, score, np.ones(len(docs), dtype=np.float32), want, ranking=ranking)
    return LexicalResult(tuple(hits), total, facets, bool(hits))


def _entries(index: LexicalIndex, docs: I32) -> tuple[I32, I32, I32]:
    """The positions in the forward arrays of the entries of ``docs`` (each designation's in turn), how many each
    has, and where each one's start among them."""
    starts = index.doc_ptr[docs]
    lengths = index.doc_ptr[docs + 1] - starts
    seg = np.zeros(len(docs), dtype=np.int32)  # the forward arrays are held with int32 pointers
    np.cumsum(lengths[:-1], out=seg[1:])
    positions = np.arange(int(lengths.sum()), dtype=np.int32) - np.repeat(seg - starts, lengths)
    return positions, lengths, seg


def _members(index: LexicalIndex, g: Group, docs: I32) -> BOOL:
    """Which of ``docs`` hold at least one word of the group (any alternative's atoms, by their ranges): read from
    the designations' own words where they are fewer than the group's postings, else marked from the postings."""
    ranges = [
        (lo, hi)
        for alt in g.alternatives
        for a in alt
        for lo, hi in ((a.lo, a.hi), (a.stem_lo, a.stem_hi), *((t, t + 1) for t in a.exact))
        if hi > lo
    ]
    postings = sum(index.posting_count(lo, hi) for lo, hi in ranges)
    if len(docs) * _FORWARD_SHARE < postings:
        positions, lengths, _ = _entries(index, docs)
        if len(positions) < postings:
            terms = np.take(index.doc_term, positions)
            held = np.zeros(len(terms), dtype=np.bool_)
            for lo, hi in ranges:
                held |= (terms >= lo) & (terms < hi) if hi - lo > 1 else terms == lo
            found = np.zeros(len(docs), dtype=np.bool_)
            found[np.repeat(np.arange(len(docs)), lengths)[held]] = True
            return found
    marked = np.zeros(len(index.doc_id), dtype=np.bool_)
    for lo, hi in ranges:
        marked[index.post_doc[index.term_ptr[lo] : index.term_ptr[hi]]] = True
    return marked[docs]


# Reading a candidate's own words costs more than marking a posting (a gather over several arrays, not one store):
# fewer postings than this many times the candidates are marked from the postings, without counting the
# candidates' words first (measured over the benchmark's queries: 0.13 -> 0.09 ms a query at 16 or 32, 0.11 at 4).
_FORWARD_SHARE = 16


def _pool(index: LexicalIndex, groups: Sequence[Group], allowed: _Allowed, ranking: Ranking) -> I32:
    """The designations with the highest sum of per-word weights, when not every word must match."""
    docs: list[I32] = []
    weights: list[F32] = []
    for g in sorted(groups, key=lambda g: g.cost):
        if docs and g.cost > ranking.limits.candidate_postings:
            break  # a very common word adds little but cost
        for alt in g.alternatives:
            for a in alt:
                d, w = _postings_of(index, a, ranking)
                docs.append(d)
                weights.append((w / len(alt)).astype(np.float32))
    all_docs = np.concatenate(docs)
    all_weights = np.concatenate(weights)
    mask = allowed.mask(all_docs)
    if mask is not None:
        all_docs, all_weights = all_docs[mask], all_weights[mask]
    hit, sums = _sums_by_doc(all_docs, all_weights, len(index.doc_id))
    pool = ranking.limits.pool
    if len(hit) > pool:
        hit = hit[np.argpartition(-sums, pool - 1)[:pool]]
    return np.sort(hit).astype(np.int32)


# Postings fewer than the designations over this are summed sorted, not counted over every designation.
_SORTED_SUMS_SHARE = 64


def _sums_by_doc(docs: I32, weights: F32, size: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """The designations among ``docs`` with a non-zero sum of their ``weights`` (ascending), and the sums.

    Few postings ("heart att": 4,000) are summed sorted; many are counted over every designation (~680,000 in
    the full build), and the designations read are found from a mark per designation, not by testing every
    float sum (a third of the time). Both add each designation's weights in the order given, in float64.
    """
    if len(docs) * _SORTED_SUMS_SHARE < size:
        order = np.argsort(docs, kind="stable")
        ordered = docs[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(ordered) else np.empty(0, np.intp)
        found = ordered[starts].astype(np.intp)
        sums = np.add.reduceat(weights[order].astype(np.float64), starts) if len(starts) else np.empty(0)
    else:
        read = np.zeros(size, dtype=np.bool_)
        read[docs] = True
        found = np.flatnonzero(read)
        sums = np.bincount(docs, weights=weights, minlength=size)[found]
    keep = sums != 0
    return found[keep], sums[keep]


class Subtrees:
    """The designations below headers, each scored once, read run by run as narrowing goes down.

    Narrowing asks, for each header among the first hits and level by level, which child's subtree holds the
    best-scoring designation. Every level's runs lie within its header's subtree, and a designation's score does
    not depend on which others are scored with it: the headers' subtrees are scored together, once
    (``prepare``), and every level reads its runs from those scores.
    """

    def __init__(self, index: LexicalIndex, groups: Sequence[Group], ranking: Ranking) -> None:
        self.index = index
        self.groups = [g for g in groups if g.alternatives]
        self.ranking = ranking
        self._ranges: list[tuple[int, int]] = []  # the concept ids scored, [first, end) each
        self._concepts: I32 = np.empty(0, dtype=np.int32)  # the concept of each scored designation
        self._names: Names = np.empty(0, dtype=np.int64)  # its designation id
        self._scores: F32 = np.empty(0, dtype=np.float32)
        self._matched: BOOL = np.zeros((len(self.groups), 0), dtype=np.bool_)  # groups x scored designations
        self._idf = np.array([g.idf for g in self.groups], dtype=np.float32)

    def _docs(self, first: int, end: int) -> I32 | None:
        """The designations of concepts [first, end); None when they are too many to look into."""
        pointer, order = self.index.concept_docs
        docs = order[pointer[first] : pointer[end]]
        return None if len(docs) > self.ranking.limits.narrower else docs

    def prepare(self, ranges: Sequence[tuple[int, int]]) -> None:
        """Score the designations of these runs of concepts at once (those not scored yet, not too many). The widest
        first: a run inside one scored already is not scored again."""
        parts = []
        for first, end in sorted(ranges, key=lambda r: r[0] - r[1]):
            docs = None if self._covers(first, end) else self._docs(first, end)
            if docs is not None:
                parts.append(docs)
                self._ranges.append((first, end))
        if parts:
            self._add(np.concatenate(parts))

    def _add(self, docs: I32) -> None:
        if len(docs):
            self._concepts = np.concatenate([self._concepts, self.index.doc_concept[docs]])
            self._names = np.concatenate([self._names, self.index.doc_id[docs]])
            score, _coverage, matched = _score_matched(self.index, self.groups, docs, self.ranking)
            self._scores = np.concatenate([self._scores, score])
            self._matched = np.concatenate([self._matched, matched], axis=1)

    def _covers(self, first: int, end: int) -> bool:
        return any(lo <= first and end <= hi for lo, hi in self._ranges)

    def said(self, doc: int) -> BOOL:
        """Which of the query's word groups a designation matches."""
        if not self.groups:
            return np.zeros(0, dtype=np.bool_)
        return _score_matched(self.index, self.groups, np.array([doc], dtype=np.int32), self.ranking)[2][:, 0]

    def best(
        self, bounds: Sequence[int], without: Names | None = None, said: Callable[[], BOOL] | None = None
    ) -> Read | None:
        """The best designation score in each run of concepts ``[bounds[i], bounds[i + 1])`` (a child's subtree).

        -1 for a run without designations; None when the runs hold too many designations (a chapter's worth) to
        look into. ``without``: designation ids of a header's own names, which the index lends the code the header
        defaults to: they say what the header says, not which child it means. Where some lie in the runs, also the
        most idf of the query's words beyond ``said()`` (the groups the header's name matches) a designation of
        each run matches, those names left out.
        """
        first, end = bounds[0], bounds[-1]
        if not self._covers(first, end):
            docs = self._docs(first, end)
            if docs is None:
                return None
            self._ranges.append((first, end))
            self._add(docs)
        best = np.full(len(bounds) - 1, -1.0, dtype=np.float32)
        beyond = np.zeros(len(bounds) - 1, dtype=np.float32)
        inside = np.flatnonzero((self._concepts >= first) & (self._concepts < end))
        lent = False
        if len(inside):
            run = np.searchsorted(np.asarray(bounds), self._concepts[inside], side="right") - 1
            np.maximum.at(best, run, self._scores[inside])
            if without is not None and said is not None:
                kept = ~np.isin(self._names[inside], without)
                lent = not kept.all()
                if lent and len(matched := said()) == len(self.groups):
                    rest = self._idf * ~matched
                    np.maximum.at(beyond, run[kept], rest @ self._matched[:, inside[kept]].astype(np.float32))
        return Read(best, beyond, lent)


@dataclass(frozen=True, slots=True)
class Read:
    """What ``Subtrees.best`` reads of each child's subtree: its best score (all its names read), the most idf
    of the query's words beyond the header's name a designation of it matches (the header's lent names left out),
    and whether the runs hold names the header lent."""

    scores: F32
    beyond: F32
    lent: bool


def search(
    index: LexicalIndex,
    groups: Sequence[Group],
    want: int,
    systems: Sequence[SystemId] = (),
    billable_only: bool = False,
    *,
    ranking: Ranking,
    within: tuple[int, int] | None = None,
    broad: Recent[BroadKey, LexicalResult] | None = None,
) -> LexicalResult:
    """The ``want`` best concepts for the groups (each group needs at least one alternative).

    Where at least ``Limits.enough`` concepts match every word, those are the answer and the total counts
    them; otherwise the concepts matching some words join them and the total counts those. Either way the
    total does not depend on ``want`` (a page of 10 and a page of 200 say the same), and it is estimated, and
    says so, when the words are too broad to count every match.

    ``broad`` remembers the answers to one broad word: a word of one or two letters ("a", "in") reads every
    posting of every word it starts, up to a million, and it is what autocomplete sends first.
    """
    groups = [g for g in groups if g.alternatives]
    if not groups:
        return LexicalResult((), 0, {}, False)
    limits = ranking.limits
    allowed = _Allowed(index, systems, billable_only, within)
    by_cost = sorted(groups, key=lambda g: g.cost)
    if len(groups) == 1 and (by_cost[0].cost > limits.gather and all(len(alt) == 1 for alt in groups[0].alternatives)):
        if broad is None:
            return _one_word(index, groups[0], want, allowed, ranking)
        key = (groups[0], want, tuple(sorted(set(systems))), billable_only, within, ranking)
        found = broad.get(key)
        if found is None:
            found = _one_word(index, groups[0], want, allowed, ranking)
            broad.put(key, found)
        return found
    # Every word must match: candidates from the cheapest word, narrowed to those holding the next ones while many
    # (a designation that lacks a word of the query is no full match; fewer are scored).
    docs = allowed.docs(_candidates(index, by_cost[0], limits.candidate_postings))
    for g in by_cost[1:]:
        if len(docs) <= limits.gather:
            break
        docs = docs[_members(index, g, docs)]
    counted: tuple[int, dict[SystemId, int]] | None = None  # the concepts matching every word
    estimated = False
    if len(docs) > limits.gather:
        # Designations are numbered best first, so the first candidates are the likeliest answers: when
        # they alone give enough full matches, the rest would rank below them anyway.
        head = docs[: limits.gather]
        score, coverage = _score(index, groups, head, ranking)
        full = coverage >= FULL
        if full.any():
            total, facets = _totals(index, head[full])
            scale = len(docs) / len(head)  # the share of full matches in the head, over all candidates
            counted = round(total * scale), {s: round(n * scale) for s, n in facets.items()}
            estimated = True
            if _families(index, head[full]) >= max(want, limits.enough):
                hits = _rank(index, head[full], score[full], coverage[full], want, ranking=ranking)
                return LexicalResult(tuple(hits), *counted, True, True)
    if len(docs) > limits.gather * 4:
        docs = _pool(index, groups, allowed, ranking)  # every word is common: score the best by their postings
    if len(docs):
        score, coverage = _score(index, groups, docs, ranking)
        full = coverage >= FULL
        if full.any():
            if counted is None:
                counted = _totals(index, docs[full])
            # Too few full matches: codes matching only some words join them (this depends on the query only,
            # so that every page size lists the same codes in the same order, under the same total).
            if len(groups) == 1 or _families(index, docs[full]) >= limits.enough:
                hits = _rank(index, docs[full], score[full], coverage[full], want, ranking=ranking)
                return LexicalResult(tuple(hits), *counted, True, estimated)
    if len(groups) == 1:
        return LexicalResult((), 0, {}, False)
    # Too little matches every word: let words be missing, scoring the designations that hold the most.
    groups = _of_head(groups, ranking)
    docs = _pool(index, groups, allowed, ranking)
    if not len(docs):
        return LexicalResult((), 0, {}, False)
    scored = _score_matched(index, groups, docs, ranking)
    score, coverage, _ = scored
    counted, estimated = _totals(index, docs[score > 0]), False
    score = _concept_coverage(index, groups, docs, scored)
    hits = _rank(index, docs, score, coverage, want, ranking=ranking)
    # Whether the best hit's designation (``docs`` are sorted: ``_pool``) matches every group that names something.
    complete = bool(hits) and bool(scored[2][_naming(groups, ranking), np.searchsorted(docs, hits[0].doc)].all())
    return LexicalResult(tuple(hits), *counted, complete, estimated)
