"""The abbreviations the data spells out, and how much joining and residual words count."""

from __future__ import annotations

from pathlib import Path

from medcodes.models import DesignationKind
from medcodes.search.abbreviations import CURATED, FUNCTION_WORDS, LAY_TERMS, harvest, load, weight
from medcodes.search.query import parse
from medcodes.search.text import tokens
from medcodes.store.sqlite import SQLiteStore

from .helpers import code_engine


def test_harvest_reads_parenthesised_abbreviations() -> None:
    found = harvest(
        [
            "Chronic obstructive pulmonary disease (COPD) with acute exacerbation",
            "Complex regional pain syndrome I (CRPS I)",
            "Complex regional pain syndrome II (CRPS II) of right upper limb",
            "Gastro-esophageal reflux disease (GERD) without esophagitis",
        ]
    )
    assert found["copd"] == {"chronic obstructive pulmonary disease"}
    # The type numeral on both sides is not part of what the letters stand for.
    assert found["crps"] == {"complex regional pain syndrome"}
    assert found["gerd"] == {"gastro esophageal reflux disease"}


def test_harvest_skips_letters_that_do_not_start_the_words() -> None:
    found = harvest(["Acute myocardial infarction (XYZ)", "Syndrome I (CRPS II)", "Type (A)"])
    assert found == {}


def test_joining_and_residual_words_count_less_than_naming_words() -> None:
    words = [weight(w) for w in ("of", "unspecified", "not elsewhere classified", "fracture")]
    assert all(0 < w < 1 for w in words[:3]) and words[3] == 1.0
    assert weight("of") < weight("unspecified")
    # Words that change what a code means are no function words.
    assert not {"with", "without", "not", "other", "due"} & set(FUNCTION_WORDS)


def test_curated_tables_are_well_formed() -> None:
    for table in (CURATED, LAY_TERMS):
        for key, phrases in table.items():
            assert tokens(key) and len(tokens(key)) <= 4, key  # the engine reads phrases of up to four words
            assert phrases and all(tokens(p) for p in phrases), key
    # A lay term typed whole is not also the start of other words: short words that begin many others
    # ("flu" -> fluid, fluoroscopy) stay out of the lay terms.
    assert all(len(k) >= 4 for k in LAY_TERMS if " " not in k)


def test_a_rewrite_is_read_only_for_a_name_the_code_sets_do_not_say(tmp_path: Path) -> None:
    store = SQLiteStore.create(tmp_path / "r.db")
    try:
        store.connection.executemany(
            "INSERT INTO rewrites (text, target, source, term, scope) VALUES (?, ?, ?, ?, ?)",
            [
                ("AFib", "atrial fibrillation", "ncit", "NCIT:C50466", "exact"),
                ("disorders", "Disease or Disorder", "ncit", "NCIT:C2991", "exact"),
                ("nervous system", "Nervous System Finding", "ncit", "NCIT:C35710", "exact"),
                ("DVT", "deep vein thrombosis", "ncit", "NCIT:C50713", "exact"),
                ("Na", "sodium", "abbrev-imantsm", "", "exact"),
                ("Tx", "treatment", "abbrev-imantsm", "", "exact"),
                ("EtOH", "alcohol", "abbrev-imantsm", "", "exact"),
                ("Double-Jointed", "joint hypermobility", "ncit", "NCIT:C0000", "exact"),
                ("Yellow skin", "Jaundice", "hpo", "HP:0000952", "exact"),
                ("Yellowing of the skin", "Jaundice", "hpo", "HP:0000952", "exact"),
                ("Pain of the chest", "Chest pain", "ncit", "NCIT:C0000", "exact"),
                ("Fever", "pyrexia", "ncit", "NCIT:C3038", "exact"),
                ("h/o", "history of", "abbrev-imantsm", "", "exact"),
                ("and/or", "either or both", "abbrev-imantsm", "", "exact"),
            ],
        )
        words = {"disorders", "nervous", "system", "atrial", "fibrillation", "dvt", "na", "tx", "fever", "etoh"}
        words |= {"double", "jointed", "h", "o", "and", "or", "yellow", "skin", "yellowing", "of", "the"}
        words |= {"pain", "chest"}
        every = load(store)
        assert {"afib", "disorders", "nervous system"} <= set(every)
        read = load(store, lambda word: word in words)
        # A name whose words the code sets use matches by those words; only "afib" stands for something.
        assert read["afib"] == ("atrial fibrillation",)
        assert "disorders" not in read and "nervous system" not in read
        # An abbreviation in capitals is read even where its letters are a word of the code sets, and so is one
        # written as a chemical symbol or a clinical shorthand: a capital and a small letter.
        assert "deep vein thrombosis" in read["dvt"]
        assert read["na"] == ("sodium",) and read["tx"] == ("treatment",)
        # One word with a capital after its first letter is written as an abbreviation too.
        assert read["etoh"] == ("alcohol",)
        # A word written with a capital, or capitals after a hyphen, is no abbreviation.
        assert "fever" not in read and "double jointed" not in read
        # Letters joined by a slash are a note's shorthand in either case ("h/o" as much as "S/P"); words so joined
        # are words.
        assert read["h o"] == ("history of",)
        assert "and or" not in read
        # A lay name (HPO's "layperson" synonyms) is read as its label though the code sets use its every word: its
        # words alone find what else says them ("Prolonged yellowing of skin in newborn").
        assert read["yellow skin"] == ("jaundice",)
        # ... and without its joining words: `yellowing skin`. Another vocabulary's name is read as written only.
        assert read["yellowing skin"] == read["yellowing of the skin"] == ("jaundice",)
        assert "pain chest" not in read and "pain of the chest" not in read
    finally:
        store.close()


def test_everyday_words_find_the_words_the_code_sets_say(tmp_path: Path) -> None:
    # "stool" is the everyday word for feces, "lower back" for the titles' low back: `stool incontinence` found
    # R19.5 by its inclusion term "Bulky stools" before the incontinence of feces, `lower back pain` the back pain
    # NOS before the low back pain.
    titles = {
        "R15.9": "Full incontinence of feces",
        "R19.5": "Other fecal abnormalities",
        "R32": "Unspecified urinary incontinence",
        "M54.9": "Dorsalgia, unspecified",
        "M54.50": "Low back pain, unspecified",
    }
    more = [
        ("R19.5", DesignationKind.INCLUSION_TERM, "Bulky stools"),
        ("M54.9", DesignationKind.INCLUSION_TERM, "Back pain NOS"),
    ]
    index_terms = {"R15.9": "Incontinence, feces", "R32": "Incontinence", "M54.9": "Pain, back"}
    engine = code_engine(tmp_path / "lay.db", titles, index_terms, more=more)
    assert engine.search(parse("stool incontinence")).hits[0].code == "R15.9"
    assert engine.search(parse("lower back pain")).hits[0].code == "M54.50"
    assert engine.search(parse("bulky stools")).hits[0].code == "R19.5"  # the word typed still comes first


def test_the_sides_as_notes_write_them(tmp_path: Path) -> None:
    titles = {
        "M25.561": "Pain in right knee",
        "M25.562": "Pain in left knee",
        "M25.569": "Pain in unspecified knee",
    }
    engine = code_engine(tmp_path / "sides.db", titles, {})
    assert engine.search(parse("lt knee pain")).hits[0].code == "M25.562"
    assert engine.search(parse("rt knee pain")).hits[0].code == "M25.561"
