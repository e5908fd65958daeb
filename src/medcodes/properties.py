"""The names of concept properties, and what each is called: one vocabulary for the sources and the views.

A source stores each structured fact of a concept under a typed name (``Property.name``): a ``PcsAxis`` for
an ICD-10-PCS character, an ``HcpcsField`` for a field of the HCPCS record layout, a ``PropertyName`` for the
other systems'. The stored name is the member's value ("pcs.body_part"), and the sources, the store's SQL, the
facts, similar codes and the web compare with the same members. The code page, `medcodes show` and the facts
explainer label a property from ``LABELS``: ``official`` is the name the publisher's file
layout gives the field (shown beside the raw value, so a coder can find it in the layout), ``plain`` is the same
in everyday words. A name that a source emits without an entry here is a bug that a test over a full build
catches; no view guesses a label from a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PcsAxis(StrEnum):
    """ICD-10-PCS: one property per character of a code, named after the Medical and Surgical section's axis
    titles where the table titles the axis that way, else by position (sources/icd10pcs_tables.py, axis_name)."""

    SECTION = "pcs.section"
    BODY_SYSTEM = "pcs.body_system"
    OPERATION = "pcs.operation"
    BODY_PART = "pcs.body_part"
    APPROACH = "pcs.approach"
    DEVICE = "pcs.device"
    QUALIFIER = "pcs.qualifier"
    AXIS1 = "pcs.axis1"
    AXIS2 = "pcs.axis2"
    AXIS3 = "pcs.axis3"
    AXIS4 = "pcs.axis4"
    AXIS5 = "pcs.axis5"
    AXIS6 = "pcs.axis6"
    AXIS7 = "pcs.axis7"
    AXIS_TITLE = "pcs.axis_title"  # on a table: the title of axis N (value "N")

    @classmethod
    def at(cls, position: int) -> PcsAxis:
        """The property of a character by its position alone ("pcs.axis3"), for an axis titled otherwise."""
        return cls(f"pcs.axis{position}")


class HcpcsField(StrEnum):
    """HCPCS Level II: the fields of the CMS alpha-numeric file, by their number in the record layout."""

    PRICING = "hcpcs.pricing"  # field 9
    MULTIPLE_PRICING = "hcpcs.multiple_pricing"  # field 10
    COVERAGE_ISSUES_MANUAL = "hcpcs.coverage_issues_manual"  # field 11
    CARRIERS_MANUAL = "hcpcs.carriers_manual"  # field 12
    STATUTE = "hcpcs.statute"  # field 13
    LAB_CERTIFICATION = "hcpcs.lab_certification"  # field 14
    CROSS_REFERENCE = "hcpcs.cross_reference"  # field 15
    COVERAGE = "hcpcs.coverage"  # field 16
    ASC_GROUP = "hcpcs.asc_group"  # field 17
    ASC_GROUP_DATE = "hcpcs.asc_group_date"  # field 18
    MOG_GROUP = "hcpcs.mog_group"  # field 19
    MOG_POLICY = "hcpcs.mog_policy"  # field 20
    MOG_DATE = "hcpcs.mog_date"  # field 21
    PROCESSING_NOTE = "hcpcs.processing_note"  # field 22
    BETOS = "hcpcs.betos"  # field 23
    TYPE_OF_SERVICE = "hcpcs.type_of_service"  # field 25
    ANESTHESIA_BASE_UNITS = "hcpcs.anesthesia_base_units"  # field 26
    ADD_DATE = "hcpcs.add_date"  # field 27
    EFFECTIVE_DATE = "hcpcs.effective_date"  # field 28
    TERMINATION_DATE = "hcpcs.termination_date"  # field 29
    ACTION = "hcpcs.action"  # field 30


class PropertyName(StrEnum):
    """The properties of the other systems."""

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


# Every property name a source may store: the stored name is the member's value, so the database and the API
# read the same strings as before the names were typed.
Name = PcsAxis | HcpcsField | PropertyName


@dataclass(frozen=True, slots=True)
class PropertyLabel:
    official: str  # the name the publisher's file or layout gives the field
    plain: str  # the same in everyday words


_CHARACTER = "Character {n} of the code"

LABELS: dict[Name, PropertyLabel] = {
    PcsAxis.SECTION: PropertyLabel("Section", "Section (character 1)"),
    PcsAxis.BODY_SYSTEM: PropertyLabel("Body System", "Body system (character 2)"),
    PcsAxis.OPERATION: PropertyLabel("Operation", "Root operation (character 3)"),
    PcsAxis.BODY_PART: PropertyLabel("Body Part", "Body part (character 4)"),
    PcsAxis.APPROACH: PropertyLabel("Approach", "Approach (character 5)"),
    PcsAxis.DEVICE: PropertyLabel("Device", "Device (character 6)"),
    PcsAxis.QUALIFIER: PropertyLabel("Qualifier", "Qualifier (character 7)"),
    **{PcsAxis.at(n): PropertyLabel(f"Axis {n}", _CHARACTER.format(n=n)) for n in range(1, 8)},
    PcsAxis.AXIS_TITLE: PropertyLabel("Axis title", "What a character of the table's codes means"),
    # The official names are the CMS HCPCS record layout's, without its "HCPCS" prefix.
    HcpcsField.PRICING: PropertyLabel("Pricing Indicator Code", "Pricing"),
    HcpcsField.MULTIPLE_PRICING: PropertyLabel("Multiple Pricing Indicator Code", "Multiple pricing"),
    HcpcsField.COVERAGE_ISSUES_MANUAL: PropertyLabel(
        "Coverage Issues Manual Reference Section Number", "Coverage Issues Manual section"
    ),
    HcpcsField.CARRIERS_MANUAL: PropertyLabel(
        "Medicare Carriers Manual Reference Section Number", "Carriers Manual section"
    ),
    HcpcsField.STATUTE: PropertyLabel("Statute Number", "Statute"),
    HcpcsField.LAB_CERTIFICATION: PropertyLabel("Lab Certification Code", "Lab certification"),
    HcpcsField.CROSS_REFERENCE: PropertyLabel("Cross Reference Code", "Cross reference"),
    HcpcsField.COVERAGE: PropertyLabel("Coverage Code", "Medicare coverage"),
    HcpcsField.ASC_GROUP: PropertyLabel("ASC Payment Group Code", "ASC payment group"),
    HcpcsField.ASC_GROUP_DATE: PropertyLabel("ASC Payment Group Effective Date", "ASC payment group effective"),
    HcpcsField.MOG_GROUP: PropertyLabel("MOG Payment Group Code", "Medicare outpatient group"),
    HcpcsField.MOG_POLICY: PropertyLabel("MOG Payment Policy Indicator", "Medicare outpatient group policy"),
    HcpcsField.MOG_DATE: PropertyLabel("MOG Effective Date", "Medicare outpatient group effective"),
    HcpcsField.PROCESSING_NOTE: PropertyLabel("Processing Note Number", "Processing note"),
    HcpcsField.BETOS: PropertyLabel("Berenson-Eggers Type Of Service Code", "BETOS category"),
    HcpcsField.TYPE_OF_SERVICE: PropertyLabel("Type Of Service Code", "Type of service"),
    HcpcsField.ANESTHESIA_BASE_UNITS: PropertyLabel("Anesthesia Base Unit Quantity", "Anesthesia base units"),
    HcpcsField.ADD_DATE: PropertyLabel("Code Added Date", "Added"),
    HcpcsField.EFFECTIVE_DATE: PropertyLabel("Action Effective Date", "Latest change effective"),
    HcpcsField.TERMINATION_DATE: PropertyLabel("Termination Date", "Terminated"),
    HcpcsField.ACTION: PropertyLabel("Action Code", "Latest change"),
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
    return _BY_VALUE.get(name)


_BY_VALUE: dict[str, PropertyLabel] = {name.value: labels for name, labels in LABELS.items()}


PCS_AXES: frozenset[str] = frozenset(PcsAxis)
HCPCS_FIELDS: frozenset[str] = frozenset(HcpcsField)
