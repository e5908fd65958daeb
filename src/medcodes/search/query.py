"""Parsing what a person typed into a Query value object."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from medcodes.config import MAX_QUERY_CHARS, MAX_QUERY_WORDS
from medcodes.errors import QueryError, TooMuchWork
from medcodes.search.text import negated, tokens
from medcodes.systems import SystemId


@dataclass(frozen=True, slots=True)
class Query:
    text: str  # the query as typed, cleaned of control characters
    words: tuple[str, ...]  # normalised words (search.text.tokens)
    systems: tuple[SystemId, ...]  # empty = every system
    limit: int
    offset: int = 0
    billable_only: bool = False
    # Only concepts with ids in [first, end): a chapter's, block's or category's subtree.
    within: tuple[int, int] | None = None
    negated: tuple[bool, ...] = ()  # for each word, whether it stands in a "without" clause (text.negated)
    by_meaning: bool = True  # matches by meaning may join the word matches (search.semantic)
    # The last word may still be being typed (autocomplete): a letter typed last after other words is read as the
    # start of the words it begins too, not only as a letter ending a name ("broken w": wrist; "vitamin d": D).
    typing: bool = False


def parse(
    text: str,
    systems: tuple[SystemId, ...] = (),
    limit: int = 10,
    offset: int = 0,
    billable_only: bool = False,
    *,
    within: tuple[int, int] | None = None,
    by_meaning: bool = True,
    typing: bool = False,
) -> Query:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: {len(text)} characters, at most {MAX_QUERY_CHARS}")
    if not 1 <= limit <= 1000:
        raise QueryError("limit must be between 1 and 1000")
    if offset < 0:
        raise QueryError("offset must not be negative")
    cleaned = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text).strip()
    words = tuple(tokens(cleaned))
    if len(words) > MAX_QUERY_WORDS:
        raise TooMuchWork(
            f"query has too many words: {len(words)}, at most {MAX_QUERY_WORDS}", "search for the words that matter"
        )
    return Query(
        cleaned, words, systems, limit, offset, billable_only, within, tuple(negated(cleaned)), by_meaning, typing
    )


def reparse(query: Query, text: str) -> Query:
    """Another text searched as ``query`` is: the same systems, page, filters, matching by meaning and typing."""
    return parse(
        text,
        query.systems,
        query.limit,
        query.offset,
        query.billable_only,
        within=query.within,
        by_meaning=query.by_meaning,
        typing=query.typing,
    )
