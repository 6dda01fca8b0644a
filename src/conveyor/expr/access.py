"""Property access and indexing (`a.b`, `a['b']`, `a[0]`, `a.*`, `a[*]`) as GitHub's Index node.

Any access on something that is not an object or an array gives null; `*` on it gives an empty
filtered array. Access on a filtered array maps over its elements and silently drops the misses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from conveyor.expr.memory import array_bytes, check_size
from conveyor.expr.values import (
    MISSING,
    FilteredArray,
    Kind,
    find_property,
    get_property,
    kind_of,
    to_number,
    to_string,
)

_INT32_MAX = 2**31 - 1


class _IndexKey:
    """An evaluated index, viewed both as an array position and as an object key (lazily)."""

    __slots__ = ("_position", "value")

    def __init__(self, value: object) -> None:
        self.value = value
        self._position: object = MISSING

    @property
    def position(self) -> int | None:
        if self._position is MISSING:
            self._position = array_position(self.value)
        return self._position  # type: ignore[return-value]

    @property
    def name(self) -> str | None:
        return to_string(self.value) if kind_of(self.value) not in _COLLECTIONS else None


_COLLECTIONS = (Kind.ARRAY, Kind.OBJECT)


def array_position(value: object) -> int | None:
    """A number (or numeric string) floored to an array position; None when negative/NaN/huge."""
    number = to_number(value)
    if number != number or number < 0 or number > _INT32_MAX:
        return None
    return math.floor(number)


def wildcard(target: object) -> FilteredArray:
    """`target.*`: an array's elements or an object's values; for anything else, nothing.

    Raises MemoryExceeded for a result beyond GitHub's memory budget.
    """
    if isinstance(target, FilteredArray):
        return _map_filtered(target, None)
    if isinstance(target, list | tuple | Mapping):
        check_size(array_bytes(len(target)))
        return FilteredArray(target.values() if isinstance(target, Mapping) else target)
    return FilteredArray()


def index(target: object, key: object) -> object:
    """`target[key]` for a key that is not the wildcard."""
    if type(target) is dict and type(key) is str:
        value = target.get(key, MISSING)
        return get_property(target, key) if value is MISSING else value
    if isinstance(target, FilteredArray):
        return _map_filtered(target, _IndexKey(key))
    if isinstance(target, Mapping):
        name = _IndexKey(key).name
        return None if name is None else get_property(target, name)
    if isinstance(target, list | tuple):
        position = array_position(key)
        return target[position] if position is not None and position < len(target) else None
    return None


def _map_filtered(items: FilteredArray, key: _IndexKey | None) -> FilteredArray:
    """Apply an index (None: the wildcard) to each element of a filtered array."""
    result = FilteredArray()
    for item in items:
        if isinstance(item, Mapping):
            if key is None:
                check_size(array_bytes(len(result) + len(item)))
                result.extend(item.values())
            elif key.name is not None:
                value = find_property(item, key.name)
                if value is not MISSING:
                    result.append(value)
        elif isinstance(item, list | tuple):
            if key is None:
                check_size(array_bytes(len(result) + len(item)))
                result.extend(item)
            elif key.position is not None and key.position < len(item):
                result.append(item[key.position])
    return result
