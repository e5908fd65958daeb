"""Initialisms: a short word no list carries, read as the condition name whose initials it spells.

"ivh" is nowhere in the data, but "Intraventricular (nontraumatic) hemorrhage" is: its words' initials, with a
compound word giving its parts' ("intra|ventricular"), spell it. At build time ``derive`` reads the names of the
diagnosis code sets (titles, inclusion terms, the open vocabularies' synonyms, and the Alphabetic Index's
entries, also turned to natural order: "Atrophy, olivopontocerebellar" is "olivopontocerebellar atrophy"),
takes every run of naming words in them (a run ends at a comma, a bracket, a number or a joining word such as
"with", "and", "due to"), and keys each run's last words by their initials. A key keeps the few names the most
sources and codes agree on. ``abbreviations.load`` adds a key only where nothing else says what the word is: it
is no abbreviation the lists or the data spell out, and no word (nor the start of a word) the index holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import product

from medcodes.models import DesignationKind
from medcodes.search.ranking import DEFAULT, Initialisms
from medcodes.search.text import singular, tokens
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

BLOB = "initialisms-1"

# The code sets that name conditions.
SYSTEMS = (SystemId.ICD10CM, SystemId.ICD9CM, SystemId.ICD10, SystemId.ICD11)
# The open vocabularies whose synonyms are names (the GEMs' are other code sets' titles, read as such).
_VOCABULARIES = frozenset({"doid", "ncit", "mondo", "hpo"})
# The Alphabetic Index's entries, from the CDC file or a reconstruction of it (not the Table of Drugs' or the
# Neoplasm Table's rows, nor the External Cause Index's).
_INDEXES = frozenset({"index", "index-reconstructed"})
# Codes that name no condition: ICD-9-CM's procedures ("45.23"), the external causes, whose names are of places,
# objects and events ("Prolonged exposure to cold in deep freeze unit": ICD-10's V01-Y98, ICD-9-CM's E codes,
# ICD-11's chapter 23, "PA..") and ICD-11's extension codes ("XA7RE3").
_NOT_CONDITIONS = {
    SystemId.ICD10CM: re.compile(r"^[V-Y]\d"),
    SystemId.ICD10: re.compile(r"^[V-Y]\d"),
    SystemId.ICD9CM: re.compile(r"^(\d\d(\.\d*)?|E\d.*)$"),
    SystemId.ICD11: re.compile(r"^[PX]"),
}

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_SEGMENT = re.compile(r"[,;:]")
# Words that end a name: what follows them is another name or a qualifier of it.
_BREAKS = frozenset(
    {
        *("with", "without", "and", "or", "due", "to", "in", "following", "by", "from", "for", "as", "at", "on"),
        *("into", "nos", "nec", "other", "unspecified", "specified", "see", "also", "not", "than", "after"),
        *("during", "involving", "complicating", "affecting", "including", "except", "use", "code", "type"),
        *("ii", "iii"),
    }
)
# Words inside a name that give no letter ("tetralogy of fallot").
_SILENT = frozenset({"of", "the", "a", "an", "s"})  # "s": a possessive's ("Down's syndrome")
VOWELS = frozenset("aeiouy")


def _runs(text: str) -> Iterator[list[str]]:
    """The runs of naming words of a text: between commas, brackets, numbers and joining words."""
    for segment in _SEGMENT.split(_BRACKETED.sub(" ", text)):
        run: list[str] = []
        for word in [*tokens(segment), "to"]:
            if word in _BREAKS or not word.isalpha():
                while run and run[-1] in _SILENT:
                    run.pop()
                if run:
                    yield run
                run = []
            elif run or word not in _SILENT:
                run.append(word)


def natural_order(entry: str) -> list[str]:
    """An index entry's main term with its first one or two one-word subterms before it, as people write it:
    "Atrophy, atrophic, olivopontocerebellar" -> "olivopontocerebellar atrophy" (the main term's other form,
    "atrophic", is passed over); none where the first subterm is no single word."""
    parts = [p.strip() for p in _SEGMENT.split(_BRACKETED.sub(" ", entry))]
    main = tokens(parts[0]) if parts else []
    if not main:
        return []
    rest = parts[1:]
    if rest and len(tokens(rest[0])) == 1 and tokens(rest[0])[0][:4] == main[0][:4]:
        rest = rest[1:]  # "Hemorrhage, hemorrhagic": the main term's adjective
    found: list[str] = []
    before: list[str] = []
    for part in rest[:2]:
        words = tokens(part)
        if len(words) != 1 or words[0] in _BREAKS or words[0] in _SILENT or not words[0].isalpha():
            break
        before.insert(0, words[0])
        found.append(" ".join([*before, *main]))
    return found


class Deriver:
    """Keys the names of one build by their initials (``vocabulary``: the words a compound may end in)."""

    def __init__(self, vocabulary: Iterable[str], limits: Initialisms = DEFAULT.initialisms) -> None:
        self.limits = limits
        self.vocabulary = frozenset(vocabulary)
        self.initials = lru_cache(maxsize=1 << 16)(self._initials)

    def _initials(self, word: str) -> tuple[str, ...]:
        """A word's initial, and its parts' where it is a compound of a leading part that is a word or ends in a
        vowel (a combining form: "intra", "olivo") and a known word: "intraventricular" -> ("i", "iv"); "gunshot" ->
        ("g", "gs"); "olivopontocerebellar" -> ("o", "oc", "op", "opc"); not "sar|coma"."""
        found = {word[0]}
        for cut in range(self.limits.part, len(word) - self.limits.tail + 1):
            rest = word[cut:]
            lead = word[:cut]
            if rest in self.vocabulary and (lead[-1] in VOWELS or lead in self.vocabulary):
                found.update(word[0] + tail for tail in self.initials(rest))
        return tuple(sorted(found, key=lambda k: (len(k), k)))

    def keys(self, run: list[str]) -> Iterator[tuple[str, str]]:
        """(key, name) for the run's last words (the head of an English name is its last word)."""
        naming = [i for i, w in enumerate(run) if w not in _SILENT]
        for start in naming:
            if start and run[start - 1] in _SILENT:
                continue  # what follows "of" is the thing a name is about ("injury of lumbar spinal cord")
            letters = [self.initials(run[i]) for i in naming if i >= start]
            if len(letters) > self.limits.max_letters:
                continue
            name = " ".join(run[start:])
            for choice in product(*letters):
                key = "".join(choice)
                if self.limits.min_letters <= len(key) <= self.limits.max_letters:
                    yield key, name


def _singular(name: str) -> str:
    head, _, last = name.rpartition(" ")
    return f"{head} {singular(last)}" if head else singular(last)


def names(store: SQLiteStore) -> Iterator[tuple[int, str, Iterable[str]]]:
    """(concept id, source, its names' texts) of every condition designation that names something."""
    for cid, system, code, kind, source, text in store.named_rows(SYSTEMS):
        if _NOT_CONDITIONS[system].match(code):
            continue
        if kind in (DesignationKind.TITLE, DesignationKind.INCLUSION_TERM) or (
            kind is DesignationKind.SYNONYM and source in _VOCABULARIES
        ):
            yield cid, source, (text,)
        elif kind is DesignationKind.INDEX_TERM and source in _INDEXES:
            yield cid, source, (text, *natural_order(text))


def derive(
    rows: Iterable[tuple[int, str, Iterable[str]]], limits: Initialisms = DEFAULT.initialisms
) -> dict[str, list[str]]:
    """key -> its names, those the most sources and then the most codes give first, then the shorter.

    ``rows`` are (concept id, source, texts), a concept's rows together.
    """
    read = [(cid, source, [run for text in texts for run in _runs(text)]) for cid, source, texts in rows]
    deriver = Deriver((w for _, _, runs in read for run in runs for w in run), limits)
    sources: dict[str, int] = {}
    # (key, name) -> [codes, sources as bits]
    tally: dict[tuple[str, str], list[int]] = {}
    concept = None
    seen: dict[tuple[str, str], int] = {}
    spelled: dict[str, str] = {}

    def flush() -> None:
        for pair, bits in seen.items():
            count = tally.setdefault(pair, [0, 0])
            count[0] += 1
            count[1] |= bits

    # Titles repeat their runs ("initial encounter for closed fracture"): each distinct run is keyed once.
    keyed: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for cid, source, runs in read:
        if cid != concept:
            flush()
            seen, concept = {}, cid
        bit = 1 << sources.setdefault(source, len(sources))
        for run in runs:
            pairs = keyed.get(words := tuple(run))
            if pairs is None:
                # "diseases" and "disease" are one name, written as first seen.
                pairs = keyed[words] = [
                    (key, spelled.setdefault(_singular(name), name)) for key, name in deriver.keys(run)
                ]
            for pair in pairs:
                seen[pair] = seen.get(pair, 0) | bit
    flush()
    by_key: dict[str, list[tuple[int, int, int, str]]] = {}
    for (key, name), (codes, bits) in tally.items():
        by_key.setdefault(key, []).append((-bits.bit_count(), -codes, len(name), name))
    return {key: [name for *_, name in sorted(found)[: limits.phrases]] for key, found in sorted(by_key.items())}


def save(store: SQLiteStore, limits: Initialisms = DEFAULT.initialisms) -> None:
    """Build-time step: key the condition names by their initials and keep them in the store."""
    store.put_word_lists(BLOB, derive(names(store), limits))


def load(store: SQLiteStore) -> dict[str, list[str]]:
    """The stored initialisms (none in a database built before them)."""
    return store.get_word_lists(BLOB)
