"""HCPCS Level II from the official CMS alpha-numeric HCPCS file.

The file (``HCPC2019_CONTR_ANWEB.txt`` inside the annual zip; the quarterly ``HCPC2024_JAN_ANWEB_v2.txt``
files keep the layout) is fixed width, 320 columns a record, as the CMS record layout
(``HCPCS2019_recordlayout.txt``, "HCPCS Contractor Record - 2019") defines it. Every column position
below is that document's, 1-based and inclusive, with its field number. A procedure or modifier
record is a first line holding the detail (record id 3 or 7) and continuation lines carrying the
rest of its long description (record id 4 or 8), grouped by the sequence number.

Codes terminated before the release takes effect stay in the file (CMS keeps them for claims with
earlier dates of service); medcodes keeps them too, as not billable, with a DELETED history event.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import (
    Concept,
    ConceptKind,
    Designation,
    DesignationKind,
    HistoryEvent,
    HistoryKind,
    Property,
    Relation,
    RelationKind,
    Release,
    ReleaseContent,
)
from medcodes.properties import PropertyName
from medcodes.sources.files import source_file, squash, text_lines
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import SystemId

SYSTEM = SystemId.HCPCS
# The browsing parent of every modifier: the file lists them apart from the codes, and a letter
# chapter ("A") cannot collide with this name.
MODIFIERS = "MODIFIERS"
MODIFIERS_TITLE = "HCPCS Level II modifiers"
_SOURCE = "anweb"

# Browsing chapters, one per first letter. Neither the alpha-numeric file nor its record layout names
# the letter ranges; these are the customary section headings of HCPCS Level II (as in the published
# code books' tables of contents), and CMS's "HCPCS Level II Coding Procedures" describes the temporary
# series (C, G, H, K, Q, S, T) in the same terms. D (dental, ADA's CDT) is not in the CMS file since
# 2019 and is kept only so that an older file still gets a chapter. No official source names sub-ranges,
# so there is no block level.
CHAPTERS: dict[str, str] = {
    "A": "Transportation services including ambulance, medical and surgical supplies, and administrative,"
    " miscellaneous and investigational items",
    "B": "Enteral and parenteral therapy",
    "C": "Outpatient prospective payment system (temporary codes)",
    "D": "Dental procedures",
    "E": "Durable medical equipment",
    "G": "Procedures and professional services (temporary codes)",
    "H": "Behavioral health and substance abuse treatment services",
    "J": "Drugs administered other than oral method, and chemotherapy drugs",
    "K": "Durable medical equipment for Medicare administrative contractors (temporary codes)",
    "L": "Orthotic and prosthetic procedures and devices",
    "M": "Medical services",
    "P": "Pathology and laboratory services",
    "Q": "Miscellaneous services (temporary codes)",
    "R": "Diagnostic radiology services",
    "S": "Temporary national codes (non-Medicare)",
    "T": "National codes established for state Medicaid agencies",
    "U": "Coronavirus laboratory tests (temporary codes)",
    "V": "Vision, hearing and speech-language pathology services",
}

# Code tables of the record layout, quoted from it (wrapped text joined, "e.G." spelt "e.g.").
# Field 16, HCPCS Coverage Code.
COVERAGE: dict[str, str] = {
    "C": "Carrier judgment",
    "D": "Special coverage instructions apply",
    "I": "Not payable by Medicare",
    "M": "Non-covered by Medicare",
    "S": "Non-covered by Medicare statute",
}
# Field 9, HCPCS Pricing Indicator Code.
PRICING: dict[str, str] = {
    "00": "Service not separately priced by part B (e.g., services not covered, bundled, used by part A only, etc.)",
    "11": "Price established using national RVUs",
    "12": "Price established using national anesthesia base units",
    "13": "Price established by carriers (e.g., not otherwise classified, individual determination, carrier"
    " discretion)",
    "21": "Price subject to national limitation amount",
    "22": "Price established by carriers (e.g., gap-fills, carrier established panels)",
    "31": "Frequently serviced DME (price subject to floors and ceilings)",
    "32": "Inexpensive & routinely purchased DME (price subject to floors and ceilings)",
    "33": "Oxygen and oxygen equipment (price subject to floors and ceilings)",
    "34": "DME supplies (price subject to floors and ceilings)",
    "35": "Surgical dressings (price subject to floors and ceilings)",
    "36": "Capped rental DME (price subject to floors and ceilings)",
    "37": "Ostomy, tracheostomy and urological supplies (price subject to floors and ceilings)",
    "38": "Orthotics, prosthetics, prosthetic devices & vision services (price subject to floors and ceilings)",
    "39": "Parenteral and enteral nutrition",
    "45": "Customized DME items",
    "46": "Carrier priced (e.g., not otherwise classified, individual determination, carrier discretion,"
    " gap-filled amounts)",
    "51": "Drugs",
    "52": "Reasonable charge",
    "53": "Statute",
    "54": "Vaccinations",
    "55": "Splints and casts",
    "56": "IOLs inserted in a physician's office",
    "57": "Other carrier priced",
    "99": "Value not established",
}
# Field 10, HCPCS Multiple Pricing Indicator Code.
MULTIPLE_PRICING: dict[str, str] = {
    "9": "Not applicable as HCPCS not priced separately by part B (pricing indicator is 00) or value is not"
    " established (pricing indicator is 99)",
    "A": "Not applicable as HCPCS priced under one methodology",
    "B": "Professional component of HCPCS priced using RVUs, while technical component and global service"
    " priced by Medicare part B carriers",
    "C": "Physician interpretation of clinical lab service is priced under physician fee schedule using RVUs,"
    " while pricing of lab service is paid under clinical lab fee schedule",
    "D": "Service performed by physician is priced under physician fee schedule using RVUs, while service"
    " performed by clinical psychologist is priced under clinical psychologist fee schedule (not applicable"
    " as of January 1, 1998)",
    "E": "Service performed by physician is priced under physician fee schedule using RVUs, service performed"
    " by clinical psychologist is priced under clinical psychologist's fee schedule and service performed by"
    " clinical social worker is priced under clinical social worker fee schedule (not applicable as of"
    " January 1, 1998)",
    "F": "Service performed by physician is priced under physician fee schedule by carriers, service performed"
    " by clinical psychologist is priced under clinical psychologist's fee schedule and service performed by"
    " clinical social worker is priced under clinical social worker fee schedule (not applicable as of"
    " January 1, 1998)",
    "G": "Clinical lab service priced under reasonable charge when service is submitted on claim with blood"
    " products, while service is priced under clinical lab fee schedule when there are no blood products"
    " on claim",
}
# Field 14, HCPCS Lab Certification Code.
LAB_CERTIFICATION: dict[str, str] = {
    "010": "Histocompatibility testing",
    "100": "Microbiology",
    "110": "Bacteriology",
    "115": "Mycobacteriology",
    "120": "Mycology",
    "130": "Parasitology",
    "140": "Virology",
    "150": "Other microbiology",
    "200": "Diagnostic immunology",
    "210": "Syphilis serology",
    "220": "General immunology",
    "300": "Chemistry",
    "310": "Routine chemistry",
    "320": "Urinalysis",
    "330": "Endocrinology",
    "340": "Toxicology",
    "350": "Other chemistry",
    "400": "Hematology",
    "500": "Immunohematology",
    "510": "ABO group & Rh type",
    "520": "Antibody detection (transfusion)",
    "530": "Antibody detection (nontransfusion)",
    "540": "Antibody identification",
    "550": "Compatibility testing",
    "560": "Other immunohematology",
    "600": "Pathology",
    "610": "Histopathology",
    "620": "Oral pathology",
    "630": "Cytology",
    "800": "Radiobioassay",
    "900": "Clinical cytogenetics",
}
# Field 17, HCPCS ASC Payment Group Code: "YY" or blank (not approved for ASC).
ASC_GROUP: dict[str, str] = {"YY": "Approved to be performed in an ambulatory surgical center"}
# Field 20, HCPCS MOG Payment Policy Indicator.
MOG_POLICY: dict[str, str] = {
    "1": "ASC covered procedure",
    "2": "Bundled service/no separate payment",
    "3": "Excluded from ASC list",
    "4": "Invalid code/90 day grace period",
    "6": "Separate payment when furnished in an ASC",
    "7": "ASC restricted coverage procedure",
    "9": "ASC payment not applicable",
}
# Field 23, HCPCS Berenson-Eggers Type of Service Code: the layout's BETOS_TB table.
BETOS: dict[str, str] = {
    "M1A": "Office visits - new",
    "M1B": "Office visits - established",
    "M2A": "Hospital visit - initial",
    "M2B": "Hospital visit - subsequent",
    "M2C": "Hospital visit - critical care",
    "M3": "Emergency room visit",
    "M4A": "Home visit",
    "M4B": "Nursing home visit",
    "M5A": "Specialist - pathology",
    "M5B": "Specialist - psychiatry",
    "M5C": "Specialist - ophthalmology",
    "M5D": "Specialist - other",
    "M6": "Consultations",
    "P0": "Anesthesia",
    "P1A": "Major procedure - breast",
    "P1B": "Major procedure - colectomy",
    "P1C": "Major procedure - cholecystectomy",
    "P1D": "Major procedure - TURP",
    "P1E": "Major procedure - hysterectomy",
    "P1F": "Major procedure - explor/decompr/excisdisc",
    "P1G": "Major procedure - other",
    "P2A": "Major procedure, cardiovascular - CABG",
    "P2B": "Major procedure, cardiovascular - aneurysm repair",
    "P2C": "Major procedure, cardiovascular - thromboendarterectomy",
    "P2D": "Major procedure, cardiovascular - coronary angioplasty (PTCA)",
    "P2E": "Major procedure, cardiovascular - pacemaker insertion",
    "P2F": "Major procedure, cardiovascular - other",
    "P3A": "Major procedure, orthopedic - hip fracture repair",
    "P3B": "Major procedure, orthopedic - hip replacement",
    "P3C": "Major procedure, orthopedic - knee replacement",
    "P3D": "Major procedure, orthopedic - other",
    "P4A": "Eye procedure - corneal transplant",
    "P4B": "Eye procedure - cataract removal/lens insertion",
    "P4C": "Eye procedure - retinal detachment",
    "P4D": "Eye procedure - treatment of retinal lesions",
    "P4E": "Eye procedure - other",
    "P5A": "Ambulatory procedures - skin",
    "P5B": "Ambulatory procedures - musculoskeletal",
    "P5C": "Ambulatory procedures - inguinal hernia repair",
    "P5D": "Ambulatory procedures - lithotripsy",
    "P5E": "Ambulatory procedures - other",
    "P6A": "Minor procedures - skin",
    "P6B": "Minor procedures - musculoskeletal",
    "P6C": "Minor procedures - other (Medicare fee schedule)",
    "P6D": "Minor procedures - other (non-Medicare fee schedule)",
    "P7A": "Oncology - radiation therapy",
    "P7B": "Oncology - other",
    "P8A": "Endoscopy - arthroscopy",
    "P8B": "Endoscopy - upper gastrointestinal",
    "P8C": "Endoscopy - sigmoidoscopy",
    "P8D": "Endoscopy - colonoscopy",
    "P8E": "Endoscopy - cystoscopy",
    "P8F": "Endoscopy - bronchoscopy",
    "P8G": "Endoscopy - laparoscopic cholecystectomy",
    "P8H": "Endoscopy - laryngoscopy",
    "P8I": "Endoscopy - other",
    "P9A": "Dialysis services (Medicare fee schedule)",
    "P9B": "Dialysis services (non-Medicare fee schedule)",
    "I1A": "Standard imaging - chest",
    "I1B": "Standard imaging - musculoskeletal",
    "I1C": "Standard imaging - breast",
    "I1D": "Standard imaging - contrast gastrointestinal",
    "I1E": "Standard imaging - nuclear medicine",
    "I1F": "Standard imaging - other",
    "I2A": "Advanced imaging - CAT/CT/CTA: brain/head/neck",
    "I2B": "Advanced imaging - CAT/CT/CTA: other",
    "I2C": "Advanced imaging - MRI/MRA: brain/head/neck",
    "I2D": "Advanced imaging - MRI/MRA: other",
    "I3A": "Echography/ultrasonography - eye",
    "I3B": "Echography/ultrasonography - abdomen/pelvis",
    "I3C": "Echography/ultrasonography - heart",
    "I3D": "Echography/ultrasonography - carotid arteries",
    "I3E": "Echography/ultrasonography - prostate, transrectal",
    "I3F": "Echography/ultrasonography - other",
    "I4A": "Imaging/procedure - heart including cardiac catheterization",
    "I4B": "Imaging/procedure - other",
    "T1A": "Lab tests - routine venipuncture (non Medicare fee schedule)",
    "T1B": "Lab tests - automated general profiles",
    "T1C": "Lab tests - urinalysis",
    "T1D": "Lab tests - blood counts",
    "T1E": "Lab tests - glucose",
    "T1F": "Lab tests - bacterial cultures",
    "T1G": "Lab tests - other (Medicare fee schedule)",
    "T1H": "Lab tests - other (non-Medicare fee schedule)",
    "T2A": "Other tests - electrocardiograms",
    "T2B": "Other tests - cardiovascular stress tests",
    "T2C": "Other tests - EKG monitoring",
    "T2D": "Other tests - other",
    "D1A": "Medical/surgical supplies",
    "D1B": "Hospital beds",
    "D1C": "Oxygen and supplies",
    "D1D": "Wheelchairs",
    "D1E": "Other DME",
    "D1F": "Prosthetic/orthotic devices",
    "D1G": "Drugs administered through DME",
    "O1A": "Ambulance",
    "O1B": "Chiropractic",
    "O1C": "Enteral and parenteral",
    "O1D": "Chemotherapy",
    "O1E": "Other drugs",
    "O1F": "Hearing and speech services",
    "O1G": "Immunizations/vaccinations",
    "Y1": "Other - Medicare fee schedule",
    "Y2": "Other - non-Medicare fee schedule",
    "Z1": "Local codes",
    "Z2": "Undefined codes",
}
# Field 25, HCPCS Type of Service Code: the layout's CMS_TYPE_SRVC_TB table.
TYPE_OF_SERVICE: dict[str, str] = {
    "0": "Whole blood only (eff 01/96); whole blood or packed red cells before 01/96",
    "1": "Medical care",
    "2": "Surgery",
    "3": "Consultation",
    "4": "Diagnostic radiology",
    "5": "Diagnostic laboratory",
    "6": "Therapeutic radiology",
    "7": "Anesthesia",
    "8": "Assistant at surgery",
    "9": "Other medical items or services",
    "A": "Used durable medical equipment (DME)",
    "B": "High risk screening mammography (obsolete 1/1/98)",
    "C": "Low risk screening mammography (obsolete 1/1/98)",
    "D": "Ambulance (eff 04/95)",
    "E": "Enteral/parenteral nutrients/supplies (eff 04/95)",
    "F": "Ambulatory surgical center (facility usage for surgical services)",
    "G": "Immunosuppressive drugs",
    "H": "Hospice services (discontinued 01/95)",
    "I": "Purchase of DME (installment basis) (discontinued 04/95)",
    "J": "Diabetic shoes (eff 04/95)",
    "K": "Hearing items and services (eff 04/95)",
    "L": "ESRD supplies (eff 04/95) (renal supplier in the home before 04/95)",
    "M": "Monthly capitation payment for dialysis",
    "N": "Kidney donor",
    "P": "Lump sum purchase of DME, prosthetics, orthotics",
    "Q": "Vision items or services",
    "R": "Rental of DME",
    "S": "Surgical dressings or other medical supplies (eff 04/95)",
    "T": "Psychological therapy (term. 12/31/97); outpatient mental health limitation (eff. 1/1/98)",
    "U": "Occupational therapy",
    "V": "Pneumococcal/flu vaccine (eff 01/96); pneumococcal/flu/hepatitis B vaccine (eff 04/95-12/95);"
    " pneumococcal only before 04/95",
    "W": "Physical therapy",
    "Y": "Second opinion on elective surgery (obsoleted 1/97)",
    "Z": "Third opinion on elective surgery (obsoleted 1/97)",
}
# Field 30, HCPCS Action Code.
ACTION: dict[str, str] = {
    "A": "Add procedure or modifier code",
    "B": "Change in both administrative data field and long description of procedure or modifier code",
    "C": "Change in long description of procedure or modifier code",
    "D": "Discontinue procedure or modifier code",
    "F": "Change in administrative data field of procedure or modifier code",
    "N": "No maintenance for this code",
    "P": "Payment change (MOG, pricing indicator codes, anesthesia base units, ambulatory surgical centers)",
    "R": "Re-activate discontinued/deleted procedure or modifier code",
    "S": "Change in short description of procedure code",
    "T": "Miscellaneous change (BETOS, type of service)",
}

# Field 6, HCPCS Record Identification Code.
_PROCEDURE, _PROCEDURE_MORE, _MODIFIER, _MODIFIER_MORE = "3", "4", "7", "8"
_CONTINUES = {_PROCEDURE_MORE: _PROCEDURE, _MODIFIER_MORE: _MODIFIER}
# The last column of a first line's detail (field 30, action code, col 293).
_DETAIL_END = 293
# Cols 1-5 code (a modifier: blank 1-3, code 4-5), 6-10 sequence number, 11 record id.
_RECORD_START = re.compile(r"^(?:[A-Z0-9]{5}|   [A-Z0-9]{2})[0-9]{5}[3478]")
_CODE = re.compile(r"^[A-Z][0-9]{4}$")
_MODIFIER_CODE = re.compile(r"^[A-Z0-9]{2}$")
_CPT_CODE = re.compile(r"^[0-9]{4}[0-9FTU]$")
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_MONTH = re.compile(
    r"(?<![A-Z])(JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|JULY?|AUG(?:UST)?|SEPT?(?:EMBER)?"
    r"|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?)(?![A-Z])"
)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_PROCESSING_NOTE = re.compile(r"^\s*([0-9]{4})--(.*)$")


@dataclass(frozen=True, slots=True)
class HcpcsRecord:
    """One procedure or modifier record, its continuation lines joined; dates as the file writes them."""

    line: int  # the line of its first record
    code: str
    modifier: bool
    long_description: str
    short_description: str
    pricing: tuple[str, ...]  # field 9, up to 4
    multiple_pricing: str  # field 10
    coverage_issues_manual: tuple[str, ...]  # field 11, up to 3
    carriers_manual: tuple[str, ...]  # field 12, up to 3
    statute: str  # field 13
    lab_certification: tuple[str, ...]  # field 14, up to 8
    cross_reference: tuple[str, ...]  # field 15, up to 5
    coverage: str  # field 16
    asc_group: str  # field 17
    asc_group_date: str  # field 18
    mog_group: str  # field 19
    mog_policy: str  # field 20
    mog_date: str  # field 21
    processing_note: str  # field 22
    betos: str  # field 23
    type_of_service: tuple[str, ...]  # field 25, up to 5
    anesthesia_base_units: str  # field 26
    added: str  # field 27, YYYYMMDD
    action_effective: str  # field 28, YYYYMMDD
    terminated: str  # field 29, YYYYMMDD
    action: str  # field 30

    def termination_date(self) -> dt.date | None:
        return _date(self.terminated)

    def action_date(self) -> dt.date | None:
        return _date(self.action_effective)


def _col(line: str, start: int, end: int) -> str:
    """Columns ``start``..``end`` of the record layout (1-based, inclusive), stripped."""
    return line[start - 1 : end].strip()


def _occurs(line: str, start: int, width: int, count: int) -> tuple[str, ...]:
    """A field that the layout repeats (OCCURS MAX ``count``): its non-blank occurrences."""
    values = (_col(line, start + i * width, start + (i + 1) * width - 1) for i in range(count))
    return tuple(v for v in values if v)


def _date(value: str) -> dt.date | None:
    return dt.datetime.strptime(value, "%Y%m%d").date() if value else None


def _check_date(where: str, line: int, name: str, value: str) -> str:
    if value:
        try:
            _date(value)
        except ValueError:
            raise SourceError(where, line, f"{name} {value!r} is not a date YYYYMMDD") from None
    return value


def _first_line(where: str, number: int, line: str) -> HcpcsRecord:
    modifier = line[10] == _MODIFIER
    if len(line) < _DETAIL_END:
        raise SourceError(
            where,
            number,
            f"record of {len(line)} characters; a first procedure or modifier line holds detail up to"
            f" column {_DETAIL_END} (CMS HCPCS record layout)",
        )
    if modifier:
        code = _col(line, 4, 5)
        if line[:3].strip() or not _MODIFIER_CODE.match(code):
            raise SourceError(where, number, f"modifier record without a modifier in columns 4-5: {line[:5]!r}")
    else:
        code = _col(line, 1, 5)
        if not _CODE.match(code):
            raise SourceError(where, number, f"procedure record without an HCPCS code in columns 1-5: {line[:5]!r}")
    long_description = _col(line, 12, 91)
    if not long_description:
        raise SourceError(where, number, f"{code}: no long description in columns 12-91")
    return HcpcsRecord(
        line=number,
        code=code,
        modifier=modifier,
        long_description=long_description,
        short_description=_col(line, 92, 119),
        pricing=_occurs(line, 120, 2, 4),
        multiple_pricing=_col(line, 128, 128),
        coverage_issues_manual=_occurs(line, 129, 6, 3),
        carriers_manual=_occurs(line, 147, 8, 3),
        statute=_col(line, 171, 180),
        lab_certification=_occurs(line, 181, 3, 8),
        cross_reference=_occurs(line, 205, 5, 5),
        coverage=_col(line, 230, 230),
        asc_group=_col(line, 231, 232),
        asc_group_date=_check_date(where, number, "ASC payment group date", _col(line, 233, 240)),
        mog_group=_col(line, 241, 243),
        mog_policy=_col(line, 244, 244),
        mog_date=_check_date(where, number, "MOG effective date", _col(line, 245, 252)),
        processing_note=_col(line, 253, 256),
        betos=_col(line, 257, 259),
        type_of_service=_occurs(line, 261, 1, 5),
        anesthesia_base_units=_col(line, 266, 268),
        added=_check_date(where, number, "code added date", _col(line, 269, 276)),
        action_effective=_check_date(where, number, "action effective date", _col(line, 277, 284)),
        terminated=_check_date(where, number, "termination date", _col(line, 285, 292)),
        action=_col(line, 293, 293),
    )


def _with_more(record: HcpcsRecord, more: list[str]) -> HcpcsRecord:
    # Continuation lines carry 80-column pieces of the long description, cut between words. White space is
    # squashed in one- and many-line descriptions alike (the file writes "Addition  to lower extremity").
    return replace(record, long_description=squash(" ".join([record.long_description, *more])))


def _code_in(line: str) -> str:
    """The code of a record line: cols 1-5, or cols 4-5 for a modifier (record id 7 or 8)."""
    return _col(line, 4, 5) if line[10] in (_MODIFIER, _MODIFIER_MORE) else _col(line, 1, 5)


def read_records(path: Path, member: str | None = None) -> Iterator[HcpcsRecord]:
    """The procedure and modifier records of an alpha-numeric HCPCS file, in file order.

    Lines before the first record (the disclaimer CMS puts at the top of the file) are skipped; after
    it, every non-blank line must be a record.
    """
    where = str(path) if member is None else f"{path}!{member}"
    current: HcpcsRecord | None = None
    more: list[str] = []
    last_sequence = 0
    seen: dict[str, int] = {}
    for number, line in text_lines(path, member):
        if not line.strip():
            continue
        if not _RECORD_START.match(line):
            if current is None and not re.match(r"^\s*[A-Z][0-9]", line):
                continue  # the disclaimer before the records
            raise SourceError(
                where,
                number,
                "not an HCPCS record (expected: code in columns 1-5, sequence number 6-10, record id 3, 4, 7 or 8"
                " in column 11)",
            )
        kind = line[10]
        sequence = int(line[5:10])
        if kind in _CONTINUES:
            if (
                current is None
                or (_MODIFIER if current.modifier else _PROCEDURE) != _CONTINUES[kind]
                or _code_in(line) != current.code
                or sequence <= last_sequence
            ):
                raise SourceError(
                    where,
                    number,
                    f"continuation line (record id {kind}) of {_code_in(line)!r} does not follow its own record",
                )
            last_sequence = sequence
            text = _col(line, 12, 91)
            if text:
                more.append(text)
            continue
        if current is not None:
            yield _with_more(current, more)
        current = _first_line(where, number, line)
        key = ("modifier " if current.modifier else "") + current.code
        if key in seen:
            raise SourceError(where, number, f"{current.code} appears twice (first on line {seen[key]})")
        seen[key] = number
        more = []
        last_sequence = sequence
    if current is None:
        raise SourceError(where, None, "no HCPCS procedure or modifier record found")
    yield _with_more(current, more)


def read_processing_notes(path: Path, member: str | None = None) -> dict[str, str]:
    """The processing notes (``proc_notes_YYYY.txt``, field 22's "Appendix A") by number, as CMS writes them.

    A note starts with ``NNNN--`` and may run over several lines; each line ends with a ``*`` border.
    """
    notes: dict[str, list[str]] = {}
    current: list[str] | None = None
    for _number, line in text_lines(path, member):
        text = line.replace("\t", " ").rstrip().rstrip("*").strip()
        start = _PROCESSING_NOTE.match(text)
        if start:
            current = notes.setdefault(start.group(1), [])
            current.append(start.group(2))
        elif text and current is not None:
            current.append(text)
        elif not text:
            current = None
    return {number: squash(" ".join(parts)) for number, parts in notes.items()}


# --- finding the file ----------------------------------------------------------------------------------
def _looks_like_records(head: bytes) -> bool:
    """True when a complete line of ``head`` is a first procedure or modifier record of the layout."""
    lines = head.decode("latin-1").splitlines()[:-1]  # the last line may be cut short
    for line in lines:
        if _RECORD_START.match(line) and line[10] in (_PROCEDURE, _MODIFIER) and len(line) >= _DETAIL_END:
            return True
    return False


def _version(*names: str) -> str | None:
    """The release a file name states: "2019" (annual or January file) or "2024-04" (a quarterly one)."""
    year: str | None = None
    month = 1
    for name in names:
        upper = name.upper()
        found = _YEAR.search(upper)
        if year is None and found:
            year = found.group(1)
        named = _MONTH.search(upper)
        if month == 1 and named:
            month = _MONTHS.index(named.group(1)[:3]) + 1
    if year is None:
        return None
    return year if month == 1 else f"{year}-{month:02d}"


def _version_of(date: dt.date) -> str:
    return str(date.year) if date.month == 1 else f"{date.year}-{date.month:02d}"


def _effective(version: str) -> dt.date:
    year, _, month = version.partition("-")
    return dt.date(int(year), int(month or 1), 1)


def _is_other_member(name: str) -> bool:
    base = name.rsplit("/", 1)[-1].lower()
    return "readme" in base or base.startswith(("proc_notes", "noc"))


def sniff(path: Path, head: bytes) -> FoundFile | None:
    """Recognise the CMS alpha-numeric HCPCS file: the zip (its fixed-width member) or the text file."""
    name = path.name
    if name.lower().endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if not member.lower().endswith(".txt") or _is_other_member(member):
                        continue
                    with archive.open(member) as fh:
                        member_head = fh.read(4096)
                    if _looks_like_records(member_head):
                        return FoundFile(FileKind.HCPCS_ALPHA, path, _version(member, name), member)
        except (OSError, RuntimeError, NotImplementedError, zipfile.BadZipFile):
            return None  # not a readable zip: not ours
        return None
    if not name.lower().removesuffix(".gz").endswith(".txt") or not _looks_like_records(head):
        return None
    return FoundFile(FileKind.HCPCS_ALPHA, path, _version(name))


# --- building the release -------------------------------------------------------------------------------
def _properties(record: HcpcsRecord, notes: dict[str, str]) -> Iterator[Property]:
    def prop(name: PropertyName, value: str, labels: dict[str, str] | None = None) -> Property:
        return Property(SYSTEM, record.code, name, value, labels.get(value) if labels else None)

    def dated(name: PropertyName, value: str) -> Property:
        date = _date(value)
        return Property(SYSTEM, record.code, name, value, date.isoformat() if date else None)

    for value in record.pricing:
        yield prop(PropertyName.HCPCS_PRICING, value, PRICING)
    if record.multiple_pricing:
        yield prop(PropertyName.HCPCS_MULTIPLE_PRICING, record.multiple_pricing, MULTIPLE_PRICING)
    for value in record.coverage_issues_manual:
        yield prop(PropertyName.HCPCS_COVERAGE_ISSUES_MANUAL, value)
    for value in record.carriers_manual:
        yield prop(PropertyName.HCPCS_CARRIERS_MANUAL, value)
    if record.statute:
        yield prop(PropertyName.HCPCS_STATUTE, record.statute)
    for value in record.lab_certification:
        yield prop(PropertyName.HCPCS_LAB_CERTIFICATION, value, LAB_CERTIFICATION)
    for value in record.cross_reference:
        yield prop(PropertyName.HCPCS_CROSS_REFERENCE, value)
    if record.coverage:
        yield prop(PropertyName.HCPCS_COVERAGE, record.coverage, COVERAGE)
    if record.asc_group:
        yield prop(PropertyName.HCPCS_ASC_GROUP, record.asc_group, ASC_GROUP)
    if record.asc_group_date:
        yield dated(PropertyName.HCPCS_ASC_GROUP_DATE, record.asc_group_date)
    if record.mog_group:
        yield prop(PropertyName.HCPCS_MOG_GROUP, record.mog_group)
    if record.mog_policy:
        yield prop(PropertyName.HCPCS_MOG_POLICY, record.mog_policy, MOG_POLICY)
    if record.mog_date:
        yield dated(PropertyName.HCPCS_MOG_DATE, record.mog_date)
    if record.processing_note:
        yield prop(PropertyName.HCPCS_PROCESSING_NOTE, record.processing_note, notes)
    if record.betos:
        yield prop(PropertyName.HCPCS_BETOS, record.betos, BETOS)
    for value in record.type_of_service:
        yield prop(PropertyName.HCPCS_TYPE_OF_SERVICE, value, TYPE_OF_SERVICE)
    # Level II codes carry base units 0 (anesthesia is priced under CPT); only a real value is a fact.
    if record.anesthesia_base_units.strip("0"):
        yield prop(PropertyName.HCPCS_ANESTHESIA_BASE_UNITS, record.anesthesia_base_units)
    if record.added:
        yield dated(PropertyName.HCPCS_ADD_DATE, record.added)
    if record.action_effective:
        yield dated(PropertyName.HCPCS_EFFECTIVE_DATE, record.action_effective)
    if record.terminated:
        yield dated(PropertyName.HCPCS_TERMINATION_DATE, record.terminated)
    if record.action:
        yield prop(PropertyName.HCPCS_ACTION, record.action, ACTION)


def _target(code: str) -> SystemId | None:
    if _CODE.match(code) or _MODIFIER_CODE.match(code):
        return SystemId.HCPCS
    if _CPT_CODE.match(code):
        return SystemId.CPT
    return None  # e.g. P7001's cross-reference "CPT": a pointer to the whole code set


def _relations(record: HcpcsRecord, terminated: bool) -> Iterator[Relation]:
    # Field 15 crosswalks "a deleted code or a code that is not valid for Medicare to a valid current code".
    kind = RelationKind.REPLACED_BY if terminated else RelationKind.SEE
    for code in record.cross_reference:
        system = _target(code)
        if system is not None:
            yield Relation(SYSTEM, record.code, kind, system, code, source="hcpcs-cross-reference")


def _history(record: HcpcsRecord) -> Iterator[HistoryEvent]:
    # Field 27, the date the code was added to HCPCS: before it the code was not valid. (Its title then is
    # not in this file: the event has none.)
    added = _date(record.added)
    changed = record.action_date()
    if added is not None and not (record.action in ("A", "R") and changed == added):
        yield HistoryEvent(SYSTEM, record.code, HistoryKind.ADDED, _version_of(added), added)
    ended = record.termination_date()
    if ended is not None:
        # Field 29 is the last day a code may be used; its deletion takes effect the next day (for
        # action code D that day is the action effective date).
        gone = ended + dt.timedelta(days=1)
        successors = tuple(c for c in record.cross_reference if _target(c) is SystemId.HCPCS)
        yield HistoryEvent(
            SYSTEM,
            record.code,
            HistoryKind.DELETED,
            _version_of(gone),
            gone,
            old_title=record.long_description,
            replaced_by=successors,
        )
    if changed is None:
        return
    if record.action in ("A", "R"):
        kind = HistoryKind.ADDED
    elif record.action in ("B", "C"):
        kind = HistoryKind.REVISED
    else:
        return
    yield HistoryEvent(SYSTEM, record.code, kind, _version_of(changed), changed, new_title=record.long_description)


@dataclass(frozen=True, slots=True)
class _Parts:
    concepts: list[Concept]
    designations: list[Designation]
    properties: list[Property]
    relations: list[Relation]
    history: list[HistoryEvent]
    warnings: list[str]

    def add(self, concept: Concept) -> None:
        self.concepts.append(concept)
        self.designations.append(Designation(SYSTEM, concept.code, DesignationKind.TITLE, concept.title, _SOURCE))
        if concept.short_title:
            self.designations.append(
                Designation(SYSTEM, concept.code, DesignationKind.SHORT_TITLE, concept.short_title, _SOURCE)
            )


def _newest(found: Sequence[FoundFile]) -> FoundFile | None:
    mine = sorted(
        (f for f in found if f.kind is FileKind.HCPCS_ALPHA), key=lambda f: (f.version or "", str(f.path)), reverse=True
    )
    return mine[0] if mine else None


def _notes_of(main: FoundFile) -> dict[str, str]:
    if main.member is None:
        return {}
    try:
        with zipfile.ZipFile(main.path) as archive:
            names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1].lower().startswith("proc_notes")]
    except (OSError, zipfile.BadZipFile) as exc:
        raise SourceError(main.path, None, f"cannot read file: {exc}") from exc
    return read_processing_notes(main.path, names[0]) if names else {}


def load(found: Sequence[FoundFile]) -> ReleaseContent | None:
    """The newest alpha-numeric HCPCS file among ``found`` as one release; None when there is none."""
    main = _newest(found)
    if main is None:
        return None
    records = list(read_records(main.path, main.member))
    version = main.version
    if version is None:
        # No year in the file name: the release is the latest change the file records.
        dates = [d for r in records if (d := r.action_date()) is not None]
        if not dates:
            raise SourceError(main.path, None, "no year in the file name and no action effective date in the file")
        version = _version_of(max(dates))
    effective = _effective(version)
    notes = _notes_of(main)
    parts = _Parts([], [], [], [], [], [])
    chapters: set[str] = set()
    for record in records:
        if record.modifier:
            parent = MODIFIERS
            title = MODIFIERS_TITLE
        else:
            parent = record.code[0]
            title = CHAPTERS.get(parent, f"{parent} codes")
            if parent not in CHAPTERS and parent not in chapters:
                parts.warnings.append(f"no chapter name for HCPCS codes starting with {parent}; named '{title}'")
        if parent not in chapters:
            chapters.add(parent)
            parts.add(Concept(SYSTEM, parent, title, ConceptKind.CHAPTER, False, seq=len(parts.concepts)))
        ended = record.termination_date()
        terminated = ended is not None and ended < effective
        parts.add(
            Concept(
                SYSTEM,
                record.code,
                record.long_description,
                ConceptKind.MODIFIER if record.modifier else ConceptKind.CODE,
                not terminated,
                parent,
                record.short_description or None,
                1,
                len(parts.concepts),
            )
        )
        parts.properties.extend(_properties(record, notes))
        parts.relations.extend(_relations(record, terminated))
        parts.history.extend(_history(record))
    name = main.path.name + (f"!{main.member}" if main.member else "")
    release = Release(SYSTEM, version, effective, (source_file(main.path, name),))
    return ReleaseContent(
        release,
        tuple(parts.concepts),
        tuple(parts.designations),
        relations=tuple(parts.relations),
        properties=tuple(parts.properties),
        history=tuple(parts.history),
        warnings=tuple(parts.warnings),
    )
