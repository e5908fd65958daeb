"""Where code systems, value sets and concept maps are found by canonical URL: the loaded systems (with their
implicit value sets) and what a request supplies (``tx-resource``), which comes first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from medcodes.terminology.codesystems import CodeSource, LocalCodeSystem, StoredCodeSystem
from medcodes.terminology.conceptmaps import ConceptMapDefinition
from medcodes.terminology.valuesets import ComposePart, Filter, ValueSetDefinition

# FHIR's implicit value sets of a code system: [system]?fhir_vs (every code), [system]?fhir_vs=isa/[code].
IMPLICIT = "?fhir_vs"


@dataclass(frozen=True, slots=True)
class Supplied:
    """Resources a request brings along, for that request only."""

    code_systems: tuple[LocalCodeSystem, ...] = ()
    value_sets: tuple[ValueSetDefinition, ...] = ()
    concept_maps: tuple[ConceptMapDefinition, ...] = ()
    # system-version, force-system-version, check-system-version: (url, version) to use for that system.
    versions: tuple[tuple[str, str], ...] = ()


def split_canonical(url: str) -> tuple[str, str | None]:
    """``url|version`` -> (url, version)."""
    base, _, version = url.partition("|")
    return base, version or None


class Registry:
    def __init__(self, stored: Mapping[str, StoredCodeSystem], supplied: Supplied = Supplied()) -> None:
        self.stored = stored
        self.supplied = supplied

    def code_system(self, url: str, version: str | None = None) -> CodeSource | None:
        base, pinned = split_canonical(url)
        version = version or pinned or dict(self.supplied.versions).get(base)
        candidates = [cs for cs in self.supplied.code_systems if cs.info.url == base]
        if candidates:
            if version is None:
                return candidates[-1]
            return next((cs for cs in candidates if cs.info.version == version), None)
        found = self.stored.get(base)
        if found is not None and version is not None and found.info.version != version:
            return None
        return found

    def supplied_versions(self, url: str) -> list[str]:
        return [cs.info.version or "" for cs in self.supplied.code_systems if cs.info.url == url]

    def value_set(self, url: str) -> ValueSetDefinition | None:
        base, version = split_canonical(url)
        candidates = [vs for vs in self.supplied.value_sets if vs.url == base]
        if candidates:
            if version is None:
                return candidates[-1]
            return next((vs for vs in candidates if vs.version == version), None)
        return self.implicit(base)

    def implicit(self, url: str) -> ValueSetDefinition | None:
        """A loaded system's implicit value set: every code, or one code and everything below it."""
        system, marker, rest = url.partition(IMPLICIT)
        if not marker or system not in self.stored:
            return None
        source = self.stored[system]
        version = source.info.version
        if rest == "":
            return ValueSetDefinition(
                url,
                version,
                f"All {source.info.name} codes",
                f"All {source.info.name} codes",
                "active",
                include=(ComposePart(system),),
            )
        if rest.startswith("=isa/") and len(rest) > 5:
            code = rest[5:]
            return ValueSetDefinition(
                url,
                version,
                _name(f"{source.info.name} {code} and below"),
                f"{source.info.name} {code} and everything below it",
                "active",
                include=(ComposePart(system, filters=(Filter("concept", "is-a", code),)),),
            )
        return None

    def concept_maps(self, url: str | None = None) -> list[ConceptMapDefinition]:
        if url is None:
            return list(self.supplied.concept_maps)
        base, version = split_canonical(url)
        return [
            cm for cm in self.supplied.concept_maps if cm.url == base and (version is None or cm.version == version)
        ]


def _name(text: str) -> str:
    """A computable name (letters and digits only) for a value set."""
    return "".join(ch for ch in text.title() if ch.isalnum())
