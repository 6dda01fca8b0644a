"""`conveyor serve --broker` hands the jobs of its runs to `conveyor worker` processes through a
real redis-server (issue 15): every job runs once, on some worker, with its logs complete."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from conveyor.store.handle import StoreHandle, open_store
from tests.integration.worker_fleet import environment, fleet, job_log, push_run
from tests.unit.server.served import wait_completed

pytestmark = pytest.mark.integration

THIRTY = """\
on: push
jobs:
  work:
    runs-on: [self-hosted, linux]
    strategy:
      matrix:
        n: [{numbers}]
    steps:
      - run: |
          echo "$CONVEYOR_WORKER_NAME" >> "{ran}/${{{{ matrix.n }}}}"
          for i in $(seq 1 40); do echo "job ${{{{ matrix.n }}}} line $i"; done
"""


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    """The server's store, open for the test's checks, closed after its fleet has stopped."""
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


def test_thirty_jobs_of_one_run_go_to_three_workers_and_each_runs_once(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    ran = tmp_path / "ran"
    ran.mkdir()
    workflow = THIRTY.format(numbers=", ".join(str(n) for n in range(1, 31)), ran=ran)
    with fleet(conveyor_home, store, tmp_path) as running:
        for number in range(3):
            name = f"w{number}"
            running.start_worker(
                name, tmp_path / name, "--labels", "self-hosted,linux,x64", "--capacity", "2",
                CONVEYOR_WORKER_NAME=name,
            )  # fmt: skip
        running.workers_online(3)
        run_id = push_run(running.url, tmp_path / "app", store, {"ci.yml": workflow})
        assert wait_completed(store, run_id, timeout=240) == "success"
    jobs = store.runs.list_jobs(run_id)
    assert len(jobs) == 30
    assert {str(job.conclusion) for job in jobs} == {"success"}
    runners = [(ran / str(n)).read_text().split() for n in range(1, 31)]
    assert all(len(names) == 1 for names in runners), runners  # each job ran once
    assert {names[0] for names in runners} == {"w0", "w1", "w2"}  # on all three workers
    for job in jobs:
        n = job.instance_key.split("(")[1].rstrip(")")
        text = job_log(store, run_id, 1, job.instance_key)
        lines = [line for line in text.splitlines() if line.startswith("job ")]
        assert lines == [f"job {n} line {i}" for i in range(1, 41)], job.instance_key


KILLED = """\
on: push
jobs:
  slow:
    runs-on: [self-hosted, linux]
    steps:
      - run: |
          echo "$CONVEYOR_WORKER_NAME" >> "{ran}/attempts"
          if [ ! -e "{ran}/first" ]; then touch "{ran}/first"; sleep 1234; fi
          echo "finished on $CONVEYOR_WORKER_NAME"
"""


def sleeping(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes().decode():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_worker_killed_mid_job_loses_nothing_the_job_runs_again_elsewhere(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    ran = tmp_path / "ran"
    ran.mkdir()
    with fleet(conveyor_home, store, tmp_path) as running:
        for name in ("a", "b"):
            running.start_worker(
                name,
                tmp_path / name,
                "--labels",
                "self-hosted,linux",
                CONVEYOR_WORKER_NAME=name,
            )
        running.workers_online(2)
        run_id = push_run(running.url, tmp_path / "app", store, {"ci.yml": KILLED.format(ran=ran)})
        wait_until(lambda: (ran / "first").exists(), 60, "the job never started")
        victim = (ran / "attempts").read_text().split()[0]
        wait_until(lambda: bool(sleeping("sleep\x001234")), 10, "no step process")
        running.workers[victim].send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        assert wait_completed(store, run_id, timeout=60) == "success"
        took = time.monotonic() - killed_at
    survivor = ({"a", "b"} - {victim}).pop()
    assert (ran / "attempts").read_text().split() == [victim, survivor]
    assert took < 3 + 0.5 + 15  # the lease, a heartbeat, and the job's own run
    wait_until(lambda: not sleeping("sleep\x001234"), 10, "the killed job's process remains")
    (job,) = store.runs.list_jobs(run_id)
    log = job_log(store, run_id, 1, job.instance_key)
    assert f"the runner {victim} was lost: the job runs again (attempt 2)" in log
    assert f"finished on {survivor}" in log


CANCELLED = """\
on: push
jobs:
  slow:
    runs-on: [self-hosted, linux]
    steps:
      - run: touch "{ran}/started"; sleep 4321
      - if: always()
        run: touch "{ran}/cleaned"
"""


def test_cancel_from_the_api_stops_the_job_on_its_worker_and_always_steps_run(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    ran = tmp_path / "ran"
    ran.mkdir()
    with fleet(conveyor_home, store, tmp_path) as running:
        running.start_worker("a", tmp_path / "a", "--labels", "self-hosted,linux")
        running.workers_online(1)
        workflow = {"ci.yml": CANCELLED.format(ran=ran)}
        run_id = push_run(running.url, tmp_path / "app", store, workflow)
        wait_until(lambda: bool(sleeping("sleep\x004321")), 60, "the job never started")
        asked = time.monotonic()
        cancel = f"{running.url}/api/v1/runs/{run_id}/cancel"
        assert httpx.post(cancel, headers=running.auth).status_code == 202
        wait_until(lambda: not sleeping("sleep\x004321"), 3, "the job's process still runs")
        assert time.monotonic() - asked < 3
        assert wait_completed(store, run_id, timeout=30) == "cancelled"
        assert (ran / "cleaned").exists()  # the always() step ran


ROUTED = """\
on: push
jobs:
  gpu:
    runs-on: [self-hosted, gpu]
    steps:
      - run: echo "gpu job on $CONVEYOR_WORKER_NAME"
"""


def test_a_job_waits_for_a_worker_with_its_labels_and_workers_are_listed(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    with fleet(conveyor_home, store, tmp_path) as running:
        running.start_worker("cpu", tmp_path / "cpu", "--labels", "self-hosted,linux")
        running.workers_online(1)
        run_id = push_run(running.url, tmp_path / "app", store, {"ci.yml": ROUTED})
        waiting = "waiting for a runner with labels [gpu, self-hosted]"
        wait_until(lambda: waiting in job_text(store, run_id), 30, "no waiting line")
        assert str(store.runs.get_run(run_id).status) == "in_progress"  # type: ignore[union-attr]
        running.start_worker(
            "big", tmp_path / "big", "--labels", "self-hosted,linux,gpu", "--capacity", "3",
            CONVEYOR_WORKER_NAME="big",
        )  # fmt: skip
        assert wait_completed(store, run_id, timeout=60) == "success"
        assert "gpu job on big" in job_text(store, run_id)
        command = [sys.executable, "-m", "conveyor", "workers", "--server", running.url]
        listed = subprocess.run(
            [*command, "--token", running.admin],
            env=environment(conveyor_home),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    assert re.search(r"^big +online +0/3 +\S+ +gpu,linux,self-hosted$", listed, re.M), listed
    assert re.search(r"^cpu +online +0/1 +\S+ +linux,self-hosted$", listed, re.M), listed


def job_text(store: StoreHandle, run_id: int) -> str:
    return "".join(
        job_log(store, run_id, 1, job.instance_key) for job in store.runs.list_jobs(run_id)
    )


SHORT = """\
on: push
jobs:
  short:
    runs-on: [self-hosted, linux]
    steps:
      - run: touch "{ran}/started"; sleep 2; echo "finished after the signal"
"""


def test_sigterm_lets_a_worker_finish_its_jobs_and_deregister(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    ran = tmp_path / "ran"
    ran.mkdir()
    with fleet(conveyor_home, store, tmp_path) as running:
        worker = running.start_worker("a", tmp_path / "a", "--labels", "self-hosted,linux")
        running.workers_online(1)
        run_id = push_run(running.url, tmp_path / "app", store, {"ci.yml": SHORT.format(ran=ran)})
        wait_until(lambda: (ran / "started").exists(), 60, "the job never started")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0, running.worker_log("a")
        assert wait_completed(store, run_id, timeout=30) == "success"
        assert "finished after the signal" in job_text(store, run_id)
        listed = httpx.get(f"{running.url}/api/v1/workers", headers=running.auth).json()
        assert listed == []  # deregistered


def test_a_second_sigterm_cancels_the_workers_jobs_and_their_always_steps_run(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    ran = tmp_path / "ran"
    ran.mkdir()
    with fleet(conveyor_home, store, tmp_path) as running:
        worker = running.start_worker("a", tmp_path / "a", "--labels", "self-hosted,linux")
        running.workers_online(1)
        workflow = {"ci.yml": CANCELLED.format(ran=ran)}
        run_id = push_run(running.url, tmp_path / "app", store, workflow)
        wait_until(lambda: bool(sleeping("sleep\x004321")), 60, "the job never started")
        worker.send_signal(signal.SIGTERM)
        wait_until(lambda: "draining" in running.worker_log("a"), 10, "no drain")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0, running.worker_log("a")
        assert wait_completed(store, run_id, timeout=30) == "cancelled"
        assert (ran / "cleaned").exists()
        assert not sleeping("sleep\x004321")


EIGHT = """\
on: push
jobs:
  work:
    runs-on: [self-hosted, linux]
    strategy:
      matrix:
        n: [1, 2, 3, 4, 5, 6, 7, 8]
    steps:
      - run: |
          echo "$CONVEYOR_WORKER_NAME" >> "{ran}/${{{{ matrix.n }}}}"
          sleep 1
"""


def test_a_broker_restart_mid_run_and_duplicate_doorbells_run_every_job_once(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    from conveyor.distributed.doorbell import Doorbell

    ran = tmp_path / "ran"
    ran.mkdir()
    with fleet(conveyor_home, store, tmp_path) as running:
        for name in ("a", "b"):
            running.start_worker(
                name, tmp_path / name, "--labels", "self-hosted,linux", "--capacity", "2",
                CONVEYOR_WORKER_NAME=name,
            )  # fmt: skip
        running.workers_online(2)
        run_id = push_run(running.url, tmp_path / "app", store, {"ci.yml": EIGHT.format(ran=ran)})
        wait_until(lambda: any(ran.iterdir()), 60, "no job started")
        running.restart_broker()  # every message it held is lost
        doorbell = Doorbell(running.broker)
        for job_id in range(1, 9):  # duplicates of every doorbell, some for jobs that ran
            doorbell.ring(job_id, ["self-hosted", "linux"])
        assert wait_completed(store, run_id, timeout=120) == "success"
        doorbell.ring(1, ["self-hosted", "linux"])  # one more for a finished job
        doorbell.close()
        wait_until(lambda: running.broker_idle(), 30, "doorbells left unanswered")
    runners = [(ran / str(n)).read_text().split() for n in range(1, 9)]
    assert all(len(names) == 1 for names in runners), runners


SECRETIVE = """\
on: push
jobs:
  uses-a-secret:
    runs-on: [self-hosted, linux]
    env:
      FROM_ENV: ${{{{ secrets.DEPLOY_KEY }}}}
    steps:
      - run: |
          echo "the key is ${{{{ secrets.DEPLOY_KEY }}}}"
          printf '%s' "$FROM_ENV" > "{ran}/received"
"""
SECRET_VALUE = "sk-live-4f9a8c7e-the-worker-secret"


def test_secrets_reach_the_job_over_http_only_never_redis_nor_the_logs(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    from tests.integration.test_worker_api import everything_in
    from tests.unit.server.served import NAME

    ran = tmp_path / "ran"
    ran.mkdir()
    store.secrets.set_secret(NAME, "DEPLOY_KEY", SECRET_VALUE)
    with fleet(conveyor_home, store, tmp_path) as running:
        running.start_worker("a", tmp_path / "a", "--labels", "self-hosted,linux")
        running.workers_online(1)
        workflow = {"ci.yml": SECRETIVE.format(ran=ran)}
        run_id = push_run(running.url, tmp_path / "app", store, workflow)
        assert wait_completed(store, run_id, timeout=60) == "success"
        in_redis = everything_in(redis.Redis.from_url(running.broker))
    assert (ran / "received").read_text() == SECRET_VALUE  # it reached the job
    assert b"runs-on:linux,self-hosted" in in_redis  # the scan saw the queues
    assert SECRET_VALUE.encode() not in in_redis
    assert "the key is ***" in job_text(store, run_id)
    for path in [*tmp_path.glob("*.log"), *conveyor_home.rglob("*")]:
        if path.is_file():
            assert SECRET_VALUE.encode() not in path.read_bytes(), path
    for path in (tmp_path / "a").rglob("*"):  # the worker's home
        if path.is_file():
            assert SECRET_VALUE.encode() not in path.read_bytes(), path
