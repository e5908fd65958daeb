"""Opening official files: plain, gzip-compressed or inside a zip, with errors that name the file and line."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from lxml import etree

from medcodes.errors import SourceError
from medcodes.models import SourceFile


def open_binary(path: Path) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing ``.gz`` transparently."""
    if path.suffix == ".gz":
        # GzipFile is a binary file object; typeshed does not declare it an IO[bytes].
        return cast("IO[bytes]", gzip.GzipFile(path, "rb"))
    return path.open("rb")


def line_of(element: etree._Element) -> int | None:
    """The line an element starts on, where the parser recorded it."""
    line = element.sourceline
    return line if isinstance(line, int) else None


def read_bytes(path: Path) -> bytes:
    try:
        with open_binary(path) as fh:
            return fh.read()
    except (OSError, EOFError) as exc:
        raise SourceError(path, None, f"cannot read file: {exc}") from exc


def parse_xml(path: Path, data: bytes | None = None) -> etree._Element:
    """Parse an XML file (or its bytes) into a tree; a malformed file raises SourceError with its line."""
    payload = read_bytes(path) if data is None else data
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)
    try:
        return etree.fromstring(payload, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        # libxml2 repeats the position at the end of its message; the error carries it already.
        message = re.sub(r",?\s*line \d+, column \d+$", "", exc.msg or "")
        raise SourceError(path, line, f"malformed XML: {message}") from exc


def text_lines(path: Path, member: str | None = None, encoding: str = "latin-1") -> Iterator[tuple[int, str]]:
    """Yield (line number, line without its line end) of a text file, a .gz file, or a zip member."""
    try:
        if member is not None:
            with zipfile.ZipFile(path) as archive:
                raw = archive.read(member)
            stream: IO[bytes] = io.BytesIO(raw)
        else:
            stream = open_binary(path)
        with io.TextIOWrapper(stream, encoding=encoding, newline="") as text:
            for number, line in enumerate(text, start=1):
                yield number, line.rstrip("\r\n")
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise SourceError(path, None, f"cannot read file: {exc}") from exc


def table_rows(path: Path, delimiter: str, encoding: str = "utf-8") -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) of a CSV or TSV file (plain or .gz) whose quoted fields may hold line ends."""
    try:
        with io.TextIOWrapper(open_binary(path), encoding=encoding, newline="") as text:
            reader = csv.reader(text, delimiter=delimiter)
            for fields in reader:
                yield reader.line_num, fields
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise SourceError(path, None, f"cannot read file: {exc}") from exc
    except csv.Error as exc:
        raise SourceError(path, None, f"malformed {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}") from exc


def source_file(path: Path, name: str | None = None) -> SourceFile:
    """Name and sha256 of an official file, as recorded with its release (and whether it is reconstructed)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return SourceFile(name=name or path.name, sha256=digest.hexdigest(), reconstructed=reconstructed(path))


# An XML comment in a file's head that says it is no publisher's file ("<!-- NOT OFFICIAL. Reconstructed ...").
_NOT_OFFICIAL = re.compile(rb"<!--[^>]*\b(?:NOT OFFICIAL|[Rr]econstructed)\b")


def reconstructed(path: Path) -> bool:
    """Whether a file is a reconstruction of an official file, not the file itself: its name says
    "reconstructed" (``*.reconstructed.xml.gz``), or a comment in its first 4 KiB says so."""
    if "reconstructed" in path.name.lower():
        return True
    if path.suffix.lower() not in (".xml", ".gz"):
        return False
    try:
        with open_binary(path) as fh:
            head = fh.read(4096)
    except (OSError, EOFError):
        return False
    return _NOT_OFFICIAL.search(head) is not None


def squash(text: str | None) -> str:
    """The text with each run of white space made one space, and none at either end ("" for None)."""
    # str.split() splits on exactly the characters the regex \s matches, at C speed.
    return " ".join((text or "").split())
