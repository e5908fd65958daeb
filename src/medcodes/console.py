"""What every command does with an error it expects: one line in words, a hint, exit status 1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from rich.console import Console

from medcodes.errors import MedcodesError
from medcodes.systems import UnknownSystem


def fail(error: MedcodesError | UnknownSystem) -> NoReturn:
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
    except (MedcodesError, UnknownSystem) as error:
        fail(error)
