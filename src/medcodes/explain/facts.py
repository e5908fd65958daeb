"""The deterministic explainer: a code's official structure, notes and links in plain sentences. No model.

Everything here is read from the ConceptDetail that ``CodeService.show`` returns (plus, for ICD-10-PCS,
the properties of the code's table, which carry the official definitions of its axis values, and the
titles of codes its relations point to). The same facts, rendered as text, are what a generation prompt
carries (``Grounding``); their sha256 tells when a release has changed them and an explainer is stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from medcodes.explain.schema import kind_of
from medcodes.matches import Link, LinkGroup
from medcodes.models import (
    Concept,
    ConceptDetail,
    ConceptKind,
    DesignationKind,
    ExplainerKind,
    FactLine,
    FactSection,
    FactsExplainer,
    HistoryKind,
    Note,
    NoteKind,
    Property,
)
from medcodes.properties import LABELS, PCS_AXES, HcpcsField, PcsAxis, PropertyName
from medcodes.properties import label as property_label
from medcodes.sources.icd10pcs import code_axes
from medcodes.systems import NAMES, REGISTRY, Reporting, SystemId, a_name

# A category with more children than this lists the first ones and says how many more there are.
MAX_CHILDREN = 30
# Linked codes named per kind of match (crosswalks, references); the rest are counted.
MAX_LINKED = 10
MAX_OTHER_NAMES = 12


@dataclass(frozen=True, slots=True)
class Grounding:
    """The official facts a generation prompt carries, and what validation checks an answer against."""

    system: SystemId
    code: str
    title: str
    kind: ExplainerKind
    release: str | None
    text: str  # the facts in words, as the prompt carries them (no release version: see facts_hash)
    facts_hash: str  # sha256 of ``text``
    descriptor: str  # the official titles: the only place a dose or strength may come from


# ---------------------------------------------------------------------------------------------- entry points
def describe(detail: ConceptDetail, table: Sequence[Property] = (), links: Sequence[LinkGroup] = ()) -> FactsExplainer:
    """The deterministic explainer of one concept.

    ``table`` is, for an ICD-10-PCS code, the properties of its table (they carry the axis titles and the
    official definitions); ``links`` are its relations grouped and in words, with the other codes' titles
    (``CodeService.links``).
    """
    concept = detail.concept
    sections = [
        *(section(detail, table) for section in _STRUCTURE.get(concept.system, ())),
        _seventh_character(detail),
        _where(detail),
        _notes(detail),
        *(section(detail) for section in _INDICATORS.get(concept.system, ())),
        _other_names(detail),
        _links(detail, links),
        _children(detail),
    ]
    return FactsExplainer(
        concept.system,
        concept.code,
        concept.title,
        _summary(detail),
        tuple(s for s in sections if s is not None and s.lines),
    )


# What the billable flag says, by what a system's codes are for (systems.Reporting).
_COMPLETE = {
    Reporting.CLAIMS: "Complete code, can be reported as it is (billable)",
    Reporting.RETIRED: "Complete code when its system was in use (no longer reported)",
    Reporting.NONE: "Complete code, without subdivisions",
}


def render(facts: FactsExplainer, billable: bool) -> str:
    """The facts as plain text, one line per fact, for a prompt (and for hashing)."""
    lines = [
        f"Code system: {NAMES[facts.system]}",
        f"Code: {facts.code}",
        f"Official title: {facts.title}",
        f"{_COMPLETE[REGISTRY[facts.system].reporting]}: {'yes' if billable else 'no'}",
        f"In short: {facts.summary}",
    ]
    for section in facts.sections:
        lines.append(f"{section.heading}:")
        for line in section.lines:
            text = f"- {line.label}: {line.text}"
            if line.definition:
                text += f" (official definition: {line.definition})"
            if line.source:
                text += f" [from {line.source}]"
            lines.append(text)
    return "\n".join(lines)


def ground(detail: ConceptDetail, table: Sequence[Property] = (), links: Sequence[LinkGroup] = ()) -> Grounding | None:
    """The grounding of a generated explainer for ``detail``, or None where no explainer is generated."""
    concept = detail.concept
    kind = kind_of(concept, detail.properties)
    if kind is None:
        return None
    text = render(describe(detail, table, links), concept.billable)
    descriptor = " | ".join(dict.fromkeys(t for t in (concept.title, concept.short_title) if t))
    return Grounding(
        concept.system,
        concept.code,
        concept.title,
        kind,
        detail.release.version if detail.release else None,
        text,
        facts_hash(text),
        descriptor,
    )


def facts_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------- summary
def _summary(detail: ConceptDetail) -> str:
    c = detail.concept
    name = NAMES[c.system]
    if c.kind is ConceptKind.CHAPTER:
        return f"{level(c)} of {name}: {c.title}. It groups the codes listed below it."
    if c.kind is ConceptKind.BLOCK:
        return f"{level(c)} of {name}: {c.title}. It is a heading that groups related categories."
    if c.kind is ConceptKind.EXTENSION:
        # ICD-11 Reference Guide: extension codes are never used alone; they add detail to a stem code.
        return (
            f"{c.code} is {a_name(c.system)} extension code: {c.title}. An extension code is never used alone: it is"
            " added to a stem code to give more detail."
        )
    if c.kind is ConceptKind.MODIFIER:
        return (
            f"{c.code} is {a_name(c.system)} modifier: {c.title}. A modifier is added to a procedure or service code to"
            " give more information about it; it is not reported on its own."
        )
    summary = {
        SystemId.ICD10CM: _diagnosis_summary,
        SystemId.ICD10: _diagnosis_summary,
        SystemId.ICD11: _icd11_summary,
        SystemId.ICD10PCS: _pcs_summary,
        SystemId.HCPCS: _hcpcs_summary,
        SystemId.MSDRG: _drg_summary,
        SystemId.ICD9CM: _icd9_summary,
        SystemId.CPT: _cpt_summary,
    }[c.system]
    return summary(detail)


def _complete(detail: ConceptDetail, word: str = "code") -> str:
    c = detail.concept
    profile = REGISTRY[c.system]
    more = "one of the more specific codes" if len(detail.children) > 1 else "the more specific code"
    if profile.reporting is Reporting.RETIRED:
        until = f" until {profile.reported_until.isoformat()}" if profile.reported_until else ""
        if c.billable:
            return f"It was a complete {word}, valid on US claims{until}; it is no longer reported."
        if detail.children:
            return f"It is not a complete {word}: claims used {more} below it."
        return f"It was not a {word} that could be reported."
    if profile.reporting is Reporting.NONE:
        if c.billable:
            return f"It is a complete {word}: it has no subdivisions."
        return f"It has subdivisions: {more} below it is used where the detail is known."
    if c.billable:
        return f"It is a complete {word} that can be reported (billable)."
    if detail.children:
        return f"It is not a complete {word}: a claim uses {more} below it."
    return f"It is not a {word} that can be reported."


def _diagnosis_summary(detail: ConceptDetail) -> str:
    c = detail.concept
    what = "category" if c.kind is ConceptKind.CATEGORY else "diagnosis code"
    return f"{c.code} is {a_name(c.system)} {what}: {c.title}. {_complete(detail)}"


def _icd11_summary(detail: ConceptDetail) -> str:
    c = detail.concept
    if c.billable:
        use = "It has no subdivisions, so it can be used as it is."
    else:
        which = "one of the more specific codes" if len(detail.children) > 1 else "the more specific code"
        use = f"It has subdivisions: {which} below it is used where the detail is known."
    return f"{c.code} is {a_name(c.system)} code: {c.title}. {use}"


def _pcs_summary(detail: ConceptDetail) -> str:
    c = detail.concept
    if c.kind is ConceptKind.CATEGORY:
        return (
            f"{c.code} is {a_name(c.system)} table: {c.title}. Its first three characters are fixed; a complete"
            " procedure code adds four more (body part, approach, device and qualifier)."
        )
    if c.billable:
        return (
            f"{c.code} is {a_name(c.system)} inpatient procedure code: {c.title}. Each of its seven characters"
            " has a fixed meaning, explained below."
        )
    return f"{c.code} is part of {a_name(c.system)} code: {c.title}. {_complete(detail)}"


def _hcpcs_summary(detail: ConceptDetail) -> str:
    c = detail.concept
    range_title = detail.ancestors[0].title if detail.ancestors else None
    where = f" in the {c.code[0]} range ({range_title})" if range_title else ""
    state = "" if c.billable else " It is no longer valid for new claims (terminated)."
    return f"{c.code} is {a_name(c.system)} code{where}: {c.title}.{state}"


def _drg_summary(detail: ConceptDetail) -> str:
    c = detail.concept
    text = (
        f"MS-DRG {c.code} is a Medicare Severity Diagnosis Related Group: {c.title}. A DRG groups hospital"
        " inpatient stays that are alike in diagnoses, procedures and expected use of resources, for Medicare"
        " payment; grouper software assigns it from the codes of a stay."
    )
    if not c.billable:
        text += " It is not a payment group: the grouper gives it to a stay it cannot group."
    return text


def _icd9_summary(detail: ConceptDetail) -> str:
    c = detail.concept
    kind = next((p.label for p in detail.properties if p.name == PropertyName.ICD9CM_TYPE), None) or "code"
    what = "category" if c.kind is ConceptKind.CATEGORY else f"{kind} code"
    return (
        f"{c.code} is {a_name(c.system)} {what}: {c.title}. {_complete(detail)} In the US, ICD-9-CM was replaced"
        " by ICD-10-CM and ICD-10-PCS on 1 October 2015; it is still found in older records."
    )


def _cpt_summary(detail: ConceptDetail) -> str:
    c = detail.concept
    return f"{c.code} is {a_name(c.system)} code from the licensed CPT file loaded here: {c.title}."


# ---------------------------------------------------------------------------------------------- where it sits
def level(concept: Concept) -> str:
    """How a concept's own system names its level: "Chapter 4", "Table 0UT", "MDC 05"."""
    own = _LEVELS.get(concept.system)
    return (own(concept) if own is not None else None) or f"{concept.kind.value.capitalize()} {concept.code}"


def _pcs_level(concept: Concept) -> str:
    code, kind = concept.code, concept.kind
    return {ConceptKind.CHAPTER: f"Section {code}", ConceptKind.BLOCK: f"Body system {code}"}.get(
        kind, f"Table {code}" if kind is ConceptKind.CATEGORY else f"Code {code}"
    )


def _hcpcs_level(concept: Concept) -> str | None:
    if concept.kind is not ConceptKind.CHAPTER:
        return None
    return "Modifiers" if concept.code == "MODIFIERS" else f"{concept.code} codes"


def _drg_level(concept: Concept) -> str | None:
    return f"MDC {concept.code.removeprefix('MDC')}" if concept.kind is ConceptKind.CHAPTER else None


def _icd11_level(concept: Concept) -> str | None:
    # ICD-11 blocks have no code of their own, only an internal id.
    return "Block" if concept.kind is ConceptKind.BLOCK else None


def _subcategory_level(concept: Concept) -> str | None:
    return f"Subcategory {concept.code}" if concept.kind is ConceptKind.CODE and not concept.billable else None


# How a system names a level where "Chapter 4", "Category E11", "Code E11.9" would not do.
_LEVELS: dict[SystemId, Callable[[Concept], str | None]] = {
    SystemId.ICD10PCS: _pcs_level,
    SystemId.HCPCS: _hcpcs_level,
    SystemId.MSDRG: _drg_level,
    SystemId.ICD11: _icd11_level,
    SystemId.ICD10CM: _subcategory_level,
    SystemId.ICD10: _subcategory_level,
}


def _where(detail: ConceptDetail) -> FactSection:
    return FactSection("Where it sits", tuple(FactLine(level(a), a.title) for a in detail.ancestors))


# ---------------------------------------------------------------------------------------------- structure
# The Medical and Surgical section's axis titles, for a table whose own titles are not at hand.
_PCS_AXIS_WORDS: dict[str, str] = {
    axis: LABELS[axis].official
    for axis in (
        PcsAxis.SECTION,
        PcsAxis.BODY_SYSTEM,
        PcsAxis.OPERATION,
        PcsAxis.BODY_PART,
        PcsAxis.APPROACH,
        PcsAxis.DEVICE,
        PcsAxis.QUALIFIER,
    )
}


def _pcs_axes(detail: ConceptDetail, table: Sequence[Property]) -> FactSection | None:
    """Character by character, with each value's official definition (held by the code's table)."""
    concept = detail.concept
    own = [p for p in detail.properties if p.name in PCS_AXES and p.name != PcsAxis.AXIS_TITLE]
    if not own:
        return None
    context = table if concept.kind is ConceptKind.CODE else detail.properties
    axis_titles = {p.value: p.label for p in context if p.name == PcsAxis.AXIS_TITLE}
    lines: list[FactLine] = []
    if concept.kind is ConceptKind.CODE:
        # The same reading as the code page and the API: labels from the code's row, definitions from its table.
        for position, (title, prop) in enumerate(code_axes(concept.code, detail.properties, table), start=1):
            lines.append(
                FactLine(f"Character {position}, {title} ({prop.value})", prop.label or prop.value, prop.definition)
            )
        return FactSection("Character by character", tuple(lines))
    # A table: its three fixed characters, then the values its rows allow on characters 4 to 7.
    by_name: dict[str, list[Property]] = {}
    for prop in own:
        by_name.setdefault(prop.name, []).append(prop)
    for position, (name, values) in enumerate(by_name.items(), start=1):
        title = axis_titles.get(str(position)) or _PCS_AXIS_WORDS.get(name, name)
        if len(values) == 1 and position <= 3:
            v = values[0]
            lines.append(FactLine(f"Character {position}, {title} ({v.value})", v.label or v.value, v.definition))
        else:
            allowed = "; ".join(f"{v.value} {v.label}" if v.label else v.value for v in values)
            lines.append(FactLine(f"Character {position}, {title}", f"one of: {allowed}"))
    return FactSection("Character by character", tuple(lines))


def _drg_grouping(detail: ConceptDetail) -> FactSection:
    props = {p.name: p for p in detail.properties}
    lines: list[FactLine] = []
    mdc = props.get(PropertyName.DRG_MDC)
    if mdc is not None:
        lines.append(FactLine("Major Diagnostic Category", f"MDC {mdc.value}: {mdc.label}"))
    else:
        lines.append(FactLine("Major Diagnostic Category", "none in the official list (a pre-MDC or special DRG)"))
    kind = props.get(PropertyName.DRG_TYPE)
    if kind is not None and kind.value == "P":
        lines.append(FactLine("Type", "surgical: stays in it include an operating room procedure"))
    elif kind is not None and kind.value == "M":
        lines.append(
            FactLine(
                "Type",
                "medical: stays are grouped by their principal diagnosis, without a grouping operating room procedure",
            )
        )
    title = detail.concept.title.upper()
    # Appendix A titles name severity levels: an MCC is a major complication or comorbidity, a CC a
    # complication or comorbidity (secondary diagnoses that raise the expected use of resources).
    if "MCC" in title or " CC" in title:
        lines.append(
            FactLine(
                "Severity",
                "MCC means a major complication or comorbidity and CC a complication or comorbidity: secondary"
                " diagnoses that make a stay need more care and resources",
            )
        )
    return FactSection("How it groups stays", tuple(lines))


def _icd11_classification(detail: ConceptDetail) -> FactSection:
    lines: list[FactLine] = []
    for prop in detail.properties:
        if prop.name == PropertyName.ICD11_RESIDUAL and prop.label == "unspecified":
            lines.append(FactLine("Residual category", "unspecified: used when no further detail is known"))
        elif prop.name == PropertyName.ICD11_RESIDUAL:
            lines.append(
                FactLine("Residual category", "other specified: for specified forms that no sibling code names")
            )
        elif prop.name == PropertyName.ICD11_BROWSER_LINK:
            lines.append(FactLine("WHO ICD-11 browser", prop.value))
    return FactSection("Classification", tuple(lines))


# ---------------------------------------------------------------------------------------------- 7th character
def _seventh_character(detail: ConceptDetail) -> FactSection | None:
    c = detail.concept
    if not REGISTRY[c.system].seventh_character:
        return None
    characters = [n for n in detail.notes if n.kind is NoteKind.SEVENTH_CHARACTER and n.character]
    if not characters:
        return None
    compact = c.code.replace(".", "")
    if len(compact) == 7:
        mine = next((n for n in characters if n.character == compact[-1]), None)
        lines = []
        if mine is not None:
            lines.append(FactLine(f"7th character {mine.character}", mine.text, source=mine.inherited_from))
        others = "; ".join(f"{n.character} {n.text}" for n in characters if n is not mine)
        if others:
            lines.append(FactLine("Other 7th characters of this category", others))
        return FactSection("7th character", tuple(lines))
    allowed = "; ".join(f"{n.character} {n.text}" for n in characters)
    return FactSection(
        "7th character",
        (FactLine("A 7th character must be added", allowed, source=characters[0].inherited_from),),
    )


# ---------------------------------------------------------------------------------------------- notes
_NOTE_LABELS = {
    NoteKind.NOTE: "Note",
    NoteKind.INCLUDES: "Includes",
    NoteKind.INCLUSION_TERM: "Inclusion terms",
    NoteKind.EXCLUDES1: "Excludes1",
    NoteKind.EXCLUDES2: "Excludes2",
    NoteKind.CODE_FIRST: "Code first",
    NoteKind.USE_ADDITIONAL_CODE: "Use additional code",
    NoteKind.CODE_ALSO: "Code also",
}


def _notes(detail: ConceptDetail) -> FactSection | None:
    c = detail.concept
    notes = [n for n in detail.notes if n.kind in _NOTE_LABELS]
    own = _NOTES.get(c.system)
    if own is not None:
        return own(detail, notes)
    groups: list[tuple[NoteKind, str | None, list[str]]] = []
    for note in notes:
        if groups and groups[-1][0] is note.kind and groups[-1][1] == note.inherited_from:
            groups[-1][2].append(note.text)
        else:
            groups.append((note.kind, note.inherited_from, [note.text]))
    lines = [FactLine(_NOTE_LABELS[kind], _note_sentence(kind, texts), source=src) for kind, src, texts in groups]
    return FactSection("Coding notes", tuple(lines))


def _joined(texts: Iterable[str]) -> str:
    """Note items as one phrase: items after one ending with a colon continue it."""
    out = ""
    for raw in texts:
        text = raw.strip()
        if not out:
            out = text
        elif out.endswith(":"):
            out += " " + text
        else:
            out += "; " + text
    return out.rstrip(":;. ")


# What a kind of note tells a coder, in plain words; the meanings follow the ICD-10-CM Official Guidelines for
# Coding and Reporting, section I.A. The code page says them beside the notes' official labels.
NOTE_MEANINGS = {
    NoteKind.EXCLUDES1: "Do not code this together with",
    NoteKind.EXCLUDES2: "Not part of this code, but may be coded as well when both are present",
    NoteKind.INCLUDES: "This also covers",
    NoteKind.INCLUSION_TERM: "Other conditions coded here",
}


def _note_sentence(kind: NoteKind, texts: list[str]) -> str:
    items = _joined(texts)
    if kind in NOTE_MEANINGS:
        return f"{NOTE_MEANINGS[kind]}: {items}."
    if kind is NoteKind.CODE_FIRST:
        return f"Code first {items}."
    if kind is NoteKind.USE_ADDITIONAL_CODE:
        if items.lower().startswith("code"):
            return f"Use additional {items}."
        return f"Use an additional code, where it applies, for: {items}."
    if kind is NoteKind.CODE_ALSO:
        return f"Code also {items}."
    return " ".join(t.strip() if t.strip().endswith((".", ":")) else t.strip() + "." for t in texts)


def _pcs_notes(detail: ConceptDetail, notes: list[Note]) -> FactSection | None:
    # A table's NOTE repeats its root operation's definition ("Resection: Cutting out ..."), which the
    # character-by-character section already gives; its INCLUDES are the definitions XML's examples.
    operation = next((p for p in detail.properties if p.name == PcsAxis.OPERATION), None)
    repeated = f"{operation.label}: " if operation is not None and operation.label else None
    lines = []
    for note in notes:
        if note.kind is NoteKind.NOTE and repeated and note.text.startswith(repeated):
            continue
        label = "Examples of this root operation" if note.kind is NoteKind.INCLUDES else _NOTE_LABELS[note.kind]
        lines.append(FactLine(label, note.text, source=note.inherited_from))
    return FactSection("Notes", tuple(lines))


# ---------------------------------------------------------------------------------------------- indicators
# Coverage codes in words (CMS HCPCS record layout, field "Coverage code").
_COVERAGE = {
    "C": "the Medicare contractor decides coverage case by case",
    "D": "the Medicare coverage manuals say when it is covered",
    "I": "not payable by Medicare: Medicare uses another code for this item or service",
    "M": "not covered by Medicare",
    "S": "not covered by Medicare, by statute",
}


def _indicators(detail: ConceptDetail) -> FactSection | None:
    lines = []
    for prop in detail.properties:
        named = property_label(prop.name)
        label = named.plain if named is not None else prop.name
        if prop.name.endswith("_date"):
            text = prop.label or prop.value
        elif prop.name == HcpcsField.COVERAGE and prop.value in _COVERAGE:
            text = f"{prop.label} ({prop.value}): {_COVERAGE[prop.value]}"
        else:
            text = f"{prop.label} ({prop.value})" if prop.label else prop.value
        lines.append(FactLine(label, text))
    return FactSection("Coverage and pricing indicators", tuple(lines))


# ---------------------------------------------------------------------------------------------- names, links
_NAME_LABELS = {
    DesignationKind.SHORT_TITLE: "Short title",
    DesignationKind.SYNONYM: "Synonym",
    DesignationKind.INDEX_TERM: "Index term",
    DesignationKind.ABBREVIATION: "Abbreviation",
}


_RECONSTRUCTED = "from a reconstructed index, not the official file"


def _other_names(detail: ConceptDetail) -> FactSection:
    c = detail.concept
    seen = {c.title.lower()}
    lines: list[FactLine] = []
    for d in detail.designations:
        if d.kind not in _NAME_LABELS or d.text.lower() in seen or len(lines) >= MAX_OTHER_NAMES:
            continue
        seen.add(d.text.lower())
        text = f"{d.text} ({d.via})" if d.via and d.kind is DesignationKind.SYNONYM else d.text
        label = _NAME_LABELS[d.kind] + (
            " (from a reconstructed index, not the official file)" if d.reconstructed else ""
        )
        lines.append(FactLine(label, text))
    return FactSection("Other names", tuple(lines))


def _links(detail: ConceptDetail, links: Sequence[LinkGroup]) -> FactSection:
    lines = []
    for group in links:
        for found in group.sets:
            named = "; ".join(_linked(link) for link in found.links[:MAX_LINKED])
            if len(found.links) > MAX_LINKED:
                named += f"; and {len(found.links) - MAX_LINKED} more"
            tables = " and the ".join(found.tables)
            lines.append(FactLine(f"{group.name}, {', '.join(found.words)}", f"{named} (from the {tables})"))
    for event in detail.history:
        when = f"{event.release}" + (f" (effective {event.effective.isoformat()})" if event.effective else "")
        if event.kind is HistoryKind.ADDED:
            lines.append(FactLine("Added", f"in release {when}"))
        elif event.kind is HistoryKind.REVISED:
            lines.append(FactLine("Title changed", f"in release {when}; it was: {event.old_title}"))
        elif event.kind is HistoryKind.EXPANDED:
            subcodes = f": {', '.join(event.replaced_by)}" if event.replaced_by else ""
            lines.append(FactLine("Expanded into subcodes", f"in release {when}{subcodes}; it stays as their header"))
        else:
            successors = f"; replaced by {', '.join(event.replaced_by)}" if event.replaced_by else ""
            lines.append(FactLine("Deleted", f"in release {when}{successors}"))
    return FactSection("Crosswalks and history", tuple(lines))


def _linked(link: Link) -> str:
    if not link.code:  # a "no map" row: the table's own words ("The 2018 GEM lists no ICD-9-CM equivalent ...")
        return "; ".join(link.details) or "none"
    text = f"{link.code} {link.title}" if link.title else link.code
    return f"{text} ({', '.join(link.details)})" if link.details else text


def _children(detail: ConceptDetail) -> FactSection:
    shown = detail.children[:MAX_CHILDREN]
    lines = [FactLine(child.code, child.title) for child in shown]
    if len(detail.children) > MAX_CHILDREN:
        lines.append(FactLine("More", f"{len(detail.children) - MAX_CHILDREN} more codes"))
    return FactSection("Codes below it", tuple(lines))


# The sections of one system's own structure, first in its facts (ICD-10-PCS reads its code's table).
_STRUCTURE: dict[SystemId, tuple[Callable[[ConceptDetail, Sequence[Property]], FactSection | None], ...]] = {
    SystemId.ICD10PCS: (_pcs_axes,),
    SystemId.MSDRG: (lambda detail, table: _drg_grouping(detail),),
    SystemId.ICD11: (lambda detail, table: _icd11_classification(detail),),
}
# A system's notes in its own words (ICD-10-PCS notes belong to a table, a body system or a section).
_NOTES: dict[SystemId, Callable[[ConceptDetail, list[Note]], FactSection | None]] = {
    SystemId.ICD10PCS: _pcs_notes,
}
# Sections after the notes: HCPCS's payment and coverage indicators.
_INDICATORS: dict[SystemId, tuple[Callable[[ConceptDetail], FactSection | None], ...]] = {
    SystemId.HCPCS: (_indicators,),
}
