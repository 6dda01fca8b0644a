"""Concurrency groups across real `conveyor run` processes sharing one CONVEYOR_HOME."""

from __future__ import annotations

import itertools
import os
import signal
from pathlib import Path

import pytest

from conveyor.engine.ports.store import Conclusion
from conveyor.store import open_store
from tests.integration.test_run_history import (
    Running,
    create_store,
    make_repo,
    run_by_id,
    run_id_in,
    runs,
    until,
)

pytestmark = pytest.mark.integration

GROUPED = """
name: Deploy
on: push
concurrency:
  group: deploy-${{ github.ref }}
  cancel-in-progress: ${{ vars.CANCEL == 'yes' }}
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "run-id=${{ github.run_id }}"
          start=$(date +%s%N)
          touch "{shared}/started-${{ github.run_id }}"
          until [ -e "{shared}/release" ] || [ $(( $(date +%s) - start / 1000000000 )) -ge {hold} ]
          do sleep 0.05; done
          echo "${{ github.run_id }} $start $(date +%s%N)" >> "{shared}/spans"
      - if: always()
        run: touch "{shared}/always-${{ github.run_id }}"
"""


def grouped_repo(tmp_path: Path, hold: int) -> tuple[Path, Path]:
    shared = tmp_path / "shared"
    shared.mkdir()
    workflow = GROUPED.replace("{shared}", str(shared)).replace("{hold}", str(hold))
    create_store()
    return make_repo(tmp_path / "repo", {".github/workflows/deploy.yml": workflow}), shared


def spans(shared: Path) -> list[tuple[int, int]]:
    lines = (shared / "spans").read_text().splitlines()
    return sorted((int(line.split()[1]), int(line.split()[2])) for line in lines)


def test_two_runs_of_one_group_never_overlap(tmp_path: Path) -> None:
    repo, shared = grouped_repo(tmp_path, hold=30)
    first = Running(repo, "run")
    second: Running | None = None
    try:
        first.wait_for("| run-id=")  # the step's output, not its script shown
        until((shared / f"started-{run_id_in(first.output)}").exists, 30, "the first run's step")
        second = Running(repo, "run")  # starts while the first holds the group
        second.wait_for("pending: another run holds concurrency group 'deploy-refs/heads/main'")
        (shared / "release").touch()
        assert (first.finish(), second.finish()) == (0, 0), first.output + second.output
    finally:
        first.stop()
        if second is not None:
            second.stop()
    found = spans(shared)
    assert len(found) == 2
    for (_, end), (start, _) in itertools.pairwise(found):
        assert end <= start, "two runs of one concurrency group overlapped"
    assert [run["conclusion"] for run in runs(repo)] == ["success", "success"]


def test_cancel_in_progress_cancels_the_running_one_whose_always_steps_still_run(
    tmp_path: Path,
) -> None:
    repo, shared = grouped_repo(tmp_path, hold=30)
    first = Running(repo, "run")
    try:
        first.wait_for("| run-id=")  # the step's output, not its script shown
        old = run_id_in(first.output)
        until((shared / f"started-{old}").exists, 30, "the first run's step")
        second = Running(repo, "run", "--var", "CANCEL=yes")
        assert first.finish(timeout=20) == 1, first.output
        (shared / "release").touch()
        assert second.finish() == 0, second.output
    finally:
        first.stop()
    new = run_id_in(second.output)
    assert (shared / f"always-{old}").exists()  # its `if: always()` step ran
    cancelled = run_by_id(repo, old)
    assert cancelled["conclusion"] == "cancelled"
    assert "concurrency group 'deploy-refs/heads/main'" in str(cancelled["reason"])
    assert run_by_id(repo, new)["conclusion"] == "success"
    ((new_start, _),) = spans(shared)  # the cancelled step never wrote its span
    assert (shared / f"always-{old}").stat().st_mtime_ns <= new_start  # no overlap


def test_a_newer_pending_run_replaces_the_older_pending_one(tmp_path: Path) -> None:
    repo, shared = grouped_repo(tmp_path, hold=30)
    holder = Running(repo, "run")
    waiting = newest = None
    try:
        holder.wait_for("| run-id=")  # the step's output, not its script shown
        until((shared / f"started-{run_id_in(holder.output)}").exists, 30, "the holder's step")
        waiting = Running(repo, "run")
        waiting.wait_for("pending: another run holds")
        newest = Running(repo, "run")
        newest.wait_for("pending: another run holds")
        assert waiting.finish(timeout=20) == 1, waiting.output
        (shared / "release").touch()
        assert holder.finish() == 0, holder.output
        assert newest.finish() == 0, newest.output
    finally:
        for process in (holder, waiting, newest):
            if process is not None:
                process.stop()
    assert "replaced it while it was pending" in waiting.output
    replaced = [run for run in runs(repo) if run["conclusion"] == "cancelled"]
    assert len(replaced) == 1
    assert "replaced it while it was pending" in str(replaced[0]["reason"])
    assert not (shared / f"started-{replaced[0]['id']}").exists()  # none of its jobs ran
    assert [run["conclusion"] for run in runs(repo)] == ["success", "cancelled", "success"]


JOB_GROUP = """
name: Matrix
on: push
jobs:
  ship:
    runs-on: ubuntu-latest
    concurrency: shared-target
    strategy:
      matrix:
        leg: [a, b]
    steps:
      - run: |
          start=$(date +%s%N)
          sleep 0.5
          echo "${{ matrix.leg }} $start $(date +%s%N)" >> "{shared}/spans"
"""


def test_a_job_level_group_serialises_the_legs_of_one_run(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    workflow = JOB_GROUP.replace("{shared}", str(shared))
    repo = make_repo(tmp_path / "repo", {".github/workflows/matrix.yml": workflow})
    running = Running(repo, "run", "--parallel", "2")
    try:
        assert running.finish() == 0, running.output
    finally:
        running.stop()
    (first, second) = spans(shared)
    assert first[1] <= second[0], "two jobs of one concurrency group overlapped"
    assert "pending: another job holds concurrency group 'shared-target'" in running.output


def _processes_with(marker: str) -> list[int]:
    """Live (non-zombie) processes whose command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker in cmdline and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


JOB_CANCEL_IN_PROGRESS = """
name: Ship
on: push
jobs:
  ship:
    runs-on: ubuntu-latest
    concurrency:
      group: target
      cancel-in-progress: true
    steps:
      - run: |
          echo "run-id=${{ github.run_id }}"
          if [ -e "{shared}/first" ]; then touch "{shared}/second"; exit 0; fi
          touch "{shared}/first"
          sleep 4342.5
"""


def test_job_level_cancel_in_progress_stops_the_running_job_of_another_run(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    workflow = JOB_CANCEL_IN_PROGRESS.replace("{shared}", str(shared))
    create_store()
    repo = make_repo(tmp_path / "repo", {".github/workflows/ship.yml": workflow})
    first = Running(repo, "run")
    second = None
    try:
        until((shared / "first").exists, 30, "the first run's step")
        until(lambda: _processes_with("4342.5") != [], 10, "the first run's sleep")
        old = run_id_in(first.output)
        second = Running(repo, "run")
        assert first.finish(timeout=20) == 1, first.output  # cancelled, long before 4342 s
        assert _processes_with("4342.5") == []  # its step process was stopped
        assert second.finish() == 0, second.output
    finally:
        for process in (first, second):
            if process is not None:
                process.stop()
        for pid in _processes_with("4342.5"):
            os.kill(pid, signal.SIGKILL)
    assert (shared / "second").exists()
    store = open_store()
    try:
        (job,) = store.runs.list_jobs(old)
    finally:
        store.close()
    assert job.conclusion is Conclusion.CANCELLED
    assert run_by_id(repo, old)["conclusion"] == "cancelled"


HELD_BY_ORPHANS = """
name: Deploy
on: push
concurrency: deploy
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "run-id=${{ github.run_id }}"
          if [ -e "{shared}/first" ]; then
            ps -eo args | grep -c "^sleep 4343.5" > "{shared}/orphans-seen" || true
            exit 0
          fi
          touch "{shared}/first"
          sleep 4343.5
"""


def _reaper_of(pid: int) -> int:
    """The reaper process a conveyor process started (its child running reaper.py)."""
    for child in _processes_with("reaper.py"):
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            return child
    raise AssertionError(f"conveyor {pid} has no reaper")


def test_a_killed_holders_group_waits_for_its_processes_to_end(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    workflow = HELD_BY_ORPHANS.replace("{shared}", str(shared))
    create_store()
    repo = make_repo(tmp_path / "repo", {".github/workflows/deploy.yml": workflow})
    first = Running(repo, "run")
    second = None
    try:
        until((shared / "first").exists, 30, "the first run's step")
        until(lambda: _processes_with("4343.5") != [], 10, "the first run's sleep")
        old = run_id_in(first.output)
        os.kill(_reaper_of(first.process.pid), signal.SIGKILL)  # nobody is left to clean up
        first.stop()  # SIGKILL: its step process lives on
        second = Running(repo, "run")
        second.wait_for("pending: another run holds concurrency group 'deploy'")
        assert not (shared / "orphans-seen").exists()
        for pid in _processes_with("4343.5"):
            os.kill(pid, signal.SIGKILL)
        assert second.finish() == 0, second.output
    finally:
        for process in (first, second):
            if process is not None:
                process.stop()
        for pid in _processes_with("4343.5"):
            os.kill(pid, signal.SIGKILL)
    assert (shared / "orphans-seen").read_text().strip() == "0"  # never overlapped
    assert run_by_id(repo, old)["conclusion"] == "abandoned"
