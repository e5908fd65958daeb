"""Procedure names made of parts, read as ICD-10-PCS says them."""

from __future__ import annotations

from medcodes.search.procedures import FORMS, SUFFIXES, body_part, expand


def test_a_suffix_and_a_combining_form_give_the_operation_and_the_body_part() -> None:
    assert expand("appendectomy") == ("resection appendix", "excision appendix")
    assert expand("appendectomies") == expand("appendectomy")
    assert expand("vasectomy")[0] == "resection vas deferens"
    assert expand("amniocentesis") == ("drainage amniotic fluid",)


def test_the_linking_vowel_and_several_forms() -> None:
    assert expand("colonoscopy") == ("inspection colon endoscopic", "inspection lower intestinal tract endoscopic")
    assert expand("arthrodesis") == ("fusion joint",)
    # The last part names the body part: the duodenum, and the upper intestinal tract.
    assert "inspection upper intestinal tract endoscopic" in expand("esophagogastroduodenoscopy")


def test_words_that_are_not_made_of_known_parts_are_left_alone() -> None:
    for word in ("history", "collect", "ectomy", "hernia", "rectal", "colonic", "xyzectomy", "lobster"):
        assert expand(word) == ()


def test_a_combining_form_typed_alone() -> None:
    assert body_part("salpingo") == ("fallopian tube",)
    assert body_part("salping") == ()
    assert body_part("oophoro") == ("ovary",)


def test_every_template_names_the_body_part_once() -> None:
    assert all(t.count("{}") == 1 for templates in SUFFIXES.values() for t in templates)
    assert all(FORMS.values())
