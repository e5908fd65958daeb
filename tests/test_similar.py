"""Similar codes: neighbours and their reasons on a database built from hand-written fixtures.

The ICD-10-CM fixtures (tests/data/similar) hold the diabetes categories E10, E11, E13 with an Excludes1
note and an Alphabetic Index entry, and torus and Colles' fractures of the radius with three 7th
characters; HCPCS codes around E0601 (CPAP); the ICD-10-PCS, ICD-9-CM, MS-DRG and GEM fixtures of the other tests
complete the set.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace

import pytest

from medcodes.errors import CodeNotFound, InvalidCode
from medcodes.models import Concept, ConceptKind, SimilarCode, SimilarKind, SimilarReason
from medcodes.service import CodeService, build_database
from medcodes.similar import Clue, Overlap, drg_family, qualifies, title_difference
from medcodes.systems import SystemId
from tests.helpers import FIXTURES

_RELEASE = {
    "similar/icd10cm_tabular.xml": "icd10cm_tabular_2026.xml",
    "similar/icd10cm_index.xml": "icd10cm_index_2026.xml",
    "icd10pcs/tables_sample.xml": "icd10pcs_tables_2026.xml",
    "icd10pcs/order_sample.txt": "icd10pcs_order_2026.txt",
    "similar/hcpcs_nearby.txt": "HCPC2026_JAN_ANWEB.txt",
    "msdrg/appendix_A_sample.txt": "appendix_A_v40.txt",
    "gems/2018_I10gem.txt": "2018_I10gem.txt",
    "gems/2018_I9gem.txt": "2018_I9gem.txt",
    **{
        f"icd9cm/CMS32_DESC_{part}.txt": f"CMS32_DESC_{part}.txt"
        for part in ("LONG_DX", "SHORT_DX", "LONG_SG", "SHORT_SG")
    },
}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CodeService]:
    folder = tmp_path_factory.mktemp("similar")
    release = folder / "release"
    release.mkdir()
    for source, name in _RELEASE.items():
        shutil.copy(FIXTURES / source, release / name)
    build_database(folder / "similar.db", release)
    opened = CodeService.at(folder / "similar.db")
    yield opened
    opened.close()


def _by_code(found: list[SimilarCode]) -> dict[str, SimilarCode]:
    return {s.code: s for s in found}


def test_diabetes_neighbours_in_order(service: CodeService) -> None:
    found = service.similar("E11.9")
    # Type 1 without complications shares more of E11.9's title than type 2 with unspecified complications:
    # words in a "without" clause count apart from the same words said plainly.
    assert [(s.system, s.code) for s in found] == [
        (SystemId.ICD10CM, "E10.9"),
        (SystemId.ICD10CM, "E13.9"),
        (SystemId.ICD10CM, "E11.8"),
        (SystemId.ICD9CM, "250.00"),
        (SystemId.ICD10CM, "E11.6"),
        (SystemId.ICD10CM, "E11.65"),
    ]


def test_variant_names_the_difference_in_words(service: CodeService) -> None:
    assert _by_code(service.similar("E11.9"))["E11.8"].reasons[0] == SimilarReason(
        SimilarKind.VARIANT, "Differs only in the 4th character: with unspecified instead of without"
    )


def test_index_term_and_excludes_note_reasons(service: CodeService) -> None:
    assert _by_code(service.similar("E11.9"))["E10.9"].reasons[:2] == (
        SimilarReason(
            SimilarKind.INDEX_TERM,
            "Next to it in the Alphabetic Index under 'Diabetes, diabetic': type 1 (this code: type 2)",
        ),
        SimilarReason(SimilarKind.NOTE, "Named in the Excludes1 note of E11: type 1 diabetes mellitus (E10.-)"),
    )


def test_reasons_are_in_kind_order_wording_last(service: CodeService) -> None:
    assert [r.kind for r in _by_code(service.similar("E11.9"))["E10.9"].reasons] == [
        SimilarKind.INDEX_TERM,
        SimilarKind.NOTE,
        SimilarKind.WORDING,
    ]


def test_reasons_combine_as_independent_evidence(service: CodeService) -> None:
    # variant 0.75 and wording 0.69: 1 - 0.25 * 0.31 (the wording's own digits beyond the two shown aside); the
    # wording is 0.69 since a word a title says again counts once (``Bm25.repeats``; it was 0.70 when counted
    # twice), and "..., initial encounter for closed fracture" holds "fracture" once as its parent does
    assert _by_code(service.similar("S52.521A"))["S52.521D"].score == pytest.approx(0.9233, abs=5e-4)


def test_crosswalk_row_is_a_reason_both_ways(service: CodeService) -> None:
    forward = _by_code(service.similar("E11.9"))["250.00"]
    backward = _by_code(service.similar("250.00", SystemId.ICD9CM))["E11.9"]
    assert forward.reasons == (
        SimilarReason(
            SimilarKind.CROSSWALK,
            "E11.9 maps to ICD-9-CM 250.00 (approximate; CMS General Equivalence Mappings 2018"
            " (ICD-10-CM to ICD-9-CM))",
        ),
    )
    assert backward.reasons == (
        SimilarReason(
            SimilarKind.CROSSWALK,
            "250.00 maps to ICD-10-CM E11.9 (approximate; CMS General Equivalence Mappings 2018"
            " (ICD-9-CM to ICD-10-CM))",
        ),
    )


def test_laterality_variant_folds_the_other_laterality(service: CodeService) -> None:
    left = _by_code(service.similar("S52.521A"))["S52.522A"]
    assert (left.reasons[0], left.more, left.more_label) == (
        SimilarReason(SimilarKind.VARIANT, "Differs only in laterality: left instead of right"),
        1,
        "other lateralities",
    )


def test_seventh_characters_fold_into_one_entry(service: CodeService) -> None:
    found = service.similar("S52.521A")
    assert [s.code for s in found] == ["S52.522A", "S52.531A", "S52.521D"]
    subsequent = found[2]
    assert (subsequent.reasons[0], subsequent.more, subsequent.more_label) == (
        SimilarReason(
            SimilarKind.VARIANT,
            "Differs only in the 7th character: subsequent encounter for closed fracture with routine healing",
        ),
        1,
        "other 7th characters",
    )


def test_other_fracture_type_is_a_variant_and_folds_its_other_side(service: CodeService) -> None:
    colles = _by_code(service.similar("S52.521A"))["S52.531A"]
    assert (colles.reasons[0], colles.more, colles.more_label) == (
        SimilarReason(
            SimilarKind.VARIANT, "Differs only in the 5th character: Colles' instead of Torus; omits lower end"
        ),
        1,
        "other lateralities",
    )


def test_pcs_approach_variant_with_axis_value_names(service: CodeService) -> None:
    endoscopic = service.similar("0UT70ZZ")[0]
    assert endoscopic.code == "0UT74ZZ"
    assert endoscopic.reasons[0] == SimilarReason(
        SimilarKind.VARIANT, "Differs only in the approach: Percutaneous Endoscopic instead of Open"
    )


def test_pcs_body_part_variant_folds_its_laterality_twin(service: CodeService) -> None:
    right = _by_code(service.similar("0UT70ZZ"))["0UT50ZZ"]
    assert (right.reasons[0], right.more, right.more_label) == (
        SimilarReason(
            SimilarKind.VARIANT,
            "Differs only in the body part: Fallopian Tube, Right instead of Fallopian Tubes, Bilateral",
        ),
        1,
        "other lateralities",
    )


def test_wording_reason_comes_last_with_the_text_similarity(service: CodeService) -> None:
    reason = service.similar("0UT70ZZ")[0].reasons[-1]
    assert (reason.kind, reason.text) == (SimilarKind.WORDING, "Similar title (text similarity 0.76)")


def test_drg_family(service: CodeService) -> None:
    found = service.similar("291", SystemId.MSDRG)
    assert [(s.code, s.reasons[0]) for s in found] == [
        ("292", SimilarReason(SimilarKind.DRG_FAMILY, "Same MS-DRG family (Heart failure and shock): with cc")),
    ]


def test_code_without_neighbours_gets_none(service: CodeService) -> None:
    assert service.similar("E0600", SystemId.HCPCS) == []


def test_hcpcs_codes_near_it_of_the_same_betos_category_that_share_its_words(service: CodeService) -> None:
    found = _by_code(service.similar("E0601", SystemId.HCPCS))
    # Not the suction pump or breast pumps beside it (no words in common), nor a breast pump of BETOS Z2.
    assert set(found) == {"E0470", "E0561", "E0562"}
    assert found["E0561"].reasons == (
        SimilarReason(
            SimilarKind.NEARBY,
            "Near it among the E codes and BETOS category (Other DME); shares positive, airway, pressure, device",
        ),
    )


def test_an_index_neighbour_in_another_chapter_with_no_word_in_common_only_supports(service: CodeService) -> None:
    clue = Clue(SystemId.ICD10CM, "I50.9", SimilarKind.INDEX_TERM, "Next to it under 'Syndrome, low'", 0.5)
    diabetes = service.store.get(SystemId.ICD10CM, "E11.9")
    assert diabetes is not None
    finder = service.similar_finder
    other = Concept(SystemId.ICD10CM, "I50.9", "Heart failure, unspecified", ConceptKind.CODE, True)
    assert not finder._agree(diabetes, other, replace(clue, corroborate=True))
    same_chapter = Concept(SystemId.ICD10CM, "E13.9", "Other specified diabetes mellitus", ConceptKind.CODE, True)
    assert finder._agree(diabetes, same_chapter, replace(clue, corroborate=True))


def test_titles_overlap_by_their_rarer_words() -> None:
    overlap = Overlap(None)  # every word weighs one
    assert overlap.share("Standard wheelchair", "Lightweight wheelchair") == 0.5
    assert overlap.share("Low back pain, unspecified", "Heart failure, unspecified") == 0.0
    assert overlap.share("Type 2 diabetes mellitus", "Type 2 diabetes mellitus without complications") == 1.0


def test_ancestors_and_children_are_never_listed(service: CodeService) -> None:
    codes = {s.code for s in service.similar("E11")}
    assert codes.isdisjoint({"E11.6", "E11.8", "E11.9", "E08-E13", "4"})


def test_limit_cuts_the_list(service: CodeService) -> None:
    # Two places go to two kinds of evidence (an index neighbour, a variant), not two index neighbours.
    assert [s.code for s in service.similar("E11.9", limit=2)] == ["E10.9", "E11.8"]


def test_unknown_code_raises_code_not_found(service: CodeService) -> None:
    with pytest.raises(CodeNotFound):
        service.similar("E11.99", SystemId.ICD10CM)


def test_malformed_code_raises_invalid_code(service: CodeService) -> None:
    with pytest.raises(InvalidCode):
        service.similar("not a code", SystemId.ICD10CM)


def test_supporting_kinds_never_list_a_code_alone() -> None:
    note = Clue(SystemId.ICD10CM, "E10.9", SimilarKind.NOTE, "Named in the Excludes1 note", 0.5)
    assert not qualifies(note)


def test_a_clue_below_its_minimum_does_not_qualify() -> None:
    assert [qualifies(Clue(SystemId.ICD10CM, "E10.9", SimilarKind.WORDING, "", s)) for s in (0.49, 0.5)] == [
        False,
        True,
    ]


def test_title_difference_in_words() -> None:
    assert (
        title_difference(
            "Type 2 diabetes mellitus without complications",
            "Type 2 diabetes mellitus without complications in remission",
        )
        == "adds in remission"
    )


def test_title_difference_reads_a_word_before_a_comma_as_the_same_word() -> None:
    difference = title_difference(
        "Acute myocardial infarction, unspecified", "Non-ST elevation (NSTEMI) myocardial infarction"
    )
    assert difference == "Non-ST elevation (NSTEMI) instead of Acute; omits unspecified"


def test_drg_family_strips_the_severity_split() -> None:
    assert [drg_family(t) for t in ("DIABETES WITH MCC", "DIABETES WITHOUT CC/MCC", "ALLOGENEIC BONE MARROW")] == [
        "DIABETES",
        "DIABETES",
        None,
    ]
