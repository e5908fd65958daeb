"""A list of medical abbreviations and their meanings (imantsm/medical_abbreviations, MIT licence), as CSV.

Files: ``medical_abbreviations_*.csv`` (one per letter range, ``CSVs/`` of the repository), three columns
with a header: ``Abbreviation/Shorthand``, ``Meaning``, ``More Info`` (a link, often empty). One row per
sense: an abbreviation with several meanings has several rows ("PE": physical examination, pulmonary
embolism, ...). Which senses are kept is decided when the names are linked (``vocabulary.link``): only
those whose meaning is a known term or designation, or is said word for word within a designation.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import Vocabulary
from medcodes.sources.files import source_file, squash, table_rows
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.vocabulary import Abbreviation, VocabularySource

__all__ = ["LICENCE", "NAME", "load", "sniff"]

NAME = "abbrev-imantsm"
TITLE = "Medical abbreviations (imantsm/medical_abbreviations)"
URL = "https://github.com/imantsm/medical_abbreviations"
_HEADER = ("Abbreviation/Shorthand", "Meaning")
LICENCE = """MIT License

Copyright (c) 2020 imantsm

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE."""
ATTRIBUTION = (
    "medical_abbreviations, Copyright (c) 2020 imantsm, https://github.com/imantsm/medical_abbreviations, "
    "MIT License. Abbreviations whose meaning is a known disease term or code title are shown as names of "
    "those codes, or read as their meaning in searches."
)


def sniff(path: Path, head: bytes) -> FoundFile | None:
    if not path.name.lower().endswith((".csv", ".csv.gz")):
        return None
    first = head.decode("utf-8-sig", "replace").split("\n", 1)[0]
    columns = tuple(c.strip().strip('"') for c in first.split(","))
    return FoundFile(FileKind.ABBREVIATIONS, path) if columns[:2] == _HEADER else None


def load(found: Sequence[FoundFile]) -> VocabularySource | None:
    own = sorted((f for f in found if f.kind is FileKind.ABBREVIATIONS), key=lambda f: str(f.path))
    if not own:
        return None
    senses: dict[tuple[str, str], Abbreviation] = {}
    for item in own:
        for number, fields in table_rows(item.path, ",", encoding="utf-8-sig"):
            if number == 1 or not any(fields):
                continue
            if len(fields) < 2:
                raise SourceError(item.path, number, "expected an abbreviation and its meaning")
            text, meaning = squash(fields[0]), squash(fields[1])
            if text and meaning:
                senses.setdefault((text.casefold(), meaning.casefold()), Abbreviation(text, meaning, number))
    vocabulary = Vocabulary(
        NAME, TITLE, "not stated", tuple(source_file(f.path) for f in own), LICENCE, ATTRIBUTION, url=URL
    )
    return VocabularySource(vocabulary, abbreviations=tuple(senses.values()))
