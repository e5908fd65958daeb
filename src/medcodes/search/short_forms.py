"""Short forms: the code sets' own abbreviations ("malig", "neopl", "bact"), read as the words they stand for.

Every code set with short titles abbreviates its long titles' words the same way each time: ICD-9-CM writes
"Malig neopl uterus NOS" for *Malignant neoplasm of uterus, part unspecified*, ICD-10-CM "Nondisp fx of shaft
of r femr" for its long title, ICD-10-PCS "Perc" for "Percutaneous". People who learned their codes from those
titles type the same short forms. At build time ``derive`` lines up each short title with its long title, word
by word and in order: a short title's word that the long title does not hold is the short form of the next
long-title word that starts with its first letter and holds its letters in order ("neopl" in "neoplasm",
"femr" in "femur"). A pair seen on ``ShortForms.min_titles`` titles or more is kept, with at most
``ShortForms.senses`` long words per short form, the most often seen first, each seen on at least
``ShortForms.min_share`` of the short form's pairs.

A short form that is a word of the code sets' full names too (titles, inclusion terms, index entries) is kept
only where the short titles use it ``ShortForms.word_ratio`` times as often as the full names hold it: "low" is
the short form of "lower" in ICD-10-CM's short titles, but a word of its own everywhere else; "mal" stands for
"malignant" in 269 short titles ("Mal neo esophagus NOS") and is a word of 29 names ("Grand mal"). Such a word
is read as its short form only before another word (``SearchEngine.words_too``): `grand mal` finds the seizures,
and `art` typed alone is the start of "arthritis" as much as the short titles' "artery".
``abbreviations.load`` adds a short form where no list says what the word is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import chain

from medcodes.models import DesignationKind
from medcodes.search.ranking import DEFAULT, ShortForms
from medcodes.search.text import singular, tokens
from medcodes.store.sqlite import SQLiteStore

BLOB = "short-forms-1"
WORDS_BLOB = "short-forms-words-1"  # the short forms that are words of the full names too ("mal", "art")

# The designations whose words are the code sets' own spelled-out words.
_FULL_NAMES = (DesignationKind.TITLE, DesignationKind.INCLUSION_TERM, DesignationKind.INDEX_TERM)


def _holds_in_order(short: str, word: str) -> bool:
    """Whether ``word`` holds the letters of ``short`` in order (``short`` is a subsequence of ``word``)."""
    letters = iter(word)
    return all(letter in letters for letter in short)


def aligned(title: str, short_title: str) -> Iterable[tuple[str, str]]:
    """(short form, word) pairs of a short title lined up with its long title, in the short title's order."""
    full, short = tokens(title), tokens(short_title)
    full_words, short_words = set(full), set(short)
    at = 0
    for word in short:
        if word in full_words:
            # Both titles write it: the next short form stands for a word after it.
            at = next((i + 1 for i in range(at, len(full)) if full[i] == word), at)
            continue
        if len(word) < 2 or not word.isalpha():
            continue
        for position in range(at, len(full)):
            candidate = full[position]
            if (
                len(candidate) > len(word)
                and candidate[0] == word[0]
                and candidate not in short_words
                and _holds_in_order(word, candidate)
            ):
                yield word, candidate
                at = position + 1
                break


def derive(
    titles: Iterable[tuple[str, str]], full_words: Mapping[str, int], limits: ShortForms = DEFAULT.short_forms
) -> dict[str, list[str]]:
    """short form -> the words it stands for, most often first; ``titles`` are (long title, short title)
    pairs, ``full_words`` every word of the code sets' full names with how many of them hold it."""
    spelled = Counter(chain.from_iterable(set(aligned(title, short_title)) for title, short_title in titles))
    # "disease" and "diseases" are one word to the engine (it matches both): one sense, written as most often.
    pairs: Counter[tuple[str, str]] = Counter()
    written: dict[tuple[str, str], str] = {}
    for (short, word), count in spelled.most_common():
        pair = (short, singular(word))
        pairs[pair] += count
        written.setdefault(pair, word)
    seen: Counter[str] = Counter()
    for (short, _), count in pairs.items():
        seen[short] += count
    found: dict[str, list[tuple[int, str]]] = {}
    for (short, meaning), count in pairs.items():
        kept = count >= limits.min_titles and count >= limits.min_share * seen[short]
        a_word = seen[short] < limits.word_ratio * full_words.get(short, 0)
        if not kept or len(short) < limits.min_letters or a_word:
            continue
        found.setdefault(short, []).append((-count, written[short, meaning]))
    return {short: [word for _, word in sorted(words)[: limits.senses]] for short, words in sorted(found.items())}


def save(store: SQLiteStore, limits: ShortForms = DEFAULT.short_forms) -> None:
    """Build-time step: derive the short forms from the store's titles and keep them in it."""
    full_words = Counter(chain.from_iterable(set(tokens(text)) for text in store.distinct_texts(_FULL_NAMES)))
    found = derive(store.title_pairs(), full_words, limits)
    store.put_word_lists(BLOB, {k: v for k, v in found.items() if k not in full_words})
    store.put_word_lists(WORDS_BLOB, {k: v for k, v in found.items() if k in full_words})


def load(store: SQLiteStore) -> dict[str, list[str]]:
    """The stored short forms (none in a database built before them)."""
    return store.get_word_lists(BLOB) | load_words(store)


def load_words(store: SQLiteStore) -> dict[str, list[str]]:
    """The stored short forms that are words of the full names too: typed last, such a word is read as typed
    only ("art" is the start of "arthritis" as much as the short form of "artery"; ``SearchEngine.words_too``)."""
    return store.get_word_lists(WORDS_BLOB)
