"""GitHub's cron syntax for `on.schedule`: five fields, numbers or names, `*` `,` `-` `/`.

No `@daily` macros and no `L`, `W`, `#` or `?` (GitHub rejects them); values must be in range and
ranges ascending. cronsim (which the trigger matcher uses) must also accept the expression.
"""

from __future__ import annotations

from dataclasses import dataclass

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]


_FIELDS = (
    _Field("minute", 0, 59, {}),
    _Field("hour", 0, 23, {}),
    _Field("day of month", 1, 31, {}),
    _Field("month", 1, 12, {n: i + 1 for i, n in enumerate(_MONTHS)}),
    _Field("day of week", 0, 6, {n: i for i, n in enumerate(_DAYS)}),
)


def cron_problem(expression: str) -> str | None:
    """Why GitHub would reject `expression` (None when it is valid)."""
    parts = expression.split()
    if expression.strip().startswith("@"):
        return f"'{expression}': GitHub does not support cron macros; write the five fields"
    if len(parts) != len(_FIELDS):
        fields = "minute hour day month weekday"
        count = f"{len(parts)} field" + ("" if len(parts) == 1 else "s")
        return f"'{expression}' has {count}; a schedule needs 5 ({fields})"
    for part, field in zip(parts, _FIELDS, strict=True):
        if not _part_ok(part, field, True):
            return f"invalid {field.name} '{part}' in cron expression '{expression}'"
    return _cronsim_problem(expression)


def _part_ok(value: str, field: _Field, separators: bool) -> bool:
    if value.lower() in field.names or value == "*":
        return True
    if "," in value:
        return separators and all(v and _part_ok(v, field, True) for v in value.split(","))
    if "/" in value:
        start, _, step = value.partition("/")
        if not separators or not start or not step.isdigit() or int(step) <= 0 or "/" in step:
            return False
        return _part_ok(start, field, True) and _part_ok(step, field, False)
    if "-" in value:
        start, _, end = value.partition("-")
        if not separators or not start or not end or "-" in end:
            return False
        ordered = _number(start, field) <= _number(end, field)
        return _part_ok(start, field, False) and _part_ok(end, field, False) and ordered
    return value.isdigit() and field.low <= int(value) <= field.high


def _number(value: str, field: _Field) -> int:
    named = field.names.get(value.lower())
    if named is not None:
        return named
    return int(value) if value.isdigit() else -1


def _cronsim_problem(expression: str) -> str | None:
    from datetime import datetime

    from cronsim import CronSim, CronSimError

    try:
        CronSim(expression, datetime(2000, 1, 1))
    except CronSimError as exc:
        return f"invalid cron expression '{expression}': {exc}"
    return None
