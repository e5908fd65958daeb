"""Every open vocabulary a build reads, and which copy of each it uses: its own files, else the packaged table.

``load`` is the vocabularies' side of the source contract: it takes every file ``discover()`` found and the
releases already read, and returns what the vocabularies add to ICD-10-CM (``VocabularyContent``), or
None when no ICD-10-CM release is being built. A vocabulary whose own files are among those found is read
from them (``doid``, ``ncit``, ``mondo``, ``hpo``, ``medical_abbreviations``) and linked against the release
(``vocabulary.link``); any other comes from medcodes' packaged table (``vocabulary_table``), as do the
Alphabetic Index priors when no index file is loaded. ``origins`` says which copy each one came from.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from medcodes.models import Designation, ReleaseContent, VocabularyContent
from medcodes.sources import doid, hpo, medical_abbreviations, mondo, ncit, said_phrases, vocabulary_table
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.sources.vocabulary import (
    VocabularySource,
    index_entries,
    link,
    name_key,
    name_keys,
    sense_phrases,
    spelled,
)
from medcodes.systems import SystemId

__all__ = ["KINDS", "LOADERS", "SNIFFERS", "Loaded", "link_files", "load"]

# In the order their names are preferred when two give a code the same name.
LOADERS: tuple[tuple[str, Callable[[Sequence[FoundFile]], VocabularySource | None]], ...] = (
    (doid.NAME, doid.load),
    (ncit.NAME, ncit.load),
    (mondo.NAME, mondo.load),
    (hpo.NAME, hpo.load),
    (medical_abbreviations.NAME, medical_abbreviations.load),
)
SNIFFERS = (doid.sniff, ncit.sniff, mondo.sniff, hpo.sniff, medical_abbreviations.sniff, vocabulary_table.sniff)
KINDS: dict[str, tuple[FileKind, ...]] = {
    doid.NAME: doid.KINDS,
    ncit.NAME: (FileKind.NCIT_JSON,),
    mondo.NAME: (FileKind.MONDO_SSSOM,),
    hpo.NAME: (FileKind.HPO_OBO,),
    medical_abbreviations.NAME: (FileKind.ABBREVIATIONS,),
}
# Systems whose designations an abbreviation's meaning may be (a procedure or a supply has abbreviations too).
_NAMED_SYSTEMS = frozenset({SystemId.ICD10CM, SystemId.ICD10PCS, SystemId.HCPCS})


@dataclass(frozen=True, slots=True)
class Loaded:
    content: VocabularyContent
    origins: dict[str, str]  # vocabulary name -> "files" or the packaged table's file name


@dataclass(frozen=True, slots=True)
class _Names:
    """What linking looks up in the releases being built."""

    codes: dict[str, str]  # ICD-10-CM code -> title
    official: dict[str, set[str]]  # ICD-10-CM code -> name keys of its designations
    texts: dict[str, set[tuple[SystemId, str]]]  # name key of an abbreviation's meaning -> codes carrying it
    words: set[str]  # every word of the named systems' designations
    entries: dict[frozenset[str], set[str]]  # the Alphabetic Index's entries (``vocabulary.index_entries``)
    said: set[str] = field(default_factory=set)  # abbreviations' meanings a designation says (``sense_phrases``)
    title_words: set[str] = field(default_factory=set)  # the words of the ICD-10-CM titles


def load(
    found: Sequence[FoundFile], contents: Sequence[ReleaseContent], sources: Sequence[VocabularySource]
) -> Loaded | None:
    """What the vocabularies add to the ICD-10-CM release among ``contents`` (None without one). ``sources``: the
    vocabularies' own files among ``found``, read (``sources_of``)."""
    release = next((c for c in contents if c.release.system is SystemId.ICD10CM), None)
    if release is None:
        return None
    names = _names(release, contents, sources)
    linked = _link(sources, names)
    own = {source.vocabulary.name for source in sources}
    origins = dict.fromkeys(own, "files")
    table_file = _table(found)
    if table_file is None:
        return Loaded(linked, origins)
    # The Alphabetic Index loaded with the release replaces the table's index rows.
    have_index = any(vocabulary_table.is_index(p.source) for p in release.priors) or any(
        vocabulary_table.is_index(d.source) for d in release.designations
    )
    rest = vocabulary_table.select(
        vocabulary_table.read(table_file),
        table_file,
        lambda name: name not in own and not (vocabulary_table.is_index(name) and have_index),
        names.codes,
        names.words,
    )
    origins.update(dict.fromkeys((v.name for v in rest.vocabularies), table_file.path.name))
    return Loaded(_merged(linked, rest), origins)


def link_files(
    found: Sequence[FoundFile],
    release: ReleaseContent,
    contents: Sequence[ReleaseContent],
    index: Sequence[Designation] | None = None,
) -> VocabularyContent:
    """The vocabularies whose own files are among ``found``, read and linked against the ICD-10-CM
    ``release`` and the designations of ``contents`` (what ``scripts/derive_vocabulary.py`` writes).
    ``index``: the Alphabetic Index's designations that decide which code a name's words mean, where they are
    not all among the release's (default: the release's own index terms)."""
    sources = sources_of(found)
    names = _names(release, contents, sources)
    if index is not None:
        names = replace(names, entries=index_entries(index))
    return _link(sources, names)


def sources_of(found: Sequence[FoundFile]) -> list[VocabularySource]:
    """The vocabularies whose own files are among ``found``, read (they need no release: the build reads them
    while it reads ICD-10-CM)."""
    present = {f.kind for f in found}
    return [source for name, loader in LOADERS if present & set(KINDS[name]) and (source := loader(found)) is not None]


def _names(release: ReleaseContent, contents: Sequence[ReleaseContent], sources: Sequence[VocabularySource]) -> _Names:
    # Only an abbreviation's meaning is looked up among every designation's text: collect just those.
    abbreviations = [a for source in sources for a in source.abbreviations]
    meanings = {name_key(a.meaning) for a in abbreviations}
    names = _Names({c.code: c.title for c in release.concepts}, {}, {}, set(), index_entries(release.designations))
    every: list[list[str]] = []
    for content in contents:
        if content.release.system not in _NAMED_SYSTEMS:
            continue
        keys = name_keys([d.text for d in content.designations])
        for d, key in zip(content.designations, keys, strict=True):
            if key in meanings:
                names.texts.setdefault(key, set()).add((d.system, d.code))
            if d.system is SystemId.ICD10CM:
                names.official.setdefault(d.code, set()).add(key)
        names.words.update(" ".join(keys).split())
        every.append(keys)
    # A meaning no designation is, said within one ("white blood cell" in "Decreased white blood cell count"): only
    # those of abbreviations that spell no word of the ICD-10-CM titles ("in", "all": the short titles' own
    # abbreviations, "WBC", do not count), whose every word the code sets use, are looked for.
    names.title_words.update(name_key(" ".join(names.codes.values())).split())
    phrases = {
        phrase
        for a in abbreviations
        if name_key(a.meaning) not in names.texts and not spelled(a.text, names.title_words)
        for phrase in sense_phrases(a.meaning)
        if all(w in names.words for w in phrase.split())
    }
    # One word is a word of the code sets already; longer phrases are looked for in the designations (each text once).
    names.said.update(p for p in phrases if " " not in p)
    longer = {p for p in phrases if " " in p}
    names.said.update(said_phrases.said(longer, set(itertools.chain.from_iterable(every))))
    return names


def _link(sources: Sequence[VocabularySource], names: _Names) -> VocabularyContent:
    if not sources:
        return VocabularyContent(())
    return link(
        sources,
        codes=names.codes,
        titles=names.codes,
        official=names.official,
        texts=names.texts,
        words=names.words,
        entries=names.entries,
        said=names.said,
        title_words=names.title_words,
    )


def _table(found: Sequence[FoundFile]) -> FoundFile | None:
    """A vocabulary table among the files found (the newest format), else the packaged one."""
    tables = sorted((f for f in found if f.kind is FileKind.VOCABULARY_TABLE), key=lambda f: str(f.path))
    return tables[-1] if tables else vocabulary_table.packaged()


def _merged(first: VocabularyContent, second: VocabularyContent) -> VocabularyContent:
    return VocabularyContent(
        first.vocabularies + second.vocabularies,
        first.designations + second.designations,
        first.rewrites + second.rewrites,
        first.definitions + second.definitions,
        first.priors + second.priors,
        first.warnings + second.warnings,
        first.notes + second.notes,
        first.readings + second.readings,
    )
