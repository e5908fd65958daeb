"""Settings: the only reader of ``MEDCODES_*`` environment variables, built once and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "medcodes"
DB_FILENAME = "medcodes.db"
# A query longer than this is rejected with a message instead of being searched.
MAX_QUERY_CHARS = 500


def default_data_dir() -> Path:
    """The platform's user data folder (XDG on Linux), as platformdirs defines it."""
    # platformdirs is imported here, not at module level, so that the vocabulary layer imports nothing
    # from outside the standard library until a path is actually needed.
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path
    # A URL or folder that replaces the publishers' hosts for `medcodes download` (air-gapped sites, tests).
    mirror: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, db: str | Path | None = None) -> Settings:
        env = os.environ if environ is None else environ
        if db is not None:
            path = Path(db)
        elif env.get("MEDCODES_DB"):
            path = Path(env["MEDCODES_DB"])
        else:
            path = default_data_dir() / DB_FILENAME
        return cls(db_path=path.expanduser(), mirror=env.get("MEDCODES_MIRROR") or None)
