"""The explainers database (its own file and migrations) and content packs (export / import)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from medcodes.errors import ExplainerMissing
from medcodes.explain.pack import FORMAT, Rejected, dumps
from medcodes.explain.schema import SECTIONS
from medcodes.explain.store import MIGRATIONS, ExplainerStore, Failure, Run, Stamp
from medcodes.models import (
    Explainer,
    ExplainerKind,
    ExplainerSection,
    ExplainerStatus,
    Provenance,
    SectionType,
)
from medcodes.service import CodeService
from medcodes.systems import SystemId

from .test_explain_support import answer, explain_db

PCS = SystemId.ICD10PCS
CREATED = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return explain_db(tmp_path_factory.mktemp("store"))


@pytest.fixture
def service(database: Path) -> Iterator[CodeService]:
    opened = CodeService.at(database)
    yield opened
    opened.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ExplainerStore]:
    opened = ExplainerStore.open(tmp_path / "data" / "explainers.db")
    yield opened
    opened.close()


def _explainer(service: CodeService | None = None, code: str = "0UT70ZZ", **sections: object) -> Explainer:
    """A procedure explainer whose facts hash is the code's current one when a service is given."""
    grounding = service.explainer_grounding(code, PCS) if service is not None else None
    values = json.loads(answer(ExplainerKind.PROCEDURE, **sections))
    parts = tuple(
        ExplainerSection(
            spec.key,
            spec.title,
            spec.type,
            text=values[spec.key] if spec.type is SectionType.TEXT else "",
            items=() if spec.type is SectionType.TEXT else tuple(values[spec.key]),
        )
        for spec in SECTIONS[ExplainerKind.PROCEDURE]
    )
    provenance = Provenance(
        "test-model",
        "llm.example.org/v1",
        "explain-1/sections-1",
        grounding.facts_hash if grounding else "f" * 64,
        "2026",
        CREATED,
        ExplainerStatus.GENERATED,
        prompt_tokens=10,
        completion_tokens=20,
    )
    return Explainer(PCS, code, ExplainerKind.PROCEDURE, parts, provenance)


# ---------------------------------------------------------------------------------------------- the database
def test_the_file_and_its_folder_are_created_with_the_migrations(tmp_path: Path) -> None:
    store = ExplainerStore.open(tmp_path / "new" / "explainers.db")
    applied = store.applied()
    store.close()
    assert ((tmp_path / "new" / "explainers.db").is_file(), applied) == (
        True,
        ["0001_explainers", "0002_requested_model_and_runs"],
    )


def test_a_database_of_the_first_schema_is_migrated_with_its_explainers(tmp_path: Path) -> None:
    path = tmp_path / "explainers.db"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0].sql)
    old.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    old.execute("INSERT INTO schema_migrations VALUES ('0001_explainers', '2026-01-05T10:00:00+00:00')")
    columns = "system, code, kind, sections, status, model, endpoint, prompt_version, facts_hash, created, origin"
    old.execute(
        f"INSERT INTO explainers ({columns}) VALUES ('icd10pcs', '0UT70ZZ', 'procedure', '[]', 'generated', 'm',"
        " 'e', 'p', 'h', '2026-01-05T10:00:00+00:00', 'generated')"
    )
    old.commit()
    old.close()
    store = ExplainerStore.open(path)
    stamps = store.stamps(PCS)
    store.close()
    assert stamps == {"0UT70ZZ": Stamp("h", "p", "m", None, ExplainerStatus.GENERATED)}


def test_the_model_asked_for_is_kept_through_a_review(store: ExplainerStore) -> None:
    store.save(_explainer(), "my-alias")
    store.set_status(PCS, "0UT70ZZ", ExplainerStatus.REVIEWED, "coder 7")
    stamp = store.stamps(PCS)["0UT70ZZ"]
    assert (stamp.requested_model, stamp.status) == ("my-alias", ExplainerStatus.REVIEWED)


def test_a_run_is_recorded_and_the_latest_of_its_model_and_server_read_back(store: ExplainerStore) -> None:
    first = Run(CREATED, 10.0, "m", "llm.example.org/v1", "p", 4, 8, 2, 0, 11, 20_000, 8_000, 80_000)
    store.record_run(first)
    store.record_run(replace(first, seconds=5.0, interrupted=True))
    store.record_run(replace(first, model="other"))
    latest = store.last_run("m", "llm.example.org/v1")
    assert latest == replace(first, seconds=5.0, interrupted=True)
    assert latest is not None and latest.codes_per_second == 2.0
    assert store.last_run("m", "elsewhere/v1") is None


def test_mean_completion_tokens_by_kind_count_generated_explainers_only(store: ExplainerStore) -> None:
    store.save(_explainer())
    store.save(replace(_explainer(code="0UT50ZZ"), provenance=replace(_explainer().provenance, completion_tokens=40)))
    imported = replace(_explainer().provenance, completion_tokens=999, origin="imported from pack.jsonl")
    store.save(replace(_explainer(code="0UT60ZZ"), provenance=imported))
    assert store.completion_tokens() == {ExplainerKind.PROCEDURE: (30.0, 2)}


def test_reopening_applies_nothing_again(tmp_path: Path) -> None:
    ExplainerStore.open(tmp_path / "explainers.db").close()
    again = ExplainerStore.open(tmp_path / "explainers.db")
    applied = again.migrate()
    again.close()
    assert applied == []


def test_read_only_without_a_file_is_empty_and_writes_nothing(tmp_path: Path) -> None:
    store = ExplainerStore.open(tmp_path / "absent.db", readonly=True)
    found = list(store.all())
    store.close()
    assert (found, (tmp_path / "absent.db").exists()) == ([], False)


def test_an_explainer_round_trips(store: ExplainerStore) -> None:
    explainer = _explainer()
    store.save(explainer)
    assert store.get(PCS, "0UT70ZZ") == explainer


def test_saving_again_replaces(store: ExplainerStore) -> None:
    store.save(_explainer())
    store.save(_explainer(summary="Another summary."))
    stored = store.get(PCS, "0UT70ZZ")
    assert stored is not None
    assert (stored.sections[1].text, len(list(store.all()))) == ("Another summary.", 1)


def test_review_of_a_missing_explainer_is_an_error(store: ExplainerStore) -> None:
    with pytest.raises(ExplainerMissing, match="No generated explainer for ICD-10-PCS code '0UT70ZZ'"):
        store.set_status(PCS, "0UT70ZZ", ExplainerStatus.REVIEWED)


def test_setting_back_to_generated_clears_the_review(store: ExplainerStore) -> None:
    store.save(_explainer())
    store.set_status(PCS, "0UT70ZZ", ExplainerStatus.REVIEWED, "a")
    back = store.set_status(PCS, "0UT70ZZ", ExplainerStatus.GENERATED)
    assert (back.provenance.reviewed_by, back.provenance.reviewed_at) == (None, None)


def test_failures_are_logged_apart(store: ExplainerStore) -> None:
    failure = Failure(PCS, "0UT70ZZ", CREATED, "m", "e", "p", "h", 2, ("attempt 1: summary: empty",))
    store.record_failure(failure)
    assert (store.failures(PCS), list(store.all())) == ([failure], [])


def test_counts_by_system_and_status(store: ExplainerStore) -> None:
    store.save(_explainer())
    store.save(_explainer(code="0UT60ZZ"))
    store.set_status(PCS, "0UT60ZZ", ExplainerStatus.REVIEWED)
    assert store.counts() == {(PCS, ExplainerStatus.GENERATED): 1, (PCS, ExplainerStatus.REVIEWED): 1}


# ---------------------------------------------------------------------------------------------- packs
def _export(service: CodeService, store: ExplainerStore) -> list[str]:
    lines: list[str] = []
    service.export_explainers(store, lines.append)
    return lines


def test_a_pack_line_is_one_json_object_with_the_answer_shape(service: CodeService) -> None:
    line = json.loads(dumps(_explainer(service)))
    assert (line["format"], line["code"], line["sections"]["personnel"][0]) == (
        FORMAT,
        "0UT70ZZ",
        "A surgeon, usually a gynecologist",
    )


def test_export_leaves_out_rejected_explainers(service: CodeService, store: ExplainerStore) -> None:
    store.save(_explainer(service))
    store.save(_explainer(service, code="0UT60ZZ"))
    store.set_status(PCS, "0UT60ZZ", ExplainerStatus.REJECTED)
    assert [json.loads(line)["code"] for line in _export(service, store)] == ["0UT70ZZ"]


def test_import_keeps_the_provenance(service: CodeService, store: ExplainerStore) -> None:
    target = ExplainerStore.memory()
    original = _explainer(service)
    summary = service.import_explainers(target, [dumps(original)], "pack.jsonl")
    imported = target.get(PCS, "0UT70ZZ")
    target.close()
    assert (summary.added, imported) == (
        1,
        replace(original, provenance=replace(original.provenance, origin="imported from pack.jsonl (generated)")),
    )


def test_import_rejects_an_invented_code_and_keeps_the_rest(service: CodeService, store: ExplainerStore) -> None:
    bad = dumps(_explainer(service, code="0UT60ZZ", summary="See also 0UT70ZY."))
    summary = service.import_explainers(store, [dumps(_explainer(service)), bad], "pack.jsonl")
    assert (summary.added, summary.rejected) == (
        1,
        (Rejected(2, "0UT60ZZ", "summary: mentions 0UT70ZY, which is not a code in this database"),),
    )


def test_import_rejects_a_code_this_database_lacks(service: CodeService, store: ExplainerStore) -> None:
    summary = service.import_explainers(store, [dumps(_explainer(code="0UT80ZZ"))], "pack.jsonl")
    assert summary.rejected == (Rejected(1, "0UT80ZZ", "No ICD-10-PCS code '0UT80ZZ' in release 2026"),)


def test_import_rejects_a_line_that_is_not_json(service: CodeService, store: ExplainerStore) -> None:
    summary = service.import_explainers(store, ["{oops"], "pack.jsonl")
    assert summary.rejected == (Rejected(1, None, "not JSON: Expecting property name enclosed in double quotes"),)


def test_import_rejects_missing_sections(service: CodeService, store: ExplainerStore) -> None:
    line = json.loads(dumps(_explainer(service)))
    del line["sections"]["benefits"]
    summary = service.import_explainers(store, [json.dumps(line)], "pack.jsonl")
    assert summary.rejected == (Rejected(1, None, "benefits: missing"),)


def test_import_keeps_what_the_deployment_has(service: CodeService, store: ExplainerStore) -> None:
    store.save(_explainer(service, summary="Ours."))
    summary = service.import_explainers(store, [dumps(_explainer(service))], "pack.jsonl")
    kept = store.get(PCS, "0UT70ZZ")
    assert kept is not None
    assert (summary.skipped, kept.sections[1].text) == (1, "Ours.")


def test_import_upgrades_a_generated_explainer_to_a_reviewed_one(service: CodeService, store: ExplainerStore) -> None:
    store.save(_explainer(service, summary="Ours."))
    reviewed = _explainer(service)
    reviewed = replace(reviewed, provenance=replace(reviewed.provenance, status=ExplainerStatus.REVIEWED))
    summary = service.import_explainers(store, [dumps(reviewed)], "pack.jsonl")
    assert summary.replaced == 1


def test_import_with_replace_overwrites(service: CodeService, store: ExplainerStore) -> None:
    store.save(_explainer(service, summary="Ours."))
    summary = service.import_explainers(store, [dumps(_explainer(service))], "pack.jsonl", replace_existing=True)
    assert summary.replaced == 1


def test_read_only_opens_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "with space" / "explainers.db"
    writer = ExplainerStore.open(path)
    writer.save(_explainer())
    writer.close()
    reader = ExplainerStore.open(path, readonly=True)
    found = reader.get(PCS, "0UT70ZZ")
    reader.close()
    assert found == _explainer()
