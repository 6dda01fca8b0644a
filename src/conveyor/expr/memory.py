"""GitHub's memory budget for one evaluation ("The maximum allowed memory size was exceeded").

The runner charges every result an expression creates: a string 26 bytes plus 2 a character, an
array 24 bytes plus 8 an element. A single result may not exceed the budget (format, join and
toJSON count their output as they build it, so an oversized string is never built), and neither
may the results alive at one time: the arguments of a call are released when the call returns,
and its result is charged in their place.
"""

from __future__ import annotations

from conveyor.expr.limits import MAX_MEMORY, OBJECT_SIZE, POINTER_SIZE, STRING_OVERHEAD
from conveyor.expr.scope import Scope


class MemoryExceeded(Exception):
    """Raised inside evaluation; the compiler turns it into an ExpressionEvaluationError that
    names the call or filter that went over the budget."""


def string_bytes(length: int) -> int:
    """What a string of `length` characters costs."""
    return STRING_OVERHEAD + 2 * length


def array_bytes(length: int) -> int:
    """What a new array of `length` elements costs."""
    return OBJECT_SIZE + POINTER_SIZE * length


def check_size(cost: int) -> None:
    """Refuse one result that alone would exceed the budget."""
    if cost > MAX_MEMORY:
        raise MemoryExceeded


def hold(scope: Scope, mark: int, cost: int) -> None:
    """Release what was charged since `mark` and charge `cost` instead."""
    total = mark + cost
    if total > MAX_MEMORY:
        raise MemoryExceeded
    scope.memory = total


class TextBudget:
    """Counts the characters of a string being built; raises before it outgrows the budget."""

    __slots__ = ("length",)

    def __init__(self) -> None:
        self.length = 0

    def add(self, text: str) -> str:
        self.length += len(text)
        if string_bytes(self.length) > MAX_MEMORY:
            raise MemoryExceeded
        return text
