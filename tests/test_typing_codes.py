"""Autocomplete's codes while a word is being typed: a letter or two after other words is also read as the word the
first completion goes on with ("chest p": chest pain), where that reading matches better than the letters do."""

from __future__ import annotations

import pytest

from medcodes.search import index, phrases
from medcodes.search.query import parse
from medcodes.service import CodeService

from .helpers import code_store

TITLES = {
    "R07.9": "Chest pain, unspecified",
    "R07.89": "Other chest pain",
    # "p" a whole word, in a long title: what "chest p" reads as, searched.
    "Q89.8": "Other specified congenital malformation of chest wall with rib anomaly of type P",
    "I21.9": "Acute myocardial infarction, unspecified",
    "A19.2": "Acute miliary tuberculosis, unspecified",
    "A19.1": "Acute miliary tuberculosis of multiple sites",
    "S62.109A": "Fracture of unspecified carpal bone, unspecified wrist, initial encounter for closed fracture",
    # "w" a whole word, as short titles write "with": what "broken w" reads as, searched.
    "M80.08XA": "Age-rel osteopor w current path fracture, vertebra(e), init",
}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> CodeService:
    path = tmp_path_factory.mktemp("typing") / "t.db"
    store = code_store(path, TITLES, {})
    index.write(store)
    phrases.write(store)
    store.connection.commit()
    store.connection.close()
    return CodeService.at(path)


def test_a_letter_after_a_word_is_also_read_as_the_word_the_completion_goes_on_with(service: CodeService) -> None:
    assert [h.code for h in service.search("chest p").hits][:1] == ["Q89.8"]  # searched, "p" is whole
    found = service.suggest("chest p")
    assert found.completions[0].startswith("chest pain")
    assert found.hits[0].code == "R07.9"


def test_a_letter_no_name_goes_on_from_is_read_as_the_start_of_a_word_too(service: CodeService) -> None:
    # No name the data holds starts "broken w" ("broken" is the lay word for a fracture): no completion to read the
    # letter as. Searched, "w" is whole; typed, it is also the start of the words it begins (wrist).
    assert [h.code for h in service.search("broken w").hits][:1] == ["M80.08XA"]
    found = service.suggest("broken w")
    assert found.hits[0].code == "S62.109A"
    # A name's own letter is still read first where it is typed out: the query as searched is unchanged.
    assert not parse("broken w").typing


def test_the_letters_keep_their_reading_where_it_matches_better(service: CodeService) -> None:
    found = service.suggest("acute mi")
    assert found.completions[0].startswith("acute miliary")  # the phrase the data holds
    assert found.hits[0].code == "I21.9"  # "mi" as the abbreviation matches better than "miliary" does


@pytest.mark.parametrize(
    ("typed", "completion", "expected"),
    [
        ("chest p", "chest pain unspecified", "chest pain"),
        ("back pa", "back pain", "back pain"),
        ("chest pai", "chest pain", None),  # three letters are read as the start of longer words already
        ("p", "pain", None),  # alone, the words before say nothing of what is typed
        ("chest p", "chest pain", "chest pain"),
        ("chest p", "chest", None),  # the completion stops before the word typed
        ("chest p", "cheek pain", None),  # it does not go on with the words typed
        ("vitamin d", "vitamin d", None),  # the word typed is the phrase's own
    ],
)
def test_completed_reads_only_a_short_last_word_the_completion_goes_on_with(
    service: CodeService, typed: str, completion: str, expected: str | None
) -> None:
    query = parse(typed, limit=8)
    completed = service.engine.completed(query, completion)
    assert (completed.text if completed is not None else None) == expected
    if completed is not None:
        assert (completed.limit, completed.systems) == (query.limit, query.systems)
