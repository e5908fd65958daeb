"""Which names an abbreviation spells out, and the abbreviations a vocabulary gives the wrong term.

An abbreviation is made of the first letters of its name's words ("CHF": congestive heart failure), a word's
first letters ("TB": tuberculosis, "HTN": hypertension) or both ("GERD": gastroesophageal reflux disease); words
may be left out ("ALS": amyotrophic lateral sclerosis). ``spells`` says whether an abbreviation is so made from a
name. It is strict on purpose: a letter inside a word counts only after that word's first letter, so "IBD" does
not spell "irritable bowel syndrome" (the "d" of "syndrome").

The vocabularies sometimes give a term another term's abbreviation: the Human Disease Ontology (2018) lists "IBD"
among the names of irritable bowel syndrome. ``misread`` finds such names: an abbreviation that spells none of
its term's names, where it spells the names of a term that is another concept (no code and no stated
equivalent in common), or spells them only leaving out words where it spells whole (``spells_whole``) the names
of another concept that links to codes ("OCD" on obsessive-compulsive personality disorder). One that spells no
term's names is left alone ("DIDMOAD" for Wolfram syndrome, where only this concept claims it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

_PIECE = re.compile(r"[^\W_]+", re.UNICODE)
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# Words an abbreviation leaves out without leaving out what the name says ("TOF": tetralogy of Fallot).
_JOINING = frozenset({"a", "an", "and", "by", "for", "in", "of", "on", "or", "the", "to", "with"})


@dataclass(frozen=True, slots=True)
class Named:
    """A term as ``misread`` reads it: its id, its names that are no abbreviation, its abbreviations, and what
    it is (``same``: its codes and the ids of the terms stated to be it, its own included)."""

    id: str
    names: tuple[str, ...]
    abbreviations: tuple[str, ...]
    same: frozenset[str]
    coded: bool = True  # it links to codes (one that links to none only rewrites a query)


def spells(abbreviation: str, name: str) -> bool:
    """Whether the abbreviation's letters and digits are, in order, the first letters of some of the name's
    words, each followed by none or more further letters of the same word."""
    letters = _key(abbreviation)
    return bool(letters) and _spells(letters, tuple(_PIECE.findall(name.casefold())))


@lru_cache(maxsize=8192)
def _spells(letters: str, words: tuple[str, ...], *, whole: bool = False) -> bool:
    """``whole``: every word gives a letter (none is left out)."""

    @cache  # each (letter, word, position) is tried once: a long name's many words cost no more than their count
    def rest(at: int, word: int, after: int) -> bool:
        """Whether ``letters[at:]`` is spelled from position ``after`` of word ``word`` on (-1: before any)."""
        if at == len(letters):
            return not whole or word == len(words) - 1
        letter = letters[at]
        if word >= 0:
            inside = words[word].find(letter, after)
            if inside >= 0 and rest(at + 1, word, inside + 1):
                return True
        following = range(word + 1, min(word + 2, len(words)) if whole else len(words))
        return any(words[k].startswith(letter) and rest(at + 1, k, 1) for k in following)

    return rest(0, -1, 0)


def spells_whole(abbreviation: str, name: str) -> bool:
    """Whether the abbreviation spells the name leaving out none of its words (but joining words, "of", "and",
    and what brackets hold): "OCD" spells "obsessive-compulsive disorder" whole, and "obsessive-compulsive
    personality disorder" only leaving out "personality"."""
    letters = _key(abbreviation)
    words = tuple(w for w in _PIECE.findall(_BRACKETED.sub(" ", name.casefold())) if w not in _JOINING)
    return bool(letters) and bool(words) and _spells(letters, words, whole=True)


def fit(abbreviation: str, names: Iterable[str]) -> int:
    """How well an abbreviation fits a term's names: 2 where it spells one whole, 1 where it spells one leaving
    out words, 0 where it spells none."""
    best = 0
    for name in names:
        if spells_whole(abbreviation, name):
            return 2
        if not best and spells(abbreviation, name):
            best = 1
    return best


def misread(terms: Iterable[Named]) -> set[tuple[str, str]]:
    """(term id, abbreviation as written) of each abbreviation that fits its term's names less well than the
    names of a term that is another concept: it spells none of them where it spells the other's, or spells them
    only leaving out words where it spells whole the names of another that links to codes ("OCD", which NCIt
    gives obsessive-compulsive personality disorder, F60.5, and DO obsessive-compulsive disorder, F42)."""
    claims: dict[str, list[tuple[Named, str, int]]] = {}
    for term in terms:
        for abbreviation in term.abbreviations:
            claims.setdefault(_key(abbreviation), []).append((term, abbreviation, fit(abbreviation, term.names)))
    found: set[tuple[str, str]] = set()
    for claimed in claims.values():
        for term, abbreviation, fits in claimed:
            if any(
                better > fits and (not fits or other.coded) and term.same.isdisjoint(other.same)
                for other, _, better in claimed
            ):
                found.add((term.id, abbreviation))
    return found


def _key(abbreviation: str) -> str:
    """Its letters and digits, lower case: "I.B.D." and "IBD" are one abbreviation."""
    return "".join(_PIECE.findall(abbreviation.casefold()))
