"""Content packs: explainers as JSON lines, so that one deployment's reviewed explainers can seed another.

One line per explainer::

    {"format": "medcodes-explainer/1", "system": "icd10pcs", "code": "0UT70ZZ", "kind": "procedure",
     "sections": {"name": "...", "summary": "...", ...},
     "provenance": {"model": "...", "endpoint": "...", "prompt_version": "...", "facts_hash": "...",
                    "release": "2026", "created": "2026-01-05T10:00:00+00:00", "status": "reviewed",
                    "reviewed_by": "...", "reviewed_at": "...", "prompt_tokens": 0, "completion_tokens": 0,
                    "origin": "generated"}}

``sections`` has the shape of a model's answer, so an import goes through the very parser and checks a
generated answer goes through, against the importing deployment's own database. Provenance is kept as
written; ``origin`` records the pack it came from. A stale facts hash is kept too: the code page then
shows the explainer as stale until it is regenerated or reviewed again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from medcodes.errors import MedcodesError
from medcodes.explain.facts import Grounding
from medcodes.explain.store import ExplainerStore
from medcodes.explain.validate import Draft, Existing, parse_answer, validate
from medcodes.models import Explainer, ExplainerKind, ExplainerStatus, Provenance, SectionType
from medcodes.systems import SystemId

FORMAT = "medcodes-explainer/1"


def provenance_json(p: Provenance, *, endpoint: bool = True, tokens: bool = False) -> dict[str, object]:
    """An explainer's provenance as JSON. Pages leave the ``endpoint`` (the model server's host) out: it
    says something about the deployment and nothing about the text; packs keep it, with the token counts."""
    out: dict[str, object] = {"model": p.model}
    if endpoint:
        out["endpoint"] = p.endpoint
    out |= {
        "prompt_version": p.prompt_version,
        "facts_hash": p.facts_hash,
        "release": p.release,
        "created": p.created.isoformat(),
        "status": p.status.value,
        "reviewed_by": p.reviewed_by,
        "reviewed_at": p.reviewed_at.isoformat() if p.reviewed_at else None,
    }
    if tokens:
        out |= {"prompt_tokens": p.prompt_tokens, "completion_tokens": p.completion_tokens}
    out["origin"] = p.origin
    return out


def sections_json(explainer: Explainer) -> list[dict[str, object]]:
    """An explainer's sections as JSON, typed (text, list, steps)."""
    return [
        {"key": s.key, "title": s.title, "type": s.type.value, "text": s.text, "items": list(s.items)}
        for s in explainer.sections
    ]


def dumps(explainer: Explainer) -> str:
    """One pack line."""
    sections: dict[str, object] = {
        s.key: s.text if s.type is SectionType.TEXT else list(s.items) for s in explainer.sections
    }
    return json.dumps(
        {
            "format": FORMAT,
            "system": explainer.system.value,
            "code": explainer.code,
            "kind": explainer.kind.value,
            "sections": sections,
            "provenance": provenance_json(explainer.provenance, tokens=True),
        },
        ensure_ascii=False,
    )


def write(explainers: Iterable[Explainer], out: Callable[[str], object]) -> int:
    """Write pack lines through ``out``; returns how many."""
    n = 0
    for explainer in explainers:
        out(dumps(explainer) + "\n")
        n += 1
    return n


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    code: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ImportSummary:
    added: int
    replaced: int
    skipped: int  # the deployment already had an explainer it keeps
    rejected: tuple[Rejected, ...]


class _Invalid(Exception):
    pass


def _read(line: str, source: str) -> Explainer:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _Invalid(f"not JSON: {exc.msg}") from None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        raise _Invalid(f'not a pack line: "format" must be "{FORMAT}"')
    try:
        system = SystemId(str(value["system"]))
        code = str(value["code"])
        kind = ExplainerKind(str(value["kind"]))
        p = value["provenance"]
        if not isinstance(p, dict):
            raise _Invalid('"provenance" must be an object')
        origin = str(p.get("origin") or "generated")
        provenance = Provenance(
            model=str(p["model"]),
            endpoint=str(p["endpoint"]),
            prompt_version=str(p["prompt_version"]),
            facts_hash=str(p["facts_hash"]),
            release=None if p.get("release") is None else str(p["release"]),
            created=_time(p["created"]),
            status=ExplainerStatus(str(p["status"])),
            reviewed_by=None if p.get("reviewed_by") is None else str(p["reviewed_by"]),
            reviewed_at=None if p.get("reviewed_at") is None else _time(p["reviewed_at"]),
            prompt_tokens=int(p.get("prompt_tokens") or 0),
            completion_tokens=int(p.get("completion_tokens") or 0),
            origin=f"imported from {source}" + ("" if origin.startswith("imported") else f" ({origin})"),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise _Invalid(f"bad or missing field: {exc}") from None
    draft, problems = parse_answer(json.dumps(value.get("sections")), kind)
    if draft is None:
        raise _Invalid("; ".join(str(p) for p in problems))
    return Explainer(system, code, kind, draft.sections, provenance)


def _time(value: object) -> dt.datetime:
    moment = dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def import_pack(
    lines: Iterable[str],
    source: str,
    store: ExplainerStore,
    *,
    ground: Callable[[SystemId, str], Grounding | None],
    existing: Existing,
    systems: Sequence[SystemId],
    replace_existing: bool = False,
) -> ImportSummary:
    """Import pack lines, each checked like a generated answer against this deployment's database.

    A code that already has an explainer keeps it, unless ``replace_existing`` is set or the pack brings a
    reviewed explainer where the deployment has only a generated one.
    """
    added = replaced = skipped = 0
    rejected: list[Rejected] = []
    for number, line in _numbered(lines):
        code: str | None = None
        try:
            explainer = _read(line, source)
            code = explainer.code
            grounding = ground(explainer.system, explainer.code)
        except _Invalid as exc:
            rejected.append(Rejected(number, code, str(exc)))
            continue
        except MedcodesError as exc:
            rejected.append(Rejected(number, code, str(exc)))
            continue
        problem = _check(explainer, grounding, existing, systems)
        if problem is not None:
            rejected.append(Rejected(number, code, problem))
            continue
        current = store.get(explainer.system, explainer.code)
        if current is not None and not (replace_existing or _upgrade(current, explainer)):
            skipped += 1
            continue
        store.save(explainer)
        if current is None:
            added += 1
        else:
            replaced += 1
    return ImportSummary(added, replaced, skipped, tuple(rejected))


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, line


def _check(
    explainer: Explainer, grounding: Grounding | None, existing: Existing, systems: Sequence[SystemId]
) -> str | None:
    if grounding is None:
        return f"{explainer.code}: this deployment generates no explainer for such a code"
    if grounding.kind is not explainer.kind:
        return f"{explainer.code}: kind {explainer.kind.value}, but this deployment expects {grounding.kind.value}"
    problems = validate(Draft(explainer.kind, explainer.sections), grounding, existing, systems)
    return "; ".join(str(p) for p in problems) if problems else None


def _upgrade(current: Explainer, incoming: Explainer) -> bool:
    return (
        current.provenance.status is ExplainerStatus.GENERATED
        and incoming.provenance.status is ExplainerStatus.REVIEWED
    )
