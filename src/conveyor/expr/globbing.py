"""The glob patterns of hashFiles, as the runner's @actions/glob reads them (Linux rules).

One pattern per line; blank lines and `#` comments are skipped; leading `!` negates; relative
patterns are rooted at the workspace, `~` at the home directory; `.`/`..` segments are refused;
a trailing `/` matches directories only. Segments use minimatch syntax without braces or extglobs,
with dotfiles matched: `*`, `?`, `[...]`, `\\` escapes, and `**` for any number of directories.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

GLOBSTAR = "**"


class MatchKind(enum.IntFlag):
    NONE = 0
    DIRECTORY = 1
    FILE = 2
    ALL = 3


class PatternError(ValueError):
    """A pattern @actions/glob refuses."""


@dataclass(frozen=True)
class Segment:
    """One path segment of a pattern: `**`, a literal name, or a compiled glob."""

    text: str
    literal: str | None
    regex: re.Pattern[str] | None

    def matches(self, name: str) -> bool:
        if self.literal is not None:
            return name == self.literal
        return self.regex is not None and self.regex.fullmatch(name) is not None


@dataclass(frozen=True)
class Pattern:
    negate: bool
    segments: tuple[Segment, ...]  # of an absolute path, without the root "/"
    directories_only: bool

    @property
    def search_path(self) -> str:
        """The literal directory prefix before the first glob segment."""
        names: list[str] = []
        for segment in self.segments:
            if segment.literal is None:
                break
            names.append(segment.literal)
        return "/" + "/".join(names)

    def with_descendants(self) -> Pattern:
        return Pattern(self.negate, (*self.segments, _segment(GLOBSTAR)), False)

    def match(self, names: list[str]) -> MatchKind:
        if not _match_from(self.segments, 0, names, 0):
            return MatchKind.NONE
        return MatchKind.DIRECTORY if self.directories_only else MatchKind.ALL

    def partial_match(self, names: list[str]) -> bool:
        """Whether something below the directory `names` could match."""
        for position, name in enumerate(names):
            if position >= len(self.segments):
                return False
            segment = self.segments[position]
            if segment.text == GLOBSTAR:
                return True
            if not segment.matches(name):
                return False
        return True


def _match_from(segments: tuple[Segment, ...], s: int, names: list[str], n: int) -> bool:
    """Whether segments[s:] match names[n:]; `**` takes any number of names (iterative)."""
    pending, seen = [(s, n)], {(s, n)}
    while pending:
        s, n = pending.pop()
        if s == len(segments):
            if n == len(names):
                return True
            continue
        segment = segments[s]
        if segment.text == GLOBSTAR:
            following = [(s + 1, rest) for rest in range(n, len(names) + 1)]
        else:
            following = [(s + 1, n + 1)] if n < len(names) and segment.matches(names[n]) else []
        for state in following:
            if state not in seen:
                seen.add(state)
                pending.append(state)
    return False


def parse_patterns(text: str, workspace: str, home: str) -> list[Pattern]:
    """The patterns in `text` (one a line), rooted, with their implicit `/**` descendants."""
    patterns: list[Pattern] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern = parse_pattern(line, workspace, home)
        patterns.append(pattern)
        if pattern.directories_only or pattern.segments[-1:] != (_segment(GLOBSTAR),):
            patterns.append(pattern.with_descendants())
    return patterns


def parse_pattern(line: str, workspace: str, home: str) -> Pattern:
    negate = False
    while line.startswith("!"):
        negate, line = not negate, line[1:].strip()
    if not line:
        raise PatternError("pattern cannot be empty")
    _check_relative_segments(line)
    root, rest = _root(line, workspace, home)
    names = [name for name in rest.split("/") if name]
    segments = tuple(_literal_segment(name) for name in root) + tuple(map(_segment, names))
    return Pattern(negate, segments, rest.endswith("/") and bool(names or root))


def _root(line: str, workspace: str, home: str) -> tuple[list[str], str]:
    """The literal root directories a pattern starts from, and the rest of the pattern."""
    if line == "." or line.startswith("./"):
        return _names(workspace), line[1:]
    if line == "~" or line.startswith("~/"):
        return _names(home), line[1:]
    if line.startswith("/"):
        return [], line
    return _names(workspace), "/" + line


def _names(path: str) -> list[str]:
    return [name for name in path.split("/") if name]


def _check_relative_segments(line: str) -> None:
    names = [name for name in line.split("/") if name]
    if line.startswith("/"):
        names.insert(0, "/")
    for position, name in enumerate(names):
        literal = _literal(name)
        if literal == ".." or (literal == "." and position > 0):
            raise PatternError(
                f"Invalid pattern '{line}'. Relative pathing '.' and '..' is not allowed."
            )


def _literal_segment(name: str) -> Segment:
    return Segment(name, name, None)


def _segment(text: str) -> Segment:
    if text == GLOBSTAR:
        return Segment(text, None, None)
    literal = _literal(text)
    if literal:
        return Segment(text, literal, None)
    try:
        regex = re.compile(_glob_regex(text), re.DOTALL)
    except re.error:  # e.g. a reversed range [z-a]: such a segment matches nothing
        regex = None
    return Segment(text, None, regex)


def _literal(segment: str) -> str:
    """The segment's literal text, or '' when it holds a wildcard (like @actions/glob)."""
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "\\" and index + 1 < len(segment):
            out.append(segment[index + 1])
            index += 2
            continue
        if char in "*?":
            return ""
        if char == "[":
            closed = _class_end(segment, index)
            if closed is not None:
                members = _unescape(segment[index + 1 : closed])
                if len(members) > 1:
                    return ""
                if members:
                    out.append(members)
                    index = closed + 1
                    continue
        out.append(char)
        index += 1
    return "".join(out)


def _class_end(segment: str, start: int) -> int | None:
    index = start + 1
    while index < len(segment):
        if segment[index] == "\\" and index + 1 < len(segment):
            index += 2
            continue
        if segment[index] == "]":
            return index
        index += 1
    return None


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def _glob_regex(segment: str) -> str:
    """A regular expression for one minimatch segment."""
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "\\" and index + 1 < len(segment):
            out.append(re.escape(segment[index + 1]))
            index += 2
        elif char == "*":
            out.append(".*")
            index += 1
        elif char == "?":
            out.append(".")
            index += 1
        elif char == "[" and (members := _class_members(segment, index)) is not None:
            out.append(_class_regex(members))
            index += len(members) + 2
        else:
            out.append(re.escape(char))
            index += 1
    return "".join(out)


def _class_members(segment: str, start: int) -> str | None:
    """The text between `[` at `start` and its `]`, if that makes a non-empty class."""
    closed = _class_end(segment, start)
    if closed is None:
        return None
    members = segment[start + 1 : closed]
    return members if members not in ("", "!", "^") else None


def _class_regex(members: str) -> str:
    negated = members[:1] in ("!", "^")
    body = _unescape(members[1:] if negated else members)
    escaped = "".join("\\" + c if c in "\\]^[" else c for c in body)
    return f"[{'^' if negated else ''}{escaped}]"
