"""The registry of code systems: ids, names, FHIR URIs, code shapes and `normalize_code()`.

Users type codes in many notations (``e119``, ``E11.9``, ``e11 9``, ``S52521A`` without its X
placeholder, ``0ut70zz``, ``0UT.70ZZ``, ``DRG 291``). Each system turns such text into the canonical
notation it stores. Where the text could denote more than one canonical code (an ICD-10-CM code typed
without X placeholders; dotless ICD-9-CM digits, which may be a diagnosis or a procedure),
``candidates()`` lists every reading, most likely first, and the store keeps the ones that exist.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

# Raised by the normalisers and parse_system below, and importable from here too, where readers of codes look.
from medcodes.errors import InvalidCodeSyntax as InvalidCodeSyntax  # noqa: PLC0414
from medcodes.errors import UnknownSystem as UnknownSystem  # noqa: PLC0414


class SystemId(StrEnum):
    ICD10CM = "icd10cm"
    ICD10PCS = "icd10pcs"
    HCPCS = "hcpcs"
    CPT = "cpt"
    ICD11 = "icd11"
    ICD10 = "icd10"
    ICD9CM = "icd9cm"
    MSDRG = "msdrg"


class Reporting(StrEnum):
    """What a code's billable flag means in its system: "billable" is a word of the US claim code sets only."""

    CLAIMS = "claims"  # a US claim code set in force: a billable code is reported on claims as it is
    RETIRED = "retired"  # a US claim code set no longer in force: its valid codes were reported until a date
    NONE = "none"  # a classification or a grouping (ICD-11, WHO ICD-10, MS-DRG): nothing is billable as such


NAMES: dict[SystemId, str] = {
    SystemId.ICD10CM: "ICD-10-CM",
    SystemId.ICD10PCS: "ICD-10-PCS",
    SystemId.HCPCS: "HCPCS Level II",
    SystemId.CPT: "CPT",
    SystemId.ICD11: "ICD-11 MMS",
    SystemId.ICD10: "ICD-10 (WHO)",
    SystemId.ICD9CM: "ICD-9-CM",
    SystemId.MSDRG: "MS-DRG",
}

_SPACES_AND_DOTS = re.compile(r"[\s.]+")
# A letter, a digit and a character; FY2026 added category QA0, the first with a letter in second place
# (then a digit follows it), so "HELLO" is still no code.
_ICD10CM = re.compile(r"^[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])[0-9A-Z]{0,4}$")
_ICD10CM_RANGE = re.compile(r"^([A-Z][0-9][0-9A-Z])-([A-Z][0-9][0-9A-Z])$")
_ICD10CM_CHAPTER = re.compile(r"^(?:CHAPTER)?([1-9]|1[0-9]|2[0-2])$")
_PCS = re.compile(r"^[0-9A-HJ-NP-Z]{1,7}$")  # PCS never uses the letters I and O
_HCPCS = re.compile(r"^[A-Z][0-9]{4}$")
_HCPCS_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_CPT = re.compile(r"^[0-9]{4}[0-9FTU]$")
_ICD11 = re.compile(r"^(?:[0-9A-HJ-NP-Z]{4}(?:[0-9A-HJ-NP-Z]{1,2})?|X[A-HJ-NP-Z][0-9A-HJ-NP-Z]{2,4})$")
_ICD11_CHAPTER = re.compile(r"^(?:CHAPTER)?(0?[1-9]|1[0-9]|2[0-6]|V|X)$")
_ICD10 = re.compile(r"^[A-Z][0-9]{2}[0-9X]?$")
_ICD9_DX = re.compile(r"^(?:[0-9]{3}[0-9]{0,2}|V[0-9]{2}[0-9]{0,2}|E[0-9]{3}[0-9]?)$")
_ICD9_PROC = re.compile(r"^[0-9]{2}[0-9]{0,2}$")
_DRG = re.compile(r"^(?:MS[\s-]?)?(?:DRG)?[\s-]*([0-9]{1,3})$")


def _compact(text: str) -> str:
    return _SPACES_AND_DOTS.sub("", text.strip().upper())


def _icd10cm_candidates(text: str) -> tuple[str, ...]:
    raw = text.strip().upper()
    rng = _ICD10CM_RANGE.match(re.sub(r"\s+", "", raw))
    if rng:
        return (f"{rng.group(1)}-{rng.group(2)}",)
    chapter = _ICD10CM_CHAPTER.match(re.sub(r"\s+", "", raw))
    if chapter:
        return (chapter.group(1),)
    compact = _compact(raw)
    if not _ICD10CM.match(compact):
        raise InvalidCodeSyntax(
            SystemId.ICD10CM,
            text,
            "a letter, a digit and a character, then up to four more after a dot (E11.9, S52.521A)",
        )
    found = [_dot_after(compact, 3)]
    # A 7th character typed without the X placeholders before it (S52521A is complete, T4011A is
    # T40.1X1A, O69.893 is O69.89X3): fill every way the missing places can hold an X, keeping the 7th
    # character last. The literal reading stays first; the store keeps the readings that exist.
    if 4 <= len(compact) < 7:
        missing = 7 - len(compact)
        body, seventh = compact[3:-1], compact[-1]
        for filled in _insert_placeholders(body, missing):
            found.append(_dot_after(compact[:3] + filled + seventh, 3))
    return tuple(dict.fromkeys(found))


def _insert_placeholders(body: str, missing: int) -> list[str]:
    """Every string made by inserting ``missing`` X characters into ``body`` (order kept)."""
    if missing == 0:
        return [body]
    out: list[str] = []
    for i in range(len(body) + 1):
        for rest in _insert_placeholders(body[i:], missing - 1):
            out.append(body[:i] + "X" + rest)
    return list(dict.fromkeys(out))


def _dot_after(code: str, n: int) -> str:
    return code if len(code) <= n else f"{code[:n]}.{code[n:]}"


def _pcs_candidates(text: str) -> tuple[str, ...]:
    compact = _compact(text)
    if not _PCS.match(compact):
        raise InvalidCodeSyntax(
            SystemId.ICD10PCS, text, "seven letters or digits, no I or O (0UT70ZZ); a prefix such as 0UT7"
        )
    return (compact,)


def _hcpcs_candidates(text: str) -> tuple[str, ...]:
    compact = _compact(text)
    if _HCPCS.match(compact) or _HCPCS_MODIFIER.match(compact):
        return (compact,)
    raise InvalidCodeSyntax(SystemId.HCPCS, text, "a letter and four digits (E0601), or a modifier (RT)")


def _cpt_candidates(text: str) -> tuple[str, ...]:
    compact = _compact(text)
    if _CPT.match(compact):
        return (compact,)
    raise InvalidCodeSyntax(SystemId.CPT, text, "five characters: four digits, then a digit, F, T or U (74740)")


def _icd11_candidates(text: str) -> tuple[str, ...]:
    compact = _compact(text)
    chapter = _ICD11_CHAPTER.match(compact)
    if chapter:
        # Chapters are numbered 01 to 26, then the supplementary sections V and X.
        number = chapter.group(1)
        return (number.zfill(2) if number.isdigit() else number,)
    if _ICD11.match(compact):
        # Extension codes (chapter X) are written without a dot: XN74M, XK8G.
        return (compact if compact.startswith("X") else _dot_after(compact, 4),)
    raise InvalidCodeSyntax(
        SystemId.ICD11, text, "four characters, then up to two after a dot (1A00, BA41.Z); a chapter 01 to 26, V or X"
    )


def _icd10_candidates(text: str) -> tuple[str, ...]:
    compact = _compact(text).rstrip("+*†")
    if _ICD10.match(compact):
        return (_dot_after(compact, 3),)
    raise InvalidCodeSyntax(SystemId.ICD10, text, "a letter, two digits, then one more after a dot (E11.9)")


def _icd9cm_candidates(text: str) -> tuple[str, ...]:
    raw = re.sub(r"\s+", "", text.strip().upper())
    if "." in raw:
        head = raw.split(".", 1)[0]
        compact = raw.replace(".", "")
        # The dot tells diagnosis (3 before it; 4 for E codes) from procedure (2 before it).
        if len(head) == 2 and _ICD9_PROC.match(compact):
            return (_dot_after(compact, 2),)
        if _ICD9_DX.match(compact):
            return (_dot_after(compact, 4 if compact.startswith("E") else 3),)
    else:
        compact = raw
        found: list[str] = []
        if _ICD9_DX.match(compact):
            found.append(_dot_after(compact, 4 if compact.startswith("E") else 3))
        if _ICD9_PROC.match(compact):
            found.append(_dot_after(compact, 2))
        if found:
            return tuple(found)
    raise InvalidCodeSyntax(
        SystemId.ICD9CM, text, "three digits and up to two after a dot (250.00), V or E codes, procedures 87.83"
    )


_MDC = re.compile(r"^MDC\s*-?\s*([0-9]{1,2})$")


def _msdrg_candidates(text: str) -> tuple[str, ...]:
    match = _DRG.match(text.strip().upper())
    if match:
        return (match.group(1).zfill(3),)
    mdc = _MDC.match(text.strip().upper())
    if mdc:
        return (f"MDC{mdc.group(1).zfill(2)}",)
    raise InvalidCodeSyntax(SystemId.MSDRG, text, "up to three digits, optionally after 'DRG' (291, DRG 064)")


@dataclass(frozen=True, slots=True)
class CodeSystem:
    id: SystemId
    name: str
    fhir_uri: str  # the system URI the HL7 terminology registry prescribes (FHIR Coding.system)
    example: str
    _candidates: Callable[[str], tuple[str, ...]]
    # "an ICD-10-CM code", "a HCPCS code" (said "hick-picks"), "a CPT code": the article the name takes.
    article: str = "an"
    reporting: Reporting = Reporting.CLAIMS
    # The last day codes of a RETIRED system were reported on US claims.
    reported_until: dt.date | None = None
    # A complete code as people write it (E11.9, 0UT70ZZ, 250.00): how a code typed without its system is told
    # to belong to a system that is not loaded. Looser than the notations ``candidates`` reads (a PCS prefix,
    # a dotless ICD-9-CM code), which would claim almost any text.
    typical: re.Pattern[str] = re.compile(r"(?!)")
    # False where the system's blocks have no code of their own (ICD-11: medcodes names them by an internal id,
    # "BlockL1-5A0", which pages never show as a code).
    coded_blocks: bool = True
    # Codes nest in categories and subcategories that their characters show (E11 > E11.6 > E11.62 > E11.621):
    # similar codes include the variants one character apart, the siblings and the family of such a code.
    nests: bool = False
    # What the level two above a code is called ("Same category: E11 ..."; ICD-11 says group).
    family_word: str = "category"
    # A 7th character that stands for the episode of care (ICD-10-CM injuries, poisonings ...): the codes that
    # differ in it alone are one family, and the facts list its values from the category's note.
    seventh_character: bool = False
    # A code lies below every prefix of it, with no dot between (ICD-10-PCS 0UT70ZZ below table 0UT), not only
    # below the part before its dot (E11.621 below E11; ICD-9-CM diagnosis 870.0 is not below procedure 87).
    nests_by_prefix: bool = False
    # The characters of a code that name its table, which holds the axis titles and definitions (ICD-10-PCS: 3).
    table_chars: int = 0
    # The characters of a code that name its region (ICD-10-PCS: section and body system); codes of two regions
    # are far apart, however alike their words.
    region_chars: int = 0
    # Who licenses the system where it has no public release file: a user loads it from a licensed file they
    # hold (CPT: the AMA).
    licensor: str | None = None

    def candidates(self, text: str) -> tuple[str, ...]:
        """Every canonical code that ``text`` may denote, most likely first.

        Raises InvalidCodeSyntax where the text cannot be a code of this system.
        """
        return self._candidates(text)

    def normalize_code(self, text: str) -> str:
        """The canonical notation of ``text`` (the first reading where several are possible)."""
        return self._candidates(text)[0]

    def is_typical(self, text: str) -> bool:
        """Whether ``text`` is written as a complete code of this system usually is (see ``typical``)."""
        return self.typical.match(text.strip().upper()) is not None

    def looks_like_code(self, text: str) -> bool:
        try:
            self._candidates(text)
        except InvalidCodeSyntax:
            return False
        return True


REGISTRY: dict[SystemId, CodeSystem] = {
    s.id: s
    for s in (
        CodeSystem(
            SystemId.ICD10CM,
            NAMES[SystemId.ICD10CM],
            "http://hl7.org/fhir/sid/icd-10-cm",
            "E11.9",
            _icd10cm_candidates,
            typical=re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$"),
            nests=True,
            seventh_character=True,
        ),
        CodeSystem(
            SystemId.ICD10PCS,
            NAMES[SystemId.ICD10PCS],
            "http://www.cms.gov/Medicare/Coding/ICD10",
            "0UT70ZZ",
            _pcs_candidates,
            typical=re.compile(r"^[0-9A-HJ-NP-Z]{7}$"),
            nests_by_prefix=True,
            table_chars=3,
            region_chars=2,
        ),
        CodeSystem(
            SystemId.HCPCS,
            NAMES[SystemId.HCPCS],
            "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
            "E0601",
            _hcpcs_candidates,
            typical=re.compile(r"^[A-Z][0-9]{4}$"),
            article="a",
        ),
        CodeSystem(
            SystemId.CPT,
            NAMES[SystemId.CPT],
            "http://www.ama-assn.org/go/cpt",
            "74740",
            _cpt_candidates,
            typical=re.compile(r"^[0-9]{4}[0-9FTU]$"),
            article="a",
            licensor="AMA",
        ),
        CodeSystem(
            SystemId.ICD11,
            NAMES[SystemId.ICD11],
            "http://id.who.int/icd/release/11/mms",
            "1A00",
            _icd11_candidates,
            typical=re.compile(r"^[0-9A-HJ-NP-Z][A-HJ-NP-Z][0-9][0-9A-HJ-NP-Z](?:\.[0-9A-HJ-NP-Z]{1,2})?$"),
            reporting=Reporting.NONE,
            coded_blocks=False,
            nests=True,
            family_word="group",
        ),
        CodeSystem(
            SystemId.ICD10,
            NAMES[SystemId.ICD10],
            "http://hl7.org/fhir/sid/icd-10",
            "E11.9",
            _icd10_candidates,
            typical=re.compile(r"^[A-Z][0-9]{2}(?:\.[0-9X])?$"),
            reporting=Reporting.NONE,
            nests=True,
        ),
        CodeSystem(
            SystemId.ICD9CM,
            NAMES[SystemId.ICD9CM],
            "http://hl7.org/fhir/sid/icd-9-cm",
            "250.00",
            _icd9cm_candidates,
            typical=re.compile(
                r"^(?:[0-9]{3}(?:\.[0-9]{1,2})?|V[0-9]{2}(?:\.[0-9]{1,2})?|E[0-9]{3}(?:\.[0-9])?|[0-9]{2}\.[0-9]{1,2})$"
            ),
            # HIPAA: ICD-10-CM and ICD-10-PCS replaced ICD-9-CM for services from 1 October 2015.
            reporting=Reporting.RETIRED,
            reported_until=dt.date(2015, 9, 30),
            nests=True,
        ),
        CodeSystem(
            SystemId.MSDRG,
            NAMES[SystemId.MSDRG],
            # The URI the HL7 terminology registry (THO) lists for MS-DRG, as it spells it.
            "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/"
            "MS-DRG-Classifications-and-Software",
            "003",
            _msdrg_candidates,
            typical=re.compile(r"^(?:(?:MS-?)?DRG\s*)?[0-9]{3}$"),
            # An MS-DRG is assigned to a stay by grouper software, not reported by a coder.
            reporting=Reporting.NONE,
        ),
    )
}


# What may stand between the characters of a system's id as a person writes it: "ICD-10-CM", "icd_10_cm".
_SEPARATOR = r"[ \t._-]"
_SEPARATORS = re.compile(_SEPARATOR + "+")


def _spelled(system: SystemId) -> str:
    return (_SEPARATOR + "*").join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in system.value)


# The same reading as a regular expression, for the API's OpenAPI document (JSON Schema's "pattern"): written with
# nothing but classes of ASCII characters, it means the same in Python, in JavaScript and in pydantic's Rust.
SYSTEM_PATTERN = f"^{_SEPARATOR}*(?:{'|'.join(_spelled(s) for s in SystemId)}){_SEPARATOR}*$"
SYSTEM_NAME_CHARS = 64


def parse_system(text: str) -> SystemId:
    """The system a person means by ``text``: its id in any case, with or without hyphens, dots, underscores or
    spaces (``icd10cm``, ``ICD10CM``, ``ICD-10-CM``, ``MS-DRG``). The one reader of a system name that every
    interface uses (SYSTEM_PATTERN says the same); UnknownSystem, which lists the ids, for anything else."""
    key = _SEPARATORS.sub("", text.lower()) if len(text) <= SYSTEM_NAME_CHARS and text.isascii() else ""
    try:
        return SystemId(key)
    except ValueError:
        raise UnknownSystem(text[:SYSTEM_NAME_CHARS], ", ".join(s.value for s in SystemId)) from None


def get(system: SystemId | str) -> CodeSystem:
    """The registry entry of a system id (``"icd10cm"`` or ``SystemId.ICD10CM``), or of a name (parse_system)."""
    return REGISTRY[system if isinstance(system, SystemId) else parse_system(system)]


def a_name(system: SystemId) -> str:
    """The system's name with its article: "an ICD-10-CM", "a HCPCS Level II", "an MS-DRG"."""
    return f"{REGISTRY[system].article} {NAMES[system]}"


def reporting_status(system: SystemId, billable: bool) -> str | None:
    """The badge a code wears for its place on claims: "billable" (a code of a US claim code set in force that is
    reported as it is), "retired" (a code that was valid on US claims), or None (a header, or a system where
    nothing is billable as such: ICD-11, WHO ICD-10, MS-DRG)."""
    if not billable:
        return None
    reporting = REGISTRY[system].reporting
    if reporting is Reporting.CLAIMS:
        return "billable"
    if reporting is Reporting.RETIRED:
        return "retired"
    return None


def by_fhir_uri(uri: str) -> CodeSystem | None:
    """The system whose FHIR URI is ``uri`` (None for a URI medcodes does not know)."""
    return next((s for s in REGISTRY.values() if s.fhir_uri == uri), None)


def normalize_code(system: SystemId | str, text: str) -> str:
    """The canonical notation of ``text`` in ``system``; raises InvalidCodeSyntax if it cannot be one."""
    return get(system).normalize_code(text)
