"""The search engine on the hand-written fixture release: one behaviour per test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcodes.config import MAX_QUERY_CHARS
from medcodes.errors import QueryError
from medcodes.models import Concept, ConceptKind, Designation, DesignationKind
from medcodes.search import index
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.search.ranking import Narrowing, Ranking
from medcodes.service import CodeService
from medcodes.systems import SystemId

from .helpers import code_engine, concept_store, fixture_db


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> CodeService:
    return CodeService.at(fixture_db(tmp_path_factory.mktemp("search")))


def codes(service: CodeService, query: str, **options: object) -> list[str]:
    return [h.code for h in service.search(query, **options).hits]  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["e119", "E11.9", "e11 9", " E11.9 "])
def test_a_code_in_any_notation_comes_first(service: CodeService, typed: str) -> None:
    assert codes(service, typed)[0] == "E11.9"


def test_a_code_alone_returns_only_that_code(service: CodeService) -> None:
    assert codes(service, "E11.9") == ["E11.9"]


def test_seventh_character_code_without_placeholder(service: CodeService) -> None:
    assert codes(service, "T4011A")[0] == "T40.1X1A"


def test_a_category_lists_its_descendants_in_code_order(service: CodeService) -> None:
    assert codes(service, "I21") == ["I21", "I21.4", "I21.9"]


def test_a_range_lists_the_block(service: CodeService) -> None:
    assert codes(service, "E08-E13")[:3] == ["E08-E13", "E11", "E11.9"]


def test_a_code_prefix_lists_the_codes_it_starts(service: CodeService) -> None:
    assert codes(service, "S52.52")[:2] == ["S52.52", "S52.521"]


def test_words_in_any_order_with_the_last_one_partial(service: CodeService) -> None:
    assert codes(service, "infarction myocardial acu")[0] in {"I21", "I21.9"}


def test_billable_codes_come_before_headers(service: CodeService) -> None:
    found = codes(service, "acute myocardial infarction")
    assert found.index("I21.9") < found.index("I21")


def test_a_header_gives_way_to_the_billable_code_the_words_point_to(service: CodeService) -> None:
    # S06.5 matches best, but is no code one reports; below it the codes differ in what the query does not
    # say (the duration of the loss of consciousness): the unspecified one, initial encounter, stands in.
    hits = service.search("traumatic subdural hemorrhage").hits
    first = hits[0]
    assert (first.code, first.billable) == ("S06.5X9A", True)
    assert first.reasons[0].field == "narrower"
    assert first.reasons[0].text == "S06.5 Traumatic subdural hemorrhage"
    codes = [h.code for h in hits]
    # The header follows the other codes the words found, as 7th-character siblings do.
    assert codes.index("S06.5") > codes.index("S06.5X7A")


def test_no_code_stands_in_for_a_header_under_the_billable_only_filter(service: CodeService) -> None:
    hits = service.search("traumatic subdural hemorrhage", billable_only=True).hits
    assert hits and all(h.billable for h in hits)
    assert all(r.field != "narrower" for h in hits for r in h.reasons)


def test_words_in_a_without_clause_match_only_such_words(service: CodeService) -> None:
    # E11.9 is "Type 2 diabetes mellitus without complications": it is no answer for "complications".
    assert codes(service, "complications") == []
    assert codes(service, "diabetes without complications")[0] == "E11.9"
    assert codes(service, "diabetes without compl")[0] == "E11.9"  # the last word still completes
    found = service.search("type 2 diabetes without complications")
    assert found.hits[0].code == "E11.9"
    assert found.corrected_query is None
    # A misspelt "without" still opens the clause once corrected.
    corrected = service.search("diabetes withuot complications")
    assert corrected.corrected_query == "diabetes without complications"
    assert corrected.hits[0].code == "E11.9"
    assert corrected.hits[0].score == pytest.approx(service.search("diabetes without complications").hits[0].score)


def test_billable_only_filter(service: CodeService) -> None:
    assert "I21" not in codes(service, "myocardial infarction", billable_only=True)


def test_system_filter(service: CodeService) -> None:
    assert service.search("diabetes", [SystemId.ICD10PCS]).hits == ()


def test_inclusion_terms_are_searched(service: CodeService) -> None:
    hit = service.search("nontransmural").hits[0]
    assert hit.code == "I21.4"
    assert hit.reasons[0].field == "inclusion_term"
    assert hit.reasons[0].text == "Nontransmural myocardial infarction"


def test_abbreviation_is_expanded_and_says_so(service: CodeService) -> None:
    hit = service.search("acute mi").hits[0]
    assert hit.code in {"I21.9", "I21"}
    assert any(r.field == "abbreviation" and r.text.startswith("MI = ") for r in hit.reasons)


def test_a_lay_word_is_a_synonym_not_an_abbreviation(service: CodeService) -> None:
    # "broken" spells nothing of "fracture": before, any word of up to six letters read as another was called an
    # abbreviation and written in capitals ("BROKEN = fracture", "SHOT = injection").
    reasons = [r for h in service.search("broken arm").hits for r in h.reasons if r.text.endswith("= fracture")]
    assert reasons and all((r.field, r.text) == ("synonym", "broken = fracture") for r in reasons)
    # A word that is no word at all is one ("fx"), as is one that spells what it stands for ("mi").
    fx = [r for r in service.search("fx").hits[0].reasons if r.text.endswith("= fracture")]
    assert [(r.field, r.text) for r in fx] == [("abbreviation", "FX = fracture")]


def test_letters_joined_by_a_slash_are_an_abbreviation_written_so(tmp_path: Path) -> None:
    """ "n/v" is read as the two letters, which stand for nausea with vomiting: said as written ("N/V"), not as the
    letters apart ("synonym: n v = ...")."""
    engine = code_engine(tmp_path / "nv.db", {"R11.2": "Nausea with vomiting, unspecified"}, {})
    hit = engine.search(parse("n/v")).hits[0]
    assert hit.code == "R11.2"
    assert [(r.field, r.text) for r in hit.reasons if "=" in r.text] == [("abbreviation", "N/V = nausea with vomiting")]


def test_british_spelling(service: CodeService) -> None:
    assert codes(service, "diabetes mellitus type 2 without complications")[0] == "E11.9"
    assert codes(service, "haemorrhage subdural traumatic")[0].startswith("S06.5")


def test_typo_is_corrected_and_reported(service: CodeService) -> None:
    result = service.search("myocardial infraction")
    assert result.corrected_query == "myocardial infarction"
    assert result.hits[0].code in {"I21.9", "I21", "I21.4"}
    assert any(r.field == "typo" for r in result.hits[0].reasons)


def test_highlights_mark_the_matched_words(service: CodeService) -> None:
    hit = service.search("torus fracture").hits[0]
    marked = [hit.display[a:b] for a, b in hit.highlights]
    assert marked == ["Torus", "fracture", "fracture"]  # "... initial encounter for closed fracture"


def test_paging_and_total(service: CodeService) -> None:
    first = service.search("fracture", limit=1)
    second = service.search("fracture", limit=1, offset=1)
    assert first.total == second.total >= 2
    assert first.hits[0].code != second.hits[0].code


@pytest.mark.parametrize("query", ["fracture", "myocardial infarction", "heart att", "I21", "S52", "subdural lo"])
def test_the_total_does_not_depend_on_the_page_size(service: CodeService, query: str) -> None:
    found = [service.search(query, limit=limit) for limit in (1, 3, 10, 200)]
    assert len({r.total for r in found}) == 1, [(len(r.hits), r.total) for r in found]
    assert found[-1].total >= len(found[-1].hits)
    # Every page size lists the same codes in the same order.
    assert [h.code for h in found[1].hits] == [h.code for h in found[-1].hits][:3]


def test_the_engine_takes_its_weights_as_a_parameter(service: CodeService) -> None:
    as_shipped = [h.code for h in service.search("acute myocardial infarction").hits]
    headers_first = SearchEngine(service.store, Ranking(header=3.0, narrowing=Narrowing(headers=0))).search(
        parse("acute myocardial infarction")
    )
    reordered = [h.code for h in headers_first.hits]
    assert as_shipped.index("I21.9") < as_shipped.index("I21")
    assert reordered.index("I21") < reordered.index("I21.9")


def test_facets_count_per_system(service: CodeService) -> None:
    assert service.search("diabetes").facets == {SystemId.ICD10CM: service.search("diabetes").total}


def test_seventh_character_siblings_are_collapsed(service: CodeService) -> None:
    found = codes(service, "subdural hemorrhage loss of consciousness unspecified duration", limit=3)
    assert len({c[:7] for c in found if len(c) == 8}) == len([c for c in found if len(c) == 8])


def test_word_completion(service: CodeService) -> None:
    suggestions = service.suggest("acute myocardial infa")
    assert suggestions.completions[0] == "acute myocardial infarction"


def test_overlong_query_is_rejected(service: CodeService) -> None:
    with pytest.raises(QueryError, match="too long"):
        service.search("x" * (MAX_QUERY_CHARS + 1))


@pytest.mark.parametrize(
    "query",
    ['"', "NEAR(a b)", "a* OR b", "-x", "col:val", "'; DROP TABLE concepts; --", "((((", "\x00\x1f", "🦴💔", "*"],
)
def test_operators_and_odd_text_never_raise(service: CodeService, query: str) -> None:
    result = service.search(query)
    assert result.total >= 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_any_text_returns_results_or_a_query_error(service: CodeService, text: str) -> None:
    try:
        result = service.search(text)
    except QueryError:
        return
    assert result.total >= len(result.hits)


def test_empty_query_returns_nothing(service: CodeService) -> None:
    assert service.search("   ").hits == ()


def test_limit_out_of_range_is_a_query_error(service: CodeService) -> None:
    with pytest.raises(QueryError):
        service.search("diabetes", limit=0)


def test_database_without_search_index_still_finds_codes_and_words(tmp_path: Path) -> None:
    from medcodes.build import build

    from .helpers import fixture_release

    db = tmp_path / "bare.db"
    build(db, fixture_release(tmp_path / "release"))  # no search step
    bare = CodeService.at(db)
    assert [h.code for h in bare.search("E11.9").hits] == ["E11.9"]
    # Words fall back to the FTS5 table the store always builds.
    found = bare.search("diabet mellitus type 2")
    assert "E11.9" in [h.code for h in found.hits]


def test_within_keeps_one_chapter_or_block(service: CodeService) -> None:
    found = codes(service, "fracture", within="S50-S59")
    assert found
    assert all(code.startswith("S52") for code in found)
    assert codes(service, "diabetes", within="9") == []


def test_conventional_qualifiers_count_little(service: CodeService) -> None:
    # "not elsewhere classified" says a code is residual; titles without it are hardly worse matches.
    plain = codes(service, "torus fracture of lower end of radius")
    assert codes(service, "torus fracture of lower end of radius, not elsewhere classified")[:3] == plain[:3]


class _Nearest:
    """A retriever by meaning that answers from a fixed table (the real one needs a model)."""

    def __init__(self, answers: dict[str, list[tuple[int, float]]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def search(self, text: str, k: int, systems: object = ()) -> list[tuple[int, float]]:
        self.asked.append(text)
        return self.answers.get(text, [])[:k]


def test_meaning_joins_when_the_words_find_little(tmp_path: Path) -> None:
    service = CodeService.at(fixture_db(tmp_path))
    e119 = service.store.concept_id(SystemId.ICD10CM, "E11.9")
    assert e119 is not None
    nearest = _Nearest({"sugar disease grown ups": [(e119, 0.8)]})
    service.engine.meaning = nearest
    plain = CodeService.at(service.store.path)
    plain.engine.meaning = None  # words only, whether or not this database carries semantic vectors
    words_only = [h.code for h in plain.search("sugar disease grown ups").hits]
    hits = service.search("sugar disease grown ups").hits
    assert nearest.asked == ["sugar disease grown ups"]
    assert "E11.9" not in words_only
    (found,) = [h for h in hits if h.code == "E11.9"]
    assert found.reasons[0].field == "semantic"
    # The word matches keep their first places; the meaning match, first of its list, comes right after them.
    keep = service.engine.ranking.fusion.keep_lexical
    assert [h.code for h in hits[:keep]] == words_only[:keep]
    assert hits[keep].code == "E11.9"
    # Autocomplete, asked at every keystroke, answers from the words alone.
    assert "E11.9" not in [h.code for h in service.suggest("sugar disease grown ups").hits]
    assert nearest.asked == ["sugar disease grown ups"]


def test_meaning_is_not_asked_when_every_word_matches(tmp_path: Path) -> None:
    service = CodeService.at(fixture_db(tmp_path))
    nearest = _Nearest({})
    service.engine.meaning = nearest
    assert service.search("torus fracture").hits
    assert service.search("E11.9").hits
    assert nearest.asked == []


def test_a_last_word_that_is_also_an_abbreviation_is_read_as_a_word_being_typed(tmp_path: Path) -> None:
    """ "type 2 dia" is "type 2 diabetes" being typed, though "dia" also stands for an astrocytoma."""
    engine = SearchEngine(CodeService.at(fixture_db(tmp_path)).store)
    engine._abbreviations = {"dia": ("desmoplastic infantile astrocytoma",), "mi": ("myocardial infarction",)}
    assert engine.search(parse("type 2 dia")).hits[0].code == "E11.9"
    # A two-letter abbreviation starts too many words to stand for any of them: it means what it stands for.
    assert engine.search(parse("acute mi")).hits[0].code.startswith("I21")


def test_a_broad_word_is_answered_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The broadest words (a letter or two: what autocomplete sends first) are answered once, then remembered."""
    from medcodes.search import lexical

    broad = Ranking(limits=replace(Ranking().limits, gather=1))  # every word is broad in the small fixture
    engine = SearchEngine(CodeService.at(fixture_db(tmp_path)).store, broad)
    answered: list[str] = []
    one_word = lexical._one_word

    def counted(index: object, g: lexical.Group, *rest: object) -> object:
        answered.append(g.word)
        return one_word(index, g, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(lexical, "_one_word", counted)
    first = engine.search(parse("t"))
    assert engine.search(parse("t")) == first
    assert engine.search(parse("t", (SystemId.ICD10CM,))).hits  # other filters, another answer
    assert answered == ["t", "t"]


def test_warming_loads_every_part_before_the_first_visitor(tmp_path: Path) -> None:
    service = CodeService.at(fixture_db(tmp_path))
    service.warm()
    engine = service.engine
    assert engine._index is not None and engine._phrases_loaded and engine._meaning_loaded
    assert engine._abbreviations is not None and engine._speller is not None
    assert engine._named_phrases is not None  # the names autocomplete goes on with


def test_a_word_still_being_typed_is_not_corrected(service: CodeService, monkeypatch: pytest.MonkeyPatch) -> None:
    from medcodes.search.typos import Speller

    asked: list[str] = []
    correct = Speller.correct

    def recorded(self: Speller, word: str, others: Sequence[int] = ()) -> str | None:
        asked.append(word)
        return correct(self, word, others)

    monkeypatch.setattr(Speller, "correct", recorded)
    # No title holds every word, so corrections are looked for; "mellit" starts "mellitus": it is being typed.
    service.search("infarction diabetes mellit")
    assert "mellit" not in asked
    assert service.search("acute myocardial infraction").corrected_query == "acute myocardial infarction"  # a typo is


def test_a_phrase_no_designation_of_the_systems_searched_holds_is_read_word_by_word(tmp_path: Path) -> None:
    # ICD-11 names "Glioma, malignant" whole, and a vocabulary reads "glioma malignant" as "malignant glioma": one
    # phrase, all of whose words a designation must hold. Searched in ICD-10-CM, which holds them apart only, the
    # phrase found nothing; its words, one by one, find the index's glioma.
    concepts = [
        Concept(SystemId.ICD10CM, "C71.9", "Malignant neoplasm of brain, unspecified", ConceptKind.CODE, True, seq=0),
        Concept(SystemId.ICD11, "XH4RQ3", "Glioma, malignant", ConceptKind.CODE, True, seq=1),
    ]
    names = [Designation(SystemId.ICD10CM, "C71.9", DesignationKind.INDEX_TERM, "Glioma, unspecified site", "index")]
    store = concept_store(tmp_path / "g.db", concepts, names)
    index.write(store)
    engine = SearchEngine(store)
    engine.abbreviations["glioma malignant"] = ("malignant glioma",)
    assert [h.code for h in engine.search(parse("glioma malignant")).hits][:1] == ["XH4RQ3"]
    assert [h.code for h in engine.search(parse("glioma malignant", (SystemId.ICD10CM,))).hits] == ["C71.9"]
