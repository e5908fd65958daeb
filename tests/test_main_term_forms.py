"""The forms an index entry lists of its main term count as one word (index.main_term_forms)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from medcodes.search.index import build_index, main_term_forms

from .helpers import code_store


def test_an_index_entry_heads_with_the_forms_of_one_word() -> None:
    assert main_term_forms("Stenosis, stenotic, mitral") == 1
    # "obstruction" and "obstructive" share their stem already: one more word, "obstructed", comes off.
    assert main_term_forms("Obstruction, obstructed, obstructive, airway") == 1
    # No form of "fracture": "traumatic" is a subterm.
    assert main_term_forms("Fracture, traumatic, ulna") == 0
    # Forms the stems count once already take nothing more off.
    assert main_term_forms("Hypertension, hypertensive, heart") == 0
    assert main_term_forms("Attack, attacks, heart") == 0
    # A main term of several words, or a short one, lists no forms.
    assert main_term_forms("Heart failure, congestive") == 0
    assert main_term_forms("Burn, burned, hand") == 0


def test_the_index_counts_the_forms_as_one_word(tmp_path: Path) -> None:
    titles = {"I05.0": "Rheumatic mitral stenosis", "Q23.2": "Congenital mitral stenosis"}
    store = code_store(tmp_path / "f.db", titles, {"I05.0": "Stenosis, stenotic, mitral"})
    built = build_index(store)
    rows = {text: did for did, _, _, text in store.designation_rows()}
    lengths = {text: int(built.doc_len[np.flatnonzero(built.doc_id == did)[0]]) for text, did in rows.items()}
    # "Stenosis, stenotic, mitral" says two words, as `mitral stenosis` does; the titles three.
    assert lengths == {"Rheumatic mitral stenosis": 3, "Congenital mitral stenosis": 3, "Stenosis, stenotic, mitral": 2}
