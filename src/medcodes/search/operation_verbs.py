"""A verb typed for an ICD-10-PCS root operation, read as the operation.

ICD-10-PCS titles name the root operation by its noun ("Transplantation of Liver, Allogeneic, Open Approach",
"Replacement of Right Knee Joint ..."); people say the verb ("liver transplant", "replace knee", "remove
gallbladder"), which a stem matches at a share only. At build time ``derive`` reads the operations the PCS tables
name (``SQLiteStore.operations``, axis 3) and gives each the verb its ending makes: "-ation" and "-ion" less the
ending after "ct", "rt", "nt", "ss" and the like ("transplant", "insert", "compress"), else with "-ate" or "e"
("irrigate", "dilate", "excise"), "-ment" less it ("replace", "detach"), "-al" with "e" ("remove"). Each verb is
read as its operation too, in any query (``abbreviations.load``), an alternative the words typed still come
before. A form no one types ("alterate") is read by no one.
"""

from __future__ import annotations

from collections.abc import Iterable

from medcodes.search.text import tokens
from medcodes.store.sqlite import SQLiteStore

BLOB = "operation-verbs-1"

# A verb shorter than this is no word the endings make reliably ("dil", "excis"), or another word ("tract" of
# "Traction", "alter").
MIN_LENGTH = 6

# Nouns whose verb is the noun less "-ion" or "-ation" end so ("insert", "extract", "compress", "transplant"); the
# others take an "e" ("excise", "revise", "transfuse") or "-ate" ("irrigate", "dilate", "extirpate").
_BARE = ("ct", "rt", "pt", "nt", "st", "ss")


def verbs(operation: str) -> list[str]:
    """The verb an operation's noun makes by its ending ("Transplantation": "transplant", "Excision": "excise",
    "Replacement": "replace", "Removal": "remove"), where it makes one of ``MIN_LENGTH`` letters at least."""
    words = tokens(operation)
    if len(words) != 1:
        return []
    noun = words[0]
    if noun.endswith("ation"):
        stem = noun[:-5]
        verb = stem if stem.endswith(_BARE) else stem + "ate"
    elif noun.endswith("ion"):
        stem = noun[:-3]
        verb = stem if stem.endswith(_BARE) else stem + "e"
    elif noun.endswith("ment"):
        verb = noun[:-4]
    elif noun.endswith("al"):
        verb = noun[:-2] + "e"
    elif noun.endswith("age"):
        verb = noun[:-3]
    else:
        return []
    return [verb] if len(verb) >= MIN_LENGTH and verb.isalpha() else []


def derive(operations: Iterable[str]) -> dict[str, list[str]]:
    """Verb -> the operations it is read as."""
    read: dict[str, list[str]] = {}
    for operation in sorted(set(operations)):
        for verb in verbs(operation):
            meant = " ".join(tokens(operation))
            if meant not in read.setdefault(verb, []):
                read[verb].append(meant)
    return read


def save(store: SQLiteStore) -> None:
    """Build-time step: derive the verbs from the ICD-10-PCS operations the store holds, and keep them."""
    store.put_word_lists(BLOB, derive(store.operations()))


def load(store: SQLiteStore) -> dict[str, list[str]]:
    """Verb -> the operations it is read as (empty in a database built before them or without ICD-10-PCS)."""
    return store.get_word_lists(BLOB)
