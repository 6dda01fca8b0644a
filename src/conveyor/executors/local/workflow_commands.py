"""Parsing the workflow commands steps write: `::command key=value,...::data` (GitHub's form) and
the legacy `##[command key=value;...]data` (old @actions/core; GitHub's runner still honours it).

A line is a `::` command when, after leading whitespace, it starts with `::` and has a second
`::`; data unescapes `%25 %0D %0A`, property values also `%3A %2C`. Otherwise it is a legacy
command when `##[` occurs anywhere in it and a `]` follows; properties are separated by `;`, and
data and property values unescape `%3B %0D %0A %5D %25`. Command and property names are
case-insensitive; a property without a name or a value is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

_DATA_ESCAPES = {"%25": "%", "%0D": "\r", "%0A": "\n"}
_PROPERTY_ESCAPES = {**_DATA_ESCAPES, "%3A": ":", "%2C": ","}
_LEGACY_ESCAPES = {**_DATA_ESCAPES, "%3B": ";", "%5D": "]"}
_DATA_PATTERN = re.compile("|".join(_DATA_ESCAPES))
_PROPERTY_PATTERN = re.compile("|".join(_PROPERTY_ESCAPES))
_LEGACY_PATTERN = re.compile("|".join(_LEGACY_ESCAPES))
LEGACY_PREFIX = "##["
_Unescape = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class WorkflowCommand:
    name: str  # lower case
    data: str
    properties: Mapping[str, str] = field(default_factory=dict)  # keys lower case

    def get(self, key: str) -> str | None:
        return self.properties.get(key.lower())


def parse_command(line: str) -> WorkflowCommand | None:
    """The command on `line`, or None when the line is ordinary output."""
    text = line.lstrip()
    if text.startswith("::"):
        end = text.find("::", 2)
        if end >= 0:
            return _command(text[2:end], unescape_data(text[end + 2 :]), ",", _property_value)
    start = line.find(LEGACY_PREFIX)
    if start < 0:
        return None
    end = line.find("]", start)
    if end < 0:
        return None
    info = line[start + len(LEGACY_PREFIX) : end]
    return _command(info, _legacy_unescape(line[end + 1 :]), ";", _legacy_unescape)


def unescape_data(text: str) -> str:
    """A command's data as the step meant it (`%25`, `%0D`, `%0A` unescaped)."""
    return _DATA_PATTERN.sub(lambda m: _DATA_ESCAPES[m.group(0)], text) if "%" in text else text


def _command(info: str, data: str, separator: str, unescape: _Unescape) -> WorkflowCommand | None:
    name, _, raw_properties = info.partition(" ")
    if not name:
        return None
    return WorkflowCommand(name.lower(), data, _properties(raw_properties, separator, unescape))


def _properties(raw: str, separator: str, unescape: _Unescape) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in raw.split(separator):
        key, _, value = pair.partition("=")
        if key.strip() and value:
            found[key.strip().lower()] = unescape(value)
    return found


def _property_value(text: str) -> str:
    return _PROPERTY_PATTERN.sub(lambda m: _PROPERTY_ESCAPES[m.group(0)], text)


def _legacy_unescape(text: str) -> str:
    return _LEGACY_PATTERN.sub(lambda m: _LEGACY_ESCAPES[m.group(0)], text) if "%" in text else text
