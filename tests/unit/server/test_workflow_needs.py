"""The run page's graph reads each job's `needs` from the run's workflow file: a local run's
from its directory, a served run's from the repository's git at the run's commit."""

from __future__ import annotations

from pathlib import Path

from conveyor.engine.ports.run_history import StoredRun
from conveyor.engine.ports.store import RunStatus
from conveyor.server.repository_workflows import GitRepositoryWorkflows
from conveyor.server.workflow_needs import local_job_needs, served_job_needs
from tests.unit.server.served import NAME, make_repo

CI = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{run: make}]
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps: [{run: ./deploy}]
"""


def stored(repository: str, sha: str | None) -> StoredRun:
    return StoredRun(
        1, repository, "CI", ".github/workflows/ci.yml", 1, "push", "refs/heads/main", sha,
        1, RunStatus.QUEUED, None, 0.0,
    )  # fmt: skip


def test_a_served_runs_needs_are_read_at_its_commit_from_the_repository(tmp_path: Path) -> None:
    sha = make_repo(tmp_path / "app", {"ci.yml": CI})
    (tmp_path / "app/.github/workflows/ci.yml").write_text(CI.replace("needs: build", ""))
    needs = served_job_needs(GitRepositoryWorkflows({NAME: (tmp_path / "app", "main")}))
    assert needs(stored(NAME, sha)) == {"build": (), "deploy": ("build",)}
    assert needs(stored("other/repo", sha)) == {}
    assert needs(stored(NAME, None)) == {}


def test_a_local_runs_needs_are_read_from_its_directory_also_on_the_server(
    tmp_path: Path,
) -> None:
    make_repo(tmp_path / "app", {"ci.yml": CI})
    local = stored(str(tmp_path / "app"), None)
    assert local_job_needs(local)["deploy"] == ("build",)
    assert served_job_needs(GitRepositoryWorkflows({}))(local)["deploy"] == ("build",)
