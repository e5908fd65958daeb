"""The semantic index, written at build time: every indexed concept title encoded by the int8 graph
(``onnx_export``), reduced by a PCA fitted on the titles and saved as ``TitleVectors`` (``search.semantic``).

Each indexed concept is also a row under each of its other names, up to ``MAX_NAMES`` (``names``): its inclusion
terms, and the names an open vocabulary (DOID, NCIt, MONDO) or an ICD-9-CM title through the GEMs gives it (a
designation with a scope). A lay phrase is often nearer a lay name of its code than any title; index terms and
abbreviations are left out (docs/semantic.md has what each kind was measured to add).

Not every concept is indexed: ICD-11 extension codes (anatomy, substances, devices: never reported on their own)
and the kinds ``LEFT_OUT`` names for a system are not.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from medcodes.models import ConceptKind, DesignationKind
from medcodes.search.onnx_export import MODEL_NAME, bert_graph, can_build, model_directory, quantize, read_model
from medcodes.search.semantic import F32, SEMANTIC_VERSION, SYSTEMS, Encoder, TitleVectors, unit
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

# Dimensions kept after PCA: the nearest-neighbour product reads rows x DIMS floats per query.
DIMS = 128
# Besides its title, a concept is indexed under up to this many of its other names (``names``).
MAX_NAMES = 8
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


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def names(store: SQLiteStore, titles: dict[int, str], most: int = MAX_NAMES) -> list[tuple[int, str]]:
    """(concept id, name) of the names indexed beside the titles of ``titles`` (concept id -> title).

    A concept's inclusion terms, and the synonyms that carry a scope (those an open vocabulary or the GEMs
    give it), in the order stored, at most ``most`` a concept; a name that only repeats the title or an
    earlier name (ignoring case and spacing) is left out. Index terms (an inverted path through the index:
    "Fracture, wrist, pisiform") and abbreviations (a few letters the model has no meaning for) are not names
    here: indexed, they took more than they gave (docs/semantic.md).
    """
    scoped = store.designation_scopes()
    seen: dict[int, set[str]] = {}
    found: list[tuple[int, str]] = []
    for did, cid, kind, text in store.designation_rows():
        if cid not in titles or not (
            kind is DesignationKind.INCLUSION_TERM or (kind is DesignationKind.SYNONYM and did in scoped)
        ):
            continue
        keys = seen.setdefault(cid, {_key(titles[cid])})
        key = _key(text)
        if key in keys or len(keys) > most:
            continue
        keys.add(key)
        found.append((cid, text))
    return found


def write(
    store: SQLiteStore,
    directory: Path,
    dims: int = DIMS,
    progress: Callable[[int, int], None] | None = None,
    most_names: int = MAX_NAMES,
) -> None:
    """Encode the concept titles (and up to ``most_names`` other names of each concept) with the model in
    ``directory`` and save the index in the store."""
    config, vocabulary, weights = read_model(directory)
    graph = quantize(bert_graph(config, weights))
    encoder = Encoder(graph, vocabulary, config.max_tokens)
    system_number = {s: i for i, s in enumerate(SYSTEMS)}
    system_of: dict[int, SystemId] = {}
    titles: dict[int, str] = {}
    for cid, system, kind, title in store.concept_titles():
        if indexed(system, kind):
            system_of[cid], titles[cid] = system, title
    rows = list(titles.items()) + (names(store, titles, most_names) if most_names > 0 else [])
    texts = [text for _, text in rows]
    parts = [np.zeros((0, config.hidden), dtype=np.float32)]
    chunk = 8192
    for start in range(0, len(texts), chunk):
        parts.append(encoder.encode(texts[start : start + chunk], workers=os.cpu_count() or 1))
        if progress is not None:
            progress(min(start + chunk, len(texts)), len(texts))
    full = np.concatenate(parts)
    # The space is fitted on the titles alone, whatever number of names each concept has.
    mean, projection = (
        fit_projection(full[: len(titles)], dims)
        if len(titles) > 1
        else (
            np.zeros(config.hidden, dtype=np.float32),
            np.eye(config.hidden, min(dims, config.hidden), dtype=np.float32),
        )
    )
    systems = np.array([system_number[system_of[cid]] for cid, _ in rows], dtype=np.int64)
    order = np.argsort(systems, kind="stable")  # grouped by system; a concept's title before its names
    reduced = unit(((full[order] - mean) @ projection).astype(np.float32, copy=False))
    system_ptr = np.zeros(len(SYSTEMS) + 1, dtype=np.int64)
    np.cumsum(np.bincount(systems, minlength=len(SYSTEMS)), out=system_ptr[1:])
    saved = {
        "model": MODEL_NAME,
        "max_tokens": config.max_tokens,
        "dims": int(projection.shape[1]),
        "rows": len(rows),
        "names": len(rows) - len(titles),
    }
    store.put_blob(f"{SEMANTIC_VERSION}/config", json.dumps(saved).encode())
    store.put_blob(f"{SEMANTIC_VERSION}/model.onnx", graph)
    store.put_blob(f"{SEMANTIC_VERSION}/vocabulary", "\n".join(vocabulary).encode())
    concept = np.array([cid for cid, _ in rows], dtype=np.int32)[order]
    TitleVectors.indexed(mean, projection, reduced, concept, system_ptr).save(store)


def prepare(store: SQLiteStore) -> bool:
    """Build-time step: the semantic index. False, doing nothing, where the ``semantic-build`` extra is absent."""
    directory = model_directory()
    if directory is None or not can_build():
        return False
    write(store, directory)
    return True
