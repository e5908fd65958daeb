"""The kinds of official file medcodes reads, and a file found on disk with its kind."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class FileKind(StrEnum):
    # ICD-10-CM (CDC, CMS)
    ICD10CM_TABULAR = "icd10cm-tabular"
    ICD10CM_ORDER = "icd10cm-order"
    ICD10CM_INDEX = "icd10cm-index"
    ICD10CM_EINDEX = "icd10cm-eindex"
    ICD10CM_DRUG = "icd10cm-drug"
    ICD10CM_NEOPLASM = "icd10cm-neoplasm"
    ICD10CM_ADDENDA = "icd10cm-addenda"  # CMS order-file addenda (added, deleted, revised titles)
    ICD10CM_CONVERSION = "icd10cm-conversion"  # CDC conversion table (old code -> new code)
    # ICD-10-PCS (CMS)
    PCS_TABLES = "icd10pcs-tables"
    PCS_DEFINITIONS = "icd10pcs-definitions"
    PCS_ORDER = "icd10pcs-order"
    PCS_INDEX = "icd10pcs-index"
    PCS_ADDENDA = "icd10pcs-addenda"
    # HCPCS Level II (CMS) and licensed CPT (AMA, user-supplied)
    HCPCS_ALPHA = "hcpcs-alpha-numeric"
    CPT = "cpt"
    # ICD-11 (WHO)
    ICD11_TABULATION = "icd11-simple-tabulation"
    ICD10_ICD11_MAP = "icd10-icd11-map"  # WHO 10To11 / 11To10 mapping tables
    # WHO ICD-10
    ICD10_WHO = "icd10-who"
    # ICD-9-CM (CMS v32 master descriptions)
    ICD9CM_MASTER = "icd9cm-master"
    # Crosswalks (CDC/CMS GEMs)
    GEM_DX_9_TO_10 = "gem-dx-i9-i10"
    GEM_DX_10_TO_9 = "gem-dx-i10-i9"
    GEM_PCS_9_TO_10 = "gem-pcs-i9-i10"
    GEM_PCS_10_TO_9 = "gem-pcs-i10-i9"
    # MS-DRG (CMS definitions manual)
    MSDRG_APPENDIX_A = "msdrg-appendix-a"
    # Open vocabularies of names (not code sets): the Human Disease Ontology, the NCI Thesaurus, MONDO's
    # mappings, the Human Phenotype Ontology, a medical abbreviation list, and medcodes' packaged table
    # derived from them.
    DOID_JSON = "doid-obo-json"
    DOID_OBO = "doid-obo"
    DOID_XREFS = "doid-icd10cm-report"  # DOreports/ICD10inDO.tsv
    DOID_TERMS = "doid-terms-report"  # DOreports/HumanDO.tsv
    DOID_TEXTS = "doid-texts"  # src/translations/doid-*.tsv: the English texts sent for translation
    NCIT_JSON = "ncit-obo-json"
    MONDO_SSSOM = "mondo-sssom"
    HPO_OBO = "hpo-obo"  # hp.obo, the Human Phenotype Ontology
    ABBREVIATIONS = "abbreviations-csv"
    VOCABULARY_TABLE = "medcodes-vocabulary-table"


@dataclass(frozen=True, slots=True)
class FoundFile:
    """An official file found on disk: its kind, path, the version it states, and its zip member if any."""

    kind: FileKind
    path: Path
    version: str | None = None
    member: str | None = None  # the file inside a zip


def newest(found: Sequence[FoundFile], kind: FileKind) -> list[FoundFile]:
    """The files of one kind, newest version first."""
    return sorted((f for f in found if f.kind is kind), key=lambda f: (f.version or "", str(f.path)), reverse=True)


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH_DATE = re.compile(
    r"(January|February|March|April|May|June|July|August|September|October|November|December)-(\d{1,2})-(\d{4})",
    re.IGNORECASE,
)


def effective_date(found: FoundFile) -> dt.date | None:
    """When an ICD-10-CM file takes effect: a date its member's or its own name states ("2026-04-01",
    "April-1-2026"), else October 1 before the fiscal year of its version (ICD-10-CM fiscal years start then)."""
    for name in (found.member or "", found.path.name):
        iso = _ISO_DATE.search(name)
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        month = _MONTH_DATE.search(name)
        if month:
            number = dt.datetime.strptime(month.group(1).title(), "%B").month
            return dt.date(int(month.group(3)), number, int(month.group(2)))
    if found.version and found.version.isdigit():
        return dt.date(int(found.version) - 1, 10, 1)
    return None
