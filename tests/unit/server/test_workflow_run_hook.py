"""The server's workflow_run hook: a run that completes (or is requested) on the server starts
the default-branch workflows whose `on.workflow_run` names it, with GitHub's payload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.run_history import NewRun, StoredRun
from conveyor.model.results import Conclusion
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.workflow_run_hook import WorkflowRunHook
from conveyor.store.handle import StoreHandle, opened_store
from tests.unit.server.schedule_helpers import CI, REPOSITORY, scheduled_repository, source_for

AFTER_CI = """\
name: Deploy after CI
on:
  workflow_run:
    workflows: [CI]
    types: [completed]
    branches: [main]
jobs:
  deploy:
    if: github.event.workflow_run.conclusion == 'success'
    runs-on: ubuntu-latest
    steps:
      - run: echo deploy
"""
ON_REQUEST = AFTER_CI.replace("Deploy after CI", "Announce").replace("completed", "requested")


@pytest.fixture
def hooked(
    tmp_path: Path, conveyor_home: Path
) -> Iterator[tuple[WorkflowRunHook, StoreHandle, str]]:
    repo, sha = scheduled_repository(
        tmp_path / "repo",
        {"ci.yml": CI, "after-ci.yml": AFTER_CI, "announce.yml": ON_REQUEST},
    )
    with opened_store(conveyor_home) as store:
        context = ServerContext(conveyor_home, store, FakeStarter(), FakeControl(), FakeTokens())
        context.workflows = source_for(repo)
        yield WorkflowRunHook(context), store, sha


def ci_run(
    store: StoreHandle, ref: str = "refs/heads/main", payload: dict[str, object] | None = None
) -> StoredRun:
    new = NewRun(
        REPOSITORY, "CI", ".github/workflows/ci.yml", "push", ref=ref, sha="c" * 40,
        actor="jane", event_payload=payload or {"ref": ref},
    )  # fmt: skip
    created = store.runs.create_run(new)
    return store.runs.finish_run(created.id, Conclusion.SUCCESS)


def starter_of(hook: WorkflowRunHook) -> FakeStarter:
    starter = hook.context.starter
    assert isinstance(starter, FakeStarter)
    return starter


def test_a_completed_run_starts_the_workflows_that_name_it(
    hooked: tuple[WorkflowRunHook, StoreHandle, str],
) -> None:
    hook, store, sha = hooked
    run = ci_run(store)
    started = hook.on_run_completed(run)
    [request] = starter_of(hook).requests
    assert started is not None
    assert started.run_ids == (1,)
    assert (request.repository, request.event_name) == (REPOSITORY, "workflow_run")
    assert (request.ref, request.sha) == ("refs/heads/main", sha)
    assert request.workflows == (".github/workflows/after-ci.yml",)
    upstream = request.payload["workflow_run"]
    assert isinstance(upstream, dict)
    assert request.payload["action"] == "completed"
    assert upstream["id"] == run.id
    assert (upstream["name"], upstream["conclusion"], upstream["status"]) == (
        "CI",
        "success",
        "completed",
    )
    assert (upstream["head_branch"], upstream["head_sha"], upstream["event"]) == (
        "main",
        "c" * 40,
        "push",
    )
    assert upstream["run_number"] == run.run_number


def test_a_requested_run_starts_the_requested_type_only(
    hooked: tuple[WorkflowRunHook, StoreHandle, str],
) -> None:
    hook, store, _ = hooked
    run = store.runs.create_run(
        NewRun(
            REPOSITORY,
            "CI",
            ".github/workflows/ci.yml",
            "push",
            ref="refs/heads/main",
            sha="c" * 40,
        )
    )
    hook.on_run_requested(run)
    [request] = starter_of(hook).requests
    assert request.workflows == (".github/workflows/announce.yml",)
    assert request.payload["workflow_run"]["conclusion"] is None  # type: ignore[index]


def test_nothing_starts_for_another_branch_or_a_workflow_nobody_names(
    hooked: tuple[WorkflowRunHook, StoreHandle, str],
) -> None:
    hook, store, _ = hooked
    started = hook.on_run_completed(ci_run(store, ref="refs/heads/feature"))
    assert started is not None
    assert started.run_ids == ()
    assert "head branch 'feature'" in started.not_fired[".github/workflows/after-ci.yml"]
    assert starter_of(hook).requests == []


def test_a_pull_request_runs_head_branch_is_the_pull_requests_head(
    hooked: tuple[WorkflowRunHook, StoreHandle, str],
) -> None:
    hook, store, _ = hooked
    payload: dict[str, object] = {"pull_request": {"head": {"ref": "main"}, "base": {"ref": "x"}}}
    hook.on_run_completed(ci_run(store, ref="refs/pull/3/merge", payload=payload))
    [request] = starter_of(hook).requests
    assert request.payload["workflow_run"]["head_branch"] == "main"  # type: ignore[index]
