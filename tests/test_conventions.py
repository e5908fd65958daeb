"""Coding conventions ("NOS", "not elsewhere classified") do not count against the exact bonus (index.doc_said)."""

from __future__ import annotations

import pytest

from medcodes.search.engine import SearchEngine
from medcodes.search.index import LexicalIndex
from medcodes.search.query import parse
from medcodes.systems import SystemId

from .helpers import code_engine

CM = SystemId.ICD10CM
TITLES = {
    "J90": "Pleural effusion, not elsewhere classified",
    "J91.0": "Malignant pleural effusion",
    "E34.00": "Carcinoid syndrome, unspecified",
    "E34.09": "Other carcinoid syndrome",
}
INDEX_TERMS = {"J90": "Pleural effusion NOS", "E34.09": "Carcinoid syndrome NEC"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return code_engine(tmp_path_factory.mktemp("conventions") / "c.db", TITLES, INDEX_TERMS)


def said(ix: LexicalIndex, engine: SearchEngine, text: str) -> int:
    rows = {t: d for d, _, _, t in engine.store.designation_rows()}
    doc = int((ix.doc_id == rows[text]).nonzero()[0][0])
    return int(ix.doc_said[doc])


def test_conventions_say_nothing_of_the_condition(engine: SearchEngine) -> None:
    ix = engine.index
    assert ix is not None
    assert said(ix, engine, "Pleural effusion NOS") == 2
    assert said(ix, engine, "Pleural effusion, not elsewhere classified") == 2  # "not" with its clause
    assert said(ix, engine, "Malignant pleural effusion") == 3
    # "NEC" in an index entry points to the "other" code: it says something.
    assert said(ix, engine, "Carcinoid syndrome NEC") == 3


def test_a_name_saying_nothing_more_but_a_convention_is_exact(engine: SearchEngine) -> None:
    # "Pleural effusion NOS" is all that `pleural effusion` says: J90 before the malignant effusion.
    assert [h.code for h in engine.search(parse("pleural effusion")).hits][:2] == ["J90", "J91.0"]
    assert [h.code for h in engine.search(parse("carcinoid syndrome")).hits][:1] == ["E34.00"]
