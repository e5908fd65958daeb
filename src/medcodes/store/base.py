"""The Store protocol: what every backend offers to the build and the read side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from medcodes.models import Concept, Designation, HistoryEvent, Note, Property, Relation, Release, ReleaseContent
from medcodes.systems import SystemId


class Store(Protocol):
    # --- write side (used by the build, inside one transaction per release) ---
    def add_release(self, content: ReleaseContent) -> None: ...

    def finish(self) -> None:
        """Build secondary structures (full-text index) and make the store ready to read."""

    # --- read side ---
    def releases(self) -> list[Release]: ...

    def counts(self) -> dict[SystemId, dict[str, int]]: ...

    def get(self, system: SystemId, code: str) -> Concept | None: ...

    def existing(self, system: SystemId, codes: Sequence[str]) -> list[str]:
        """The codes among ``codes`` that exist in ``system``, in the order given."""

    def children(self, system: SystemId, code: str) -> list[Concept]: ...

    def ancestors(self, system: SystemId, code: str) -> list[Concept]:
        """Root first, the concept itself excluded."""

    def notes(self, system: SystemId, code: str) -> list[Note]:
        """Own notes, then every ancestor's, nearest first, each marked with the ancestor it came from."""

    def designations(self, system: SystemId, code: str) -> list[Designation]: ...

    def properties(self, system: SystemId, code: str) -> list[Property]: ...

    def relations(self, system: SystemId, code: str) -> list[Relation]:
        """Every relation from or to the code, outgoing first."""

    def history(self, system: SystemId, code: str) -> list[HistoryEvent]: ...

    def codes_with_prefix(self, system: SystemId, prefix: str, limit: int) -> list[Concept]: ...

    def release_of(self, system: SystemId) -> Release | None: ...

    def close(self) -> None: ...
