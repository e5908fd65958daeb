"""ICD-10-CM codes as the history files write them (with or without the dot), the fiscal year a day falls in, and
the codes that subdivide another: what the addenda, the conversion table and the history load share."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from medcodes.systems import SystemId

SYSTEM = SystemId.ICD10CM
CODE = re.compile(r"^[A-Z][0-9A-Z]{2}[0-9A-Z]{0,4}$")  # ICD-10-CM without its dot (FY2026 added QA0)


def with_dot(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def undotted(code: str) -> str:
    return re.sub(r"[\s.]+", "", code).upper()


def fiscal_year(date: dt.date) -> str:
    """The ICD-10-CM release a change belongs to: fiscal years start on October 1."""
    return str(date.year + 1 if date.month >= 10 else date.year)


def extending(code: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """The candidates that subdivide ``code`` (longer codes that start with it)."""
    bare = code.replace(".", "")
    return tuple(c for c in candidates if c.replace(".", "").startswith(bare) and len(c) > len(code))
