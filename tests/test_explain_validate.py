"""Parsing and checking generated answers; sections per kind; the shipped hand-written examples."""

from __future__ import annotations

import json
from collections.abc import Sequence

from medcodes.explain.facts import Grounding, facts_hash
from medcodes.explain.prompt import examples
from medcodes.explain.schema import SECTIONS, json_schema, kind_of
from medcodes.explain.validate import Check, Draft, Problem, doses, mentions, parse_answer, unknown_codes, validate
from medcodes.models import (
    Concept,
    ConceptKind,
    ExplainerKind,
    ExplainerSection,
    Property,
    SectionType,
)
from medcodes.systems import SystemId

from .test_explain_support import answer


def _grounding(text: str = "", system: SystemId = SystemId.ICD10CM, descriptor: str = "") -> Grounding:
    return Grounding(system, "E11.9", "t", ExplainerKind.DIAGNOSIS, "2026", text, facts_hash(text), descriptor)


def _nothing(system: SystemId, codes: Sequence[str]) -> list[str]:
    return []


def _tokens(text: str, system: SystemId = SystemId.ICD10CM) -> list[str]:
    return [m.token for m in mentions(text, system)]


# ---------------------------------------------------------------------------------------------- code mentions
def test_dotted_codes_are_mentions() -> None:
    assert _tokens("see E11.9 and S52.521A, or BA41.Z") == ["E11.9", "S52.521A", "BA41.Z"]


def test_note_style_codes_are_mentions() -> None:
    assert _tokens("type 1 diabetes (E10.-) and gestational diabetes (O24.4-)") == ["E10.-", "O24.4-"]


def test_a_range_is_checked_by_its_ends() -> None:
    assert _tokens("the block E08-E13") == ["E08", "E13"]


def test_pcs_hcpcs_and_icd11_codes_are_mentions() -> None:
    assert _tokens("0UT70ZZ, E0601 and 1A00") == ["0UT70ZZ", "E0601", "1A00"]


def test_everyday_words_with_digits_are_not_mentions() -> None:
    assert _tokens("vitamin B12, an HbA1c test, the L5-S1 disc, COVID-19, a T2 scan, CO2") == []


def test_a_bare_category_counts_in_parentheses_or_after_code() -> None:
    assert _tokens("category E11 (I21) B12") == ["E11", "I21"]


def test_decimal_numbers_are_mentions_only_for_icd9cm() -> None:
    assert (_tokens("a fever of 100.4"), _tokens("250.00 or 87.83", SystemId.ICD9CM)) == ([], ["250.00", "87.83"])


def test_drg_numbers_are_mentions() -> None:
    assert [m.readings for m in mentions("DRG 291", SystemId.ICD10CM)] == [((SystemId.MSDRG, "291"),)]


def test_codes_named_in_the_facts_need_not_be_in_the_store() -> None:
    grounding = _grounding("Use additional code: insulin (Z79.4)")
    assert unknown_codes("insulin (Z79.4) or E11.99", grounding, _nothing, [SystemId.ICD10CM]) == ["E11.99"]


def test_codes_in_the_store_are_accepted() -> None:
    def existing(system: SystemId, codes: Sequence[str]) -> list[str]:
        return [c for c in codes if system is SystemId.ICD10CM and c == "I21.4"]

    assert unknown_codes("I21.4", _grounding(), existing, [SystemId.ICD10CM]) == []


def test_codes_of_systems_not_loaded_are_unknown() -> None:
    def everything(system: SystemId, codes: Sequence[str]) -> list[str]:
        return list(codes)

    assert unknown_codes("1A00", _grounding(), everything, [SystemId.ICD10CM]) == ["1A00"]


# ---------------------------------------------------------------------------------------------- doses
def test_a_dose_is_flagged() -> None:
    assert doses("usually 500 mg twice a day, or 2 tablets", "Metformin") == ["500 mg", "2 tablets"]


def test_a_dose_in_the_official_descriptor_is_allowed() -> None:
    assert doses("billed per 10 mg given", "Injection, durvalumab, 10 mg") == []


def test_a_laboratory_value_is_not_a_dose() -> None:
    assert doses("a fasting glucose of 126 mg/dL", "") == []


# ---------------------------------------------------------------------------------------------- parsing
def test_a_json_answer_parses_into_typed_sections() -> None:
    draft, problems = parse_answer(answer(ExplainerKind.SUPPLY), ExplainerKind.SUPPLY)
    assert problems == ()
    assert draft is not None
    assert [(s.key, s.type) for s in draft.sections[:5]] == [
        ("name", SectionType.TEXT),
        ("summary", SectionType.TEXT),
        ("uses", SectionType.TEXT),
        ("who_needs_it", SectionType.TEXT),
        ("how_it_is_used", SectionType.STEPS),
    ]


def test_a_code_fence_around_the_json_is_tolerated() -> None:
    draft, _ = parse_answer("```json\n" + answer(ExplainerKind.SUPPLY) + "\n```", ExplainerKind.SUPPLY)
    assert draft is not None


def test_prose_around_the_json_is_rejected() -> None:
    _, problems = parse_answer("Here it is: " + answer(ExplainerKind.SUPPLY), ExplainerKind.SUPPLY)
    assert problems == (Problem(None, "the answer is not valid JSON (Expecting value at character 0)", Check.JSON),)


def test_a_missing_section_is_named() -> None:
    _, problems = parse_answer(answer(ExplainerKind.SUPPLY, coverage_notes=None), ExplainerKind.SUPPLY)
    assert problems == (Problem("coverage_notes", "missing", Check.SHAPE),)


def test_an_extra_section_is_rejected() -> None:
    _, problems = parse_answer(answer(ExplainerKind.SUPPLY, dosage="x"), ExplainerKind.SUPPLY)
    assert problems == (Problem("dosage", "unexpected section", Check.SHAPE),)


def test_a_section_of_the_wrong_type_is_rejected() -> None:
    _, problems = parse_answer(answer(ExplainerKind.SUPPLY, alternatives="none"), ExplainerKind.SUPPLY)
    assert problems == (Problem("alternatives", "must be a list of strings", Check.SHAPE),)


def test_numbers_in_front_of_steps_are_removed() -> None:
    draft, _ = parse_answer(
        answer(ExplainerKind.SUPPLY, how_it_is_used=["1. Plug in", "Step 2: Wear"]), ExplainerKind.SUPPLY
    )
    assert draft is not None
    assert draft.sections[4].items == ("Plug in", "Wear")


# ---------------------------------------------------------------------------------------------- validation
def _draft(kind: ExplainerKind, **changes: object) -> Draft:
    draft, problems = parse_answer(answer(kind, **changes), kind)
    assert draft is not None, problems
    return draft


def test_an_empty_section_is_rejected() -> None:
    problems = validate(_draft(ExplainerKind.SUPPLY, uses=" "), _grounding(), _nothing, [])
    assert problems == (Problem("uses", "empty", Check.EMPTY),)


def test_too_many_items_are_rejected() -> None:
    problems = validate(_draft(ExplainerKind.SUPPLY, alternatives=["x"] * 11), _grounding(), _nothing, [])
    assert problems == (Problem("alternatives", "too many items: 11, at most 10", Check.LENGTH),)


def test_a_text_over_the_limit_is_rejected() -> None:
    problems = validate(_draft(ExplainerKind.SUPPLY, uses="word " * 300), _grounding(), _nothing, [])
    assert problems == (Problem("uses", "too long: 1499 characters, at most 1200", Check.LENGTH),)


def test_an_invented_code_is_rejected() -> None:
    problems = validate(_draft(ExplainerKind.SUPPLY, summary="Billed with E0699."), _grounding(), _nothing, [])
    assert problems == (Problem("summary", "mentions E0699, which is not a code in this database", Check.CODE),)


def test_a_dose_not_in_the_descriptor_is_rejected() -> None:
    problems = validate(_draft(ExplainerKind.SUPPLY, uses="Given as 4 mg."), _grounding(), _nothing, [])
    assert problems == (
        Problem("uses", "gives a dose or strength (4 mg) that the official title does not", Check.DOSE),
    )


def test_every_shipped_example_passes_validation_with_its_own_facts() -> None:
    results = {}
    for kind, example in examples().items():
        draft, problems = parse_answer(example.answer, kind)
        assert draft is not None, problems
        grounding = Grounding(example.system, example.code, "", kind, None, example.facts, "", example.code)
        results[kind] = validate(draft, grounding, _nothing, [])
    assert results == {ExplainerKind.PROCEDURE: (), ExplainerKind.DIAGNOSIS: (), ExplainerKind.SUPPLY: ()}


# ---------------------------------------------------------------------------------------------- schema
def _concept(system: SystemId, code: str, kind: ConceptKind = ConceptKind.CODE, title: str = "t") -> Concept:
    return Concept(system, code, title, kind, True)


def test_kinds_by_system() -> None:
    assert [
        kind_of(_concept(SystemId.ICD10PCS, "0UT70ZZ")),
        kind_of(_concept(SystemId.ICD10CM, "E11.9")),
        kind_of(_concept(SystemId.ICD11, "1A00", ConceptKind.CATEGORY)),
        kind_of(_concept(SystemId.MSDRG, "291")),
        kind_of(_concept(SystemId.ICD10CM, "4", ConceptKind.CHAPTER)),
        kind_of(_concept(SystemId.HCPCS, "RT", ConceptKind.MODIFIER)),
    ] == [ExplainerKind.PROCEDURE, ExplainerKind.DIAGNOSIS, ExplainerKind.DIAGNOSIS, None, None, None]


def test_hcpcs_kinds_by_letter_and_betos() -> None:
    q_drug = Property(SystemId.HCPCS, "Q9993", "hcpcs.betos", "O1E")
    assert [
        kind_of(_concept(SystemId.HCPCS, "E0601")),
        kind_of(_concept(SystemId.HCPCS, "A0021")),
        kind_of(_concept(SystemId.HCPCS, "G0008")),
        kind_of(_concept(SystemId.HCPCS, "Q9993"), (q_drug,)),
    ] == [ExplainerKind.SUPPLY, ExplainerKind.PROCEDURE, ExplainerKind.PROCEDURE, ExplainerKind.SUPPLY]


def test_icd9cm_procedures_get_procedure_sections() -> None:
    kind = Property(SystemId.ICD9CM, "87.83", "icd9cm.type", "SG", "procedure")
    assert kind_of(_concept(SystemId.ICD9CM, "87.83"), (kind,)) is ExplainerKind.PROCEDURE


def test_the_json_schema_requires_every_section_and_nothing_else() -> None:
    schema = json_schema(ExplainerKind.DIAGNOSIS)
    assert schema["required"] == [s.key for s in SECTIONS[ExplainerKind.DIAGNOSIS]]
    assert schema["additionalProperties"] is False


def test_the_section_titles_of_a_procedure() -> None:
    assert [s.title for s in SECTIONS[ExplainerKind.PROCEDURE]] == [
        "Name of the Procedure",
        "Summary",
        "Purpose",
        "Indications",
        "Preparation",
        "Procedure Description",
        "Tools and Equipment",
        "Anesthesia",
        "Duration",
        "Setting",
        "Personnel",
        "Risks and Complications",
        "Benefits",
        "Recovery",
        "Alternatives",
        "Patient Experience",
    ]


def test_example_answers_are_json_objects_with_every_section() -> None:
    for kind, example in examples().items():
        assert list(json.loads(example.answer)) == [s.key for s in SECTIONS[kind]]


def test_a_section_value_object_carries_its_type() -> None:
    section = ExplainerSection("risks", "Risks", SectionType.LIST, items=("Bleeding",))
    assert (section.type, section.text, section.items) == (SectionType.LIST, "", ("Bleeding",))
