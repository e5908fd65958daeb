"""Checks a generated answer must pass before anything is stored.

``parse_answer`` reads the model's content strictly: one JSON object (a Markdown code fence around it is
tolerated, nothing else), exactly the sections of its kind, each of its type. ``validate`` then checks
what a reader relies on: every section non-empty and within its length limits; no code mentioned that the
store does not hold (or the official facts do not name); no dose or strength that the official descriptor
does not state. A failed answer is retried with the problems fed back, then logged as failed, never shown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from medcodes.explain.facts import Grounding
from medcodes.explain.schema import ITEM_MAX_CHARS, SECTIONS, TOTAL_MAX_CHARS, SectionSpec
from medcodes.models import ExplainerKind, ExplainerSection, SectionType
from medcodes.systems import SystemId

# Which of the listed codes exist in one system (SQLiteStore.existing has this shape).
Existing = Callable[[SystemId, Sequence[str]], list[str]]


class Check(StrEnum):
    """Which rule an answer broke, in the words a batch summary counts them by."""

    JSON = "not valid JSON"
    SHAPE = "not the sections asked for"
    EMPTY = "empty section"
    LENGTH = "too long"
    CODE = "names a code the database lacks"
    DOSE = "gives a dose"
    CUT_OFF = "cut off at the token limit"


@dataclass(frozen=True, slots=True)
class Problem:
    section: str | None  # the section key, or None for the answer as a whole
    reason: str
    check: Check

    def __str__(self) -> str:
        return f"{self.section}: {self.reason}" if self.section else self.reason


@dataclass(frozen=True, slots=True)
class Draft:
    """A parsed answer, not yet validated."""

    kind: ExplainerKind
    sections: tuple[ExplainerSection, ...]


# ---------------------------------------------------------------------------------------------- parsing
_FENCE = re.compile(r"^```(?:json)?\s*\n(.*)\n```$", re.DOTALL)
# Numbering or bullets a model may put in front of list items; pages number steps themselves.
_STEP_NUMBER = re.compile(r"^\s*(?:step\s*)?\d+\s*[.):-]\s*", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[-*\u2022]\s+")


def parse_answer(content: str, kind: ExplainerKind) -> tuple[Draft | None, tuple[Problem, ...]]:
    """The sections of an answer, or the problems that make it unusable."""
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, (Problem(None, f"the answer is not valid JSON ({exc.msg} at character {exc.pos})", Check.JSON),)
    if not isinstance(value, dict):
        return None, (Problem(None, "the answer must be one JSON object", Check.SHAPE),)
    specs = SECTIONS[kind]
    problems = [Problem(key, "unexpected section", Check.SHAPE) for key in value if key not in {s.key for s in specs}]
    sections: list[ExplainerSection] = []
    for spec in specs:
        if spec.key not in value:
            problems.append(Problem(spec.key, "missing", Check.SHAPE))
            continue
        section, problem = _section(spec, value[spec.key])
        if problem is not None:
            problems.append(problem)
        elif section is not None:
            sections.append(section)
    if problems:
        return None, tuple(problems)
    return Draft(kind, tuple(sections)), ()


def _section(spec: SectionSpec, value: object) -> tuple[ExplainerSection | None, Problem | None]:
    if spec.type is SectionType.TEXT:
        if not isinstance(value, str):
            return None, Problem(spec.key, "must be a string", Check.SHAPE)
        return ExplainerSection(spec.key, spec.title, spec.type, text=value.strip()), None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None, Problem(spec.key, "must be a list of strings", Check.SHAPE)
    strip = _STEP_NUMBER if spec.type is SectionType.STEPS else _BULLET
    items = tuple(strip.sub("", item, count=1).strip() for item in value)
    return ExplainerSection(spec.key, spec.title, spec.type, items=items), None


# ---------------------------------------------------------------------------------------------- validation
def validate(
    draft: Draft, grounding: Grounding, existing: Existing, systems: Sequence[SystemId]
) -> tuple[Problem, ...]:
    """Every problem with a parsed answer; an empty tuple means it may be stored."""
    problems: list[Problem] = []
    specs = {s.key: s for s in SECTIONS[draft.kind]}
    total = 0
    for section in draft.sections:
        spec = specs[section.key]
        problems.extend(_shape(spec, section))
        total += len(section.text) + sum(len(i) for i in section.items)
    if total > TOTAL_MAX_CHARS:
        problems.append(Problem(None, f"too long: {total} characters, at most {TOTAL_MAX_CHARS}", Check.LENGTH))
    for section in draft.sections:
        text = "\n".join((section.text, *section.items))
        for token in unknown_codes(text, grounding, existing, systems):
            problems.append(Problem(section.key, f"mentions {token}, which is not a code in this database", Check.CODE))
        for dose in doses(text, grounding.descriptor):
            problems.append(
                Problem(section.key, f"gives a dose or strength ({dose}) that the official title does not", Check.DOSE)
            )
    return tuple(problems)


def _shape(spec: SectionSpec, section: ExplainerSection) -> Iterator[Problem]:
    if spec.type is SectionType.TEXT:
        if not section.text:
            yield Problem(spec.key, "empty", Check.EMPTY)
        elif len(section.text) > spec.max_chars:
            yield Problem(spec.key, f"too long: {len(section.text)} characters, at most {spec.max_chars}", Check.LENGTH)
        return
    if not section.items:
        yield Problem(spec.key, "empty", Check.EMPTY)
    if len(section.items) > spec.max_items:
        yield Problem(spec.key, f"too many items: {len(section.items)}, at most {spec.max_items}", Check.LENGTH)
    for number, item in enumerate(section.items, start=1):
        if not item:
            yield Problem(spec.key, f"item {number} is empty", Check.EMPTY)
        elif len(item) > ITEM_MAX_CHARS:
            yield Problem(
                spec.key, f"item {number} is too long: {len(item)} characters, at most {ITEM_MAX_CHARS}", Check.LENGTH
            )


# ---------------------------------------------------------------------------------------------- codes in text
# Shapes of code mentions, each with the systems a token of that shape may belong to. Matching is case
# sensitive (codes are written in capitals) and deliberately narrow, so that words such as "vitamin B12",
# "HbA1c" or "L5-S1" are not taken for codes: a bare three-character category is a mention only inside
# parentheses or after "code"/"category"; numbers with a dot only in ICD-9-CM explainers (elsewhere
# "37.5" is a temperature); five digits only after "CPT".
# "E11.9", "S52.521A", and the notes' "E08.-" (any code of the category) and "O24.4-" (of the subcategory).
_ICD10_DOTTED = re.compile(r"(?<![\w.])([A-Z]\d[0-9A-Z])\.(?:([0-9A-Z]{1,4})-?|-)(?![\w])")
_ICD10_RANGE = re.compile(r"(?<![\w.])([A-Z]\d[0-9A-Z])\s?-\s?([A-Z]\d[0-9A-Z])(?!\w|\.\w)")
_ICD10_CATEGORY = re.compile(
    r"(?:\((?=[A-Z]\d[0-9A-Z]\))|\b(?:codes?|categor(?:y|ies))\s+)([A-Z]\d[0-9A-Z])(?!\w|\.\w)"
)
_PCS = re.compile(r"(?<![\w.])([0-9BCDFGHX][0-9A-HJ-NP-Z]{6})(?!\w|\.\w)")
_HCPCS = re.compile(r"(?<![\w.])([A-V]\d{4})(?!\w|\.\w)")
_CPT = re.compile(r"(?<![\w.])(\d{4}[FTU])(?!\w|\.\w)|\bCPT(?:\s+code)?\s+(\d{5})\b")
_ICD11 = re.compile(r"(?<![\w.])([1-9A-HJ-NP-Z][A-HJ-NP-Z]\d[0-9A-HJ-NP-Z](?:\.[0-9A-HJ-NP-Z]{1,2})?)(?![\w])")
_ICD9_DX = re.compile(r"(?<![\w.])((?:V\d{2}|E\d{3}|\d{3})\.\d{1,2})(?!\w|\.\w)")
_ICD9_PROC = re.compile(r"(?<![\w.])(\d{2}\.\d{1,2})(?!\w|\.\w)")
_DRG = re.compile(r"\b(?:MS-)?DRG\s*(\d{1,3})\b")


@dataclass(frozen=True, slots=True)
class Mention:
    token: str  # as written
    readings: tuple[tuple[SystemId, str], ...]  # the canonical codes it may denote


def _icd9_mentions(text: str) -> Iterator[Mention]:
    """Numbers with a dot, read as ICD-9-CM diagnoses and procedures (in its own explainers only)."""
    for m in _ICD9_DX.finditer(text):
        if not _ICD10_DOTTED.fullmatch(m.group(1)):  # V01.0 is read with the dotted ICD-10 codes, its ICD-9-CM too
            yield Mention(m.group(1), ((SystemId.ICD9CM, m.group(1)),))
    for m in _ICD9_PROC.finditer(text):
        yield Mention(m.group(1), ((SystemId.ICD9CM, m.group(1)),))


# Mentions read only in the explainers of one system: shapes that elsewhere are something else ("37.5" is a
# temperature outside ICD-9-CM).
_OWN_MENTIONS: dict[SystemId, Callable[[str], Iterator[Mention]]] = {SystemId.ICD9CM: _icd9_mentions}


def mentions(text: str, system: SystemId) -> list[Mention]:
    """Every code-like token in ``text`` with its possible readings (``system``: the explainer's own)."""
    found: list[Mention] = []
    for m in _ICD10_DOTTED.finditer(text):
        code = f"{m.group(1)}.{m.group(2)}" if m.group(2) else m.group(1)
        readings = [(SystemId.ICD10CM, code), (SystemId.ICD10, code)]
        if _ICD11.fullmatch(code):
            readings.append((SystemId.ICD11, code))
        if _ICD9_DX.fullmatch(code):
            readings.append((SystemId.ICD9CM, code))
        found.append(Mention(m.group(0), tuple(readings)))
    for m in _ICD10_RANGE.finditer(text):
        # A range ("E08-E13", a block or a note's span) is checked by its two ends, each a category.
        for end in (m.group(1), m.group(2)):
            found.append(Mention(end, ((SystemId.ICD10CM, end), (SystemId.ICD10, end))))
    for m in _ICD10_CATEGORY.finditer(text):
        found.append(Mention(m.group(1), ((SystemId.ICD10CM, m.group(1)), (SystemId.ICD10, m.group(1)))))
    for m in _PCS.finditer(text):
        token = m.group(1)
        if any(ch.isdigit() for ch in token) and any(ch.isalpha() for ch in token):
            found.append(Mention(token, ((SystemId.ICD10PCS, token),)))
    for m in _HCPCS.finditer(text):
        found.append(Mention(m.group(1), ((SystemId.HCPCS, m.group(1)),)))
    for m in _CPT.finditer(text):
        token = m.group(1) or m.group(2)
        found.append(Mention(token, ((SystemId.CPT, token),)))
    for m in _ICD11.finditer(text):
        token = m.group(1)
        # Undotted four-character tokens count only when they start with a digit (1A00, 8B20): letter-first
        # ones without a dot are too easily something else.
        if "." not in token and not token[0].isdigit():
            continue
        if "." in token and _ICD10_DOTTED.fullmatch(token):
            continue  # already read above
        found.append(Mention(token, ((SystemId.ICD11, token),)))
    own = _OWN_MENTIONS.get(system)
    if own is not None:
        found.extend(own(text))
    for m in _DRG.finditer(text):
        found.append(Mention(m.group(0), ((SystemId.MSDRG, m.group(1).zfill(3)),)))
    return found


def unknown_codes(text: str, grounding: Grounding, existing: Existing, systems: Sequence[SystemId]) -> list[str]:
    """Code mentions that no loaded system holds and the official facts do not name, in order."""
    loaded = set(systems)
    out: list[str] = []
    for mention in mentions(text, grounding.system):
        if _in_facts(mention, grounding.text):
            continue
        if any(system in loaded and existing(system, [code]) for system, code in mention.readings):
            continue
        if mention.token not in out:
            out.append(mention.token)
    return out


def _in_facts(mention: Mention, facts: str) -> bool:
    words = (mention.token.rstrip("-").rstrip("."), *(code for _, code in mention.readings))
    return any(re.search(rf"(?<![\w.]){re.escape(w)}(?![\w])", facts) for w in words)


# ---------------------------------------------------------------------------------------------- doses
# A number with a unit of dose, strength or amount given. Laboratory concentrations (mg/dL, mmol/L) are
# results, not doses, and are left alone.
_DOSE = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)?)\s?(mg|mcg|µg|μg|g|grams?|milligrams?|micrograms?|ml|milliliters?|millilitres?|cc"
    r"|units?|IU|mEq|tablets?|capsules?|puffs?|drops?)(?!\w)(?!/\s?d?l\b)",
    re.IGNORECASE,
)


def doses(text: str, descriptor: str) -> list[str]:
    """Doses or strengths in ``text`` that the official descriptor does not state."""
    allowed = {_dose_key(m) for m in _DOSE.finditer(descriptor)}
    out: list[str] = []
    for m in _DOSE.finditer(text):
        if _dose_key(m) not in allowed and m.group(0) not in out:
            out.append(m.group(0))
    return out


def _dose_key(match: re.Match[str]) -> tuple[str, str]:
    return match.group(1).replace(",", "."), match.group(2).lower()
