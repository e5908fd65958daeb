"""What the `medcodes explain` commands share: database options, the system option, the model server."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import click

from medcodes.config import Settings
from medcodes.console import SYSTEM
from medcodes.errors import LLMNotConfigured
from medcodes.explain.llm import ChatClient, LLMConfig
from medcodes.explain.rate import Rate
from medcodes.systems import SystemId

# The variable config.Settings reads the key from; --api-key-env names another (OPENAI_API_KEY, ...).
API_KEY_VARIABLE = "MEDCODES_LLM_API_KEY"
DEFAULT_MAX_TOKENS = 4000
DEFAULT_RETRIES = 4
# Failures, left-out codes and the like are listed up to this many; the rest are counted.
LISTED = 10

F = TypeVar("F", bound=Callable[..., object])


def settings_for(db: str | None, explainers_db: str | None) -> Settings:
    settings = Settings.from_env(db=db)
    return replace(settings, explainers_db=Path(explainers_db)) if explainers_db else settings


def system_id(value: str | None) -> SystemId | None:
    return SystemId(value.lower()) if value else None


def db_options(command: F) -> F:
    command = click.option(
        "--explainers-db",
        type=click.Path(dir_okay=False),
        default=None,
        help="Explainers database (default: MEDCODES_EXPLAINERS_DB, else explainers.db beside the database).",
    )(command)
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        default=None,
        help="Database file (default: MEDCODES_DB, else the user data folder).",
    )(command)


def system_option(command: F) -> F:
    return click.option("--system", "-s", type=SYSTEM, default=None, help="Code system (default: any loaded).")(command)


@dataclass(frozen=True, slots=True)
class Server:
    """How to reach the model server: the command's options, each None where the settings decide."""

    base_url: str | None = None
    model: str | None = None
    api_key_env: str = API_KEY_VARIABLE
    timeout: float | None = None
    retries: int = DEFAULT_RETRIES
    stream: bool = False
    rate: Rate | None = None
    max_tokens: int = DEFAULT_MAX_TOKENS

    def model_in(self, settings: Settings) -> str | None:
        return self.model or settings.llm_model

    def endpoint_in(self, settings: Settings) -> str | None:
        """The server's name as provenance and the runs table write it (no key, no query)."""
        base = self.base_url or settings.llm_base_url
        return LLMConfig(base, "").endpoint if base else None

    def client(self, settings: Settings) -> ChatClient:
        base_url = self.base_url or settings.llm_base_url
        model = self.model_in(settings)
        if not base_url or not model:
            raise LLMNotConfigured
        if self.api_key_env == API_KEY_VARIABLE:
            key = settings.llm_api_key
        else:
            key = os.environ.get(self.api_key_env) or None
            if key is None:
                raise click.BadParameter(f"{self.api_key_env} is not set", param_hint="--api-key-env")
        config = LLMConfig(
            base_url,
            model,
            key,
            max_retries=self.retries,
            stream=self.stream,
            rate=self.rate,
            max_tokens=self.max_tokens,
        )
        return ChatClient(replace(config, timeout_s=self.timeout) if self.timeout is not None else config)
