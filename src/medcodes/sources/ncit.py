"""The NCI Thesaurus (NCIt), disease branch, as OBO-JSON (CC BY 4.0: its attribution goes with every use).

File: an OBO-JSON extract of NCIt such as ``ncit-disease-2018-06-08.json`` (the OBO Foundry's ``ncit.json``
holds the same shape). Terms under "Disease, Disorder or Finding" (C7057) are read, where the file holds
that term (an extract also carries genes, anatomy and cells, which name no diagnosis): label, exact
synonyms, definition. NCIt types no synonym as an abbreviation, so a short, mostly capital synonym is
read as one ("AFib", "GERD").

NCIt states no mapping to ICD-10-CM itself: its names reach codes only through MONDO's exactMatch rows
and DO's ``NCI:`` xrefs, which say which DO or MONDO term is the same concept.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from medcodes.models import Vocabulary
from medcodes.sources import obo
from medcodes.sources.files import source_file
from medcodes.sources.kinds import FileKind, FoundFile, newest
from medcodes.sources.vocabulary import (
    Synonym,
    VocabularySource,
    VocabularyTerm,
    date_in,
    distinct,
    looks_like_abbreviation,
)

__all__ = ["LICENCE", "NAME", "load", "sniff"]

NAME = "ncit"
TITLE = "NCI Thesaurus"
URL = "https://ncit.nci.nih.gov"
LICENCE = "Creative Commons Attribution 4.0 International (CC BY 4.0): https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = (
    "NCI Thesaurus (NCIt), National Cancer Institute, U.S. National Institutes of Health, https://ncit.nci.nih.gov, "
    "licensed under CC BY 4.0. Changes: only the disease branch is used; synonyms and definitions are shown as "
    "names and definitions of ICD-10-CM codes that MONDO or the Disease Ontology map the NCIt concept to, or as "
    "alternative readings of a search."
)
ROOT = "NCIT:C7057"  # Disease, Disorder or Finding


def sniff(path: Path, head: bytes) -> FoundFile | None:
    name = path.name.lower()
    if not name.endswith((".json", ".json.gz")):
        return None
    text = head.decode("utf-8", "replace")
    if '"graphs"' not in text or "/obo/NCIT_" not in text:
        return None
    return FoundFile(FileKind.NCIT_JSON, path, date_in(name))


def load(found: Sequence[FoundFile]) -> VocabularySource | None:
    """The newest NCIt OBO-JSON file found, or None."""
    own = newest(found, FileKind.NCIT_JSON)
    if not own:
        return None
    item = own[0]
    ontology = obo.read_json(item.path)
    keep = obo.descendants(ontology.terms, ROOT)
    terms: list[VocabularyTerm] = []
    for term in ontology.terms:
        if term.obsolete or term.id not in keep or not term.id.startswith("NCIT:"):
            continue
        synonyms = distinct(
            term.label,
            (
                Synonym(s.text, s.scope, s.abbreviation or looks_like_abbreviation(s.text, term.label))
                for s in term.synonyms
            ),
        )
        terms.append(VocabularyTerm(term.id, term.label, NAME, synonyms, term.definition))
    warnings = tuple(f"{f.path.name}: not read, {item.path.name} is the newer NCIt file" for f in own[1:])
    vocabulary = Vocabulary(
        NAME,
        TITLE,
        ontology.version or item.version or "not stated",
        (source_file(item.path),),
        LICENCE,
        ATTRIBUTION,
        url=URL,
    )
    return VocabularySource(vocabulary, tuple(terms), warnings=warnings)
