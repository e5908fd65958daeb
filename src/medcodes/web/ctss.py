"""An NLM Clinical Table Search Service-compatible API: ``/api/{table}/v3/search``, for clients written against
clinicaltables.nlm.nih.gov (the autocomplete-lhc widget among them).

The request parameters and the answer's shape are NLM's: ``[total, codes, extras|null, display]`` with
``terms``, ``maxList``, ``count``/``offset``, ``sf``, ``df``, ``cf``, ``ef`` (``field:alias``), ``q`` and
``suggest=1&field_val=``; each table uses NLM's field names. The ranking is medcodes' own search engine
(word prefixes in any order, abbreviations, typos, lay terms), not a word-prefix AND. docs/ctss.md lists
every difference from NLM's service.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Path, Query
from starlette.responses import JSONResponse

from medcodes.config import MAX_QUERY_CHARS
from medcodes.errors import WebError
from medcodes.models import Concept, ConceptKind, SearchHit
from medcodes.properties import HcpcsField, PropertyName
from medcodes.service import CodeService
from medcodes.systems import SystemId

DEFAULT_LIST = 7
MAX_LIST = 500
MAX_WINDOW = 7_500  # offset + count
MAX_TOTAL = 10_000  # the total reported is capped here, as NLM caps it
# Hits read from the engine when some must be dropped after ranking (a table narrower than its system, q).
_DEEP = 1000
_ICD9_PROCEDURE = re.compile(r"^\d{2}(\.|$)")

Field = Callable[[Concept, "Facts"], str]


class Facts:
    """What a field may read besides the concept itself: its properties, fetched once and only if needed."""

    def __init__(self, service: CodeService, concept: Concept) -> None:
        self.service = service
        self.concept = concept
        self._properties: dict[str, str] | None = None

    def property(self, name: str) -> str:
        if self._properties is None:
            self._properties = {p.name: p.value for p in self.service.properties_of(self.concept)}
        return self._properties.get(name, "")


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    system: SystemId
    fields: dict[str, Field]
    search_fields: tuple[str, ...]
    display_fields: tuple[str, ...]
    code_field: str = "code"
    code_fields: tuple[str, ...] = ("code",)  # the fields holding a code (an sf of only these matches codes)
    billable_only: bool = False
    keep: Callable[[SearchHit], bool] | None = None  # a table narrower than its system (ICD-9-CM diagnoses)


def _title(c: Concept, _: Facts) -> str:
    return c.title


def _code(c: Concept, _: Facts) -> str:
    return c.code


def _short(c: Concept, _: Facts) -> str:
    return c.short_title or c.title


def _undotted(c: Concept, _: Facts) -> str:
    return c.code.replace(".", "")


def _prop(name: str) -> Field:
    return lambda _c, facts: facts.property(name)


def _icd11_type(c: Concept, _: Facts) -> str:
    return {ConceptKind.CHAPTER: "chapter", ConceptKind.BLOCK: "block", ConceptKind.EXTENSION: "extension"}.get(
        c.kind, "category"
    )


def _entity_id(c: Concept, facts: Facts) -> str:
    return facts.property(PropertyName.ICD11_FOUNDATION_URI).rsplit("/", 1)[-1]


def _obsolete(c: Concept, facts: Facts) -> str:
    return "true" if facts.property(HcpcsField.TERMINATION_DATE) else "false"


def _icd9_kind(procedures: bool) -> Callable[[SearchHit], bool]:
    return lambda hit: bool(_ICD9_PROCEDURE.match(hit.code)) is procedures


_ICD9_FIELDS: dict[str, Field] = {"code": _undotted, "code_dotted": _code, "short_name": _short, "long_name": _title}

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "icd10cm",
            SystemId.ICD10CM,
            {"code": _code, "name": _title},
            ("code", "name"),
            ("code", "name"),
            billable_only=True,
        ),
        Table(
            "hcpcs",
            SystemId.HCPCS,
            {
                "code": _code,
                "display": _title,
                "short_desc": _short,
                "long_desc": _title,
                "add_dt": _prop(HcpcsField.ADD_DATE),
                "act_eff_dt": _prop(HcpcsField.EFFECTIVE_DATE),
                "term_dt": _prop(HcpcsField.TERMINATION_DATE),
                "obsolete": _obsolete,
            },
            ("code", "short_desc", "long_desc"),
            ("code", "display"),
        ),
        Table(
            "icd9cm_dx",
            SystemId.ICD9CM,
            _ICD9_FIELDS,
            ("code_dotted", "long_name"),
            ("code_dotted", "long_name"),
            code_fields=("code", "code_dotted"),
            keep=_icd9_kind(procedures=False),
        ),
        Table(
            "icd9cm_sg",
            SystemId.ICD9CM,
            _ICD9_FIELDS,
            ("code_dotted", "long_name"),
            ("code_dotted", "long_name"),
            code_fields=("code", "code_dotted"),
            keep=_icd9_kind(procedures=True),
        ),
        Table(
            "icd11_codes",
            SystemId.ICD11,
            {"code": _code, "title": _title, "type": _icd11_type, "entityId": _entity_id},
            ("code", "title"),
            ("code", "title"),
        ),
        Table(
            "icd10pcs",
            SystemId.ICD10PCS,
            {"code": _code, "name": _title},
            ("code", "name"),
            ("code", "name"),
            billable_only=True,
        ),
        Table(
            "msdrg",
            SystemId.MSDRG,
            {"code": _code, "name": _title},
            ("code", "name"),
            ("code", "name"),
            billable_only=True,
        ),
    )
}

TableParam = Annotated[str, Path(description="A table: " + ", ".join(TABLES))]


class Ctss:
    def __init__(self, service: CodeService) -> None:
        self.service = service

    async def search(
        self,
        table: TableParam,
        *,
        terms: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS, description="What was typed (required)")] = None,
        maxList: Annotated[str | None, Query(description="Items wanted, at most 500 (empty: 500)")] = None,  # noqa: N803
        count: Annotated[str | None, Query(description="Page size, at most 500")] = None,
        offset: Annotated[str | None, Query(description="Items to skip; offset + count at most 7,500")] = None,
        sf: Annotated[str | None, Query(description="Fields searched, comma-separated")] = None,
        df: Annotated[str | None, Query(description="Fields displayed, comma-separated")] = None,
        cf: Annotated[str | None, Query(description="The field whose values are the codes")] = None,
        ef: Annotated[str | None, Query(description="Extra fields, comma-separated, each field or field:alias")] = None,
        q: Annotated[str | None, Query(description="More conditions: field:value (value* for a prefix), ANDed")] = None,
        suggest: Annotated[str | None, Query(description="1: suggestions for field_val")] = None,
        field_val: Annotated[str | None, Query(description="With suggest=1: the value to suggest for")] = None,
    ) -> JSONResponse:
        """Search a table as NLM's Clinical Table Search Service does: ``[total, codes, extras|null, display]``."""
        spec = TABLES.get(table)
        if spec is None:
            raise WebError(404, f"No table {table!r}; the tables are " + ", ".join(TABLES))
        display = _fields(spec, df, spec.display_fields, "df")
        code_field = (cf or spec.code_field).strip()
        _fields(spec, code_field, (), "cf")
        extras = _extra_fields(spec, ef)
        searched = _fields(spec, sf, spec.search_fields, "sf")
        conditions = _conditions(spec, q)
        if suggest == "1":
            text = (field_val or "").strip()
            hits, _ = (
                self._ranked(spec, text, start=0, size=DEFAULT_LIST, searched=searched, conditions=conditions)
                if text
                else ([], 0)
            )
            rows = [(hit, Facts(self.service, self._concept(spec, hit))) for hit in hits]
            body: list[Any] = [
                [spec.fields[code_field](f.concept, f) for _, f in rows],
                [" - ".join(spec.fields[d](f.concept, f) for d in display) for _, f in rows],
                _extras_json(spec, extras, rows),
            ]
            return JSONResponse(body, headers={"cache-control": "no-store"})
        if terms is None:
            raise WebError(400, "terms is required: the text to search for")
        start, size = _window(maxList, count, offset)
        hits, total = self._ranked(
            spec, terms.strip(), start=start, size=size, searched=searched, conditions=conditions
        )
        rows = [(hit, Facts(self.service, self._concept(spec, hit))) for hit in hits]
        body = [
            min(total, MAX_TOTAL),
            [spec.fields[code_field](f.concept, f) for _, f in rows],
            _extras_json(spec, extras, rows),
            [[spec.fields[d](f.concept, f) for d in display] for _, f in rows],
        ]
        return JSONResponse(body, headers={"cache-control": "no-store"})

    def _ranked(
        self,
        spec: Table,
        text: str,
        *,
        start: int,
        size: int,
        searched: Sequence[str],
        conditions: Sequence[tuple[str, str, bool]],
    ) -> tuple[list[SearchHit], int]:
        """A page of the table's ranked hits, and the total (an estimate where hits are dropped after ranking)."""
        if not text:
            return [], 0
        only_codes = all(f in spec.code_fields for f in searched)
        narrowed = spec.keep is not None or bool(conditions) or only_codes
        if not narrowed:
            found = self.service.search(text, [spec.system], size or 1, start, spec.billable_only, by_meaning=False)
            return list(found.hits[:size]), found.total
        found = self.service.search(text, [spec.system], _DEEP, 0, spec.billable_only, by_meaning=False)
        typed = text.replace(".", "").upper()
        kept = [
            hit
            for hit in found.hits
            if (spec.keep is None or spec.keep(hit))
            and (not only_codes or hit.code.replace(".", "").upper().startswith(typed))
            and all(self._holds(spec, hit, c) for c in conditions)
        ]
        total = len(kept)
        if found.total > len(found.hits) and found.hits:
            total = round(found.total * len(kept) / len(found.hits))
        return kept[start : start + size], total

    def _holds(self, spec: Table, hit: SearchHit, condition: tuple[str, str, bool]) -> bool:
        field, value, prefix = condition
        concept = self._concept(spec, hit)
        actual = spec.fields[field](concept, Facts(self.service, concept)).lower()
        return actual.startswith(value) if prefix else actual == value

    def _concept(self, spec: Table, hit: SearchHit) -> Concept:
        return self.service.find(spec.system, hit.code)


def _number(name: str, text: str | None, default: int) -> int:
    if text is None:
        return default
    if not text.strip().isdigit():
        raise WebError(400, f"{name} must be a whole number")
    return int(text)


def _window(max_list: str | None, count: str | None, offset: str | None) -> tuple[int, int]:
    """(offset, how many) from maxList, or from count and offset (NLM: maxList does not page)."""
    if count is None and offset is None:
        size = MAX_LIST if max_list is not None and not max_list.strip() else _number("maxList", max_list, DEFAULT_LIST)
        if size > MAX_LIST:
            raise WebError(400, f"maxList must be at most {MAX_LIST}")
        return 0, size
    size = _number("count", count, DEFAULT_LIST)
    start = _number("offset", offset, 0)
    if size > MAX_LIST:
        raise WebError(400, f"count must be at most {MAX_LIST}")
    if start + size > MAX_WINDOW:
        raise WebError(400, f"offset + count must be at most {MAX_WINDOW:,}")
    return start, size


def _fields(spec: Table, text: str | None, default: tuple[str, ...], parameter: str) -> tuple[str, ...]:
    if text is None or not text.strip():
        return default
    names = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = [n for n in names if n not in spec.fields]
    if unknown:
        raise WebError(
            400,
            f"{parameter}: no field {', '.join(unknown)} in table {spec.name}; its fields: " + ", ".join(spec.fields),
        )
    return names


def _extra_fields(spec: Table, text: str | None) -> list[tuple[str, str]]:
    """ef as (field, alias) pairs: ``code_dotted:dotted`` names the field's values ``dotted``."""
    if text is None or not text.strip():
        return []
    pairs = []
    for item in (i.strip() for i in text.split(",") if i.strip()):
        field, _, alias = item.partition(":")
        _fields(spec, field, (), "ef")
        pairs.append((field, alias or field))
    return pairs


def _conditions(spec: Table, text: str | None) -> list[tuple[str, str, bool]]:
    """q as (field, value, prefix) conditions: ``type:category`` or ``code:E11*``, all of which must hold."""
    if text is None or not text.strip():
        return []
    out = []
    for item in text.split():
        field, colon, value = item.partition(":")
        if not colon or not value:
            raise WebError(400, f"q: expected field:value, got {item!r}")
        _fields(spec, field, (), "q")
        prefix = value.endswith("*")
        out.append((field, value.rstrip("*").strip('"').lower(), prefix))
    return out


def _extras_json(spec: Table, extras: list[tuple[str, str]], rows: list[tuple[SearchHit, Facts]]) -> Any:
    if not extras:
        return None
    return {alias: [spec.fields[field](f.concept, f) for _, f in rows] for field, alias in extras}
