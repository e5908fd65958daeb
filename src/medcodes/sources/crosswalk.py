"""A crosswalk: the relations between two code systems that an official mapping table states.

Crosswalks (the CMS/CDC GEMs, the WHO ICD-10 <-> ICD-11 tables) are not a release of one system, so
their loaders take the codes each linked system knows, ``known``, and count the rows that name a code
absent from its system instead of dropping them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field

from medcodes.models import Relation, SourceFile
from medcodes.sources.files import source_file
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.systems import NAMES, SystemId


@dataclass(frozen=True, slots=True)
class Crosswalk:
    """Relations read from one family of mapping tables, with what could not be linked.

    ``missing`` counts, per ``"<file>: <system>"``, the rows naming a code absent from that system's
    known codes. Such rows are still kept as relations: a GEM row naming an ICD-10-CM code deleted since
    2018 tells where that old code went. ``no_map`` lists the source codes that a table says have no
    target (GEM "NoDx"/"NoPCS", WHO "No Mapping"). ``rows`` counts the data rows read per file.
    """

    name: str
    version: str
    files: tuple[SourceFile, ...]
    relations: tuple[Relation, ...]
    missing: dict[str, int] = field(default_factory=dict)
    no_map: tuple[tuple[SystemId, str], ...] = ()
    rows: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    attribution: str | None = None  # licence notice to keep with the data (WHO content)


def display_name(found: FoundFile) -> str:
    """How a file is named in counts and warnings: its name, or ``zip!member``."""
    return f"{found.path.name}!{found.member}" if found.member else found.path.name


def file_record(found: FoundFile) -> SourceFile:
    """Name and sha256 of a file as recorded with the crosswalk (the zip's hash for a zip member)."""
    return source_file(found.path, display_name(found))


def known_sets(known: Mapping[SystemId, Collection[str]]) -> dict[SystemId, Set[str]]:
    """The known codes as sets, so that each membership test is O(1) whatever collection was passed."""
    return {system: codes if isinstance(codes, Set) else frozenset(codes) for system, codes in known.items()}


def newest(found: Sequence[FoundFile], kinds: Iterable[FileKind]) -> tuple[list[FoundFile], list[str]]:
    """The newest file of each kind (the first one given where versions tie), and a note on each file left out."""
    chosen: list[FoundFile] = []
    notes: list[str] = []
    for kind in kinds:
        candidates = [f for f in found if f.kind is kind]
        if not candidates:
            continue
        best = max(candidates, key=lambda f: f.version or "")  # max() keeps the first of equal keys
        chosen.append(best)
        notes.extend(
            f"{display_name(f)}: not read, {display_name(best)} is the {kind.value} file used"
            for f in candidates
            if f is not best
        )
    return chosen, notes


class MissingCounter:
    """Counts, per file and system, the rows that name a code absent from that system's known codes."""

    def __init__(self, known: Mapping[SystemId, Set[str]]) -> None:
        self._known = known
        self.counts: dict[str, int] = {}
        self._unchecked: set[SystemId] = set()

    def start(self, file: str, *systems: SystemId) -> None:
        """Open the counts of one file (zero where nothing is missing), for every system that can be checked."""
        for system in systems:
            if system in self._known:
                self.counts.setdefault(f"{file}: {system.value}", 0)
            else:
                self._unchecked.add(system)

    def check(self, file: str, system: SystemId, *codes: str) -> None:
        """Count one row where any of the codes it names in ``system`` is unknown."""
        known = self._known.get(system)
        if known is not None and any(code not in known for code in codes):
            key = f"{file}: {system.value}"
            self.counts[key] = self.counts.get(key, 0) + 1

    def warnings(self) -> list[str]:
        return [
            f"{NAMES[s]} codes not checked: no {NAMES[s]} code set was given"
            for s in sorted(self._unchecked, key=lambda s: s.value)
        ]
