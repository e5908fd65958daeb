"""The error tree. Every error a user can cause is one of these, with fields, and renders as a sentence; every
interface catches ``MedcodesError`` alone (the web maps it in ``web/errors.py``, the CLI in ``console.py``).

MedcodesError
├── SettingError                            a MEDCODES_* variable that cannot be read (also a ValueError)
├── UnknownSystem(name, known)              a system name that is no system (also a ValueError)
├── InvalidCodeSyntax(system, text, shape)  a system's normaliser cannot read the text (also a ValueError)
├── SourceError(path, line, reason)         an official file is truncated or malformed
├── SourceMissing(path, reason)             a folder holds no file medcodes can read
├── LicenceRequired(files)                  CPT files found, but no licence asserted for them
├── UnknownRelease(system, release, known)  `medcodes download` asked for a release it knows no file of
├── DownloadError(url, reason, hint)        a file could not be fetched
│   ├── ConnectionDropped(url, reason)      the transfer stopped part way (resumable)
│   └── CorruptDownload(url, reason)        the file is not the publisher's
│       └── ChecksumMismatch(url, expected, actual)
├── DatabaseMissing(path)                   no database yet: run `medcodes build`
├── DatabaseUnreadable(path, reason)        a file is there but cannot be read (permissions, a folder)
├── DatabaseDamaged(path, reason)           a file is there but is no whole medcodes database
├── DatabaseOutdated(path, missing)         built by an older medcodes
├── BuildError(reason)                      a build failed; the previous database is untouched
├── SemanticUnavailable(what, install)      search by meaning needs a package (also an ImportError)
├── CodeNotFound(system, code, release, closest)
│   ├── CodeDeleted                         deleted from the classification (410)
│   ├── CodeNotYetValid                     asked for as of a day before it was added
│   └── CodeNoLongerValid                   asked for as of a day after it ended (410)
├── AsOfOutOfRange(as_of, ranges)           no loaded release was in force that day
├── AmbiguousCode(text, choices)            a code of several loaded systems, asked for without one
├── SystemNotLoaded(system, files, code)    the system is not in this database: how to load it
├── InvalidCode(system, text, shape)        text cannot be a code of that system
├── QueryError(reason)                      a search request that cannot be answered (too long, ...)
│   └── TooMuchWork(reason)                 a well-formed request over a documented work budget (422)
├── TerminologyError(issue, status)         a FHIR terminology operation that cannot be answered
│   └── ExpansionError                      a value set that cannot be expanded as asked
├── CodeListError(source, line, reason)     a list of codes to explain that cannot be read
├── ExplainerMissing(system, code)          no generated explainer stored for a code
├── NotExplained(system, code, reason)      a code that gets the deterministic explainer only
├── LLMNotConfigured                        no model server configured
├── LLMError(endpoint, reason, cause)       the model server gave no usable answer (502)
│   └── LLMRefused(endpoint, status, message)
├── WebError(status, message, hint, headers)  found at the web edge (a bad page number, a body too large)
│   └── ClientGone                          the client left before its answer was ready (499)
└── FhirError(status, code, text, tx_code)  a FHIR request that cannot be answered, with its issue type

This module imports nothing from medcodes at import time: ``systems`` raises ``UnknownSystem`` and
``InvalidCodeSyntax`` from here, so the names of systems are looked up when a message is made (``_name``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from medcodes.systems import SystemId

__all__ = [
    "AmbiguousCode",
    "AsOfOutOfRange",
    "BuildError",
    "ChecksumMismatch",
    "CodeChoice",
    "CodeDeleted",
    "CodeListError",
    "CodeNoLongerValid",
    "CodeNotFound",
    "CodeNotYetValid",
    "ConnectionDropped",
    "CorruptDownload",
    "DatabaseDamaged",
    "DatabaseMissing",
    "DatabaseOutdated",
    "DatabaseUnreadable",
    "DownloadError",
    "ExpansionError",
    "ExplainerMissing",
    "InvalidCode",
    "InvalidCodeSyntax",
    "Issue",
    "LLMError",
    "LLMNotConfigured",
    "LLMRefused",
    "LicenceRequired",
    "MedcodesError",
    "NotExplained",
    "QueryError",
    "SemanticUnavailable",
    "SettingError",
    "SourceError",
    "SourceMissing",
    "SystemNotLoaded",
    "TerminologyError",
    "TooMuchWork",
    "UnknownRelease",
    "UnknownSystem",
]


def _name(system: SystemId) -> str:
    """The system's name, "ICD-10-CM". ``systems`` imports this module, so names are read when a message is made."""
    from medcodes.systems import NAMES

    return NAMES[system]


def _a_name(system: SystemId) -> str:
    """The system's name with its article, "an ICD-10-CM" (``systems.a_name``, read when a message is made)."""
    from medcodes.systems import a_name

    return a_name(system)


class MedcodesError(Exception):
    """Base of every error medcodes raises on purpose. ``hint`` says what to do next."""

    hint: str | None = None
    status: int = 400

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled as what it holds, not by calling its class again with its message (an error a build's worker
        # process raises reaches the building process so): most take other arguments than the message.
        return (_restored, (type(self), self.args, self.__dict__))


def _restored(kind: type[MedcodesError], args: tuple[object, ...], state: dict[str, object]) -> MedcodesError:
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(state)
    return error


class SettingError(MedcodesError, ValueError):
    """A MEDCODES_* variable that cannot be read (the interfaces turn it into a message). Also a ValueError, as
    the readers of settings raise and catch it."""


class UnknownSystem(MedcodesError, ValueError):
    """A system name that is no system (``systems.parse_system``). Also a ValueError: the API's parameter
    validators turn it into a 400 on the parameter that holds it."""

    def __init__(self, name: str, known: str) -> None:
        super().__init__(f"Unknown code system {name!r}; known systems: {known}")
        self.name = name


class InvalidCodeSyntax(MedcodesError, ValueError):
    """Raised by a system's normaliser when text cannot be a code of that system (the service says it to users
    as ``InvalidCode``, with the shape as a hint). Also a ValueError, as a failed parse of text."""

    def __init__(self, system: SystemId, text: str, shape: str) -> None:
        super().__init__(f"{text!r} is not {_a_name(system)} code: {shape}")
        self.system = system
        self.text = text
        self.shape = shape


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


class SemanticUnavailable(MedcodesError, ImportError):
    """A package that search by meaning needs is not installed (``install`` says how to install it). Also an
    ImportError, as an optional import that failed."""

    def __init__(self, what: str, install: str) -> None:
        super().__init__(f"semantic search needs {what}: {install}")
        self.what = what
        self.install = install


class CodeNotFound(MedcodesError):
    status = 404

    def __init__(self, system: SystemId, code: str, release: str | None, closest: tuple[str, ...] = ()) -> None:
        where = f" in release {release}" if release else ""
        super().__init__(f"No {_name(system)} code {code!r}{where}")
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
            f"{_name(system)} code {code!r}"
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
        MedcodesError.__init__(self, f"{_name(system)} code {code!r} was not valid on {as_of}: it was added on {added}")
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
            f"{_name(system)} code {code!r} was not valid on {as_of}: it was deleted on {ended}"
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
        listed = "; ".join(f"{_name(c.system)} {c.code} ({c.title})" for c in choices)
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
            message = f"{_name(system)} is not loaded in this database"
        elif also:
            others = " or ".join(f"{_a_name(s)} code" for s in also)
            message = f"{code!r} may be {_a_name(system)} code or {others}, but none of them is loaded in this database"
        else:
            message = f"{code!r} may be {_a_name(system)} code, but {_name(system)} is not loaded in this database"
        super().__init__(message)
        self.system = system
        self.code = code
        self.files = files
        if files:
            self.hint = (
                f"put the official {_name(system)} files ({', '.join(files)}) in the folder you build from and run"
                " `medcodes build --from DIR` again"
            )
        else:  # no public file: CPT is loaded only from a licensed file its user holds
            self.hint = (
                f"put the licensed {_name(system)} file you hold in the folder you build from and run"
                " `medcodes build --from DIR --cpt-licence TEXT` again"
            )


class InvalidCode(MedcodesError):
    def __init__(self, system: SystemId, text: str, shape: str) -> None:
        super().__init__(f"{text!r} is not {_a_name(system)} code")
        self.system = system
        self.text = text
        self.shape = shape
        self.hint = f"{_a_name(system)} code looks like this: {shape}"


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


# Reading and fetching official files.


class LicenceRequired(MedcodesError):
    """CPT files were found but no licence was asserted for them."""

    def __init__(self, files: tuple[str, ...]) -> None:
        super().__init__(
            "CPT descriptors are copyright AMA: medcodes loads a CPT file only with the licence its user"
            f" asserts ({', '.join(files)})"
        )
        self.files = files
        self.hint = "state the CPT licence you hold (load(..., licence='...')), or remove the CPT files"


class UnknownRelease(MedcodesError):
    status = 404

    def __init__(self, system: SystemId, release: str | None, known: Sequence[str]) -> None:
        from medcodes.systems import REGISTRY  # read when the message is made (see _name)

        name = _name(system)
        licensor = REGISTRY[system].licensor
        if not known:
            super().__init__(f"medcodes knows no official download for {name}")
            self.hint = (
                f"{name} is licensed by the {licensor}: build from a {name} file you are licensed to use"
                " (`medcodes build --from`)"
                if licensor
                else "put the release files in a folder and use `medcodes build --from`"
            )
        else:
            super().__init__(f"No known {name} release {release!r}; known releases: {', '.join(known)}")
            self.hint = "leave out --release to fetch the newest known release"
        self.system = system
        self.release = release
        self.known = tuple(known)


class DownloadError(MedcodesError):
    """A file could not be fetched: the server answered with an error, or could not be reached."""

    status = 502

    def __init__(self, url: str, reason: str, hint: str | None = None) -> None:
        super().__init__(f"Could not download {url}: {reason}")
        self.url = url
        self.reason = reason
        self.hint = hint


class ConnectionDropped(DownloadError):
    """The transfer stopped part way; the bytes received are kept in the ``.part`` file."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason, "run the same command again: it resumes where the transfer stopped")


class CorruptDownload(DownloadError):
    """The fetched file is not the publisher's file, or cannot be read; it was discarded."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(
            url,
            f"{reason}; the download was discarded and any earlier file of that name kept",
            "run again; if it happens again, the publisher (or MEDCODES_MIRROR) serves a different file",
        )


class ChecksumMismatch(CorruptDownload):
    def __init__(self, url: str, expected: str, actual: str) -> None:
        super().__init__(url, f"its sha256 is {actual}, not the publisher's {expected}")
        self.expected = expected
        self.actual = actual


# FHIR terminology operations (an ``Issue`` is what an OperationOutcome says).


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem or remark about a code, as an OperationOutcome issue says it."""

    severity: str  # error, warning, information
    code: str  # the OperationOutcome issue type: code-invalid, invalid, not-found, business-rule, ...
    text: str
    tx_code: str | None = None  # http://hl7.org/fhir/tools/CodeSystem/tx-issue-type
    expression: tuple[str, ...] = ()
    message_id: str | None = None


class TerminologyError(MedcodesError):
    """A request a terminology operation cannot answer (unknown system, code or value set, an expansion too
    large): ``issue`` says why, ``status`` is the HTTP status it calls for."""

    def __init__(self, issue: Issue, status: int = 404) -> None:
        super().__init__(issue.text)
        self.issue = issue
        self.status = status


class ExpansionError(TerminologyError):
    """A value set that cannot be expanded as asked."""


# Explainers and the model server that writes them.


class CodeListError(MedcodesError):
    def __init__(self, source: str, line: int, reason: str) -> None:
        super().__init__(f"{source}, line {line}: {reason}")
        self.hint = "one code per line, optionally followed by a count: E11.9,1532"


class ExplainerMissing(MedcodesError):
    status = 404

    def __init__(self, system: SystemId, code: str) -> None:
        super().__init__(f"No generated explainer for {_name(system)} code {code!r}")
        self.system = system
        self.code = code
        self.hint = f"generate one: medcodes explain generate {code} --system {system.value}"


class NotExplained(MedcodesError):
    """A code (or a whole system) that gets the deterministic explainer only: MS-DRGs, modifiers, chapters."""

    def __init__(self, system: SystemId, code: str | None, reason: str | None = None) -> None:
        what = f"{_name(system)} {code}" if code else f"{_name(system)}"
        super().__init__(f"{what}: {reason or 'no generated explainer for this kind of code (facts only)'}")
        self.system = system
        self.code = code
        self.hint = f"see its official facts: medcodes explain facts {code}" if code else None


class LLMError(MedcodesError):
    """The chat-completions server could not give an answer (after retries), or gave an unusable one.

    ``cause`` names the failure in a few words (``timeout``, ``HTTP 503``, ...) so that a batch can count them.
    """

    status = 502

    def __init__(self, endpoint: str, reason: str, cause: str | None = None) -> None:
        super().__init__(f"chat-completions server {endpoint}: {reason}")
        self.endpoint = endpoint
        self.reason = reason
        self.cause = cause or reason


class LLMRefused(LLMError):
    """The server refused the request itself (bad key, unknown model, wrong URL): no request would do better."""

    # The statuses that are such a refusal, each with what to check.
    HINTS: ClassVar[Mapping[int, str]] = {
        401: "check the API key (MEDCODES_LLM_API_KEY, or the variable --api-key-env names)",
        403: "the key may not use this model; check the key and --model",
        404: "check --base-url (it usually ends in /v1) and that the server serves --model",
    }

    def __init__(self, endpoint: str, status: int, message: str) -> None:
        super().__init__(endpoint, f"HTTP {status}: {message}", f"HTTP {status}")
        self.http_status = status
        self.hint = self.HINTS.get(status)


class LLMNotConfigured(MedcodesError):
    def __init__(self) -> None:
        super().__init__("No model server is configured for generated explainers")
        self.hint = "set MEDCODES_LLM_BASE_URL and MEDCODES_LLM_MODEL, or give --base-url and --model"


# The web edge: what only HTTP says (headers, a client that left, a FHIR OperationOutcome issue type).


class WebError(MedcodesError):
    """An error found at the web edge (an unknown system in a URL, a body too large, a bad page number)."""

    def __init__(
        self, status: int, message: str, hint: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint
        self.headers = headers or {}


class ClientGone(WebError):
    """The client disconnected before its answer was ready: the work stopped, and nobody reads the answer."""

    def __init__(self) -> None:
        super().__init__(499, "client closed the request")


class FhirError(MedcodesError):
    """A request the FHIR interface cannot answer, with the OperationOutcome issue type that says why."""

    def __init__(self, status: int, code: str, text: str, tx_code: str | None = None) -> None:
        super().__init__(text)
        self.status = status
        self.issue = Issue("error", code, text, tx_code)
