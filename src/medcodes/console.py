"""The consoles commands print on, and what every command does with an error it expects: one line in words, a hint,
exit status 1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from rich.console import Console

from medcodes.config import SettingError
from medcodes.errors import MedcodesError
from medcodes.systems import SystemId, UnknownSystem, parse_system


class SystemName(click.ParamType[str, object]):
    """A code system as a person names it on the command line (systems.parse_system: icd10cm, ICD-10-CM ...);
    the value is the system's id."""

    name = "system"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "[" + "|".join(s.value for s in SystemId) + "]"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return parse_system(str(value)).value
        except UnknownSystem as exc:
            self.fail(str(exc), param, ctx)


SYSTEM = SystemName()

# Where the output is no terminal (a pipe, a file, a CI log), rich would cut every line and table at 80 columns.
NOT_A_TERMINAL_WIDTH = 200


def wide(stderr: bool = False) -> Console:
    """A console as wide as the terminal, or 200 columns where the output is not a terminal."""
    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=NOT_A_TERMINAL_WIDTH)


def fail(error: MedcodesError | UnknownSystem | SettingError) -> NoReturn:
    """Print the error and its hint on stderr, and exit 1."""
    console = Console(stderr=True, soft_wrap=True)
    console.print(f"[bold red]Error:[/] {error}", highlight=False)
    hint = getattr(error, "hint", None)
    if hint:
        console.print(f"[dim]Hint:[/] {hint}", highlight=False)
    sys.exit(1)


@contextmanager
def errors() -> Iterator[None]:
    """Turn the errors a user can cause into a message and exit 1; anything else is a bug and propagates."""
    try:
        yield
    except (MedcodesError, UnknownSystem, SettingError) as error:
        fail(error)
