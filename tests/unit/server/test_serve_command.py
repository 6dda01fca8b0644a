"""`conveyor serve` as a real process: the listening line, /healthz, a webhook's run, SIGTERM
(the running job finishes, or is cancelled after the grace with its always() step run), and a
restart that takes up the runs left queued."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from conveyor.bootstrap.server_runs import ServerRuns
from conveyor.engine.ports.run_history import RunQuery
from conveyor.engine.ports.server_runs import EventRequest
from conveyor.store.handle import open_store
from conveyor.store.served_repositories import served_repositories
from tests.unit.server.served import (
    NAME,
    delivery,
    make_repo,
    post,
    push_payload,
    register,
    wait_completed,
)

SRC = Path(__file__).resolve().parents[3] / "src"
SLOW = """\
on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: touch "{started}" && sleep 60
      - if: always()
        run: touch "{cleaned}"
"""


@contextmanager
def serving(
    home: Path, *args: str, grace: float = 30
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {
        **os.environ,
        "CONVEYOR_HOME": str(home),
        "PYTHONPATH": str(SRC),
        "CONVEYOR_SERVE_GRACE": str(grace),
    }
    command = [sys.executable, "-m", "conveyor", "serve", "--port", "0", "--jobs", "2", *args]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # bounded: the process exits (EOF) if it cannot start
        found = re.fullmatch(r"listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert found, (line, process.stderr.read() if process.poll() is not None else "")
        yield process, found.group(1)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def stop(process: subprocess.Popen[str], timeout: float = 60) -> str:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return err


def wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_serve_listens_serves_healthz_and_stops_on_sigterm(conveyor_home: Path) -> None:
    with serving(conveyor_home) as (process, url):
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
        err = stop(process)
    assert "listening url=http://127.0.0.1:" in err
    assert "stopped" in err


def test_a_webhook_run_on_serve_succeeds(conveyor_home: Path, tmp_path: Path) -> None:
    sha = make_repo(tmp_path / "app")
    store = open_store(conveyor_home)
    try:
        register(store, tmp_path / "app")
        with serving(conveyor_home) as (process, url):
            answer = post(url, delivery(push_payload(sha)))
            assert answer.status_code == 202, answer.text
            (run_id,) = answer.json()["run_ids"]
            assert wait_completed(store, run_id) == "success"
            stop(process)
    finally:
        store.close()


def test_sigterm_cancels_a_run_after_the_grace_and_its_always_step_runs(
    conveyor_home: Path, tmp_path: Path
) -> None:
    started, cleaned = tmp_path / "started", tmp_path / "cleaned"
    workflow = SLOW.format(started=started, cleaned=cleaned)
    sha = make_repo(tmp_path / "app", {"slow.yml": workflow})
    store = open_store(conveyor_home)
    try:
        register(store, tmp_path / "app")
        with serving(conveyor_home, grace=0.5) as (process, url):
            (run_id,) = post(url, delivery(push_payload(sha))).json()["run_ids"]
            wait_for(started)
            stop(process)
        run = store.runs.get_run(run_id)
        assert run is not None
        assert str(run.conclusion) == "cancelled"
        assert cleaned.exists()
    finally:
        store.close()


def test_a_restart_takes_up_the_runs_left_queued(conveyor_home: Path, tmp_path: Path) -> None:
    sha = make_repo(tmp_path / "app")
    store = open_store(conveyor_home)
    try:
        register(store, tmp_path / "app")
        runs = ServerRuns(conveyor_home, store, served_repositories(store))  # no pool: it waits
        request = EventRequest(NAME, "push", push_payload(sha), "refs/heads/main", sha, "d-1")
        (run_id,) = runs.start(request).run_ids
        assert str(store.runs.get_run(run_id).status) == "queued"  # type: ignore[union-attr]
        with serving(conveyor_home) as (process, _url):
            assert wait_completed(store, run_id) == "success"
            stop(process)
    finally:
        store.close()


ONCE_SLOW = """\
on: push
jobs:
  once:
    runs-on: ubuntu-latest
    steps:
      - run: if [ ! -f "{started}" ]; then touch "{started}"; sleep 60; fi
"""


def test_a_run_of_a_killed_server_is_abandoned_then_requeued_once_on_restart(
    conveyor_home: Path, tmp_path: Path
) -> None:
    started = tmp_path / "started"
    sha = make_repo(tmp_path / "app", {"once.yml": ONCE_SLOW.format(started=started)})
    store = open_store(conveyor_home)
    try:
        register(store, tmp_path / "app")
        with serving(conveyor_home) as (process, url):
            (run_id,) = post(url, delivery(push_payload(sha))).json()["run_ids"]
            wait_for(started)
            process.kill()
            process.wait(30)
        with serving(conveyor_home) as (process, _url):
            assert wait_completed(store, run_id, attempt=2) == "success"
            err = stop(process)
        assert f"run requeued run={run_id}" in err
    finally:
        store.close()


def test_a_second_sigterm_stops_at_once(conveyor_home: Path, tmp_path: Path) -> None:
    started, cleaned = tmp_path / "started", tmp_path / "cleaned"
    sha = make_repo(tmp_path / "app", {"slow.yml": SLOW.format(started=started, cleaned=cleaned)})
    store = open_store(conveyor_home)
    try:
        register(store, tmp_path / "app")
        with serving(conveyor_home, grace=300) as (process, url):
            post(url, delivery(push_payload(sha)))
            wait_for(started)
            process.send_signal(signal.SIGTERM)
            assert process.stderr is not None
            for line in process.stderr:  # bounded: the process ends, or says it is stopping
                if "level=INFO stopping grace=" in line:
                    break
            process.send_signal(signal.SIGTERM)
            assert process.wait(30) == 128 + signal.SIGTERM
    finally:
        store.close()


AFTER_CI = """\
on:
  workflow_run:
    workflows: [CI]
    types: [completed]
jobs:
  after:
    runs-on: ubuntu-latest
    steps:
      - run: echo "after ${{ github.event.workflow_run.conclusion }}"
"""


def test_serve_takes_the_stores_tokens_and_fires_workflow_run(
    conveyor_home: Path, tmp_path: Path
) -> None:
    from conveyor.store.api_tokens import SqlTokenStore
    from tests.unit.server.served import CI

    sha = make_repo(tmp_path / "app", {"ci.yml": CI, "after.yml": AFTER_CI})
    store = open_store(conveyor_home)
    try:
        register(store, tmp_path / "app")
        token = SqlTokenStore(store.database).create("reader", "read")  # type: ignore[arg-type]
        with serving(conveyor_home) as (process, url):
            runs_url = f"{url}/api/v1/runs"
            assert httpx.get(runs_url).status_code == 401
            headers = {"Authorization": f"Bearer {token}"}
            assert httpx.get(runs_url, headers=headers).status_code == 200
            answer = post(url, delivery(push_payload(sha)))
            (run_id,) = answer.json()["run_ids"]
            assert wait_completed(store, run_id) == "success"
            deadline = time.monotonic() + 60
            while not (
                after := [r for r in store.runs.list_runs(RunQuery()) if r.event == "workflow_run"]
            ):
                assert time.monotonic() < deadline, "no workflow_run run was started"
                time.sleep(0.2)
            assert wait_completed(store, after[0].id) == "success"
            stop(process)
    finally:
        store.close()
