"""The error tree. Every error a user can cause is one of these, with fields, and renders as a sentence.

MedcodesError
├── SourceError(path, line, reason)         an official file is truncated or malformed
├── SourceMissing(path, reason)             a folder holds no file medcodes can read
├── DatabaseMissing(path)                   no database yet: run `medcodes build`
├── DatabaseUnreadable(path, reason)        a file is there but cannot be read (permissions, a folder)
├── DatabaseDamaged(path, reason)           a file is there but is no whole medcodes database
├── DatabaseOutdated(path, missing)         built by an older medcodes
├── BuildError(reason)                      a build failed; the previous database is untouched
├── CodeNotFound(system, code, release, closest)
├── InvalidCode(system, text, shape)        text cannot be a code of that system
├── UnknownSystem(name)                     re-exported from systems
└── QueryError(reason)                      a search request that cannot be answered (too long, ...)
    └── TooMuchWork(reason)                 a well-formed request over a documented work budget (422)
"""

from __future__ import annotations

from pathlib import Path

from medcodes.systems import NAMES, SystemId, UnknownSystem

__all__ = [
    "AsOfOutOfRange",
    "BuildError",
    "CodeDeleted",
    "CodeNotFound",
    "CodeNotYetValid",
    "DatabaseDamaged",
    "DatabaseMissing",
    "DatabaseOutdated",
    "DatabaseUnreadable",
    "InvalidCode",
    "MedcodesError",
    "QueryError",
    "SourceError",
    "SourceMissing",
    "TooMuchWork",
    "UnknownSystem",
]


class MedcodesError(Exception):
    """Base of every error medcodes raises on purpose. ``hint`` says what to do next."""

    hint: str | None = None
    status: int = 400


class SourceError(MedcodesError):
    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason


class SourceMissing(MedcodesError):
    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class DatabaseMissing(MedcodesError):
    status = 503

    def __init__(self, path: Path | str) -> None:
        super().__init__(f"No medcodes database at {path}")
        self.path = str(path)
        self.hint = "run `medcodes build` first (or pass --db / set MEDCODES_DB)"


class DatabaseUnreadable(MedcodesError):
    status = 503

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"The database at {path} cannot be read: {reason}")
        self.path = str(path)
        self.reason = reason
        self.hint = "check the path and its permissions (--db / MEDCODES_DB)"


class DatabaseDamaged(MedcodesError):
    status = 503

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"The database at {path} is damaged: {reason}")
        self.path = str(path)
        self.reason = reason
        self.hint = "build it again with `medcodes build` (a copy may have been cut short, or the disk is failing)"


class DatabaseOutdated(MedcodesError):
    status = 503

    def __init__(self, path: Path | str, missing: tuple[str, ...]) -> None:
        super().__init__(f"The database at {path} was built by an older medcodes (missing: {', '.join(missing)})")
        self.path = str(path)
        self.missing = missing
        self.hint = "run `medcodes build` again (with the same --from) to rebuild it"


class BuildError(MedcodesError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Build failed, the previous database is untouched: {reason}")
        self.reason = reason


class CodeNotFound(MedcodesError):
    status = 404

    def __init__(self, system: SystemId, code: str, release: str | None, closest: tuple[str, ...] = ()) -> None:
        where = f" in release {release}" if release else ""
        super().__init__(f"No {NAMES[system]} code {code!r}{where}")
        self.system = system
        self.code = code
        self.release = release
        self.closest = closest
        if closest:
            self.hint = "closest existing codes: " + ", ".join(closest)


class CodeDeleted(CodeNotFound):
    status = 410

    def __init__(
        self, system: SystemId, code: str, effective: str | None, replaced_by: tuple[str, ...], title: str | None
    ) -> None:
        MedcodesError.__init__(
            self,
            f"{NAMES[system]} code {code!r}"
            + (f" ({title})" if title else "")
            + (f" was deleted on {effective}" if effective else " was deleted")
            + (f"; replaced by {', '.join(replaced_by)}" if replaced_by else ""),
        )
        self.system = system
        self.code = code
        self.release = None
        self.closest = replaced_by
        self.effective = effective
        self.replaced_by = replaced_by
        self.hint = f"use {' or '.join(replaced_by)}" if replaced_by else "see its history with `medcodes show --as-of`"


class CodeNotYetValid(CodeNotFound):
    def __init__(self, system: SystemId, code: str, as_of: str, added: str) -> None:
        MedcodesError.__init__(self, f"{NAMES[system]} code {code!r} was not valid on {as_of}: it was added on {added}")
        self.system = system
        self.code = code
        self.release = None
        self.closest = ()
        self.hint = f"ask for a date on or after {added}"


class AsOfOutOfRange(MedcodesError):
    def __init__(self, as_of: str, ranges: tuple[str, ...]) -> None:
        super().__init__(f"No loaded release was in force on {as_of}")
        self.as_of = as_of
        self.ranges = ranges
        self.hint = "loaded: " + "; ".join(ranges)


class InvalidCode(MedcodesError):
    def __init__(self, system: SystemId, text: str, shape: str) -> None:
        super().__init__(f"{text!r} is not a {NAMES[system]} code")
        self.system = system
        self.text = text
        self.shape = shape
        self.hint = f"a {NAMES[system]} code looks like this: {shape}"


class QueryError(MedcodesError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooMuchWork(QueryError):
    """A request that is well formed but asks for more work than one request may: more words in a query or a
    batch than the documented limits (docs/operations.md)."""

    status = 422

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.hint = hint
