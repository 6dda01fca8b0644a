"""A served run reads the repository's conveyor.toml as committed at the event's commit (the
server's view of a repository has no working tree): its settings apply, and a bad file is a
startup failure naming `conveyor.toml (commit …)`, with no traceback in the server's log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.server_runs import EventRequest
from conveyor.store.handle import StoreHandle, open_store
from tests.unit.server.served import NAME, make_repo, push_payload, register, served, wait_completed

DEPLOY = """\
on: push
jobs:
  deploy:
    runs-on: windows-latest
    steps:
      - uses: acme/deploy@v1
      - run: echo deployed
"""

SETTINGS = """\
[actions.overrides]
"acme/deploy" = "skip"

[run.platforms]
"windows-latest" = "host"

[environments.production]
required_reviewers = ["alice"]
"""


@pytest.fixture
def store(conveyor_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StoreHandle]:
    monkeypatch.setenv("CONVEYOR_ACTIONS_OFFLINE", "1")  # acme/deploy is never fetched
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


def _repository(root: Path, settings: str) -> str:
    root.mkdir()
    (root / "conveyor.toml").write_text(settings, encoding="utf-8")
    return make_repo(root, {"deploy.yml": DEPLOY})


def _push(sha: str) -> EventRequest:
    return EventRequest(NAME, "push", push_payload(sha), "refs/heads/main", sha, "d-1")


def test_a_served_run_applies_the_committed_conveyor_toml(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    sha = _repository(tmp_path / "app", SETTINGS)
    register(store, tmp_path / "app")
    with served(conveyor_home, store) as wired:
        (run_id,) = wired.served.runs.start(_push(sha)).run_ids
        assert wait_completed(store, run_id) == "success"
    (job,) = store.runs.list_jobs(run_id, 1)
    steps = store.runs.list_steps(run_id, 1, job.instance_key)
    # acme/deploy, skipped by [actions.overrides]; the job ran on the host ([run.platforms])
    assert [str(step.conclusion) for step in steps] == ["skipped", "success"]
    production = store.environments.get_environment(NAME, "production")  # [environments]
    assert production is not None
    assert production.rules.required_reviewers == ("alice",)


def test_a_bad_committed_conveyor_toml_fails_the_run_naming_the_commit(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sha = _repository(tmp_path / "app", '[run.platforms]\n"windows-latest" = "hosted"\n')
    register(store, tmp_path / "app")
    with caplog.at_level(logging.INFO, logger="conveyor"), served(conveyor_home, store) as wired:
        (run_id,) = wired.served.runs.start(_push(sha)).run_ids
        assert wait_completed(store, run_id) == "startup_failure"
    run = store.runs.get_run(run_id)
    assert run is not None
    assert f"conveyor.toml (commit {sha[:12]}): run.platforms" in str(run.reason)
    assert not [record for record in caplog.records if record.exc_info]
