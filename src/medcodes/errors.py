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
├── AmbiguousCode(text, choices)            a code of several loaded systems, asked for without one
├── SystemNotLoaded(system, files, code)    the system is not in this database: how to load it
├── InvalidCode(system, text, shape)        text cannot be a code of that system
├── UnknownSystem(name)                     re-exported from systems
└── QueryError(reason)                      a search request that cannot be answered (too long, ...)
    └── TooMuchWork(reason)                 a well-formed request over a documented work budget (422)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from medcodes.systems import NAMES, SystemId, UnknownSystem, a_name

__all__ = [
    "AmbiguousCode",
    "AsOfOutOfRange",
    "BuildError",
    "CodeChoice",
    "CodeDeleted",
    "CodeNoLongerValid",
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
    "SystemNotLoaded",
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


class CodeNoLongerValid(CodeNotFound):
    """A code the current release still lists (HCPCS keeps terminated codes) that was no longer valid on a date."""

    status = 410

    def __init__(self, system: SystemId, code: str, as_of: str, ended: str, replaced_by: tuple[str, ...] = ()) -> None:
        MedcodesError.__init__(
            self,
            f"{NAMES[system]} code {code!r} was not valid on {as_of}: it was deleted on {ended}"
            + (f"; replaced by {', '.join(replaced_by)}" if replaced_by else ""),
        )
        self.system = system
        self.code = code
        self.release = None
        self.closest = replaced_by
        self.hint = f"ask for a date before {ended}" + (f", or use {' or '.join(replaced_by)}" if replaced_by else "")


class AsOfOutOfRange(MedcodesError):
    def __init__(self, as_of: str, ranges: tuple[str, ...]) -> None:
        super().__init__(f"No loaded release was in force on {as_of}")
        self.as_of = as_of
        self.ranges = ranges
        self.hint = "loaded: " + "; ".join(ranges)


@dataclass(frozen=True, slots=True)
class CodeChoice:
    """One of the codes an ambiguous text may mean."""

    system: SystemId
    code: str
    title: str


class AmbiguousCode(MedcodesError):
    # 300 Multiple Choices: the answer lists the codes, each with its own address.
    status = 300

    def __init__(self, text: str, choices: tuple[CodeChoice, ...]) -> None:
        listed = "; ".join(f"{NAMES[c.system]} {c.code} ({c.title})" for c in choices)
        super().__init__(f"{text!r} is a code of {len(choices)} loaded systems: {listed}")
        self.text = text
        self.choices = choices
        self.hint = (
            "say which system: " + " or ".join(c.system.value for c in choices) + " (--system on the command line)"
        )


class SystemNotLoaded(MedcodesError):
    status = 404

    def __init__(
        self, system: SystemId, files: tuple[str, ...], code: str | None = None, also: tuple[SystemId, ...] = ()
    ) -> None:
        if code is None:
            message = f"{NAMES[system]} is not loaded in this database"
        elif also:
            others = " or ".join(f"{a_name(s)} code" for s in also)
            message = f"{code!r} may be {a_name(system)} code or {others}, but none of them is loaded in this database"
        else:
            message = f"{code!r} may be {a_name(system)} code, but {NAMES[system]} is not loaded in this database"
        super().__init__(message)
        self.system = system
        self.code = code
        self.files = files
        if files:
            self.hint = (
                f"put the official {NAMES[system]} files ({', '.join(files)}) in the folder you build from and run"
                " `medcodes build --from DIR` again"
            )
        else:  # no public file: CPT is loaded only from a licensed file its user holds
            self.hint = (
                f"put the licensed {NAMES[system]} file you hold in the folder you build from and run"
                " `medcodes build --from DIR --cpt-licence TEXT` again"
            )


class InvalidCode(MedcodesError):
    def __init__(self, system: SystemId, text: str, shape: str) -> None:
        super().__init__(f"{text!r} is not {a_name(system)} code")
        self.system = system
        self.text = text
        self.shape = shape
        self.hint = f"{a_name(system)} code looks like this: {shape}"


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
