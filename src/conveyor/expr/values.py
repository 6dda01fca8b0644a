"""Values and GitHub's conversions between them.

A value is Python `None`, `bool`, `int`/`float` (one "number" kind: a double), `str`, an array
(`list`/`tuple`) or an object (any `Mapping`). Anything else counts as an opaque object, as it does
in GitHub's runner. Strings compare and objects look up keys ignoring case (.NET OrdinalIgnoreCase).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from conveyor.expr.numbers import format_number, parse_number, to_float


class Kind(enum.Enum):
    NULL = "null"
    BOOLEAN = "boolean"
    NUMBER = "number"
    STRING = "string"
    ARRAY = "array"
    OBJECT = "object"


class FilteredArray(list[object]):
    """The array a `.*` / `[*]` filter makes: a further `.x` or `[n]` maps over its elements."""


MISSING = object()
"""Sentinel for 'no such key', distinct from a key that holds null."""

_PRIMITIVE_KINDS = frozenset({Kind.NULL, Kind.BOOLEAN, Kind.NUMBER, Kind.STRING})
_UNCHANGED_BY_FOLD = frozenset("ı")  # .NET ordinal casing leaves the dotless i alone


def kind_of(value: object) -> Kind:
    """The GitHub value kind of a Python value (booleans before numbers: bool is an int)."""
    if value is None:
        return Kind.NULL
    if isinstance(value, bool):
        return Kind.BOOLEAN
    if isinstance(value, int | float):
        return Kind.NUMBER
    if isinstance(value, str):
        return Kind.STRING
    if isinstance(value, list | tuple):
        return Kind.ARRAY
    return Kind.OBJECT


def is_primitive(value: object) -> bool:
    return kind_of(value) in _PRIMITIVE_KINDS


def is_truthy(value: object) -> bool:
    """Falsy: null, false, 0, -0, NaN and ''. Everything else (also '0', [] and {}) is truthy."""
    kind = kind_of(value)
    if kind is Kind.NULL:
        return False
    if kind is Kind.BOOLEAN or kind is Kind.STRING:
        return bool(value)
    if kind is Kind.NUMBER:
        number = to_float(value)  # type: ignore[arg-type]
        return number == number and number != 0.0
    return True


def to_string(value: object) -> str:
    """GitHub's string conversion: null → '', true/false, numbers as G15, 'Array' / 'Object'."""
    if type(value) is str:
        return value
    kind = kind_of(value)
    if kind is Kind.NULL:
        return ""
    if kind is Kind.BOOLEAN:
        return "true" if value else "false"
    if kind is Kind.NUMBER:
        return format_number(value)  # type: ignore[arg-type]
    if kind is Kind.STRING:
        return str(value)
    return "Array" if kind is Kind.ARRAY else "Object"


def to_number(value: object) -> float:
    """GitHub's number conversion (JavaScript's Number()): objects and arrays are NaN."""
    kind = kind_of(value)
    if kind is Kind.NUMBER:
        return to_float(value)  # type: ignore[arg-type]
    if kind is Kind.STRING:
        return parse_number(str(value))
    if kind is Kind.BOOLEAN:
        return 1.0 if value else 0.0
    return 0.0 if kind is Kind.NULL else float("nan")


def fold(text: str) -> str:
    """Fold case the way .NET's OrdinalIgnoreCase does: upper-case char by char, never resizing."""
    if text.isascii():
        return text.upper()
    return "".join(_fold_char(char) for char in text)


def _fold_char(char: str) -> str:
    upper = char.upper()
    return upper if len(upper) == 1 and char not in _UNCHANGED_BY_FOLD else char


def strings_equal(left: str, right: str) -> bool:
    return left == right or fold(left) == fold(right)


def compare_strings(left: str, right: str) -> int:
    """Ordinal, case-insensitive comparison by UTF-16 code unit (as .NET compares strings)."""
    left, right = fold(left), fold(right)
    if not (left.isascii() and right.isascii()):
        left_units, right_units = left.encode("utf-16-be"), right.encode("utf-16-be")
        return (left_units > right_units) - (left_units < right_units)
    return (left > right) - (left < right)


def _coerce(left: object, right: object) -> tuple[Kind, object, object]:
    """GitHub's CoerceTypes: the common kind of two operands and both converted to it, or None."""
    left_kind, right_kind = kind_of(left), kind_of(right)
    if left_kind is right_kind:
        return left_kind, left, right
    if left_kind is Kind.NUMBER and right_kind is Kind.STRING:
        return Kind.NUMBER, left, to_number(right)
    if left_kind is Kind.STRING and right_kind is Kind.NUMBER:
        return Kind.NUMBER, to_number(left), right
    if left_kind in (Kind.BOOLEAN, Kind.NULL):
        return _coerce(to_number(left), right)
    if right_kind in (Kind.BOOLEAN, Kind.NULL):
        return _coerce(left, to_number(right))
    return Kind.OBJECT, MISSING, None  # different kinds that never compare equal


def loose_equal(left: object, right: object) -> bool:
    """`==`: same kinds compare directly (strings ignoring case, objects by identity); mixed
    kinds are coerced first."""
    if type(left) is str and type(right) is str:
        return left == right or fold(left) == fold(right)
    kind, left, right = _coerce(left, right)
    if kind is Kind.NUMBER:
        left_number, right_number = to_float(left), to_float(right)  # type: ignore[arg-type]
        return left_number == right_number
    if kind is Kind.STRING:
        return strings_equal(str(left), str(right))
    if kind is Kind.NULL:
        return True
    return left is right


def loose_compare(left: object, right: object) -> int | None:
    """Order two values for `<`/`>`: -1, 0 or 1, or None when they do not order (NaN, objects)."""
    kind, left, right = _coerce(left, right)
    if kind is Kind.NUMBER:
        left_number, right_number = to_float(left), to_float(right)  # type: ignore[arg-type]
        if left_number != left_number or right_number != right_number:
            return None
        return (left_number > right_number) - (left_number < right_number)
    if kind is Kind.STRING:
        return compare_strings(str(left), str(right))
    if kind is Kind.BOOLEAN:
        return int(bool(left)) - int(bool(right))
    if kind is Kind.NULL:
        return 0
    return None


def less_than(left: object, right: object) -> bool:
    return loose_compare(left, right) == -1


def greater_than(left: object, right: object) -> bool:
    return loose_compare(left, right) == 1


def less_or_equal(left: object, right: object) -> bool:
    return loose_equal(left, right) or less_than(left, right)


def greater_or_equal(left: object, right: object) -> bool:
    return loose_equal(left, right) or greater_than(left, right)


def find_property(obj: Mapping[Any, object], key: str) -> object:
    """`obj[key]` ignoring case (an exact match wins), or MISSING."""
    value = obj.get(key, MISSING)
    if value is not MISSING:
        return value
    folded = fold(key)
    for candidate, value in obj.items():
        name = candidate if type(candidate) is str else to_string(candidate)
        if fold(name) == folded:
            return value
    return MISSING


def get_property(obj: Mapping[Any, object], key: str) -> object:
    """`obj[key]` ignoring case; a missing key is null."""
    value = find_property(obj, key)
    return None if value is MISSING else value
