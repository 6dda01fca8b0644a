"""End to end: real git repositories, real workflow files (through the loader), real decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.git import EventRequest, build_event
from conveyor.model.events import Event
from conveyor.model.workflow import Workflow
from conveyor.triggers import MatchResult, event_for_workflow, github_context, match_workflow
from conveyor.workflow import discover_workflows, load_workflow
from tests.unit.git.conftest import History, build_history
from tests.unit.git.repo_factory import make_repo, write_workflow

pytestmark = pytest.mark.integration

JOBS = "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n"
WORKFLOWS = {
    "ci.yml": "name: CI\non:\n  push:\n    branches: [main, 'releases/**']\n"
    "  pull_request:\n    branches: [main]\n",
    "docs.yml": "on:\n  push:\n    paths: ['docs/**', '**.md']\n",
    "code.yml": "on:\n  push:\n    paths-ignore: ['docs/**', '**.md']\n"
    "  pull_request:\n    paths-ignore: ['docs/**', '**.md']\n",
    "release.yml": "on:\n  push:\n    tags: ['v*']\n",
    "pr-closed.yml": "on:\n  pull_request:\n    types: [closed]\n",
    "pr-default.yml": "on: pull_request\n",
    "manual.yml": "on:\n  workflow_dispatch:\n    inputs:\n      level:\n        type: choice\n"
    "        options: [info, debug]\n        default: info\n      dry:\n        type: boolean\n"
    "  schedule:\n    - cron: '0 3 * * 1-5'\n",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> History:
    repo = make_repo(tmp_path_factory.mktemp("e2e") / "repo", remote="https://github.com/o/r")
    for name, text in WORKFLOWS.items():
        write_workflow(repo, name, text + JOBS)
    return build_history(repo)  # workflows are untracked: they never show up as changes


@pytest.fixture(scope="module")
def workflows(project: History) -> dict[str, Workflow]:
    loaded = {}
    for path in discover_workflows(project.repo.root):
        result = load_workflow(path)
        assert result.workflow is not None, result.diagnostics
        loaded[path.name] = result.workflow
    return loaded


def decide(
    project: History, workflows: dict[str, Workflow], **request: object
) -> dict[str, MatchResult]:
    event = build_event(project.repo.root, EventRequest(**request))  # type: ignore[arg-type]
    return {name: match_workflow(workflow.on, event) for name, workflow in workflows.items()}


def firing(results: dict[str, MatchResult]) -> set[str]:
    return {name for name, result in results.items() if result.fires}


def test_branch_push_with_a_code_change(project: History, workflows: dict[str, Workflow]) -> None:
    results = decide(project, workflows, name="push", ref="main")
    assert firing(results) == {"ci.yml", "code.yml"}
    assert results["docs.yml"].reason == (
        "the only changed file 'src/other.py' does not match paths [docs/**, '**.md']"
    )
    assert results["release.yml"].reason == (
        "branch 'main' was pushed, but the workflow filters only tags"
    )


def test_docs_only_push(project: History, workflows: dict[str, Workflow]) -> None:
    results = decide(project, workflows, name="push", ref="docs")
    assert firing(results) == {"docs.yml"}
    assert results["code.yml"].reason == "paths-ignore matched all 2 changed files"
    assert results["ci.yml"].reason == "branch 'docs' is not in branches [main, releases/**]"


def test_tag_push(project: History, workflows: dict[str, Workflow]) -> None:
    results = decide(project, workflows, name="push", ref="v1.0")
    # path filters are not evaluated for tags; branch-only workflows do not run
    assert firing(results) == {"release.yml", "docs.yml", "code.yml"}
    assert (
        results["ci.yml"].reason == "tag 'v1.0' was pushed, but the workflow filters only branches"
    )
    other_tag = decide(project, workflows, name="push", ref="nightly")
    assert other_tag["release.yml"].reason == "tag 'nightly' is not in tags [v*]"


def test_pull_request_actions_against_types(
    project: History, workflows: dict[str, Workflow]
) -> None:
    opened = decide(project, workflows, name="pull_request", head="topic")
    assert firing(opened) == {"ci.yml", "code.yml", "pr-default.yml"}
    assert opened["pr-closed.yml"].reason == "action 'opened' is not in types [closed]"
    closed = decide(project, workflows, name="pull_request", head="topic", action="closed")
    assert "pr-closed.yml" in firing(closed)
    assert closed["pr-default.yml"].reason == (
        "action 'closed' is not in the default types of pull_request "
        "[opened, synchronize, reopened]"
    )


def test_pull_request_filters_look_at_the_base_branch_and_merge_base(
    project: History, workflows: dict[str, Workflow]
) -> None:
    into_docs = decide(project, workflows, name="pull_request", base="docs", head="topic")
    assert into_docs["ci.yml"].reason == "base branch 'docs' is not in branches [main]"
    docs_pr = decide(project, workflows, name="pull_request", head="docs")
    assert docs_pr["code.yml"].reason == "paths-ignore matched all 2 changed files"


def test_force_push(project: History, workflows: dict[str, Workflow]) -> None:
    event = build_event(project.repo.root, EventRequest("push", ref="main", base=project.c3))
    assert event.payload["forced"] is True
    assert match_workflow(workflows["ci.yml"].on, event).fires


def test_skip_ci_in_the_head_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write_workflow(repo, "ci.yml", "on: [push, pull_request]\n" + JOBS)
    repo.commit({"a.txt": "1"}, "base")
    repo.checkout("wip", create=True)
    repo.commit({"a.txt": "2"}, "Try something [skip ci]")
    workflow = load_workflow(repo.root / ".github" / "workflows" / "ci.yml").workflow
    assert workflow is not None
    for name in ("push", "pull_request"):
        event = build_event(repo.root, EventRequest(name))
        result = match_workflow(workflow.on, event)
        assert result.reason == "the head commit message contains '[skip ci]'"
    target = build_event(repo.root, EventRequest("pull_request_target"))
    assert not match_workflow(workflow.on, target).fires  # not listed in on:, skip not applied


def test_workflow_dispatch_inputs(project: History, workflows: dict[str, Workflow]) -> None:
    manual = workflows["manual.yml"]
    good = build_event(
        project.repo.root, EventRequest("workflow_dispatch", inputs={"level": "debug"})
    )
    assert match_workflow(manual.on, good).fires
    bound = event_for_workflow(good, manual.on, workflow_path=".github/workflows/manual.yml")
    assert bound.inputs == {"level": "debug", "dry": False}
    assert bound.payload["inputs"] == {"level": "debug", "dry": "false"}
    bad = build_event(project.repo.root, EventRequest("workflow_dispatch", inputs={"level": "x"}))
    result = match_workflow(manual.on, bad)
    assert not result.fires
    assert "input 'level' must be one of [info, debug]" in result.reason


def test_schedule_and_github_context(project: History, workflows: dict[str, Workflow]) -> None:
    event = build_event(project.repo.root, EventRequest("schedule"))
    assert match_workflow(workflows["manual.yml"].on, event).fires
    assert not match_workflow(workflows["ci.yml"].on, event).fires
    bound = event_for_workflow(event, workflows["manual.yml"].on, workflow_path="m.yml")
    context = github_context(bound, workflow="manual", job="build")
    assert context["event"] == {"schedule": "0 3 * * 1-5"}
    assert (context["ref"], context["sha"]) == ("refs/heads/main", project.c5)
    assert (context["repository"], context["repository_owner"]) == ("o/r", "o")


def test_pull_request_context(project: History) -> None:
    event: Event = build_event(project.repo.root, EventRequest("pull_request", head="topic"))
    context = github_context(event, workflow="CI", job="build")
    assert (context["base_ref"], context["head_ref"]) == ("main", "topic")
    assert (context["ref"], context["ref_name"]) == ("refs/pull/1/merge", "1/merge")
    assert context["event"]["pull_request"]["head"]["sha"] == project.c3  # type: ignore[index]
