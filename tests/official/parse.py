"""Small readers of the official files, written for these tests from the publishers' own layouts.

They share no code with medcodes' loaders (``medcodes.sources``): each reads one official file the plain way
the publisher's documentation describes, with the standard library only, so that a mistake in a loader
shows up as a difference here rather than being repeated.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

CM_ZIP = "icd10cm/fy2026/2026-code-descriptions-tabular-order.cms_2026_dx.zip"
CM_TABULAR = "icd10cm/icd10cm_tabular_2026-04-01.xml.gz"
CM_CONVERSION = "icd10cm/fy2026/ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx"
PCS_ZIP = "icd10pcs/2026-icd-10-pcs-order-file.cms_2026_pr.zip"
PCS_TABLES = "icd10pcs/icd10pcs_tables_2026.xml.gz"
HCPCS_ZIP = "hcpcs/2019-Alpha-Numeric-HCPCS-File.zip"
GEMS = {"2018_I9gem.txt.gz": ("icd9cm", "icd10cm"), "2018_I10gem.txt.gz": ("icd10cm", "icd9cm")}
WHO_TABLES = ("10To11MapToOneCategory.txt.gz", "10To11MapToMultipleCategories.txt.gz", "11To10MapToOneCategory.txt.gz")
ICD11_TABULATION = "icd11/SimpleTabulation-ICD-11-MMS-en_2024-01.txt.gz"
ICD9_ZIP = "icd9cm/icd-9-cm-v32-master-descriptions.cms_v32.zip"
DRG_APPENDIX = "msdrg/appendix_A_v40.txt"


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def dot(code: str, at: int = 3) -> str:
    return code if len(code) <= at else f"{code[:at]}.{code[at:]}"


def _zip_lines(path: Path, member: str, encoding: str = "latin-1") -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.read(member).decode(encoding).splitlines()


# ---------------------------------------------------------------------------------------------- ICD-10-CM
@dataclass(frozen=True, slots=True)
class OrderLine:
    code: str
    billable: bool
    short: str
    long: str


def order_file(path: Path, member: str) -> dict[str, OrderLine]:
    """A CMS order file (ICD-10-CM or -PCS): columns 1-5 order number, 7-13 code, 15 valid (1) or header (0),
    17-76 short title, 78 on long title (CMS icd10OrderFiles.pdf). Codes dotted as ICD-10-CM writes them
    when ``member`` is the ICD-10-CM file."""
    dotted = member.startswith("icd10cm")
    out: dict[str, OrderLine] = {}
    for line in _zip_lines(path, member):
        if not line.strip():
            continue
        code = line[6:13].strip()
        out[dot(code) if dotted else code] = OrderLine(
            dot(code) if dotted else code, line[14] == "1", line[16:76].strip(), line[77:].strip()
        )
    return out


# The tabular list's note elements (CDC tabular XML schema) and the kind medcodes names each.
CM_NOTE_KINDS = {
    "notes": "note",
    "includes": "includes",
    "inclusionTerm": "inclusion_term",
    "excludes1": "excludes1",
    "excludes2": "excludes2",
    "codeFirst": "code_first",
    "useAdditionalCode": "use_additional_code",
    "codeAlso": "code_also",
    "sevenChrNote": "seventh_character_note",
}
SEVENTH_KINDS = frozenset(("seventh_character", "seventh_character_note"))
Note = tuple[str, str, str | None]  # (kind, text, 7th character)


@dataclass
class Tabular:
    """The tabular list: each chapter, section and diag with its title, parent and own notes."""

    titles: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str | None] = field(default_factory=dict)
    notes: dict[str, list[Note]] = field(default_factory=dict)
    chapters: set[str] = field(default_factory=set)
    sections: set[str] = field(default_factory=set)


_RANGE_SUFFIX = re.compile(r"\s*\([A-Z][0-9][0-9A-Z]-[A-Z][0-9][0-9A-Z]\)\s*$")


def tabular(path: Path) -> Tabular:
    """The CDC ICD-10-CM tabular XML: chapter > section > diag > diag ...; a section of one category is named
    as a range (B20 -> B20-B20), as medcodes names every block; chapter and section titles lose their
    trailing code range."""
    root = ElementTree.fromstring(gzip.decompress(path.read_bytes()))
    out = Tabular()

    def own_notes(element: ElementTree.Element) -> list[Note]:
        found: list[Note] = []
        seventh = element.find("sevenChrDef")
        if seventh is not None:
            found += [("seventh_character", squash(e.text), squash(e.get("char"))) for e in seventh.iter("extension")]
        for child in element:
            kind = CM_NOTE_KINDS.get(child.tag)
            if kind is not None:
                found += [(kind, squash(n.text), None) for n in child.iter("note") if squash(n.text)]
        return found

    def add(code: str, title: str, parent: str | None, element: ElementTree.Element) -> None:
        out.titles[code] = title
        out.parents[code] = parent
        out.notes[code] = own_notes(element)

    def diag(element: ElementTree.Element, parent: str) -> None:
        code = squash(element.findtext("name"))
        add(code, squash(element.findtext("desc")), parent, element)
        for child in element.findall("diag"):
            diag(child, code)

    for chapter in root.findall("chapter"):
        number = squash(chapter.findtext("name"))
        out.chapters.add(number)
        add(number, _RANGE_SUFFIX.sub("", squash(chapter.findtext("desc"))), None, chapter)
        for section in chapter.findall("section"):
            code = squash(section.get("id"))
            code = code if "-" in code else f"{code}-{code}"
            out.sections.add(code)
            add(code, _RANGE_SUFFIX.sub("", squash(section.findtext("desc"))), number, section)
            for child in section.findall("diag"):
                diag(child, code)
    return out


def cm_parent(code: str, tabular_codes: set[str] | dict[str, str]) -> str | None:
    """The diag a code of the order file that the tabular list does not name sits under: its longest prefix
    that is a diag, placeholders X and the dot set aside (T76.12XA -> T76.12)."""
    prefix = code
    while len(prefix) > 3:
        prefix = prefix[:-1].rstrip("X").rstrip(".")
        if prefix in tabular_codes:
            return prefix
    return None


def inherited_notes(
    code: str, parents: dict[str, str | None], own: dict[str, list[Note]]
) -> list[tuple[str, str, str | None, str | None]]:
    """A code's notes as the tabular list's conventions give them: its own, then each ancestor's, nearest
    first; 7th characters only from the nearest level that defines any (a nearer definition replaces)."""
    out: list[tuple[str, str, str | None, str | None]] = [
        (kind, text, char, None) for kind, text, char in own.get(code, [])
    ]
    have_seventh = any(kind in SEVENTH_KINDS for kind, _, _ in own.get(code, []))
    ancestor = parents.get(code)
    while ancestor is not None:
        notes = own.get(ancestor, [])
        out += [(k, t, c, ancestor) for k, t, c in notes if not (k in SEVENTH_KINDS and have_seventh)]
        have_seventh = have_seventh or any(k in SEVENTH_KINDS for k, _, _ in notes)
        ancestor = parents.get(ancestor)
    return out


@dataclass(frozen=True, slots=True)
class Addenda:
    """One line of the CMS order-file addenda: action, valid-code flag, code, long title."""

    action: str
    billable: bool
    code: str
    long: str


def addenda(path: Path, member: str) -> list[Addenda]:
    """Columns 1-13 the action, 14 the valid flag, 16-22 the code, 85 on the long title; the closing summary
    (after "Headers"/"Codes") is not read."""
    out: list[Addenda] = []
    for line in _zip_lines(path, member):
        action = line[:13].strip()
        if action in ("Add:", "Delete:", "Revise from:", "Revise to:"):
            out.append(Addenda(action, line[13] == "1", dot(line[15:22].strip()), line[84:].strip()))
    return out


def xlsx_rows(path: Path) -> Iterator[list[str]]:
    """The rows of the first worksheet of a workbook, cell texts in column order (shared strings resolved)."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        strings = []
        if "xl/sharedStrings.xml" in names:
            shared = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            strings = ["".join(si.itertext()) for si in shared.iter(f"{main}si")]
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    for row in sheet.iter(f"{main}row"):
        cells: dict[str, str] = {}
        for cell in row.iter(f"{main}c"):
            column = re.sub(r"\d", "", cell.get("r", ""))
            value = cell.findtext(f"{main}v")
            if cell.get("t") == "s" and value is not None:
                cells[column] = strings[int(value)]
            elif cell.get("t") == "inlineStr":
                cells[column] = "".join(cell.find(f"{main}is").itertext())  # type: ignore[union-attr]
            else:
                cells[column] = value or ""
        yield [cells.get(c, "") for c in ("A", "B", "C")]


@dataclass(frozen=True, slots=True)
class ConversionRow:
    code: str
    effective: dt.date
    previous: str  # the "Previous Code(s) Assignment" cell as written


def conversion_table(path: Path) -> list[ConversionRow]:
    """The CDC conversion table: rows after the header "Current code assignment | Effective | Previous ...";
    Effective is a year (changes take effect October 1) or an Excel date."""
    rows = list(xlsx_rows(path))
    start = next(i for i, r in enumerate(rows) if r[0].strip().lower().startswith("current code"))
    out: list[ConversionRow] = []
    for code, effective, previous in rows[start + 1 :]:
        if not code.strip():
            continue
        number = float(effective)
        when = dt.date(int(number), 10, 1) if number < 3000 else dt.date(1899, 12, 30) + dt.timedelta(days=int(number))
        compact = code.strip().replace(".", "").upper()
        out.append(ConversionRow(dot(compact), when, previous.strip()))
    return out


# ---------------------------------------------------------------------------------------------- ICD-10-PCS
@dataclass(frozen=True, slots=True)
class PcsCode:
    table: str
    axes: tuple[tuple[str, str, str], ...]  # (axis title, value, label) for characters 1 to 7


def pcs_tables(path: Path) -> tuple[dict[str, PcsCode], dict[str, str]]:
    """Every code of the CMS tables XML with its seven axes (a row gives every combination of its values),
    and the label of each section (1st character) and body system (1st and 2nd)."""
    root = ElementTree.fromstring(gzip.decompress(path.read_bytes()))
    codes: dict[str, PcsCode] = {}
    headers: dict[str, str] = {}
    for table in root.iter("pcsTable"):
        fixed = []
        for axis in table.findall("axis"):
            label = axis.find("label")
            assert label is not None
            fixed.append((squash(axis.findtext("title")), label.get("code", ""), squash(label.text)))
        code = "".join(value for _, value, _ in fixed)
        headers.setdefault(code[0], fixed[0][2])
        headers.setdefault(code[:2], fixed[1][2])
        for row in table.findall("pcsRow"):
            axes = [
                [(squash(a.findtext("title")), lb.get("code", ""), squash(lb.text)) for lb in a.findall("label")]
                for a in sorted(row.findall("axis"), key=lambda a: int(a.get("pos", "0")))
            ]
            combos: list[list[tuple[str, str, str]]] = [list(fixed)]
            for values in axes:
                combos = [[*done, value] for done in combos for value in values]
            for combo in combos:
                full = "".join(value for _, value, _ in combo)
                codes[full] = PcsCode(code, tuple(combo))
    return codes, headers


# ---------------------------------------------------------------------------------------------- HCPCS
@dataclass
class HcpcsRecord:
    code: str
    modifier: bool
    long: str
    short: str
    fields: dict[str, list[str]]


# CMS HCPCS record layout 2019 (HCPCS2019_recordlayout.txt): name, first column, width, occurrences. The names
# are those medcodes gives the properties ("hcpcs." + name).
HCPCS_FIELDS = (
    ("pricing", 120, 2, 4),
    ("multiple_pricing", 128, 1, 1),
    ("coverage_issues_manual", 129, 6, 3),
    ("carriers_manual", 147, 8, 3),
    ("statute", 171, 10, 1),
    ("lab_certification", 181, 3, 8),
    ("cross_reference", 205, 5, 5),
    ("coverage", 230, 1, 1),
    ("asc_group", 231, 2, 1),
    ("asc_group_date", 233, 8, 1),
    ("mog_group", 241, 3, 1),
    ("mog_indicator", 244, 1, 1),
    ("mog_date", 245, 8, 1),
    ("processing_note", 253, 4, 1),
    ("betos", 257, 3, 1),
    ("type_of_service", 261, 1, 5),
    ("anesthesia_base_units", 266, 3, 1),
    ("add_date", 269, 8, 1),
    ("effective_date", 277, 8, 1),
    ("termination_date", 285, 8, 1),
    ("action", 293, 1, 1),
)


def hcpcs(path: Path) -> dict[str, HcpcsRecord]:
    """The CMS alpha-numeric file: per code, a first line (record id 3, or 7 for a modifier, in column 11)
    with the details, then lines 4/8 that continue its long description (columns 12-91), cut between words."""
    with zipfile.ZipFile(path) as archive:
        member = next(n for n in archive.namelist() if re.fullmatch(r"HCPC\d{4}_CONTR_ANWEB\.txt", n, re.I))
        lines = archive.read(member).decode("latin-1").splitlines()
    out: dict[str, HcpcsRecord] = {}
    current: HcpcsRecord | None = None
    for line in lines:
        kind = line[10:11]
        if kind in ("3", "7"):
            fields = {
                name: [
                    v
                    for v in (line[start - 1 + i * width : start - 1 + (i + 1) * width].strip() for i in range(n))
                    if v
                ]
                for name, start, width, n in HCPCS_FIELDS
            }
            current = HcpcsRecord(line[:5].strip(), kind == "7", line[11:91], line[91:119].strip(), fields)
            out[current.code] = current
        elif kind in ("4", "8") and current is not None:
            current.long += " " + line[11:91]
    for record in out.values():
        record.long = squash(record.long)
    return out


# ---------------------------------------------------------------------------------------------- crosswalks
def gem_rows(path: Path) -> Iterator[tuple[str, str, str]]:
    """(source, target, five flag digits) of each GEM row (CDC Dxgem_guide_2018)."""
    for line in gzip.decompress(path.read_bytes()).decode("latin-1").splitlines():
        if line.strip():
            source, target, flags = line.split()
            yield source, target, flags


def icd9_dx(code: str) -> str:
    code = code.upper()
    return dot(code, 4 if code.startswith("E") else 3)


def who_rows(path: Path) -> list[list[str]]:
    text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
    return [line.split("\t") for line in text.splitlines()[1:] if line.strip()]


# ---------------------------------------------------------------------------------------------- titles of other systems
def icd11_titles(path: Path) -> dict[str, str]:
    """Code (or BlockId, or chapter number) -> title of the WHO simple tabulation, without WHO's depth dashes.
    A block WHO gives no BlockId (chapters V and X) is named ``Block-<entity id>``, medcodes' name for it."""
    text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    next(reader)
    out: dict[str, str] = {}
    for row in reader:
        uri, code, block, title, kind, chapter = row[1], row[2], row[3], row[4], row[5], row[8]
        if kind == "block" and not block:
            block = "Block-" + re.findall(r"/(\d+)(?:/[a-z]+)?$", uri)[0]
        key = code or block or (chapter if kind == "chapter" else "")
        if key:
            out[key] = re.sub(r"^(?:- )+", "", title.strip())
    return out


def icd9_titles(path: Path) -> dict[str, str]:
    """Code -> long title of the CMS v32 master descriptions: diagnoses (dot after 3, after 4 for E codes) and
    procedures (dot after 2)."""
    out: dict[str, str] = {}
    for member, procedure in (("CMS32_DESC_LONG_DX.txt", False), ("CMS32_DESC_LONG_SG.txt", True)):
        for line in _zip_lines(path, member):
            if line.strip():
                code, title = line.split(None, 1)
                out[dot(code, 2) if procedure else icd9_dx(code)] = title.strip()
    return out


def drg_titles(path: Path) -> dict[str, tuple[str, str]]:
    """DRG -> (MDC, title) of Appendix A: "020 01  P  TITLE" (the MDC blank for pre-MDC DRGs, no M or P for
    998 and 999)."""
    out: dict[str, tuple[str, str]] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        match = re.match(r"^(\d{3}) (\d{2}| {2}) +(?:[MP] +)?(\S.*)$", line)
        if match:
            out[match.group(1)] = (match.group(2).strip(), match.group(3).strip())
    return out
