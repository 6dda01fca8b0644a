"""JSON text columns: how mappings and lists are written to and read from the database."""

from __future__ import annotations

import json
from typing import Any


def dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def loads_mapping(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    value = json.loads(raw)
    return value if isinstance(value, dict) else {}


def loads_optional_mapping(raw: str | None) -> dict[str, Any] | None:
    return None if raw is None else loads_mapping(raw)


def loads_strings(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    value = json.loads(raw)
    return tuple(str(item) for item in value) if isinstance(value, list) else ()
