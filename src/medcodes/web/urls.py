"""Addresses of pages: the code page's canonical URL, ``/code/{system}/{code}-{slug-of-title}``.

The code comes first and keeps its canonical notation (``E11.9``, ``A15-A19``, ``BlockL1-1A0``), so a
reader of the URL sees the code; the slug is the title in lower-case ASCII words joined by hyphens.
Both codes and slugs may hold hyphens, so reading a URL back is the page's job (``pages.code``), which
asks the service which prefix is a code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import quote, urlencode

from medcodes.errors import UnknownSystem, WebError
from medcodes.systems import SystemId, parse_system

_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Long enough for nearly every title, short enough for a readable link (cut at a word boundary).
SLUG_MAX_CHARS = 80


def slug(title: str) -> str:
    """``"Type 2 diabetes mellitus without complications"`` -> ``"type-2-diabetes-mellitus-without-complications"``."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    words = _NOT_WORD.sub("-", folded).strip("-")
    if len(words) > SLUG_MAX_CHARS:
        words = words[:SLUG_MAX_CHARS].rsplit("-", 1)[0]
    return words


def code_ref(code: str, title: str) -> str:
    """The last segment of a code page's URL, unquoted: ``E11.9-type-2-diabetes-...``."""
    words = slug(title)
    return f"{code}-{words}" if words else code


def code_path(system: SystemId, code: str, title: str) -> str:
    return f"/code/{system.value}/{quote(code_ref(code, title), safe='.-')}"


def similar_path(page: str) -> str:
    """The page of a code page's similar codes (``/code/{system}/{ref}/similar``), for readers without JavaScript."""
    return f"{page}/similar"


def short_code_path(system: SystemId | str, code: str) -> str:
    """A code page's address without its slug; it redirects to the canonical one."""
    return f"/code/{SystemId(system).value}/{quote(code, safe='.-')}"


def search_path(q: str, systems: tuple[SystemId, ...] = (), billable: bool = False, page: int = 1) -> str:
    params: list[tuple[str, str]] = [("q", q)]
    params += [("system", s.value) for s in systems]
    if billable:
        params.append(("billable", "1"))
    if page > 1:
        params.append(("page", str(page)))
    return "/search?" + urlencode(params)


def system_of(name: str) -> SystemId:
    """A system named in a URL path (systems.parse_system); an unknown one is a page that does not exist (404)."""
    try:
        return parse_system(name)
    except UnknownSystem:
        known = ", ".join(s.value for s in SystemId)
        raise WebError(404, f"Unknown code system {name[:64]!r}", f"known systems: {known}") from None


def systems_of(names: Sequence[str]) -> tuple[SystemId, ...]:
    """Systems named in a filter (``system=icd10cm&system=HCPCS``), each once; an unknown one is a bad request."""
    try:
        return tuple(dict.fromkeys(parse_system(name) for name in names))
    except UnknownSystem as exc:
        known = ", ".join(s.value for s in SystemId)
        raise WebError(400, f"Unknown code system {exc.name!r}", f"known systems: {known}") from None
