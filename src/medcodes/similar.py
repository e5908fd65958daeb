"""Similar codes: for one code, a short ranked list of its neighbours in every system, each with why.

Neighbours are found on demand (a page asks for one code at a time; every finder is a few indexed
look-ups), by independent finders that each say why in words and how strongly (a score in 0..1):

- the hierarchy: codes that differ in one character only (``variant``: laterality, episode of care,
  PCS approach, device, qualifier, body part), the same parent (``sibling``), the same grandparent or
  PCS table (``family``); ICD-10-PCS codes on the same body part by another root operation (``body_part``);
- the ICD-10-CM Alphabetic Index: neighbouring entries under the same term, and the other columns of
  the same row of the Neoplasm and Drug Tables (``index_term``);
- the Excludes notes of the code and its ancestors (``note``);
- relations: crosswalk rows (``maps_to``: GEMs, WHO tables), directly or through a shared target
  (``crosswalk``), and other references (``reference``);
- MS-DRG families that differ only in the CC/MCC split (``drg_family``), HCPCS codes of the same Medicare
  manual section (``coverage``);
- similar words in titles and inclusion terms, over every system (``wording``: TF-IDF cosine over the
  search engine's lexical index).

A neighbour's score combines its reasons as independent evidence, 1 - prod(1 - s). Codes that say the
same thing again are grouped: the other 7th characters (episodes of care), the other PCS approaches,
devices and qualifiers of a code fold into one entry ("and 11 more: other episodes of care"); a group
that is not folded outright (other body parts, other root operations, other subcategories) loses weight
with each member already listed, so that the list leaves room for the other kinds, and the members that
do not make the list are counted in the ``more`` of the first one that does. Each kind has a documented
minimum score (``MIN_SCORE``); nothing below it is listed, and a code without neighbours of a kind has none.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from medcodes.matches import default_words, row_words, table_name, through
from medcodes.models import (
    Concept,
    ConceptKind,
    DesignationKind,
    NoteKind,
    RelationKind,
    SimilarCode,
    SimilarKind,
    SimilarReason,
)
from medcodes.recent import Recent
from medcodes.search.index import KINDS, SYSTEMS, LexicalIndex
from medcodes.search.text import index_words, tokens
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import NAMES, SystemId

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]

MAX_LIMIT = 50

# The score of each kind of reason (the strongest form of it) and the least a reason of that kind may
# score to be listed at all. See docs/similar.md.
SCORE: dict[str, float] = {
    "variant": 0.8,  # one character apart (not the 7th character / PCS approach, device, qualifier)
    "variant_folded": 0.75,  # one character apart in the 7th character or a PCS approach, device, qualifier
    "variant_body_part": 0.6,  # a PCS code on another body part, same operation, approach, device, qualifier
    "sibling": 0.6,  # a billable code with the same parent
    "sibling_header": 0.45,  # a subcategory with the same parent
    "family": 0.35,  # the same grandparent, or the same PCS table and body part
    "body_part": 0.55,  # the same PCS body part, another root operation (+0.15 for approach, device, qualifier)
    "index_row": 0.5,  # the same row of the Neoplasm or Drug Table
    "index_term": 0.5,  # the same parent term of the Alphabetic Index, up to BROAD_INDEX neighbours
    "index_term_broad": 0.35,  # the same parent term, among more: supporting
    "excludes1": 0.5,
    "excludes2": 0.45,
    "crosswalk": 0.8,  # a mapping row
    "crosswalk_shared": 0.55,  # both map to (or from) the same code of another system; / log2(1 + fan-out)
    "reference": 0.6,
    "drg_family": 0.9,
    "coverage": 0.45,  # the same Medicare manual section, shared by at most MANUAL_MAX codes
    "nearby": 0.3,  # a nearby HCPCS code of the same range and BETOS category; + NEARBY_WEIGHT x the words shared
}
MIN_SCORE: dict[SimilarKind, float] = {
    SimilarKind.VARIANT: 0.6,
    SimilarKind.SIBLING: 0.45,
    SimilarKind.FAMILY: 0.35,
    SimilarKind.BODY_PART: 0.55,
    SimilarKind.INDEX_TERM: 0.4,
    SimilarKind.NOTE: 0.45,
    SimilarKind.CROSSWALK: 0.25,
    SimilarKind.REFERENCE: 0.6,
    SimilarKind.DRG_FAMILY: 0.9,
    SimilarKind.COVERAGE: 0.45,
    SimilarKind.NEARBY: 0.45,
    SimilarKind.WORDING: 0.5,  # TF-IDF cosine of the titles (or inclusion terms)
}
# Clues weaker than this are dropped; a clue of a kind in SUPPORTING, or below its kind's minimum, is shown
# only beside a clue that qualifies on its own. Codes named in Excludes notes are deliberately other
# conditions ("not coded here"): worth saying, not a reason to list a code.
SUPPORT_MIN = 0.2
SUPPORTING = frozenset({SimilarKind.NOTE})
# A header (a subcategory, a category with codes below it) counts this much of a code.
HEADER_FACTOR = 0.75
# Each member of a group already listed multiplies the next one's weight by this; each listed entry of the
# same kind, by KIND_DECAY. Ranking only: the score shown is the neighbour's own.
GROUP_DECAY = 0.7
KIND_DECAY = 0.85
SYSTEM_DECAY = 0.8  # per listed entry of the same other system
# Candidates gathered per finder, at most.
SCAN_LIMIT = 4000
BROAD_INDEX = 12
INDEX_MAX = 40
MANUAL_MAX = 60
# Codes sharing one crosswalk target, at most (beyond, the target is too broad to say anything).
SHARED_MAX = 8
# Text-similar concepts considered, at most: of the code's own system, and of each other system.
WORDING_SAME_SYSTEM = 30
WORDING_OTHER_SYSTEM = 4
# Postings fewer than 1/SPARSE_POSTINGS of the designations are summed by sorting them (n log n); more, over a
# dense array of every designation (whose allocation and scan cost about a millisecond on the full database).
SPARSE_POSTINGS = 8
PCS_OTHER_BODY_SYSTEM = 0.8
# Words that every part of a classification uses for its leftovers weigh this much of their idf in a title
# compared for wording ("Venous catheterization, not elsewhere classified" is not near "Hemorrhage, not
# elsewhere classified").
BOILERPLATE = frozenset({"not", "elsewhere", "classified", "unspecified", "other", "specified", "nec", "nos"})
BOILERPLATE_WEIGHT = 0.3
# A clue that needs corroboration (an Alphabetic Index neighbour, a conversion-table row within a system, a
# crosswalk row read through another code) lists its code only where the two titles share at least this much of
# the rarer words of the shorter one (idf-weighted), or, for an index neighbour, where both codes are of one
# ICD-10-CM chapter letter. Else it only supports another reason: "Syndrome, low" puts heart failure (output)
# next to low back pain, and the conversion table names J4A.0 allograft syndrome as carved out of J44.1 COPD.
CORROBORATION = 0.3
# HCPCS neighbours in the official order: codes this many places either side, sharing at least NEARBY_SHARE of
# the words (as above); score SCORE["nearby"] + NEARBY_WEIGHT x the share.
NEARBY_SPAN = 40
NEARBY_SHARE = 0.4
NEARBY_WEIGHT = 0.4
# Titles whose weighted words are kept (the same neighbours come up for code after code).
_TITLES_KEPT = 20_000

_STRUCTURAL = {SimilarKind.VARIANT, SimilarKind.SIBLING, SimilarKind.FAMILY, SimilarKind.BODY_PART}
_TREE_SYSTEMS = {SystemId.ICD10CM, SystemId.ICD9CM, SystemId.ICD10, SystemId.ICD11}
_SKIPPED_KINDS = {ConceptKind.CHAPTER, ConceptKind.BLOCK, ConceptKind.EXTENSION, ConceptKind.MODIFIER}

# The property of each ICD-10-PCS axis (1-based) where the table titles it as the Medical and Surgical section
# does; an axis titled otherwise ("Type", "Contrast", "Duration") is "pcs.axisN" (see sources/icd10pcs.py).
_PCS_AXES = {3: "pcs.operation", 4: "pcs.body_part", 5: "pcs.approach", 6: "pcs.device", 7: "pcs.qualifier"}
_PCS_AXIS_WORDS = {3: "operation", 4: "body part", 5: "approach", 6: "device", 7: "qualifier"}

_LATERALITY = {"right", "left", "bilateral", "unilateral", "unspecified"}
_SMALL_WORDS = {"of", "the", "a", "an", "and", "or"}
# A code named in a note: "(E10.-)", "(O24.4-)", "(P70.2)"; a range such as "(C00-D49)" is not one code.
_NOTE_CODE = re.compile(r"(?<![\w.-])([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?!-[A-Z0-9])")
# MS-DRG titles end with the severity split the family shares: "... WITH MCC", "... WITHOUT CC/MCC".
_DRG_SEVERITY = re.compile(r"\s+(?:WITH|WITHOUT)\s+(?:CC/MCC|MCC|CC)\b(?:\s+OR\s+.*)?$")
_TABLE_CELL = " \u2014 "  # "Neoplasm, neoplastic, lung — Malignant Primary"


@dataclass(frozen=True, slots=True)
class Clue:
    """One finder's evidence that ``code`` is similar, and which group of near-duplicates it belongs to."""

    system: SystemId
    code: str
    kind: SimilarKind
    text: str
    score: float
    group: tuple[str, ...] | None = None
    fold: bool = False  # members of the group after the first are never listed on their own
    more_label: str | None = None
    corroborate: bool = False  # qualifies only where the titles agree (see CORROBORATION)


@dataclass(slots=True)
class _Neighbour:
    """A candidate and its clues; ``settle`` fixes its score and the clue that leads it."""

    concept: Concept
    clues: list[Clue] = field(default_factory=list)
    score: float = 0.0
    lead: Clue | None = None

    def settle(self) -> None:
        best: dict[SimilarKind, float] = {}
        for clue in self.clues:
            best[clue.kind] = max(best.get(clue.kind, 0.0), clue.score)
        miss = 1.0
        for value in best.values():
            miss *= 1.0 - value
        self.score = 1.0 - miss
        # The group and kind come from the strongest structural clue, else from the strongest one.
        structural = [c for c in self.clues if c.kind in _STRUCTURAL]
        self.lead = max(structural or self.clues, key=lambda c: c.score)

    def reasons(self) -> tuple[SimilarReason, ...]:
        """One reason per kind (its strongest clue), in SimilarKind's order: structure first, wording last."""
        best: dict[SimilarKind, Clue] = {}
        for clue in self.clues:
            if clue.kind not in best or clue.score > best[clue.kind].score:
                best[clue.kind] = clue
        return tuple(SimilarReason(kind, best[kind].text) for kind in SimilarKind if kind in best)


class SimilarFinder:
    """Finds the similar codes of one concept at a time, from a store and (optionally) its lexical index."""

    def __init__(self, store: SQLiteStore, index: LexicalIndex | None) -> None:
        self.store = store
        skipped = store.concept_ids_of_kinds(sorted(_SKIPPED_KINDS)) if index is not None else []
        self.wording = Wording(index, skipped) if index is not None else None
        self.overlap = Overlap(index)

    def similar(self, concept: Concept, limit: int = 10) -> list[SimilarCode]:
        limit = max(1, min(limit, MAX_LIMIT))
        clues = list(self.clues(concept))
        neighbours = self._neighbours(concept, clues)
        return _select(neighbours, concept.system, limit)

    def clues(self, concept: Concept) -> Iterator[Clue]:
        """Every finder's clues (unfiltered; several may name the same code)."""
        yield from hierarchy_clues(self.store, concept)
        if concept.system is SystemId.ICD10PCS:
            yield from pcs_clues(self.store, concept)
        if concept.system is SystemId.ICD10CM:
            yield from index_clues(self.store, concept)
            yield from note_clues(self.store, concept)
        if concept.system is SystemId.MSDRG:
            yield from drg_clues(self.store, concept)
        if concept.system is SystemId.HCPCS:
            yield from coverage_clues(self.store, concept)
            yield from nearby_clues(self.store, concept, self.overlap)
        yield from relation_clues(self.store, concept)
        if self.wording is not None:
            yield from self.wording.clues(self.store, concept)

    def _neighbours(self, concept: Concept, clues: Sequence[Clue]) -> list[_Neighbour]:
        """The clues by neighbour, scaled, of the codes that at least one clue qualifies (see ``qualifies``)."""
        wanted: dict[SystemId, list[str]] = {}
        for clue in clues:
            if clue.score >= SUPPORT_MIN:
                wanted.setdefault(clue.system, []).append(clue.code)
        concepts: dict[tuple[SystemId, str], Concept] = {}
        for system, codes in wanted.items():
            for code, found in self.store.concepts_in(system, codes).items():
                concepts[(system, code)] = found
        related = _lineage(self.store, concept)
        out: dict[tuple[SystemId, str], _Neighbour] = {}
        for found_clue in clues:
            clue = found_clue
            key = (clue.system, clue.code)
            other = concepts.get(key)
            if other is None or key in related or (other.kind in _SKIPPED_KINDS and other.kind is not concept.kind):
                continue
            if _descends(other, concept):
                continue
            if _other_episode(concept, other):
                continue
            if not other.billable and concept.billable:
                # A 6-character stem of another code (T52.2X2 for T52.1X2S) stands for its code with the same
                # 7th character, where that exists.
                twin = _same_seventh(self.store, concept, other)
                if twin is not None:
                    key, other = (twin.system, twin.code), twin
                    clue = dataclasses.replace(clue, code=twin.code)
                    if key in related:
                        continue
            header = (
                concept.billable
                and not other.billable
                and other.system is concept.system
                and clue.kind is not SimilarKind.SIBLING  # its score says header already
            )
            if clue.corroborate and not self._agree(concept, other, clue):
                clue = dataclasses.replace(clue, score=min(clue.score, SUPPORT_MIN))
            scaled = _scaled(clue, HEADER_FACTOR if header else 1.0)
            if scaled.score >= SUPPORT_MIN:
                out.setdefault(key, _Neighbour(other)).clues.append(scaled)
        return [n for n in out.values() if any(qualifies(c) for c in n.clues)]

    def _agree(self, concept: Concept, other: Concept, clue: Clue) -> bool:
        """Whether the titles corroborate a clue that cannot stand on its own evidence (see CORROBORATION)."""
        if (
            clue.kind is SimilarKind.INDEX_TERM
            and concept.system is other.system is SystemId.ICD10CM
            and concept.code[0] == other.code[0]
        ):
            return True
        return self.overlap.share(concept.title, other.title) >= CORROBORATION


class Overlap:
    """How much of one title's rarer words another title shares: the idf-weighted share of the shorter title's
    words (boilerplate and small words left out) that both hold. Without a lexical index, every word weighs one."""

    def __init__(self, index: LexicalIndex | None) -> None:
        self.index = index
        self.unknown = float(index.idf.max()) if index is not None and len(index.idf) else 1.0
        self.known: Recent[str, dict[str, float]] = Recent(_TITLES_KEPT)

    def words(self, title: str) -> dict[str, float]:
        found = self.known.get(title)
        if found is None:
            found = {w: self._weight(w) for w in tokens(title) if w not in BOILERPLATE and w not in _SMALL_WORDS}
            self.known.put(title, found)
        return found

    def share(self, mine: str, other: str) -> float:
        a, b = self.words(mine), self.words(other)
        if not a or not b:
            return 0.0
        shared = sum(a[w] for w in a.keys() & b.keys())
        return shared / min(sum(a.values()), sum(b.values()))

    def _weight(self, word: str) -> float:
        if self.index is None:
            return 1.0
        term = self.index.term(word)
        return float(self.index.idf[term]) if term is not None else self.unknown


def qualifies(clue: Clue) -> bool:
    """Whether a clue lists its code on its own: it reaches its kind's minimum, and its kind may stand alone.

    Weaker clues (down to SUPPORT_MIN) and clues of SUPPORTING kinds are shown only beside a qualifying one.
    """
    return clue.kind not in SUPPORTING and clue.score >= MIN_SCORE[clue.kind]


def _same_seventh(store: SQLiteStore, concept: Concept, header: Concept) -> Concept | None:
    """The code below ``header`` with the 7th character of ``concept`` (ICD-10-CM), if both have that shape."""
    if concept.system is not SystemId.ICD10CM or header.system is not SystemId.ICD10CM:
        return None
    if len(_plain(concept.code)) != 7 or len(_plain(header.code)) != 6:
        return None
    return store.get(header.system, header.code + concept.code[-1])


def _other_episode(concept: Concept, other: Concept) -> bool:
    """An ICD-10-CM code with another 7th character that differs in more than it (S90.473D for S90.471A)."""
    if concept.system is not SystemId.ICD10CM or other.system is not SystemId.ICD10CM:
        return False
    mine, theirs = _plain(concept.code), _plain(other.code)
    return len(mine) == len(theirs) == 7 and mine[6] != theirs[6] and mine[:6] != theirs[:6]


def _scaled(clue: Clue, factor: float) -> Clue:
    if factor == 1.0:
        return clue
    return dataclasses.replace(clue, score=clue.score * factor)


def _descends(other: Concept, concept: Concept) -> bool:
    """Whether ``other`` lies below ``concept`` by its code (E11.621 below E11, S52.521A below S52.52, 0UT70ZZ
    below table 0UT; not ICD-9-CM diagnosis 870.0 below procedure category 87)."""
    if other.system is not concept.system or other.code == concept.code or not other.code.startswith(concept.code):
        return False
    rest = other.code[len(concept.code) :]
    return concept.system is SystemId.ICD10PCS or "." in concept.code or rest.startswith(".")


def _lineage(store: SQLiteStore, concept: Concept) -> set[tuple[SystemId, str]]:
    """The concept, its ancestors and its children: shown beside the list already, never in it (nor any code
    below it: see ``_descends``)."""
    out = {(concept.system, concept.code)}
    out.update((a.system, a.code) for a in store.ancestors(concept.system, concept.code))
    out.update((c.system, c.code) for c in store.children(concept.system, concept.code))
    return out


def _twin(a: Concept, b: Concept, own: SystemId) -> str | None:
    """What ``b`` is to ``a`` where it is the same code but for laterality or its 7th character, or a code
    above or below it in another system than ``own`` (E11.0 and E11.00 for an ICD-11 code), else None.

    Such twins of a listed code are counted in its ``more`` instead of being listed (S52.111A lists
    S52.112A and S52.119A as "and 2 more: other lateralities").
    """
    if a.system is not b.system:
        return None  # (called for every listed code and every candidate: the cheap test first)
    if a.system is not own and (_descends(b, a) or _descends(a, b)):
        return "codes above or below it"
    if len(a.code) != len(b.code):
        return None
    diff = _differences(a.code, b.code)
    if len(diff) != 1:
        return None
    if a.system is SystemId.ICD10CM and len(_plain(a.code)) == 7 and diff[0] == len(a.code) - 1:
        return "other 7th characters"
    return "other lateralities" if _axis(a.title, b.title) else None


def _select(neighbours: Sequence[_Neighbour], own: SystemId, limit: int) -> list[SimilarCode]:
    """The best ``limit`` neighbours, near-duplicates grouped (see the module's docstring)."""
    for n in neighbours:
        n.settle()
    pool = sorted(neighbours, key=lambda n: (-n.score, n.concept.system.value, n.concept.seq))
    chosen: list[int] = []
    first_of_group: dict[tuple[str, ...], int] = {}
    group_count: dict[tuple[str, ...], int] = {}
    kind_count: dict[SimilarKind, int] = {}
    system_count: dict[SystemId, int] = {}
    twins: dict[int, tuple[int, str]] = {}  # pool index -> (chosen position, label)
    same_system: dict[SystemId, list[int]] = {}
    for i, n in enumerate(pool):
        same_system.setdefault(n.concept.system, []).append(i)
    while len(chosen) < limit:
        best_i, best_weight = -1, 0.0
        for i, n in enumerate(pool):
            if n.score <= best_weight:
                break  # the pool is by score, and a weight is never above its score: none further can win
            lead = n.lead
            assert lead is not None
            if i in chosen or i in twins or (lead.group in first_of_group and lead.fold):
                continue
            weight = n.score * KIND_DECAY ** kind_count.get(lead.kind, 0)
            if n.concept.system is not own:
                weight *= SYSTEM_DECAY ** system_count.get(n.concept.system, 0)
            if lead.group is not None:
                weight *= GROUP_DECAY ** group_count.get(lead.group, 0)
            if weight > best_weight:
                best_i, best_weight = i, weight
        if best_i < 0:
            break
        lead = pool[best_i].lead
        assert lead is not None
        kind_count[lead.kind] = kind_count.get(lead.kind, 0) + 1
        system = pool[best_i].concept.system
        system_count[system] = system_count.get(system, 0) + 1
        if lead.group is not None:
            group_count[lead.group] = group_count.get(lead.group, 0) + 1
            first_of_group.setdefault(lead.group, len(chosen))
        for i in same_system[system]:  # a twin is always of the listed code's own system
            label = None if i in twins or i in chosen else _twin(pool[best_i].concept, pool[i].concept, own)
            if label is not None and i != best_i:
                twins[i] = (len(chosen), label)
        chosen.append(best_i)
    more = [0] * len(chosen)
    labels: list[dict[str, None]] = [{} for _ in chosen]  # what the ``more`` of each entry are, in order
    for i, n in enumerate(pool):
        lead = n.lead
        assert lead is not None
        if i in chosen:
            continue
        if i in twins:
            at, label = twins[i]
        elif lead.group in first_of_group:
            at, label = first_of_group[lead.group], lead.more_label or "others like it"
        else:
            continue
        more[at] += 1
        labels[at][label] = None
    listed = [
        SimilarCode(
            pool[i].concept.system,
            pool[i].concept.code,
            pool[i].concept.title,
            round(pool[i].score, 4),
            pool[i].reasons(),
            pool[i].concept.billable,
            more[at],
            " and ".join(labels[at]) if more[at] else None,
        )
        for at, i in enumerate(chosen)
    ]
    return sorted(listed, key=lambda s: -s.score)


# ----------------------------------------------------------------------------------------- hierarchy
def _plain(code: str) -> str:
    return code.replace(".", "")


def _category(concept: Concept) -> str:
    """The part of a code before its dot: the ICD category (E11, 250, 87) or ICD-11 stem code (5A11)."""
    return concept.code.split(".", 1)[0]


def _differences(a: str, b: str) -> list[int]:
    return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def title_difference(mine: str, other: str) -> str:
    """How ``other`` differs from ``mine`` in words: "left instead of right", "adds in remission".

    At most the first two differences are named; small words at the edges of a difference are left out
    ("Colles' instead of Torus; omits lower end", not "... omits of lower end").
    """
    a, b = mine.split(), other.split()
    parts: list[str] = []
    # Words are compared without the commas and semicolons that follow them ("infarction," is "infarction", else
    # "infarction instead of infarction"), and shown as written.
    matcher = difflib.SequenceMatcher(a=_compared(a), b=_compared(b), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = _phrase(a[i1:i2]), _phrase(b[j1:j2])
        if op == "replace" and old and new:
            parts.append(f"{new} instead of {old}")
        elif op in ("insert", "replace") and new:
            parts.append(f"adds {new}")
        elif op in ("delete", "replace") and old:
            parts.append(f"omits {old}")
    return "; ".join(parts[:2]) if parts else "another wording"


def _compared(words: Sequence[str]) -> list[str]:
    return [w.strip(",;").lower() for w in words]


def _phrase(words: Sequence[str]) -> str:
    out = list(words)
    if out:
        out[-1] = out[-1].rstrip(",;")
    while out and out[0].lower() in _SMALL_WORDS:
        out.pop(0)
    while out and out[-1].lower() in _SMALL_WORDS:
        out.pop()
    return " ".join(out)


@functools.lru_cache(maxsize=50_000)
def _word_set(title: str) -> frozenset[str]:
    """A title's words, read once: the same titles are compared for code after code."""
    return frozenset(tokens(title))


def _axis(mine: str, other: str) -> str | None:
    """A name for the one thing two titles differ in, where it is laterality."""
    changed = (_word_set(mine) ^ _word_set(other)) - {"side", "of", "the", "and"}
    # "unspecified" alone is no side: "with unspecified complications" / "with other specified complications".
    sided = changed & (_LATERALITY - {"unspecified"})
    return "laterality" if sided and changed <= _LATERALITY else None


def _nearby(store: SQLiteStore, concept: Concept, seventh: bool) -> list[Concept]:
    """The codes of the concept's category that may be near it, each read once, through index ranges.

    With a 7th character: the codes with the same 7th character, and the other 7th characters of the same
    code (S72.019F: S72.???F and S72.019?). Otherwise the category and its codes of up to 3 characters after
    the dot (never the many 7-character codes below a header).
    """
    category = _glob(_category(concept))
    if seventh:
        patterns = [f"{category}.???{_glob(concept.code[-1])}", f"{_glob(concept.code[:-1])}?"]
    else:
        patterns = [category] + [f"{category}.{'?' * n}" for n in range(1, 4)]
    found: dict[str, Concept] = {}
    for pattern in patterns:
        for other in store.codes_matching(concept.system, pattern, SCAN_LIMIT):
            found.setdefault(other.code, other)
    return list(found.values())


def hierarchy_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """Variants, siblings and family in a tree system (ICD-10-CM, ICD-9-CM, ICD-10, ICD-11)."""
    if concept.system not in _TREE_SYSTEMS or concept.parent is None:
        return
    mine = _plain(concept.code)
    # A 7th character (ICD-10-CM injuries, poisonings, ...) is an axis of its own: codes that differ in it
    # fold into one entry, and codes that differ in more than it are near only with the same 7th character.
    seventh = len(mine) == 7 and concept.system is SystemId.ICD10CM
    parent = store.get(concept.system, concept.parent)
    grandparent = store.get(concept.system, parent.parent) if parent is not None and parent.parent else None
    found = {c.code: c for c in store.children(concept.system, concept.parent)}
    if concept.kind is not ConceptKind.CATEGORY:
        for other in _nearby(store, concept, seventh):
            found.setdefault(other.code, other)
    for other in found.values():
        if other.code == concept.code or other.kind in _SKIPPED_KINDS:
            continue
        theirs = _plain(other.code)
        diff = _differences(mine, theirs) if len(theirs) == len(mine) else []
        if len(diff) == 1 and _category(other) == _category(concept):
            yield _variant(concept, other, diff[0], seventh)
        elif seventh and (len(theirs) != 7 or theirs[6] != mine[6]):
            continue  # another injury, another 7th character: not near enough
        elif other.parent == concept.parent and parent is not None:
            yield Clue(
                other.system,
                other.code,
                SimilarKind.SIBLING,
                f"Same parent: {parent.named}",
                SCORE["sibling"] if other.billable else SCORE["sibling_header"],
                # Siblings that share all but their last character (ICD-9-CM 38.00, 38.01 ...) are one group.
                group=("sibling", other.code[:-1]),
                more_label=f"others under {parent.shown_code or parent.title}",
            )
        elif grandparent is not None and other.billable and other.code.startswith(grandparent.code):
            yield Clue(
                other.system,
                other.code,
                SimilarKind.FAMILY,
                f"Same {'group' if concept.system is SystemId.ICD11 else 'category'}: {grandparent.named}",
                SCORE["family"],
                group=("family", other.parent or ""),
                more_label=f"others under {other.parent}",
            )


def _variant(concept: Concept, other: Concept, position: int, seventh: bool) -> Clue:
    """The clue of a code one character apart: an episode of care, laterality, or another character."""
    group = ("variant", str(position))
    if seventh and position == 6:
        return Clue(
            other.system,
            other.code,
            SimilarKind.VARIANT,
            f"Differs only in the 7th character: {_seventh_text(other.title, concept.title)}",
            SCORE["variant_folded"],
            group=group,
            fold=True,
            more_label="other 7th characters",
        )
    words = title_difference(concept.title, other.title)
    if _axis(concept.title, other.title):
        return Clue(
            other.system,
            other.code,
            SimilarKind.VARIANT,
            f"Differs only in laterality: {words}",
            SCORE["variant"],
            group=group,
            more_label="other lateralities",
        )
    nth = _ordinal(position + 1)
    return Clue(
        other.system,
        other.code,
        SimilarKind.VARIANT,
        f"Differs only in the {nth} character: {words}",
        SCORE["variant"],
        group=group,
        more_label=f"others differing in the {nth} character",
    )


def _seventh_text(theirs: str, mine: str) -> str:
    """The other code's 7th-character meaning, from its title ("subsequent encounter for ...")."""
    a, b = mine.split(", "), theirs.split(", ")
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return ", ".join(b[common:]) or theirs


# ----------------------------------------------------------------------------------------- ICD-10-PCS
def pcs_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """Codes one axis apart, the same table and body part, and the same body part by another root operation.

    An ICD-10-PCS code is seven axes (ICD-10-PCS Official Guidelines A.2); each table names its axes
    ("pcs.axis_title": Operation, Body Part, Approach, Device, Qualifier in the Medical and Surgical section;
    Type, Contrast ... in Imaging), and each code carries its axis values as properties.
    """
    code = concept.code
    if len(code) != 7:
        return
    mine = {p.name: p for p in store.properties(concept.system, code)}
    titles = {
        int(p.value): (p.label or "").lower()
        for p in store.properties(concept.system, code[:3])
        if p.name == "pcs.axis_title" and p.value.isdigit()
    }

    def axis_name(n: int) -> str:
        named = _PCS_AXES[n]
        return named if named in mine else f"pcs.axis{n}"

    def my_value(n: int) -> str:
        prop = mine.get(axis_name(n))
        return (prop.label or prop.value) if prop is not None else code[n - 1]

    seen = {code}
    for n in range(4, 8):
        pattern = _glob(code[: n - 1]) + "?" + _glob(code[n:])
        others = [o for o in store.codes_matching(concept.system, pattern, SCAN_LIMIT) if o.code not in seen]
        seen.update(o.code for o in others)
        if not others:
            continue
        values = store.property_labels(concept.system, [o.code for o in others], axis_name(n))
        axis = titles.get(n) or _PCS_AXIS_WORDS[n]
        for other in others:
            value = _label(values, other.code) or other.code[n - 1]
            yield Clue(
                other.system,
                other.code,
                SimilarKind.VARIANT,
                f"Differs only in the {axis}: {value} instead of {my_value(n)}",
                SCORE["variant_body_part"] if n == 4 else SCORE["variant_folded"],
                group=("variant", str(n)),
                fold=n != 4,
                more_label=f"other {_plural(axis)}",
            )
    table_part = f"{code[:3]} {titles.get(4) or 'body part'} {my_value(4)}"
    for other in store.codes_matching(concept.system, _glob(code[:4]) + "*", SCAN_LIMIT):
        if other.code not in seen:
            yield Clue(
                other.system,
                other.code,
                SimilarKind.FAMILY,
                f"Same table and {table_part}",
                SCORE["family"],
                group=("pcs-table",),
                fold=True,
                more_label=f"other codes of table {code[:3]} on this body part",
            )
    if "pcs.body_part" not in mine:
        return
    # The same body part in the same body system, by another root operation (or imaging type ...).
    pattern = f"{_glob(code[:2])}?{_glob(code[3])}*"
    others = [o for o in store.codes_matching(concept.system, pattern, SCAN_LIMIT) if o.code[2] != code[2]]
    first = {o.code[2]: o.code for o in reversed(others)}  # one code per operation, to read its labels
    operations = store.property_labels(concept.system, list(first.values()), axis_name(3))
    # A body part value means the same in every table of a body system in the Medical and Surgical section,
    # not always elsewhere (Imaging): the label must agree.
    parts = store.property_labels(concept.system, list(first.values()), "pcs.body_part")
    body_part = my_value(4)
    word = "root operation" if titles.get(3, "operation") == "operation" else titles[3]
    for other in others:
        if _label(parts, first[other.code[2]]) != body_part:
            continue
        same = sum(other.code[i] == code[i] for i in (4, 5, 6))
        operation = _label(operations, first[other.code[2]]) or other.code[2]
        yield Clue(
            other.system,
            other.code,
            SimilarKind.BODY_PART,
            f"Same body part ({body_part}), another {word}: {operation}",
            SCORE["body_part"] + 0.05 * same,
            group=("operation", other.code[2]),
            fold=True,
            more_label=f"{operation} codes on this body part",
        )


def _plural(word: str) -> str:
    return word + ("es" if word.endswith(("ch", "sh", "s", "x")) else "s")


def _glob(text: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in text)


def _label(labels: dict[str, tuple[str, str | None]], code: str) -> str | None:
    found = labels.get(code)
    return None if found is None else (found[1] or found[0])


# ----------------------------------------------------------------------------------------- index and notes
def _with_ancestors(store: SQLiteStore, concept: Concept) -> list[Concept]:
    """The concept, then its ancestors up to its category, nearest first."""
    chain = [concept]
    for ancestor in reversed(store.ancestors(concept.system, concept.code)):
        if ancestor.kind in _SKIPPED_KINDS:
            break
        chain.append(ancestor)
    return chain


def _analogue(store: SQLiteStore, concept: Concept, holder: str, target: str) -> str:
    """The code under ``target`` that stands where ``concept`` stands under ``holder``.

    E11.9 is E11 + ".9"; a note of E11 naming E10.- points, for E11.9, to E10.9, and C34.91 (C34.9 + "1")
    finds C78.01 through C78.0. Only a last character is carried over: longer tails mean different things
    in different categories. Where no such code exists, the target itself is the neighbour.
    """
    tail = concept.code[len(holder) :] if concept.code.startswith(holder) else ""
    if len(tail.replace(".", "")) != 1 or tail.startswith(".") == ("." in target):
        return target
    candidate = target + tail
    return candidate if store.get(concept.system, candidate) is not None else target


def index_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """Neighbouring Alphabetic Index entries, and the other columns of the same Neoplasm/Drug Table row."""
    for holder in _with_ancestors(store, concept)[:3]:
        terms = [d for d in store.designations(holder.system, holder.code) if d.kind is DesignationKind.INDEX_TERM]
        for term in terms:
            if term.via is not None:
                continue
            if _TABLE_CELL in term.text:
                row, column = term.text.split(_TABLE_CELL, 1)
                for system, code, text in store.index_terms_with_prefix(row + _TABLE_CELL, 40):
                    other_column = text.split(_TABLE_CELL, 1)[1]
                    if other_column == column:
                        continue
                    yield Clue(
                        system,
                        _analogue(store, concept, holder.code, code),
                        SimilarKind.INDEX_TERM,
                        f"Same row of the {_table_name(term.source)} ({row}): {other_column} instead of {column}",
                        SCORE["index_row"],
                        corroborate=True,
                    )
                continue
            parent, _, last = term.text.rpartition(", ")
            if ", " not in parent:
                continue  # the subterms of a main term alone are far apart (Contusion: elbow, newborn)
            prefix = parent + ", "
            entries = [
                (system, code, text)
                for system, code, text in store.index_terms_with_prefix(prefix, 400)
                if ", " not in text[len(prefix) :] and text != term.text
            ]
            if len(entries) > INDEX_MAX:
                continue  # a long list of subterms says little about any two of them
            score = SCORE["index_term"] if len(entries) <= BROAD_INDEX else SCORE["index_term_broad"]
            for system, code, text in entries:
                yield Clue(
                    system,
                    _analogue(store, concept, holder.code, code),
                    SimilarKind.INDEX_TERM,
                    f"Next to it in the {'reconstructed ' if term.reconstructed else ''}Alphabetic Index"
                    f" under '{parent}': {text[len(prefix) :]} (this code: {last})",
                    score,
                    group=("index", parent),
                    more_label=f"other entries under '{parent}'",
                    corroborate=True,
                )
        if terms:
            break  # the nearest holder with index terms speaks for the code


def _table_name(source: str) -> str:
    return {"neoplasm": "Table of Neoplasms", "drug": "Table of Drugs and Chemicals"}.get(source, "index table")


def note_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """Codes named in the Excludes1/Excludes2 notes of the code and its ancestors (ICD-10-CM)."""
    for note in store.notes(concept.system, concept.code):
        if note.kind not in (NoteKind.EXCLUDES1, NoteKind.EXCLUDES2):
            continue
        holder = note.inherited_from or concept.code
        label = "Excludes1" if note.kind is NoteKind.EXCLUDES1 else "Excludes2"
        for match in _NOTE_CODE.finditer(note.text):
            target = match.group(1)
            yield Clue(
                concept.system,
                _analogue(store, concept, holder, target),
                SimilarKind.NOTE,
                f"Named in the {label} note of {holder}: {note.text}",
                SCORE["excludes1"] if note.kind is NoteKind.EXCLUDES1 else SCORE["excludes2"],
            )


# ----------------------------------------------------------------------------------------- relations
def relation_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """Crosswalk rows from or to the code, codes sharing a crosswalk target, and other references."""
    relations = store.relations(concept.system, concept.code)
    direct: list[tuple[SystemId, str]] = []
    for r in relations:
        outgoing = r.source_system is concept.system and r.source_code == concept.code
        system, code = (r.target_system, r.target_code) if outgoing else (r.source_system, r.source_code)
        if (system, code) == (concept.system, concept.code) or r.kind is RelationKind.NO_MAP:
            continue  # a "no map" row names no code
        said = "; ".join(row_words(r, outgoing) or (default_words(r, outgoing),))
        table = table_name(r.source)
        if r.kind is RelationKind.MAPS_TO:
            arrow = "maps to" if outgoing else "is mapped from"
            via = through(r)
            yield Clue(
                system,
                code,
                SimilarKind.CROSSWALK,
                f"{concept.code} {arrow} {NAMES[system]} {code}{f' through {via}' if via else ''} ({said}; {table})",
                SCORE["crosswalk"] * (0.85 if "combination" in r.flags else 1.0),
                # A row within the system (the conversion table: a code carved out of this one) or read through
                # another code says less than a row of a mapping between two systems.
                corroborate=system is concept.system or via is not None,
            )
            if system is not concept.system:
                direct.append((system, code))
        else:
            yield Clue(
                system,
                code,
                SimilarKind.REFERENCE,
                f"{said.capitalize()}: {NAMES[system]} {code} ({table})",
                SCORE["reference"],
                # A code carved out of this one (the conversion table) may be about something else altogether.
                corroborate=r.kind is RelationKind.PREVIOUS_CODE_OF,
            )
    for system, code in list(dict.fromkeys(direct))[:6]:
        # A target shared by many codes (an ICD-9-CM aftercare V code, ...) says little: skip it.
        shared = set(store.mapped_codes(system, code, concept.system, SHARED_MAX + 2))
        shared.discard(concept.code)
        if not shared or len(shared) > SHARED_MAX:
            continue
        score = SCORE["crosswalk_shared"] / math.log2(1 + len(shared))
        for other in sorted(shared):
            yield Clue(
                concept.system,
                other,
                SimilarKind.CROSSWALK,
                f"Both map to or from {NAMES[system]} {code}",
                min(score, SCORE["crosswalk_shared"]),
                group=("crosswalk", system.value, code),
                more_label=f"others mapped with {NAMES[system]} {code}",
            )


# ----------------------------------------------------------------------------------------- MS-DRG, HCPCS
def drg_family(title: str) -> str | None:
    """The family an MS-DRG title names without its severity split, or None if it has none."""
    base = _DRG_SEVERITY.sub("", title)
    return base if base != title else None


def drg_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """The MS-DRGs of the same family: the same MDC and title but for the CC/MCC split."""
    family = drg_family(concept.title)
    if family is None:
        return
    mates = store.children(concept.system, concept.parent) if concept.parent else store.roots(concept.system)
    for other in mates:
        if other.code != concept.code and drg_family(other.title) == family:
            split = other.title[len(family) :].strip().lower()
            yield Clue(
                other.system,
                other.code,
                SimilarKind.DRG_FAMILY,
                f"Same MS-DRG family ({family.capitalize()}): {split}",
                SCORE["drg_family"],
            )


def coverage_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """HCPCS codes of the same section of the Medicare Coverage Issues or Carriers Manual."""
    manuals = {"hcpcs.coverage_issues_manual": "Coverage Issues Manual", "hcpcs.carriers_manual": "Carriers Manual"}
    for prop in store.properties(concept.system, concept.code):
        if prop.name not in manuals:
            continue
        codes = store.codes_with_manual_section(concept.system, prop.name, prop.value, MANUAL_MAX + 1)
        if len(codes) > MANUAL_MAX:
            continue  # a section that broad says little
        for code in codes:
            if code != concept.code:
                yield Clue(
                    concept.system,
                    code,
                    SimilarKind.COVERAGE,
                    f"Same section of the Medicare {manuals[prop.name]}: {prop.value}",
                    SCORE["coverage"],
                    group=("coverage", prop.name, prop.value),
                    more_label=f"others in {manuals[prop.name]} {prop.value}",
                )


def nearby_clues(store: SQLiteStore, concept: Concept, overlap: Overlap) -> Iterator[Clue]:
    """HCPCS codes near the code in the official order (CMS numbers related items together: K0001 to K0009 are
    manual wheelchairs, E0470 to E0472 respiratory assist devices), of the same letter and BETOS category, whose
    titles share the code's words."""
    if concept.kind is not ConceptKind.CODE:
        return
    others = [
        o
        for o in store.concepts_in_order(concept.system, concept.seq - NEARBY_SPAN, concept.seq + NEARBY_SPAN)
        if o.code != concept.code and o.kind is ConceptKind.CODE and o.code[0] == concept.code[0]
    ]
    betos = store.property_labels(concept.system, [concept.code, *(o.code for o in others)], "hcpcs.betos")
    mine = betos.get(concept.code)
    words = overlap.words(concept.title)
    for other in others:
        if mine is not None and betos.get(other.code, mine)[0] != mine[0]:
            continue  # another kind of service or item (Berenson-Eggers type of service)
        share = overlap.share(concept.title, other.title)
        if share < NEARBY_SHARE:
            continue
        shared = [w for w in overlap.words(other.title) if w in words]
        category = f" and BETOS category ({mine[1] or mine[0]})" if mine is not None else ""
        yield Clue(
            other.system,
            other.code,
            SimilarKind.NEARBY,
            f"Near it among the {concept.code[0]} codes{category}; shares {', '.join(shared)}",
            SCORE["nearby"] + NEARBY_WEIGHT * share,
            group=("nearby",),
            more_label="other nearby codes",
        )


# ----------------------------------------------------------------------------------------- wording
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
        return terms, ix.doc_weight[start:end].astype(np.float64) * ix.idf[terms]

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
            scores.append(ix.post_weight[lo:hi].astype(np.float64) * (ix.idf[t] * weights[i]))
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
        contrib = ix.doc_weight[positions].astype(np.float64) * ix.idf[their_terms] * query_weight
        return np.add.reduceat(contrib, seg) if len(contrib) else np.zeros(len(docs))

    def clues(self, store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
        doc = self.query_doc(store, concept)
        if doc is None:
            return
        family = drg_family(concept.title) if concept.system is SystemId.MSDRG else None
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
            far = other.system is SystemId.ICD10PCS is concept.system and other.code[:2] != concept.code[:2]
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
