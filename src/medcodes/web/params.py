"""Numbers read from what a client sent (query parameters, headers): ASCII digits only.

``str.isdigit`` holds for "²" and "①", which ``int`` then refuses (a 500, before this module); ``int`` itself
reads other scripts' digits ("١٢"), signs, spaces and underscores ("1_000"). A number from a client is a
short run of the digits 0-9, nothing else.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,18}")


def whole_number(text: str | bytes) -> int | None:
    """The number ``text`` spells in ASCII digits, or None when it is anything else."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    return int(text) if _DIGITS.fullmatch(text) else None
