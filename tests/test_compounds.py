"""A main term read as the longer word its code's title says for it (search/compounds.py): the Alphabetic Index
gives "Arthritis" M19.90 *Unspecified osteoarthritis, unspecified site*, so `knee arthritis` is the osteoarthritis
of the knee."""

from __future__ import annotations

from pathlib import Path

from medcodes.models import Concept, ConceptKind, Designation, DesignationKind, Prior
from medcodes.search import abbreviations, compounds, index
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.systems import SystemId

from .helpers import concept_store

CM = SystemId.ICD10CM
# ICD-10-CM FY2026: (code, title, parent), a row without a parent a category.
ROWS = [
    ("M00", "Pyogenic arthritis", None),
    ("M00.06", "Staphylococcal arthritis, knee", "M00"),
    ("M00.069", "Staphylococcal arthritis, unspecified knee", "M00.06"),
    ("M00.16", "Pneumococcal arthritis, knee", "M00"),
    ("M00.169", "Pneumococcal arthritis, unspecified knee", "M00.16"),
    ("M06", "Other rheumatoid arthritis", None),
    ("M06.9", "Rheumatoid arthritis, unspecified", "M06"),
    ("M17", "Osteoarthritis of knee", None),
    ("M17.0", "Bilateral primary osteoarthritis of knee", "M17"),
    ("M17.9", "Osteoarthritis of knee, unspecified", "M17"),
    ("M19", "Other and unspecified osteoarthritis", None),
    ("M19.9", "Osteoarthritis, unspecified site", "M19"),
    ("M19.90", "Unspecified osteoarthritis, unspecified site", "M19.9"),
    ("G62", "Other and unspecified polyneuropathies", None),
    ("G62.9", "Polyneuropathy, unspecified", "G62"),
    ("K52", "Other and unspecified noninfective gastroenteritis and colitis", None),
    ("K52.9", "Noninfective gastroenteritis and colitis, unspecified", "K52"),
]
TITLES = {code: title for code, title, _parent in ROWS}
PARENTS = {parent for _code, _title, parent in ROWS}
# What the Alphabetic Index gives its main terms alone.
PRIORS = [
    Prior(CM, "M19.90", "Arthritis, arthritic", modifiers="(acute) (chronic) (nonpyogenic) (subacute)"),
    Prior(CM, "G62.9", "Neuropathy, neuropathic"),
    Prior(CM, "K52.9", "Enteritis", modifiers="(acute) (diarrheal) (hemorrhagic) (noninfective)"),
    # A main term whose code's title says the word itself, or a longer word that adds a plural's ending only.
    Prior(CM, "M06.9", "Rheumatoid arthritis"),
    Prior(CM, "M00.069", "Arthritic"),
]


def test_a_main_term_is_read_as_the_longer_word_of_its_code() -> None:
    given = [(p.term, TITLES[p.code]) for p in PRIORS]
    assert compounds.derive(given) == {
        "arthritis": ["osteoarthritis"],
        "enteritis": ["gastroenteritis"],
        "neuropathy": ["polyneuropathy"],
    }


def test_a_word_of_a_longer_main_term_is_not_read() -> None:
    # "Varicose reducing drug" names a drug; its word "varicose" is no name of the code by itself.
    assert compounds.derive([("Varicose reducing drug", "Poisoning by antivaricose drugs")]) == {}
    assert compounds.derive([("Uria", "Hypercalciuria")]) == {}  # too short a word to read so


def _engine(path: Path) -> SearchEngine:
    concepts = [
        Concept(
            CM,
            code,
            title,
            ConceptKind.CATEGORY if parent is None else ConceptKind.CODE,
            code not in PARENTS,
            parent,
            seq=i,
        )
        for i, (code, title, parent) in enumerate(ROWS)
    ]
    # The Alphabetic Index's "Osteoarthritis, knee M17.1-" (its default, and M17.9's own entry).
    knee = Designation(CM, "M17.9", DesignationKind.INDEX_TERM, "Osteoarthritis, knee", "index")
    store = concept_store(path, concepts, [knee], priors=PRIORS)
    for step in (index.write, compounds.save):
        step(store)
    return SearchEngine(store)


def test_knee_arthritis_is_the_osteoarthritis_of_the_knee(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "t.db")
    assert abbreviations.load(engine.store)["arthritis"] == ("osteoarthritis",)
    # Before, the staphylococcal and pneumococcal arthritis of the knee came first: M17.9 says no "arthritis".
    assert engine.search(parse("knee arthritis")).hits[0].code == "M17.9"
    # The words typed still come first where a title says them.
    assert engine.search(parse("rheumatoid arthritis")).hits[0].code == "M06.9"
    assert engine.search(parse("staphylococcal arthritis knee")).hits[0].code == "M00.069"
