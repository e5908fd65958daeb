"""The terminal: the one place that makes rich consoles, and what every command does with an error it expects
(one line in words, a hint, exit status 1).

Official text is full of square brackets ("Cutaneous abscess of back [any part, except buttock and flank]"),
which rich reads as markup and drops. So no console here reads markup at all: every console comes from
``terminal()`` or ``wide()`` with markup off, and styles are given as parts (``line(("E11.9", "bold"), "  ",
title)``), never written into the text. A test checks that no other module makes a console or reads markup.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from rich.console import Console
from rich.text import Text

from medcodes.errors import AmbiguousCode, MedcodesError, UnknownSystem
from medcodes.systems import SystemId, parse_system

# A piece of a printed line: plain text, or (text, rich style) such as ("billable", "green").
Part = str | tuple[str, str]


def terminal(stderr: bool = False) -> Console:
    """A console that prints text exactly as given: markup and highlighting off, long lines wrapped softly."""
    return Console(stderr=stderr, soft_wrap=True, markup=False, highlight=False)


def line(*parts: Part) -> Text:
    """One printed line from plain and styled parts; no part is ever read as markup."""
    return Text.assemble(*parts)


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
    console = terminal(stderr)
    if console.is_terminal:
        return console
    return Console(stderr=stderr, width=NOT_A_TERMINAL_WIDTH, soft_wrap=True, markup=False, highlight=False)


def fail(error: MedcodesError) -> NoReturn:
    """Print the error and its hint on stderr, and exit 1."""
    console = terminal(stderr=True)
    console.print(line(("Error:", "bold red"), " ", str(error)))
    hint = getattr(error, "hint", None)
    if hint:
        console.print(line(("Hint:", "dim"), " ", hint))
    if isinstance(error, AmbiguousCode):
        for choice in error.choices:
            console.print(
                line("  ", (f"--system {choice.system.value}", "cyan"), "  ", (choice.code, "bold"), "  ", choice.title)
            )
    sys.exit(1)


@contextmanager
def errors() -> Iterator[None]:
    """Turn the errors a user can cause into a message and exit 1; anything else is a bug and propagates."""
    try:
        yield
    except MedcodesError as error:
        fail(error)
