"""`on.schedule` cron entries: POSIX five-field cron, evaluated in UTC (or the entry's timezone).

Fields are `minute hour day-of-month month day-of-week` with `*`, lists, ranges, steps, month names
JAN–DEC and weekday names SUN–SAT (0 = Sunday). When day-of-month and day-of-week are both
restricted a day matches when either does; a field starting with `*` (also `*/2`) counts as
unrestricted (the Debian/Vixie cron rule, which cronsim implements). Macros such as `@daily` and the
non-POSIX `L`, `W`, `#`, `?` are rejected, as GitHub does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from conveyor.errors import UsageError

FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")
_NUMERIC_FIELD = re.compile(r"^(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?(,(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?)*$")
_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"
_ITEM = r"(\*|{v}(-{v})?)(/[0-9]+)?"
_NAMED_FIELDS = {
    3: re.compile("^{i}(,{i})*$".format(i=_ITEM.format(v=f"([0-9]+|{_MONTHS})")), re.IGNORECASE),
    4: re.compile("^{i}(,{i})*$".format(i=_ITEM.format(v=f"([0-9]+|{_DAYS})")), re.IGNORECASE),
}
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def cron_problem(expression: str) -> str | None:
    """Why `expression` is not a cron schedule GitHub accepts, or None when it is one."""
    fields = expression.split()
    if len(fields) != len(FIELD_NAMES):
        return (
            f"cron {expression!r} has {len(fields)} fields; GitHub needs 5 "
            "(minute hour day-of-month month day-of-week)"
        )
    for index, text in enumerate(fields):
        syntax = _NAMED_FIELDS.get(index, _NUMERIC_FIELD)
        if not syntax.match(text):
            return f"cron {expression!r}: bad {FIELD_NAMES[index]} field {text!r}"
    try:
        CronSim(expression, _EPOCH)
    except CronSimError as exc:
        return f"cron {expression!r}: {str(exc).lower()}"
    return None


def cron_matches(expression: str, when: datetime, timezone: str | None = None) -> bool:
    """True when the schedule fires in the minute containing `when` (naive = UTC)."""
    minute = _localize(when, timezone).replace(second=0, microsecond=0)
    return next_run(expression, minute - timedelta(minutes=1), timezone) == minute


def next_run(expression: str, after: datetime, timezone: str | None = None) -> datetime:
    """The first time strictly after `after` the schedule fires, in the schedule's timezone."""
    problem = cron_problem(expression)
    if problem is not None:
        raise UsageError(problem)
    start = _localize(after, timezone)
    return next(iter(CronSim(expression, start)))


def previous_run(expression: str, at: datetime, timezone: str | None = None) -> datetime:
    """The last time at or before `at` the schedule fires, in the schedule's timezone."""
    problem = cron_problem(expression)
    if problem is not None:
        raise UsageError(problem)
    minute = _localize(at, timezone).replace(second=0, microsecond=0)
    return next(iter(CronSim(expression, minute + timedelta(minutes=1), reverse=True)))


def _localize(when: datetime, timezone: str | None) -> datetime:
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return aware.astimezone(_zone(timezone))


def _zone(name: str | None) -> tzinfo:
    if name is None:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown timezone {name!r} in schedule") from None
