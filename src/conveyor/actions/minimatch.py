"""minimatch's glob semantics, as actions/labeler applies them to changed file paths.

`*` any run of characters but `/`; `?` one character but `/`; `[...]` a class (`[!...]`
negated); `**` as a whole path segment any number of segments (zero included); `{a,b}` braces
expanded; a leading `!` negates the pattern. With `dot` (labeler v5's default), `*`, `?` and
`**` also match names starting with `.`. Every pattern matches the whole path (no matchBase).
Patterns are compiled once and cached.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Glob:
    text: str
    negated: bool
    regex: re.Pattern[str]

    def match(self, path: str) -> bool:
        return (self.regex.fullmatch(path) is not None) != self.negated


@functools.lru_cache(maxsize=4096)
def compile_glob(text: str, dot: bool = True) -> Glob:
    body = text.lstrip("!")
    negated = (len(text) - len(body)) % 2 == 1
    sources = [_pattern_regex(expanded, dot) for expanded in expand_braces(body)]
    return Glob(text, negated, re.compile("|".join(f"(?:{s})" for s in sources)))


def expand_braces(text: str) -> list[str]:
    """`a/{b,c}/*.{py,pyi}` → the four patterns (nested braces included)."""
    start = _open_brace(text)
    if start < 0:
        return [text]
    end, options = _brace_options(text, start)
    if end < 0 or len(options) < 2:
        return [text]
    head, tail = text[:start], text[end + 1 :]
    return [result for option in options for result in expand_braces(head + option + tail)]


def _open_brace(text: str) -> int:
    escaped = False
    for index, char in enumerate(text):
        if char == "{" and not escaped:
            return index
        escaped = char == "\\" and not escaped
    return -1


def _brace_options(text: str, start: int) -> tuple[int, list[str]]:
    depth = 0
    options: list[str] = []
    current: list[str] = []
    for index in range(start + 1, len(text)):
        char = text[index]
        if char == "," and depth == 0:
            options.append("".join(current))
            current = []
            continue
        if char == "}" and depth == 0:
            options.append("".join(current))
            return index, options
        depth += {"{": 1, "}": -1}.get(char, 0)
        current.append(char)
    return -1, []


def _pattern_regex(pattern: str, dot: bool) -> str:
    segments = pattern.split("/")
    out: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            out.append(_globstar(last, dot))
            continue
        out.append(_segment_regex(segment, dot) + ("" if last else "/"))
    return "".join(out)


def _globstar(last: bool, dot: bool) -> str:
    """`**`: any number of whole segments (the rest of the path when it is the last one)."""
    hidden = "" if dot else r"(?!\.)"
    if last:
        return ".*" if dot else rf"(?:{hidden}[^/]+/?)*"
    return rf"(?:{hidden}[^/]+/)*"


def _segment_regex(segment: str, dot: bool) -> str:
    out = [] if dot or segment.startswith(".") else [r"(?!\.)"]
    index = 0
    while index < len(segment):
        char = segment[index]
        index += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := segment.find("]", index + 1)) > 0:
            content = segment[index:end]
            negate = content[:1] in ("!", "^")
            body = content[1:] if negate else content
            out.append(f"[{'^' if negate else ''}{body.replace(chr(92), chr(92) * 2)}]")
            index = end + 1
        elif char == "\\" and index < len(segment):
            out.append(re.escape(segment[index]))
            index += 1
        else:
            out.append(re.escape(char))
    return "".join(out)
