"""Words as the engine compares them: spelling, forms, and "without" clauses."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from medcodes.search.text import (
    _WORD,
    fold,
    folded_words,
    index_words,
    negated,
    prefix_negated,
    read_marks,
    sign_joined,
    signs,
    singular,
    slashed,
    stem,
    tokens,
)


def test_tokens_fold_case_accents_and_british_spelling() -> None:
    assert tokens("Haemorrhage of Oesophagus, NOS") == ["hemorrhage", "of", "esophagus", "nos"]
    assert tokens("Hépatite aiguë") == ["hepatite", "aigue"]
    assert singular("injuries") == "injury"
    assert singular("arthritis") == "arthritis"


def test_a_plural_in_ys_after_a_vowel_is_the_word_without_its_s() -> None:
    # "absent kidneys" found only the two index entries that say "kidneys", none of the codes that say "kidney".
    assert [singular(w) for w in ("kidneys", "airways", "rays", "days")] == ["kidney", "airway", "ray", "day"]
    # A consonant before the y: a word the short titles cut ("Dialys", "Epiphys"), left as it is.
    assert [singular(w) for w in ("dialys", "epiphys")] == ["dialys", "epiphys"]


def test_aches_are_an_ache_in_the_plural_and_reaches_a_reach() -> None:
    assert [singular(w) for w in ("aches", "headaches", "earaches")] == ["ache", "headache", "earache"]
    assert [singular(w) for w in ("reaches", "coaches", "branches", "stitches")] == [
        "reach",
        "coach",
        "branch",
        "stitch",
    ]


def test_words_in_a_without_clause_are_marked() -> None:
    assert index_words("Type 2 diabetes mellitus without complications") == [
        "type",
        "2",
        "diabetes",
        "mellitus",
        "without",
        "~complications",
    ]
    # The clause ends at "with" and at a comma.
    assert index_words("Thyrotoxicosis with diffuse goiter without thyrotoxic crisis or storm")[3:6] == [
        "goiter",
        "without",
        "~thyrotoxic",
    ]
    assert index_words("Disorder, bipolar, manic, without psychotic features, severe, with psychotic features") == [
        "disorder",
        "bipolar",
        "manic",
        "without",
        "~psychotic",
        "~features",
        "severe",
        "with",
        "psychotic",
        "features",
    ]
    assert index_words("Acute erythroid leukemia, not having achieved remission")[-3:] == [
        "~having",
        "~achieved",
        "~remission",
    ]


def test_the_word_a_non_prefix_negates_is_marked() -> None:
    # "Non-Hodgkin lymphoma" is no Hodgkin lymphoma: "hodgkin lymphoma" must not match it on "hodgkin".
    assert index_words("Non-Hodgkin lymphoma") == ["non", "~hodgkin", "lymphoma"]
    # The one word after "non" only: "elevation" stays a word of NSTEMI's title.
    assert index_words("Non-ST elevation (NSTEMI) myocardial infarction")[:4] == ["non", "~st", "elevation", "nstemi"]
    # Typed with a space, as people type it, the query reads the same way.
    assert negated("non hodgkin lymphoma") == negated("Non-Hodgkin lymphoma") == [False, True, False]
    assert index_words("Hepatitis non-A, non-B") == ["hepatitis", "non", "~a", "non", "~b"]
    # "non" last (being typed) or twice marks nothing more.
    assert negated("lymphoma non") == [False, False]
    assert negated("non non") == [False, False]
    assert prefix_negated(["non", "hodgkin"], 1) and not prefix_negated(["without", "hodgkin"], 1)


def test_what_a_title_leaves_undecided_is_marked() -> None:
    # "unspecified as acute or chronic" says neither: a query for an acute ulcer must not match it on "acute".
    assert index_words("Duodenal ulcer, unspecified as acute or chronic")[-3:] == ["~acute", "~or", "~chronic"]
    assert index_words("Bronchitis, not specified as acute or chronic") == [
        "bronchitis",
        "not",
        "~specified",
        "as",
        "~acute",
        "~or",
        "~chronic",
    ]
    assert "~current" not in index_words("Hemopericardium as current complication following acute infarction")


def test_marks_line_up_with_the_words_for_any_text() -> None:
    for text in ("", "without", "a_b without c_d; e", "Ünïcode without façade, fine", "x,,without,,y"):
        assert len(negated(text)) == len(tokens(text))


@given(st.text(max_size=200))
def test_marks_line_up_with_the_words_for_random_text(text: str) -> None:
    assert len(negated(text)) == len(tokens(text))


def test_a_word_of_six_letters_shares_its_stem_with_its_other_forms() -> None:
    # "absent kidney" reaches "Acquired absence of kidney": an adjective and its noun differ in the ending.
    absent = stem("absent")
    assert absent is not None and "absence".startswith(absent)
    assert stem("tuberculous") == stem("tuberculosis") == "tubercul"
    assert stem("colon") is None  # shorter words match only themselves (and their plurals)
    assert stem("ab12cd") is None  # nor do codes and numbers


def test_an_ascii_text_is_read_by_its_byte_table_as_the_pattern_reads_it() -> None:
    # The byte table (ASCII) and the pattern (any other text) give the same words.
    for text in ("Fracture of T12-L1, initial encounter", "a_b c__d", "X-ray (2 views); NOS", "Type 2 DM", ""):
        assert folded_words(text) == _WORD.findall(fold(text))
    assert folded_words("Ménière's disease") == ["meniere", "s", "disease"]


@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=60))
def test_the_byte_table_and_the_pattern_agree_on_any_ascii_text(text: str) -> None:
    assert folded_words(text) == _WORD.findall(fold(read_marks(text)))


def test_a_sign_closing_a_marker_is_read_as_its_word_and_joined_to_the_marker() -> None:
    # "ER+" and "ER-" were the one word "er": `er+` found the estrogen receptor negative status first.
    assert tokens("Estrogen receptor positive status [ER+]")[-3:] == ["er", "positive", "erpositive"]
    assert tokens("HR- with HER2+") == ["hr", "negative", "hrnegative", "with", "her2", "positive", "her2positive"]
    assert tokens("hr+/her2-") == ["hr", "positive", "hrpositive", "her2", "negative", "her2negative"]
    assert tokens("er- pr- her2-") == [
        *("er", "negative", "ernegative"),
        *("pr", "negative", "prnegative"),
        *("her2", "negative", "her2negative"),
    ]
    assert tokens("Agranular CD4+ CD56+ neoplasm")[1:4] == ["cd4", "positive", "cd4positive"]
    assert tokens("Escherichia coli, O157:H-")[-2:] == ["negative", "hnegative"]


def test_a_hyphen_or_a_plus_that_is_no_sign_is_left_as_it_was() -> None:
    for text in (
        "Pedestrian injured in collision with two- or three-wheeled motor vehicle",  # a word to come
        "Osteopathic manipulative treatment using low- velocity forces",  # a longer word than a marker's
        "Pneumonia, broncho-, bronchial",
        "Insertion of other (naso-)gastric tube",  # a part in brackets
        "Severe combined immunodeficiency with low T- and B-cell numbers",
        "Poisoning, S72.0-, T36.0X1-",  # the end of a code
        "Sennoside A+B",  # a plus between words
        "Coma scale, eyes open, never, 24+hrs",  # after a number
        "Disk/foam pad +or- adhesive",
        "kidney - absent",  # a dash between words
        "x-ray, htlv3-pos",
    ):
        assert signs(text) == text, text


def test_signs_are_read_once_and_the_clauses_stay_aligned() -> None:
    text = "Carcinoma without ER+ status, HR- with HER2-"
    assert signs(signs(text)) == signs(text)
    assert len(tokens(text)) == len(negated(text))
    assert index_words(text)[:5] == ["carcinoma", "without", "~er", "~positive", "~erpositive"]


def test_the_joined_word_is_known_by_the_two_before_it() -> None:
    words = tokens("hiv+ hepatitis")
    assert [sign_joined(words, at) for at in range(len(words))] == [False, False, True, False]
    assert not sign_joined(["er", "positive", "erpositive"][1:], 1)
    assert not sign_joined(["erpositive"], 0)  # typed as one word: a word like any other


def test_w_slash_o_is_without_and_opens_its_clause() -> None:
    # The short titles write "w/o" where the title says "without": read as letters, "complications" was no word of
    # a "without" clause, and `drug induced diabetes complications` found the code without complications first.
    short = "Drug or chemical induced diabetes mellitus w/o complications"
    assert index_words(short)[-2:] == ["without", "~complications"]
    assert tokens("dm w/ neuropathy") == ["dm", "with", "neuropathy"]
    assert [slashed(t) for t in ("h/o", "and/or", "w/out", "n/v")] == ["h/o", "and/or", "w/out", "n/v"]
