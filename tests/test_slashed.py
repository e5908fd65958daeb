""" "w/o" and "w/" read as "without" and "with" in names and queries alike (text.slashed)."""

from __future__ import annotations

from pathlib import Path

from medcodes.models import DesignationKind
from medcodes.search.query import parse

from .helpers import code_engine


def test_a_short_title_saying_w_slash_o_is_no_match_for_what_it_is_without(tmp_path: Path) -> None:
    titles = {
        "E09.9": "Drug or chemical induced diabetes mellitus without complications",
        "E09.8": "Drug or chemical induced diabetes mellitus with unspecified complications",
    }
    more = [
        ("E09.9", DesignationKind.SHORT_TITLE, "Drug or chemical induced diabetes mellitus w/o complications"),
        ("E09.8", DesignationKind.SHORT_TITLE, "Drug/chem diabetes mellitus w unsp complications"),
    ]
    engine = code_engine(tmp_path / "w.db", titles, {}, more=more)
    # Its short title's "complications" stood in no "without" clause: E09.9 came first.
    assert engine.search(parse("drug induced diabetes complications")).hits[0].code == "E09.8"
    assert engine.search(parse("drug induced diabetes w/o complications")).hits[0].code == "E09.9"
