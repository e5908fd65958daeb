from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from medcodes.build import build
from medcodes.errors import BuildError, SourceError, SourceMissing
from medcodes.models import DesignationKind
from medcodes.sources.files import reconstructed
from medcodes.sources.kinds import FileKind
from medcodes.sources.releases import discover, embedded_default
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

from .helpers import FIXTURES, fixture_release


def test_build_from_a_folder(tmp_path: Path) -> None:
    summary = build(tmp_path / "m.db", fixture_release(tmp_path / "release"))
    (cm,) = summary.systems
    assert (cm.system, cm.version, cm.billable) == (SystemId.ICD10CM, "2026", 13)
    assert "icd10cm_tabular_2026.xml" in cm.files
    assert any(name.startswith("icd10cm_order_2026.txt") for name in cm.files)
    assert not list(tmp_path.glob(".m.db.building-*"))


def test_release_records_files_with_sha256(tmp_path: Path) -> None:
    build(tmp_path / "m.db", fixture_release(tmp_path / "release"))
    store = SQLiteStore.open(tmp_path / "m.db")
    (release,) = store.releases()
    assert release.files[0].name == "icd10cm_tabular_2026.xml"
    assert len(release.files[0].sha256) == 64
    store.close()


def test_discover_finds_files_by_content(tmp_path: Path) -> None:
    folder = fixture_release(tmp_path / "release")
    (folder / "renamed.xml").write_bytes((FIXTURES / "icd10cm" / "tabular_sample.xml").read_bytes())
    (folder / "notes.txt").write_text("not a release file")
    kinds = sorted((f.kind, f.path.name) for f in discover(folder))
    assert (FileKind.ICD10CM_TABULAR, "renamed.xml") in kinds
    assert (FileKind.ICD10CM_ORDER, "icd10cm_order_2026.txt") in kinds
    assert all(name != "notes.txt" for _, name in kinds)


def test_a_folder_without_release_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceMissing):
        build(tmp_path / "m.db", tmp_path)


def test_failed_build_leaves_the_previous_database_untouched(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    build(db, fixture_release(tmp_path / "good"))
    before = db.read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "icd10cm_tabular_2026.xml").write_bytes((FIXTURES / "icd10cm" / "tabular_truncated.xml").read_bytes())
    with pytest.raises(SourceError, match="line"):
        build(db, bad)
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".m.db.building-*"))


def test_failed_order_file_leaves_the_previous_database_untouched(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    build(db, fixture_release(tmp_path / "good"))
    before = db.read_bytes()
    bad = fixture_release(tmp_path / "bad")
    (bad / "icd10cm_order_2026.txt").write_bytes((FIXTURES / "icd10cm" / "order_malformed.txt").read_bytes())
    with pytest.raises(SourceError):
        build(db, bad)
    assert db.read_bytes() == before


def test_unexpected_failure_is_a_build_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "m.db"
    build(db, fixture_release(tmp_path / "good"))
    before = db.read_bytes()

    def explode(self: SQLiteStore) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(SQLiteStore, "finish", explode)
    with pytest.raises(BuildError, match="disk full"):
        build(db, fixture_release(tmp_path / "good"))
    assert db.read_bytes() == before


def test_embedded_default_is_the_cdc_tabular_list_in_the_wheel() -> None:
    (found,) = embedded_default()
    assert found.kind is FileKind.ICD10CM_TABULAR
    assert found.version == "2026"
    assert found.path.name == "icd10c-tabular-April-1-2026.xml"


def test_official_files_inside_a_publishers_zip_are_found(tmp_path: Path) -> None:
    import zipfile

    release = tmp_path / "release"
    release.mkdir()
    # The CDC publishes the tabular list and the index together in one zip.
    with zipfile.ZipFile(release / "icd10cm-table and index-2026.zip", "w") as archive:
        archive.write(FIXTURES / "icd10cm" / "tabular_sample.xml", "icd10cm_tabular_2026.xml")
        archive.write(FIXTURES / "icd10cm" / "index_sample.xml", "icd10cm_index_2026.xml")
        archive.writestr("readme.txt", "not an official data file")
    summary = build(tmp_path / "m.db", release)
    (cm,) = summary.systems
    assert cm.billable == 13
    assert {"icd10cm_tabular_2026.xml", "icd10cm_index_2026.xml"} <= set(cm.files)
    assert not list(tmp_path.glob("medcodes-unpack-*"))


def test_a_cms_zip_gives_its_order_file_and_its_addenda(tmp_path: Path) -> None:
    """The CMS code-descriptions zip holds the order file and the order-file addenda: both are read."""
    import zipfile

    release = tmp_path / "release"
    release.mkdir()
    shutil.copy(FIXTURES / "icd10cm" / "tabular_sample.xml", release / "icd10cm_tabular_2026.xml")
    archive = release / "2026-code-descriptions-tabular-order.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(FIXTURES / "icd10cm" / "order_sample.txt", "icd10cm_order_2026.txt")
        z.write(FIXTURES / "history" / "icd10cm_order_addenda_2026.txt", "icd10cm_order_addenda_2026.txt")
    found = {(f.kind, f.member) for f in discover(release)}
    assert (FileKind.ICD10CM_ORDER, "icd10cm_order_2026.txt") in found
    assert (FileKind.ICD10CM_ADDENDA, "icd10cm_order_addenda_2026.txt") in found
    summary = build(tmp_path / "m.db", release)
    (history,) = [link for link in summary.links if link.name == "ICD-10-CM history"]
    assert history.files == ("2026-code-descriptions-tabular-order.zip!icd10cm_order_addenda_2026.txt",)
    assert history.history == 10


def test_terms_of_a_reconstructed_index_say_so(tmp_path: Path) -> None:
    release = fixture_release(tmp_path / "release")
    (release / "icd10cm_index_2026.xml").rename(release / "icd10cm_index_2026.reconstructed.xml")
    build(tmp_path / "m.db", release)
    store = SQLiteStore.open(tmp_path / "m.db")
    (cm,) = store.releases()
    files = {f.name: f.reconstructed for f in cm.files}
    assert files["icd10cm_index_2026.reconstructed.xml"] is True
    assert files["icd10cm_tabular_2026.xml"] is False
    terms = [d for d in store.designations(SystemId.ICD10CM, "I21.9") if d.kind is DesignationKind.INDEX_TERM]
    assert terms
    assert all(d.reconstructed and d.source == "index-reconstructed" for d in terms)
    store.close()


def test_a_file_is_reconstructed_by_its_name_or_its_own_comment(tmp_path: Path) -> None:
    official = tmp_path / "icd10cm_index_2026.xml"
    official.write_bytes((FIXTURES / "icd10cm" / "index_sample.xml").read_bytes())
    assert not reconstructed(official)
    commented = tmp_path / "index.xml"
    commented.write_text('<?xml version="1.0"?>\n<!-- NOT OFFICIAL. Rebuilt from a flattened table. -->\n<x/>\n')
    assert reconstructed(commented)
    assert reconstructed(tmp_path / "DERIVED_icd10cm_index_2025.reconstructed.xml.gz")
