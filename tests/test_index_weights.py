"""Term weights the lexical index is built with (search/index.py): a diagnosis index entry's subterms."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from medcodes.errors import DatabaseDamaged
from medcodes.models import Concept, ConceptKind, Designation, DesignationKind, Release, ReleaseContent
from medcodes.search.index import INDEX_VERSION, LexicalIndex, _among, build_index, load_index, save_index
from medcodes.search.ranking import DEFAULT
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

CM, PCS = SystemId.ICD10CM, SystemId.ICD10PCS
NAMES = {
    (CM, "Z90.710"): ("Acquired absence of both cervix and uterus", "Status, hysterectomy"),
    (CM, "N99.3"): ("Prolapse of vaginal vault after hysterectomy", "Hysterectomy, prolapse of vaginal vault after"),
    (PCS, "0UT90ZL"): ("Resection of Uterus, Supracervical, Open Approach", "Hysterectomy, supracervical"),
    (PCS, "0SR9019"): ("Replacement of Right Hip Joint with Metal Synthetic Substitute", "Replacement, Joint, Hip"),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    store = SQLiteStore.create(tmp_path_factory.mktemp("weights") / "w.db")
    for system in (CM, PCS):
        mine = [(code, names) for (s, code), names in NAMES.items() if s is system]
        concepts = tuple(
            Concept(system, code, title, ConceptKind.CODE, True, seq=i) for i, (code, (title, _)) in enumerate(mine)
        )
        terms = tuple(Designation(system, code, DesignationKind.INDEX_TERM, term, "index") for code, (_, term) in mine)
        store.add_release(ReleaseContent(Release(system, "2026", dt.date(2025, 10, 1)), concepts, terms))
    return store


def weight(index: LexicalIndex, store: SQLiteStore, code: str, word: str) -> float:
    """The weight of ``word`` in the index term of ``code``."""
    system = next(s for s, c in NAMES if c == code)
    cid = store.concept_id(system, code)
    term = index.term(word)
    assert cid is not None and term is not None
    for doc in np.flatnonzero(
        (index.doc_concept == cid) & (index.doc_kind == list(DesignationKind).index(DesignationKind.INDEX_TERM))
    ):
        lo, hi = int(index.doc_ptr[doc]), int(index.doc_ptr[doc + 1])
        found = np.flatnonzero(index.doc_term[lo:hi] == term)
        if len(found):
            return float(index.doc_weight[lo + found[0]])
    raise AssertionError(f"{word!r} is not in the index term of {code}")


def test_a_word_only_a_diagnosis_entrys_subterm_holds_weighs_less(store: SQLiteStore) -> None:
    plain = build_index(store, DEFAULT.replace({"bm25.subterm": 1.0}))
    weighed = build_index(store, DEFAULT.replace({"bm25.subterm": 0.5}))
    # "Status, hysterectomy" is about a status: its subterm's word counts half.
    assert weight(weighed, store, "Z90.710", "hysterectomy") == pytest.approx(
        0.5 * weight(plain, store, "Z90.710", "hysterectomy")
    )
    # The main term's own word counts in full.
    assert weight(weighed, store, "Z90.710", "status") == pytest.approx(weight(plain, store, "Z90.710", "status"))
    assert weight(weighed, store, "N99.3", "hysterectomy") == pytest.approx(
        weight(plain, store, "N99.3", "hysterectomy")
    )


def test_the_procedure_index_keeps_its_body_parts_in_full(store: SQLiteStore) -> None:
    plain = build_index(store, DEFAULT.replace({"bm25.subterm": 1.0}))
    weighed = build_index(store, DEFAULT.replace({"bm25.subterm": 0.5}))
    # ICD-10-PCS's main term is the root operation; its body part is no qualifier.
    assert weight(weighed, store, "0SR9019", "hip") == pytest.approx(weight(plain, store, "0SR9019", "hip"))
    assert weight(weighed, store, "0UT90ZL", "supracervical") == pytest.approx(
        weight(plain, store, "0UT90ZL", "supracervical")
    )


def test_weights_are_held_narrow_and_stored_as_before(store: SQLiteStore) -> None:
    built = build_index(store)
    assert [str(a.dtype) for a in (built.doc_weight, built.post_weight, built.doc_ptr)] == [
        "float32",
        "float16",
        "int32",
    ]
    # The forward weights are float16's values held as float32 (no conversion when a query gathers them).
    assert built.doc_weight.tolist() == built.doc_weight.astype(np.float16).astype(np.float32).tolist()
    save_index(store, built)
    stored = store.get_blob(f"{INDEX_VERSION}/doc_weight")
    assert stored is not None and len(stored) == 4 * len(built.doc_weight)  # the file's layout: float32
    loaded = load_index(store)
    assert loaded is not None and loaded.doc_weight.dtype == np.float32
    assert loaded.doc_weight.tolist() == built.doc_weight.tolist()
    assert loaded.post_weight.tolist() == built.post_weight.tolist()
    assert loaded.doc_ptr.tolist() == built.doc_ptr.tolist()


@pytest.mark.parametrize(
    ("part", "data"),
    [
        ("doc_weight", np.ones(3, dtype=np.float32).tobytes()),  # weights for three of the forward entries
        ("term_ptr", b"\x00\x01\x02"),  # not a whole number of pointers
    ],
)
def test_index_parts_that_do_not_fit_together_are_a_damaged_database(
    store: SQLiteStore, part: str, data: bytes
) -> None:
    save_index(store, build_index(store))
    store.put_blob(f"{INDEX_VERSION}/{part}", data)  # with its own checksum: passes that check
    with pytest.raises(DatabaseDamaged, match="the search index's parts do not fit together"):
        load_index(store)
    save_index(store, build_index(store))  # the module's other tests read the store whole


def test_keys_are_looked_up_among_the_sorted_keys_as_isin_would() -> None:
    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(0, 5_000, 2_000))
    wanted = [*rng.choice(keys, 300).tolist(), *rng.integers(-10, 6_000, 300).tolist()]
    assert (_among(keys, wanted) == np.isin(keys, wanted)).all()
    assert not _among(keys, []).any()
    assert len(_among(np.empty(0, dtype=np.int64), [1])) == 0
    assert _among(np.array([1, 5], dtype=np.int64), [7, 0, 5]).tolist() == [False, True]
