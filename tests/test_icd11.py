from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from medcodes.errors import SourceError
from medcodes.models import Concept, ConceptKind, Property, ReleaseContent
from medcodes.sources import icd11
from medcodes.sources.files import open_binary
from medcodes.sources.kinds import FileKind, FoundFile

SAMPLE = "simple_tabulation_sample.txt"


def _found(path: Path) -> FoundFile:
    with open_binary(path) as fh:
        found = icd11.sniff(path, fh.read(4096))
    assert found is not None
    return found


def _content(path: Path) -> ReleaseContent:
    content = icd11.load([_found(path)])
    assert content is not None
    return content


def _concepts(fixtures: Path) -> dict[str, Concept]:
    return {c.code: c for c in _content(fixtures / "icd11" / SAMPLE).concepts}


def _properties(fixtures: Path, code: str) -> dict[str, Property]:
    return {p.name: p for p in _content(fixtures / "icd11" / SAMPLE).properties if p.code == code}


def test_sniff_reads_the_version_from_the_header(fixtures: Path) -> None:
    found = _found(fixtures / "icd11" / SAMPLE)
    assert found.kind is FileKind.ICD11_TABULATION
    assert found.version == "2024-01"


def test_sniff_ignores_other_tab_separated_files(tmp_path: Path) -> None:
    other = tmp_path / "10To11MapToOneCategory.txt"
    other.write_text("10ClassKind\t10DepthInKind\ticd10Code\n", encoding="utf-8")
    assert icd11.sniff(other, other.read_bytes()) is None


def test_release_version_and_effective_date(fixtures: Path) -> None:
    release = _content(fixtures / "icd11" / SAMPLE).release
    assert (release.version, release.effective) == ("2024-01", dt.date(2024, 1, 1))
    assert release.files[0].name == SAMPLE


def test_chapters_are_coded_by_their_number(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["01"].kind is ConceptKind.CHAPTER
    assert concepts["01"].title == "Certain infectious or parasitic diseases"
    assert concepts["01"].parent is None
    assert concepts["X"].title == "Extension Codes"


def test_titles_lose_their_depth_dashes_and_parents_follow_them(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["1A00"].title == "Cholera"
    assert concepts["1A00"].parent == "BlockL2-1A0"
    assert concepts["1A00"].depth == 3
    assert concepts["BlockL2-1A0"].parent == "BlockL1-1A0"
    assert concepts["BlockL1-1A0"].parent == "01"


def test_stem_codes_are_categories_and_dotted_codes_are_codes(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["BA41"].kind is ConceptKind.CATEGORY
    assert concepts["BA41.Z"].kind is ConceptKind.CODE
    assert concepts["BA41.Z"].parent == "BA41"


def test_leaves_are_billable(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["1A00"].billable
    assert concepts["VD00"].billable
    assert not concepts["1A03"].billable
    assert not concepts["BlockL1-1A0"].billable


def test_extension_codes_are_extensions_and_never_billable(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["XS8H"].kind is ConceptKind.EXTENSION
    assert concepts["XS8H"].title == "None"
    assert not concepts["XS8H"].billable


def test_blocks_without_a_block_id_are_named_by_entity_id(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["Block-2144513044"].title == "WHODAS 2.0 36-item version"
    assert concepts["Block-2144513044"].kind is ConceptKind.BLOCK
    assert concepts["VD00"].parent == "Block-1837366640"
    assert concepts["XS5W"].parent == "Block-1726150948"


def test_residual_categories_say_other_or_unspecified(fixtures: Path) -> None:
    assert _properties(fixtures, "1A03.Y")["icd11.residual"].label == "other specified"
    assert _properties(fixtures, "1A03.Z")["icd11.residual"].label == "unspecified"
    assert "icd11.residual" not in _properties(fixtures, "1A03.0")


def test_uris_and_browser_link(fixtures: Path) -> None:
    props = _properties(fixtures, "1A00")
    assert props["icd11.foundation_uri"].value == "http://id.who.int/icd/entity/257068234"
    assert props["icd11.linearization_uri"].value == "http://id.who.int/icd/release/11/mms/257068234"
    assert props["icd11.browser_link"].value == (
        "https://icd.who.int/browse11/l-m/en#/http%3A%2F%2Fid.who.int%2Ficd%2Fentity%2F257068234"
    )
    assert props["icd11.leaf"].value == "True"


def test_residual_categories_have_no_foundation_uri(fixtures: Path) -> None:
    assert "icd11.foundation_uri" not in _properties(fixtures, "BA41.Z")


def test_attribution_names_who_and_the_licence() -> None:
    assert "© World Health Organization" in icd11.ATTRIBUTION
    assert "CC BY-ND 3.0 IGO" in icd11.ATTRIBUTION


def test_the_release_carries_the_attribution(fixtures: Path) -> None:
    assert _content(fixtures / "icd11" / SAMPLE).release.licence == icd11.ATTRIBUTION


def test_malformed_row_names_file_and_line(fixtures: Path) -> None:
    path = fixtures / "icd11" / "simple_tabulation_malformed.txt"
    with pytest.raises(SourceError) as caught:
        icd11.load_tabulation(path, "2024-01", None)
    assert caught.value.path == str(path)
    assert caught.value.line == 6
    assert "ClassKind 'grouping'" in caught.value.reason


def test_truncated_gzip_raises_source_error(fixtures: Path, tmp_path: Path) -> None:
    data = gzip.compress((fixtures / "icd11" / SAMPLE).read_bytes())
    path = tmp_path / "SimpleTabulation-ICD-11-MMS-en.txt.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as caught:
        icd11.load_tabulation(path, "2024-01", None)
    assert "cannot read the file" in caught.value.reason


def test_load_returns_none_without_a_tabulation() -> None:
    assert icd11.load([]) is None


# --- the official 2024-01 release ------------------------------------------------------------------------
def test_2024_01_counts_match_provenance(shared_data: Path) -> None:
    content = _content(shared_data / "icd11" / "SimpleTabulation-ICD-11-MMS-en_2024-01.txt.gz")
    kinds = [c.kind for c in content.concepts]
    assert len(content.concepts) == 36_044
    assert kinds.count(ConceptKind.CHAPTER) == 28
    assert kinds.count(ConceptKind.BLOCK) == 1_353
    assert kinds.count(ConceptKind.EXTENSION) == 16_841
    assert kinds.count(ConceptKind.CATEGORY) + kinds.count(ConceptKind.CODE) == 34_663 - 16_841
    assert sum(c.billable for c in content.concepts) == 15_364


def test_2024_01_titles_and_hierarchy(shared_data: Path) -> None:
    content = _content(shared_data / "icd11" / "SimpleTabulation-ICD-11-MMS-en_2024-01.txt.gz")
    concepts = {c.code: c for c in content.concepts}
    assert concepts["1A00"].title == "Cholera"
    assert concepts["BA41.Z"].title == "Acute myocardial infarction, unspecified"
    assert concepts["26"].title == "Supplementary Chapter Traditional Medicine Conditions"
    assert all(c.parent is None or c.parent in concepts for c in content.concepts)
