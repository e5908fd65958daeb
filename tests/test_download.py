from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from medcodes.errors import (
    ChecksumMismatch,
    ConnectionDropped,
    CorruptDownload,
    DownloadError,
    UnknownRelease,
    UnknownSystem,
)
from medcodes.sources.download import RECORD_NAME, DownloadStatus, download, fetch, mirrored
from medcodes.sources.kinds import FileKind
from medcodes.sources.manifest import MANIFEST, KnownFile, Publisher, select
from medcodes.systems import SystemId

# --------------------------------------------------------------------------------------- a loopback publisher


@dataclass
class Site:
    """What the loopback server serves, under the publishers' paths, and what it was asked."""

    files: dict[str, bytes] = field(default_factory=dict)
    drop_after: dict[str, int] = field(default_factory=dict)  # path -> bytes sent before the connection drops, once
    corrupt: set[str] = field(default_factory=set)  # paths served with damaged bytes
    ignore_range: bool = False
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range header)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        site = self.server.site
        path = unquote(urlsplit(self.path).path)
        wanted = self.headers.get("Range")
        site.requests.append((path, wanted))
        body = site.files.get(path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        if path in site.corrupt:
            half = len(body) // 2
            body = body[:half] + bytes(len(body) - half)
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
        if match and not site.ignore_range:
            start = int(match.group(1))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        payload = body[start:]
        cut = site.drop_after.pop(path, None)
        self.wfile.write(payload if cut is None else payload[:cut])

    def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
        return None


@pytest.fixture
def publisher() -> Iterator[tuple[Site, str]]:
    """A loopback HTTP server standing in for the publishers, and its URL (to use as the mirror)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.site = Site()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.site, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _zip_bytes(size: int = 300_000, seed: int = 1) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("icd10cm_order_2026.txt", random.Random(seed).randbytes(size))
    return buffer.getvalue()


def _known(name: str = "sample-order-file.zip", sha256: str | None = None) -> KnownFile:
    return KnownFile(
        systems=(SystemId.ICD10CM,),
        release="2026",
        publisher=Publisher.CMS,
        url=f"https://www.cms.gov/files/zip/{name}",
        name=name,
        contains="a generated test file",
        kinds=(FileKind.ICD10CM_ORDER,),
        page="https://www.cms.gov/medicare/coding-billing/icd-10-codes",
        sha256=sha256,
    )


def _entry(name: str) -> KnownFile:
    return next(f for f in MANIFEST if f.name == name)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------------- the manifest


def test_each_file_name_is_the_last_part_of_its_url() -> None:
    for file in MANIFEST:
        assert file.url.startswith("https://")
        assert unquote(urlsplit(file.url).path.rsplit("/", 1)[-1]) == file.name


def test_no_two_entries_share_a_download_path() -> None:
    paths = [f.relative_path for f in MANIFEST]
    assert len(paths) == len(set(paths))


def test_known_sha256s_are_lowercase_hex() -> None:
    known = [f.sha256 for f in MANIFEST if f.sha256 is not None]
    assert len(known) == 6
    assert all(re.fullmatch(r"[0-9a-f]{64}", s) for s in known)


def test_known_sha256s_are_those_of_the_publishers_files_in_shared_data(shared_data: Path) -> None:
    copies = {
        "2026-code-descriptions-tabular-order.zip": (
            "icd10cm/fy2026/2026-code-descriptions-tabular-order.cms_2026_dx.zip"
        ),
        "ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx": "icd10cm/fy2026/ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx",
        "2026-icd-10-pcs-order-file-long-and-abbreviated-titles.zip": (
            "icd10pcs/2026-icd-10-pcs-order-file.cms_2026_pr.zip"
        ),
        "2019-Alpha-Numeric-HCPCS-File.zip": "hcpcs/2019-Alpha-Numeric-HCPCS-File.zip",
        "icd-9-cm-v32-master-descriptions.zip": "icd9cm/icd-9-cm-v32-master-descriptions.cms_v32.zip",
        "Dxgem_2018.zip": "gems/Dxgem_2018.zip",
    }
    for name, copy in copies.items():
        data = (shared_data / copy).read_bytes()
        assert _entry(name).sha256 == _sha256(data)
        assert _entry(name).size == len(data)


def test_the_newest_release_of_each_kind_by_default() -> None:
    names = [f.name for f in select(["icd9cm"])]
    assert names == [
        "icd-9-cm-v32-master-descriptions.zip",
        "Dxgem_2018.zip",
        "2018-icd-10-pcs-general-equivalence-mappings.zip",
    ]


def test_a_year_picks_the_newest_release_of_that_year() -> None:
    assert [f.url for f in select(["hcpcs"], "2026")] == [
        "https://www.cms.gov/files/zip/july-2026-alpha-numeric-hcpcs-file.zip"
    ]


def test_an_exact_release_picks_that_release() -> None:
    assert [f.relative_path.as_posix() for f in select(["icd11"], "2024-01")] == [
        "icd11/2024-01/SimpleTabulation-ICD-11-MMS-en.zip",
        "icd11/2024-01/mapping.zip",
    ]


def test_no_system_named_means_every_downloadable_one() -> None:
    systems = {s for f in select([]) for s in f.systems}
    assert systems == set(SystemId) - {SystemId.CPT}


def test_an_unknown_system_lists_the_known_ones() -> None:
    with pytest.raises(UnknownSystem, match="'snomed'; known systems: icd10cm, icd10pcs, hcpcs, cpt"):
        select(["snomed"])


def test_an_unknown_release_lists_the_known_ones() -> None:
    with pytest.raises(UnknownRelease, match=r"No known ICD-10-CM release '1999'; known releases: 2026$"):
        select(["icd10cm"], "1999")


def test_cpt_has_no_official_download() -> None:
    with pytest.raises(UnknownRelease, match="medcodes knows no official download for CPT") as caught:
        select(["cpt"])
    assert caught.value.hint is not None
    assert "AMA" in caught.value.hint


# ------------------------------------------------------------------------------------------------------ mirrors


def test_without_a_mirror_the_publishers_url_is_used() -> None:
    assert mirrored("https://www.cms.gov/files/zip/a.zip", None) == "https://www.cms.gov/files/zip/a.zip"


def test_a_mirror_url_replaces_scheme_and_host_and_keeps_the_path() -> None:
    url = (
        "https://ftp.cdc.gov/pub/Health_Statistics/NCHS/Publications/ICD10CM/2026/icd10cm-table%20and%20index-2026.zip"
    )
    assert mirrored(url, "http://mirror.local:8080/medcodes/") == (
        "http://mirror.local:8080/medcodes/pub/Health_Statistics/NCHS/Publications/ICD10CM/2026/"
        "icd10cm-table%20and%20index-2026.zip"
    )


def test_a_mirror_folder_holds_the_file_under_the_publishers_path(tmp_path: Path) -> None:
    url = (
        "https://ftp.cdc.gov/pub/Health_Statistics/NCHS/Publications/ICD10CM/2026/icd10cm-table%20and%20index-2026.zip"
    )
    assert mirrored(url, str(tmp_path)) == (
        tmp_path / "pub/Health_Statistics/NCHS/Publications/ICD10CM/2026/icd10cm-table and index-2026.zip"
    )


def test_a_file_url_mirror_is_a_folder(tmp_path: Path) -> None:
    assert mirrored("https://www.cms.gov/files/zip/a.zip", tmp_path.as_uri()) == tmp_path / "files/zip/a.zip"


# --------------------------------------------------------------------------------- downloads of the real files


def test_url_mirror_fetches_the_publishers_files(
    shared_data: Path, publisher: tuple[Site, str], tmp_path: Path
) -> None:
    site, mirror = publisher
    files = [_entry("icd-9-cm-v32-master-descriptions.zip"), _entry("Dxgem_2018.zip")]
    site.files["/medicare/coding/icd9providerdiagnosticcodes/downloads/icd-9-cm-v32-master-descriptions.zip"] = (
        shared_data / "icd9cm/icd-9-cm-v32-master-descriptions.cms_v32.zip"
    ).read_bytes()
    site.files["/pub/Health_Statistics/NCHS/Publications/ICD10CM/2018/Dxgem_2018.zip"] = (
        shared_data / "gems/Dxgem_2018.zip"
    ).read_bytes()
    done = download(files, tmp_path, mirror=mirror)
    assert [(d.path.relative_to(tmp_path).as_posix(), d.status) for d in done] == [
        ("icd9cm/2015/icd-9-cm-v32-master-descriptions.zip", DownloadStatus.DOWNLOADED),
        ("icd9cm/2018/Dxgem_2018.zip", DownloadStatus.DOWNLOADED),
    ]
    assert [d.sha256 for d in done] == [
        "45a7d05ddcadf124af88375b64cdf068bb1e3f999ce7fdacb91f65f4e6d55f08",
        "2791c0d0560690423a7c3134107f315adb48459df5807fefddeb36ac55b2bc6b",
    ]
    assert [_sha256(d.path.read_bytes()) for d in done] == [d.sha256 for d in done]


def test_folder_mirror_copies_the_publishers_file(shared_data: Path, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    copy = mirror / "pub/Health_Statistics/NCHS/Publications/ICD10CM/2018/Dxgem_2018.zip"
    copy.parent.mkdir(parents=True)
    copy.symlink_to(shared_data / "gems/Dxgem_2018.zip")
    (done,) = download([_entry("Dxgem_2018.zip")], tmp_path / "cache", mirror=str(mirror))
    assert done.path == tmp_path / "cache/icd9cm/2018/Dxgem_2018.zip"
    assert done.sha256 == "2791c0d0560690423a7c3134107f315adb48459df5807fefddeb36ac55b2bc6b"
    assert done.source == str(copy)


def test_a_file_missing_from_the_mirror_folder_is_a_download_error(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="no such file in the mirror folder"):
        fetch(_known(), tmp_path / "cache", mirror=str(tmp_path / "mirror"))


# ------------------------------------------------------------------------------ behaviour, on generated files


def test_resume_after_a_dropped_connection(publisher: tuple[Site, str], tmp_path: Path) -> None:
    site, mirror = publisher
    body = _zip_bytes()
    site.files["/files/zip/sample-order-file.zip"] = body
    site.drop_after["/files/zip/sample-order-file.zip"] = 100_000
    file = _known(sha256=_sha256(body))
    with pytest.raises(ConnectionDropped, match=f"closed after 100,000 of {len(body):,} bytes"):
        fetch(file, tmp_path, mirror=mirror)
    assert (tmp_path / "icd10cm/2026/sample-order-file.zip.part").stat().st_size == 100_000
    done = fetch(file, tmp_path, mirror=mirror)
    assert site.requests == [
        ("/files/zip/sample-order-file.zip", None),
        ("/files/zip/sample-order-file.zip", "bytes=100000-"),
    ]
    assert done.status is DownloadStatus.RESUMED
    assert done.sha256 == _sha256(body)
    assert not (tmp_path / "icd10cm/2026/sample-order-file.zip.part").exists()


def test_a_server_that_ignores_range_sends_the_whole_file_again(publisher: tuple[Site, str], tmp_path: Path) -> None:
    site, mirror = publisher
    body = _zip_bytes()
    site.files["/files/zip/sample-order-file.zip"] = body
    site.ignore_range = True
    part = tmp_path / "icd10cm/2026/sample-order-file.zip.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(body[:5000])
    done = fetch(_known(sha256=_sha256(body)), tmp_path, mirror=mirror)
    assert site.requests == [("/files/zip/sample-order-file.zip", "bytes=5000-")]
    assert done.status is DownloadStatus.DOWNLOADED
    assert done.path.read_bytes() == body


def test_a_part_file_already_complete_is_not_fetched_again(publisher: tuple[Site, str], tmp_path: Path) -> None:
    site, mirror = publisher
    body = _zip_bytes()
    site.files["/files/zip/sample-order-file.zip"] = body
    part = tmp_path / "icd10cm/2026/sample-order-file.zip.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(body)
    done = fetch(_known(sha256=_sha256(body)), tmp_path, mirror=mirror)
    assert done.status is DownloadStatus.RESUMED
    assert done.path.read_bytes() == body


def test_a_checksum_mismatch_is_rejected(publisher: tuple[Site, str], tmp_path: Path) -> None:
    site, mirror = publisher
    body = _zip_bytes()
    site.files["/files/zip/sample-order-file.zip"] = body
    site.corrupt.add("/files/zip/sample-order-file.zip")
    with pytest.raises(ChecksumMismatch, match=f"not the publisher's {_sha256(body)}"):
        fetch(_known(sha256=_sha256(body)), tmp_path, mirror=mirror)
    assert list((tmp_path / "icd10cm/2026").iterdir()) == []


def test_an_unreadable_zip_is_rejected_and_the_previous_file_kept(publisher: tuple[Site, str], tmp_path: Path) -> None:
    site, mirror = publisher
    body = _zip_bytes()
    site.files["/files/zip/sample-order-file.zip"] = body
    first = fetch(_known(), tmp_path, mirror=mirror)
    site.corrupt.add("/files/zip/sample-order-file.zip")
    with pytest.raises(CorruptDownload, match="not a readable zip file") as caught:
        fetch(_known(), tmp_path, mirror=mirror, force=True)
    assert "earlier file of that name kept" in str(caught.value)
    assert first.path.read_bytes() == body
    assert not first.path.with_name("sample-order-file.zip.part").exists()


def test_an_unreadable_gzip_is_rejected(publisher: tuple[Site, str], tmp_path: Path) -> None:
    site, mirror = publisher
    site.files["/files/zip/sample-order-file.txt.gz"] = gzip.compress(random.Random(2).randbytes(50_000), mtime=0)
    site.corrupt.add("/files/zip/sample-order-file.txt.gz")
    with pytest.raises(CorruptDownload, match="not a readable gz file"):
        fetch(_known("sample-order-file.txt.gz"), tmp_path, mirror=mirror)


def test_http_404_is_a_download_error(publisher: tuple[Site, str], tmp_path: Path) -> None:
    _site, mirror = publisher
    with pytest.raises(DownloadError, match=re.escape("sample-order-file.zip: HTTP 404 Not Found")) as caught:
        fetch(_known(), tmp_path, mirror=mirror)
    assert caught.value.url == f"{mirror}/files/zip/sample-order-file.zip"
    assert caught.value.hint == "see the publisher's page https://www.cms.gov/medicare/coding-billing/icd-10-codes"


def test_an_unreachable_server_is_a_download_error(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="cannot reach the server"):
        fetch(_known(), tmp_path, mirror="http://127.0.0.1:9", timeout=5)


def test_a_complete_file_is_not_fetched_again(publisher: tuple[Site, str], tmp_path: Path) -> None:
    site, mirror = publisher
    body = _zip_bytes()
    site.files["/files/zip/sample-order-file.zip"] = body
    fetch(_known(sha256=_sha256(body)), tmp_path, mirror=mirror)
    again = fetch(_known(sha256=_sha256(body)), tmp_path, mirror=mirror)
    assert again.status is DownloadStatus.CACHED
    assert len(site.requests) == 1


def test_a_file_without_known_sha256_is_found_complete_through_the_record(
    publisher: tuple[Site, str], tmp_path: Path
) -> None:
    site, mirror = publisher
    site.files["/files/zip/sample-order-file.zip"] = _zip_bytes()
    fetch(_known(), tmp_path, mirror=mirror)
    assert fetch(_known(), tmp_path, mirror=mirror).status is DownloadStatus.CACHED
    assert len(site.requests) == 1


def test_progress_reports_bytes_done_and_in_all(publisher: tuple[Site, str], tmp_path: Path) -> None:
    site, mirror = publisher
    body = _zip_bytes()
    site.files["/files/zip/sample-order-file.zip"] = body
    calls: list[tuple[str, int, int | None]] = []
    fetch(_known(), tmp_path, mirror=mirror, progress=lambda *call: calls.append(call))
    assert calls[0] == ("sample-order-file.zip", 0, len(body))
    assert calls[-1] == ("sample-order-file.zip", len(body), len(body))
    assert [done for _, done, _ in calls] == sorted(done for _, done, _ in calls)


def test_the_record_lists_each_file_with_its_sha256(publisher: tuple[Site, str], tmp_path: Path) -> None:
    site, mirror = publisher
    body = _zip_bytes()
    site.files["/files/zip/sample-order-file.zip"] = body
    fetch(_known(sha256=_sha256(body)), tmp_path, mirror=mirror)
    (entry,) = json.loads((tmp_path / RECORD_NAME).read_text(encoding="utf-8"))["files"]
    assert {k: entry[k] for k in ("path", "url", "source", "sha256", "sha256_matches_manifest", "size")} == {
        "path": "icd10cm/2026/sample-order-file.zip",
        "url": "https://www.cms.gov/files/zip/sample-order-file.zip",
        "source": f"{mirror}/files/zip/sample-order-file.zip",
        "sha256": _sha256(body),
        "sha256_matches_manifest": True,
        "size": len(body),
    }
