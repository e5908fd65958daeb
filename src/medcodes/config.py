"""Settings: the only reader of ``MEDCODES_*`` environment variables, built once and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "medcodes"
DB_FILENAME = "medcodes.db"
EXPLAINERS_FILENAME = "explainers.db"
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
