"""A level above or below normal, said in plain words, read as the classifications' hyper- and hypo- terms.

People say "calcium high", "low thyroid" or "muscle tone low"; the classifications say hypercalcemia,
hypothyroidism and hypotonia: a Greek prefix for the level on the stem of the thing measured, and an ending for
what it is (-emia, in the blood; -uria, in the urine; -ia, -ism, -osis, a condition); a count of cells is
said by its ending alone (neutropenia, lymphocytosis, eosinophilia). ``terms`` reads a pair of
words, one naming a level and the other the thing, as the index's words built so. It is morphology, not a list of
conditions: every word it gives is one the data holds, and it reads any thing the data names with such a term.

The thing's stem is its word less a Latin or chemical ending of a few letters ("calc|ium", "chlor|ide",
"phosphat|e"), at least four letters long (three for a four-letter word: "ton|e"). Where a thing has both a blood
and a urine term (hypercalcemia, hypercalciuria), the blood's is meant unless the query speaks of urine: a lab
value is a blood level unless said otherwise. Where the data names no such term for the thing, the level is the
classifications' other name for it (``said_of``): "low iron" an iron deficiency, "high sodium" a sodium excess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from medcodes.search.text import singular

ABOVE: frozenset[str] = frozenset({"high", "elevated", "raised", "increased", "overactive"})
BELOW: frozenset[str] = frozenset({"low", "decreased", "reduced", "underactive"})
# What may follow the stem in a term: a condition's ending, or nothing ("hypertension", "hyperactivity").
_ENDINGS: frozenset[str] = frozenset({"", "emia", "uria", "ia", "ism", "osis", "ation"})
_BLOOD, _URINE = "emia", "uria"
# A count of cells said high or low: no prefix, the ending says it ("neutro|philia", "lympho|cytosis";
# "neutro|penia", "mono|cytopenia").
_COUNT_ENDINGS = {"hyper": frozenset({"philia", "cytosis"}), "hypo": frozenset({"penia", "cytopenia"})}
_STEM = 4  # letters of the thing's word its stem keeps at least (three for a word of four letters)
_ENDING = 4  # letters of the thing's word its ending may have at most ("ium", "ide", "ate", "s")


def said_of(word: str) -> tuple[str, ...]:
    """What the classifications call a level below or above normal of a thing, where they name no hyper- or hypo-
    term for it: "low vitamin d" is "Vitamin D deficiency", "low iron" an iron deficiency, "high sodium" a sodium
    excess; none for any other word."""
    if word in BELOW:
        return ("deficiency",)
    return ("excess",) if word in ABOVE else ()


def named_by(meaning: str) -> str | None:
    """The word a level of what an abbreviation stands for is named by: the meaning itself where it is one word
    ("phos": phosphate), the gland where it is the gland's hormone ("pth": parathyroid hormone, whose low level is
    hypoparathyroidism); None for any other meaning of several words."""
    words = meaning.split()
    if len(words) == 1:
        return words[0]
    if len(words) == 2 and words[1] == "hormone":
        return words[0]
    return None


def level(word: str) -> str | None:
    """The prefix a word naming a level stands for: "hyper" for "high", "hypo" for "low"; else None."""
    if word in ABOVE:
        return "hyper"
    return "hypo" if word in BELOW else None


def parts(words: Sequence[str]) -> tuple[str, str] | None:
    """(the word naming a level, the thing) of a pair of words such as "chloride high"; None for any other words."""
    if len(words) != 2:
        return None
    first, second = words
    said, thing = (first, second) if level(first) else (second, first)
    return None if level(said) is None or level(thing) else (said, thing)


def terms(words: Sequence[str], starting: Callable[[str], Sequence[str]], *, urine: bool = False) -> tuple[str, ...]:
    """The terms a pair of words says, where one names a level and the other a thing ("chloride", "high" ->
    "hyperchloremia"); ``starting(prefix)`` gives the index's words that start with a prefix. Empty where the pair
    is no such pair (``parts``) or the data holds no such term."""
    pair = parts(words)
    if pair is None:
        return ()
    said, thing = pair
    if not thing.isalpha() or len(thing) < _STEM:
        return ()
    prefix = level(said) or ""
    thing = singular(thing)  # "eosinophils": a count of eosinophils
    found = (*_built(prefix, thing, _ENDINGS, starting), *_built("", thing, _COUNT_ENDINGS[prefix], starting))
    meant = _URINE if urine else _BLOOD
    return tuple(t for t in found if t.endswith(meant)) or found


def _built(
    prefix: str, thing: str, endings: frozenset[str], starting: Callable[[str], Sequence[str]]
) -> tuple[str, ...]:
    """The index's words that are ``prefix`` on a stem of ``thing`` followed by one of ``endings``."""
    least = _STEM if len(thing) > _STEM else _STEM - 1
    found = []
    for term in starting(prefix + thing[:least]):
        rest = term[len(prefix) :]
        # The stem may end before the letters the two share end: "phosphat|e", "phosphat|emia".
        shared = _shared(rest, thing)
        if any(rest[cut:] in endings for cut in range(max(least, len(thing) - _ENDING), shared + 1)):
            found.append(term)
    return tuple(found)


def _shared(a: str, b: str) -> int:
    """How many first letters two words share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
