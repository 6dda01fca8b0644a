"""Health commands really run on the host: exit codes, environment, timeouts."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conveyor.services.health import run_probe

pytestmark = pytest.mark.integration


def test_exit_codes_and_output() -> None:
    assert run_probe("echo fine", {}, 5).healthy
    failed = run_probe("echo broken >&2; exit 3", {}, 5)
    assert (failed.exit_code, failed.output) == (3, "broken")
    missing = run_probe("no-such-health-tool", {"PATH": "/usr/bin:/bin"}, 5)
    assert missing.exit_code == 127
    assert "command not found" in missing.describe()


def test_the_environment_is_the_one_given() -> None:
    result = run_probe(
        'test "$PGPORT" = 5433 && echo "$PGHOST"', {"PGPORT": "5433", "PGHOST": "h"}, 5
    )
    assert (result.exit_code, result.output) == (0, "h")


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            stat = handle.read()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


def test_a_probe_that_hangs_is_killed_with_its_children(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    started = time.monotonic()
    result = run_probe(f"sleep 30 & echo $! > {marker}; wait", {"PATH": os.defpath}, 0.3)
    assert result.exit_code is None
    assert result.describe() == "timed out"
    assert time.monotonic() - started < 5
    child = int(marker.read_text())
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive(child)
