"""Which names an abbreviation spells out, and abbreviations a vocabulary gives the wrong term."""

from __future__ import annotations

import pytest

from medcodes.models import DesignationKind, NameScope
from medcodes.sources import doid, ncit, spelled_out, vocabulary
from medcodes.systems import SystemId
from tests.test_vocabularies import _found

CM = SystemId.ICD10CM


@pytest.mark.parametrize(
    ("abbreviation", "name", "expected"),
    [
        ("CHF", "congestive heart failure", True),  # the words' first letters
        ("TB", "tuberculosis", True),  # letters of one word
        ("HTN", "hypertension", True),
        ("GERD", "gastroesophageal reflux disease", True),  # both
        ("ALS", "amyotrophic lateral sclerosis", True),
        ("COPD", "chronic obstructive pulmonary disease", True),
        ("AFib", "atrial fibrillation", True),
        ("NSTEMI", "non-ST elevation myocardial infarction", True),  # "ST" is a word of its own
        ("T2DM", "type 2 diabetes mellitus", True),  # digits are words
        ("IBD", "inflammatory bowel disease", True),
        ("IBD", "irritable bowel syndrome", False),  # the "d" of "syndrome" is not the start of a word
        ("CLL", "chronic leukemia", False),  # "leukemia" has one "l"
        ("IBS", "bowel syndrome", False),  # the first letter starts no word
        ("", "anything", False),
    ],
)
def test_an_abbreviation_spells_the_first_letters_of_words(abbreviation: str, name: str, expected: bool) -> None:
    assert spelled_out.spells(abbreviation, name) is expected


def _named(id_: str, names: tuple[str, ...], abbreviations: tuple[str, ...], *same: str) -> spelled_out.Named:
    return spelled_out.Named(id_, names, abbreviations, frozenset({id_, *same}))


def test_an_abbreviation_another_concepts_name_spells_is_misread() -> None:
    ibs = _named("DOID:9778", ("irritable bowel syndrome", "irritable colon"), ("IBD",), "K58.9")
    ibd = _named("NCIT:C3138", ("Inflammatory Bowel Disease",), ("IBD",))
    assert spelled_out.misread([ibs, ibd]) == {("DOID:9778", "IBD")}
    # Alone, or where the term that spells it is the same concept (a code or a stated equivalent in common),
    # the abbreviation stays: only a vocabulary's own term claims it ("DIDMOAD" for Wolfram syndrome).
    assert spelled_out.misread([ibs]) == set()
    same_code = _named("NCIT:C9", ("Irritable Bowel Disease",), ("IBD",), "K58.9")
    assert spelled_out.misread([ibs, same_code]) == set()
    stated = _named("NCIT:C9", ("Irritable Bowel Disease",), ("IBD",), "DOID:9778")
    assert spelled_out.misread([ibs, stated]) == set()
    # Written another way ("I.B.D."), the abbreviation is the same.
    dotted = _named("NCIT:C3138", ("Inflammatory Bowel Disease",), ("I.B.D.",))
    assert spelled_out.misread([ibs, dotted]) == {("DOID:9778", "IBD")}


@pytest.mark.parametrize(
    ("abbreviation", "name", "expected"),
    [
        ("OCD", "obsessive-compulsive disorder", True),
        ("OCD", "Obsessive-Compulsive Personality Disorder", False),  # leaves out "personality"
        ("TOF", "Tetralogy of Fallot", True),  # a joining word may give a letter, or none
        ("CHF", "heart failure, congestive", False),  # spelled in order only
        ("OCD", "Obsessive-compulsive disorder (OCD)", True),  # what brackets hold is left out
        ("ESRD", "End stage renal disease", True),
    ],
)
def test_an_abbreviation_spells_a_name_whole_when_every_word_gives_a_letter(
    abbreviation: str, name: str, expected: bool
) -> None:
    assert spelled_out.spells_whole(abbreviation, name) is expected


def test_an_abbreviation_that_leaves_out_words_of_its_names_is_misread_where_another_spells_whole() -> None:
    # NCIt gives "OCD" to obsessive-compulsive personality disorder (F60.5) too; before, `ocd` gave F60.5 first.
    ocpd = _named("NCIT:C92638", ("Obsessive-Compulsive Personality Disorder",), ("OCD",), "F60.5")
    ocd = _named("DOID:10933", ("obsessive-compulsive disorder",), ("OCD",), "F42.9")
    assert spelled_out.misread([ocpd, ocd]) == {("NCIT:C92638", "OCD")}
    # Only where the other links to codes: a term that merely rewrites a query does not take it from a coded one.
    uncoded = spelled_out.Named("HP:1", ("obsessive-compulsive disorder",), ("OCD",), frozenset({"HP:1"}), coded=False)
    assert spelled_out.misread([ocpd, uncoded]) == set()
    assert spelled_out.fit("OCD", ocpd.names) == 1 and spelled_out.fit("OCD", ocd.names) == 2
    assert spelled_out.fit("IBD", ("irritable bowel syndrome",)) == 0


def test_linking_leaves_out_a_misread_abbreviation_and_a_damaged_name() -> None:
    def term(id_: str, label: str, code: str, *synonyms: vocabulary.Synonym) -> vocabulary.VocabularyTerm:
        link = vocabulary.CodeLink(CM, code, "xref", NameScope.EXACT)
        return vocabulary.VocabularyTerm(id_, label, id_.partition(":")[0].lower(), synonyms, links=(link,))

    ibd = vocabulary.Synonym("IBD", abbreviation=True)
    sources = [
        vocabulary.VocabularySource(
            doid.load(_found()).vocabulary,  # type: ignore[union-attr]
            (
                term("DOID:9778", "irritable bowel syndrome", "K58.9", ibd),
                term(
                    "DOID:2",
                    "Griscelli syndrome",
                    "E70.3",
                    vocabulary.Synonym("Griscelli-Pruni\ufffd\ufffdras syndrome"),
                ),
            ),
        ),
        vocabulary.VocabularySource(
            ncit.load(_found()).vocabulary,  # type: ignore[union-attr]
            (term("NCIT:C3138", "Inflammatory Bowel Disease", "K52.3", ibd),),
        ),
    ]
    codes = {"K58.9", "K52.3", "E70.3"}
    content = vocabulary.link(
        sources, codes=codes, titles=dict.fromkeys(codes, "x"), official={}, texts={}, words=set()
    )
    named = {(d.code, d.text, d.kind) for d in content.designations}
    assert ("K52.3", "IBD", DesignationKind.ABBREVIATION) in named
    assert ("K58.9", "irritable bowel syndrome", DesignationKind.SYNONYM) in named
    assert not any(code == "K58.9" and text == "IBD" for code, text, _ in named)
    assert ("E70.3", "Griscelli syndrome", DesignationKind.SYNONYM) in named
    assert not any("\ufffd" in text for _, text, _ in named)
