"""A main term read as the longer word its code's title says for it, where the index gives it so.

The Alphabetic Index gives "Arthritis, arthritic" the code M19.90, titled "Unspecified osteoarthritis, unspecified
site": the index reads the word "arthritis", said alone, as "osteoarthritis". The codes of a site say only the
longer word ("Osteoarthritis of knee, unspecified", M17.9), so `knee arthritis` found none of them, and the
staphylococcal and pneumococcal arthritis of the knee came first. At build time ``derive`` reads every main term
given a code with no subterm (``SQLiteStore.prior_names``) beside its code's title: a form of the main term that the
title does not say, where a word of the title ends with it ("osteoarthritis", "polyneuropathy" for "Neuropathy",
"gastroenteritis" for "Enteritis", "hemangioma" for "Angioma"), is read as that word too, in any query
(``abbreviations.load``), as an alternative the words typed still come before.
"""

from __future__ import annotations

from collections.abc import Iterable

from medcodes.search.text import tokens
from medcodes.store.sqlite import SQLiteStore

BLOB = "compound-readings-1"

# The shortest main term read (not "uria" and the like), and the least a longer word adds to it (a prefix such as
# "osteo", "poly", "hyper", not a plural's or an adjective's ending).
MIN_LENGTH = 5
MIN_ADDED = 3


def derive(given: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Word -> the longer words it is read as, from (main term, title of the code the index gives it) pairs."""
    read: dict[str, set[str]] = {}
    for term, title in given:
        said = set(tokens(title))
        # The main term's forms ("Arthritis, arthritic"), each one word: a word of a longer name ("Varicose reducing
        # drug") is no name of the code by itself.
        forms = {f[0] for part in term.split(",") if len(f := tokens(part)) == 1}
        for form in {w for w in forms if len(w) >= MIN_LENGTH and w.isalpha()} - said:
            for word in said:
                if word.endswith(form) and len(word) >= len(form) + MIN_ADDED:
                    read.setdefault(form, set()).add(word)
    return {word: sorted(longer) for word, longer in sorted(read.items())}


def save(store: SQLiteStore) -> None:
    """Build-time step: derive the readings from the store's main-term priors and titles, and keep them."""
    titles = {cid: title for cid, _system, _kind, title in store.concept_titles()}
    given = ((term, titles[cid]) for cid, term, subterm, _modifiers in store.prior_names() if subterm is None)
    store.put_word_lists(BLOB, derive((term, title) for term, title in given if title))


def load(store: SQLiteStore) -> dict[str, list[str]]:
    """Word -> the longer words it is read as (empty in a database built before them)."""
    return store.get_word_lists(BLOB)
