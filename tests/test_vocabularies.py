"""Open vocabularies: each source's format, how names link to codes, the packaged table, and the builds."""

from __future__ import annotations

import gzip
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcodes.build import build
from medcodes.errors import SourceError
from medcodes.models import (
    Definition,
    Designation,
    DesignationKind,
    NameScope,
    Prior,
    Release,
    ReleaseContent,
    Rewrite,
    VocabularyContent,
)
from medcodes.service import CodeService, build_database
from medcodes.sources import (
    doid,
    hpo,
    icd10cm,
    medical_abbreviations,
    mondo,
    ncit,
    obo,
    releases,
    vocabularies,
    vocabulary,
    vocabulary_table,
)
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId
from tests.conftest import PACKAGED_VOCABULARY

VOCAB = Path(__file__).parent / "data" / "vocab"
ICD10CM = Path(__file__).parent / "data" / "icd10cm"
CM = SystemId.ICD10CM


def _found() -> list[FoundFile]:
    found = []
    for path in sorted(VOCAB.iterdir()):
        sniffed = [f for sniffer in vocabularies.SNIFFERS if (f := sniffer(path, path.read_bytes()[:4096]))]
        assert sniffed, f"{path.name} is not recognised"
        found.append(sniffed[0])
    return found


@pytest.fixture(scope="module")
def release() -> ReleaseContent:
    tabular = icd10cm.load_tabular(ICD10CM / "tabular_sample.xml")
    return ReleaseContent(Release(CM, tabular.version, None), tabular.concepts, tabular.designations)


@pytest.fixture(scope="module")
def linked(release: ReleaseContent) -> VocabularyContent:
    return vocabularies.link_files(_found(), release, [release])


def _names(content: VocabularyContent, code: str, source: str | None = None) -> dict[str, Designation]:
    return {d.text: d for d in content.designations if d.code == code and source in (None, d.source)}


# --- formats ---------------------------------------------------------------------------------------------
def test_every_vocabulary_file_is_recognised_by_its_kind() -> None:
    assert sorted(f.kind.value for f in _found()) == [
        "abbreviations-csv",
        "doid-icd10cm-report",
        "doid-obo",
        "doid-obo-json",
        "doid-terms-report",
        "doid-texts",
        "hpo-obo",
        "mondo-sssom",
        "mondo-sssom",
        "ncit-obo-json",
    ]


def test_a_gzipped_vocabulary_file_is_recognised(tmp_path: Path) -> None:
    copy = tmp_path / "doid.json.gz"
    copy.write_bytes(gzip.compress((VOCAB / "doid_sample.json").read_bytes()))
    found = releases.discover(tmp_path)
    assert [(f.kind, f.path) for f in found] == [(FileKind.DOID_JSON, copy)]


def test_obo_json_terms_with_scopes_parents_and_deprecation() -> None:
    ontology = obo.read_json(VOCAB / "doid_sample.json")
    terms = {t.id: t for t in ontology.terms}
    assert ontology.version == "2018-07-05"
    assert "RO:0002200" not in terms  # a property, not a class
    infarction = terms["DOID:5844"]
    assert infarction.label == "myocardial infarction"
    assert [(s.text, s.scope) for s in infarction.synonyms][:3] == [
        ("heart attack", NameScope.EXACT),
        ("MI", NameScope.EXACT),
        ("cardiac infarction", NameScope.RELATED),
    ]
    assert infarction.xrefs == ("ICD10CM:I21.9", "NCI:C27996", "ICD9CM:410")
    assert terms["DOID:9352"].parents == ("DOID:9351",)
    assert terms["DOID:8718"].obsolete


def test_obo_flat_file_stanzas_with_typed_abbreviations() -> None:
    ontology = obo.read_obo(VOCAB / "NCIthesaurus_sample.obo")
    assert ontology.version == "2026-07-31"
    terms = {t.id: t for t in ontology.terms}
    assert set(terms) == {"DOID:9352", "DOID:1234567"}  # the [Typedef] is no term
    diabetes = terms["DOID:9352"]
    assert diabetes.synonyms[0] == obo.OboSynonym("NIDDM", NameScope.EXACT, abbreviation=True, kind="OMO:0003012")
    assert diabetes.definition is not None and diabetes.definition.startswith("A diabetes mellitus that is")
    assert diabetes.parents == ("DOID:9351",)
    assert terms["DOID:1234567"].obsolete


def test_obo_flat_file_without_terms_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "doid.obo"
    broken.write_text("format-version: 1.2\nontology: doid\n")
    with pytest.raises(SourceError, match="no \\[Term\\] stanza"):
        obo.read_obo(broken)


def test_doid_merges_its_files_newest_first() -> None:
    source = doid.load(_found())
    assert source is not None
    terms = {t.id: t for t in source.terms}
    # Live terms are those of HumanDO.tsv: the deprecated and obsolete ones are gone.
    assert set(terms) == {"DOID:5844", "DOID:9352", "DOID:9351", "DOID:526"}
    # ICD10inDO.tsv lists every current xref: the report's, not the 2018 file's.
    assert [lk.code for lk in terms["DOID:9352"].links] == ["E11", "E11.9"]
    assert terms["DOID:526"].links == ()
    synonyms = {s.text: s for s in terms["DOID:5844"].synonyms}
    assert synonyms["AMI"].abbreviation  # typed OMO:0003012 in the translation texts
    assert synonyms["MI"].abbreviation  # untyped in 2018, read by its look
    assert not synonyms["heart attack"].abbreviation
    assert "myocardial infarct" not in synonyms  # its translation row's review notes say ERROR
    assert terms["DOID:5844"].equivalents == ("NCIT:C27996",)
    assert terms["DOID:526"].definition == (
        "A viral infectious disease that results_in infection, has_material_basis_in Human immunodeficiency virus."
    )
    assert source.vocabulary.version == "2026-07-31, 2018-07-05"
    assert source.vocabulary.licence.startswith("CC0 1.0")


def test_ncit_reads_the_disease_branch_only() -> None:
    source = ncit.load(_found())
    assert source is not None
    terms = {t.id: t for t in source.terms}
    assert set(terms) == {"NCIT:C7057", "NCIT:C27996", "NCIT:C4911", "NCIT:C3117"}  # no gene
    assert [s.text for s in terms["NCIT:C27996"].synonyms] == ["Heart Attack", "Infarction of Heart"]
    assert [s.abbreviation for s in terms["NCIT:C4911"].synonyms] == [True, False]  # "SDH"
    assert source.vocabulary.version == "2018-06-08"
    assert "CC BY 4.0" in source.vocabulary.attribution


def test_hpo_reads_the_lay_names_and_abbreviations_of_phenotypic_abnormalities() -> None:
    source = hpo.load(_found())
    assert source is not None
    terms = {t.id: t for t in source.terms}
    # Modes of inheritance are no condition; an obsolete term is gone.
    assert set(terms) == {"HP:0000118", "HP:0000818", "HP:0000819", "HP:0005978", "HP:0002170", "HP:0007378"}
    diabetes = terms["HP:0005978"]
    # Only the synonyms HPO types layperson or abbreviation, verbatim; not "Diabetes mellitus Type II".
    assert diabetes.synonyms == (
        vocabulary.Synonym("NIDDM", NameScope.EXACT, abbreviation=True),
        vocabulary.Synonym("Type 2 diabetes", NameScope.EXACT),
    )
    assert diabetes.equivalents == ("UMLS:C0011860",)  # not SNOMED CT: DO's are too loose to bridge by
    assert diabetes.links == ()  # HPO states no ICD-10-CM mapping
    # HPO types a synonym that holds an abbreviation "abbreviation": it is a name, not an abbreviation.
    assert terms["HP:0007378"].synonyms == (vocabulary.Synonym("Neoplasm of the GI tract", NameScope.EXACT),)
    assert source.vocabulary.version == "2025-01-16"
    assert "not altered" in source.vocabulary.licence
    assert "Human Phenotype Ontology (version 2025-01-16)" in source.vocabulary.attribution
    assert hpo.CITATION in source.vocabulary.attribution


@pytest.mark.parametrize(
    ("xref", "expected"),
    [
        ("UMLS_CUI:C0011860", "UMLS:C0011860"),
        ("UMLS:C0011860", "UMLS:C0011860"),
        ("SNOMEDCT_US_2018_03_01:44054006", None),
        ("SNOMEDCT_US:44054006", None),
        ("NCI:C27996", "NCIT:C27996"),
        ("NCI2004_11_17:C27996", None),
        ("ICD10CM:E11.9", None),
        ("ICD-10:E11", None),
        ("OMIM:125853", None),
    ],
)
def test_a_cross_reference_to_a_shared_terminology_is_read_in_one_spelling(xref: str, expected: str | None) -> None:
    assert vocabulary.same_concept(xref) == expected


def test_mondo_reads_links_with_their_scope_and_equivalents() -> None:
    source = mondo.load(_found())
    assert source is not None
    terms = {t.id: t for t in source.terms}
    assert "MONDO:0000999" not in terms  # obsolete
    hiv = terms["MONDO:0005109"]
    assert hiv.links == (vocabulary.CodeLink(CM, "B20", "skos:exactMatch", NameScope.EXACT),)  # the better of two
    assert hiv.equivalents == ("DOID:526",)
    assert terms["MONDO:0021117"].links[0].scope is NameScope.RELATED  # hasDbXref
    assert terms["MONDO:0004995"].links[0].scope is NameScope.NARROW  # broadMatch: the code is broader
    assert source.vocabulary.licence == "mapping sets: https://creativecommons.org/publicdomain/zero/1.0/"
    assert source.vocabulary.version == "2026-08-04"


def test_abbreviation_list_keeps_every_sense() -> None:
    source = medical_abbreviations.load(_found())
    assert source is not None
    assert [(a.text, a.meaning) for a in source.abbreviations if a.text == "MI"] == [
        ("MI", "myocardial infarction"),
        ("MI", "mitral insufficiency"),
    ]
    assert "Copyright (c) 2020 imantsm" in source.vocabulary.licence


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [("AFib", "Atrial Fibrillation", True), ("HTN", "hypertension", True), ("flu", "influenza", False)],
)
def test_an_untyped_abbreviation_is_read_by_its_look(text: str, label: str, expected: bool) -> None:
    assert vocabulary.looks_like_abbreviation(text, label) is expected


def test_name_keys_in_bulk_equal_name_key_one_by_one() -> None:
    texts = ["Heart-attack", "Sjögren syndrome", "Crohn's  disease", " A  b ", "two\nlines"]
    assert vocabulary.name_keys(texts) == [vocabulary.name_key(t) for t in texts]
    assert vocabulary.name_key("Carcinoma in situ of respiratory tract (disorder)") == (
        "carcinoma in situ of respiratory tract"
    )


# --- linking ---------------------------------------------------------------------------------------------
def test_a_name_links_through_the_vocabularys_own_xref(linked: VocabularyContent) -> None:
    names = _names(linked, "I21.9", "doid")
    assert names["heart attack"] == Designation(
        CM,
        "I21.9",
        DesignationKind.SYNONYM,
        "heart attack",
        "doid",
        "DOID:5844 myocardial infarction; xref ICD10CM:I21.9",
        NameScope.EXACT,
    )
    assert names["MI"].kind is DesignationKind.ABBREVIATION
    assert names["cardiac infarction"].scope is NameScope.RELATED
    # The code's own title is not repeated as a name.
    assert "Acute myocardial infarction, unspecified" not in _names(linked, "I21.9")


def test_a_term_without_an_xref_links_through_mondo(linked: VocabularyContent) -> None:
    hiv = _names(linked, "B20", "doid")["HIV infection"]
    assert hiv.via == (
        "DOID:526 human immunodeficiency virus infectious disease = MONDO:0005109; skos:exactMatch ICD10CM:B20"
    )
    assert _names(linked, "B20", "mondo")["HIV infectious disease"].scope is NameScope.EXACT


def test_an_ncit_name_links_through_the_do_term_that_names_it(linked: VocabularyContent) -> None:
    heart = _names(linked, "I21.9", "ncit")["Infarction of Heart"]
    assert heart.via == "NCIT:C27996 Myocardial Infarction = DOID:5844; xref ICD10CM:I21.9"
    # "Heart Attack" is DO's name of the code already: one designation per name, from the first vocabulary.
    assert "Heart Attack" not in _names(linked, "I21.9", "ncit")


def test_an_hpo_lay_name_links_through_the_umls_concept_do_cites_too(linked: VocabularyContent) -> None:
    names = _names(linked, "E11.9", "hpo")
    assert names["Type 2 diabetes"] == Designation(
        CM,
        "E11.9",
        DesignationKind.SYNONYM,
        "Type 2 diabetes",
        "hpo",
        "HP:0005978 Type II diabetes mellitus = UMLS:C0011860 = DOID:9352; xref ICD10CM:E11.9",
        NameScope.EXACT,
    )
    # NIDDM is DO's name of the code already (one designation per name, the first vocabulary's).
    assert "NIDDM" not in names
    assert "Diabetes mellitus Type II" not in _names(linked, "E11.9")


def test_terms_of_one_vocabulary_are_not_bridged_to_each_other() -> None:
    # Two DO terms citing one UMLS concept are still two concepts by DO's word; an HPO term citing it is DO's.
    linked_term = vocabulary.VocabularyTerm(
        "DOID:2",
        "old name",
        "doid",
        links=(vocabulary.CodeLink(CM, "E11.9", "xref", NameScope.EXACT),),
        equivalents=("UMLS:C1",),
    )
    loose = vocabulary.VocabularyTerm("DOID:3", "other disease", "doid", equivalents=("UMLS:C1",))
    phenotype = vocabulary.VocabularyTerm("HP:1", "phenotype", "hpo", equivalents=("UMLS:C1",))
    sources = [
        vocabulary.VocabularySource(doid.load(_found()).vocabulary, (linked_term, loose)),  # type: ignore[union-attr]
        vocabulary.VocabularySource(hpo.load(_found()).vocabulary, (phenotype,)),  # type: ignore[union-attr]
    ]
    content = vocabulary.link(sources, codes={"E11.9"}, titles={"E11.9": "x"}, official={}, texts={}, words=set())
    assert sorted((d.text, d.source) for d in content.designations) == [("old name", "doid"), ("phenotype", "hpo")]


def test_a_term_bridged_to_two_concepts_of_one_vocabulary_is_the_one_whose_names_are_nearest() -> None:
    # HPO's "Keratoconjunctivitis sicca" ("Dry eyes") cites the UMLS concepts of DO's "dry eye syndrome" and
    # "xerophthalmia": its names are the first's (H04.12), not the vitamin A deficiency's (E50.7).
    def do_term(term_id: str, label: str, code: str, cui: str, *synonyms: str) -> vocabulary.VocabularyTerm:
        return vocabulary.VocabularyTerm(
            term_id,
            label,
            "doid",
            synonyms=tuple(vocabulary.Synonym(s) for s in synonyms),
            links=(vocabulary.CodeLink(CM, code, "xref", NameScope.EXACT),),
            equivalents=(cui,),
        )

    dry_eye = do_term("DOID:10140", "dry eye syndrome", "H04.12", "UMLS:C0013238", "tear film insufficiency")
    xerophthalmia = do_term("DOID:10138", "xerophthalmia", "E50.7", "UMLS:C0043349", "conjunctival xerosis")
    sicca = vocabulary.VocabularyTerm(
        "HP:0001097",
        "Keratoconjunctivitis sicca",
        "hpo",
        synonyms=(vocabulary.Synonym("Dry eyes"),),
        equivalents=("UMLS:C0013238", "UMLS:C0043349"),
    )
    # Where neither concept's names share a word with the term's, it is both of them.
    unnamed = vocabulary.VocabularyTerm("HP:2", "Sicca", "hpo", equivalents=("UMLS:C0013238", "UMLS:C0043349"))
    sources = [
        vocabulary.VocabularySource(doid.load(_found()).vocabulary, (dry_eye, xerophthalmia)),  # type: ignore[union-attr]
        vocabulary.VocabularySource(hpo.load(_found()).vocabulary, (sicca, unnamed)),  # type: ignore[union-attr]
    ]
    codes = {"H04.12": "Dry eye syndrome", "E50.7": "Other ocular manifestations of vitamin A deficiency"}
    content = vocabulary.link(sources, codes=codes, titles=codes, official={}, texts={}, words=set())
    hpo_names = sorted((d.code, d.text) for d in content.designations if d.source == "hpo")
    assert hpo_names == [
        ("E50.7", "Sicca"),
        ("H04.12", "Dry eyes"),
        ("H04.12", "Keratoconjunctivitis sicca"),
        ("H04.12", "Sicca"),
    ]


def _entry(code: str, text: str, via: str | None = None) -> Designation:
    return Designation(CM, code, DesignationKind.INDEX_TERM, text, "index", via)


def test_an_index_entry_and_a_name_compare_as_word_sets() -> None:
    # Order, case and endings aside; the main term's variant forms are one word; connectives do not count.
    assert vocabulary.word_set("Aortic stenosis") == vocabulary.word_set("Stenosis, stenotic, aortic", entry=True)
    assert vocabulary.word_set("Infection of lung") == vocabulary.word_set(
        "Infection, infected, infective, lung", entry=True
    )
    assert vocabulary.word_set("Hypertension") == vocabulary.word_set("Hypertension, hypertensive", entry=True)
    assert vocabulary.word_set("Stenosis") != vocabulary.word_set("Stenosis, aortic", entry=True)
    # A subterm led by a connective qualifies the main term: the entry names nothing by its words.
    assert vocabulary.word_set("Dermatomyositis, in", entry=True) == frozenset()


def test_index_entries_leave_out_cross_references_and_deep_paths() -> None:
    entries = vocabulary.index_entries(
        [
            _entry("I10", "Hypertension, hypertensive"),
            _entry("I10", "High, blood pressure", via="Hypertension"),
            _entry("I35.0", "Stenosis, stenotic, aortic"),
            _entry("I35.0", "Anomaly, heart, valve, aortic, bicuspid, with stenosis"),
        ]
    )
    assert entries == {frozenset({"hypertension"}): {"I10"}, frozenset({"aort", "stenosi"}): {"I35.0"}}


def test_a_subterm_that_gives_alternatives_is_read_each_way() -> None:
    # "Bronchitis, acute or subacute" (J20.9) is an entry for "acute bronchitis" and for "subacute bronchitis".
    sets = vocabulary.entry_word_sets("Bronchitis, acute or subacute")
    assert vocabulary.word_set("acute Bronchitis") in sets
    assert vocabulary.word_set("Subacute bronchitis") in sets
    assert vocabulary.word_set("Acute or subacute bronchitis") in sets  # the entry as written, too
    # The main term's variant forms stay one word in every reading.
    assert vocabulary.entry_word_sets("Infection, infected, infective, nose or throat") == [
        frozenset({"infection", "nose", "throat"}),
        frozenset({"infection", "nose"}),
        frozenset({"infection", "throat"}),
    ]
    assert vocabulary.entry_word_sets("Dermatomyositis, in") == []
    entries = vocabulary.index_entries([_entry("J20.9", "Bronchitis, acute or subacute"), _entry("J40", "Bronchitis")])
    assert entries[vocabulary.word_set("acute bronchitis")] == {"J20.9"}
    assert entries[vocabulary.word_set("bronchitis")] == {"J40"}


def test_a_name_an_alternative_subterm_gives_another_code_is_left_out() -> None:
    # DO's "acute Bronchitis" is a synonym of its bronchitis term, which it links to J40 (not specified as acute
    # or chronic); the index gives "Bronchitis, acute or subacute" J20.9.
    link = vocabulary.CodeLink(CM, "J40", "xref", NameScope.EXACT)
    term = vocabulary.VocabularyTerm(
        "DOID:6132", "bronchitis", "doid", (vocabulary.Synonym("acute Bronchitis"),), links=(link,)
    )
    sources = [vocabulary.VocabularySource(doid.load(_found()).vocabulary, (term,))]  # type: ignore[union-attr]
    entries = vocabulary.index_entries([_entry("J20.9", "Bronchitis, acute or subacute"), _entry("J40", "Bronchitis")])
    codes = {"J40", "J20.9"}
    content = vocabulary.link(
        sources, codes=codes, titles=dict.fromkeys(codes, "x"), official={}, texts={}, words=set(), entries=entries
    )
    named = {(d.code, d.text) for d in content.designations}
    assert ("J40", "bronchitis") in named
    assert ("J40", "acute Bronchitis") not in named


def _conflicting_sources() -> list[vocabulary.VocabularySource]:
    def term(id_: str, label: str, code: str, *synonyms: str) -> vocabulary.VocabularyTerm:
        link = vocabulary.CodeLink(CM, code, "xref", NameScope.EXACT)
        return vocabulary.VocabularyTerm(
            id_, label, "ncit", tuple(vocabulary.Synonym(s) for s in synonyms), links=(link,)
        )

    terms = (
        # NCIt's own mapping gives "Hypertension" to I15 (Secondary hypertension) ...
        term("NCIT:C1", "Secondary Hypertension", "I15", "Hypertension"),
        # ... and "Aortic stenosis" to the congenital code, where the index says I35.0 (nonrheumatic).
        term("NCIT:C2", "Congenital Aortic Valve Stenosis", "Q23.0", "Aortic stenosis"),
        # A name the index gives to a code above the linked one agrees with it.
        term("NCIT:C3", "Essential Hypertension", "I10", "Hypertension"),
    )
    return [vocabulary.VocabularySource(ncit.load(_found()).vocabulary, terms)]  # type: ignore[union-attr]


def _link_with(
    sources: list[vocabulary.VocabularySource], entries: dict[frozenset[str], set[str]] | None = None
) -> VocabularyContent:
    codes = {"I10", "I15", "Q23.0", "I35.0", "M45"}
    words = {"aortic", "stenosis", "hypertension"}
    return vocabulary.link(
        sources, codes=codes, titles=dict.fromkeys(codes, "x"), official={}, texts={}, words=words, entries=entries
    )


def test_a_name_the_index_gives_to_another_code_is_left_out() -> None:
    entries = vocabulary.index_entries(
        [_entry("I10", "Hypertension, hypertensive"), _entry("I35.0", "Stenosis, stenotic, aortic")]
    )
    content = _link_with(_conflicting_sources(), entries)
    named = sorted((d.code, d.text) for d in content.designations)
    assert ("I15", "Hypertension") not in named
    assert ("Q23.0", "Aortic stenosis") not in named
    assert ("I10", "Hypertension") in named
    assert ("I15", "Secondary Hypertension") in named
    assert ("Q23.0", "Congenital Aortic Valve Stenosis") in named
    assert "ncit: 2 names left out: the Alphabetic Index gives their words to other codes" in content.notes
    # Without the index every name stays where its vocabulary put it.
    unchecked = _link_with(_conflicting_sources())
    assert ("I15", "Hypertension") in {(d.code, d.text) for d in unchecked.designations}


def test_an_abbreviation_is_checked_by_what_it_stands_for() -> None:
    def term(id_: str, label: str, code: str) -> vocabulary.VocabularyTerm:
        link = vocabulary.CodeLink(CM, code, "xref", NameScope.EXACT)
        return vocabulary.VocabularyTerm(id_, label, "doid", links=(link,))

    sources = [
        vocabulary.VocabularySource(
            doid.load(_found()).vocabulary,  # type: ignore[union-attr]
            (term("DOID:1", "aortic stenosis", "Q23.0"), term("DOID:2", "ankylosing spondylitis", "M45")),
        ),
        vocabulary.VocabularySource(
            medical_abbreviations.load(_found()).vocabulary,  # type: ignore[union-attr]
            abbreviations=(
                vocabulary.Abbreviation("AS", "aortic stenosis"),
                vocabulary.Abbreviation("AS", "ankylosing spondylitis"),
            ),
        ),
    ]
    entries = vocabulary.index_entries([_entry("I35.0", "Stenosis, stenotic, aortic")])
    checked = _link_with(sources, entries)
    assert sorted((d.code, d.text) for d in checked.designations) == [
        ("M45", "AS"),
        ("M45", "ankylosing spondylitis"),
    ]
    # The refused sense is read as its words (which the index sends to I35.0), beside the sense that names M45.
    assert [(r.text, r.target) for r in checked.rewrites] == [("AS", "aortic stenosis")]
    unchecked = _link_with(sources)
    assert {(d.code, d.text) for d in unchecked.designations} >= {("Q23.0", "AS"), ("Q23.0", "aortic stenosis")}
    assert not unchecked.rewrites


def test_an_abbreviation_no_sense_of_which_resolves_names_the_codes_of_an_index_entry_in_other_words() -> None:
    abbreviations = vocabulary.VocabularySource(
        medical_abbreviations.load(_found()).vocabulary,  # type: ignore[union-attr]
        abbreviations=(
            vocabulary.Abbreviation("PVC", "premature ventricular contraction"),
            vocabulary.Abbreviation("AS", "ankylosing stenosis"),  # an entry's words, but "AS" resolves below
            vocabulary.Abbreviation("AS", "hypertension"),
        ),
    )
    entries = vocabulary.index_entries(
        [_entry("I35.0", "Premature, contraction, ventricular"), _entry("M45", "Stenosis, ankylosing")]
    )
    known = vocabulary.VocabularySource(
        doid.load(_found()).vocabulary,  # type: ignore[union-attr]
        (
            vocabulary.VocabularyTerm(
                "DOID:10763", "hypertension", "doid", links=(vocabulary.CodeLink(CM, "I10", "xref", NameScope.EXACT),)
            ),
        ),
    )
    named = sorted((d.code, d.text) for d in _link_with([known, abbreviations], entries).designations)
    # Before, no designation said "premature ventricular contraction": the sense was dropped and `pvc` found nothing.
    assert ("I35.0", "PVC") in named
    # An abbreviation with a sense that resolves otherwise (DO's hypertension) keeps only its senses.
    assert ("I10", "AS") in named
    assert ("M45", "AS") not in named
    # Without the index, nothing to read.
    assert ("I35.0", "PVC") not in {(d.code, d.text) for d in _link_with([known, abbreviations]).designations}


def test_a_cross_reference_of_unstated_precision_is_a_related_name(linked: VocabularyContent) -> None:
    late = _names(linked, "I21.4", "mondo")["non-ST elevation myocardial infarction, late"]
    assert late.scope is NameScope.RELATED


def test_a_name_whose_concept_links_to_no_code_is_a_rewrite(linked: VocabularyContent) -> None:
    assert sorted((r.text, r.target, r.source) for r in linked.rewrites) == [
        ("Bleeding Under the Dura", "Subdural Hemorrhage", "ncit"),
        ("Bleeding within the skull", "Intracranial hemorrhage", "hpo"),
        ("SDH", "Subdural Hemorrhage", "ncit"),
        # DO links "diabetes mellitus" to the block E08-E13 only: a range names no code.
        ("sugar diabetes", "diabetes mellitus", "doid"),
    ]
    # "High Blood Pressure" -> "Hypertension" is not kept: no loaded designation says "hypertension"; and a
    # broad synonym ("glucose disorder") never rewrites to the narrower label.
    assert not _names(linked, "E08-E13")


def test_definitions_come_through_exact_links_one_per_code_and_vocabulary(linked: VocabularyContent) -> None:
    by_code = {(d.code, d.source): d for d in linked.definitions}
    assert set(by_code) == {
        ("I21.9", "doid"),
        ("I21.9", "ncit"),
        ("E11", "doid"),
        ("E11.9", "doid"),
        ("E11", "hpo"),  # HPO's term is the same UMLS concept as DO's, which DO links exactly
        ("E11.9", "hpo"),
        ("B20", "doid"),
    }
    assert by_code[("B20", "doid")] == Definition(
        CM,
        "B20",
        "A viral infectious disease that results in infection, has material basis in Human immunodeficiency virus.",
        "doid",
        "DOID:526 human immunodeficiency virus infectious disease",
    )


def test_an_abbreviation_sense_is_kept_only_when_it_resolves(linked: VocabularyContent) -> None:
    # MI (DO's own name of I21.9 already), T2DM (a DO label), TSDH (a title), SDH (an NCIt label) are kept;
    # mitral insufficiency and "human immunodeficiency virus" resolve to nothing loaded.
    assert linked.notes == (
        "abbrev-imantsm: 4 abbreviation senses kept (they resolve to a known term or designation), 2 dropped",
    )
    t2dm = _names(linked, "E11.9", "abbrev-imantsm")["T2DM"]
    assert (t2dm.kind, t2dm.scope) == (DesignationKind.ABBREVIATION, NameScope.EXACT)
    assert t2dm.via == "Type 2 diabetes mellitus; DOID:9352 type 2 diabetes mellitus; xref ICD10CM:E11.9"
    tsdh = _names(linked, "S06.5", "abbrev-imantsm")["TSDH"]
    assert tsdh.via == "Traumatic subdural hemorrhage"
    assert not [d for d in linked.designations if d.text == "MI" and d.source == "abbrev-imantsm"]


def test_an_abbreviation_whose_meaning_a_designation_says_within_it_reads_as_that_meaning(
    release: ReleaseContent, tmp_path: Path
) -> None:
    """A meaning that is no term and no designation, but that a designation says word for word (the tabular
    sample's S06.5 titles say "loss of consciousness"), keeps its sense: the abbreviation is read as the meaning's
    words. Not where the abbreviation spells a word of the titles ("TO"), nor where no designation says the words
    in that order ("radius fracture")."""
    csv = tmp_path / "medical_abbreviations_x.csv"
    csv.write_text(
        "Abbreviation/Shorthand,Meaning,More Info\n"
        "LOC,loss of consciousness (LOC),\n"  # a closing bracket restates the meaning
        "Fxs,fractures,\n"  # the titles say it singular
        "TO,torus fracture,\n"
        "NRH,radius fracture,\n",
        encoding="utf-8",
    )
    found = [f for sniffer in vocabularies.SNIFFERS if (f := sniffer(csv, csv.read_bytes()[:4096]))]
    content = vocabularies.link_files(found, release, [release])
    assert sorted((r.text, r.target, r.term) for r in content.rewrites) == [
        ("Fxs", "fracture", "fractures"),
        ("LOC", "loss of consciousness", "loss of consciousness (LOC)"),
    ]
    assert not content.designations
    assert content.notes == (
        "abbrev-imantsm: 2 abbreviation senses kept (they resolve to a known term or designation), 2 dropped",
    )


def test_a_link_to_a_code_the_release_lacks_is_counted() -> None:
    term = vocabulary.VocabularyTerm(
        "DOID:1", "old disease", "doid", links=(vocabulary.CodeLink(CM, "Z99.99", "xref", NameScope.EXACT),)
    )
    source = vocabulary.VocabularySource(
        doid.load(_found()).vocabulary,  # type: ignore[union-attr]
        (term,),
    )
    content = vocabulary.link([source], codes={}, titles={}, official={}, texts={}, words=set())
    assert content.designations == ()
    assert content.warnings == (
        "doid: 1 ICD-10-CM codes its mappings name are not in the loaded release (first: Z99.99);"
        " their links are left out",
    )


# --- the packaged table ----------------------------------------------------------------------------------
# The index's own rows in the table: a prior's term, and an entry deeper down.
INDEX_ENTRIES = (
    Designation(CM, "E11.9", DesignationKind.INDEX_TERM, "Diabetes, diabetic", "index-reconstructed"),
    Designation(CM, "E11.9", DesignationKind.INDEX_TERM, "Diabetes, diabetic, type 2", "index-reconstructed"),
)


def _table(tmp_path: Path, linked: VocabularyContent) -> Path:
    index = vocabulary_table.index_vocabulary("ICD-10-CM Index to Diseases and Injuries", "2025", (), True)
    source = index.name
    priors = (
        Prior(CM, "E11.9", "Diabetes, diabetic", None, "(mellitus) (sugar)", source),
        Prior(CM, "I99.9", "Gone", source=source),
    )
    content = VocabularyContent(
        (*linked.vocabularies, index),
        linked.designations + INDEX_ENTRIES,
        linked.rewrites,
        linked.definitions,
        priors,
        readings=((source, "emesis", "vomiting"), (source, "backflow", "reflux")),
    )
    path = tmp_path / "vocabulary.tsv.gz"
    vocabulary_table.write(path, content, "ICD-10-CM 2026 (fixture)", "Derived data, not an official code set.")
    return path


def test_the_table_round_trips(tmp_path: Path, linked: VocabularyContent) -> None:
    path = _table(tmp_path, linked)
    found = vocabulary_table.sniff(path, gzip.decompress(path.read_bytes())[:4096])
    assert found == FoundFile(FileKind.VOCABULARY_TABLE, path, "2")
    table = vocabulary_table.read(found)
    # An index entry's name has no scope, and keeps none.
    assert set(table.designations) == set(linked.designations) | set(INDEX_ENTRIES)
    assert set(table.readings) == {
        ("index-reconstructed", "emesis", "vomiting"),
        ("index-reconstructed", "backflow", "reflux"),
    }
    assert set(table.rewrites) == set(linked.rewrites)
    assert set(table.definitions) == set(linked.definitions)
    assert table.linked == "ICD-10-CM 2026 (fixture)"
    licences = {v.name: v.licence for v in table.vocabularies}
    assert licences["abbrev-imantsm"] == medical_abbreviations.LICENCE  # line ends survive
    assert all(v.derived for v in table.vocabularies)
    index = next(v for v in table.vocabularies if v.name == "index-reconstructed")
    assert "reconstructed" in index.attribution


def test_the_table_is_written_the_same_each_time(tmp_path: Path, linked: VocabularyContent) -> None:
    first = _table(tmp_path, linked).read_bytes()
    assert _table(tmp_path, linked).read_bytes() == first


def test_selecting_from_the_table_checks_codes_and_makes_index_names(
    tmp_path: Path, linked: VocabularyContent, release: ReleaseContent
) -> None:
    path = _table(tmp_path, linked)
    found = FoundFile(FileKind.VOCABULARY_TABLE, path, "1")
    codes = {c.code for c in release.concepts}
    chosen = vocabulary_table.select(
        vocabulary_table.read(found),
        found,
        lambda name: name in ("index-reconstructed", "ncit"),
        codes,
        {"subdural", "hemorrhage"},
    )
    assert [v.name for v in chosen.vocabularies] == ["ncit", "index-reconstructed"]
    assert chosen.priors == (
        Prior(CM, "E11.9", "Diabetes, diabetic", None, "(mellitus) (sugar)", "index-reconstructed"),
    )
    name = Designation(CM, "E11.9", DesignationKind.INDEX_TERM, "Diabetes, diabetic", "index-reconstructed")
    assert name in chosen.designations
    assert {d.source for d in chosen.designations} == {"ncit", "index-reconstructed"}
    assert chosen.warnings == (
        "vocabulary.tsv.gz: 1 index-reconstructed rows name codes not in the loaded release"
        " (linked against ICD-10-CM 2026 (fixture)); left out",
    )
    assert {r.source for r in chosen.rewrites} == {"ncit"}
    # A prior's term is its code's name once, whether or not the table carries it among its index rows too.
    assert sum(d == name for d in chosen.designations) == 1
    assert INDEX_ENTRIES[1] in chosen.designations
    assert set(chosen.readings) == {
        ("index-reconstructed", "emesis", "vomiting"),
        ("index-reconstructed", "backflow", "reflux"),
    }
    # A build that loads the Alphabetic Index reads its own: the table's index rows, readings among them, are not used.
    unused = vocabulary_table.select(vocabulary_table.read(found), found, lambda name: name == "ncit", codes, set())
    assert unused.readings == ()


def test_a_table_of_the_first_format_is_read_without_readings(tmp_path: Path) -> None:
    old = tmp_path / "vocabulary.tsv"
    old.write_text("#medcodes-vocabulary-table\t1\nR\tdoid\tsugar diabetes\tdiabetes mellitus\tDOID:9351\texact\n")
    table = vocabulary_table.read(FoundFile(FileKind.VOCABULARY_TABLE, old, "1"))
    assert [r.text for r in table.rewrites] == ["sugar diabetes"]
    assert table.readings == ()
    newer = tmp_path / "newer.tsv"
    newer.write_text("#medcodes-vocabulary-table\t3\n")
    with pytest.raises(SourceError, match="vocabulary table format 3, not one of 1, 2"):
        vocabulary_table.read(FoundFile(FileKind.VOCABULARY_TABLE, newer, "3"))


def test_a_malformed_table_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "vocabulary.tsv"
    bad.write_text("#medcodes-vocabulary-table\t1\nN\tdoid\tI21.9\n")
    with pytest.raises(SourceError, match="line 2: a N row needs 7 fields, has 3"):
        vocabulary_table.read(FoundFile(FileKind.VOCABULARY_TABLE, bad, "1"))


# --- builds ----------------------------------------------------------------------------------------------
def _release_folder(folder: Path, *vocab: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ICD10CM / "tabular_sample.xml", folder / "icd10cm_tabular_2026.xml")
    for name in vocab:
        shutil.copy(VOCAB / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def vocab_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CodeService]:
    folder = _release_folder(tmp_path_factory.mktemp("vocab") / "release", *(p.name for p in VOCAB.iterdir()))
    db = folder.parent / "vocab.db"
    build_database(db, folder)
    service = CodeService.at(db)
    yield service
    service.close()


def test_a_build_stores_names_definitions_rewrites_and_licences(vocab_db: CodeService) -> None:
    detail = vocab_db.show("I21.9")
    heart = next(d for d in detail.designations if d.text == "heart attack")
    assert (heart.kind, heart.source, heart.scope) == (DesignationKind.SYNONYM, "doid", NameScope.EXACT)
    assert [d.source for d in detail.definitions] == ["doid", "ncit"]
    assert {v.name: (v.licence.split(" ")[0], v.derived) for v in vocab_db.vocabularies()} == {
        "doid": ("CC0", False),
        "ncit": ("Creative", False),
        "mondo": ("mapping", False),
        "hpo": ("HPO", False),
        "abbrev-imantsm": ("MIT", False),
    }
    store = vocab_db.store
    assert Rewrite("sugar diabetes", "diabetes mellitus", "doid", "DOID:9351") in store.rewrites()
    assert store.designation_scopes()  # the names from vocabularies say how they fit


def test_a_vocabulary_name_is_found_by_search(vocab_db: CodeService) -> None:
    assert vocab_db.search("heart attack", [CM]).hits[0].code == "I21.9"
    assert vocab_db.search("adult onset diabetes", [CM]).hits[0].code == "E11.9"


def test_a_build_without_vocabulary_files_uses_a_table_it_finds(tmp_path: Path, linked: VocabularyContent) -> None:
    folder = _release_folder(tmp_path / "release")
    _table(folder, linked)
    summary = build(tmp_path / "t.db", folder)
    origins = {v.name: v.origin for v in summary.vocabularies}
    assert origins["doid"] == "vocabulary.tsv.gz"
    store = SQLiteStore.open(tmp_path / "t.db")
    try:
        names = Counter(d.source for d in store.designations(CM, "I21.9") if d.scope is not None)
        assert names["doid"] >= 3
        assert all(v.derived for v in store.vocabularies())
        # Without an Alphabetic Index, the table's index priors and readings are the release's.
        assert [(p.code, p.term) for p in store.priors()] == [("E11.9", "Diabetes, diabetic")]
        assert store.readings() == {"emesis": ["vomiting"], "backflow": ["reflux"]}
    finally:
        store.close()


def test_the_vocabularies_own_files_come_before_the_table(tmp_path: Path, linked: VocabularyContent) -> None:
    folder = _release_folder(tmp_path / "release", "ncit-disease-2018-06-08-sample.json")
    _table(folder, linked)
    summary = build(tmp_path / "t.db", folder)
    origins = {v.name: v.origin for v in summary.vocabularies}
    assert origins["ncit"] == "files"
    assert origins["doid"] == "vocabulary.tsv.gz"
    assert not summary.ignored


# --- the packaged table and the embedded default ---------------------------------------------------------
@pytest.fixture(scope="module")
def default_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CodeService]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vocabulary_table, "packaged", PACKAGED_VOCABULARY)
        db = tmp_path_factory.mktemp("default") / "default.db"
        build_database(db)
    service = CodeService.at(db)
    yield service
    service.close()


def test_the_package_ships_the_table_with_each_sources_licence() -> None:
    found = PACKAGED_VOCABULARY()
    assert found is not None
    assert found.path.stat().st_size < 3_000_000
    table = vocabulary_table.read(found)
    assert {v.name for v in table.vocabularies} == {
        "doid",
        "ncit",
        "mondo",
        "hpo",
        "abbrev-imantsm",
        "index-reconstructed",
        "index",  # the CDC's External Cause Index and Table of Drugs and Chemicals
    }
    assert all(v.licence and v.attribution for v in table.vocabularies)
    # HPO's lay names, linked through the UMLS concept a DO term cites too (hp.obo is not in ../shared/data).
    hpo_names = [d for d in table.designations if d.source == "hpo"]
    assert len(hpo_names) > 300
    assert all(d.via and " = " in d.via for d in hpo_names)
    assert found.path.read_bytes()[:2] == b"\x1f\x8b"


def test_the_embedded_default_carries_vocabulary_names_and_priors(default_db: CodeService) -> None:
    # "hyperpiesia" is only DO's name of I10: the default database finds I10 through it.
    assert default_db.search("hyperpiesia", [CM]).hits[0].code == "I10"
    priors = {(p.term, p.subterm): p.code for p in default_db.store.priors()}
    assert priors[("Diabetes, diabetic", None)] == "E11.9"
    assert priors[("Pneumonia", None)] == "J18.9"
    assert priors[("Hypertension, hypertensive", None)] == "I10"
    # The index's references into the Table of Neoplasms, read against that table by the script: without it,
    # "liposarcoma" found nothing on the embedded default.
    assert priors[("Liposarcoma", None)] == "C49.9"
    assert default_db.search("liposarcoma", [CM]).hits[0].code == "C49.9"
    names = {v.name: v for v in default_db.vocabularies()}
    assert names["index-reconstructed"].derived
    assert "reconstructed" in names["index-reconstructed"].attribution
    terms = [d for d in default_db.show("E11.9").designations if d.kind is DesignationKind.INDEX_TERM]
    assert terms and {d.source for d in terms} == {"index-reconstructed"}
    assert default_db.show("I10").definitions
    # Every index entry names its code, not only the main terms and first subterms: "Thrombosis, thrombotic, vein,
    # deep" (three levels down) names I82.40, and what the index reads a word as is read ("Emesis - see Vomiting").
    deep = {d.text for d in default_db.show("I82.40").designations if d.kind is DesignationKind.INDEX_TERM}
    assert "Thrombosis, thrombotic, vein, deep" in deep
    assert default_db.store.readings()["emesis"] == ["vomiting"]
    assert default_db.search("bloody emesis", [CM]).hits[0].code == "K92.0"
    # A laterality letter reads as its side both ways: "L" (left) as "R" (right) is, though titles hold the letter
    # ("L-amino acid").
    assert default_db.search("l knee pain", [CM]).hits[0].code == "M25.562"
    assert default_db.search("r knee pain", [CM]).hits[0].code == "M25.561"
    # HPO's "Dry eyes" cites the UMLS concepts of DO's dry eye syndrome and xerophthalmia: it is the first's
    # (vocabulary._nearest), not E50.7, the eye signs of vitamin A deficiency, which came first.
    assert default_db.search("dry eye", [CM]).hits[0].code == "H04.129"
    assert "Dry eyes" not in {d.text for d in default_db.show("E50.7").designations}
    # HPO's lay name "Yellow skin" is read as its label, Jaundice, though the code sets use both its words: by its
    # words alone, "Prolonged yellowing of skin in newborn" (P59.9, neonatal jaundice) came first.
    assert default_db.search("yellow skin", [CM]).hits[0].code == "R17"
    # "Fracture, traumatic, hip" also names S72.00- as "Fracture, hip" (icd10cm_index._unqualified).
    assert default_db.search("hip fracture", [CM]).hits[0].code == "S72.009A"


def test_the_embedded_default_reads_the_external_causes_and_the_table_of_drugs(default_db: CodeService) -> None:
    # The External Cause Index names the event ("Bite, dog" W54.0): `dog bite` found B67.4 "Dog tapeworm" first.
    assert default_db.search("dog bite", [CM]).hits[0].code == "W54.0XXA"
    # The Table of Drugs names the substances, and its first column is their prior: a poisoning of unsaid intent is
    # the accidental one (`aspirin poisoning` listed the assault first; `wasp sting` food poisoning).
    assert default_db.search("aspirin poisoning", [CM]).hits[0].code == "T39.011A"
    assert default_db.search("wasp sting", [CM]).hits[0].code == "T63.461A"
    assert default_db.search("lithium overdose", [CM]).hits[0].code == "T56.891A"
    # The Table's rows name the poisoning with their column, never by the bare substance: "factor ix" is the
    # deficiency, not the poisoning by factor IX complex.
    assert default_db.search("factor ix", [CM]).hits[0].code == "D67"
    names = {v.name: v for v in default_db.vocabularies()}
    assert names["index"].derived
    assert "External Cause Index" in names["index"].attribution


def test_a_single_letter_spells_no_word_of_the_titles() -> None:
    title_words = {"l", "amino", "acid", "in", "all", "h", "pylori", "vitamin", "k"}
    assert vocabulary.spelled("IN", title_words)  # a word of the titles: its meaning is no reading of its own
    assert vocabulary.spelled("ALL", title_words)
    assert not vocabulary.spelled("L", title_words)  # a letter of a name ("L-amino acid"), not a word
    assert not vocabulary.spelled("K", title_words)
    assert not vocabulary.spelled("H. pylori", title_words)  # "pylori" alone is no spelling of it
    assert not vocabulary.spelled("WBC", title_words)


@pytest.mark.usefixtures("shared_data")
def test_full_data_names_linked_per_source(full_db: Path) -> None:
    store = SQLiteStore.open(full_db)
    try:
        rows = store.connection.execute(
            "SELECT d.source, count(*) FROM designations d WHERE d.scope IS NOT NULL GROUP BY d.source"
        ).fetchall()
        linked = dict(rows)
        rewrites = Counter(r.source for r in store.rewrites())
        priors = len(store.priors())
    finally:
        store.close()
    # Measured on the files in ../shared/data (docs/search.md, "Where each name comes from"): the counts
    # move with a new release of a vocabulary, but not by an order of magnitude.
    assert linked["doid"] > 8_000
    assert linked["ncit"] > 3_000
    assert linked["mondo"] > 300
    assert linked["abbrev-imantsm"] > 150
    assert linked["icd9cm-gem"] > 10_000
    assert rewrites["ncit"] > 10_000
    assert priors > 25_000
