"""Which of some phrases a body of texts says word for word: one scan of every text for a few thousand phrases.

The phrases and the texts are name keys (``vocabulary.name_key``: folded words, one space apart). The phrases go
into a trie of their letters, written as one regular expression, so a scan tries at each word's start only the
phrases that begin with its letters (a plain alternation of thousands of phrases tries each of them there). The
texts are scanned joined, a line each, so no phrase is found across two of them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import TypeAlias

__all__ = ["said"]

_END = ""  # the trie's mark of a phrase ending here
_Trie: TypeAlias = dict[str, "_Trie"]


def said(phrases: Collection[str], texts: Iterable[str]) -> set[str]:
    """The phrases that some text says as whole words, in order ("white blood cell" in "low white blood cell
    count"; not "blood cell" in "bloodcell", nor across two texts)."""
    wanted = {p for p in phrases if p and "\n" not in p}
    if not wanted:
        return set()
    # At every word's start (a look-ahead, so phrases overlapping one found are tried too), the longest phrase
    # starting there; a shorter one starting there is a word-prefix of it.
    pattern = re.compile(r"(?:^|(?<= ))(?=(" + _trie_pattern(sorted(wanted)) + r")(?: |$))", re.MULTILINE)
    found = {match.group(1) for match in pattern.finditer("\n".join(texts))}
    out = set(found)
    for phrase in found:
        words = phrase.split(" ")
        out.update(p for p in (" ".join(words[:n]) for n in range(1, len(words))) if p in wanted)
    return out


def _trie_pattern(phrases: list[str]) -> str:
    trie: _Trie = {}
    for phrase in phrases:
        node = trie
        for letter in phrase:
            node = node.setdefault(letter, {})
        node[_END] = {}
    return _node_pattern(trie)


def _node_pattern(node: _Trie) -> str:
    ends = _END in node
    branches = [re.escape(letter) + _node_pattern(below) for letter, below in sorted(node.items()) if letter != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # Where a phrase ends here and longer ones go on, the longer is tried first (greedy) and this one is kept.
    return f"(?:{body})?" if ends else body
