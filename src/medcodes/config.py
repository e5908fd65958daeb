"""Settings: the only reader of ``MEDCODES_*`` environment variables, built once and passed down."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from medcodes.errors import SettingError

T = TypeVar("T", int, float)

APP_NAME = "medcodes"
DB_FILENAME = "medcodes.db"
EXPLAINERS_FILENAME = "explainers.db"
# A query longer than this is rejected with a message instead of being searched.
MAX_QUERY_CHARS = 500
# A query of more words than this is refused too: each word is a prefix to look up, and 500 characters of
# one-letter words would cost a hundred times a real query (the longest queries of the evaluation sets have 30).
MAX_QUERY_WORDS = 100


def default_data_dir() -> Path:
    """The platform's user data folder (XDG on Linux), as platformdirs defines it."""
    # platformdirs is imported here, not at module level, so that the vocabulary layer imports nothing
    # from outside the standard library until a path is actually needed.
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


# The request line and headers together may take this many bytes (a browser sends 1-2 KB; nginx reads 8 KB).
MAX_HEADER_BYTES = 16 * 1024
# Seconds a client has to send a whole request head (request line and headers).
TIMEOUT_HEADERS = 10.0


def default_workers() -> int:
    """One server process per core this process may run on: search is CPU work, and one process uses one core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class ServeSettings:
    """How `medcodes serve` listens: limits and timeouts (docs/operations.md). Each has a flag and a variable."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=default_workers)
    # The address the public reaches the site at (https://codes.example.org): canonical links and structured
    # data use it. Never taken from a request's Host header, which anyone can set.
    public_url: str | None = None
    # An idle keep-alive connection is closed after this many seconds.
    timeout_keep_alive: float = 5.0
    # A connection that has not sent a whole request head (request line and headers) this many seconds after it
    # opened, or after it began a request, is closed (408): slow or silent clients do not hold sockets.
    timeout_headers: float = TIMEOUT_HEADERS
    # Connections (and requests in flight) at once, per worker; beyond it new ones are answered 503 and closed.
    limit_concurrency: int = 1000
    # The request line and headers together, in bytes; beyond it a 431 (or a 414 for the URL alone).
    max_header_bytes: int = MAX_HEADER_BYTES
    # Recent searches answered from memory (0: none).
    cache_size: int = 4096
    # Seconds between two looks at the database file for a new release built over it (0: never look).
    release_check: float = 1.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServeSettings:
        env = os.environ if environ is None else environ
        default = cls()
        url = env.get("MEDCODES_PUBLIC_URL") or None
        if url is not None and not url.startswith(("http://", "https://")):
            raise SettingError(f"MEDCODES_PUBLIC_URL must start with http:// or https:// (got {url[:80]!r})")
        found = cls(
            host=env.get("MEDCODES_HOST") or default.host,
            port=_number(env, "MEDCODES_PORT", int, default.port),
            workers=_number(env, "MEDCODES_WORKERS", int, default.workers),
            public_url=url.rstrip("/") if url else None,
            timeout_keep_alive=_number(env, "MEDCODES_TIMEOUT_KEEP_ALIVE", float, default.timeout_keep_alive),
            timeout_headers=_number(env, "MEDCODES_TIMEOUT_HEADERS", float, default.timeout_headers),
            limit_concurrency=_number(env, "MEDCODES_LIMIT_CONCURRENCY", int, default.limit_concurrency),
            max_header_bytes=_number(env, "MEDCODES_MAX_HEADER_BYTES", int, default.max_header_bytes),
            cache_size=_number(env, "MEDCODES_CACHE_SIZE", int, default.cache_size),
            release_check=_number(env, "MEDCODES_RELEASE_CHECK", float, default.release_check),
        )
        if found.workers < 1 or found.limit_concurrency < 1 or found.port > 65535:
            raise SettingError(
                "MEDCODES_WORKERS and MEDCODES_LIMIT_CONCURRENCY must be 1 or more, MEDCODES_PORT at most 65535"
            )
        return found


def _number(env: Mapping[str, str], name: str, kind: Callable[[str], T], default: T) -> T:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        # ASCII only: int() and float() also read other scripts' digits ("١٢"), and "1_000".
        value = kind(text) if text.isascii() and "_" not in text else None
    except ValueError:
        value = None
    if value is None or not 0 <= value < 1e9:  # also refuses nan and inf
        raise SettingError(f"{name} must be a number, 0 or more (got {text[:40]!r})")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path
    # A URL or folder that replaces the publishers' hosts for `medcodes download` (air-gapped sites, tests).
    mirror: str | None = None
    # Generated explainers: any OpenAI-compatible chat-completions server (docs/explainers.md).
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)  # never printed
    # Explainers live in their own file so that they survive `medcodes build` (default: beside the database).
    explainers_db: Path | None = None

    @property
    def explainers_path(self) -> Path:
        return self.explainers_db or self.db_path.parent / EXPLAINERS_FILENAME

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, db: str | Path | None = None) -> Settings:
        env = os.environ if environ is None else environ
        if db is not None:
            path = Path(db)
        elif env.get("MEDCODES_DB"):
            path = Path(env["MEDCODES_DB"])
        else:
            path = default_data_dir() / DB_FILENAME
        explainers = env.get("MEDCODES_EXPLAINERS_DB")
        return cls(
            db_path=path.expanduser(),
            mirror=env.get("MEDCODES_MIRROR") or None,
            llm_base_url=env.get("MEDCODES_LLM_BASE_URL") or None,
            llm_model=env.get("MEDCODES_LLM_MODEL") or None,
            llm_api_key=env.get("MEDCODES_LLM_API_KEY") or None,
            explainers_db=Path(explainers).expanduser() if explainers else None,
        )
