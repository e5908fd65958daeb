"""The abbreviations the data spells out, and how much joining and residual words count."""

from __future__ import annotations

from medcodes.search.abbreviations import CURATED, FUNCTION_WORDS, LAY_TERMS, harvest, weight
from medcodes.search.text import tokens


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
