"""The sections of a generated explainer, per kind of code, and the JSON schema the model answers in.

Every section is typed: TEXT is one paragraph, LIST unordered items, STEPS numbered items in order. The
limits keep an explainer readable on one page and stop a runaway answer; ``validate.py`` enforces them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from medcodes.models import Concept, ConceptKind, ExplainerKind, Property, SectionType
from medcodes.properties import HcpcsField, PropertyName
from medcodes.systems import SystemId

# Bumped whenever a section is added, removed, renamed or retyped; stored with each explainer's prompt version.
SCHEMA_VERSION = "sections-1"

TEXT_MAX_CHARS = 1200
NAME_MAX_CHARS = 200
ITEM_MAX_CHARS = 300
TOTAL_MAX_CHARS = 12000


@dataclass(frozen=True, slots=True)
class SectionSpec:
    key: str  # the JSON key the model answers with
    title: str  # the heading a page shows
    type: SectionType
    guidance: str  # what the section holds, told to the model
    max_items: int = 10

    @property
    def max_chars(self) -> int:
        return NAME_MAX_CHARS if self.key == "name" else TEXT_MAX_CHARS


def _text(key: str, title: str, guidance: str) -> SectionSpec:
    return SectionSpec(key, title, SectionType.TEXT, guidance)


def _list(key: str, title: str, guidance: str, max_items: int = 10) -> SectionSpec:
    return SectionSpec(key, title, SectionType.LIST, guidance, max_items)


def _steps(key: str, title: str, guidance: str, max_items: int = 12) -> SectionSpec:
    return SectionSpec(key, title, SectionType.STEPS, guidance, max_items)


SECTIONS: dict[ExplainerKind, tuple[SectionSpec, ...]] = {
    ExplainerKind.PROCEDURE: (
        _text("name", "Name of the Procedure", "the procedure's everyday name, then the official title in brackets"),
        _text("summary", "Summary", "two or three sentences: what is done, to which body part, by which approach"),
        _text("purpose", "Purpose", "why the procedure is done"),
        _list("indications", "Indications", "common reasons a clinician recommends it"),
        _list("preparation", "Preparation", "what usually happens beforehand"),
        _steps("procedure_description", "Procedure Description", "the usual steps, in order, in plain words"),
        _list("tools_and_equipment", "Tools and Equipment", "instruments and equipment commonly used"),
        _text("anesthesia", "Anesthesia", "the kinds of anesthesia commonly used; say that the care team decides"),
        _text("duration", "Duration", "a typical range; say that it varies"),
        _text("setting", "Setting", "where it is usually done (hospital operating room, outpatient centre, ...)"),
        _list("personnel", "Personnel", "who is usually involved"),
        _list("risks_and_complications", "Risks and Complications", "general risks; no percentages"),
        _list("benefits", "Benefits", "what the procedure can achieve"),
        _text("recovery", "Recovery", "what recovery usually involves; say that it varies from person to person"),
        _list("alternatives", "Alternatives", "other options a clinician may discuss"),
        _text("patient_experience", "Patient Experience", "what a patient may feel or notice, before and after"),
    ),
    ExplainerKind.DIAGNOSIS: (
        _text("name", "Name of the Condition", "the condition's everyday name, then the official title in brackets"),
        _text("summary", "Summary", "two or three sentences: what the condition is"),
        _list("causes", "Causes", "common causes"),
        _list("risk_factors", "Risk Factors", "what makes it more likely"),
        _list("symptoms", "Symptoms", "common signs and symptoms; say that they vary"),
        _text("diagnosis", "Diagnosis", "how clinicians usually find and confirm it"),
        _list("treatment_options", "Treatment Options", "common approaches, without doses"),
        _text("prognosis", "Prognosis", "the usual outlook, in general terms; say that it depends on the person"),
        _list("complications", "Complications", "what can happen if it worsens or is not treated"),
        _list("prevention", "Prevention", "what can lower the risk, where anything can"),
        _list("when_to_seek_care", "When to Seek Care", "signs that mean a person should contact a clinician"),
        _list("related_coding_notes", "Related coding notes", "the official notes in plain words; codes only as given"),
    ),
    ExplainerKind.SUPPLY: (
        _text("name", "Name", "the item's everyday name, then the official descriptor in brackets"),
        _text("summary", "Summary", "two or three sentences: what the item is"),
        _text("uses", "What it is used for", "the conditions or situations it serves"),
        _text("who_needs_it", "Who needs it", "who it is usually prescribed or supplied for; say a clinician decides"),
        _steps("how_it_is_used", "How it is used or given", "how it is used or given, in order; no doses"),
        _list("risks_and_side_effects", "Risks and Side Effects", "common risks or side effects"),
        _list("alternatives", "Alternatives", "other options a clinician may discuss"),
        _list("coverage_notes", "Coverage notes", "the official coverage and pricing indicators in plain words"),
    ),
}

# HCPCS Level II letters whose codes are supplies, equipment or drugs (CMS HCPCS Level II coding procedures:
# A medical and surgical supplies, B enteral and parenteral therapy, E durable medical equipment, J drugs
# administered other than oral method, K temporary DME codes, L orthotics and prosthetics). Other letters
# (G, H, M, P, R, S, T, V and C) are mostly services and procedures.
_SUPPLY_LETTERS = frozenset("ABEJKL")
# Within A, the A0 range is ambulance transport: a service.
_SERVICE_PREFIXES = ("A0",)
# BETOS categories D (durable medical equipment) and O1C/O1D/O1E/O1G (enteral nutrition, chemotherapy,
# other drugs, immunizations) are items; the Q and C ranges mix items and services, BETOS tells them apart.
_SUPPLY_BETOS = ("D", "O1C", "O1D", "O1E", "O1G")


def kind_of(concept: Concept, properties: tuple[Property, ...] = ()) -> ExplainerKind | None:
    """The kind of explainer a concept gets, or None where none is generated (chapters, blocks, modifiers,
    MS-DRGs, ICD-11 extension codes): those have the deterministic explainer only."""
    if concept.kind not in (ConceptKind.CATEGORY, ConceptKind.CODE):
        return None
    kind = _KINDS.get(concept.system)
    return kind(concept, properties) if kind is not None else None


def explained(system: SystemId) -> bool:
    """Whether any code of ``system`` gets a generated explainer (an MS-DRG never does)."""
    return system in _KINDS


def _procedure(concept: Concept, properties: tuple[Property, ...]) -> ExplainerKind:
    return ExplainerKind.PROCEDURE


def _diagnosis(concept: Concept, properties: tuple[Property, ...]) -> ExplainerKind:
    return ExplainerKind.DIAGNOSIS


def _icd9_kind(concept: Concept, properties: tuple[Property, ...]) -> ExplainerKind:
    kind = next((p.value for p in properties if p.name == PropertyName.ICD9CM_TYPE), "DX")
    # CMS master file: DX diagnosis, SG procedure (surgical group).
    return ExplainerKind.PROCEDURE if kind == "SG" else ExplainerKind.DIAGNOSIS


def _hcpcs_kind(concept: Concept, properties: tuple[Property, ...]) -> ExplainerKind:
    betos = next((p.value for p in properties if p.name == HcpcsField.BETOS), "")
    if betos.startswith(_SUPPLY_BETOS):
        return ExplainerKind.SUPPLY
    if concept.code.startswith(_SERVICE_PREFIXES):
        return ExplainerKind.PROCEDURE
    if concept.code[:1] in _SUPPLY_LETTERS or concept.title.lower().startswith("injection"):
        return ExplainerKind.SUPPLY
    return ExplainerKind.PROCEDURE


# The kind of explainer each system's categories and codes get; a system without an entry gets the
# deterministic explainer only.
_KINDS: dict[SystemId, Callable[[Concept, tuple[Property, ...]], ExplainerKind]] = {
    SystemId.ICD10PCS: _procedure,
    SystemId.CPT: _procedure,
    SystemId.ICD10CM: _diagnosis,
    SystemId.ICD11: _diagnosis,
    SystemId.ICD10: _diagnosis,
    SystemId.ICD9CM: _icd9_kind,
    SystemId.HCPCS: _hcpcs_kind,
}


def json_schema(kind: ExplainerKind) -> dict[str, object]:
    """The JSON schema of an answer (OpenAI structured outputs: every key required, nothing else allowed)."""
    properties: dict[str, object] = {}
    for spec in SECTIONS[kind]:
        if spec.type is SectionType.TEXT:
            properties[spec.key] = {"type": "string", "description": spec.guidance}
        else:
            properties[spec.key] = {"type": "array", "items": {"type": "string"}, "description": spec.guidance}
    return {
        "type": "object",
        "properties": properties,
        "required": [spec.key for spec in SECTIONS[kind]],
        "additionalProperties": False,
    }
