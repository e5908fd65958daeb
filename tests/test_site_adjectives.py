"""A site's adjective read as its noun where the names of codes say the site both ways (search/site_adjectives.py)."""

from __future__ import annotations

from pathlib import Path

from medcodes.models import DesignationKind
from medcodes.search import abbreviations, index, site_adjectives
from medcodes.search.query import parse

from .helpers import code_engine

TITLES = {
    "N48.0": "Leukoplakia of penis",
    "N48.5": "Ulcer of penis",
    "D07.4": "Carcinoma in situ of penis",
    "R36.9": "Urethral discharge, unspecified",
    "J39.2": "Other diseases of pharynx",
    # "Ulcer" is a common word, "penile" a rare one.
    "K25.9": "Gastric ulcer, unspecified as acute or chronic, without hemorrhage or perforation",
    "K26.9": "Duodenal ulcer, unspecified as acute or chronic, without hemorrhage or perforation",
    "K27.9": "Peptic ulcer, site unspecified, unspecified as acute or chronic, without hemorrhage or perforation",
    "L89.90": "Pressure ulcer of unspecified site, unspecified stage",
    "L97.909": "Non-pressure chronic ulcer of unspecified part of unspecified lower leg with unspecified severity",
    "I83.009": "Varicose veins of unspecified lower extremity with ulcer of unspecified site",
    "K51.90": "Ulcerative colitis, unspecified, without complications",
}
INDEX_TERMS = {"N48.5": "Ulcer, penis"}
# The names the vocabularies give the codes besides their titles (DO and NCIt say the site both ways).
NAMES = [
    ("N48.0", DesignationKind.SYNONYM, "Penile leukoplakia"),
    ("D07.4", DesignationKind.SYNONYM, "Penile carcinoma in situ"),
    ("R36.9", DesignationKind.INCLUSION_TERM, "Penile discharge NOS"),
]


def test_a_code_named_both_ways_pairs_the_adjective_with_the_noun() -> None:
    assert site_adjectives.pairs_of(["Ulcer of penis", "Penile ulcer", "Ulcer, penis"]) == {("penile", "penis")}
    assert site_adjectives.pairs_of(["Kaposi's Sarcoma of the Penis", "Penile Kaposi's Sarcoma"]) == {
        ("penile", "penis")
    }
    # The rest of the name must be the same words: "Acute ulcer of penis" says more than "Penile ulcer".
    assert site_adjectives.pairs_of(["Acute ulcer of penis", "Penile ulcer"]) == set()
    assert site_adjectives.pairs_of(["Ulcer of penis"]) == set()


def test_a_pair_is_kept_where_enough_codes_make_it_each_alone() -> None:
    named = [
        (1, "Leukoplakia of penis"),
        (1, "Penile leukoplakia"),
        (2, "Carcinoma in situ of penis"),
        (2, "Penile carcinoma in situ"),
        (3, "Ulcer of stomach"),
        (3, "Gastric ulcer"),
        # A code listing sites pairs each adjective with every site: it says nothing of any one pair.
        (4, "Kaposi's sarcoma of lung"),
        (4, "Kaposi's sarcoma of stomach"),
        (4, "Gastric Kaposi's sarcoma"),
    ]
    assert site_adjectives.derive(named) == {"penile": ["penis"]}
    assert site_adjectives.derive(named, min_codes=1) == {"gastric": ["stomach"], "penile": ["penis"]}


def test_the_adjective_typed_finds_the_title_that_says_the_noun(tmp_path: Path) -> None:
    steps = (index.write, abbreviations.save, site_adjectives.save)
    engine = code_engine(tmp_path / "s.db", TITLES, INDEX_TERMS, steps, NAMES)
    assert site_adjectives.load(engine.store) == {"penile": ["penis"]}
    found = engine.search(parse("penile ulcer")).hits
    # Before, "Penile discharge NOS" came first: "penile" is the rarer word, and no name of N48.5 said it.
    assert found[0].code == "N48.5"


def test_a_database_built_before_the_pairs_reads_none(tmp_path: Path) -> None:
    engine = code_engine(tmp_path / "s.db", TITLES, INDEX_TERMS, (index.write,), NAMES)
    assert site_adjectives.load(engine.store) == {}


SACRUM = {
    "L89.152": "Pressure ulcer of sacral region, stage 2",
    "L89.002": "Pressure ulcer of unspecified elbow, stage 2",
    "L89.012": "Pressure ulcer of right elbow, stage 2",
    "S32.10XA": "Unspecified fracture of sacrum, initial encounter for closed fracture",
    "Q76.49": "Other congenital malformations of spine, not associated with scoliosis",
}


def test_a_site_noun_is_read_as_its_adjective_where_only_that_holds_the_words_together(tmp_path: Path) -> None:
    engine = code_engine(tmp_path / "s.db", SACRUM, {"Q76.49": "Agenesis, sacrum"})
    # Before, the elbow came first: no title says "sacrum" with the ulcer's words, and the partial match put the
    # first pressure ulcer in code order first.
    found = engine.search(parse("pressure ulcer sacrum stage 2")).hits
    assert found[0].code == "L89.152"
    assert ("synonym", "sacrum = sacral") in [(r.field, r.text) for r in found[0].reasons]
    # Where the noun is held with the other words as typed, it is read as typed only.
    assert engine.search(parse("fracture of sacrum")).hits[0].code == "S32.10XA"
    assert engine.search(parse("sacrum agenesis")).hits[0].code == "Q76.49"
