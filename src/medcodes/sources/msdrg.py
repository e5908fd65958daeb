"""MS-DRGs from Appendix A of the CMS ICD-10 MS-DRG Definitions Manual ("List of MS-DRGs").

The text version of Appendix A (``appendix_A.txt`` in the manual's text download) opens with a boxed title
("Appendix A List of MS-DRGs Version 40.0") and a paragraph, then a header line ``DRG MDC MS Description``
and one MS-DRG a line in fixed columns: 1-3 the DRG number, 5-6 the MDC (blank where the DRG belongs to no
single MDC: the transplant and tracheostomy DRGs 001-019, the "unrelated O.R. procedure" DRGs 981-989, and
998/999), 9 the type (M medical, P surgical; blank for 998 and 999), 12 onward the title in capitals. The
layout is the same in every version from v36 to v43.1.

Concepts: each MDC as a CHAPTER coded ``MDC01``..``MDC25`` (letters first, so that an MDC never collides with
a three-digit DRG number), each DRG as a CODE under its MDC (no parent where the MDC is blank). A DRG is
billable where Appendix A gives it a type; 998 ("principal diagnosis invalid as discharge diagnosis") and 999
("ungroupable") have none: they are the grouper's error groups, and a claim grouped to them is not paid.
Appendix A gives MDC numbers only; the MDC titles below are those of the Definitions Manual's table of
contents. Titles are kept as CMS writes them, in capitals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import (
    Concept,
    ConceptKind,
    Designation,
    Property,
    Release,
    ReleaseContent,
)
from medcodes.properties import PropertyName
from medcodes.sources.files import source_file, text_lines
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.titles import title_designations
from medcodes.systems import SystemId

SYSTEM = SystemId.MSDRG

# CMS ICD-10 MS-DRG Definitions Manual, table of contents: the 25 Major Diagnostic Categories.
MDC_TITLES: dict[str, str] = {
    "01": "Diseases and Disorders of the Nervous System",
    "02": "Diseases and Disorders of the Eye",
    "03": "Diseases and Disorders of the Ear, Nose, Mouth and Throat",
    "04": "Diseases and Disorders of the Respiratory System",
    "05": "Diseases and Disorders of the Circulatory System",
    "06": "Diseases and Disorders of the Digestive System",
    "07": "Diseases and Disorders of the Hepatobiliary System and Pancreas",
    "08": "Diseases and Disorders of the Musculoskeletal System and Connective Tissue",
    "09": "Diseases and Disorders of the Skin, Subcutaneous Tissue and Breast",
    "10": "Endocrine, Nutritional and Metabolic Diseases and Disorders",
    "11": "Diseases and Disorders of the Kidney and Urinary Tract",
    "12": "Diseases and Disorders of the Male Reproductive System",
    "13": "Diseases and Disorders of the Female Reproductive System",
    "14": "Pregnancy, Childbirth and the Puerperium",
    "15": "Newborns and Other Neonates with Conditions Originating in the Perinatal Period",
    "16": "Diseases and Disorders of Blood, Blood Forming Organs, Immunologic Disorders",
    "17": "Myeloproliferative Diseases and Disorders, Poorly Differentiated Neoplasms",
    "18": "Infectious and Parasitic Diseases, Systemic or Unspecified Sites",
    "19": "Mental Diseases and Disorders",
    "20": "Alcohol/Drug Use and Alcohol/Drug Induced Organic Mental Disorders",
    "21": "Injuries, Poisonings and Toxic Effects of Drugs",
    "22": "Burns",
    "23": "Factors Influencing Health Status and Other Contacts with Health Services",
    "24": "Multiple Significant Trauma",
    "25": "Human Immunodeficiency Virus Infections",
}
_TYPES = {"M": "medical", "P": "surgical"}
_TITLE = re.compile(rb"Appendix A\s+List of MS-DRGs\s+Version\s+(\d+)\.(\d+)", re.IGNORECASE)
_HEADER = re.compile(r"^DRG\s+MDC\s+MS\s+Description\s*$")
# Fixed columns of a DRG line: "020 01  P  INTRACRANIAL ...", "001     P  HEART ...", "998        PRINCIPAL ...".
_ROW = re.compile(r"^(?P<drg>\d{3}) (?P<mdc>\d\d|  )  (?P<type>[MP ])  (?P<title>\S.*?)\s*$")


@dataclass(frozen=True, slots=True)
class Drg:
    """One line of Appendix A."""

    line: int
    code: str  # three digits, "003"
    mdc: str | None  # two digits, "05"; None where Appendix A leaves it blank
    type: str | None  # "M" or "P"; None where blank
    title: str


def mdc_code(mdc: str) -> str:
    """The canonical code of an MDC concept: ``MDC05``."""
    return f"MDC{mdc}"


def _version(major: bytes, minor: bytes) -> str:
    # "Version 40.0" is release "40"; the April releases keep their minor number ("41.1").
    return major.decode() if int(minor) == 0 else f"{major.decode()}.{minor.decode()}"


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """Appendix A's text, by its title line; the version from that line ("Version 40.0" -> "40")."""
    stated = _TITLE.search(head)
    if stated is None:
        return None
    return FoundFile(FileKind.MSDRG_APPENDIX_A, path, _version(stated.group(1), stated.group(2)))


def effective_date(version: str) -> dt.date:
    """When a version takes effect: v40 on 2022-10-01 (FY2023); a ".1" version on April 1 of the fiscal year.

    MS-DRG v25 started with FY2008 and each fiscal year since has had one major version.
    """
    major, _, minor = version.partition(".")
    if minor and int(minor):
        return dt.date(int(major) + 1983, 4, 1)
    return dt.date(int(major) + 1982, 10, 1)


def read_appendix(path: Path) -> Iterator[Drg]:
    """Every DRG line of an Appendix A text file, in file order."""
    header_seen = False
    number = 0
    for number, line in text_lines(path):
        if not header_seen:
            header_seen = bool(_HEADER.match(line.strip()))
            continue
        if not line.strip():
            continue
        row = _ROW.match(line)
        if row is None:
            raise SourceError(
                path, number, "expected a DRG line: 3-digit DRG, MDC in columns 5-6, M/P in column 9, title from 12"
            )
        mdc = row.group("mdc").strip() or None
        kind = row.group("type").strip() or None
        yield Drg(number, row.group("drg"), mdc, kind, row.group("title"))
    if not header_seen:
        raise SourceError(path, number or None, "no 'DRG MDC MS Description' header line: not Appendix A")


def load_appendix(path: Path, version: str) -> ReleaseContent:
    """Read one Appendix A file into a release of MS-DRG."""
    drgs = list(read_appendix(path))
    if not drgs:
        raise SourceError(path, None, "no DRG lines after the header")
    concepts: list[Concept] = []
    designations: list[Designation] = []
    properties: list[Property] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for mdc in sorted({drg.mdc for drg in drgs if drg.mdc is not None}):
        title = MDC_TITLES.get(mdc)
        if title is None:
            title = f"MDC {mdc}"
            warnings.append(f"MDC {mdc} is not among the 25 MDCs medcodes knows: titled {title!r}")
        code = mdc_code(mdc)
        concepts.append(Concept(SYSTEM, code, title, ConceptKind.CHAPTER, False, None, None, 0, len(concepts)))
        designations.extend(title_designations(concepts[-1], "definitions-manual"))
    for drg in drgs:
        if drg.code in seen:
            raise SourceError(path, drg.line, f"DRG {drg.code} appears twice")
        seen.add(drg.code)
        parent = mdc_code(drg.mdc) if drg.mdc else None
        concepts.append(
            Concept(
                SYSTEM,
                drg.code,
                drg.title,
                ConceptKind.CODE,
                drg.type is not None,
                parent,
                None,
                1 if parent else 0,
                len(concepts),
            )
        )
        designations.extend(title_designations(concepts[-1], "appendix-a"))
        if drg.mdc:
            properties.append(Property(SYSTEM, drg.code, PropertyName.DRG_MDC, drg.mdc, MDC_TITLES.get(drg.mdc)))
        if drg.type:
            properties.append(Property(SYSTEM, drg.code, PropertyName.DRG_TYPE, drg.type, _TYPES[drg.type]))
    release = Release(SYSTEM, version, effective_date(version), (source_file(path),))
    return ReleaseContent(
        release, tuple(concepts), tuple(designations), properties=tuple(properties), warnings=tuple(warnings)
    )


def _version_key(found: FoundFile) -> tuple[int, ...]:
    return tuple(int(part) for part in (found.version or "0").split("."))


def load(found: Sequence[FoundFile]) -> ReleaseContent | None:
    """The newest MS-DRG Appendix A among ``found``, or None when there is none."""
    files = [f for f in found if f.kind is FileKind.MSDRG_APPENDIX_A]
    if not files:
        return None
    newest = max(files, key=_version_key)
    return load_appendix(newest.path, newest.version or "0")
