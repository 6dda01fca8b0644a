"""Concurrency groups across real `conveyor run` processes sharing one CONVEYOR_HOME."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

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
    repo, shared = grouped_repo(tmp_path, hold=1)
    first, second = Running(repo, "run"), Running(repo, "run")
    try:
        assert (first.finish(), second.finish()) == (0, 0), first.output + second.output
    finally:
        first.stop()
        second.stop()
    found = spans(shared)
    assert len(found) == 2
    for (_, end), (start, _) in itertools.pairwise(found):
        assert end <= start, "two runs of one concurrency group overlapped"
    assert "pending: another run holds concurrency group 'deploy-refs/heads/main'" in (
        first.output + second.output
    )
    assert [run["conclusion"] for run in runs(repo)] == ["success", "success"]


def test_cancel_in_progress_cancels_the_running_one_whose_always_steps_still_run(
    tmp_path: Path,
) -> None:
    repo, shared = grouped_repo(tmp_path, hold=30)
    first = Running(repo, "run")
    try:
        first.wait_for("run-id=")
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
        holder.wait_for("run-id=")
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
