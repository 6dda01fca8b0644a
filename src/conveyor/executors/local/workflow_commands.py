"""Parsing `::command key=value,...::data` lines written by steps (GitHub's workflow commands).

A line is a command when, after leading whitespace, it starts with `::` and has a second `::`.
Command and property names are case-insensitive. Data unescapes `%25 %0D %0A`; property values
also `%3A %2C`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_DATA_ESCAPES = {"%25": "%", "%0D": "\r", "%0A": "\n"}
_PROPERTY_ESCAPES = {**_DATA_ESCAPES, "%3A": ":", "%2C": ","}
_DATA_PATTERN = re.compile("|".join(_DATA_ESCAPES))
_PROPERTY_PATTERN = re.compile("|".join(_PROPERTY_ESCAPES))


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
    if not text.startswith("::"):
        return None
    end = text.find("::", 2)
    if end < 0:
        return None
    info = text[2:end]
    name, _, raw_properties = info.partition(" ")
    if not name:
        return None
    data = _DATA_PATTERN.sub(lambda m: _DATA_ESCAPES[m.group(0)], text[end + 2 :])
    return WorkflowCommand(name.lower(), data, _properties(raw_properties))


def _properties(raw: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in raw.split(","):
        key, sep, value = pair.partition("=")
        if sep and key.strip():
            found[key.strip().lower()] = _PROPERTY_PATTERN.sub(
                lambda m: _PROPERTY_ESCAPES[m.group(0)], value
            )
    return found
