"""The content words of a classification title, to tell whether one title says everything another says.

Used where two classifications share code numbers but not always meanings: CMS built ICD-10-CM on WHO
ICD-10 and reused some WHO numbers for other conditions (WHO K55.3 "Angiodysplasia of small intestine" is
ICD-10-CM K55.3 "Necrotizing enterocolitis"). A title *says all* of another when every content word of the
other is among its own words, after both are brought to one form:

- lower case; British spellings folded the same way on both sides (anaemia/anemia, oesophagus/esophagus,
  tumour/tumor, behavioural/behavioral, labour/labor, counselling/counseling, organisation/organization,
  centre/center), plurals made singular, Roman numerals of stages and types made digits (II -> 2);
- a negation is bound to the word it negates ("without organ failure" -> ``without-organ``, "failure";
  "non-infectious" -> ``noninfectious``), so that "with X" never reads as "without X";
- joining words (of, and, or, with, due to, causing, ...) and "not elsewhere classified" carry no meaning
  here and are dropped; "other" and "unspecified" are kept: they name residual categories;
- in the title whose words must all be found, words in brackets and parentheses are left out: WHO writes
  alternative names and non-essential words there ("[IBS-D]", "(nonpowered)").

The test is deliberately strict: a false "same meaning" would show a user a wrong code, a false "not shown
the same" only leaves a link out.
"""

from __future__ import annotations

import re

_JOINING = frozenset(
    "a an the of and or in on at to by for from with due causing including as its".split()  # noqa: SIM905
)
_NEGATIONS = frozenset(("without", "no", "not"))
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_NOT_CLASSIFIED = re.compile(r"\bnot elsewhere classified\b|\bnec\b|\bnos\b")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_NON = re.compile(r"\bnon[- ]+(?=[a-z])")
_WORD = re.compile(r"[a-z0-9]+")


def _fold(word: str) -> str:
    """One spelling for the British and American forms of a word, singular (both titles get the same)."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    word = word.replace("ae", "e").replace("oe", "e").replace("our", "or").replace("ll", "l")
    word = re.sub(r"is(ation|e|ed|ing)$", r"iz\1", word) if len(word) > 5 else word
    word = re.sub(r"yse(d?)$", r"yze\1", word)
    if len(word) > 4 and word.endswith("tre"):
        word = word[:-3] + "ter"
    return _ROMAN.get(word, word)


def content_words(title: str, *, essential: bool = False) -> frozenset[str]:
    """The words of a title that carry its meaning (see the module docstring); ``essential`` leaves out
    what brackets and parentheses hold."""
    text = title.lower()
    if essential:
        text = _BRACKETED.sub(" ", text)
    text = _NOT_CLASSIFIED.sub(" ", _POSSESSIVE.sub("", text))
    text = _NON.sub("non", text)
    words: set[str] = set()
    negation: str | None = None
    for word in _WORD.findall(text):
        if word in _NEGATIONS:
            negation = word
            continue
        if word in _JOINING:
            continue
        folded = _fold(word)
        words.add(f"{negation}-{folded}" if negation else folded)
        negation = None
    return frozenset(words)


def says_all(title: str, other: str) -> bool:
    """Whether ``title`` says everything ``other`` says: every essential content word of ``other`` is one of
    its words (it may say more, being the same or narrower in wording)."""
    return content_words(other, essential=True) <= content_words(title)
