"""`conveyor serve` runs a hosted repository's pull requests: opening one runs its `on:
pull_request` workflow, each job is reported to the local forge as a check run on the pull
request's head commit (queued → in_progress → completed, summary, annotations, details_url) and
the workflow as a commit status; a push to the head branch fires `synchronize` and runs again."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from conveyor.engine.ports.run_history import RunQuery
from conveyor.server.hosting import create_hosted
from conveyor.store.api_tokens import SqlTokenStore
from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.served_repositories import served_repositories
from tests.support.hosted_git import GitClient
from tests.unit.server.served import wait_completed
from tests.unit.server.test_serve_command import serving, stop

CI = """\
name: CI
on: pull_request
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "### built ${{ github.event.pull_request.head.sha }}" >> "$GITHUB_STEP_SUMMARY"
      - run: echo "::warning file=app.py,line=3::look here"
  test:
    runs-on: ubuntu-latest
    needs: build
    steps:
      - run: echo "tested ${{ github.event.action }}"
"""


def runs_of(store: StoreHandle, count: int, timeout: float = 60) -> list[int]:
    """The ids of the first `count` runs, oldest first, once there are that many (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        found = sorted(run.id for run in store.runs.list_runs(RunQuery()))
        if len(found) >= count:
            return found[:count]
        assert time.monotonic() < deadline, f"{len(found)} runs, not {count}"
        time.sleep(0.05)


def setup_repository(home: Path, tmp_path: Path, store: StoreHandle) -> tuple[str, GitClient, Path]:
    token = SqlTokenStore(store.database).create("mona", "write")  # type: ignore[arg-type]
    create_hosted(home, served_repositories(store), "acme/app")
    git, work = GitClient(tmp_path), tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    git.commit(work, {".github/workflows/ci.yml": CI}, "add CI")
    return token, git, work


def test_a_pull_request_runs_reports_checks_and_a_push_synchronizes(
    conveyor_home: Path, tmp_path: Path
) -> None:
    store = open_store(conveyor_home)
    try:
        token, git, work = setup_repository(conveyor_home, tmp_path, store)
        with serving(conveyor_home) as (process, url):
            remote = git.url(url, "acme/app", token)
            git.ok(work, "push", "-q", remote, "main")
            git.ok(work, "switch", "-q", "-c", "feature")
            head = git.commit(work, {"app.py": "print(1)\n"}, "feature")
            git.ok(work, "push", "-q", remote, "feature")
            api = httpx.Client(
                base_url=f"{url}/api/v3/repos/acme/app", headers={"Authorization": f"token {token}"}
            )
            opened = api.post("/pulls", json={"head": "feature", "base": "main", "title": "F"})
            assert opened.status_code == 201, opened.text
            (first,) = runs_of(store, 1)
            assert wait_completed(store, first, timeout=120) == "success"
            checks = api.get(f"/commits/{head}/check-runs").json()
            status = api.get(f"/commits/{head}/status").json()
            second_head = git.commit(work, {"app.py": "print(2)\n"}, "more")
            git.ok(work, "push", "-q", remote, "feature")
            second = runs_of(store, 2)[1]
            assert wait_completed(store, second, timeout=120) == "success"
            again = api.get(f"/commits/{second_head}/check-runs").json()
            pull = api.get("/pulls/1").json()
            stop(process)
        request = store.runs.run_request(second)
    finally:
        store.close()
    runs = {run["name"]: run for run in checks["check_runs"]}
    assert sorted(runs) == ["build", "test"]
    for name, run in runs.items():
        assert (run["status"], run["conclusion"]) == ("completed", "success"), name
        assert run["head_sha"] == head
        assert run["details_url"].startswith(f"{url}/runs/{first}/job?key="), run
    assert f"built {head}" in runs["build"]["output"]["summary"]
    assert runs["build"]["output"]["annotations_count"] == 1
    assert (status["state"], [s["context"] for s in status["statuses"]]) == (
        "success",
        ["conveyor/CI"],
    )
    assert request is not None
    assert request.event_payload["action"] == "synchronize"
    assert request.event_payload["before"] == head
    assert pull["head"]["sha"] == second_head
    assert sorted(run["name"] for run in again["check_runs"]) == ["build", "test"]
