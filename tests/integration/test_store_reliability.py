"""Reliability of the SQLite store with real processes: kill -9, races, locks, bad input.

Child processes run this module (`python -m tests.integration.test_store_reliability ROLE …`).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conveyor.engine.ports.store import (
    Admission,
    GroupTicket,
    NewJob,
    NewRun,
    RunQuery,
    RunStatus,
    workflow_holder,
)
from conveyor.model.results import Conclusion, JobResult, StepResult
from conveyor.store import RunRecorder, StoreHandle, open_store
from conveyor.store.owner import current_owner
from tests.conftest import REPO_ROOT
from tests.unit.store.cli_helpers import Cli, make_cli

pytestmark = pytest.mark.integration
cli_fixture = pytest.fixture(name="cli")(make_cli)
REPO = "/work/race"


def new_run(workflow: str = "CI") -> NewRun:
    return NewRun(
        repository=REPO, workflow=workflow, workflow_path=f"{workflow}.yml", event="push",
        ref="refs/heads/main", sha="f" * 40, owner=current_owner(),
    )  # fmt: skip


# ---- child roles -------------------------------------------------------------------------------


def child_hold(store: StoreHandle) -> None:
    """Start a run, record a step that never ends, and wait to be killed."""
    recorder = RunRecorder(store.runs, store.logs)
    run = recorder.begin(new_run())
    reporter = recorder.reporter(run.id)
    reporter.start_job(NewJob("build", "build", "build", status=RunStatus.IN_PROGRESS))
    reporter.step_started("build", 0, "sleep")
    reporter.log_line("build", 0, "working…")
    reporter.flush()
    print(run.id, flush=True)
    time.sleep(120)


def child_finish(store: StoreHandle) -> None:
    """Record a whole run, and die by SIGKILL the moment finish_run returns."""
    recorder = RunRecorder(store.runs, store.logs)
    run = recorder.begin(new_run())
    reporter = recorder.reporter(run.id)
    reporter.start_job(NewJob("build", "build", "build", status=RunStatus.IN_PROGRESS))
    for index in range(20):
        reporter.step_started("build", index, f"step {index}")
        reporter.log_line("build", index, f"output {index}")
        reporter.step_finished(
            "build", StepResult(index, f"step {index}", Conclusion.SUCCESS, Conclusion.SUCCESS)
        )
    reporter.finish_job("build", JobResult(Conclusion.SUCCESS, outputs={"v": "42"}))
    recorder.finish(run.id, Conclusion.SUCCESS)
    print(run.id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def child_claim(store: StoreHandle, start_at: float) -> None:
    """Wait for a common start time, then try once to take the group."""
    run = store.runs.create_run(new_run())
    ticket = GroupTicket(REPO, "release", workflow_holder(run.id, 1), run.id)
    time.sleep(max(0.0, start_at - time.time()))
    print(store.concurrency.enter(ticket, cancel_in_progress=False), flush=True)
    sys.stdin.read()  # stay alive (a dead holder's group is freed) until the parent is done


def child_race(store: StoreHandle, log: Path, rounds: int) -> None:
    """Repeatedly join the group; while holding it, write start/end times to `log`."""
    never = _Never()
    for _ in range(rounds):
        run = store.runs.create_run(new_run())
        ticket = GroupTicket(REPO, "deploy", workflow_holder(run.id, 1), run.id)
        admission = store.concurrency.enter(ticket, cancel_in_progress=False)
        if admission is Admission.PENDING:
            admission = store.concurrency.wait(ticket, never, poll_interval=0.005)
        if admission is Admission.RUNNING:
            start = time.time_ns()
            time.sleep(0.03)
            with log.open("a") as handle:
                handle.write(f"{os.getpid()} {start} {time.time_ns()}\n")
            store.runs.finish_run(run.id, Conclusion.SUCCESS)
        else:
            store.runs.finish_run(run.id, Conclusion.CANCELLED, reason="replaced in its group")


class _Never:
    def is_set(self) -> bool:
        return False

    def wait(self, timeout: float | None = None) -> bool:
        time.sleep(timeout or 0)
        return False


def child_lock(path: str, seconds: float) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    time.sleep(seconds)
    connection.execute("ROLLBACK")


def main(argv: list[str]) -> None:
    role, rest = argv[0], argv[1:]
    if role == "lock":
        child_lock(rest[0], float(rest[1]))
        return
    store = open_store()
    if role == "hold":
        child_hold(store)
    elif role == "finish":
        child_finish(store)
    elif role == "claim":
        child_claim(store, float(rest[0]))
    elif role == "race":
        child_race(store, Path(rest[0]), int(rest[1]))
    store.close()


# ---- the tests ---------------------------------------------------------------------------------


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    module = "tests.integration.test_store_reliability"
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def first_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline().strip()


def test_kill_9_mid_run_leaves_an_abandoned_run_that_can_be_rerun(
    cli: Cli, conveyor_home: Path
) -> None:
    child = spawn("hold")
    run_id = int(first_line(child))
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    listed = json.loads(cli("runs", "--json").out)  # opening the store sweeps
    assert [(r["id"], r["status"], r["conclusion"]) for r in listed] == [
        (run_id, "completed", "abandoned")
    ]
    assert f"pid {child.pid}" in listed[0]["reason"]
    assert "working…" in cli("logs", str(run_id)).out
    store = open_store()
    try:  # what `conveyor rerun` does to the store: a new attempt of the abandoned run
        again = store.runs.begin_attempt(run_id, current_owner(), reuse=())
        assert (again.attempt, again.status) == (2, RunStatus.QUEUED)
    finally:
        store.close()


def test_a_completed_run_survives_kill_9_right_after_it_finished(conveyor_home: Path) -> None:
    child = spawn("finish")
    run_id = int(first_line(child))
    assert child.wait() == -signal.SIGKILL
    store = open_store()
    try:
        run = store.runs.get_run(run_id)
        assert run is not None
        assert (run.status, run.conclusion) == (RunStatus.COMPLETED, Conclusion.SUCCESS)
        (job,) = store.runs.list_jobs(run_id)
        assert job.outputs == {"v": "42"}
        assert len(store.runs.list_steps(run_id, 1, "build")) == 20
    finally:
        store.close()


def test_processes_racing_for_a_free_group_never_both_hold_it(conveyor_home: Path) -> None:
    open_store().close()  # create the schema first: the race is about the group, not migrations
    start_at = time.time() + 1.5
    children = [spawn("claim", str(start_at)) for _ in range(4)]
    answers = sorted(first_line(child) for child in children)
    for child in children:
        child.communicate("")
    assert answers == ["pending", "pending", "pending", "running"]


def test_concurrent_members_of_a_group_never_overlap(conveyor_home: Path, tmp_path: Path) -> None:
    open_store().close()
    log = tmp_path / "holding.log"
    children = [spawn("race", str(log), "12") for _ in range(3)]
    for child in children:
        assert child.wait(timeout=120) == 0
    spans = sorted(tuple(int(v) for v in line.split()[1:]) for line in log.read_text().splitlines())
    # How many held the group depends on timing (pending members get replaced); the first holder
    # and the last pending member always run.
    assert len(spans) >= 2
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        assert end <= next_start, "two members of one concurrency group overlapped"
    store = open_store()
    try:
        counts = {
            word: len(store.runs.list_runs(RunQuery(status=word, limit=1000)))
            for word in ("success", "cancelled")
        }
    finally:
        store.close()
    assert counts["success"] == len(spans)
    assert counts["success"] + counts["cancelled"] == 36


def test_a_locked_database_is_a_clear_error_and_nothing_is_damaged(
    cli: Cli, conveyor_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = open_store()
    kept = store.runs.create_run(new_run())
    store.close()
    monkeypatch.setenv("CONVEYOR_DATABASE_TIMEOUT", "0.3")
    monkeypatch.chdir(tmp_path)
    locker = spawn("lock", str(conveyor_home / "conveyor.db"), "1.5")
    assert first_line(locker) == "locked"
    started = time.monotonic()
    outcome = cli("secrets", "set", "TOKEN", stdin="v")
    assert outcome.code == 1
    assert "is locked by another process" in outcome.err
    assert "Traceback" not in outcome.err
    assert time.monotonic() - started < 1.2  # gave up after the timeout, not after the lock
    locker.wait()
    check = sqlite3.connect(conveyor_home / "conveyor.db")
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()
    listed = json.loads(cli("runs", "--json").out)
    assert [run["id"] for run in listed] == [kept.id]
    assert cli("secrets", "set", "TOKEN", stdin="v").code == 0  # works again once unlocked


def test_bad_input_gets_clear_errors_without_tracebacks(cli: Cli, tmp_path: Path) -> None:
    bad_env = tmp_path / "bad.env"
    bad_env.write_text("OK=1\n= no name\n", encoding="utf-8")
    for args in (
        ("logs", "77"),
        ("rerun", "77"),
        ("approve", "77"),
        ("secrets", "set", "--from-file", str(bad_env), "--repo", str(tmp_path)),
    ):
        outcome = cli(*args)
        assert outcome.code == 2, args
        assert outcome.err.startswith("conveyor: error:"), outcome.err
        assert "Traceback" not in outcome.err
    assert json.loads(cli("secrets", "list", "--json", "--repo", str(tmp_path)).out) == []


if __name__ == "__main__":
    main(sys.argv[1:])
