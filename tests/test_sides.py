"""An ICD-10-PCS body part's side says nothing a query leaves out: the tables have no unspecified side, so
`kidney transplantation` says all that "Transplantation, Kidney, Right" says (search/index.py
``LexicalIndex.doc_said``). An ICD-10-CM title's side counts: "Pain in unspecified knee" is what `knee pain` means."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from medcodes.models import Concept, ConceptKind, Designation, DesignationKind, Release, ReleaseContent
from medcodes.search import index
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

CM, PCS = SystemId.ICD10CM, SystemId.ICD10PCS
# (system, code, title, index term)
ROWS = [
    (PCS, "0TY00Z0", "Transplantation of Right Kidney, Allogeneic, Open Approach", "Transplantation, Kidney, Right"),
    (PCS, "0TY10Z0", "Transplantation of Left Kidney, Allogeneic, Open Approach", "Transplantation, Kidney, Left"),
    (CM, "M25.561", "Pain in right knee", "Pain, joint, knee, right"),
    (CM, "M25.569", "Pain in unspecified knee", "Pain, joint, knee"),
]


def _store(path: Path) -> SQLiteStore:
    store = SQLiteStore.create(path)
    for system in (CM, PCS):
        rows = [row for row in ROWS if row[0] is system]
        concepts = tuple(
            Concept(system, code, title, ConceptKind.CODE, True, seq=i) for i, (_, code, title, _) in enumerate(rows)
        )
        names = tuple(
            Designation(system, code, kind, text, "cms")
            for _system, code, title, term in rows
            for kind, text in ((DesignationKind.TITLE, title), (DesignationKind.INDEX_TERM, term))
        )
        store.add_release(ReleaseContent(Release(system, "2026", dt.date(2025, 10, 1)), concepts, names))
    index.write(store)
    return store


def test_a_pcs_side_is_no_word_said_and_a_cm_side_is(tmp_path: Path) -> None:
    store = _store(tmp_path / "s.db")
    built = index.load_index(store)
    assert built is not None
    said = {
        text: int(built.doc_said[np.flatnonzero(built.doc_id == did)[0]])
        for did, _cid, _kind, text in store.designation_rows()
    }
    assert said["Transplantation, Kidney, Right"] == 2  # "transplantation", "kidney"
    assert said["Pain, joint, knee, right"] == 4
    engine = SearchEngine(store)
    assert engine.search(parse("knee pain")).hits[0].code == "M25.569"
    found = engine.search(parse("kidney transplantation")).hits
    assert [hit.code for hit in found[:2]] == ["0TY00Z0", "0TY10Z0"]
    assert found[0].score == found[1].score
