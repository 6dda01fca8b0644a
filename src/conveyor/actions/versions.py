"""Version specs as setup-python and setup-node accept them, matched against installed versions.

Accepted: `3`, `3.11`, `3.11.7` (prefix match), `3.x` / `3.11.*` (wildcards), `v20` (a leading
`v` is ignored), `3.13-dev` / `3.13.0-alpha.1` (pre-release suffixes: the numeric part is matched),
comparator sets `>=3.9 <3.12` or `>=3.9, <3.12` (all must hold), alternatives joined by `||`, and
`~3.11` / `^3.11` (semver tilde and caret). The best match is the highest version.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

Version = tuple[int, ...]
T = TypeVar("T")

_COMPARATOR = re.compile(r"^(>=|<=|>|<|=|~|\^)?\s*v?([0-9][0-9.xX*]*)")


class VersionSpecError(ValueError):
    """The spec cannot be understood."""


def parse_version(text: str) -> Version:
    """`3.11.7` / `v20.1.0` / `3.13.0rc1` → (3, 11, 7) ...; raises VersionSpecError."""
    match = re.match(r"^\s*v?(\d+(?:\.\d+)*)", text)
    if match is None:
        raise VersionSpecError(f"'{text}' is not a version")
    return tuple(int(part) for part in match.group(1).split("."))


def matches(spec: str, version: Version) -> bool:
    """Whether `version` satisfies `spec`."""
    alternatives = [part.strip() for part in spec.split("||")]
    return any(_all_hold(alternative, version) for alternative in alternatives if alternative)


def best_match(spec: str, candidates: Iterable[tuple[Version, T]]) -> tuple[Version, T] | None:
    """The highest (version, item) whose version satisfies `spec`."""
    found = [(version, item) for version, item in candidates if matches(spec, version)]
    return max(found, key=lambda pair: pair[0]) if found else None


def _all_hold(alternative: str, version: Version) -> bool:
    parts = [p for p in re.split(r"[\s,]+", alternative.replace(", ", ",")) if p]
    merged = _merge_operators(parts)
    return all(_holds(part, version) for part in merged)


def _merge_operators(parts: list[str]) -> list[str]:
    """`>= 3.9` written with a space → `>=3.9`."""
    merged: list[str] = []
    for part in parts:
        if merged and merged[-1] in (">=", "<=", ">", "<", "=", "~", "^"):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


def _holds(part: str, version: Version) -> bool:
    match = _COMPARATOR.match(part)
    if match is None:
        raise VersionSpecError(f"'{part}' is not a version spec")
    operator, number = match.group(1) or "", match.group(2).rstrip(".")
    pieces = number.split(".")
    wildcard = next((i for i, p in enumerate(pieces) if p in ("x", "X", "*")), len(pieces))
    bound = tuple(int(p) for p in pieces[:wildcard] if p.isdigit())
    if operator in ("", "="):
        return version[: len(bound)] == bound
    if operator == "~":
        prefix = bound[:2] if len(bound) >= 2 else bound[:1]
        return version[: len(prefix)] == prefix and version >= bound
    if operator == "^":
        return version[:1] == bound[:1] and version >= bound
    return _compare(operator, version, bound)


def _compare(operator: str, version: Version, bound: Version) -> bool:
    padded = bound + (0,) * max(0, len(version) - len(bound))
    return {
        ">=": version >= padded,
        "<=": version[: len(bound)] <= bound,
        ">": version[: len(bound)] > bound,
        "<": version < padded,
    }[operator]


def version_text(version: Version) -> str:
    return ".".join(str(part) for part in version)
