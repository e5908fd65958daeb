"""The semantic index, written at build time: every indexed concept title encoded by the int8 graph
(``onnx_export``), reduced by a PCA fitted on the titles and saved as ``TitleVectors`` (``search.semantic``).

Not every concept is indexed: ICD-11 extension codes (anatomy, substances, devices: never reported on their own)
and the kinds ``LEFT_OUT`` names for a system are not.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from medcodes.models import ConceptKind
from medcodes.search.onnx_export import MODEL_NAME, bert_graph, can_build, model_directory, quantize, read_model
from medcodes.search.semantic import F32, SEMANTIC_VERSION, SYSTEMS, Encoder, TitleVectors, unit
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

# Dimensions kept after PCA: the nearest-neighbour product reads rows x DIMS floats per query.
DIMS = 128
# Kinds of concept whose titles a system leaves out of the index: ICD-10-PCS sections and body systems ("Heart",
# "Eye": one word, near every query that names the organ).
LEFT_OUT: dict[SystemId, frozenset[ConceptKind]] = {
    SystemId.ICD10PCS: frozenset({ConceptKind.CHAPTER, ConceptKind.BLOCK}),
}


def fit_projection(vectors: F32, dims: int, sample: int = 50_000) -> tuple[F32, F32]:
    """(mean, components (hidden, dims)) of a PCA of ``vectors``, fitted on an evenly spaced sample."""
    step = max(1, len(vectors) // sample)
    rows = vectors[::step].astype(np.float64)
    mean = rows.mean(0)
    _, _, components = np.linalg.svd(rows - mean, full_matrices=False)
    dims = min(dims, components.shape[0])
    return mean.astype(np.float32), np.ascontiguousarray(components[:dims].T.astype(np.float32))


def indexed(system: SystemId, kind: ConceptKind) -> bool:
    """Whether a concept's title goes into the semantic index (see the module's docstring)."""
    return kind is not ConceptKind.EXTENSION and kind not in LEFT_OUT.get(system, frozenset())


def write(
    store: SQLiteStore,
    directory: Path,
    dims: int = DIMS,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Encode the concept titles with the model in ``directory`` and save the index in the store."""
    config, vocabulary, weights = read_model(directory)
    graph = quantize(bert_graph(config, weights))
    encoder = Encoder(graph, vocabulary, config.max_tokens)
    system_number = {s: i for i, s in enumerate(SYSTEMS)}
    rows = sorted(
        ((cid, system, title) for cid, system, kind, title in store.concept_titles() if indexed(system, kind)),
        key=lambda row: system_number[row[1]],
    )
    titles = [title for _, _, title in rows]
    parts = [np.zeros((0, config.hidden), dtype=np.float32)]
    chunk = 8192
    for start in range(0, len(titles), chunk):
        parts.append(encoder.encode(titles[start : start + chunk], workers=os.cpu_count() or 1))
        if progress is not None:
            progress(min(start + chunk, len(titles)), len(titles))
    full = np.concatenate(parts)
    mean, projection = (
        fit_projection(full, dims)
        if len(full) > 1
        else (
            np.zeros(config.hidden, dtype=np.float32),
            np.eye(config.hidden, min(dims, config.hidden), dtype=np.float32),
        )
    )
    reduced = unit(((full - mean) @ projection).astype(np.float32, copy=False))
    counts = np.bincount([system_number[system] for _, system, _ in rows], minlength=len(SYSTEMS))
    system_ptr = np.zeros(len(SYSTEMS) + 1, dtype=np.int64)
    np.cumsum(counts, out=system_ptr[1:])
    saved = {"model": MODEL_NAME, "max_tokens": config.max_tokens, "dims": int(projection.shape[1]), "rows": len(rows)}
    store.put_blob(f"{SEMANTIC_VERSION}/config", json.dumps(saved).encode())
    store.put_blob(f"{SEMANTIC_VERSION}/model.onnx", graph)
    store.put_blob(f"{SEMANTIC_VERSION}/vocabulary", "\n".join(vocabulary).encode())
    concept = np.array([cid for cid, _, _ in rows], dtype=np.int32)
    TitleVectors.indexed(mean, projection, reduced, concept, system_ptr).save(store)


def prepare(store: SQLiteStore) -> bool:
    """Build-time step: the semantic index. False, doing nothing, where the ``semantic-build`` extra is absent."""
    directory = model_directory()
    if directory is None or not can_build():
        return False
    write(store, directory)
    return True
