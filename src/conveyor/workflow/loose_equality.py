"""GitHub's loose `==` between primitive values, for matrix include/exclude leaf tests.

GitHub's MatrixBuilder compares each leaf of an include/exclude entry with the combination's
value using the expression `==`: same kinds compare directly (strings ignoring case, NaN never
equal), null and booleans become numbers, a string against a number is parsed as a number.
Objects and arrays never equal a primitive.
"""

from __future__ import annotations

import math


def loose_equals(left: object, right: object) -> bool:
    if not (_is_primitive(left) and _is_primitive(right)):
        return left is right
    return _equals(left, right)


def _is_primitive(value: object) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    return "number"


def _equals(left: object, right: object) -> bool:
    left_kind, right_kind = _kind(left), _kind(right)
    if left_kind == right_kind == "string":
        return str(left).upper() == str(right).upper()
    if left_kind == right_kind != "number":
        return left == right  # null == null, boolean == boolean
    return _number(left) == _number(right)  # numbers, or coerced: null/boolean/string → number


def _number(value: object) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    return parse_number(str(value))


def parse_number(text: str) -> float:
    """C#-style string → number: trimmed, '' → 0, hex/octal, Infinity, otherwise NaN."""
    stripped = text.strip()
    if not stripped:
        return 0.0
    lowered = stripped.lower()
    for prefix, base in (("0x", 16), ("0o", 8)):
        if lowered.startswith(prefix):
            try:
                return float(int(stripped[2:], base))
            except ValueError:
                return math.nan
    if lowered in ("infinity", "+infinity", "-infinity"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered in ("nan", "+nan", "-nan", "inf", "+inf", "-inf") or "_" in stripped:
        return math.nan
    try:
        return float(stripped)
    except ValueError:
        return math.nan
