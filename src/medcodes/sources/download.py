"""Fetching official release files: resumable downloads, sha256 checks, and a record of what was fetched.

A file is fetched into ``<folder>/<system>/<release>/<name>.part`` and moved to its final name only once it is
complete and checked: its sha256 must match the manifest where the manifest knows it, and a zip (or .xlsx) or
gzip file must read through. A dropped connection leaves the ``.part`` file, and the next run asks the server for
the rest with an HTTP Range request (RFC 9110, section 14). A file already complete (its sha256 matches the
manifest, or the record of an earlier download) is not fetched again. ``medcodes-downloads.json`` in the folder
records every file with its URL and sha256.

``mirror`` (the MEDCODES_MIRROR setting) replaces the publishers' hosts, for sites without internet access and for
tests: a URL replaces scheme and host and keeps the publisher's path (``https://www.cms.gov/files/zip/x.zip`` with
mirror ``http://mirror.local/medcodes`` is fetched from ``http://mirror.local/medcodes/files/zip/x.zip``); a folder
holds the files under the publisher's path (``<folder>/files/zip/x.zip``).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit
from urllib.request import url2pathname

import httpx

from medcodes import __version__
from medcodes.errors import ChecksumMismatch, ConnectionDropped, CorruptDownload, DownloadError
from medcodes.sources.manifest import KnownFile, select

__all__ = [
    "RECORD_NAME",
    "ChecksumMismatch",
    "ConnectionDropped",
    "CorruptDownload",
    "DownloadError",
    "DownloadStatus",
    "Downloaded",
    "Progress",
    "download",
    "download_releases",
    "fetch",
    "mirrored",
]

# (file name, bytes done, bytes in all or None when the server does not say)
Progress = Callable[[str, int, int | None], None]

RECORD_NAME = "medcodes-downloads.json"
_CHUNK = 1 << 16
_USER_AGENT = f"medcodes/{__version__} (official code set download)"
_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)")


class DownloadStatus(StrEnum):
    DOWNLOADED = "downloaded"
    RESUMED = "resumed"  # completed a transfer an earlier run had started
    CACHED = "cached"  # already complete in the folder; not fetched again


@dataclass(frozen=True, slots=True)
class Downloaded:
    file: KnownFile
    path: Path
    sha256: str
    size: int
    status: DownloadStatus
    source: str  # the URL or mirror file it came from


def mirrored(url: str, mirror: str | None) -> str | Path:
    """Where to fetch ``url`` from: the URL itself, the same path on a mirror URL, or a file in a mirror folder."""
    if not mirror:
        return url
    publisher = urlsplit(url)
    base = urlsplit(mirror)
    if base.scheme in ("http", "https"):
        return urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + publisher.path, publisher.query, ""))
    folder = Path(url2pathname(base.path)) if base.scheme == "file" else Path(mirror).expanduser()
    return folder.joinpath(*unquote(publisher.path).strip("/").split("/"))


def download_releases(
    names: Sequence[str],
    release: str | None,
    folder: Path,
    *,
    mirror: str | None = None,
    progress: Progress | None = None,
    force: bool = False,
    timeout: float = 60.0,
) -> tuple[Downloaded, ...]:
    """Fetch the known files of the systems ``names`` (all when empty) for ``release`` (the newest when None)."""
    return download(select(names, release), folder, mirror=mirror, progress=progress, force=force, timeout=timeout)


def download(
    files: Sequence[KnownFile],
    folder: Path,
    *,
    mirror: str | None = None,
    progress: Progress | None = None,
    force: bool = False,
    timeout: float = 60.0,
) -> tuple[Downloaded, ...]:
    """Fetch ``files`` into ``folder`` one after another; the first failure raises (what was done is kept)."""
    return tuple(fetch(file, folder, mirror=mirror, progress=progress, force=force, timeout=timeout) for file in files)


def fetch(
    file: KnownFile,
    folder: Path,
    *,
    mirror: str | None = None,
    progress: Progress | None = None,
    force: bool = False,
    timeout: float = 60.0,
) -> Downloaded:
    """Fetch one file into ``folder``, or find it there already complete (unless ``force``)."""
    report: Progress = progress or _silent
    target = folder.joinpath(*file.relative_path.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    record = _read_record(folder)
    key = file.relative_path.as_posix()
    source = mirrored(file.url, mirror)
    where = str(source)
    if not force and target.is_file():
        digest = _sha256(target)
        earlier = record.get(key, {})
        if digest == file.sha256 or (
            file.sha256 is None and earlier.get("sha256") == digest and earlier.get("url") == file.url
        ):
            size = target.stat().st_size
            report(file.name, size, size)
            if key not in record:
                _write_record(folder, record, _entry(file, where, digest, size))
            return Downloaded(file, target, digest, size, DownloadStatus.CACHED, str(earlier.get("source", where)))
    part = target.with_name(target.name + ".part")
    if isinstance(source, Path):
        status = _copy(source, part, file.name, report)
    else:
        status = _get(source, part, file, report, timeout)
    try:
        digest = _verify(file, part, where)
    except CorruptDownload:
        part.unlink(missing_ok=True)  # a complete but wrong file must not be resumed
        raise
    os.replace(part, target)
    size = target.stat().st_size
    _write_record(folder, record, _entry(file, where, digest, size))
    return Downloaded(file, target, digest, size, status, where)


def _silent(name: str, done: int, total: int | None) -> None:
    return None


def _get(url: str, part: Path, file: KnownFile, report: Progress, timeout: float) -> DownloadStatus:
    offset = part.stat().st_size if part.is_file() else 0
    headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        with httpx.stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as response:
            if response.status_code == 416 and offset:
                # Range Not Satisfiable: the .part file already holds every byte, or more than the file has.
                _start, total = _parse_content_range(response.headers.get("Content-Range"))
                if total == offset:
                    report(file.name, offset, total)
                    return DownloadStatus.RESUMED
                part.unlink()
            elif response.is_error:
                hint = f"see the publisher's page {file.page}"
                if not file.verified:
                    hint += " (medcodes could not check this URL against it; the file may be named differently there)"
                raise DownloadError(url, f"HTTP {response.status_code} {response.reason_phrase}", hint)
            else:
                return _receive(response, url, offset, part, name=file.name, report=report)
    except httpx.TransportError as error:
        raise DownloadError(url, f"cannot reach the server ({error})") from None
    return _get(url, part, file, report, timeout)  # the .part file was longer than the file: fetch it whole


def _receive(
    response: httpx.Response, url: str, offset: int, part: Path, *, name: str, report: Progress
) -> DownloadStatus:
    """Write the body of a 200 (the whole file) or a 206 (the rest after ``offset``) into ``part``."""
    if response.status_code == 206:
        start, total = _parse_content_range(response.headers.get("Content-Range"))
        if start != offset:
            part.unlink()
            raise ConnectionDropped(url, f"the server sent bytes from {start}, not from {offset}")
        mode, done, status = "ab", offset, DownloadStatus.RESUMED
    else:
        # 200: the whole file, whether or not we asked for a range (a server may ignore Range).
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        mode, done, status = "wb", 0, DownloadStatus.DOWNLOADED
    report(name, done, total)
    with part.open(mode) as out:
        try:
            # The bytes as sent (identity was asked for): what the publisher's sha256 is of.
            for chunk in response.iter_raw():  # as read, so that a cut leaves no bytes unwritten
                out.write(chunk)
                done += len(chunk)
                report(name, done, total)
        except httpx.TransportError as error:
            if total is None or done >= total:
                raise ConnectionDropped(url, f"the transfer stopped after {done:,} bytes ({error})") from None
    if total is not None and done < total:
        raise ConnectionDropped(url, f"the connection closed after {done:,} of {total:,} bytes")
    return status


def _parse_content_range(value: str | None) -> tuple[int | None, int | None]:
    match = _CONTENT_RANGE.fullmatch(value.strip()) if value else None
    if match is None:
        return None, None
    start, total = match.groups()
    return (int(start) if start else None), (int(total) if total and total.isdigit() else None)


def _copy(source: Path, part: Path, name: str, report: Progress) -> DownloadStatus:
    if not source.is_file():
        raise DownloadError(str(source), "no such file in the mirror folder (MEDCODES_MIRROR)")
    total = source.stat().st_size
    done = 0
    report(name, done, total)
    try:
        with source.open("rb") as src, part.open("wb") as out:
            while chunk := src.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                report(name, done, total)
    except OSError as error:
        raise DownloadError(str(source), f"cannot copy from the mirror folder ({error})") from None
    return DownloadStatus.DOWNLOADED


def _verify(file: KnownFile, part: Path, where: str) -> str:
    digest = _sha256(part)
    if file.sha256 is not None:
        if digest != file.sha256:
            raise ChecksumMismatch(where, file.sha256, digest)
        return digest  # the publisher's own bytes: nothing more to check
    name = file.name.lower()
    try:
        if name.endswith((".zip", ".xlsx")):  # an .xlsx is a zip (ECMA-376 Part 2, Open Packaging Conventions)
            with zipfile.ZipFile(part) as archive:
                damaged = archive.testzip()  # reads every member and checks its CRC-32
            if damaged is not None:
                raise CorruptDownload(where, f"member {damaged} of the zip archive is damaged")
        elif name.endswith(".gz"):
            with gzip.open(part, "rb") as stream:
                while stream.read(1 << 20):
                    pass
    except (zipfile.BadZipFile, gzip.BadGzipFile, zlib.error, EOFError, OSError) as error:
        raise CorruptDownload(where, f"it is not a readable {Path(name).suffix[1:]} file ({error})") from None
    return digest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# The record: medcodes-downloads.json, a list of the files in the folder with where they came from.
_Entry = dict[str, str | int | bool | list[str]]


def _entry(file: KnownFile, source: str, digest: str, size: int) -> _Entry:
    return {
        "path": file.relative_path.as_posix(),
        "name": file.name,
        "systems": [s.value for s in file.systems],
        "release": file.release,
        "publisher": file.publisher.value,
        "url": file.url,
        "source": source,
        "contains": file.contains,
        "kinds": [k.value for k in file.kinds],
        "sha256": digest,
        "sha256_matches_manifest": file.sha256 is not None and file.sha256 == digest,
        "size": size,
        "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _read_record(folder: Path) -> dict[str, _Entry]:
    try:
        data = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
        files = data["files"]
        return {str(entry["path"]): entry for entry in files if isinstance(entry, dict) and "path" in entry}
    except (OSError, ValueError, KeyError, TypeError):
        # No record yet, or one that is not ours: files without a known sha256 are then fetched again.
        return {}


def _write_record(folder: Path, record: dict[str, _Entry], entry: _Entry) -> None:
    record[str(entry["path"])] = entry
    body = {
        "about": "Official release files fetched by `medcodes download`, with the sha256 of each",
        "files": [record[key] for key in sorted(record)],
    }
    temporary = folder / (RECORD_NAME + ".tmp")
    temporary.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, folder / RECORD_NAME)
