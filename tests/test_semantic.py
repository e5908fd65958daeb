"""Semantic retrieval: the WordPiece tokenizer, the BERT graph, and the index saved in a store.

The graph is built from a tiny BERT made here (8 wide, 2 heads, 2 layers, a 30-token vocabulary, seeded
random weights), written as a real model folder (config.json, vocab.txt, model.safetensors), and checked
against a plain numpy forward pass written from the BERT paper's equations. Tests that run the graph need
onnx and onnxruntime (``pip install 'medcodes[semantic-build]'``) and skip without them; the packaged
all-MiniLM-L6-v2 is used only where it is installed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from medcodes.errors import DatabaseDamaged
from medcodes.models import Concept, ConceptKind, Designation, DesignationKind, NameScope, Release, ReleaseContent
from medcodes.search import neighbours, onnx_export, semantic, semantic_build
from medcodes.search.semantic import Encoder, SemanticIndex, TitleVectors, WordPiece
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

VOCABULARY = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "heart",
    "attack",
    "myo",
    "##card",
    "##ial",
    "infarction",
    "kidney",
    "stone",
    "calcul",
    "##us",
    "of",
    "broken",
    "wrist",
    "fracture",
    "radius",
    "'",
    "s",
    ",",
    "acute",
    "removal",
    "gall",
    "##bladder",
    "water",
    "pill",
    "diabetes",
    "type",
]
TITLES = {
    (SystemId.ICD10CM, "I21.9"): "Acute myocardial infarction",
    (SystemId.ICD10CM, "N20.0"): "Calculus of kidney",
    (SystemId.ICD10CM, "S52.5"): "Fracture of radius",
    (SystemId.ICD10CM, "E11"): "Type 2 diabetes",
    (SystemId.HCPCS, "A4000"): "Kidney stone removal",
    (SystemId.HCPCS, "A4001"): "Gallbladder removal",
}


def ids(*tokens: str) -> list[int]:
    return [VOCABULARY.index(t) for t in tokens]


def tiny_weights(hidden: int = 8, intermediate: int = 16, layers: int = 2) -> dict[str, npt.NDArray[np.float32]]:
    """A BERT checkpoint's tensors, named as Hugging Face names them, with seeded random values."""
    rng = np.random.default_rng(7)

    def r(*shape: int) -> npt.NDArray[np.float32]:
        return rng.normal(0.0, 0.5, shape).astype(np.float32)

    def small(n: int) -> npt.NDArray[np.float32]:
        return rng.normal(0.0, 0.1, n).astype(np.float32)

    def gain(n: int) -> npt.NDArray[np.float32]:
        return rng.normal(1.0, 0.1, n).astype(np.float32)

    weights: dict[str, npt.NDArray[np.float32]] = {
        "embeddings.word_embeddings.weight": r(len(VOCABULARY), hidden),
        "embeddings.position_embeddings.weight": r(32, hidden),
        "embeddings.token_type_embeddings.weight": r(2, hidden),
        "embeddings.LayerNorm.weight": gain(hidden),
        "embeddings.LayerNorm.bias": small(hidden),
    }
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            weights[f"{p}attention.self.{name}.weight"] = r(hidden, hidden)
            weights[f"{p}attention.self.{name}.bias"] = r(hidden)
        weights[f"{p}attention.output.dense.weight"] = r(hidden, hidden)
        weights[f"{p}attention.output.dense.bias"] = r(hidden)
        weights[f"{p}attention.output.LayerNorm.weight"] = gain(hidden)
        weights[f"{p}attention.output.LayerNorm.bias"] = small(hidden)
        weights[f"{p}intermediate.dense.weight"] = r(intermediate, hidden)
        weights[f"{p}intermediate.dense.bias"] = r(intermediate)
        weights[f"{p}output.dense.weight"] = r(hidden, intermediate)
        weights[f"{p}output.dense.bias"] = r(hidden)
        weights[f"{p}output.LayerNorm.weight"] = gain(hidden)
        weights[f"{p}output.LayerNorm.bias"] = small(hidden)
    return weights


def write_safetensors(path: Path, tensors: dict[str, npt.NDArray[np.generic]]) -> None:
    """The .safetensors layout: u64 header length, JSON header (dtype, shape, offsets), raw data."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    data = b""
    names = {np.dtype(np.float32): "F32", np.dtype(np.float16): "F16", np.dtype(np.int64): "I64"}
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array).tobytes()
        header[name] = {
            "dtype": names[array.dtype],
            "shape": list(array.shape),
            "data_offsets": [len(data), len(data) + len(raw)],
        }
        data += raw
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-bert")
    config = {
        "hidden_size": 8,
        "num_attention_heads": 2,
        "num_hidden_layers": 2,
        "intermediate_size": 16,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": 32,
    }
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (folder / "vocab.txt").write_text("\n".join(VOCABULARY) + "\n", encoding="utf-8")
    tensors: dict[str, npt.NDArray[np.generic]] = dict(tiny_weights())
    tensors["embeddings.position_ids"] = np.arange(32, dtype=np.int64)[None, :]
    write_safetensors(folder / "model.safetensors", tensors)
    return folder


def make_store(path: Path) -> SQLiteStore:
    store = SQLiteStore.create(path)
    for system in (SystemId.ICD10CM, SystemId.HCPCS):
        concepts = tuple(
            Concept(s, code, title, ConceptKind.CODE, True, seq=i)
            for i, ((s, code), title) in enumerate(TITLES.items())
            if s is system
        )
        store.add_release(ReleaseContent(Release(system, "2026", dt.date(2025, 10, 1)), concepts))
    return store


def code_of(concept_id: int) -> str:
    return list(TITLES)[concept_id - 1][1]


# ---------------------------------------------------------------------------------------------- tokenizer
def test_wordpiece_takes_the_longest_pieces_first() -> None:
    assert WordPiece(VOCABULARY).encode("Myocardial") == ids("[CLS]", "myo", "##card", "##ial", "[SEP]")


def test_wordpiece_splits_off_punctuation_and_strips_accents() -> None:
    assert WordPiece(VOCABULARY).encode("Héart's, stone") == ids("[CLS]", "heart", "'", "s", ",", "stone", "[SEP]")


def test_wordpiece_word_it_cannot_cover_is_one_unknown() -> None:
    assert WordPiece(VOCABULARY).encode("heart zzz") == ids("[CLS]", "heart", "[UNK]", "[SEP]")


def test_wordpiece_truncates_keeping_the_end_marker() -> None:
    assert WordPiece(VOCABULARY).encode("heart attack kidney stone", max_tokens=4) == ids(
        "[CLS]", "heart", "attack", "[SEP]"
    )


# ---------------------------------------------------------------------------------------------- model files
def test_safetensors_floats_are_read_and_integers_skipped(model_dir: Path) -> None:
    tensors = onnx_export.read_safetensors(model_dir / "model.safetensors")
    assert "embeddings.position_ids" not in tensors
    assert tensors["embeddings.word_embeddings.weight"].shape == (30, 8)
    assert np.array_equal(
        tensors["encoder.layer.1.output.dense.bias"], tiny_weights()["encoder.layer.1.output.dense.bias"]
    )


def test_model_folder_config_is_read(model_dir: Path) -> None:
    config, vocabulary, _ = onnx_export.read_model(model_dir)
    assert config == onnx_export.BertConfig(hidden=8, heads=2, layers=2, eps=1e-12, max_tokens=32)
    assert vocabulary[:4] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]


# ---------------------------------------------------------------------------------------------- title vectors
def table() -> TitleVectors:
    """Four unit rows in 2 dimensions: two ICD-10-CM concepts (ids 10, 11), then two HCPCS ones (20, 21)."""
    rows = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0]], dtype=np.float32)
    ptr = np.zeros(len(semantic.SYSTEMS) + 1, dtype=np.int64)
    cm, hcpcs = semantic.SYSTEMS.index(SystemId.ICD10CM), semantic.SYSTEMS.index(SystemId.HCPCS)
    assert cm < hcpcs
    ptr[cm + 1 :] = 2
    ptr[hcpcs + 1 :] = 4
    return TitleVectors(
        mean=np.zeros(2, dtype=np.float32),
        projection=np.eye(2, dtype=np.float32),
        vectors=rows,
        concept=np.array([10, 11, 20, 21], dtype=np.int32),
        system_ptr=ptr,
    )


def test_nearest_rows_come_best_first_with_their_cosine() -> None:
    found = table().nearest(np.array([0.8, 0.6], dtype=np.float32), 3)
    assert [cid for cid, _ in found] == [11, 10, 20]
    assert [round(score, 2) for _, score in found] == [0.96, 0.8, 0.6]


def test_nearest_with_a_system_filter_reads_only_its_rows() -> None:
    found = table().nearest(np.array([0.8, 0.6], dtype=np.float32), 3, (SystemId.HCPCS,))
    assert [cid for cid, _ in found] == [20, 21]


def test_nearest_on_a_system_without_rows_finds_nothing() -> None:
    assert table().nearest(np.array([1.0, 0.0], dtype=np.float32), 3, (SystemId.MSDRG,)) == []


def test_nearest_of_none_is_empty() -> None:
    assert table().nearest(np.array([1.0, 0.0], dtype=np.float32), 0) == []


def test_projection_keeps_the_directions_of_most_variance() -> None:
    rng = np.random.default_rng(3)
    points = (rng.normal(size=(2000, 3)) * np.array([3.0, 0.1, 0.5]) + 5.0).astype(np.float32)
    mean, projection = semantic_build.fit_projection(points, 1)
    assert np.allclose(mean, 5.0, atol=0.2)
    assert np.allclose(np.abs(projection[:, 0]), [1.0, 0.0, 0.0], atol=0.02)


def test_title_vectors_round_trip_through_the_store(tmp_path: Path) -> None:
    store = make_store(tmp_path / "t.db")
    table().save(store)
    loaded = TitleVectors.load(store)
    store.close()
    assert loaded is not None
    assert isinstance(loaded.vectors, neighbours.Quantized)  # int8 on disk and in memory
    rows = table().vectors
    assert isinstance(rows, np.ndarray)
    assert np.allclose(loaded.vectors.codes * loaded.vectors.scale, rows, atol=1e-2)
    assert loaded.concept.tolist() == [10, 11, 20, 21]
    assert loaded.lists is None  # four rows are read in full
    assert [cid for cid, _ in loaded.nearest(np.array([0.8, 0.6], dtype=np.float32), 3)] == [11, 10, 20]


def test_a_database_of_float16_rows_is_still_read(tmp_path: Path) -> None:
    store = make_store(tmp_path / "old.db")
    old = table()
    for name, array in (("mean", old.mean), ("projection", old.projection), ("concept", old.concept)):
        store.put_blob(f"{semantic.SEMANTIC_VERSION}/{name}", array.tobytes())
    store.put_blob(f"{semantic.SEMANTIC_VERSION}/system_ptr", old.system_ptr.tobytes())
    store.put_blob(f"{semantic.SEMANTIC_VERSION}/vectors", np.asarray(old.vectors, dtype=np.float16).tobytes())
    loaded = TitleVectors.load(store)
    store.close()
    assert loaded is not None and loaded.lists is None
    found = loaded.nearest(np.array([0.8, 0.6], dtype=np.float32), 3, (SystemId.HCPCS,))
    assert [cid for cid, _ in found] == [20, 21]


@pytest.mark.parametrize(
    ("part", "data"),
    [
        ("concept", np.array([10, 11, 20], dtype=np.int32).tobytes()),  # a row without its concept
        ("vectors.int8", b"\x01\x02\x03"),  # not a whole number of rows
        ("scale", np.ones(3, dtype=np.float32).tobytes()),  # a scale for a dimension the rows lack
    ],
)
def test_parts_that_do_not_fit_together_are_a_damaged_database(tmp_path: Path, part: str, data: bytes) -> None:
    store = make_store(tmp_path / "d.db")
    table().save(store)
    store.put_blob(f"{semantic.SEMANTIC_VERSION}/{part}", data)  # with its own checksum: passes that check
    with pytest.raises(DatabaseDamaged, match="the semantic index's parts do not fit together"):
        TitleVectors.load(store)
    store.close()


def test_extension_codes_and_pcs_body_systems_are_not_indexed() -> None:
    assert not semantic_build.indexed(SystemId.ICD11, ConceptKind.EXTENSION)
    assert not semantic_build.indexed(SystemId.ICD10PCS, ConceptKind.BLOCK)
    assert semantic_build.indexed(SystemId.ICD10PCS, ConceptKind.CATEGORY)
    assert semantic_build.indexed(SystemId.ICD10CM, ConceptKind.BLOCK)


# ---------------------------------------------------------------------------------------------- build step
def test_load_is_none_for_a_database_built_without_vectors(tmp_path: Path) -> None:
    store = make_store(tmp_path / "none.db")
    assert SemanticIndex.load(store) is None
    store.close()


def test_prepare_does_nothing_without_the_extra(tmp_path: Path) -> None:
    if onnx_export.can_build():
        pytest.skip("the semantic-build extra is installed: prepare would build")
    store = make_store(tmp_path / "p.db")
    assert semantic_build.prepare(store) is False
    assert store.get_blob(f"{semantic.SEMANTIC_VERSION}/config") is None
    store.close()


def test_a_missing_dependency_names_the_extra_to_install() -> None:
    if onnx_export.can_build():
        pytest.skip("the semantic-build extra is installed")
    with pytest.raises(ImportError, match=r"pip install 'medcodes\[semantic-build\]'"):
        onnx_export.require_build()


# ---------------------------------------------------------------------------------------------- the graph
def reference_forward(
    weights: dict[str, npt.NDArray[np.float32]], ids: list[int], heads: int = 2
) -> npt.NDArray[np.float32]:
    """BERT's encoder (Devlin et al. 2019) in plain numpy, one sequence, mean-pooled: the test's oracle."""

    def norm(x: npt.NDArray[np.float32], prefix: str) -> npt.NDArray[np.float32]:
        centred = x - x.mean(-1, keepdims=True)
        scaled = centred / np.sqrt((centred**2).mean(-1, keepdims=True) + 1e-12)
        out: npt.NDArray[np.float32] = scaled * weights[f"{prefix}.weight"] + weights[f"{prefix}.bias"]
        return out

    def dense(x: npt.NDArray[np.float32], prefix: str) -> npt.NDArray[np.float32]:
        return x @ weights[f"{prefix}.weight"].T + weights[f"{prefix}.bias"]

    x = weights["embeddings.word_embeddings.weight"][ids] + weights["embeddings.position_embeddings.weight"][: len(ids)]
    x = norm(x + weights["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    width = x.shape[1] // heads
    for i in range(2):
        p = f"encoder.layer.{i}"
        q, k, v = (dense(x, f"{p}.attention.self.{n}") for n in ("query", "key", "value"))
        context = []
        for h in range(heads):
            part = slice(h * width, (h + 1) * width)
            scores = q[:, part] @ k[:, part].T / math.sqrt(width)
            attention = np.exp(scores - scores.max(1, keepdims=True))
            attention /= attention.sum(1, keepdims=True)
            context.append(attention @ v[:, part])
        x = norm(
            x + dense(np.concatenate(context, 1), f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm"
        )
        hidden = dense(x, f"{p}.intermediate.dense")
        hidden = hidden * 0.5 * (1 + np.vectorize(math.erf)(hidden / math.sqrt(2)))
        x = norm(x + dense(hidden, f"{p}.output.dense"), f"{p}.output.LayerNorm")
    pooled = x.mean(0)
    out: npt.NDArray[np.float32] = (pooled / np.linalg.norm(pooled)).astype(np.float32)
    return out


@pytest.fixture(scope="module")
def graphs(model_dir: Path) -> tuple[bytes, bytes]:
    """(float32 graph, int8 graph) of the tiny model."""
    pytest.importorskip("onnx", reason="onnx is not installed (pip install 'medcodes[semantic-build]')")
    pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (pip install 'medcodes[semantic-build]')")
    config, _, weights = onnx_export.read_model(model_dir)
    graph = onnx_export.bert_graph(config, weights)
    return graph, onnx_export.quantize(graph)


def test_graph_computes_bert(graphs: tuple[bytes, bytes]) -> None:
    encoder = Encoder(graphs[0], VOCABULARY)
    expected = reference_forward(tiny_weights(), ids("[CLS]", "heart", "attack", "of", "kidney", "[SEP]"))
    assert np.allclose(encoder.encode_one("heart attack of kidney"), expected, atol=1e-5)


def test_int8_graph_stays_close_to_float32(graphs: tuple[bytes, bytes]) -> None:
    texts = ["heart attack", "broken wrist", "removal of gallbladder", "acute myocardial infarction"]
    exact = Encoder(graphs[0], VOCABULARY).encode(texts)
    approximate = Encoder(graphs[1], VOCABULARY).encode(texts)
    assert float((exact * approximate).sum(1).min()) > 0.95


def test_int8_graph_keeps_its_weight_matrices_in_8_bits(graphs: tuple[bytes, bytes]) -> None:
    onnx = pytest.importorskip("onnx")
    model = onnx.load_from_string(graphs[1])
    eight_bits = {onnx.TensorProto.INT8, onnx.TensorProto.UINT8}
    wider = {i.name for i in model.graph.initializer if len(i.dims) == 2 and i.data_type not in eight_bits}
    assert wider == {"position_embeddings"}  # a slice of it is added, never multiplied


def test_texts_encoded_together_or_alone_get_the_same_vectors(graphs: tuple[bytes, bytes]) -> None:
    encoder = Encoder(graphs[1], VOCABULARY)
    texts = ["heart", "acute myocardial infarction of radius", "kidney stone"]
    assert np.array_equal(encoder.encode(texts, workers=2), np.stack([encoder.encode_one(t) for t in texts]))


# ---------------------------------------------------------------------------------------------- the index
@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, model_dir: Path, graphs: tuple[bytes, bytes]) -> SemanticIndex:
    return built(make_store(tmp_path_factory.mktemp("semantic") / "s.db"), model_dir)[0]


def built(store: SQLiteStore, model_dir: Path) -> tuple[SemanticIndex, dict[str, object]]:
    """The index ``write`` saves in ``store`` (closed after), loaded back, and the config it saved."""
    semantic_build.write(store, model_dir, dims=6)
    config = json.loads(store.get_blob(f"{semantic.SEMANTIC_VERSION}/config") or b"{}")
    found = SemanticIndex.load(store)
    store.close()
    assert found is not None
    return found, config


def test_a_title_is_nearest_itself(index: SemanticIndex) -> None:
    found = index.search("Calculus of kidney", 3)
    assert code_of(found[0][0]) == "N20.0"
    assert found[0][1] == pytest.approx(1.0, abs=1e-3)


def test_search_returns_k_concepts_best_first(index: SemanticIndex) -> None:
    scores = [score for _, score in index.search("gallbladder removal", 6)]
    assert scores == sorted(scores, reverse=True)
    assert len(scores) == 6


def test_search_with_a_system_filter(index: SemanticIndex) -> None:
    found = index.search("Kidney stone removal", 6, (SystemId.ICD10CM,))
    assert sorted(code_of(cid) for cid, _ in found) == ["E11", "I21.9", "N20.0", "S52.5"]


def test_blank_query_finds_nothing(index: SemanticIndex) -> None:
    assert index.search("   ", 5) == []


def test_repeated_query_is_encoded_once(index: SemanticIndex) -> None:
    first = index.encode("broken  wrist")
    assert index.encode("broken wrist") is first


# ---------------------------------------------------------------------------------------------- other names
def name(code: str, kind: DesignationKind, text: str, scope: NameScope | None = NameScope.EXACT) -> Designation:
    system = SystemId.ICD10CM if code[0].isalpha() and len(code) > 1 and code[1].isdigit() else SystemId.HCPCS
    return Designation(system, code, kind, text, "doid" if scope else "tabular", None, scope)


def named_store(path: Path) -> SQLiteStore:
    """The titles, plus: I21.9 a vocabulary synonym (and the same again in capitals), N20.0 an inclusion term
    and a synonym repeating its title, S52.5 a synonym without a scope (a key's name: not indexed), E11 two
    vocabulary synonyms (one past a cap of one)."""
    store = make_store(path)
    store.add_designations(
        [
            name("I21.9", DesignationKind.SYNONYM, "heart attack"),
            name("I21.9", DesignationKind.SYNONYM, "Heart  Attack"),
            name("N20.0", DesignationKind.INCLUSION_TERM, "kidney stone", None),
            name("N20.0", DesignationKind.SYNONYM, "calculus of KIDNEY"),
            name("S52.5", DesignationKind.SYNONYM, "broken wrist", None),
            name("E11", DesignationKind.SYNONYM, "diabetes type 2"),
            name("E11", DesignationKind.SYNONYM, "type 2 diabetes of the adult"),
            name("E11", DesignationKind.ABBREVIATION, "T2D"),
        ]
    )
    return store


def test_names_are_inclusion_terms_and_scoped_synonyms_once_each(tmp_path: Path) -> None:
    store = named_store(tmp_path / "n.db")
    titles = {cid: title for cid, _, _, title in store.concept_titles()}
    found = [(code_of(cid), text) for cid, text in semantic_build.names(store, titles)]
    assert found == [
        ("I21.9", "heart attack"),
        ("N20.0", "kidney stone"),
        ("E11", "diabetes type 2"),
        ("E11", "type 2 diabetes of the adult"),
    ]
    capped = [(code_of(cid), text) for cid, text in semantic_build.names(store, titles, most=1)]
    assert [text for code, text in capped if code == "E11"] == ["diabetes type 2"]
    store.close()


@pytest.fixture(scope="module")
def named_index(
    tmp_path_factory: pytest.TempPathFactory, model_dir: Path, graphs: tuple[bytes, bytes]
) -> SemanticIndex:
    found, config = built(named_store(tmp_path_factory.mktemp("named") / "n.db"), model_dir)
    assert (config["rows"], config["names"]) == (len(TITLES) + 4, 4)
    return found


def test_a_name_finds_its_concept_as_its_title_does(named_index: SemanticIndex) -> None:
    found = named_index.search("heart attack", 3)
    assert code_of(found[0][0]) == "I21.9"
    # Nearly 1: the space is fitted on the titles alone, so a name loses a little of itself in it.
    assert found[0][1] == pytest.approx(1.0, abs=0.01)


def test_each_concept_comes_once_with_its_best_row(named_index: SemanticIndex) -> None:
    found = named_index.search("type 2 diabetes", len(TITLES))
    assert len({cid for cid, _ in found}) == len(found) == len(TITLES)
    assert code_of(found[0][0]) == "E11"
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)


def test_an_index_of_titles_only_reads_one_row_per_concept(index: SemanticIndex, named_index: SemanticIndex) -> None:
    assert (index.rows_per_concept, named_index.rows_per_concept) == (1, semantic.ROWS_PER_CONCEPT)


# ---------------------------------------------------------------------------------------------- the real model
@pytest.fixture(scope="module")
def minilm() -> tuple[Path, bytes, list[str]]:
    """(model folder, float32 graph, vocabulary) of the packaged all-MiniLM-L6-v2."""
    directory = onnx_export.model_directory()
    if directory is None or not onnx_export.can_build():
        pytest.skip("all-MiniLM-L6-v2, onnx or onnxruntime is not installed (pip install 'medcodes[semantic-build]')")
    config, vocabulary, weights = onnx_export.read_model(directory)
    return directory, onnx_export.bert_graph(config, weights), vocabulary


def test_minilm_puts_a_lay_phrase_near_its_official_title(minilm: tuple[Path, bytes, list[str]]) -> None:
    _, graph, vocabulary = minilm
    query, *titles = Encoder(onnx_export.quantize(graph), vocabulary).encode(
        ["heart attack", "Calculus of kidney", "Acute myocardial infarction", "Fracture of lower end of radius"]
    )
    assert int(np.argmax(np.stack(titles) @ query)) == 1


def test_minilm_graph_matches_sentence_transformers(minilm: tuple[Path, bytes, list[str]]) -> None:
    sentence_transformers = pytest.importorskip(
        "sentence_transformers", reason="sentence-transformers is not installed"
    )
    directory, graph, vocabulary = minilm
    texts = ["tube test for infertility", "Hysterosalpingography", "Type 2 diabetes mellitus without complications"]
    reference = sentence_transformers.SentenceTransformer(str(directory), device="cpu").encode(
        texts, normalize_embeddings=True
    )
    assert np.allclose((Encoder(graph, vocabulary).encode(texts) * reference).sum(1), 1.0, atol=1e-4)
