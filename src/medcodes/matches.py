"""Crosswalk rows in words: which table each comes from, what kind of match it is, grouped by the other system.

A code's relations arrive as rows of several tables, often naming the same other code twice (WHO's one-category
and multiple-category ICD-10 to ICD-11 tables) and each with flags in the tables' own terms (``subclass``,
``choice list 2``). ``group`` turns them into what a page or a terminal shows: one entry per other code, in one
group per other system, the entries of a group gathered by what their rows say ("narrower: a subclass of this
code", "indirect, through WHO ICD-10 E11.3"), each with the tables named in words.

Flags are read as the sources write them today (sources/gems.py, who_maps.py, history.py, hcpcs.py); a flag
this module does not know is shown as it is, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from medcodes.models import Relation, RelationKind
from medcodes.systems import NAMES, SystemId

# The order kinds of match are listed in: the closest first.
_RANK = ("identical", "equivalent", "narrower", "broader", "approximate", "indirect", "combination", "choice")

_GEM = re.compile(r"^gem-(?:(\d{4})-)?(dx|pcs)-(i9-i10|i10-i9)$")
_CONVERSION = re.compile(r"^cdc-conversion-(.+)$")
_VIA = re.compile(r"^via (.+)$")
_SCENARIO = re.compile(r"^scenario (\d+)$")
_CHOICE = re.compile(r"^choice list (\d+)$")
_WHO_TABLES = {
    "who-10to11-one": "WHO ICD-10 to ICD-11 mapping table (one category per ICD-10 code)",
    "who-10to11-multiple": "WHO ICD-10 to ICD-11 mapping table (several categories per ICD-10 code)",
    "who-11to10-one": "WHO ICD-11 to ICD-10 mapping table",
    "who-foundation-10to11": "WHO ICD-10 to ICD-11 Foundation mapping table",
}


def table_name(source: str | None) -> str:
    """The table a row comes from, in words: "CMS General Equivalence Mappings 2018 (ICD-10-CM to ICD-9-CM)"."""
    if not source:
        return "table not recorded"
    gem = _GEM.match(source)
    if gem:
        year, family, direction = gem.groups()
        one, other = ("ICD-9-CM", "ICD-10-CM") if family == "dx" else ("ICD-9-CM procedures", "ICD-10-PCS")
        pair = f"{one} to {other}" if direction == "i9-i10" else f"{other} to {one}"
        return f"CMS General Equivalence Mappings{' ' + year if year else ''} ({pair})"
    conversion = _CONVERSION.match(source)
    if conversion:
        return f"CDC ICD-10-CM conversion table {conversion.group(1)}"
    if source == "hcpcs-cross-reference":
        return "HCPCS cross reference (CMS alpha-numeric file)"
    base = source.removesuffix("-via-icd10")
    if base in _WHO_TABLES:
        name = _WHO_TABLES[base]
        return f"{name}, read through the WHO ICD-10 code the ICD-10-CM code extends" if base != source else name
    return source


_PREVIOUS = (
    "previous code: this code was used for it before it existed",
    "previous code: it was used for this code before this code existed",
)


def row_words(relation: Relation, outgoing: bool) -> tuple[str, ...]:
    """What one row says about the other code, seen from this code, in words, closest kind of match first."""
    # A conversion-table row's flags only date it: what it means is the relation's own.
    words: list[str] = [_PREVIOUS[0 if outgoing else 1]] if relation.kind is RelationKind.PREVIOUS_CODE_OF else []
    scenario: str | None = None
    for flag in relation.flags:
        via, choice = _VIA.match(flag), _CHOICE.match(flag)
        if flag == "subclass":
            # WHO: the ICD-10 class is narrower than (a subclass of) the ICD-11 entity it maps to.
            words.append("broader: this code is a subclass of it" if outgoing else "narrower: a subclass of this code")
        elif flag == "combination":
            words.append("combination: used together with other codes" if outgoing else "part of a combination")
        elif flag == "postcoordinated":
            words.append("with extension codes")
        elif flag == "no map":
            words.append("no match: the table says there is none")
        elif via:
            # The code it goes through is the link's own detail: the kind of match is the same for all.
            words.append("indirect: through the code it extends")
        elif _SCENARIO.match(flag):
            scenario = flag
        elif choice:
            # GEMs: a combination entry's targets are chosen one from each choice list of a scenario.
            words.append(f"choice list {choice.group(1)}" + (f" of {scenario}" if scenario else ""))
        else:
            words.append(flag)
    # A bare kind ("narrower", "indirect") that another flag says in full ("narrower: a subclass of this code") goes.
    said = {w.split(":", 1)[0] for w in words if ":" in w}
    return tuple(sorted(dict.fromkeys(w for w in words if w not in said), key=_rank))


def through(relation: Relation) -> str | None:
    """The code an indirect row goes through ("WHO ICD-10 E11.3"), or None for a direct row."""
    return next((m.group(1) for m in map(_VIA.match, relation.flags) if m), None)


def default_words(relation: Relation, outgoing: bool) -> str:
    """What a row without flags says: its relation, or what its table lists."""
    if relation.kind is RelationKind.REPLACED_BY:
        return "this code was replaced by it" if outgoing else "it was replaced by this code"
    if relation.kind is RelationKind.PREVIOUS_CODE_OF:
        # The CDC conversion table: the older code is what was reported before the newer one was created.
        return _PREVIOUS[0 if outgoing else 1]
    if relation.kind is RelationKind.SEE:
        return "this code refers to it" if outgoing else "it refers to this code"
    if (relation.source or "").startswith("who-10to11-multiple"):
        return "one of several candidates"
    return "kind of match not stated"


def _rank(words: str) -> int:
    return next((i for i, kind in enumerate(_RANK) if words.startswith(kind)), len(_RANK))


@dataclass(frozen=True, slots=True)
class Link:
    """One code on the other side of one or more rows; ``title`` is None where it is not in the loaded release.

    A "no map" row (RelationKind.NO_MAP) names no code: its link has an empty ``code`` and the table's words
    ("The 2018 GEM lists no ICD-9-CM equivalent for R29.700") in ``details``.
    """

    system: SystemId
    code: str
    title: str | None
    # What the rows say of this code alone: the code an indirect row goes through ("through WHO ICD-10 E11.3"),
    # a WHO cluster to code together ("NB51.Z&XA3KX0").
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkSet:
    """The codes whose rows say the same, from the same tables."""

    words: tuple[str, ...]
    tables: tuple[str, ...]
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class LinkGroup:
    """Every linked code of one other system (or of the code's own: history, cross references)."""

    system: SystemId
    name: str
    sets: tuple[LinkSet, ...]

    @property
    def count(self) -> int:
        """The linked codes (a "no map" row, which names none, is not one)."""
        return sum(1 for s in self.sets for link in s.links if link.code)


def group(
    system: SystemId, code: str, relations: Iterable[Relation], titles: Mapping[tuple[SystemId, str], str]
) -> tuple[LinkGroup, ...]:
    """The relations of ``code`` by other system, one entry per other code, the entries gathered by their words.

    Groups come in the order their first row comes; within a group, the closest kinds of match first.
    """
    words: dict[tuple[SystemId, str], dict[str, None]] = {}
    tables: dict[tuple[SystemId, str], dict[str, None]] = {}
    details: dict[tuple[SystemId, str], dict[str, None]] = {}
    defaults: dict[tuple[SystemId, str], str] = {}
    for relation in relations:
        outgoing = relation.source_system is system and relation.source_code == code
        other = (
            (relation.target_system, relation.target_code)
            if outgoing
            else (relation.source_system, relation.source_code)
        )
        if other == (system, code):
            continue
        said = row_words(relation, outgoing)
        words.setdefault(other, {}).update(dict.fromkeys(said))
        defaults.setdefault(other, default_words(relation, outgoing))
        tables.setdefault(other, {})[table_name(relation.source)] = None
        via = through(relation)
        for detail in (f"through {via}" if via else None, relation.detail):
            if detail:
                details.setdefault(other, {})[detail] = None
    by_system: dict[SystemId, dict[tuple[tuple[str, ...], tuple[str, ...]], list[Link]]] = {}
    for other, found in words.items():
        key = (tuple(sorted(found, key=_rank)) or (defaults[other],), tuple(sorted(tables[other])))
        link = Link(other[0], other[1], titles.get(other), tuple(details.get(other, {})))
        by_system.setdefault(other[0], {}).setdefault(key, []).append(link)
    return tuple(
        LinkGroup(
            other_system,
            NAMES[other_system],
            tuple(
                LinkSet(said, named, tuple(sorted(links, key=lambda link: link.code)))
                for (said, named), links in sorted(sets.items(), key=lambda item: _rank(item[0][0][0]))
            ),
        )
        for other_system, sets in by_system.items()
    )
