"""The deterministic explainer: official structure and notes in plain sentences, per system."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from medcodes.explain.facts import describe, ground
from medcodes.models import (
    Concept,
    ConceptDetail,
    ConceptKind,
    FactLine,
    FactsExplainer,
    Note,
    NoteKind,
    Property,
    Release,
)
from medcodes.service import CodeService
from medcodes.systems import SystemId

from .test_explain_support import explain_db


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CodeService]:
    opened = CodeService.at(explain_db(tmp_path_factory.mktemp("facts")))
    yield opened
    opened.close()


def _section(facts: FactsExplainer, heading: str) -> tuple[FactLine, ...]:
    return next(s.lines for s in facts.sections if s.heading == heading)


# ---------------------------------------------------------------------------------------------- ICD-10-PCS
def test_pcs_root_operation_with_its_official_definition(service: CodeService) -> None:
    lines = _section(service.explain_facts("0UT70ZZ", SystemId.ICD10PCS), "Character by character")
    assert lines[2] == FactLine(
        "Character 3, Operation (T)", "Resection", "Cutting out or off, without replacement, all of a body part"
    )


def test_pcs_body_part_and_approach(service: CodeService) -> None:
    lines = _section(service.explain_facts("0UT70ZZ", SystemId.ICD10PCS), "Character by character")
    assert (lines[3].text, lines[4].text, lines[4].definition) == (
        "Fallopian Tubes, Bilateral",
        "Open",
        "Cutting through the skin or mucous membrane and any other body layers necessary to expose the site of"
        " the procedure",
    )


def test_pcs_code_summary(service: CodeService) -> None:
    assert service.explain_facts("0ut70zz", SystemId.ICD10PCS).summary == (
        "0UT70ZZ is an ICD-10-PCS inpatient procedure code: Resection of Bilateral Fallopian Tubes, Open Approach."
        " Each of its seven characters has a fixed meaning, explained below."
    )


def test_pcs_table_lists_the_values_its_rows_allow(service: CodeService) -> None:
    lines = _section(service.explain_facts("0UT", SystemId.ICD10PCS), "Character by character")
    assert lines[6] == FactLine("Character 7, Qualifier", "one of: Z No Qualifier; L Supracervical")


def test_pcs_examples_of_the_root_operation(service: CodeService) -> None:
    lines = _section(service.explain_facts("0UT70ZZ", SystemId.ICD10PCS), "Notes")
    assert lines == (
        FactLine("Examples of this root operation", "Total nephrectomy, total lobectomy of lung", source="0UT"),
    )


# ---------------------------------------------------------------------------------------------- ICD-10-CM
def test_icd10cm_where_it_sits(service: CodeService) -> None:
    lines = _section(service.explain_facts("E11.9", SystemId.ICD10CM), "Where it sits")
    assert [(ln.label, ln.text) for ln in lines] == [
        ("Chapter 4", "Endocrine, nutritional and metabolic diseases"),
        ("Block E08-E13", "Diabetes mellitus"),
        ("Category E11", "Type 2 diabetes mellitus"),
    ]


def test_excludes1_in_plain_words(service: CodeService) -> None:
    lines = _section(service.explain_facts("E11.9", SystemId.ICD10CM), "Coding notes")
    assert (
        FactLine("Excludes1", "Do not code this together with: type 1 diabetes mellitus (E10.-).", source="E11")
        in lines
    )


def test_use_additional_code_in_plain_words(service: CodeService) -> None:
    lines = _section(service.explain_facts("E11.9", SystemId.ICD10CM), "Coding notes")
    assert (
        FactLine("Use additional code", "Use an additional code, where it applies, for: insulin (Z79.4).", source="E11")
        in lines
    )


def test_the_seventh_character_of_a_code(service: CodeService) -> None:
    lines = _section(service.explain_facts("S52.521A", SystemId.ICD10CM), "7th character")
    assert lines[0] == FactLine("7th character A", "initial encounter for closed fracture", source="S52")


def test_a_code_that_needs_a_seventh_character(service: CodeService) -> None:
    lines = _section(service.explain_facts("S52.521", SystemId.ICD10CM), "7th character")
    assert lines[0].label == "A 7th character must be added"
    assert lines[0].text.startswith("A initial encounter for closed fracture; D subsequent encounter")


def test_a_category_is_not_complete(service: CodeService) -> None:
    assert service.explain_facts("E11", SystemId.ICD10CM).summary == (
        "E11 is an ICD-10-CM category: Type 2 diabetes mellitus. It is not a complete code: a claim uses the more"
        " specific code below it."
    )


def test_a_crosswalk_names_its_target_the_kind_of_match_and_its_tables_in_words(service: CodeService) -> None:
    lines = _section(service.explain_facts("250.00", SystemId.ICD9CM), "Crosswalks and history")
    assert lines[0] == FactLine(
        "ICD-10-CM, approximate",
        "E11.9 Type 2 diabetes mellitus without complications (from the CMS General Equivalence Mappings 2018"
        " (ICD-10-CM to ICD-9-CM) and the CMS General Equivalence Mappings 2018 (ICD-9-CM to ICD-10-CM))",
    )


# ---------------------------------------------------------------------------------------------- HCPCS, MS-DRG
def test_hcpcs_letter_range(service: CodeService) -> None:
    assert service.explain_facts("E0601", SystemId.HCPCS).summary == (
        "E0601 is a HCPCS Level II code in the E range (Durable medical equipment):"
        " Continuous positive airway pressure (cpap) device."
    )


def test_hcpcs_coverage_in_words(service: CodeService) -> None:
    lines = _section(service.explain_facts("E0601", SystemId.HCPCS), "Coverage and pricing indicators")
    assert (
        FactLine(
            "Medicare coverage",
            "Special coverage instructions apply (D): the Medicare coverage manuals say when it is covered",
        )
        in lines
    )


def test_hcpcs_pricing_in_words(service: CodeService) -> None:
    lines = _section(service.explain_facts("E0601", SystemId.HCPCS), "Coverage and pricing indicators")
    assert FactLine("Pricing", "Capped rental DME (price subject to floors and ceilings) (36)") in lines


def test_a_modifier_is_explained_as_one(service: CodeService) -> None:
    assert service.explain_facts("RT", SystemId.HCPCS).summary.startswith(
        "RT is a HCPCS Level II modifier: Right side (used to identify procedures performed on the right side of"
        " the body). A modifier is added to a procedure or service code"
    )


def test_drg_mdc_and_type(service: CodeService) -> None:
    lines = _section(service.explain_facts("291", SystemId.MSDRG), "How it groups stays")
    assert [(ln.label, ln.text) for ln in lines[:2]] == [
        ("Major Diagnostic Category", "MDC 05: Diseases and Disorders of the Circulatory System"),
        (
            "Type",
            "medical: stays are grouped by their principal diagnosis, without a grouping operating room procedure",
        ),
    ]


# ---------------------------------------------------------------------------------------------- ICD-11 (by hand)
def _icd11_detail() -> ConceptDetail:
    concept = Concept(
        SystemId.ICD11, "1A0Z", "Bacterial intestinal infections, unspecified", ConceptKind.CATEGORY, True
    )
    return ConceptDetail(
        concept,
        (),
        (),
        (Concept(SystemId.ICD11, "01", "Certain infectious or parasitic diseases", ConceptKind.CHAPTER, False),),
        (),
        Release(SystemId.ICD11, "2024-01", dt.date(2024, 1, 1)),
        (Property(SystemId.ICD11, "1A0Z", "icd11.residual", "True", "unspecified"),),
    )


def test_icd11_residual_category_in_words() -> None:
    lines = _section(describe(_icd11_detail()), "Classification")
    assert lines == (FactLine("Residual category", "unspecified: used when no further detail is known"),)


# ---------------------------------------------------------------------------------------------- grounding
def test_the_facts_hash_ignores_the_release_version() -> None:
    detail = _icd11_detail()
    newer = replace(detail, release=Release(SystemId.ICD11, "2025-01", dt.date(2025, 1, 1)))
    first, second = ground(detail), ground(newer)
    assert first is not None and second is not None
    assert (first.facts_hash == second.facts_hash, first.release, second.release) == (True, "2024-01", "2025-01")


def test_the_facts_hash_changes_with_the_facts() -> None:
    detail = _icd11_detail()
    noted = replace(detail, notes=(Note(NoteKind.NOTE, "A new note"),))
    first, second = ground(detail), ground(noted)
    assert first is not None and second is not None
    assert first.facts_hash != second.facts_hash


def test_the_prompt_facts_carry_the_pcs_definitions(service: CodeService) -> None:
    grounding = service.explainer_grounding("0UT70ZZ", SystemId.ICD10PCS)
    assert grounding is not None
    assert (
        "- Character 3, Operation (T): Resection (official definition: Cutting out or off, without replacement,"
        " all of a body part)"
    ) in grounding.text.splitlines()


def test_drgs_get_no_generated_explainer(service: CodeService) -> None:
    assert service.explainer_grounding("291", SystemId.MSDRG) is None


def test_fixture_database_file_exists(service: CodeService) -> None:
    assert Path(service.store.path).name == "medcodes.db"


def test_an_icd11_extension_code_is_never_used_alone() -> None:
    concept = Concept(SystemId.ICD11, "XK8G", "Left", ConceptKind.EXTENSION, False)
    detail = ConceptDetail(concept, (), (), (), (), None)
    assert describe(detail).summary == (
        "XK8G is an ICD-11 MMS extension code: Left. An extension code is never used alone: it is added to a stem"
        " code to give more detail."
    )


def test_a_header_that_is_no_code_notation_is_explained(service: CodeService) -> None:
    assert service.explain_facts("E", SystemId.HCPCS).summary == (
        "E codes of HCPCS Level II: Durable medical equipment. It groups the codes listed below it."
    )


def test_a_retired_icd9cm_code_is_no_longer_reported(service: CodeService) -> None:
    summary = service.explain_facts("250.00", SystemId.ICD9CM).summary
    assert "It was a complete code, valid on US claims until 2015-09-30; it is no longer reported." in summary
    assert "can be reported" not in summary


def test_the_prompt_says_billable_only_for_a_us_claim_code_set(service: CodeService) -> None:
    icd9 = service.explainer_grounding("250.00", SystemId.ICD9CM)
    icd10cm = service.explainer_grounding("E11.9", SystemId.ICD10CM)
    assert icd9 is not None and icd10cm is not None
    assert "Complete code when its system was in use (no longer reported): yes" in icd9.text
    assert "Complete code, can be reported as it is (billable): yes" in icd10cm.text
