"""Code lists a site owner gives a batch: one code a line, optionally with how often people look at it."""

from __future__ import annotations

import pytest

from medcodes.errors import CodeListError
from medcodes.explain.selection import Wanted, read_code_list


def codes(text: str) -> list[str]:
    return [w.code for w in read_code_list(text.splitlines())]


def test_a_plain_list_keeps_its_order_without_blanks_or_comments() -> None:
    assert codes("E11.9\n\n# the rest\n0UT70ZZ  # a procedure\nE0601\n") == ["E11.9", "0UT70ZZ", "E0601"]


def test_counts_take_the_most_viewed_first() -> None:
    assert read_code_list(["E11.9,120", "I10\t4_500", "J45.909 37", "R07.9;4500"]) == [
        Wanted("I10", 4500),
        Wanted("R07.9", 4500),  # ties keep the list's order
        Wanted("E11.9", 120),
        Wanted("J45.909", 37),
    ]


def test_a_header_line_is_skipped() -> None:
    assert codes("code,views\nE11.9,3\nI10,9\n") == ["I10", "E11.9"]


def test_codes_without_a_count_among_counted_ones_go_last() -> None:
    assert codes("E11.9\nI10,2\n") == ["I10", "E11.9"]


def test_a_byte_order_mark_is_not_part_of_the_first_code() -> None:
    assert codes("\ufeffE11.9\n") == ["E11.9"]


def test_a_count_that_is_not_a_number_names_its_line() -> None:
    with pytest.raises(CodeListError, match=r"top.csv, line 2: the count 'many' is not a whole number"):
        read_code_list(["E11.9,3", "I10,many"], "top.csv")


def test_more_than_a_code_and_a_count_names_its_line() -> None:
    with pytest.raises(CodeListError, match=r"line 1: expected a code and an optional count"):
        read_code_list(["E11.9 3 extra"])
