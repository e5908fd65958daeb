"""The ICD-10-PCS index: the index XML read into terms, and the designations they give the codes and tables
they name (``index_designations``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from medcodes.errors import SourceError
from medcodes.models import (
    DesignationKind,
)
from medcodes.sources.files import line_of, parse_xml, squash
from medcodes.sources.icd10pcs_definitions import Values
from medcodes.sources.icd10pcs_tables import AxisValue, Designations, PcsTable, element_text, year_of
from medcodes.sources.vocabulary import word_set
from medcodes.systems import SystemId

SYSTEM = SystemId.ICD10PCS
_CODE_TOKEN = re.compile(r"^[0-9A-HJ-NP-Z]{3,7}$")
INDEX_SOURCE = "pcs-index"
# A partial code names the codes it starts where they are this few (the index's "0DTJ", Resection of
# Appendix, has 5, "0SR9", Replacement of Right Hip Joint, 21); beyond, its table: one name repeated on
# hundreds of codes would crowd every search it matches.
MAX_NAMED_CODES = 30
_DIAGNOSTIC_WORDS = re.compile(r"diagnos|biops", re.IGNORECASE)
_CONTINUED = re.compile(r"\s*\(continued\)$", re.IGNORECASE)
# An inverted main term: a noun, a comma, and the lower-case words that qualify it ("Puncture, lumbar",
# "Replacement, hip", "Banding, esophageal varices"); a capital after the comma is a device's or a
# substance's own name ("Coagulation Factor Xa, Inactivated"), and a second comma a list.
_INVERTED = re.compile(r"^([^,]+), ([a-z][^,]*)$")
_WORD = re.compile(r"[a-z]+")
_BODY_PART = "Body Part"
# The endings of adjectives that name a part by qualifying another noun ("Hepatic Duct", "Adrenal Gland").
_ADJECTIVE = re.compile(r"(?:ic|al|ar|ary|ous|eal)$")


@dataclass(frozen=True, slots=True)
class Reference:
    """A "see" or "use" reference of the PCS index."""

    kind: str  # "see" or "use"
    text: str  # as printed, codes included: "Resection, Uterus 0UT9"
    target: str  # the term or value it names, without codes: "Resection, Uterus"
    codes: tuple[str, ...] = ()  # "0UT9", "0JH"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One main term or subterm of the PCS index with its full path and what it points to."""

    path: tuple[str, ...]
    codes: tuple[str, ...] = ()  # full or partial codes: "0UT7", "10A07ZX"
    references: tuple[Reference, ...] = ()
    line: int | None = None

    @property
    def text(self) -> str:
        return ", ".join(self.path)


# --- index XML -------------------------------------------------------------------------------------------
def _codes_in(element: etree._Element) -> tuple[str, ...]:
    """The codes an element names through its ``tab``/``codes``/``code`` children."""
    found: list[str] = []
    for child in element:
        if child.tag in ("tab", "codes", "code"):
            for token in re.split(r"[\s,;]+", element_text(child).upper()):
                if token:
                    found.append(token)
    return tuple(found)


def _references(element: etree._Element) -> tuple[Reference, ...]:
    found: list[Reference] = []
    for child in element:
        if child.tag in ("see", "use"):
            # The element's own text and tails, without the codes its <tab>/<codes> children hold.
            words = [child.text or ""] + [grandchild.tail or "" for grandchild in child]
            found.append(Reference(str(child.tag), element_text(child), squash(" ".join(words)), _codes_in(child)))
    return tuple(found)


def load_index(path: Path, data: bytes | None = None) -> tuple[str | None, tuple[IndexEntry, ...]]:
    """Read the CMS ICD-10-PCS index XML: the version and every term with what it points to."""
    root = parse_xml(path, data)
    if root.tag != "ICD10PCS.index":
        raise SourceError(path, line_of(root), f"not an ICD-10-PCS index file: root <{root.tag}>")
    version = squash(root.findtext("version")) or year_of(path.name)
    entries: list[IndexEntry] = []

    def walk(element: etree._Element, parents: tuple[str, ...]) -> None:
        title = element.find("title")
        # A term carried over a page break is printed again with "(continued)": it is the same term.
        text = _CONTINUED.sub("", element_text(title)) if title is not None else ""
        if not text:
            raise SourceError(path, line_of(element), f"<{element.tag}> without <title>")
        here = (*parents, text)
        for code in _codes_in(element):
            if not _CODE_TOKEN.match(code):
                raise SourceError(path, line_of(element), f"{code!r} is not an ICD-10-PCS code or table")
        entries.append(IndexEntry(here, _codes_in(element), _references(element), line_of(element)))
        for child in element.iterfind("term"):
            walk(child, here)

    for main in root.iterfind("letter/mainTerm"):
        walk(main, ())
    if not entries:
        raise SourceError(path, line_of(root), "no <letter>/<mainTerm> element")
    return version, tuple(entries)


def index_designations(
    entries: Sequence[IndexEntry],
    values: Values,
    codes: set[str],
    designations: Designations,
    warnings: list[str],
    *,
    source: str = INDEX_SOURCE,
) -> None:
    by_path = {tuple(p.casefold() for p in entry.path): entry for entry in entries}
    unknown: list[str] = []
    uses: dict[str, list[str]] = {}  # "use" targets repeat ("use Intraluminal Device"): looked up once each
    # A partial code leaves the qualifier open, but a diagnostic procedure (qualifier "Diagnostic") is a
    # biopsy, which the index reaches through its own terms ("Biopsy - see Excision with qualifier
    # Diagnostic"): "Appendectomy - see Excision, Appendix 0DBJ" means the therapeutic codes.
    diagnostic = {
        code
        for table in values.tables.values()
        for code, axes in table.codes()
        if axes[6].title == "Qualifier" and axes[6].label == "Diagnostic"
    }
    # Each pool of codes in code order (for ``named_codes``) and as a set (for ``_AxisWords.said``).
    treating = codes - diagnostic
    therapeutic = (sorted(treating), treating)
    diagnostic_only = (sorted(diagnostic), diagnostic)
    axes = _AxisWords(values.tables)

    def targets(tokens: Iterable[str], text: str, term: str = "") -> list[str]:
        found: list[str] = []
        # A term or reference that says diagnostic or biopsy means the diagnostic codes, where there are some.
        says_diagnostic = bool(_DIAGNOSTIC_WORDS.search(text))
        pools = [diagnostic_only, therapeutic] if says_diagnostic else [therapeutic]
        for token in tokens:
            named, pool = [], therapeutic[1]
            for ordered, members in pools:
                named, pool = named_codes(token, ordered, values.tables), members
                if named:
                    break
            if named and 3 < len(token) < 7:
                # Of the codes a partial code starts, those whose values say the term's words (all of them, or
                # its table where they are too many, where the words say none).
                named = axes.said(token, text, pool) or named
            elif named == [token] and len(token) == 3:
                # A table alone ("Omentectomy - see Resection, Gastrointestinal System 0DT"): the codes of the body
                # part the term's own word is built on, where the table has one ("Omentum": 0DTU0ZZ, 0DTU4ZZ).
                named = axes.built_on(token, term, pool) or named
            if named:
                found.extend(named)
            else:
                unknown.append(token)
        return found

    for entry in entries:
        texts = (entry.text, *natural_order(entry.path))
        term = entry.path[0]
        for code in targets(entry.codes, entry.text, term):
            for text in texts:
                designations.add(code, DesignationKind.INDEX_TERM, text, source)
        for reference in entry.references:
            via = f"{reference.kind} {reference.text}"
            if reference.kind == "see":
                # A reference without codes leads to the term it names; that term's codes are the target.
                found = targets(reference.codes or _follow(reference.target, by_path), f"{entry.text} {via}", term)
                kind = DesignationKind.INDEX_TERM
            elif reference.codes:
                kind, found = DesignationKind.SYNONYM, targets(reference.codes, f"{entry.text} {via}", term)
            else:
                # "use Fallopian Tube, Left": the tables whose rows use that value.
                if reference.target not in uses:
                    uses[reference.target] = [code for code, _label in values.anywhere(reference.target)]
                kind, found = DesignationKind.SYNONYM, uses[reference.target]
            for code in found:
                for text in texts:
                    designations.add(code, kind, text, source, via)
    if unknown:
        warnings.append(
            f"{len(unknown)} ICD-10-PCS index codes name no table or code (first: {', '.join(unknown[:5])})"
        )


def named_codes(token: str, ordered: Sequence[str], tables: Collection[str]) -> list[str]:
    """The concepts a code the index writes names: a full code itself (one no longer valid, its table); a
    partial code the codes it starts ("0DTJ" -> the 5 codes of Resection of Appendix), where they are at
    most ``MAX_NAMED_CODES``, else its table ("0UT"); a table itself. Empty where it names none."""
    if len(token) == 7 and _present(token, ordered):
        return [token]
    if 3 < len(token) < 7:
        start = bisect.bisect_left(ordered, token)
        end = bisect.bisect_left(ordered, token + "~", start)
        if 0 < end - start <= MAX_NAMED_CODES:
            return list(ordered[start:end])
        if end == start:
            return []
    return [token[:3]] if token[:3] in tables else []


class _AxisWords:
    """The words of each code's axis values, read once per table, to tell which of a partial code's many codes a
    term names by the values it says: "CPAP (continuous positive airway pressure) - see Assistance, Respiratory
    5A09" names the three codes whose qualifier is Continuous Positive Airway Pressure, not all 5A09's 34."""

    def __init__(self, tables: Mapping[str, PcsTable]) -> None:
        self.tables = tables
        self._read: dict[str, list[tuple[str, tuple[frozenset[str], ...]]]] = {}
        self._labels: dict[str, frozenset[str]] = {}  # the words of each value's label, read once
        self._axis_values: dict[str, list[tuple[str, tuple[AxisValue, ...]]]] = {}  # each table's codes, read once

    def _codes(self, table: str) -> list[tuple[str, tuple[frozenset[str], ...]]]:
        if table not in self._read:
            self._read[table] = [
                (code, tuple(self._words(v.label) for v in values)) for code, values in self._values(table)
            ]
        return self._read[table]

    def _words(self, label: str) -> frozenset[str]:
        if label not in self._labels:
            self._labels[label] = word_set(label)
        return self._labels[label]

    def said(self, token: str, text: str, pool: Collection[str]) -> list[str]:
        """The codes ``token`` starts (among ``pool``) whose values beyond the token's own say most of the term's
        words, each value whole ("Continuous Positive Airway Pressure"); empty where none says a word, or where
        those are still more than ``MAX_NAMED_CODES``. The words of the values the token fixes (its operation and
        body part) say nothing more: "Bypass, Artery, Internal Iliac, Left 041F" names no bypass *to* that artery.
        """
        table = self._codes(token[:3])  # in code order
        start = bisect.bisect_left(table, (token,))
        end = bisect.bisect_left(table, (token + "~",), start)
        rows = [row for row in table[start:end] if row[0] in pool]
        if not rows:
            return []
        fixed = len(token)
        words = word_set(text).difference(*rows[0][1][:fixed])
        scored: list[tuple[int, str]] = []
        for code, labels in rows:
            covered: set[str] = set()
            for label in labels[fixed:]:
                if label and label <= words:
                    covered |= label
            scored.append((len(covered), code))
        best = max(n for n, _code in scored)
        named = [code for n, code in scored if n == best]
        return named if best and len(named) <= MAX_NAMED_CODES else []

    def built_on(self, table: str, term: str, pool: Collection[str]) -> list[str]:
        """The codes of ``table`` (among ``pool``) whose body part the first word of ``term`` is built on
        (``builds_on``): "Omentectomy" on "Omentum", "Ovariotomy" on "Ovary, Left"; empty where no body part is,
        or where its codes are more than ``MAX_NAMED_CODES`` (the table then stands for them, as for a partial
        code)."""
        words = _WORD.findall(term.casefold())
        found = self.tables.get(table)
        if not words or found is None:
            return []
        parts = {
            value.label
            for value in found.values(4)
            if value.title == _BODY_PART and any(builds_on(words[0], noun) for noun in _nouns(value.label))
        }
        if not parts:
            return []
        named = [code for code, values in self._values(table) if code in pool and values[3].label in parts]
        return named if len(named) <= MAX_NAMED_CODES else []

    def _values(self, table: str) -> list[tuple[str, tuple[AxisValue, ...]]]:
        if table not in self._axis_values:
            found = self.tables.get(table)
            self._axis_values[table] = found.codes() if found else []
        return self._axis_values[table]


def builds_on(word: str, noun: str) -> bool:
    """Whether a procedure's word is built on a body part's noun: they start alike for at least 5 letters (and
    three fifths of the noun: "omentectomy", "omentum"), or for all the noun but its last letter ("ovariectomy",
    "ovary"; "colopexy", "colon"). The word's own ending says the operation, which the table already fixes."""
    same = 0
    for a, b in zip(word, noun, strict=False):
        if a != b:
            break
        same += 1
    return len(noun) >= 4 and ((same >= 5 and same >= 0.6 * len(noun)) or (same >= 4 and same >= len(noun) - 1))


def _nouns(label: str) -> list[str]:
    """The words of a body part's label that name a part, not those qualifying the noun after them: "Hepatic Duct,
    Common" is a duct ("hepatectomy" is no operation on it), "Ovary, Left" an ovary, "Subcutaneous Tissue and
    Fascia, Abdomen" tissue, fascia and the abdomen."""
    head, _, rest = label.casefold().partition(",")
    words = _WORD.findall(head)
    kept = [w for i, w in enumerate(words) if i == len(words) - 1 or not _ADJECTIVE.search(w)]
    return kept + _WORD.findall(rest)


def _present(code: str, ordered: Sequence[str]) -> bool:
    at = bisect.bisect_left(ordered, code)
    return at < len(ordered) and ordered[at] == code


def natural_order(path: Sequence[str]) -> tuple[str, ...]:
    """An inverted main term read the way people say it, with the rest of the path: ("Puncture, lumbar",)
    -> ("Lumbar puncture",); ("Replacement, hip", "Partial or total") -> ("Hip replacement, Partial or
    total",). Empty where the main term is not inverted."""
    inverted = _INVERTED.match(path[0]) if path else None
    if inverted is None:
        return ()
    head, qualifier = inverted.group(1), inverted.group(2)
    # The head's capital is the index's, not the word's ("Puncture"): "Lumbar puncture", as a title reads.
    if head[:1].isupper() and head[1:] == head[1:].lower():
        head = head.lower()
    return (", ".join((f"{qualifier[:1].upper()}{qualifier[1:]} {head}", *path[1:])),)


def _follow(reference: str, by_path: dict[tuple[str, ...], IndexEntry]) -> tuple[str, ...]:
    """The codes of the term a code-less "see" reference names ("Destruction", "Excision, Liver")."""
    parts = [p.strip().casefold() for p in reference.split(",") if p.strip()]
    # Main terms may hold commas themselves: try the longest main term first.
    for cut in range(len(parts), 0, -1):
        key = (", ".join(parts[:cut]), *parts[cut:])
        entry = by_path.get(key)
        if entry is not None:
            return entry.codes
    return ()
