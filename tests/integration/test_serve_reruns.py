"""Re-runs are durable: the database is the queue of record. A re-run the API accepted is a
queued attempt in the database before the answer, so a server stopped before it ran it (at
once, by a second signal) runs it after the restart, keeping the jobs it does not re-run."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conveyor.store.handle import StoreHandle, open_store
from tests.support.serve_process import cli_ok, serving
from tests.unit.server.served import (
    delivery,
    make_repo,
    post,
    push_payload,
    register,
    wait_completed,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# `build` is slow while {hold} exists (it tells it started); `test` fails while {broken} exists.
WORKFLOW = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      made: ${{{{ steps.make.outputs.made }}}}
    steps:
      - id: make
        run: |
          echo "made=$(date +%s%N)" >> "$GITHUB_OUTPUT"
          if [ -f "{hold}" ]; then touch "{started}"; sleep 60; fi
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: test ! -f "{broken}" && echo "tested ${{{{ needs.build.outputs.made }}}}"
"""


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


def wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_a_rerun_accepted_before_the_server_stopped_at_once_runs_after_the_restart(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    hold, started, broken = tmp_path / "hold", tmp_path / "started", tmp_path / "broken"
    text = WORKFLOW.format(hold=hold, started=started, broken=broken)
    sha = make_repo(tmp_path / "app", {"ci.yml": text})
    register(store, tmp_path / "app")
    token = cli_ok(conveyor_home, "tokens", "create", "--role", "write", "--name", "ci").strip()
    headers = {"Authorization": f"Bearer {token}"}
    broken.touch()
    with serving(conveyor_home, "--jobs", "1") as server:
        (failed,) = post(server.url, delivery(push_payload(sha), number=1)).json()["run_ids"]
        assert wait_completed(store, failed) == "failure"
        hold.touch()  # the next run holds the only slot
        (busy,) = post(server.url, delivery(push_payload(sha), number=2)).json()["run_ids"]
        wait_for(started)
        answer = httpx.post(f"{server.url}/api/v1/runs/{failed}/rerun-failed-jobs", headers=headers)
        assert answer.status_code == 201, answer.text
        run = store.runs.get_run(failed)
        assert run is not None
        assert (run.attempt, str(run.status)) == (2, "queued")  # recorded before the answer
        server.process.send_signal(signal.SIGTERM)
        assert server.process.stderr is not None
        for line in server.process.stderr:  # bounded: it ends, or says it is stopping
            if "level=INFO stopping grace=" in line:
                break
        server.process.send_signal(signal.SIGTERM)  # a second signal: at once
        assert server.process.wait(30) == 128 + signal.SIGTERM
    assert store.runs.get_run(failed).attempt == 2  # type: ignore[union-attr]
    hold.unlink()
    broken.unlink()
    with serving(conveyor_home, "--jobs", "1") as server:
        assert wait_completed(store, failed, attempt=2) == "success"
        assert wait_completed(store, busy, attempt=2) == "success"  # abandoned, queued again
        assert server.stop() == 0
    first = {job.instance_key: job for job in store.runs.list_jobs(failed, 1)}
    second = {job.instance_key: job for job in store.runs.list_jobs(failed, 2)}
    assert str(second["test"].conclusion) == "success"
    assert second["build"].outputs == first["build"].outputs  # kept, not run again
    assert second["build"].started_at == first["build"].started_at
