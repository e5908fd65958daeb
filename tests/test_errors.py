"""The error tree: every error a user can cause is a MedcodesError defined in errors.py."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import medcodes
from medcodes.errors import InvalidCodeSyntax, MedcodesError, SettingError, UnknownSystem
from medcodes.systems import SystemId, normalize_code, parse_system


def _every_subclass(cls: type[BaseException]) -> set[type[BaseException]]:
    found = set(cls.__subclasses__())
    for sub in tuple(found):
        found |= _every_subclass(sub)
    return found


def test_every_medcodes_error_lives_in_errors_py() -> None:
    for module in pkgutil.walk_packages(medcodes.__path__, "medcodes."):
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional extra (semantic search, PostgreSQL) not installed here
            continue
    elsewhere = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _every_subclass(MedcodesError)
        if cls.__module__.startswith("medcodes.") and cls.__module__ != "medcodes.errors"
    )
    assert elsewhere == []


def test_an_unknown_system_name_is_caught_with_the_tree() -> None:
    with pytest.raises(MedcodesError, match="Unknown code system 'snomed'"):
        parse_system("snomed")


def test_a_code_no_system_can_read_is_caught_with_the_tree() -> None:
    with pytest.raises(MedcodesError) as caught:
        normalize_code(SystemId.HCPCS, "hello")
    assert isinstance(caught.value, InvalidCodeSyntax)
    assert (
        str(caught.value)
        == "'hello' is not a HCPCS Level II code: a letter and four digits (E0601), or a modifier (RT)"
    )


def test_the_errors_that_read_text_are_still_value_errors() -> None:
    # Parameter validators (pydantic) turn a ValueError into a 400 on the parameter that holds it.
    assert issubclass(UnknownSystem, ValueError)
    assert issubclass(InvalidCodeSyntax, ValueError)
    assert issubclass(SettingError, ValueError)
