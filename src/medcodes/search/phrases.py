"""Autocomplete's phrases: the names the data itself gives codes, so that a completion is always one a code carries.

At build time every short designation (titles, inclusion terms, synonyms and vocabulary names, index terms
read as people say them) becomes a phrase of normalised words; the phrases are kept sorted, so the ones
starting with what was typed are one range (found by bisection), each with the concept that makes it worth
most. An index term is read the way people say it: the main term alone ("Diabetes, diabetic" -> "diabetes"),
or with its one subterm before it ("Attack, attacks, heart" -> "heart attack"; "Fracture, wrist" -> "wrist
fracture"), or after it when the subterm starts with a joining word ("Asthma, with exacerbation" -> "asthma
with exacerbation"). A phrase that starts a longer one is worth what the longer one is worth at least, so
"diabetes" comes before "diabetes insipidus" and "diabetes mellitus ...". Each phrase also counts the phrases it
starts, itself included: the names that go on with it say how often the data speaks of it, so "pneu" completes to
"pneumonia" (which starts 164 phrases) before "pneumohydropericardium" (one), whose code is worth more. A phrase
said in the other number counts with it (``pooled``): "kidney stone" and "kidney stones" are one name, which comes
before "kidney stasis", a name of a code worth more.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

from medcodes.models import TABLE_COLUMN, DesignationKind
from medcodes.search.index import KINDS
from medcodes.search.ranking import DEFAULT, Ranking
from medcodes.search.text import singular, tokens
from medcodes.store.sqlite import SQLiteStore

BLOB = "phrases-1"
# Longer names are titles no one types to the end (ICD-10-PCS's are 8-15 words).
MAX_WORDS = 8
_KINDS = frozenset(
    {
        DesignationKind.TITLE,
        DesignationKind.INCLUSION_TERM,
        DesignationKind.INDEX_TERM,
        DesignationKind.SYNONYM,
        DesignationKind.ABBREVIATION,
    }
)
# A subterm starting with one of these reads after its main term ("asthma with exacerbation").
_JOINING = frozenset(
    {"with", "without", "in", "due", "of", "by", "and", "or", "for", "as", "from", "to", "on", "following"}
)

I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]
U32 = npt.NDArray[np.uint32]
F32 = npt.NDArray[np.float32]


def _forms(first: str, part: str) -> bool:
    """Whether an index heading's comma part is a form of its first word ("Attack, attacks", "Diabetes,
    diabetic", "Infection, infected, infective")."""
    a, b = tokens(first), tokens(part)
    return len(a) == 1 and len(b) == 1 and a[0][:4] == b[0][:4]


def readings(kind: DesignationKind, text: str) -> Iterator[str]:
    """The phrases a designation gives, as normalised words joined by spaces (none for a short title: an
    abbreviated title is no name anyone types)."""
    if kind not in _KINDS:
        return
    if kind is DesignationKind.INDEX_TERM:
        if TABLE_COLUMN in text:
            return
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            return
        main = 1
        while main < len(parts) and _forms(parts[0], parts[main]):
            main += 1
        rest = parts[main:]
        head = tokens(parts[0])
        if not rest:
            found = [head]
        elif len(rest) == 1:
            sub = tokens(rest[0])
            # "Attack, heart": "heart attack" as people say it, and "attack heart" as some type it; "High,
            # blood pressure" the other way round. A subterm that joins ("with ...") only follows.
            found = [[*head, *sub]] if sub and sub[0] in _JOINING else [[*sub, *head], [*head, *sub]]
        else:
            return
    else:
        found = [tokens(text)]
    for words in found:
        if words and len(words) <= MAX_WORDS:
            yield " ".join(words)


class Packed(Sequence[str]):
    """Sorted texts kept as one UTF-8 buffer and their offsets: 400,000 phrases as Python strings hold 36 MB in
    every server process, packed 11 MB. A text is decoded when it is read (bisection reads about twenty); UTF-8's
    byte order is code-point order, so the texts stay sorted as Python sorts strings."""

    __slots__ = ("data", "ends")

    def __init__(self, data: bytes, ends: npt.NDArray[np.int64]) -> None:
        self.data = data  # the texts, each followed by a newline
        self.ends = ends  # where each text's newline is

    @classmethod
    def of(cls, texts: Sequence[str]) -> Packed:
        return cls.lines("\n".join(texts).encode()) if texts else cls(b"", np.empty(0, dtype=np.int64))

    @classmethod
    def lines(cls, blob: bytes) -> Packed:
        """The texts of a blob of UTF-8 lines (newlines between them), read without a string per text."""
        data = blob + b"\n"
        return cls(data, np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10).astype(np.int64))

    def __len__(self) -> int:
        return len(self.ends)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        start = int(self.ends[i - 1]) + 1 if i else 0
        return self.data[start : int(self.ends[i])].decode()


def starting(texts: Sequence[str], typed: str) -> tuple[int, int]:
    """The range [lo, hi) of sorted ``texts`` that start with ``typed``."""
    lo = bisect.bisect_left(texts, typed)
    return lo, bisect.bisect_left(texts, typed + "\uffff", lo)


@dataclass(frozen=True, slots=True)
class Phrases:
    """Sorted phrases, each with the concept (id) and designation kind that make it worth most."""

    texts: Sequence[str]
    concept: I32
    kind: U8
    words: U8  # how many words each phrase has
    starts: U32 | None = None  # how many phrases each starts, itself included (None: a database built before)

    def starting(self, typed: str) -> tuple[int, int]:
        """The range [lo, hi) of phrases that start with ``typed`` (normalised words, the last partial)."""
        return starting(self.texts, typed)

    def complete(self, typed: str, worth: F32, ranking: Ranking, limit: int) -> list[str]:
        """The ``limit`` phrases starting with ``typed`` (itself included, and first) that are worth most: the
        concept's worth (its system, billable or not, priors) times the designation's kind, more for a phrase that
        starts more phrases (``Ranking.completion_spread``), less for each word more than was typed
        (``Ranking.completion_length``)."""
        lo, hi = self.starting(typed)
        if hi <= lo:
            return []
        kinds = np.array([ranking.kinds.of(k) for k in KINDS], dtype=np.float32)
        longer = self.words[lo:hi].astype(np.float32) - (typed.count(" ") + 1)
        score = worth[self.concept[lo:hi]] * kinds[self.kind[lo:hi]] / (1.0 + ranking.completion_length * longer)
        if self.starts is not None and ranking.completion_spread:
            spread = 1.0 + np.log(np.maximum(self.starts[lo:hi], 1).astype(np.float32))
            score = score * np.power(spread, np.float32(ranking.completion_spread))
        # What was typed, where it is a name itself ("flu"), comes first: the word is whole, and the others only
        # start with it ("fluid overload"); sorted, it is the first of the range.
        if self.texts[lo] == typed:
            score[0] = np.inf
        order = np.lexsort((np.arange(hi - lo), -score))  # best first; ties in sorted (shorter first) order
        return [self.texts[lo + int(i)] for i in order[:limit]]


def build(store: SQLiteStore, ranking: Ranking = DEFAULT) -> Phrases:
    """Every phrase of the store's designations, with its best concept (a phrase that starts longer ones is
    given the best of theirs)."""
    worth: dict[int, float] = {}
    for cid, system, billable, _kind in store.concept_rows():
        worth[cid] = ranking.concept_worth(system, billable)
    best: dict[str, tuple[float, int, int]] = {}
    kind_number = {k: i for i, k in enumerate(KINDS)}
    for _did, cid, kind, text in store.designation_rows():
        value = worth.get(cid, 0.0) * ranking.kinds.of(kind)
        for phrase in readings(kind, text):
            found = best.get(phrase)
            if found is None or value > found[0]:
                best[phrase] = (value, cid, kind_number[kind])
    texts = sorted(best)
    values = [best[t] for t in texts]
    starts = [1] * len(texts)
    # A phrase's extensions follow it in sorted order ("p" < "p x" < "p y" < "pa"): the stack holds the
    # phrases that start the current one; each phrase left behind hands its best, and how many it starts, to the
    # one it extends.
    stack: list[int] = []

    def fold() -> None:
        done = stack.pop()
        if stack:
            starts[stack[-1]] += starts[done]
            if values[done][0] > values[stack[-1]][0]:
                values[stack[-1]] = values[done]

    for i, text in enumerate(texts):
        while stack and not text.startswith(texts[stack[-1]] + " "):
            fold()
        stack.append(i)
    while stack:
        fold()
    starts = pooled(texts, starts)
    return Phrases(
        Packed.of(texts),
        np.array([v[1] for v in values], dtype=np.int32),
        np.array([v[2] for v in values], dtype=np.uint8),
        np.array([min(t.count(" ") + 1, 255) for t in texts], dtype=np.uint8),
        np.array(starts, dtype=np.uint32),
    )


def pooled(texts: Sequence[str], starts: Sequence[int]) -> list[int]:
    """Each phrase's count with its other numbers' ("kidney stone" and "kidney stones", each word singular alike):
    one name said in either number, whose phrases go on with either."""
    keys = [" ".join(singular(w) for w in text.split()) for text in texts]
    total: dict[str, int] = {}
    for key, count in zip(keys, starts, strict=True):
        total[key] = total.get(key, 0) + count
    return [total[key] for key in keys]


def write(store: SQLiteStore) -> None:
    """Build-time step: build the phrases and keep them in the store."""
    phrases = build(store)
    store.put_blob(f"{BLOB}/texts", "\n".join(phrases.texts).encode())
    store.put_blob(f"{BLOB}/concept", phrases.concept.tobytes())
    store.put_blob(f"{BLOB}/kind", phrases.kind.tobytes())
    store.put_blob(f"{BLOB}/words", phrases.words.tobytes())
    if phrases.starts is not None:
        store.put_blob(f"{BLOB}/starts", phrases.starts.tobytes())


def load(store: SQLiteStore) -> Phrases | None:
    """The phrases kept in the store, or None for a database built without them."""
    texts, concept, kind, words = (store.get_blob(f"{BLOB}/{n}") for n in ("texts", "concept", "kind", "words"))
    if texts is None or concept is None or kind is None or words is None:
        return None
    starts = store.get_blob(f"{BLOB}/starts")  # absent from a database built before 2026-12-07
    return Phrases(
        Packed.lines(texts) if texts else Packed.of(()),
        np.frombuffer(concept, dtype=np.int32),
        np.frombuffer(kind, dtype=np.uint8),
        np.frombuffer(words, dtype=np.uint8),
        np.frombuffer(starts, dtype=np.uint32) if starts is not None else None,
    )


def typed_phrase(text: str) -> str:
    """What was typed as a phrase prefix: its normalised words, the last one as typed (partial)."""
    return " ".join(tokens(text))
