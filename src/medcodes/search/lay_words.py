"""A word people use that the code sets never write, read as the word the vocabularies' names say in its place.

The vocabularies name one concept twice, in parallel: HPO's layperson name "Broad collarbone" beside its label
"Broad clavicles", "Bluish lips" beside "Lip cyanosis", "Congenital drooping upper eyelid" beside "Congenital
ptosis". The code
sets say "clavicle", never "collarbone", so `broken collarbone` found a fracture of the lower leg, and `shinbone
fracture` trench fever ("shin bone fever"). At build time ``derive`` reads every rewrite the vocabularies give
(a name of a concept that links to no code and the label it stands for: ``SQLiteStore.rewrite_pairs``; the
abbreviation list's are its own kind) as two lists of words, sets aside the words both say (one word in two forms,
``same_word``, counts as said by both), and pairs what is left of each, 1 to ``MOST_LEFT`` words a side. A word
of a name is read as a word of a label, in any query (``abbreviations.load``), as an alternative that the words
typed still come before, where:

- no title, inclusion term or index term of the code sets says the word (the word typed finds nothing of the
  code sets' own: it is theirs to read otherwise), and one says the word it is read as;
- the names write it as a word, not only as a proper name or an acronym ("Bannayan", "FSGS": ``names_only``);
- it has ``MIN_LETTERS`` letters or more, and is no form of the word it is read as;
- the two are paired by ``MIN_PAIRS`` rewrites or more, or by one whose leftovers are the two words alone;
- they are left over together at least ``MIN_DICE`` of the times either is (Dice's coefficient,
  2 x together / (the word's leftovers + the other's)), and no other word of the labels is as often: a word of a
  lay phrase ("laugh" of "laugh lines", beside "nasolabial fold") goes as well with each word of the label's
  phrase, and stands for neither alone.

Each word is read as its best partner only (the highest share, then the most rewrites). The words a word stands
for are an alternative reading, as the other derived readings are: a name that says the word as typed comes
first, and one lay word read wrong costs only the places of the codes its partner finds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Set
from itertools import product

from medcodes.models import DesignationKind
from medcodes.search.text import CLAUSE_WORDS, folded_words, normalize_word, singular, stem, tokens
from medcodes.store.sqlite import SQLiteStore

BLOB = "lay-words-1"

# The most words left over on either side of a pair: a longer difference is a rewording, not a word for a word.
MOST_LEFT = 3
MIN_LETTERS = 4
MIN_PAIRS = 2
MIN_DICE = 0.5

# The code sets' own names: what they say, and so what a query's word already finds.
_OWN = frozenset({DesignationKind.TITLE, DesignationKind.INCLUSION_TERM, DesignationKind.INDEX_TERM})
# The abbreviation list's rewrites spell letters out: ``abbreviations`` reads them.
_NOT_PARALLEL = frozenset({"abbrev-imantsm"})
_LETTERS = re.compile(r"[^\W\d_]+")
# Designations read at a time for the code sets' words (one join and split per batch, not per name).
_BATCH = 20_000


def same_word(a: str, b: str) -> bool:
    """Whether two words are forms of one ("clavicle", "clavicles"; "abnormal", "abnormality")."""
    if singular(a) == singular(b):
        return True
    stem_a, stem_b = stem(a), stem(b)
    return bool(stem_a and stem_b and (b.startswith(stem_a) or a.startswith(stem_b)))


def _content(text: str) -> list[str]:
    return [w for w in tokens(text) if w.isalpha() and len(w) >= MIN_LETTERS and w not in CLAUSE_WORDS]


def leftovers(name: str, label: str) -> tuple[set[str], set[str]]:
    """The words of a name its label does not say, and the label's words the name does not say."""
    said, meant = _content(name), _content(label)
    return (
        {w for w in said if not any(same_word(w, m) for m in meant)},
        {m for m in meant if not any(same_word(m, w) for w in said)},
    )


def derive(rewrites: Iterable[tuple[str, str]], own: Set[str], proper: Set[str] = frozenset()) -> dict[str, list[str]]:
    """Lay word -> the code sets' word it is read as, from (name, label) pairs; ``own``: the words the code sets'
    own names say (``own_words``); ``proper``: the words the names write only as proper names or acronyms
    (``names_only``)."""
    alone: Counter[str] = Counter()
    beside: Counter[str] = Counter()
    together: Counter[tuple[str, str]] = Counter()
    single: Counter[tuple[str, str]] = Counter()
    for name, label in rewrites:
        said, meant = leftovers(name, label)
        if not said or not meant or len(said) > MOST_LEFT or len(meant) > MOST_LEFT:
            continue
        alone.update(said)
        beside.update(meant)
        together.update(product(said, meant))
        if len(said) == 1 and len(meant) == 1:
            single.update(product(said, meant))
    # Each word's best partner: the highest share, then the most rewrites. A word paired as well with two
    # ("laugh" with "nasolabial" and "fold", from "laugh lines" and "nasolabial fold") is a word of a phrase, and
    # stands for neither alone.
    shares: dict[str, list[tuple[float, int, str]]] = {}
    for (word, other), count in together.items():
        if word in own or other not in own or word in proper:
            continue
        if same_word(word, other) or (count < MIN_PAIRS and not single[(word, other)]):
            continue
        shares.setdefault(word, []).append((2 * count / (alone[word] + beside[other]), count, other))
    read: dict[str, list[str]] = {}
    for word, found in sorted(shares.items()):
        found.sort(key=lambda share: (-share[0], -share[1], share[2]))
        best = found[0]
        if best[0] >= MIN_DICE and not (len(found) > 1 and found[1][0] == best[0]):
            read[word] = [best[2]]
    return read


def own_words(store: SQLiteStore) -> set[str]:
    """Every word (normalised) that a title, inclusion term or index term of the loaded code sets says."""
    folded: set[str] = set()
    batch: list[str] = []
    for _did, _cid, kind, text in store.designation_rows():
        if kind in _OWN:
            batch.append(text)
            if len(batch) >= _BATCH:
                folded.update(folded_words(" ".join(batch)))
                batch.clear()
    folded.update(folded_words(" ".join(batch)))
    return {normalize_word(w) for w in folded}


def names_only(names: Iterable[str]) -> set[str]:
    """The words (normalised) that the names write only as a proper name or an acronym: capitalised after a name's
    first word ("Kuttner" in "Sclerosing Kuttner tumor"), or in capitals ("FSGS"), and nowhere in lower case. A
    name's first word is capitalised whatever it is ("Drooping upper eyelid")."""
    lower: set[str] = set()
    capital: set[str] = set()
    for name in names:
        for at, word in enumerate(_LETTERS.findall(name)):
            if word.islower():
                lower.add(word)
            elif (word.isupper() and len(word) > 1) or (at and word[0].isupper()):
                capital.add(word.lower())
    return {normalize_word(w) for w in capital - lower}


def save(store: SQLiteStore) -> None:
    """Build-time step: derive the lay words from the store's rewrites and its own names, and keep them."""
    pairs = [(name, label) for name, label, source in store.rewrite_sources() if source not in _NOT_PARALLEL]
    store.put_word_lists(BLOB, derive(pairs, own_words(store), names_only(name for name, _ in pairs)))


def load(store: SQLiteStore) -> dict[str, list[str]]:
    """Lay word -> the word it is read as (empty in a database built before them)."""
    return store.get_word_lists(BLOB)
