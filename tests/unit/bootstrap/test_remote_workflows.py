"""Remote reusable workflows loaded by the repository's WorkflowSource through the run's
remote actions (real git over file://)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.bootstrap.workflow_source import RepositoryWorkflowSource
from conveyor.engine.planner import plan_workflow
from conveyor.errors import PlanError, WorkflowError
from conveyor.git.action_cache import ActionCache
from conveyor.git.action_remote import GitRemote
from conveyor.git.remote_actions import RemoteActionResolver
from conveyor.model.workflow import Workflow
from conveyor.workflow import load_workflow
from tests.support.git_server import GitServer

OUTER = """
on: workflow_call
jobs:
  nested:
    uses: ./.github/workflows/inner.yml
"""
INNER = """
on: workflow_call
jobs:
  leaf: {runs-on: ubuntu-latest, steps: [{run: echo leaf}]}
"""
CALLER = """
on: push
jobs:
  call:
    uses: acme/flows/.github/workflows/outer.yml@v1
"""


def _source(tmp_path: Path, server: GitServer | None) -> RepositoryWorkflowSource:
    (tmp_path / "repo").mkdir(exist_ok=True)
    remote = None
    if server is not None:
        cache = ActionCache(tmp_path / "cache")
        remote = RemoteActionResolver(cache, GitRemote(server.file_url))
    return RepositoryWorkflowSource(tmp_path / "repo", None, None, remote)


def _caller(tmp_path: Path, text: str = CALLER) -> Workflow:
    path = tmp_path / "ci.yml"
    path.write_text(text)
    workflow = load_workflow(path, display_path="ci.yml").workflow
    assert workflow is not None
    return workflow


def test_a_remote_workflow_and_its_local_calls_come_from_its_repository(
    git_server: GitServer, tmp_path: Path
) -> None:
    git_server.publish(
        "acme/flows",
        {".github/workflows/outer.yml": OUTER, ".github/workflows/inner.yml": INNER},
        tags=("v1",),
    )
    plan = plan_workflow(_caller(tmp_path), _source(tmp_path, git_server))
    outer = plan.calls["call"]
    assert outer.workflow.path == "acme/flows/.github/workflows/outer.yml@v1"
    assert list(outer.calls["nested"].jobs) == ["leaf"]


def test_a_missing_remote_workflow_or_no_fetching_is_a_plan_error(
    git_server: GitServer, tmp_path: Path
) -> None:
    git_server.publish("acme/flows", {"README": "x"}, tags=("v1",))
    with pytest.raises(WorkflowError, match=r"no \.github/workflows/outer\.yml in acme/flows at"):
        plan_workflow(_caller(tmp_path), _source(tmp_path, git_server))
    with pytest.raises(WorkflowError, match="remote workflows are not fetched here"):
        plan_workflow(_caller(tmp_path), _source(tmp_path, None))
    source = _source(tmp_path, git_server)
    with pytest.raises(PlanError, match="expected owner/repo/path"):
        source.load("acme/flows@v1", _caller(tmp_path))
