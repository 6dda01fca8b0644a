"""GitHub's format(): `{N}` placeholders, `{{` and `}}` escapes, everything else an error.

The format string is read in full before any argument is evaluated, and each argument is evaluated
at most once and only if a placeholder uses it, exactly like the runner's lazy FormatResultBuilder.
"""

from __future__ import annotations

from collections.abc import Callable

from conveyor.errors import ExpressionEvaluationError
from conveyor.expr.memory import TextBudget
from conveyor.expr.values import kind_of, to_string

Segment = str | tuple[int, str]  # literal text, or (argument index, format specifiers)
_MAX_ARG_INDEX = 255  # .NET reads the index as a Byte


def format_string(template: str, argument_count: int, argument: Callable[[int], object]) -> str:
    """Fill `template` with `argument(i)` converted to string; `argument_count` values exist.

    Raises MemoryExceeded before the result outgrows GitHub's memory budget.
    """
    segments = parse_format(template, argument_count)
    cache: dict[int, str] = {}
    out: list[str] = []
    budget = TextBudget()
    for segment in segments:
        if isinstance(segment, str):
            out.append(budget.add(segment))
            continue
        index, specifiers = segment
        if index not in cache:
            value = argument(index)
            if specifiers:
                kind = kind_of(value).value.capitalize()
                message = f"The format specifiers '{specifiers}' are not valid for objects of type '{kind}'"  # noqa: E501
                raise ExpressionEvaluationError(message)
            cache[index] = to_string(value)
        out.append(budget.add(cache[index]))
    return "".join(out)


def parse_format(template: str, argument_count: int) -> list[Segment]:
    """Split a format string into literal text and placeholders, validating it."""
    segments: list[Segment] = []
    index = 0
    while index < len(template):
        left, right = template.find("{", index), template.find("}", index)
        if left >= 0 and (right < 0 or right > left):
            index = _read_left_brace(template, index, left, right, argument_count, segments)
        elif right >= 0:
            if template[right + 1 : right + 2] != "}":
                raise _invalid(template, "Closing bracket without opening one. ")
            segments.append(template[index : right + 1])
            index = right + 2
        else:
            segments.append(template[index:])
            break
    return segments


def _read_left_brace(
    template: str, index: int, left: int, right: int, count: int, segments: list[Segment]
) -> int:
    """Handle a `{` at `left`: an escaped `{{` or a placeholder; return where to go on."""
    if template[left + 1 : left + 2] == "{":
        segments.append(template[index : left + 1])
        return left + 2
    placeholder = _read_placeholder(template, left + 1) if right > left + 1 else None
    if placeholder is None:
        raise _invalid(template, "Unclosed brackets. " if right < 0 else "")
    argument, specifiers, close = placeholder
    if argument > count - 1:
        message = f"The following format string references more arguments than were supplied: '{template}'"  # noqa: E501
        raise ExpressionEvaluationError(message)
    segments.append(template[index:left])
    segments.append((argument, specifiers))
    return close + 1


def _read_placeholder(template: str, start: int) -> tuple[int, str, int] | None:
    """Digits, optional `:specifiers`, then `}`: (index, specifiers, position of `}`)."""
    end = start
    while end < len(template) and template[end].isdecimal():
        end += 1
    digits = template[start:end]
    if not digits or not digits.isascii() or int(digits) > _MAX_ARG_INDEX:
        return None
    if template[end : end + 1] == "}":
        return int(digits), "", end
    if template[end : end + 1] != ":":
        return None
    return _read_specifiers(template, end + 1, int(digits))


def _read_specifiers(template: str, start: int, argument: int) -> tuple[int, str, int] | None:
    specifiers: list[str] = []
    index = start
    while index < len(template):
        char = template[index]
        if char != "}":
            specifiers.append(char)
            index += 1
        elif template[index + 1 : index + 2] == "}":
            specifiers.append("}")
            index += 2
        else:
            return argument, "".join(specifiers), index
    return None


def _invalid(template: str, reason: str) -> ExpressionEvaluationError:
    return ExpressionEvaluationError(
        f"{reason}The following format string is invalid: '{template}'"
    )
