"""Shared test set-up: a database built from the hand-written fixtures."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from medcodes.models import Concept, ConceptKind, Designation, DesignationKind, Prior, Release, ReleaseContent
from medcodes.search import index
from medcodes.search.engine import SearchEngine
from medcodes.service import build_database
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

FIXTURES = Path(__file__).parent / "data"


def fixture_release(folder: Path) -> Path:
    """A folder holding the ICD-10-CM fixtures, laid out like a release folder."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "icd10cm" / "tabular_sample.xml", folder / "icd10cm_tabular_2026.xml")
    shutil.copy(FIXTURES / "icd10cm" / "order_sample.txt", folder / "icd10cm_order_2026.txt")
    index = FIXTURES / "icd10cm" / "index_sample.xml"
    if index.exists():
        shutil.copy(index, folder / "icd10cm_index_2026.xml")
    return folder


def fixture_db(tmp: Path) -> Path:
    db = tmp / "fixture.db"
    build_database(db, fixture_release(tmp / "release"))
    return db


def concept_store(
    path: Path, concepts: Sequence[Concept], more: Sequence[Designation] = (), priors: Sequence[Prior] = ()
) -> SQLiteStore:
    """A new store of one ICD-10-CM release of these concepts, each named by its title, ``more`` names and the
    index's ``priors``; not yet indexed."""
    store = SQLiteStore.create(path)
    names = (*(Designation(c.system, c.code, DesignationKind.TITLE, c.title, "tabular") for c in concepts), *more)
    release = Release(SystemId.ICD10CM, "2026", dt.date(2025, 10, 1))
    store.add_release(ReleaseContent(release, tuple(concepts), tuple(names), priors=tuple(priors)))
    return store


def tree_store(
    path: Path,
    rows: Sequence[tuple[str, str, bool, str | None]],
    more: Sequence[Designation] = (),
    priors: Sequence[Prior] = (),
) -> SQLiteStore:
    """An indexed store, opened again, of ICD-10-CM concepts given as (code, title, billable, parent) rows in
    tabular order: a row without a parent is a category."""
    concepts = [
        Concept(
            SystemId.ICD10CM,
            code,
            title,
            ConceptKind.CATEGORY if parent is None else ConceptKind.CODE,
            billable,
            parent,
            seq=i,
        )
        for i, (code, title, billable, parent) in enumerate(rows)
    ]
    built = concept_store(path, concepts, more, priors)
    index.write(built)
    built.connection.commit()
    built.connection.close()
    return SQLiteStore.open(path)


def code_store(
    path: Path,
    titles: dict[str, str],
    index_terms: dict[str, str],
    more: Sequence[tuple[str, DesignationKind, str]] = (),
) -> SQLiteStore:
    """A new store of billable ICD-10-CM codes with these titles and index terms (code -> text), and ``more``
    names (code, kind, text), not yet indexed."""
    cm = SystemId.ICD10CM
    concepts = [
        Concept(cm, code, title, ConceptKind.CODE, True, seq=i) for i, (code, title) in enumerate(titles.items())
    ]
    names = [Designation(cm, code, DesignationKind.INDEX_TERM, t, "index") for code, t in index_terms.items()]
    names += [Designation(cm, code, kind, text, "index") for code, kind, text in more]
    return concept_store(path, concepts, names)


def code_engine(
    path: Path,
    titles: dict[str, str],
    index_terms: dict[str, str],
    steps: Sequence[Callable[[SQLiteStore], None]] = (index.write,),
    more: Sequence[tuple[str, DesignationKind, str]] = (),
) -> SearchEngine:
    """The engine over a ``code_store`` whose search parts ``steps`` wrote (the lexical index alone by default)."""
    store = code_store(path, titles, index_terms, more)
    for step in steps:
        step(store)
    return SearchEngine(store)


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port: yields its base URL, stops it after."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
