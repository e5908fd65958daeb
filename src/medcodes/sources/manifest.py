"""The official release files medcodes knows how to fetch: where each publisher puts it, what it holds.

Every entry names the publisher's own URL and the page that links to it. ``verified`` says whether the URL was
checked against the publisher's page (or a copy of it), and ``sha256`` is filled in only where a byte-identical
copy of the publisher's file is in the project's reference data (see the reference data's PROVENANCE files).
The fetcher (``sources/download.py``) checks a download against a known sha256 and rejects a mismatch.

How the URLs were checked (the publishers cannot be reached from where this was written):

* CDC ``ftp.cdc.gov`` folders: against copies of the folder listings themselves (``index.html`` of
  ``/pub/Health_Statistics/NCHS/Publications/ICD10CM/2026/`` and ``/2018/``, as mirrored in GitHub
  ``dewittpe/medicalcoder`` @ e9e65b69 under ``data-raw/icd/icd10/ftp.cdc.gov/``), names and sizes.
* CMS ICD-10 files: the links of https://www.cms.gov/medicare/coding-billing/icd-10-codes as recorded by
  ``dewittpe/medicalcoder`` ``data-raw/icd/icd10/download.sh`` ("last accessed 29 July 2025"); the 2026 order
  files it fetched from them are the byte-identical zips of the reference data (sha256 below).
* Others: the URL had to be seen linked from the named publisher page by at least two independent sources;
  where it was not, the entry says ``verified=False``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from medcodes.errors import UnknownRelease
from medcodes.sources.kinds import FileKind
from medcodes.systems import SystemId, parse_system

__all__ = [
    "MANIFEST",
    "KnownFile",
    "Publisher",
    "UnknownRelease",
    "downloadable_systems",
    "known_releases",
    "select",
]


class Publisher(StrEnum):
    CMS = "CMS"
    CDC = "CDC"
    WHO = "WHO"


@dataclass(frozen=True, slots=True)
class KnownFile:
    """One official release file: which systems and release it belongs to, where it is published, what it holds."""

    systems: tuple[SystemId, ...]
    release: str  # "2026" (fiscal or calendar year), or "2026-07" where a publisher releases more than once a year
    publisher: Publisher
    url: str  # the publisher's own URL
    name: str  # the file name on disk: the last part of the URL path, unquoted
    contains: str  # one line
    kinds: tuple[FileKind, ...]  # the FileKinds medcodes reads out of it
    page: str  # the publisher's page that links to the file
    sha256: str | None = None  # of the publisher's file, where a byte-identical copy was available to check
    size: int | None = None  # bytes, as the publisher's listing or the checked copy gives it
    verified: bool = True  # False: the URL could not be checked against the publisher's page

    @property
    def relative_path(self) -> PurePosixPath:
        """Where the file goes under the download folder: ``<system>/<release>/<name>``. Publishers reuse names
        across releases (WHO's ``mapping.zip``), so each release has its own folder."""
        return PurePosixPath(self.systems[0].value, self.release, self.name)


# Publisher pages (each entry below repeats the one it comes from).
_CMS_ICD10 = "https://www.cms.gov/medicare/coding-billing/icd-10-codes"
_CDC_ICD10CM_2026 = "https://ftp.cdc.gov/pub/Health_Statistics/NCHS/Publications/ICD10CM/2026/"
_CDC_ICD10CM_2018 = "https://ftp.cdc.gov/pub/Health_Statistics/NCHS/Publications/ICD10CM/2018/"
_CMS_PCS_GEMS_2018 = "https://www.cms.gov/medicare/coding/icd10/2018-icd-10-pcs-and-gems"
_CMS_ICD9 = (
    "https://www.cms.gov/medicare/coding-billing/icd-10-codes/"
    "icd-9-cm-diagnosis-procedure-codes-abbreviated-and-full-code-titles"
)
_CMS_HCPCS_QUARTERLY = "https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/quarterly-update"
_CMS_HCPCS_2019 = (
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets/Alpha-Numeric-HCPCS-Items/2019-Alpha-Numeric-HCPCS-File"
)
_CMS_MSDRG = (
    "https://www.cms.gov/medicare/payment/prospective-payment-systems/acute-inpatient-pps/"
    "ms-drg-classifications-and-software"
)
_WHO_ICD10 = "https://icdcdn.who.int/icd10/index.html"

_ICD10CM_XML = (
    FileKind.ICD10CM_TABULAR,
    FileKind.ICD10CM_INDEX,
    FileKind.ICD10CM_EINDEX,
    FileKind.ICD10CM_DRUG,
    FileKind.ICD10CM_NEOPLASM,
)


def _hcpcs_quarter(month: str, number: str) -> KnownFile:
    # CMS posts one complete alpha-numeric file per quarter on the quarterly-update page, named
    # <month>-<year>-alpha-numeric-hcpcs-file.zip (fixed-width HCPC<year>_<MON>_ANWEB*.txt, its .xlsx twin and the
    # record layout). Seen linked from that page for January, April and July 2026.
    return KnownFile(
        systems=(SystemId.HCPCS,),
        release=f"2026-{number}",
        publisher=Publisher.CMS,
        url=f"https://www.cms.gov/files/zip/{month}-2026-alpha-numeric-hcpcs-file.zip",
        name=f"{month}-2026-alpha-numeric-hcpcs-file.zip",
        contains=f"HCPCS Level II codes and modifiers in effect {month.title()} 1, 2026 (fixed width), record layout",
        kinds=(FileKind.HCPCS_ALPHA,),
        page=_CMS_HCPCS_QUARTERLY,
    )


def _icd11(release: str) -> tuple[KnownFile, KnownFile]:
    # WHO release files on its CDN, linked from the ICD-11 browser of that release
    # (https://icd.who.int/browse/<release>/mms/en: "Spreadsheet File" and, under Info, the ICD-10/ICD-11 mapping
    # tables). ICD-11 is (c) WHO, CC BY-ND 3.0 IGO: keep the files unmodified and keep the attribution.
    page = f"https://icd.who.int/browse/{release}/mms/en"
    base = f"https://icdcdn.who.int/static/releasefiles/{release}"
    return (
        KnownFile(
            systems=(SystemId.ICD11,),
            release=release,
            publisher=Publisher.WHO,
            url=f"{base}/SimpleTabulation-ICD-11-MMS-en.zip",
            name="SimpleTabulation-ICD-11-MMS-en.zip",
            contains="ICD-11 MMS simple tabulation (tab-separated codes, titles, hierarchy; and as .xlsx), English",
            kinds=(FileKind.ICD11_TABULATION,),
            page=page,
        ),
        KnownFile(
            systems=(SystemId.ICD11,),
            release=release,
            publisher=Publisher.WHO,
            url=f"{base}/mapping.zip",
            name="mapping.zip",
            contains="WHO ICD-10 <-> ICD-11 mapping tables (10To11, 11To10; one and multiple categories)",
            kinds=(FileKind.ICD10_ICD11_MAP,),
            page=page,
        ),
    )


MANIFEST: tuple[KnownFile, ...] = (
    # ------------------------------------------------------------------------------------------ ICD-10-CM FY2026
    # CMS ICD-10 page, "2026 ICD-10-CM" files: "2026 Code Descriptions in Tabular Order (ZIP)".
    KnownFile(
        systems=(SystemId.ICD10CM,),
        release="2026",
        publisher=Publisher.CMS,
        url="https://www.cms.gov/files/zip/2026-code-descriptions-tabular-order.zip",
        name="2026-code-descriptions-tabular-order.zip",
        contains="order file icd10cm_order_2026.txt (short and long titles, billable flag), codes file, addenda",
        kinds=(FileKind.ICD10CM_ORDER, FileKind.ICD10CM_ADDENDA),
        page=_CMS_ICD10,
        # byte-identical to the reference copy icd10cm/fy2026/2026-code-descriptions-tabular-order.cms_2026_dx.zip
        sha256="55a9124a27ca78a4a5c41e1101eda064ec2e08d105ff9e78d1fbd1a83298ef11",
        size=2204985,
    ),
    # CDC folder listing: "icd10cm-table and index-2026.zip" (18,744,973 bytes, 6/12/2025). The same XML files as
    # CMS's "2026 Code Tables, Tabular and Index (ZIP)"; CDC's is the one whose listing could be checked.
    KnownFile(
        systems=(SystemId.ICD10CM,),
        release="2026",
        publisher=Publisher.CDC,
        url="https://ftp.cdc.gov/pub/Health_Statistics/NCHS/Publications/ICD10CM/2026/icd10cm-table%20and%20index-2026.zip",
        name="icd10cm-table and index-2026.zip",
        contains="tabular list XML, alphabetic index XML, external cause index, drug and neoplasm tables (XML, PDF)",
        kinds=_ICD10CM_XML,
        page=_CDC_ICD10CM_2026,
        size=18744973,
    ),
    # CDC folder listing: "ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx" (164,524 bytes).
    KnownFile(
        systems=(SystemId.ICD10CM,),
        release="2026",
        publisher=Publisher.CDC,
        url="https://ftp.cdc.gov/pub/Health_Statistics/NCHS/Publications/ICD10CM/2026/ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx",
        name="ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx",
        contains="code conversion table: each code's earlier codes, by fiscal year of change (code history)",
        kinds=(FileKind.ICD10CM_CONVERSION,),
        page=_CDC_ICD10CM_2026,
        # byte-identical to the reference copy icd10cm/fy2026/ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx
        sha256="9040e201d336180bc2f9b5824661a02899bb969d107f352aa81b2e44730d2479",
        size=164524,
    ),
    # ----------------------------------------------------------------------------------------- ICD-10-PCS FY2026
    # CMS ICD-10 page, "2026 ICD-10-PCS" files: "2026 ICD-10-PCS Order File (Long and Abbreviated Titles) (ZIP)".
    KnownFile(
        systems=(SystemId.ICD10PCS,),
        release="2026",
        publisher=Publisher.CMS,
        url="https://www.cms.gov/files/zip/2026-icd-10-pcs-order-file-long-and-abbreviated-titles.zip",
        name="2026-icd-10-pcs-order-file-long-and-abbreviated-titles.zip",
        contains="order file icd10pcs_order_2026.txt (table headers and valid codes, short and long titles), addenda",
        kinds=(FileKind.PCS_ORDER, FileKind.PCS_ADDENDA),
        page=_CMS_ICD10,
        # byte-identical to the reference copy icd10pcs/2026-icd-10-pcs-order-file.cms_2026_pr.zip
        sha256="64e37e6060bfd9eca74d9973be28fdf570b40f87a3a855bd078eb343dd0e594e",
        size=1319592,
    ),
    # CMS ICD-10 page, "2026 ICD-10-PCS Code Tables and Index (ZIP)". The URL is the one third-party code uses; the
    # link on the CMS page itself could not be seen (CMS renames a file when it updates it: "-updated-<date>").
    KnownFile(
        systems=(SystemId.ICD10PCS,),
        release="2026",
        publisher=Publisher.CMS,
        url="https://www.cms.gov/files/zip/2026-icd-10-pcs-code-tables-and-index.zip",
        name="2026-icd-10-pcs-code-tables-and-index.zip",
        contains="PCS tables XML (axis labels), index XML, definitions XML, schemas",
        kinds=(FileKind.PCS_TABLES, FileKind.PCS_INDEX, FileKind.PCS_DEFINITIONS),
        page=_CMS_ICD10,
        verified=False,
    ),
    # -------------------------------------------------------------------------------------------- HCPCS Level II
    _hcpcs_quarter("january", "01"),
    _hcpcs_quarter("april", "04"),
    _hcpcs_quarter("july", "07"),
    # The 2019 annual file from the old CMS "Alpha-Numeric HCPCS" item page. Its sha256 is known (the copy in
    # the reference data's hcpcs/ folder), but the download URL is inferred from the 2016 and 2024 links of the
    # same folder:
    # CMS has retired that site section, so the URL may only redirect or be gone.
    KnownFile(
        systems=(SystemId.HCPCS,),
        release="2019",
        publisher=Publisher.CMS,
        url="https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets/Downloads/2019-Alpha-Numeric-HCPCS-File.zip",
        name="2019-Alpha-Numeric-HCPCS-File.zip",
        contains="HCPCS Level II 2019 annual file HCPC2019_CONTR_ANWEB.txt (fixed width) with .xlsx, changes, notes",
        kinds=(FileKind.HCPCS_ALPHA,),
        page=_CMS_HCPCS_2019,
        # byte-identical to the reference copy hcpcs/2019-Alpha-Numeric-HCPCS-File.zip
        sha256="61c0ba424005b1ffcabfcd9eba6833e8046912343e1da7c99cbfd055dde8dcb1",
        size=1943834,
        verified=False,
    ),
    # ------------------------------------------------------------------------------------------------ ICD-9-CM
    # CMS "ICD-9-CM Diagnosis and Procedure Codes: Abbreviated and Full Code Titles", "Version 32 Full and Abbreviated
    # Code Titles - Effective October 1, 2014 (ZIP)": the final ICD-9-CM release (FY2015). An independent record of a
    # download from this URL gives the same sha256 as the copy here.
    KnownFile(
        systems=(SystemId.ICD9CM,),
        release="2015",
        publisher=Publisher.CMS,
        url="https://www.cms.gov/medicare/coding/icd9providerdiagnosticcodes/downloads/icd-9-cm-v32-master-descriptions.zip",
        name="icd-9-cm-v32-master-descriptions.zip",
        contains="v32 master descriptions: CMS32_DESC_LONG/SHORT_DX.txt (diagnoses), _SG.txt (procedures), .xlsx",
        kinds=(FileKind.ICD9CM_MASTER,),
        page=_CMS_ICD9,
        # byte-identical to the reference copy icd9cm/icd-9-cm-v32-master-descriptions.cms_v32.zip
        sha256="45a7d05ddcadf124af88375b64cdf068bb1e3f999ce7fdacb91f65f4e6d55f08",
        size=1079497,
    ),
    # GEMs, the ICD-9-CM <-> ICD-10 crosswalks; 2018 is the last GEM release. They come with ICD-9-CM: without
    # ICD-9-CM codes in the database they map to nothing.
    # CDC folder listing 2018: "Dxgem_2018.zip" (1,114,471 bytes, 8/2/2017).
    KnownFile(
        systems=(SystemId.ICD9CM,),
        release="2018",
        publisher=Publisher.CDC,
        url="https://ftp.cdc.gov/pub/Health_Statistics/NCHS/Publications/ICD10CM/2018/Dxgem_2018.zip",
        name="Dxgem_2018.zip",
        contains="diagnosis GEMs 2018_I9gem.txt (ICD-9-CM -> ICD-10-CM), 2018_I10gem.txt (back), guide, tech doc",
        kinds=(FileKind.GEM_DX_9_TO_10, FileKind.GEM_DX_10_TO_9),
        page=_CDC_ICD10CM_2018,
        # byte-identical to the reference copy gems/Dxgem_2018.zip
        sha256="2791c0d0560690423a7c3134107f315adb48459df5807fefddeb36ac55b2bc6b",
        size=1114471,
    ),
    # CMS "2018 ICD-10-PCS and GEMs": "2018 General Equivalence Mappings (GEMS) - Updated August 03, 2017 (ZIP)".
    KnownFile(
        systems=(SystemId.ICD9CM,),
        release="2018",
        publisher=Publisher.CMS,
        url="https://www.cms.gov/medicare/coding/icd10/downloads/2018-icd-10-pcs-general-equivalence-mappings.zip",
        name="2018-icd-10-pcs-general-equivalence-mappings.zip",
        contains="procedure GEMs gem_i9pcs.txt (ICD-9-CM procedures -> ICD-10-PCS) and gem_pcsi9.txt (back), guide",
        kinds=(FileKind.GEM_PCS_9_TO_10, FileKind.GEM_PCS_10_TO_9),
        page=_CMS_PCS_GEMS_2018,
    ),
    # -------------------------------------------------------------------------------------------------- MS-DRG
    # CMS "MS-DRG Classifications and Software": "ICD-10 MS-DRG Definitions Manual Files V43" (FY2026), whose
    # appendix_A.txt lists the MS-DRGs. Sources disagree on the spelling ("icd10-" here, "icd-10-" for v42 and
    # earlier) and the link on the CMS page could not be seen.
    KnownFile(
        systems=(SystemId.MSDRG,),
        release="2026",
        publisher=Publisher.CMS,
        url="https://www.cms.gov/files/zip/icd10-ms-drg-definitions-manual-files-v43.zip",
        name="icd10-ms-drg-definitions-manual-files-v43.zip",
        contains="MS-DRG v43 definitions manual, text version (appendix_A.txt: DRG, MDC, type, title; logic tables)",
        kinds=(FileKind.MSDRG_APPENDIX_A,),
        page=_CMS_MSDRG,
        verified=False,
    ),
    # ----------------------------------------------------------------------------------------------- ICD-11 MMS
    *_icd11("2024-01"),
    *_icd11("2026-01"),
    # -------------------------------------------------------------------------------------------- ICD-10 (WHO)
    # WHO ICD-10 download page (icdcdn.who.int/icd10): the 2019 edition in ClaML XML. (c) WHO. Used by several
    # projects, but the page itself could not be seen.
    KnownFile(
        systems=(SystemId.ICD10,),
        release="2019",
        publisher=Publisher.WHO,
        url="https://icdcdn.who.int/icd10/claml/icd102019en.xml.zip",
        name="icd102019en.xml.zip",
        contains="WHO ICD-10 2019 in ClaML XML (chapters, blocks, categories, inclusions, exclusions), English",
        kinds=(FileKind.ICD10_WHO,),
        page=_WHO_ICD10,
        verified=False,
    ),
)


def downloadable_systems() -> tuple[SystemId, ...]:
    """The systems with at least one known official file, in SystemId order."""
    return tuple(s for s in SystemId if any(s in f.systems for f in MANIFEST))


def known_releases(system: SystemId) -> tuple[str, ...]:
    """The releases of ``system`` that the manifest knows, newest first."""
    return tuple(sorted({f.release for f in MANIFEST if system in f.systems}, reverse=True))


def _newest_per_kind(files: Sequence[KnownFile]) -> list[KnownFile]:
    # A system's files come in kinds (ICD-9-CM: master descriptions, final in 2015; GEMs, final in 2018): take, for
    # every kind, the newest release that has it. Release labels are "YYYY" or "YYYY-MM", so they sort as text.
    newest: dict[FileKind, str] = {}
    for file in files:
        for kind in file.kinds:
            newest[kind] = max(newest.get(kind, file.release), file.release)
    return [f for f in files if any(newest[k] == f.release for k in f.kinds)]


def select(names: Sequence[str | SystemId], release: str | None = None) -> tuple[KnownFile, ...]:
    """The known files to fetch for ``names`` (every downloadable system when empty).

    Without ``release``, the newest known release of each kind of file. With it, that release; a year also
    matches its "YYYY-MM" releases (``2026`` picks the newest 2026 quarter of HCPCS, ``2026-01`` of ICD-11).
    Raises UnknownSystem for a name that is no system, UnknownRelease for a release the manifest does not know.
    """
    systems = [s if isinstance(s, SystemId) else parse_system(s) for s in names] or list(downloadable_systems())
    chosen: dict[PurePosixPath, KnownFile] = {}
    for system in systems:
        files = [f for f in MANIFEST if system in f.systems]
        if not files:
            raise UnknownRelease(system, release, ())
        if release is not None:
            wanted = release.strip()
            files = [f for f in files if f.release == wanted] or [
                f for f in files if f.release.startswith(f"{wanted}-")
            ]
            if not files:
                raise UnknownRelease(system, wanted, known_releases(system))
        for file in _newest_per_kind(files):
            chosen.setdefault(file.relative_path, file)
    return tuple(chosen.values())
