"""The reaper reads its pipe in batches: a job's steps registering their groups one after the
other do not wake it (and take a core from the steps) once per step, and nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conveyor.services import reaper

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc (Linux)")


def _wakeups(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches")


def _start_reaper() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-I", "-S", reaper.__file__],
        stdin=subprocess.PIPE,
        start_new_session=True,
    )


def test_lines_sent_a_millisecond_apart_wake_the_reaper_a_few_times_only() -> None:
    process = _start_reaper()
    assert process.stdin is not None
    try:
        process.stdin.write(b"job k CONVEYOR_JOB_TOKEN=none\n")
        process.stdin.flush()
        time.sleep(0.3)  # its start-up is not counted
        before = _wakeups(process.pid)
        started = time.monotonic()
        for pgid in range(100_000, 100_200):
            process.stdin.write(f"grp k {pgid} -\n".encode())
            process.stdin.flush()
            time.sleep(0.001)
        after = _wakeups(process.pid)
        elapsed = time.monotonic() - started
    finally:
        process.stdin.close()
        process.wait(timeout=10)
    # a read and a pause per batch; woken once per line (200), it would read each on its own
    bound = min(100, 2 * elapsed / 0.05 + 10)  # 0.05: reaper.BATCH_PAUSE
    assert after - before <= bound, f"woken {after - before} times for 200 lines in {elapsed} s"


def test_a_step_group_sent_just_before_the_owner_dies_is_still_killed() -> None:
    process = _start_reaper()
    assert process.stdin is not None
    step = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        started = reaper.start_time(step.pid)
        process.stdin.write(b"job k CONVEYOR_JOB_TOKEN=none\n")
        process.stdin.write(f"grp k {step.pid} {started}-{started}\n".encode())
        process.stdin.flush()
        process.stdin.close()  # the owner is gone right after registering the group
        assert process.wait(timeout=10) == 0
        assert step.wait(timeout=5) == -9
    finally:
        if step.poll() is None:
            step.kill()
