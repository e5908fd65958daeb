"""The ICD-10-CM finders of the Alphabetic Index (neighbouring entries, Neoplasm and Drug Table rows) and of
the Excludes notes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from medcodes.models import (
    TABLE_COLUMN,
    Concept,
    DesignationKind,
    NoteKind,
    SimilarKind,
)
from medcodes.similar.clue import BROAD_INDEX, INDEX_MAX, SCORE, SKIPPED_KINDS, Clue
from medcodes.store.sqlite import SQLiteStore

# A code named in a note: "(E10.-)", "(O24.4-)", "(P70.2)"; a range such as "(C00-D49)" is not one code.
_NOTE_CODE = re.compile(r"(?<![\w.-])([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?!-[A-Z0-9])")


def _with_ancestors(store: SQLiteStore, concept: Concept) -> list[Concept]:
    """The concept, then its ancestors up to its category, nearest first."""
    chain = [concept]
    for ancestor in reversed(store.ancestors(concept.system, concept.code)):
        if ancestor.kind in SKIPPED_KINDS:
            break
        chain.append(ancestor)
    return chain


def _analogue(store: SQLiteStore, concept: Concept, holder: str, target: str) -> str:
    """The code under ``target`` that stands where ``concept`` stands under ``holder``.

    E11.9 is E11 + ".9"; a note of E11 naming E10.- points, for E11.9, to E10.9, and C34.91 (C34.9 + "1")
    finds C78.01 through C78.0. Only a last character is carried over: longer tails mean different things
    in different categories. Where no such code exists, the target itself is the neighbour.
    """
    tail = concept.code[len(holder) :] if concept.code.startswith(holder) else ""
    if len(tail.replace(".", "")) != 1 or tail.startswith(".") == ("." in target):
        return target
    candidate = target + tail
    return candidate if store.get(concept.system, candidate) is not None else target


def index_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """Neighbouring Alphabetic Index entries, and the other columns of the same Neoplasm/Drug Table row."""
    for holder in _with_ancestors(store, concept)[:3]:
        terms = [d for d in store.designations(holder.system, holder.code) if d.kind is DesignationKind.INDEX_TERM]
        for term in terms:
            if term.via is not None:
                continue
            if TABLE_COLUMN in term.text:
                row, column = term.text.split(TABLE_COLUMN, 1)
                for system, code, text in store.index_terms_with_prefix(row + TABLE_COLUMN, 40):
                    other_column = text.split(TABLE_COLUMN, 1)[1]
                    if other_column == column:
                        continue
                    yield Clue(
                        system,
                        _analogue(store, concept, holder.code, code),
                        SimilarKind.INDEX_TERM,
                        f"Same row of the {_table_name(term.source)} ({row}): {other_column} instead of {column}",
                        SCORE["index_row"],
                        corroborate=True,
                    )
                continue
            parent, _, last = term.text.rpartition(", ")
            if ", " not in parent:
                continue  # the subterms of a main term alone are far apart (Contusion: elbow, newborn)
            prefix = parent + ", "
            entries = [
                (system, code, text)
                for system, code, text in store.index_terms_with_prefix(prefix, 400)
                if ", " not in text[len(prefix) :] and text != term.text
            ]
            if len(entries) > INDEX_MAX:
                continue  # a long list of subterms says little about any two of them
            score = SCORE["index_term"] if len(entries) <= BROAD_INDEX else SCORE["index_term_broad"]
            for system, code, text in entries:
                yield Clue(
                    system,
                    _analogue(store, concept, holder.code, code),
                    SimilarKind.INDEX_TERM,
                    f"Next to it in the {'reconstructed ' if term.reconstructed else ''}Alphabetic Index"
                    f" under '{parent}': {text[len(prefix) :]} (this code: {last})",
                    score,
                    group=("index", parent),
                    more_label=f"other entries under '{parent}'",
                    corroborate=True,
                )
        if terms:
            break  # the nearest holder with index terms speaks for the code


def _table_name(source: str) -> str:
    return {"neoplasm": "Table of Neoplasms", "drug": "Table of Drugs and Chemicals"}.get(source, "index table")


def note_clues(store: SQLiteStore, concept: Concept) -> Iterator[Clue]:
    """Codes named in the Excludes1/Excludes2 notes of the code and its ancestors (ICD-10-CM)."""
    for note in store.notes(concept.system, concept.code):
        if note.kind not in (NoteKind.EXCLUDES1, NoteKind.EXCLUDES2):
            continue
        holder = note.inherited_from or concept.code
        label = "Excludes1" if note.kind is NoteKind.EXCLUDES1 else "Excludes2"
        for match in _NOTE_CODE.finditer(note.text):
            target = match.group(1)
            yield Clue(
                concept.system,
                _analogue(store, concept, holder, target),
                SimilarKind.NOTE,
                f"Named in the {label} note of {holder}: {note.text}",
                SCORE["excludes1"] if note.kind is NoteKind.EXCLUDES1 else SCORE["excludes2"],
            )
