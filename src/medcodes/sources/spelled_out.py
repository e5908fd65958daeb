"""Which names an abbreviation spells out, and the abbreviations a vocabulary gives the wrong term.

An abbreviation is made of the first letters of its name's words ("CHF": congestive heart failure), a word's
first letters ("TB": tuberculosis, "HTN": hypertension) or both ("GERD": gastroesophageal reflux disease); words
may be left out ("ALS": amyotrophic lateral sclerosis). ``spells`` says whether an abbreviation is so made from a
name. It is strict on purpose: a letter inside a word counts only after that word's first letter, so "IBD" does
not spell "irritable bowel syndrome" (the "d" of "syndrome").

The vocabularies sometimes give a term another term's abbreviation: the Human Disease Ontology (2018) lists "IBD"
among the names of irritable bowel syndrome. ``misread`` finds such names: an abbreviation that spells none of
its term's names, where it spells the names of a term that is another concept (no code and no stated
equivalent in common). One that spells no term's names is left alone ("DIDMOAD" for Wolfram syndrome, where
only this concept claims it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

_PIECE = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Named:
    """A term as ``misread`` reads it: its id, its names that are no abbreviation, its abbreviations, and what
    it is (``same``: its codes and the ids of the terms stated to be it, its own included)."""

    id: str
    names: tuple[str, ...]
    abbreviations: tuple[str, ...]
    same: frozenset[str]


def spells(abbreviation: str, name: str) -> bool:
    """Whether the abbreviation's letters and digits are, in order, the first letters of some of the name's
    words, each followed by none or more further letters of the same word."""
    letters = _key(abbreviation)
    return bool(letters) and _spells(letters, tuple(_PIECE.findall(name.casefold())))


@lru_cache(maxsize=8192)
def _spells(letters: str, words: tuple[str, ...]) -> bool:
    @cache  # each (letter, word, position) is tried once: a long name's many words cost no more than their count
    def rest(at: int, word: int, after: int) -> bool:
        """Whether ``letters[at:]`` is spelled from position ``after`` of word ``word`` on (-1: before any)."""
        if at == len(letters):
            return True
        letter = letters[at]
        if word >= 0:
            inside = words[word].find(letter, after)
            if inside >= 0 and rest(at + 1, word, inside + 1):
                return True
        return any(words[k].startswith(letter) and rest(at + 1, k, 1) for k in range(word + 1, len(words)))

    return rest(0, -1, 0)


def misread(terms: Iterable[Named]) -> set[tuple[str, str]]:
    """(term id, abbreviation as written) of each abbreviation that spells none of its term's names where it
    spells the names of a term that is another concept."""
    claims: dict[str, list[tuple[Named, str, bool]]] = {}
    for term in terms:
        for abbreviation in term.abbreviations:
            spelled = any(spells(abbreviation, name) for name in term.names)
            claims.setdefault(_key(abbreviation), []).append((term, abbreviation, spelled))
    found: set[tuple[str, str]] = set()
    for claimed in claims.values():
        spellers: Sequence[Named] = [term for term, _, spelled in claimed if spelled]
        if not spellers:
            continue
        for term, abbreviation, spelled in claimed:
            if not spelled and any(term.same.isdisjoint(other.same) for other in spellers):
                found.add((term.id, abbreviation))
    return found


def _key(abbreviation: str) -> str:
    """Its letters and digits, lower case: "I.B.D." and "IBD" are one abbreviation."""
    return "".join(_PIECE.findall(abbreviation.casefold()))
