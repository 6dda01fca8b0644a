"""The reaper's record of a step's process group: the leader's start as a window of clock ticks."""

from __future__ import annotations

import os
import subprocess

import pytest

from conveyor.services import reaper


def test_a_group_line_carries_a_start_window() -> None:
    registry = reaper.Registry()
    registry.read("job k CONVEYOR_JOB_TOKEN=abc\n")
    registry.read("grp k 4242 100-103\n")
    registry.read("grp k 4343 -\n")
    registry.read("grp k 4444 250\n")  # a single tick, as older lines had it
    assert registry.jobs["k"].groups == {4242: (100, 103), 4343: None, 4444: (250, 250)}


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="start times come from /proc (Linux)")
def test_a_leader_is_killed_only_if_it_began_within_its_window() -> None:
    leader = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        started = reaper.start_time(leader.pid)
        assert started is not None
        reaper.kill_tree(leader.pid, (started + 1, started + 5))  # a reused pid: left alone
        assert leader.poll() is None
        reaper.kill_tree(leader.pid, (started - 2, started))
        assert leader.wait(timeout=5) == -9
    finally:
        if leader.poll() is None:
            leader.kill()
