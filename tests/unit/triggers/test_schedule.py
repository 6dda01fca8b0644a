"""Cron entries: POSIX five fields in UTC, dom/dow either-matches, GitHub's restrictions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conveyor.errors import UsageError
from conveyor.triggers import cron_matches, cron_problem, next_run


@pytest.mark.parametrize(
    "cron",
    ["*/15 * * * *", "0 3 * * 1-5", "30 12 1,15 JAN-JUN MON", "0 0 * * sun", "5 4 */2 * *"],
)
def test_valid_crons(cron: str) -> None:
    assert cron_problem(cron) is None


@pytest.mark.parametrize(
    ("cron", "problem"),
    [
        ("@daily", "has 1 fields"),
        ("0 0 * *", "has 4 fields"),
        ("0 0 0 * * *", "has 6 fields"),
        ("0 0 L * *", "bad day-of-month field 'L'"),
        ("0 0 * * 1#2", "bad day-of-week field '1#2'"),
        ("0 0 ? * *", "bad day-of-month field '?'"),
        ("61 * * * *", "bad minute"),
        ("0 25 * * *", "bad hour"),
        ("0 0 * FOO *", "bad month field 'FOO'"),
    ],
)
def test_invalid_crons_explain_why(cron: str, problem: str) -> None:
    found = cron_problem(cron)
    assert found is not None
    assert problem in found


def test_cron_is_evaluated_in_utc() -> None:
    assert cron_matches("30 2 * * *", datetime(2024, 5, 1, 2, 30, 42, tzinfo=UTC))
    assert cron_matches("30 2 * * *", datetime(2024, 5, 1, 2, 30))  # naive means UTC
    assert not cron_matches("30 2 * * *", datetime(2024, 5, 1, 2, 31, tzinfo=UTC))


def test_day_of_month_and_day_of_week_both_restricted_means_either() -> None:
    # 2024-05-13 is a Monday (not the 1st); 2024-05-01 is a Wednesday (the 1st).
    assert cron_matches("0 0 1 * MON", datetime(2024, 5, 13, tzinfo=UTC))
    assert cron_matches("0 0 1 * MON", datetime(2024, 5, 1, tzinfo=UTC))
    assert not cron_matches("0 0 1 * MON", datetime(2024, 5, 14, tzinfo=UTC))


def test_one_restricted_day_field_alone_decides() -> None:
    assert cron_matches("0 0 * * 0", datetime(2024, 5, 12, tzinfo=UTC))  # Sunday
    assert not cron_matches("0 0 * * 0", datetime(2024, 5, 13, tzinfo=UTC))


def test_next_run_and_timezones() -> None:
    after = datetime(2024, 1, 1, 10, 7, tzinfo=UTC)
    assert next_run("*/15 * * * *", after) == datetime(2024, 1, 1, 10, 15, tzinfo=UTC)
    local = next_run("0 9 * * *", after, "Europe/Paris")
    assert local.astimezone(UTC) == datetime(2024, 1, 2, 8, 0, tzinfo=UTC)


def test_bad_cron_or_timezone_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="has 4 fields"):
        next_run("* * * *", datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(UsageError, match="unknown timezone 'Mars/Base'"):
        next_run("* * * * *", datetime(2024, 1, 1, tzinfo=UTC), "Mars/Base")
