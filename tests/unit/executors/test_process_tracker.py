"""Which pids the end of a job looks at: only those handed out since the job began, when the
kernel's counters show they were handed out without wrapping around."""

from __future__ import annotations

import os
import subprocess
import threading
import time

import pytest

from conveyor.executors.local import process_tracker
from conveyor.executors.local.process_tracker import ProcessTracker, _new_pids
from conveyor.executors.local.processes import ProcessControl, StopPolicy, run_process


@pytest.mark.parametrize(
    ("before", "now", "window"),
    [
        ((100, 5000), (110, 5010), (100, 110)),  # ten new processes, ten new pids
        ((100, 5000), (130, 5010), (100, 130)),  # pids skipped (in use): still in order
        ((100, 5000), (110, 5020), None),  # more created than pids advanced: wrapped around
        ((32000, 5000), (50, 5100), None),  # the counter went back: wrapped around
        (None, (110, 5010), None),  # unknown: every process is looked at
    ],
)
def test_new_pid_window(
    before: tuple[int, int] | None,
    now: tuple[int, int],
    window: tuple[int, int] | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(process_tracker, "_pid_counters", lambda: now)
    assert _new_pids(before) == window


@pytest.mark.integration
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="the token search reads /proc (Linux)")
def test_a_process_that_left_the_group_is_found_by_its_token() -> None:
    tracker = ProcessTracker()
    env = {**os.environ, **tracker.marker()}
    escaped = subprocess.Popen(["setsid", "sleep", "30"], env=env)
    try:
        time.sleep(0.05)
        assert escaped.pid in tracker._leftovers()
        assert tracker.end_all(grace=2.0) == 1
        assert escaped.wait(timeout=5) != 0
    finally:
        if escaped.poll() is None:
            escaped.kill()


class _RecordingWatchdog:
    def __init__(self) -> None:
        self.groups: list[tuple[int, object]] = []

    def track_job(self, key: str, needle: str) -> None:
        pass

    def track_group(self, key: str, pgid: int, started: object) -> None:
        self.groups.append((pgid, started))

    def forget_job(self, key: str) -> None:
        pass


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="start times come from /proc (Linux)")
def test_a_step_group_is_registered_with_a_start_window_without_waiting_for_its_exec() -> None:
    """The leader's start time (which tells a reused pid apart) is given as the window of clock
    ticks around its start: reading /proc/<pid>/stat instead waits until exec has finished."""
    watchdog = _RecordingWatchdog()
    tracker = ProcessTracker(watchdog)
    control = ProcessControl(cancel=threading.Event(), tracker=tracker, policy=StopPolicy())
    lines: list[str] = []
    result = run_process(
        ["sh", "-c", "cat /proc/$$/stat"],
        cwd="/",
        env=dict(os.environ),
        on_lines=lines.extend,
        control=control,
    )
    assert result.exit_code == 0
    stat = lines[0]
    started = int(stat[stat.rfind(")") + 2 :].split()[19])
    [(pgid, window)] = watchdog.groups
    assert pgid == int(stat.split()[0])
    assert isinstance(window, tuple)
    low, high = window
    assert low <= started <= high
    assert high - low <= 5  # clock ticks: a reused pid is told apart
