"""Dotenv files for `--secret-file` and `--env-file` (the format act reads).

`KEY=value` per line, `export ` allowed, `#` comments; 'single quotes' are literal; "double
quotes" understand `\\n`, `\\t`, `\\"` and `\\\\` and may span lines; an unquoted value
ends at ` #`.
"""

from __future__ import annotations

import re
from pathlib import Path

from conveyor.errors import UsageError, decode_utf8

_KEY = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s?(.*)$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


def read_dotenv(path: Path) -> dict[str, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_dotenv(decode_utf8(data, str(path)), str(path))


def parse_dotenv(text: str, source: str = "<dotenv>") -> dict[str, str]:
    values: dict[str, str] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY.match(line)
        if match is None:
            raise UsageError(f"{source}:{index}: expected KEY=VALUE, got {line.strip()!r}")
        key, rest = match.group(1), match.group(2).strip()
        if rest.startswith('"'):
            value, index = _double_quoted(rest, lines, index, source)
        elif rest.startswith("'"):
            value, index = _single_quoted(rest, lines, index, source)
        else:
            value = rest.split(" #", 1)[0].strip()
        values[key] = value
    return values


def _double_quoted(rest: str, lines: list[str], index: int, source: str) -> tuple[str, int]:
    body, start = rest[1:], index
    while _closing_quote(body) < 0:
        if index >= len(lines):
            raise UsageError(f"{source}:{start}: unterminated double-quoted value")
        body += "\n" + lines[index]
        index += 1
    end = _closing_quote(body)
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body[:end]), index


def _closing_quote(body: str) -> int:
    escaped = False
    for position, char in enumerate(body):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            return position
    return -1


def _single_quoted(rest: str, lines: list[str], index: int, source: str) -> tuple[str, int]:
    body, start = rest[1:], index
    while "'" not in body:
        if index >= len(lines):
            raise UsageError(f"{source}:{start}: unterminated single-quoted value")
        body += "\n" + lines[index]
        index += 1
    return body[: body.index("'")], index
