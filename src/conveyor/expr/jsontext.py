"""toJSON and fromJSON as GitHub's runner does them.

toJSON writes 2-space indented JSON with numbers in G15 form (so 1.0 is `1`) and Newtonsoft's
string escapes; it walks the value iteratively, so depth is no problem, and refuses cycles. It
raises MemoryExceeded before its text outgrows GitHub's memory budget.
fromJSON reads one JSON document: integers beyond 2**53 become doubles, duplicate keys that differ
only in case collapse (GitHub objects are case-insensitive), empty or invalid text is an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from conveyor.errors import ExpressionEvaluationError
from conveyor.expr.memory import TextBudget
from conveyor.expr.numbers import format_number
from conveyor.expr.values import Kind, fold, kind_of, to_string

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r"}
_ESCAPES |= {"\t": "\\t", "\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_EXACT_INT_LIMIT = 2**53


def json_string(text: str) -> str:
    """A JSON string literal as Newtonsoft writes it (control characters as \\u00xx)."""
    out = ['"']
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is None and char < " ":
            escaped = f"\\u{ord(char):04x}"
        out.append(escaped or char)
    out.append('"')
    return "".join(out)


def _leaf_json(value: object) -> str:
    """A value written without descending: a scalar or an empty array/object."""
    kind = kind_of(value)
    if kind is Kind.NULL:
        return "null"
    if kind is Kind.BOOLEAN:
        return "true" if value else "false"
    if kind is Kind.NUMBER:
        return format_number(value)  # type: ignore[arg-type]
    if kind is Kind.STRING:
        return json_string(str(value))
    return "[]" if kind is Kind.ARRAY else "{}"  # also an object GitHub cannot traverse


def _entries(value: object) -> Iterator[tuple[str | None, object]] | None:
    """(key, item) pairs of a non-empty array (key None) or object, else None."""
    if isinstance(value, list | tuple) and value:
        return ((None, item) for item in value)
    if isinstance(value, Mapping) and value:
        return ((to_string(key), item) for key, item in value.items())
    return None


@dataclass
class _Frame:
    """An array or object being written."""

    entries: Iterator[tuple[str | None, object]]
    value: object
    closer: str
    first: bool = True


class _Output(list[str]):
    """The pieces of the JSON text, counted against the memory budget as they are added."""

    def __init__(self) -> None:
        super().__init__()
        self.budget = TextBudget()

    def append(self, text: str) -> None:
        super().append(self.budget.add(text))


def to_json(value: object) -> str:
    """GitHub's toJSON(value)."""
    out = _Output()
    stack: list[_Frame] = []
    item: object = value
    while True:
        _write(out, stack, item)
        item = _advance(out, stack)
        if item is _DONE:
            return "".join(out)


_DONE = object()


def _write(out: list[str], stack: list[_Frame], value: object) -> None:
    """Write a leaf, or open a non-empty array/object and push it."""
    entries = _entries(value)
    if entries is None:
        out.append(_leaf_json(value))
        return
    if any(value is frame.value for frame in stack):
        raise ExpressionEvaluationError("toJSON: the value contains itself (a cycle)")
    is_array = isinstance(value, list | tuple)
    out.append("[" if is_array else "{")
    stack.append(_Frame(entries, value, "]" if is_array else "}"))


def _advance(out: list[str], stack: list[_Frame]) -> object:
    """Move to the next item to write, closing finished collections; _DONE at the end."""
    while stack:
        frame = stack[-1]
        entry = next(frame.entries, None)
        if entry is None:
            stack.pop()
            out.append(f"\n{'  ' * len(stack)}{frame.closer}")
            continue
        out.append(("" if frame.first else ",") + "\n" + "  " * len(stack))
        frame.first = False
        key, item = entry
        if key is not None:
            out.append(json_string(key) + ": ")
        return item
    return _DONE


def from_json(text: str) -> object:
    """GitHub's fromJSON(text); invalid JSON raises ExpressionEvaluationError."""
    try:
        return json.loads(text, strict=False, parse_int=_json_int, object_pairs_hook=_json_object)
    except (ValueError, RecursionError) as exc:
        detail = str(exc) if not isinstance(exc, RecursionError) else "nested too deeply"
        raise ExpressionEvaluationError(f"Error parsing fromJson: {detail}") from None


def _json_int(text: str) -> int | float:
    number = int(text)
    return number if -_EXACT_INT_LIMIT <= number <= _EXACT_INT_LIMIT else float(number)


def _json_object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """Merge keys equal but for case into the first spelling, the last value winning."""
    result: dict[str, object] = {}
    spelling: dict[str, str] = {}
    for key, value in pairs:
        key = spelling.setdefault(fold(key), key)
        result[key] = value
    return result
