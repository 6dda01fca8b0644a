"""`conveyor.triggers` loads its schedule module (zoneinfo, cronsim) on first use only: most
commands match no cron entry, and those imports cost start-up time."""

from __future__ import annotations

import subprocess
import sys

import pytest

import conveyor.triggers as triggers
from conveyor.triggers import schedule

PROBE = """
import sys
import conveyor.triggers
names = ("conveyor.triggers.schedule", "cronsim", "zoneinfo")
print(" ".join(name for name in names if name in sys.modules))
"""


def test_importing_triggers_leaves_the_schedule_module_unloaded() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == []


def test_the_schedule_names_are_still_public() -> None:
    assert triggers.next_run is schedule.next_run
    assert triggers.cron_problem is schedule.cron_problem
    assert triggers.cron_matches is schedule.cron_matches
    assert {"cron_matches", "cron_problem", "next_run"} <= set(triggers.__all__)
    with pytest.raises(AttributeError, match="no_such_name"):
        triggers.no_such_name  # type: ignore[attr-defined]  # noqa: B018
