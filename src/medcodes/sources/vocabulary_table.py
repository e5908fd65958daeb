"""medcodes' packaged vocabulary table: names, rewrites, definitions and index priors for ICD-10-CM, derived.

The embedded default (``medcodes build`` without ``--from``) has only the CDC tabular list; this table
carries what the open vocabularies and the Alphabetic Index add to it. ``scripts/derive_vocabulary.py``
writes it from the vocabularies' own files (read by ``doid``, ``ncit``, ``mondo``, ``hpo``,
``medical_abbreviations``, linked by ``vocabulary.link``) and the ICD-10-CM Alphabetic Index (its main terms
and first-level subterms with their codes, the priors; every entry's name of its code; what it reads a word
as: ``icd10cm_index.designations`` and ``readings``). It is derived data, not an official
file: its header says so and carries each source's name, version, files, licence and attribution.

Format: UTF-8 text, gzip-compressed, tab-separated; ``\\``, tab and line end in a field are written ``\\\\``,
``\\t`` and ``\\n``; an empty optional field is None. Header lines start with ``#``:

- ``#medcodes-vocabulary-table<TAB>1`` (the format version), then ``#note<TAB>...``;
- ``#vocabulary<TAB>name<TAB>title<TAB>version<TAB>url<TAB>files<TAB>licence<TAB>attribution`` per source
  (files as ``name=sha256`` joined by ``;``);
- ``#linked<TAB>...``: the ICD-10-CM release the rows were linked against.

Rows, by their first field:

- ``N source code kind scope text via``: a name of an ICD-10-CM code (a designation); the scope is empty for
  an index entry's name (format 2: every entry of the Alphabetic Index, not only the priors' terms);
- ``R source text target term scope``: a rewrite;
- ``D source code term text``: a definition;
- ``P source code term subterm modifiers via``: an index prior; it also gives the code the index term
  "term, subterm" as a designation (source ``index``, or ``index-reconstructed`` for rows derived from a
  reconstruction of the CDC file, as the packaged table's are);
- ``W source typed meant``: what the index reads a word as in any query (``icd10cm_index.readings``:
  "emesis" -> "vomiting"). Format 2 added these rows; a table of format 1 is read as one without them.

A build uses the rows of a vocabulary only when that vocabulary's own files are not among the files it
reads (those are newer and fuller), and the index rows only when no Alphabetic Index is loaded; every code
a row names is checked against the release being built.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from medcodes.errors import SourceError
from medcodes.models import (
    TABLE_COLUMN,
    Definition,
    Designation,
    DesignationKind,
    NameScope,
    Prior,
    Rewrite,
    SourceFile,
    Vocabulary,
    VocabularyContent,
)
from medcodes.sources.files import source_file, text_lines
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.vocabulary import words_of
from medcodes.systems import SystemId

__all__ = [
    "FORMAT",
    "INDEX",
    "RECONSTRUCTED_INDEX",
    "Table",
    "index_names",
    "index_vocabulary",
    "is_index",
    "packaged",
    "read",
    "select",
    "sniff",
    "write",
]

FORMAT = "2"
_FORMATS = ("1", FORMAT)  # those read
MAGIC = "#medcodes-vocabulary-table"
# The vocabulary name (and designation source) of the Alphabetic Index rows: "index", or "index-reconstructed"
# where they were read from a reconstruction of the CDC file in its schema (as the build labels that index's
# own terms).
INDEX = "index"
RECONSTRUCTED_INDEX = "index-reconstructed"


def is_index(name: str) -> bool:
    """Whether a vocabulary (or designation source) name is the Alphabetic Index's."""
    return name in (INDEX, RECONSTRUCTED_INDEX)


PACKAGED = "data/vocabulary.tsv.gz"
SYSTEM = SystemId.ICD10CM
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_COLUMNS = {"N": 7, "R": 6, "D": 5, "P": 7, "W": 4}


@dataclass(frozen=True, slots=True)
class Table:
    """A vocabulary table as read: its sources (``derived`` set) and its rows."""

    vocabularies: tuple[Vocabulary, ...]
    linked: str
    designations: tuple[Designation, ...] = ()
    rewrites: tuple[Rewrite, ...] = ()
    definitions: tuple[Definition, ...] = ()
    priors: tuple[Prior, ...] = ()
    readings: tuple[tuple[str, str, str], ...] = ()  # (source, word typed, word meant)


def sniff(path: Path, head: bytes) -> FoundFile | None:
    if not path.name.lower().endswith((".tsv", ".tsv.gz")) or not head.startswith(MAGIC.encode()):
        return None
    return FoundFile(FileKind.VOCABULARY_TABLE, path, head.split(b"\n", 1)[0].split(b"\t")[-1].decode().strip())


def packaged() -> FoundFile | None:
    """The table shipped inside the medcodes package, or None where it is missing (a source checkout
    before ``scripts/derive_vocabulary.py`` ran)."""
    path = Path(str(resources.files("medcodes").joinpath(PACKAGED)))
    return FoundFile(FileKind.VOCABULARY_TABLE, path, FORMAT) if path.is_file() else None


# --- writing ---------------------------------------------------------------------------------------------
def _escape(value: str | None) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in value or "")


def _line(*fields: str | None) -> str:
    return "\t".join(_escape(f) for f in fields) + "\n"


def write(path: Path, content: VocabularyContent, linked: str, note: str) -> None:
    """Write ``content`` as a table (rows sorted, gzip without a name or time: reruns give the same bytes)."""
    out = io.StringIO()
    out.write(f"{MAGIC}\t{FORMAT}\n")
    out.write(_line("#note", note))
    for v in content.vocabularies:
        files = ";".join(f"{f.name}={f.sha256}" for f in v.files)
        out.write(_line("#vocabulary", v.name, v.title, v.version, v.url, files, v.licence, v.attribution))
    out.write(_line("#linked", linked))
    rows = sorted(
        [
            _line("N", d.source, d.code, d.kind.value, d.scope.value if d.scope else None, d.text, d.via)
            for d in content.designations
        ]
        + [_line("R", r.source, r.text, r.target, r.term, r.scope.value) for r in content.rewrites]
        + [_line("D", d.source, d.code, d.term, d.text) for d in content.definitions]
        + [_line("P", p.source, p.code, p.term, p.subterm, p.modifiers, p.via) for p in content.priors]
        + [_line("W", source, typed, meant) for source, typed, meant in content.readings]
    )
    out.writelines(rows)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as fh:
        fh.write(out.getvalue().encode("utf-8"))


# --- reading ---------------------------------------------------------------------------------------------
def _fields(line: str) -> list[str]:
    fields = line.split("\t")
    if "\\" not in line:  # most rows escape nothing
        return fields
    return [_UNESCAPE.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(1)), f) for f in fields]


def _optional(value: str) -> str | None:
    return value or None


def read(found: FoundFile) -> Table:
    """Read a vocabulary table; a malformed one raises SourceError with its line."""
    path = found.path
    vocabularies: list[Vocabulary] = []
    linked = ""
    rows: dict[str, list[tuple[int, list[str]]]] = {kind: [] for kind in _COLUMNS}
    for number, line in text_lines(path, encoding="utf-8"):
        if number == 1:
            if not line.startswith(MAGIC):
                raise SourceError(path, number, f"not a medcodes vocabulary table (no {MAGIC} line)")
            if line.split("\t")[-1] not in _FORMATS:
                raise SourceError(
                    path, number, f"vocabulary table format {line.split(chr(9))[-1]}, not one of {', '.join(_FORMATS)}"
                )
            continue
        fields = _fields(line)
        if fields[0] == "#vocabulary":
            vocabularies.append(_vocabulary(path, number, fields))
        elif fields[0] == "#linked":
            linked = fields[1] if len(fields) > 1 else ""
        elif fields[0] in _COLUMNS:
            if len(fields) != _COLUMNS[fields[0]]:
                raise SourceError(
                    path, number, f"a {fields[0]} row needs {_COLUMNS[fields[0]]} fields, has {len(fields)}"
                )
            rows[fields[0]].append((number, fields[1:]))
        elif not fields[0].startswith("#") and line.strip():
            raise SourceError(path, number, f"unknown row kind {fields[0]!r}")
    try:
        return Table(
            tuple(vocabularies),
            linked,
            tuple(_designation(f) for _n, f in rows["N"]),
            tuple(Rewrite(f[1], f[2], f[0], f[3], NameScope(f[4])) for _n, f in rows["R"]),
            tuple(Definition(SYSTEM, f[1], f[3], f[0], f[2]) for _n, f in rows["D"]),
            tuple(
                Prior(SYSTEM, f[1], f[2], _optional(f[3]), _optional(f[4]), f[0], _optional(f[5]))
                for _n, f in rows["P"]
            ),
            tuple((f[0], f[1], f[2]) for _n, f in rows["W"]),
        )
    except ValueError as exc:
        raise SourceError(path, None, f"a row holds an unknown kind or scope: {exc}") from exc


def _prior(fields: list[str]) -> Prior:
    source, code, term, subterm, modifiers, via = fields
    return Prior(SYSTEM, code, term, _optional(subterm), _optional(modifiers), source, _optional(via))


def _designation(fields: list[str]) -> Designation:
    source, code, kind, scope, text, via = fields
    return Designation(
        SYSTEM, code, DesignationKind(kind), text, source, _optional(via), NameScope(scope) if scope else None
    )


def _vocabulary(path: Path, number: int, fields: list[str]) -> Vocabulary:
    if len(fields) != 8:
        raise SourceError(path, number, f"a #vocabulary line needs 8 fields, has {len(fields)}")
    _tag, name, title, version, url, files, licence, attribution = fields
    records = []
    for item in filter(None, files.split(";")):
        file_name, _, sha = item.rpartition("=")
        records.append(SourceFile(file_name, sha))
    return Vocabulary(name, title, version, tuple(records), licence, attribution, derived=True, url=_optional(url))


# --- using -----------------------------------------------------------------------------------------------
def select(
    table: Table,
    found: FoundFile,
    wanted: Callable[[str], bool],
    codes: Collection[str],
    words: Collection[str],
) -> VocabularyContent:
    """The rows of the vocabularies ``wanted`` says to use, checked against the release being built: rows
    naming a code it lacks are left out (and counted), rewrites whose target has a word it lacks too."""
    used = tuple(v for v in table.vocabularies if wanted(v.name))
    names = {v.name for v in used}
    dropped: dict[str, int] = {}

    def keep(source: str, code: str) -> bool:
        if source not in names:
            return False
        if code in codes:
            return True
        dropped[source] = dropped.get(source, 0) + 1
        return False

    priors = tuple(p for p in table.priors if keep(p.source, p.code))
    designations = tuple(d for d in table.designations if keep(d.source, d.code))
    # A prior's term is a name of its code, where the table does not carry it among its index rows already: as
    # written, or as a table's row with its column ("Lithium — Poisoning Accidental (unintentional)", which a
    # Table of Drugs prior's bare "Lithium" would otherwise name the poisoning by).
    held = {(d.source, d.code, d.text.split(TABLE_COLUMN, 1)[0]) for d in designations}
    designations += tuple(d for d in index_names(priors) if (d.source, d.code, d.text) not in held)
    # The words a rewrite may lead to: those of the release, and of the names these rows add to it.
    words = set(words).union(*(words_of(d.text) for d in designations))
    record = source_file(found.path)
    vocabularies = tuple(_with_table(v, record) for v in used)
    return VocabularyContent(
        vocabularies,
        designations,
        tuple(r for r in table.rewrites if r.source in names and _resolvable(r.target, words)),
        tuple(d for d in table.definitions if keep(d.source, d.code)),
        priors,
        readings=tuple(r for r in table.readings if r[0] in names),
        warnings=tuple(
            f"{found.path.name}: {n:,} {source} rows name codes not in the loaded release (linked against"
            f" {table.linked}); left out"
            for source, n in sorted(dropped.items())
        ),
    )


def _with_table(vocabulary: Vocabulary, table: SourceFile) -> Vocabulary:
    """A vocabulary read from the table: its own files as the table records them, and the table itself."""
    return Vocabulary(
        vocabulary.name,
        vocabulary.title,
        vocabulary.version,
        (*vocabulary.files, table),
        vocabulary.licence,
        vocabulary.attribution,
        derived=True,
        url=vocabulary.url,
    )


def _resolvable(target: str, words: Collection[str]) -> bool:
    found = words_of(target)
    return bool(found) and all(word in words for word in found)


def index_names(priors: Iterable[Prior]) -> Iterable[Designation]:
    seen: set[tuple[str, str]] = set()
    for prior in priors:
        text = prior.term if prior.subterm is None else f"{prior.term}, {prior.subterm}"
        if (prior.code, text) not in seen:
            seen.add((prior.code, text))
            yield Designation(SYSTEM, prior.code, DesignationKind.INDEX_TERM, text, prior.source, prior.via)


def index_vocabulary(title: str, version: str, files: Sequence[SourceFile], reconstructed: bool) -> Vocabulary:
    """The Vocabulary record of index rows in a table (the Alphabetic Index's, or the External Cause Index's and
    the Table of Drugs'), named as their designations' source."""
    origin = (
        "reconstructed in the CDC schema from a third-party flattening of the CDC file (not the official file)"
        if reconstructed
        else "the CDC file"
    )
    return Vocabulary(
        RECONSTRUCTED_INDEX if reconstructed else INDEX,
        f"{title}: its entries with their codes, and the main terms' codes as priors",
        version,
        tuple(files),
        "Public domain (U.S. Centers for Disease Control and Prevention, National Center for Health Statistics)",
        f"{title}, CDC/NCHS; read from {origin}.",
        url="https://www.cdc.gov/nchs/icd/icd-10-cm/",
    )
