"""A site's adjective read as its noun, where the code sets name one code both ways.

Titles and names say a site either way: N48.0 is titled "Leukoplakia of penis" and DO calls it "Penile
Leukoplakia", while N48.5 is "Ulcer of penis" only. A query says it one way, and where its adjective is the rarer
word ("penile"), the names that say it score above those that say the noun ("Penile discharge NOS", R36.9, before
"Ulcer of penis" for `penile ulcer`). At build time ``derive`` reads every code's names (titles, inclusion terms,
index terms, the vocabularies' names): a code named both "ADJECTIVE X" and "X of NOUN" (or "X of the NOUN") pairs
the two words, where its names give one such pair only. A pair given so by ``MIN_CODES`` codes or more is kept
("penile" and "penis" by N48.0 and by D07.4 "Carcinoma in situ of penis", NCIt's "Penile Carcinoma In Situ";
"gastric" and "stomach"; "neonatal" and "newborn"), and the adjective is read as its noun too, in any query
(``abbreviations.load``). One way only: a noun typed is already said by the titles that write the noun, and read as
the adjective it also found codes that name a neighbour ("infection of the vulva and vagina" found vulvar lesions).

The code sets also pair a site with its part or its whole ("cerebral" and "brain"), which the Alphabetic Index's
references do too (``icd10cm_index._site_words`` keeps only the pairs it sends both ways); the names of one code
pair the same site.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from medcodes.models import DesignationKind
from medcodes.search.text import tokens
from medcodes.store.sqlite import SQLiteStore

BLOB = "site-adjectives-1"

# Codes that must pair an adjective with a noun by their own names (one code's names can pair a site with the
# sites it lists: "Kaposi's sarcoma of other sites").
MIN_CODES = 2

# The longest name read: the pairs are said in short names ("ulcer of penis").
_MOST_WORDS = 6

# The designations that name a code; short titles abbreviate, abbreviations spell.
_NAMES = (DesignationKind.TITLE, DesignationKind.INCLUSION_TERM, DesignationKind.INDEX_TERM, DesignationKind.SYNONYM)


def pairs_of(names: Iterable[str]) -> set[tuple[str, str]]:
    """The (adjective, noun) pairs one code's names make: "ADJECTIVE X" beside "X of NOUN" or "X of the NOUN"."""
    said = {tuple(words) for name in names if 2 <= len(words := tokens(name)) <= _MOST_WORDS}
    nouns: dict[tuple[str, ...], set[str]] = defaultdict(set)  # X -> the nouns of "X of NOUN"
    for name_words in said:
        if name_words[-2] == "of":
            nouns[name_words[:-2]].add(name_words[-1])
        elif name_words[-3:-1] == ("of", "the"):
            nouns[name_words[:-3]].add(name_words[-1])
    found: set[tuple[str, str]] = set()
    for adjective, *rest in said:
        for noun in nouns.get(tuple(rest), ()):
            if noun != adjective and noun.isalpha() and adjective.isalpha():
                found.add((adjective, noun))
    return found


def derive(named: Iterable[tuple[int, str]], min_codes: int = MIN_CODES) -> dict[str, list[str]]:
    """Adjective -> nouns, from (code id, name) pairs: the pairs that ``min_codes`` codes make, each code's names
    making one pair only. Only the codes with a short name saying "of" are read."""
    names: dict[int, list[str]] = defaultdict(list)
    for cid, name in named:
        if name.count(" ") < _MOST_WORDS:  # more words than read
            names[cid].append(name)
    codes: dict[tuple[str, str], int] = defaultdict(int)
    for held in names.values():
        if len(held) > 1 and any(" of " in name.lower() for name in held):
            found = pairs_of(held)
            if len(found) == 1:
                codes[found.pop()] += 1
    read: dict[str, list[str]] = {}
    for (adjective, noun), count in sorted(codes.items()):
        if count >= min_codes:
            read.setdefault(adjective, []).append(noun)
    return read


def save(store: SQLiteStore) -> None:
    """Build-time step: derive the pairs from the store's names (a code's title among them) and keep them."""
    named = ((cid, text) for _did, cid, kind, text in store.designation_rows() if kind in _NAMES)
    store.put_word_lists(BLOB, derive(named))


def load(store: SQLiteStore) -> dict[str, list[str]]:
    """Adjective -> nouns it is read as (empty in a database built before them)."""
    return store.get_word_lists(BLOB)
