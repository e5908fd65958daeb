"""Adapt the meaning model to medical names: contrastive fine-tuning of MiniLM on name -> title pairs.

    pip install torch==2.13.0 'medcodes[semantic-build]'     # torch on CPU is enough
    python scripts/finetune_meaning.py --db DB --out DIR [--steps N] [--batch 64] [--epochs 1] [--index]

The pairs are the names the database gives each ICD-10-CM and ICD-10-PCS code besides its title (Alphabetic
Index and PCS Index terms read as people say them, inclusion terms, vocabulary names) paired with the code's
title, the way SapBERT aligned UMLS synonyms: each batch's other titles are its negatives (in-batch softmax
over cosine similarities, scale 20, as sentence-transformers' MultipleNegativesRankingLoss). The model
starts from the all-MiniLM-L6-v2 weights the ``semantic-build`` extra installs, and is written to ``--out``
in the same layout (config.json, vocab.txt, model.safetensors), so that ``--index`` (or
``semantic_build.write(store, DIR)``) encodes the database's titles with it.

It prints the time per step and what a whole epoch would take on this machine; ``--steps`` stops early (a
measurement). Nothing it writes belongs in git: the model is ~90 MB, and the script makes it again.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import shutil
import struct
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from medcodes.models import DesignationKind
from medcodes.search import onnx_export, phrases, semantic, semantic_build
from medcodes.search.text import tokens
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

_SYSTEMS = {SystemId.ICD10CM, SystemId.ICD10PCS}
_NAMES = {DesignationKind.INDEX_TERM, DesignationKind.INCLUSION_TERM, DesignationKind.SYNONYM}


def pairs(store: SQLiteStore, seed: int) -> list[tuple[str, str]]:
    """(name, title) for every name of a code that differs from its title, shuffled."""
    titles: dict[int, str] = {}
    for cid, system, _kind, text in store.concept_titles():
        if system in _SYSTEMS:
            titles[cid] = text
    found: dict[tuple[str, str], None] = {}
    for _did, cid, kind, text in store.designation_rows():
        title = titles.get(cid)
        if title is None or kind not in _NAMES:
            continue
        for name in phrases.readings(kind, text):
            if name != " ".join(tokens(title)):
                found[(name, title)] = None
    out = list(found)
    random.Random(seed).shuffle(out)
    return out


class Bert:
    """MiniLM's BERT in torch, from the safetensors weights (the same arithmetic as ``onnx_export.bert_graph``)."""

    def __init__(self, torch: Any, config: onnx_export.BertConfig, weights: dict[str, Any]) -> None:
        self.torch, self.config = torch, config
        self.weights = {name: torch.tensor(value, requires_grad=True) for name, value in weights.items()}

    def parameters(self) -> list[Any]:
        return list(self.weights.values())

    def __call__(self, ids: Any, mask: Any) -> Any:
        torch, c, w = self.torch, self.config, self.weights
        functional = torch.nn.functional
        length = ids.shape[1]
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
        x = x + w["embeddings.token_type_embeddings.weight"][0]
        x = functional.layer_norm(
            x, (c.hidden,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], c.eps
        )
        heads, width = c.heads, c.hidden // c.heads
        bias = (1.0 - mask[:, None, None, :].float()) * -1e4
        for i in range(c.layers):
            p = f"encoder.layer.{i}"

            def dense(t: Any, name: str, p: str = p) -> Any:
                return functional.linear(t, w[f"{p}.{name}.weight"], w[f"{p}.{name}.bias"])

            def split(t: Any) -> Any:
                return t.view(t.shape[0], length, heads, width).transpose(1, 2)

            q, k, v = (split(dense(x, f"attention.self.{n}")) for n in ("query", "key", "value"))
            scores = q @ k.transpose(-1, -2) / width**0.5 + bias
            context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(x.shape[0], length, c.hidden)
            x = functional.layer_norm(
                x + dense(context, "attention.output.dense"),
                (c.hidden,),
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
                c.eps,
            )
            h = functional.gelu(dense(x, "intermediate.dense"))
            x = functional.layer_norm(
                x + dense(h, "output.dense"),
                (c.hidden,),
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
                c.eps,
            )
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return functional.normalize(pooled, dim=-1)


def batch(torch: Any, tokenizer: semantic.WordPiece, texts: list[str], max_tokens: int) -> tuple[Any, Any]:
    encoded = [tokenizer.encode(t, max_tokens) for t in texts]
    width = max(len(e) for e in encoded)
    ids = torch.zeros((len(encoded), width), dtype=torch.long)
    mask = torch.zeros((len(encoded), width), dtype=torch.long)
    for row, e in enumerate(encoded):
        ids[row, : len(e)] = torch.tensor(e)
        mask[row, : len(e)] = 1
    return ids, mask


def save_safetensors(path: Path, tensors: dict[str, np.ndarray[Any, Any]]) -> None:
    """The safetensors format: an 8-byte little-endian header length, a JSON header, the raw tensors."""
    header: dict[str, Any] = {}
    offset = 0
    blobs = []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype=np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header).encode()
    with path.open("wb") as out:
        out.write(struct.pack("<Q", len(encoded)))
        out.write(encoded)
        for data in blobs:
            out.write(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="a database built from the official files")
    parser.add_argument("--out", type=Path, required=True, help="folder for the fine-tuned model")
    parser.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: whole epochs)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--index", action="store_true", help="then encode the database's titles with the model")
    args = parser.parse_args()
    try:
        torch = importlib.import_module("torch")  # optional: only this script needs it
    except ImportError:
        sys.exit("this script needs torch: pip install torch (the CPU build is enough)")
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    source = onnx_export.require_build()
    config, vocabulary, weights = onnx_export.read_model(source)
    store = SQLiteStore.open(args.db)
    started = time.perf_counter()
    data = pairs(store, args.seed)
    print(f"{len(data):,} name -> title pairs in {time.perf_counter() - started:.1f} s")
    model = Bert(torch, config, weights)
    tokenizer = semantic.WordPiece(vocabulary)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr)
    per_epoch = len(data) // args.batch
    total = per_epoch * args.epochs if not args.steps else min(args.steps, per_epoch * args.epochs)
    labels = torch.arange(args.batch)
    step, started, cpu = 0, time.perf_counter(), time.process_time()
    while step < total:
        for start in range(0, per_epoch * args.batch, args.batch):
            names, titles = zip(*data[start : start + args.batch], strict=True)
            left = model(*batch(torch, tokenizer, list(names), config.max_tokens))
            right = model(*batch(torch, tokenizer, list(titles), config.max_tokens))
            loss = torch.nn.functional.cross_entropy(20.0 * left @ right.T, labels)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            step += 1
            if step % 5 == 0 or step == total:
                each = (time.perf_counter() - started) / step
                used = (time.process_time() - cpu) / step  # CPU seconds: what the step costs on a busy machine too
                print(
                    f"step {step}/{total}  loss {float(loss.detach()):.3f}  {each:.2f} s/step ({used:.2f} CPU s);"
                    f" one epoch ({per_epoch:,} steps) ~ {each * per_epoch / 3600:.1f} h at this pace,"
                    f" {used * per_epoch / 3600 / args.threads:.1f} h on {args.threads} idle cores",
                    flush=True,
                )
            if step >= total:
                break
    args.out.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "config.json", args.out / "config.json")
    shutil.copy(source / "vocab.txt", args.out / "vocab.txt")
    save_safetensors(args.out / "model.safetensors", {n: t.detach().numpy() for n, t in model.weights.items()})
    print(f"model written to {args.out}")
    if args.index:
        store.close()
        writable = SQLiteStore.open(args.db)
        writable.connection.execute("PRAGMA query_only = OFF")
        started = time.perf_counter()
        semantic_build.write(writable, args.out)
        writable.connection.commit()
        print(f"titles encoded with the fine-tuned model in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
