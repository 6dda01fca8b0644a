from __future__ import annotations

import threading

import pytest

from conveyor.engine.ports.store import LogKey, NewJob, RunStatus
from conveyor.model.results import Conclusion, JobResult, StepResult
from conveyor.store import StoreHandle
from tests.unit.store.cli_helpers import Cli, make_cli, make_store
from tests.unit.store.conftest import new_run

cli_fixture = pytest.fixture(name="cli")(make_cli)
store_fixture = pytest.fixture(name="store")(make_store)


def recorded_run(store: StoreHandle) -> int:
    run = store.runs.create_run(new_run())
    for key in ("build", "test (3.11)"):
        store.runs.start_job(run.id, 1, NewJob(key, key.split()[0], key))
        store.logs.append(LogKey(run.id, 1, key), f"setting up {key}\n")
        for index, name in enumerate(("Checkout", "Compile")):
            store.runs.start_step(run.id, 1, key, index, name)
            store.logs.append(LogKey(run.id, 1, key, index), f"{key}: {name} output\n")
            store.runs.finish_step(
                run.id, 1, key, StepResult(index, name, Conclusion.SUCCESS, Conclusion.SUCCESS)
            )
        store.runs.finish_job(run.id, 1, key, JobResult(Conclusion.SUCCESS))
    store.runs.finish_run(run.id, Conclusion.SUCCESS)
    return run.id


def test_logs_prints_every_job_and_step_with_headers(cli: Cli, store: StoreHandle) -> None:
    run_id = recorded_run(store)
    outcome = cli("logs", str(run_id))
    assert outcome.code == 0
    lines = outcome.out.splitlines()
    assert lines[:7] == [
        "== build ==",
        "setting up build",
        "== build / step 1: Checkout ==",
        "build: Checkout output",
        "== build / step 2: Compile ==",
        "build: Compile output",
        "== test (3.11) ==",
    ]


def test_logs_of_one_job_and_one_step(cli: Cli, store: StoreHandle) -> None:
    run_id = recorded_run(store)
    by_job_id = cli("logs", str(run_id), "test")
    assert "test (3.11): Compile output" in by_job_id.out
    assert "build" not in by_job_id.out
    step = cli("logs", str(run_id), "build", "--step", "2")
    assert step.out.splitlines() == ["== build / step 2: Compile ==", "build: Compile output"]


def test_unknown_run_job_or_attempt_are_clear_usage_errors(cli: Cli, store: StoreHandle) -> None:
    run_id = recorded_run(store)
    missing = cli("logs", "4242")
    assert missing.code == 2
    assert "there is no run 4242" in missing.err
    assert "Traceback" not in missing.err
    job = cli("logs", str(run_id), "deploy")
    assert job.code == 2
    assert "no job 'deploy'" in job.err
    assert "build" in job.err
    assert cli("logs", str(run_id), "--attempt", "2").code == 2
    assert cli("logs", "not-a-number").code == 2


def test_follow_prints_lines_as_they_come_until_the_run_ends(cli: Cli, store: StoreHandle) -> None:
    run = store.runs.create_run(new_run())
    store.runs.set_run_status(run.id, RunStatus.IN_PROGRESS)
    store.runs.start_job(run.id, 1, NewJob("build", "build", "build"))
    key = LogKey(run.id, 1, "build", 0)
    store.logs.append(key, "first\n")

    def keep_writing() -> None:
        for number in range(3):
            threading.Event().wait(0.15)
            store.logs.append(key, f"line {number}\n")
        store.runs.finish_run(run.id, Conclusion.SUCCESS)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    outcome = cli("logs", str(run.id), "--follow")
    writer.join()
    assert outcome.code == 0
    assert outcome.out.splitlines()[1:] == ["first", "line 0", "line 1", "line 2"]


def test_a_reused_job_shows_the_logs_of_the_attempt_that_ran_it(
    cli: Cli, store: StoreHandle
) -> None:
    run_id = recorded_run(store)
    store.runs.begin_attempt(run_id, None, ["build"])
    outcome = cli("logs", str(run_id), "build")
    assert "build: Compile output" in outcome.out
