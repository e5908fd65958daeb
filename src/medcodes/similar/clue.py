"""What every finder gives (a ``Clue``: a code, why, how strongly) and the documented scores and limits
that weigh it (docs/similar.md)."""

from __future__ import annotations

from dataclasses import dataclass

from medcodes.models import (
    ConceptKind,
    SimilarKind,
)
from medcodes.systems import SystemId

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


SKIPPED_KINDS = {ConceptKind.CHAPTER, ConceptKind.BLOCK, ConceptKind.EXTENSION, ConceptKind.MODIFIER}


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


def qualifies(clue: Clue) -> bool:
    """Whether a clue lists its code on its own: it reaches its kind's minimum, and its kind may stand alone.

    Weaker clues (down to SUPPORT_MIN) and clues of SUPPORTING kinds are shown only beside a qualifying one.
    """
    return clue.kind not in SUPPORTING and clue.score >= MIN_SCORE[clue.kind]
