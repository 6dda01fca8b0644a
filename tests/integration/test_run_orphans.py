"""No process of a run outlives `conveyor run`: SIGTERM stops it like Ctrl-C, and after a SIGKILL
the reaper kills every step process (and every service) the run had started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_run_cli import _conveyor, _processes_with, _wait_for, make_repo
from tests.integration.test_run_history import conveyor_env
from tests.unit.services.real_services import (
    leftovers,
    new_runtime_base,
    nothing_left_behind,
    session_cache_dir,
)

pytestmark = pytest.mark.integration

# How long the reaper may take to clean up after its owner died (it starts at once).
REAP_BOUND = 10.0

ORPHANS = """
on: push
jobs:
  orphans:
    runs-on: ubuntu-latest
    steps:
      - run: |
          sleep 4331.1 &
          env -i /bin/sleep 4331.2 &
          setsid sleep 4331.3 &
          setsid sh -c 'sleep 4331.4 & wait' &
          (setsid sleep 4331.5 &)
          echo "step-$((6*7))"
          sleep 4331.6
"""


def _gone_within(marker: str, bound: float) -> list[int]:
    """The processes with `marker` in their command line still there after `bound` seconds."""
    deadline = time.monotonic() + bound
    while (found := _processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def _count_reaches(marker: str, count: int, bound: float = 10.0) -> int:
    """How many processes have `marker`, once `count` of them are there (or `bound` passed)."""
    deadline = time.monotonic() + bound
    while len(found := _processes_with(marker)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return len(found)


@contextlib.contextmanager
def killing_leftovers(marker: str, *processes: subprocess.Popen[str]) -> Iterator[None]:
    """Whatever the test finds, no process with `marker` is left to the next test."""
    try:
        yield
    finally:
        for process in processes:
            process.kill()
            process.wait()
        for pid in _processes_with(marker):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def test_sigkill_of_conveyor_run_kills_every_step_process(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/orphans.yml": ORPHANS})
    process = _conveyor(repo, tmp_path / "home")
    with killing_leftovers("4331.", process):
        lines: list[str] = []
        _wait_for(process, "step-42", lines)
        # in the step's group: 4331.1, 4331.2 (without the job's token) and 4331.6; in sessions
        # of their own: 4331.3, and 4331.4 under a sh; re-parented to PID 1 at once: 4331.5
        assert _count_reaches("4331.", 7) == 7
        process.kill()
        process.communicate(timeout=10)
        assert _gone_within("4331.", REAP_BOUND) == []


GRACEFUL = """
on: push
jobs:
  long:
    runs-on: ubuntu-latest
    steps:
      - run: echo "step-$((6*7))"; sleep 4333.5
      - if: always()
        run: echo "cleanup ran"
"""


def test_sigterm_stops_the_run_like_ctrl_c(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/long.yml": GRACEFUL})
    process = _conveyor(repo, tmp_path / "home")
    with killing_leftovers("4333.5", process):
        lines: list[str] = []
        _wait_for(process, "step-42", lines)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        text = "".join(lines) + output
        assert process.returncode == 130, text
        assert "Cancelling the run" in text
        assert "cleanup ran" in text
        assert _processes_with("4333.5") == []


WITH_SERVICES = """
on: push
jobs:
  db:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_PASSWORD: pw
      redis:
        image: redis:7
    steps:
      - run: |
          setsid sleep 4334.1 &
          echo "step-$((6*7))"
          sleep 4334.2
"""


def test_sigkill_of_conveyor_run_with_services_up_leaves_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/db.yml": WITH_SERVICES})
    base = new_runtime_base()
    env = {
        **conveyor_env(),
        "CONVEYOR_HOME": str(tmp_path / "home"),
        "CONVEYOR_SERVICES_RUNTIME_DIR": str(base),
        "CONVEYOR_SERVICES_CACHE_DIR": str(session_cache_dir()),
    }
    with nothing_left_behind(base):
        process = subprocess.Popen(
            [sys.executable, "-m", "conveyor", "run", str(repo)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        with killing_leftovers("4334.", process):
            _sigkill_with_services_up(process, base)


def _sigkill_with_services_up(process: subprocess.Popen[str], base: Path) -> None:
    lines: list[str] = []
    _wait_for(process, "step-42", lines)
    assert _count_reaches("4334.", 2) == 2
    assert leftovers(base) != []  # the services are up
    process.kill()
    process.communicate(timeout=10)
    assert _gone_within("4334.", REAP_BOUND) == []
    deadline = time.monotonic() + REAP_BOUND
    while leftovers(base) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert leftovers(base) == []  # service processes and their directories
