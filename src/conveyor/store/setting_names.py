"""Secret and variable names, values and scopes: GitHub's rules, checked before any store."""

from __future__ import annotations

import re

from conveyor.errors import UsageError

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_VALUE = 48 * 1024


def check_name(name: str, kind: str) -> str:
    """GitHub's rule: letters, digits and `_`, not starting with a digit or GITHUB_."""
    if not NAME.match(name) or name.upper().startswith("GITHUB_"):
        raise UsageError(
            f"invalid {kind} name {name!r}: use letters, digits and _, not starting with "
            "a digit or GITHUB_"
        )
    return name.upper()


def check_value(value: str, kind: str, name: str) -> str:
    if len(value.encode("utf-8")) > MAX_VALUE:
        raise UsageError(f"{kind} {name} is larger than 48 KB")
    return value


def scope(environment: str | None) -> str:
    return "" if environment is None else environment.lower()
