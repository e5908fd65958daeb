from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.errors import DatabaseMissing
from medcodes.models import (
    Concept,
    ConceptKind,
    Designation,
    DesignationKind,
    NoteKind,
    Property,
    Release,
    ReleaseContent,
)
from medcodes.store.schema import MIGRATIONS
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

from .helpers import fixture_db

CM = SystemId.ICD10CM


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    return SQLiteStore.open(fixture_db(tmp_path_factory.mktemp("store")))


def test_get(store: SQLiteStore) -> None:
    concept = store.get(CM, "E11.9")
    assert concept is not None
    assert concept.title == "Type 2 diabetes mellitus without complications"
    assert concept.parent == "E11"
    assert store.get(CM, "E11.99") is None


def test_children_in_official_order(store: SQLiteStore) -> None:
    assert [c.code for c in store.children(CM, "I21")] == ["I21.4", "I21.9"]


def test_ancestors_root_first(store: SQLiteStore) -> None:
    assert [c.code for c in store.ancestors(CM, "S52.521A")] == ["19", "S50-S59", "S52", "S52.5", "S52.52", "S52.521"]


def test_notes_with_inheritance(store: SQLiteStore) -> None:
    notes = store.notes(CM, "E11.9")
    assert (notes[0].kind, notes[0].inherited_from) == (NoteKind.EXCLUDES1, None)
    inherited = [(n.kind, n.text, n.inherited_from) for n in notes[1:]]
    assert (NoteKind.EXCLUDES1, "type 1 diabetes mellitus (E10.-)", "E11") in inherited
    assert (
        NoteKind.EXCLUDES1,
        "transitory endocrine and metabolic disorders specific to newborn (P70-P74)",
        "4",
    ) in inherited


def test_seventh_characters_inherited_from_the_nearest_ancestor(store: SQLiteStore) -> None:
    sevenths = [
        (n.character, n.inherited_from) for n in store.notes(CM, "S52.521A") if n.kind is NoteKind.SEVENTH_CHARACTER
    ]
    assert sevenths == [("A", "S52"), ("D", "S52")]


def test_existing_keeps_the_given_order(store: SQLiteStore) -> None:
    assert store.existing(CM, ["T40.11A", "T40.1X1A", "E11.9"]) == ["T40.1X1A", "E11.9"]


def test_prefix_lists_descendants_in_code_order(store: SQLiteStore) -> None:
    assert [c.code for c in store.codes_with_prefix(CM, "I21", 10)] == ["I21", "I21.4", "I21.9"]


def test_counts(store: SQLiteStore) -> None:
    counts = store.counts()[CM]
    assert counts["billable"] == 13  # 4 plain codes, 9 seventh-character expansions
    assert counts["notes"] > 10


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    store = SQLiteStore.create(tmp_path / "new.db")
    assert store.migrate() == []
    assert store._applied() == [m.name for m in MIGRATIONS]
    store.close()


def test_opening_a_missing_database_says_build_first(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissing) as caught:
        SQLiteStore.open(tmp_path / "absent.db")
    assert "medcodes build" in (caught.value.hint or "")


def test_a_subtree_ends_where_the_rows_that_follow_are_no_longer_below_it(store: SQLiteStore) -> None:
    """Bounds found by walking up to the next sibling agree with the rows' depths, for every concept."""
    for system in (CM,):
        concepts = store.concepts(system)
        for i, concept in enumerate(concepts):
            below = []
            for later in concepts[i + 1 :]:
                if later.depth <= concept.depth:
                    break
                below.append(later.code)
            assert [c.code for c in store.descendants(system, concept.code, 1000)] == below
            bounds = store.subtree_ids(system, concept.code)
            assert bounds is not None
            assert bounds[1] - bounds[0] == len(below) + 1
            assert store.subtree_ids(system, concept.code) == bounds  # remembered, the same


def test_a_merged_store_numbers_its_rows_as_storing_them_here_would(tmp_path: Path) -> None:
    # A build's worker stores the other systems in a database of their own, which the building store merges.
    def content(system: SystemId, code: str, title: str, version: str) -> ReleaseContent:
        return ReleaseContent(
            Release(system, version, None),
            (Concept(system, code, title, ConceptKind.CODE, True),),
            (Designation(system, code, DesignationKind.SHORT_TITLE, title[:20], "order"),),
            properties=(Property(system, code, "hcpcs.betos", "D1E"),) if system is SystemId.HCPCS else (),
        )

    cm = content(CM, "E11.9", "Type 2 diabetes mellitus without complications", "2026")
    hcpcs = content(SystemId.HCPCS, "E0601", "Continuous positive airway pressure (cpap) device", "2026")
    one = SQLiteStore.create(tmp_path / "one.db")
    one.add_release(cm)
    one.add_release(hcpcs)
    side = SQLiteStore.create(tmp_path / "side.db")
    side.add_release(hcpcs)
    side.close()
    merged = SQLiteStore.create(tmp_path / "merged.db")
    merged.add_release(cm)
    back = merged.merge(tmp_path / "side.db")
    assert [(c.release.system, c.concepts, c.designations) for c in back] == [
        (SystemId.HCPCS, hcpcs.concepts, hcpcs.designations)
    ]
    for table in ("releases", "concepts", "designations", "properties"):
        columns = "id, concept_id" if table in ("designations", "properties") else "id"
        query = f"SELECT {columns} FROM {table} ORDER BY id"
        assert merged.connection.execute(query).fetchall() == one.connection.execute(query).fetchall()
    # The merged codes are known to the store: names given them later are stored on them.
    name = Designation(SystemId.HCPCS, "E0601", DesignationKind.SYNONYM, "CPAP machine", "test")
    merged.add_designations([name])
    assert "CPAP machine" in {d.text for d in merged.designations(SystemId.HCPCS, "E0601")}
