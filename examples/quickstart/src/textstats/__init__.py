"""textstats: word counts for plain text."""

from __future__ import annotations

import re
from collections import Counter

__version__ = "1.4.0"

_WORD = re.compile(r"[A-Za-z']+")


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased (apostrophes kept: "don't" is one word)."""
    found = (match.group(0).lower().strip("'") for match in _WORD.finditer(text))
    return [word for word in found if word]


def word_count(text: str) -> int:
    return len(words(text))


def top_words(text: str, limit: int = 3) -> list[tuple[str, int]]:
    """The `limit` most frequent words, most frequent first, ties alphabetically."""
    counts = Counter(words(text))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
