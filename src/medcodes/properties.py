"""The names of concept properties, and what each is called: one vocabulary for the sources and the views.

A source stores each structured fact of a concept under a ``PropertyName`` (``Property.name``); the code page,
`medcodes show` and the facts explainer label it from ``LABELS``: ``official`` is the name the publisher's file
layout gives the field (shown beside the raw value, so a coder can find it in the layout), ``plain`` is the same
in everyday words. A name that a source emits without an entry here is a bug that a test over a full build
catches; no view guesses a label from a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PropertyName(StrEnum):
    # ICD-10-PCS: one property per character of a code, named after the Medical and Surgical section's axis
    # titles where the table titles the axis that way, else by position (sources/icd10pcs.py, axis_name).
    PCS_SECTION = "pcs.section"
    PCS_BODY_SYSTEM = "pcs.body_system"
    PCS_OPERATION = "pcs.operation"
    PCS_BODY_PART = "pcs.body_part"
    PCS_APPROACH = "pcs.approach"
    PCS_DEVICE = "pcs.device"
    PCS_QUALIFIER = "pcs.qualifier"
    PCS_AXIS1 = "pcs.axis1"
    PCS_AXIS2 = "pcs.axis2"
    PCS_AXIS3 = "pcs.axis3"
    PCS_AXIS4 = "pcs.axis4"
    PCS_AXIS5 = "pcs.axis5"
    PCS_AXIS6 = "pcs.axis6"
    PCS_AXIS7 = "pcs.axis7"
    PCS_AXIS_TITLE = "pcs.axis_title"  # on a table: the title of axis N (value "N")
    # HCPCS Level II: the fields of the CMS alpha-numeric file, by their number in the record layout.
    HCPCS_PRICING = "hcpcs.pricing"  # field 9
    HCPCS_MULTIPLE_PRICING = "hcpcs.multiple_pricing"  # field 10
    HCPCS_COVERAGE_ISSUES_MANUAL = "hcpcs.coverage_issues_manual"  # field 11
    HCPCS_CARRIERS_MANUAL = "hcpcs.carriers_manual"  # field 12
    HCPCS_STATUTE = "hcpcs.statute"  # field 13
    HCPCS_LAB_CERTIFICATION = "hcpcs.lab_certification"  # field 14
    HCPCS_CROSS_REFERENCE = "hcpcs.cross_reference"  # field 15
    HCPCS_COVERAGE = "hcpcs.coverage"  # field 16
    HCPCS_ASC_GROUP = "hcpcs.asc_group"  # field 17
    HCPCS_ASC_GROUP_DATE = "hcpcs.asc_group_date"  # field 18
    HCPCS_MOG_GROUP = "hcpcs.mog_group"  # field 19
    HCPCS_MOG_POLICY = "hcpcs.mog_policy"  # field 20
    HCPCS_MOG_DATE = "hcpcs.mog_date"  # field 21
    HCPCS_PROCESSING_NOTE = "hcpcs.processing_note"  # field 22
    HCPCS_BETOS = "hcpcs.betos"  # field 23
    HCPCS_TYPE_OF_SERVICE = "hcpcs.type_of_service"  # field 25
    HCPCS_ANESTHESIA_BASE_UNITS = "hcpcs.anesthesia_base_units"  # field 26
    HCPCS_ADD_DATE = "hcpcs.add_date"  # field 27
    HCPCS_EFFECTIVE_DATE = "hcpcs.effective_date"  # field 28
    HCPCS_TERMINATION_DATE = "hcpcs.termination_date"  # field 29
    HCPCS_ACTION = "hcpcs.action"  # field 30
    # ICD-11 MMS: columns of WHO's simple tabulation.
    ICD11_LEAF = "icd11.leaf"
    ICD11_RESIDUAL = "icd11.residual"
    ICD11_FOUNDATION_URI = "icd11.foundation_uri"
    ICD11_LINEARIZATION_URI = "icd11.linearization_uri"
    ICD11_BROWSER_LINK = "icd11.browser_link"
    # WHO ICD-10 ClaML: the dagger-asterisk usage of a class.
    ICD10_USAGE = "icd10.usage"
    # ICD-9-CM: a diagnosis or a procedure (the CMS master descriptions come in two files).
    ICD9CM_TYPE = "icd9cm.type"
    # MS-DRG Definitions Manual, appendix A.
    DRG_MDC = "drg.mdc"
    DRG_TYPE = "drg.type"


@dataclass(frozen=True, slots=True)
class PropertyLabel:
    official: str  # the name the publisher's file or layout gives the field
    plain: str  # the same in everyday words


_CHARACTER = "Character {n} of the code"

LABELS: dict[PropertyName, PropertyLabel] = {
    PropertyName.PCS_SECTION: PropertyLabel("Section", "Section (character 1)"),
    PropertyName.PCS_BODY_SYSTEM: PropertyLabel("Body System", "Body system (character 2)"),
    PropertyName.PCS_OPERATION: PropertyLabel("Operation", "Root operation (character 3)"),
    PropertyName.PCS_BODY_PART: PropertyLabel("Body Part", "Body part (character 4)"),
    PropertyName.PCS_APPROACH: PropertyLabel("Approach", "Approach (character 5)"),
    PropertyName.PCS_DEVICE: PropertyLabel("Device", "Device (character 6)"),
    PropertyName.PCS_QUALIFIER: PropertyLabel("Qualifier", "Qualifier (character 7)"),
    **{PropertyName(f"pcs.axis{n}"): PropertyLabel(f"Axis {n}", _CHARACTER.format(n=n)) for n in range(1, 8)},
    PropertyName.PCS_AXIS_TITLE: PropertyLabel("Axis title", "What a character of the table's codes means"),
    # The official names are the CMS HCPCS record layout's, without its "HCPCS" prefix.
    PropertyName.HCPCS_PRICING: PropertyLabel("Pricing Indicator Code", "Pricing"),
    PropertyName.HCPCS_MULTIPLE_PRICING: PropertyLabel("Multiple Pricing Indicator Code", "Multiple pricing"),
    PropertyName.HCPCS_COVERAGE_ISSUES_MANUAL: PropertyLabel(
        "Coverage Issues Manual Reference Section Number", "Coverage Issues Manual section"
    ),
    PropertyName.HCPCS_CARRIERS_MANUAL: PropertyLabel(
        "Medicare Carriers Manual Reference Section Number", "Carriers Manual section"
    ),
    PropertyName.HCPCS_STATUTE: PropertyLabel("Statute Number", "Statute"),
    PropertyName.HCPCS_LAB_CERTIFICATION: PropertyLabel("Lab Certification Code", "Lab certification"),
    PropertyName.HCPCS_CROSS_REFERENCE: PropertyLabel("Cross Reference Code", "Cross reference"),
    PropertyName.HCPCS_COVERAGE: PropertyLabel("Coverage Code", "Medicare coverage"),
    PropertyName.HCPCS_ASC_GROUP: PropertyLabel("ASC Payment Group Code", "ASC payment group"),
    PropertyName.HCPCS_ASC_GROUP_DATE: PropertyLabel("ASC Payment Group Effective Date", "ASC payment group effective"),
    PropertyName.HCPCS_MOG_GROUP: PropertyLabel("MOG Payment Group Code", "Medicare outpatient group"),
    PropertyName.HCPCS_MOG_POLICY: PropertyLabel("MOG Payment Policy Indicator", "Medicare outpatient group policy"),
    PropertyName.HCPCS_MOG_DATE: PropertyLabel("MOG Effective Date", "Medicare outpatient group effective"),
    PropertyName.HCPCS_PROCESSING_NOTE: PropertyLabel("Processing Note Number", "Processing note"),
    PropertyName.HCPCS_BETOS: PropertyLabel("Berenson-Eggers Type Of Service Code", "BETOS category"),
    PropertyName.HCPCS_TYPE_OF_SERVICE: PropertyLabel("Type Of Service Code", "Type of service"),
    PropertyName.HCPCS_ANESTHESIA_BASE_UNITS: PropertyLabel("Anesthesia Base Unit Quantity", "Anesthesia base units"),
    PropertyName.HCPCS_ADD_DATE: PropertyLabel("Code Added Date", "Added"),
    PropertyName.HCPCS_EFFECTIVE_DATE: PropertyLabel("Action Effective Date", "Latest change effective"),
    PropertyName.HCPCS_TERMINATION_DATE: PropertyLabel("Termination Date", "Terminated"),
    PropertyName.HCPCS_ACTION: PropertyLabel("Action Code", "Latest change"),
    PropertyName.ICD11_LEAF: PropertyLabel("isLeaf", "Leaf code (no subdivisions)"),
    PropertyName.ICD11_RESIDUAL: PropertyLabel("IsResidual", "Residual category (other or unspecified)"),
    PropertyName.ICD11_FOUNDATION_URI: PropertyLabel("Foundation URI", "Entity in the ICD-11 Foundation"),
    PropertyName.ICD11_LINEARIZATION_URI: PropertyLabel("Linearization URI", "Entity in the MMS linearization"),
    PropertyName.ICD11_BROWSER_LINK: PropertyLabel("BrowserLink", "WHO ICD-11 browser"),
    PropertyName.ICD10_USAGE: PropertyLabel("usage", "Dagger or asterisk code"),
    PropertyName.ICD9CM_TYPE: PropertyLabel("Diagnosis or procedure file", "Diagnosis or procedure"),
    PropertyName.DRG_MDC: PropertyLabel("MDC", "Major Diagnostic Category"),
    PropertyName.DRG_TYPE: PropertyLabel("MS", "Medical or surgical"),
}


def label(name: str) -> PropertyLabel | None:
    """The labels of a property name, or None for a name outside the vocabulary."""
    try:
        return LABELS[PropertyName(name)]
    except ValueError:
        return None
