"""The server's RunControl over real runs: re-run the failed jobs of a run (a new attempt, run
by the pool, the passed jobs carried over), cancel a queued run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.server_runs import EventRequest
from conveyor.errors import UsageError
from conveyor.store.handle import StoreHandle, open_store
from tests.unit.server.served import NAME, make_repo, push_payload, register, served, wait_completed

FLAKY = """\
on: push
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: echo fine
  flaky:
    runs-on: ubuntu-latest
    steps:
      - run: test -f "{flag}"
"""


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


def push(sha: str, delivery: str) -> EventRequest:
    return EventRequest(NAME, "push", push_payload(sha), "refs/heads/main", sha, delivery)


def test_rerun_failed_runs_a_new_attempt_of_the_failed_jobs(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    flag = tmp_path / "flag"
    sha = make_repo(tmp_path / "app", {"flaky.yml": FLAKY.format(flag=flag)})
    register(store, tmp_path / "app")
    with served(conveyor_home, store) as wired:
        runs = wired.served.runs
        (run_id,) = runs.start(push(sha, "d-1")).run_ids
        assert wait_completed(store, run_id) == "failure"
        with pytest.raises(UsageError, match="no job 'nope'"):
            runs.rerun(run_id, job="nope")
        flag.touch()
        assert runs.rerun(run_id, failed_only=True) == run_id
        assert wait_completed(store, run_id, attempt=2) == "success"
    jobs = {job.job_id: job for job in store.runs.list_jobs(run_id, 2)}
    assert jobs["first"].reused
    assert not jobs["flaky"].reused


def test_cancel_ends_a_queued_run_and_says_false_for_an_ended_one(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    sha = make_repo(tmp_path / "app")
    register(store, tmp_path / "app")
    with served(conveyor_home, store, pool=False) as wired:
        runs = wired.served.runs
        (run_id,) = runs.start(push(sha, "d-1")).run_ids
        assert runs.cancel(run_id) is True
        assert wait_completed(store, run_id) == "cancelled"
        assert runs.cancel(run_id) is False


DISPATCHED = """\
on:
  workflow_dispatch:
    inputs:
      who: {required: true}
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "hello ${{ inputs.who }}"
"""


def test_a_dispatch_request_limited_to_one_workflow_runs_only_it(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    from tests.unit.server.served import CI

    sha = make_repo(tmp_path / "app", {"ci.yml": CI, "greet.yml": DISPATCHED})
    register(store, tmp_path / "app")
    payload = {
        **push_payload(sha),
        "ref": "refs/heads/main",
        "inputs": {"who": "mona"},
    }
    request = EventRequest(
        NAME,
        "workflow_dispatch",
        payload,
        "refs/heads/main",
        "",
        workflows=(".github/workflows/greet.yml",),
    )
    with served(conveyor_home, store) as wired:
        started = wired.served.runs.start(request)
        (run_id,) = started.run_ids
        assert wait_completed(store, run_id) == "success"
    run = store.runs.get_run(run_id)
    assert run is not None
    assert run.workflow_path == ".github/workflows/greet.yml"
    assert run.sha == sha


SCHEDULED = """\
on:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - run: echo "scanning ${{ github.repository }} on ${{ github.event.schedule }}"
"""


def test_a_schedule_request_with_a_bare_payload_runs_as_the_registered_repository(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    sha = make_repo(tmp_path / "app", {"scan.yml": SCHEDULED})
    register(store, tmp_path / "app")
    payload = {"schedule": "0 3 * * 1"}
    request = EventRequest(NAME, "schedule", payload, "refs/heads/main", "")
    with served(conveyor_home, store) as wired:
        (run_id,) = wired.served.runs.start(request).run_ids
        assert wait_completed(store, run_id) == "success"
    run = store.runs.get_run(run_id)
    assert run is not None
    assert run.sha == sha
    (job,) = store.runs.list_jobs(run_id)
    text = "".join(
        store.logs.read(key).text for key in store.logs.keys(run_id, 1, job.instance_key)
    )
    assert f"scanning {NAME} on 0 3 * * 1" in text
