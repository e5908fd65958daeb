"""Codes compared by their characters: dots left out, the category, the places two codes differ, one below
another by its code."""

from __future__ import annotations

from medcodes.models import (
    Concept,
)
from medcodes.systems import REGISTRY


def plain(code: str) -> str:
    return code.replace(".", "")


def category_of(concept: Concept) -> str:
    """The part of a code before its dot: the ICD category (E11, 250, 87) or ICD-11 stem code (5A11)."""
    return concept.code.split(".", 1)[0]


def differences(a: str, b: str) -> list[int]:
    return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]


def descends(other: Concept, concept: Concept) -> bool:
    """Whether ``other`` lies below ``concept`` by its code (E11.621 below E11, S52.521A below S52.52, 0UT70ZZ
    below table 0UT; not ICD-9-CM diagnosis 870.0 below procedure category 87)."""
    if other.system is not concept.system or other.code == concept.code or not other.code.startswith(concept.code):
        return False
    rest = other.code[len(concept.code) :]
    return REGISTRY[concept.system].nests_by_prefix or "." in concept.code or rest.startswith(".")


def glob_literal(text: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in text)
