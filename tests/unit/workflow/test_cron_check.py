"""GitHub's cron syntax."""

from __future__ import annotations

import pytest

from conveyor.workflow.cron_check import cron_problem


@pytest.mark.parametrize(
    "cron",
    [
        "* * * * *",
        "*/5 * * * *",
        "0 0 * * 0",
        "30 5,17 * * 1-5",
        "0 0 1 JAN,jul *",
        "0 12 * * MON-FRI",
        "0-30/10 * * * *",
        "59 23 31 12 6",
        "0  0  * * *",
    ],
)
def test_valid(cron: str) -> None:
    assert cron_problem(cron) is None


@pytest.mark.parametrize(
    ("cron", "fragment"),
    [
        ("* * * *", "4 fields"),
        ("* * * * * *", "6 fields"),
        ("@hourly", "macros"),
        ("60 * * * *", "minute '60'"),
        ("* 24 * * *", "hour '24'"),
        ("* * 0 * *", "day of month '0'"),
        ("* * * 13 *", "month '13'"),
        ("* * * * 7", "day of week '7'"),
        ("5-1 * * * *", "minute '5-1'"),
        ("*/0 * * * *", "minute '*/0'"),
        ("1/2/3 * * * *", "minute '1/2/3'"),
        ("0 0 ? * *", "day of month '?'"),
        ("0 0 * * 1#2", "day of week '1#2'"),
        ("0 0 1W * *", "day of month '1W'"),
        ("0 0 * * FRI-MON", "day of week 'FRI-MON'"),
        (",1 * * * *", "minute ',1'"),
    ],
)
def test_invalid(cron: str, fragment: str) -> None:
    problem = cron_problem(cron)
    assert problem is not None
    assert fragment in problem
