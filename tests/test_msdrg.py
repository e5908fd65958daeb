from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from medcodes.errors import SourceError
from medcodes.models import Concept, ConceptKind, Property, ReleaseContent
from medcodes.sources import msdrg
from medcodes.sources.kinds import FileKind, FoundFile

SAMPLE = "appendix_A_sample.txt"


def _found(path: Path) -> FoundFile:
    found = msdrg.sniff(path, path.read_bytes()[:4096])
    assert found is not None
    return found


def _content(path: Path) -> ReleaseContent:
    content = msdrg.load([_found(path)])
    assert content is not None
    return content


def _concepts(fixtures: Path) -> dict[str, Concept]:
    return {c.code: c for c in _content(fixtures / "msdrg" / SAMPLE).concepts}


def _properties(fixtures: Path, code: str) -> dict[str, Property]:
    return {p.name: p for p in _content(fixtures / "msdrg" / SAMPLE).properties if p.code == code}


def test_sniff_reads_the_version_from_the_title(fixtures: Path) -> None:
    found = _found(fixtures / "msdrg" / SAMPLE)
    assert (found.kind, found.version) == (FileKind.MSDRG_APPENDIX_A, "40")


def test_sniff_ignores_other_text(tmp_path: Path) -> None:
    path = tmp_path / "appendix_B.txt"
    path.write_text("Appendix B Diagnosis Code/MDC/MS-DRG Index\n", encoding="ascii")
    assert msdrg.sniff(path, path.read_bytes()) is None


def test_release_version_and_effective_date(fixtures: Path) -> None:
    release = _content(fixtures / "msdrg" / SAMPLE).release
    assert (release.version, release.effective) == ("40", dt.date(2022, 10, 1))


def test_a_point_one_version_takes_effect_in_april(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "msdrg" / SAMPLE).read_text(encoding="ascii").replace("Version 40.0", "Version 43.1")
    path = tmp_path / "appendix_A.txt"
    path.write_text(text, encoding="ascii")
    release = _content(path).release
    assert (release.version, release.effective) == ("43.1", dt.date(2026, 4, 1))


def test_the_newest_version_is_loaded(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "msdrg" / SAMPLE).read_text(encoding="ascii").replace("Version 40.0", "Version 41.0")
    newer = tmp_path / "appendix_A.txt"
    newer.write_text(text, encoding="ascii")
    content = msdrg.load([_found(fixtures / "msdrg" / SAMPLE), _found(newer)])
    assert content is not None
    assert content.release.version == "41"


def test_drgs_are_codes_under_their_mdc(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["291"].title == "HEART FAILURE AND SHOCK WITH MCC"
    assert concepts["291"].kind is ConceptKind.CODE
    assert concepts["291"].parent == "MDC05"
    assert concepts["291"].billable


def test_mdcs_are_chapters_with_the_manual_titles(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["MDC05"].kind is ConceptKind.CHAPTER
    assert concepts["MDC05"].title == "Diseases and Disorders of the Circulatory System"
    assert [c.code for c in concepts.values() if c.kind is ConceptKind.CHAPTER] == ["MDC01", "MDC05"]


def test_a_drg_without_an_mdc_has_no_parent(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["003"].parent is None
    assert concepts["003"].title == (
        "ECMO OR TRACHEOSTOMY WITH MV >96 HOURS OR PRINCIPAL DIAGNOSIS EXCEPT FACE, MOUTH AND NECK WITH MAJOR O.R. "
        "PROCEDURES"
    )
    assert "drg.mdc" not in _properties(fixtures, "003")


def test_mdc_and_type_properties(fixtures: Path) -> None:
    props = _properties(fixtures, "246")
    assert (props["drg.mdc"].value, props["drg.mdc"].label) == (
        "05",
        "Diseases and Disorders of the Circulatory System",
    )
    assert (props["drg.type"].value, props["drg.type"].label) == ("P", "surgical")
    assert _properties(fixtures, "014")["drg.type"].label == "medical"


def test_error_drgs_have_no_type_and_are_not_billable(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert not concepts["999"].billable
    assert concepts["999"].title == "UNGROUPABLE"
    assert "drg.type" not in _properties(fixtures, "998")


def test_malformed_line_names_file_and_line(fixtures: Path) -> None:
    path = fixtures / "msdrg" / "appendix_A_malformed.txt"
    with pytest.raises(SourceError) as caught:
        msdrg.load_appendix(path, "40")
    assert caught.value.path == str(path)
    assert caught.value.line == 12


def test_a_file_without_the_header_line_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "appendix_A.txt"
    path.write_text("Appendix A List of MS-DRGs Version 40.0\n001     P  HEART TRANSPLANT\n", encoding="ascii")
    with pytest.raises(SourceError) as caught:
        msdrg.load_appendix(path, "40")
    assert "no 'DRG MDC MS Description' header" in caught.value.reason


def test_load_returns_none_without_an_appendix() -> None:
    assert msdrg.load([]) is None


# --- the official v40 Appendix A -------------------------------------------------------------------------
def test_v40_counts(shared_data: Path) -> None:
    content = _content(shared_data / "msdrg" / "appendix_A_v40.txt")
    kinds = [c.kind for c in content.concepts]
    assert kinds.count(ConceptKind.CODE) == 767
    assert kinds.count(ConceptKind.CHAPTER) == 25
    assert sum(c.billable for c in content.concepts) == 765  # all but 998 and 999
    assert sum(1 for c in content.concepts if c.kind is ConceptKind.CODE and c.parent is None) == 25
    assert content.warnings == ()


def test_v40_drg_003(shared_data: Path) -> None:
    content = _content(shared_data / "msdrg" / "appendix_A_v40.txt")
    drg = {c.code: c for c in content.concepts}["003"]
    assert drg.title.startswith("ECMO OR TRACHEOSTOMY WITH MV >96 HOURS")
    assert drg.parent is None  # Appendix A gives the transplant and tracheostomy DRGs no MDC


def test_v40_mdcs_agree_with_the_v43_titles_list(shared_data: Path) -> None:
    # A sanity check against the (unofficial) v43 list: a DRG kept from v40 to v43 keeps its MDC.
    with (shared_data / "msdrg" / "DERIVED_msdrg_v43_and_v43.1_titles.tsv").open(encoding="utf-8") as fh:
        v43 = {row["drg"]: row["mdc"] for row in csv.DictReader(fh, delimiter="\t")}
    content = _content(shared_data / "msdrg" / "appendix_A_v40.txt")
    mdcs = {p.code: p.value for p in content.properties if p.name == "drg.mdc"}
    drgs = [c.code for c in content.concepts if c.kind is ConceptKind.CODE]
    shared = [code for code in drgs if code in v43]
    assert len(shared) == 740
    assert all(mdcs.get(code, "") == v43[code] for code in shared)
