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

The package holds one module per finder (``hierarchy``, ``pcs``, ``notes``, ``relations``, ``payment``,
``wording``: the TF-IDF engine), ``clue`` (what a finder gives, and the documented scores), ``selection`` (from
clues to the list) and ``finder`` (``SimilarFinder``, which runs the finders a code's system has).
"""

from __future__ import annotations

from medcodes.similar.clue import MAX_LIMIT, MIN_SCORE, SCORE, WORDING_SAME_SYSTEM, Clue, qualifies
from medcodes.similar.finder import SimilarFinder
from medcodes.similar.overlap import Overlap
from medcodes.similar.payment import drg_family
from medcodes.similar.words import title_difference

__all__ = [
    "MAX_LIMIT",
    "MIN_SCORE",
    "SCORE",
    "WORDING_SAME_SYSTEM",
    "Clue",
    "Overlap",
    "SimilarFinder",
    "drg_family",
    "qualifies",
    "title_difference",
]
