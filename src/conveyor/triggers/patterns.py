"""GitHub's filter patterns for `branches`, `tags` and `paths`, compiled once and cached.

Syntax (GitHub's own flavour, not POSIX glob):
`*` any run of characters except `/`; `**` any run including `/` (`**/` also matches nothing);
`?` zero or one of the preceding character; `+` one or more of it (both literal as the first
character); `[...]` one character from a set of letters, digits and ranges of them; `\\x` a literal
`x`; a leading `!` negates. Every pattern must match the whole name.

A list is decided by the last pattern that matches: a positive one includes the name, a negative one
excludes it; a name no pattern matches is excluded.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from conveyor.errors import UsageError

# `?` and `+` repeat the preceding character, escape or bracket; as the first character, or after
# a wildcard or another quantifier, they are literal.
_QUANTIFIERS = "?+"
_RANGE_CLASSES = (("a", "z"), ("A", "Z"), ("0", "9"), ("A", "z"))


@dataclass(frozen=True, slots=True)
class Pattern:
    """One filter pattern: its text as written (with any `!`), and its anchored regex."""

    text: str
    negative: bool
    regex: re.Pattern[str]

    @property
    def body(self) -> str:
        return self.text[1:] if self.negative else self.text


@dataclass(frozen=True, slots=True)
class PatternList:
    """A compiled filter list. `inclusion` fully matches exactly the names the list includes."""

    patterns: tuple[Pattern, ...]
    inclusion: re.Pattern[str]

    def includes(self, name: str) -> bool:
        return self.inclusion.fullmatch(name) is not None

    def deciding_pattern(self, name: str) -> Pattern | None:
        """The last pattern that matches `name` (the one that decides), or None."""
        for pattern in reversed(self.patterns):
            if pattern.regex.fullmatch(name):
                return pattern
        return None

    def first_included(self, names: Iterable[str]) -> str | None:
        return next(filter(self.inclusion.fullmatch, names), None)

    def first_excluded(self, names: Iterable[str]) -> str | None:
        return next(itertools.filterfalse(self.inclusion.fullmatch, names), None)

    def describe(self) -> str:
        """`[main, 'releases/**']`-style rendering for messages."""
        return "[" + ", ".join(_quote_if_needed(p.text) for p in self.patterns) + "]"


def patterns_match(patterns: Sequence[str], candidate: str) -> bool:
    """True when `candidate` is included by the list (last matching pattern wins)."""
    return compile_patterns(tuple(patterns)).includes(candidate)


@functools.lru_cache(maxsize=1024)
def compile_patterns(patterns: tuple[str, ...]) -> PatternList:
    """Compile a list once (cached); an invalid pattern raises UsageError naming it."""
    compiled = tuple(compile_pattern(text) for text in patterns)
    return PatternList(compiled, re.compile(_inclusion_source(compiled), re.DOTALL))


@functools.lru_cache(maxsize=4096)
def compile_pattern(text: str) -> Pattern:
    negative = text.startswith("!")
    body = text[1:] if negative else text
    if not body:
        raise UsageError(f"invalid filter pattern {text!r}: it is empty")
    try:
        source = pattern_to_regex(body)
    except ValueError as exc:
        raise UsageError(f"invalid filter pattern {text!r}: {exc}") from None
    return Pattern(text, negative, re.compile(source, re.DOTALL))


def pattern_to_regex(pattern: str) -> str:
    """The regex source (to be fully matched) for one pattern without its `!`."""
    out: list[str] = []
    quantifiable = False
    pos = 0
    while pos < len(pattern):
        token, pos, quantifiable = _next_token(pattern, pos, quantifiable)
        out.append(token)
    return "".join(out)


def _next_token(pattern: str, pos: int, quantifiable: bool) -> tuple[str, int, bool]:
    """Translate the token at `pos`: (regex text, next position, may a quantifier follow)."""
    char = pattern[pos]
    if pattern.startswith("**/", pos):
        return "(?:.+/)?", pos + 3, False
    if pattern.startswith("**", pos):
        return ".*", pos + 2, False
    if char == "*":
        return "[^/]*", pos + 1, False
    if char in _QUANTIFIERS:
        return (char, pos + 1, False) if quantifiable else (re.escape(char), pos + 1, True)
    if char == "[":
        return _bracket(pattern, pos)
    if char == "\\":
        if pos + 1 >= len(pattern):
            raise ValueError("a '\\' at the end escapes nothing")
        return re.escape(pattern[pos + 1]), pos + 2, True
    return re.escape(char), pos + 1, True


def _bracket(pattern: str, start: int) -> tuple[str, int, bool]:
    end = pattern.find("]", start + 1)
    if end < 0:
        raise ValueError(f"'[' at position {start + 1} has no closing ']'")
    content = pattern[start + 1 : end]
    if not content:
        raise ValueError("empty brackets '[]'")
    return "[" + _bracket_items(content) + "]", end + 1, True


def _bracket_items(content: str) -> str:
    items: list[str] = []
    pos = 0
    while pos < len(content):
        if pos + 2 < len(content) and content[pos + 1] == "-":
            low, high = content[pos], content[pos + 2]
            if not any(a <= low <= high <= b for a, b in _RANGE_CLASSES):
                raise ValueError(f"invalid range '{low}-{high}' (only a-z, A-Z and 0-9)")
            items.append(f"{re.escape(low)}-{re.escape(high)}")
            pos += 3
            continue
        char = content[pos]
        if not (char.isascii() and (char.isalnum() or char == "_")):
            raise ValueError(f"'{char}' is not allowed in brackets (letters, digits and ranges)")
        items.append(char)
        pos += 1
    return "".join(items)


def _inclusion_source(patterns: Sequence[Pattern]) -> str:
    """One regex for "last match wins": some positive pattern matches and no later negative does."""
    alternatives: list[str] = []
    for index, pattern in enumerate(patterns):
        if pattern.negative:
            continue
        later = [p.regex.pattern for p in patterns[index + 1 :] if p.negative]
        guard = "(?!(?:" + "|".join(later) + r")\Z)" if later else ""
        alternatives.append(f"{guard}(?:{pattern.regex.pattern})")
    return "(?:" + "|".join(alternatives) + ")" if alternatives else "(?!)"


def _quote_if_needed(text: str) -> str:
    """Quote like YAML needs it: names starting with `*`, `!`, `[`, … or holding `,[]` or spaces."""
    return text if re.fullmatch(r"[A-Za-z0-9._/-][^\s,\[\]'\"]*", text) else repr(text)
