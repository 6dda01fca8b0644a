"""Conformance: every example payload GitHub publishes (@octokit/webhooks-examples) for an event
conveyor takes goes through the webhook intake (headers, repository, target ref and commit) and
becomes conveyor's event (`event_from_payload`, as the server builds it) with GitHub's ref, sha
and action. Events not taken are listed with the reason."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from conveyor.git import GitRepository
from conveyor.git.event_files import event_from_payload
from conveyor.git.local_context import LocalContext
from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.webhook_events import (
    EVENTS,
    ZERO_SHA,
    addressed_repository,
    event_target,
    read_headers,
    repository_name,
    signature,
)
from conveyor.store import open_store
from conveyor.store.served_repositories import ServedRepository, served_repositories
from tests.support.http_server import running_app
from tests.support.octokit import WEBHOOK_EXAMPLES, webhook_examples

# Examples of pull_request stand for pull_request_target (GitHub publishes none of its own: the
# payload is the same).
EXAMPLES_OF = {event: event for event in EVENTS} | {"pull_request_target": "pull_request"}
# Events conveyor does not take from GitHub's webhooks, and why.
NOT_TAKEN = {
    "workflow_run": "fired by the server itself when its own runs end (workflow_run_hook)",
    "schedule": "not a webhook: the server's schedule loop fires it",
}


def _examples() -> list[Any]:
    if not WEBHOOK_EXAMPLES.is_file():
        return [pytest.param("push", 0, id="not-installed")]  # the loader skips (or fails in CI)
    counts = {entry["name"]: len(entry["examples"]) for entry in webhook_examples()}
    return [
        pytest.param(event, index, id=f"{event}-{index}")
        for event in sorted(EXAMPLES_OF)
        for index in range(counts.get(EXAMPLES_OF[event], 0))
    ]


def _example(event: str, index: int) -> dict[str, Any]:
    entry = next(e for e in webhook_examples() if e["name"] == EXAMPLES_OF[event])
    return dict(entry["examples"][index])


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> LocalContext:
    root = tmp_path_factory.mktemp("examples")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "one"], check=True)
    return LocalContext.open(GitRepository.open(root))


def _github_ref(event: str, payload: Mapping[str, Any]) -> str:
    """GITHUB_REF as GitHub documents it for each event ("Events that trigger workflows")."""
    default = "refs/heads/" + payload["repository"]["default_branch"]
    pull = payload.get("pull_request", {})
    if event == "push" or event == "workflow_dispatch":
        return str(payload["ref"])
    if event == "create":
        kind = "tags" if payload["ref_type"] == "tag" else "heads"
        return f"refs/{kind}/{payload['ref']}"
    if event == "release":
        return "refs/tags/" + payload["release"]["tag_name"]
    if event == "pull_request":
        if payload["action"] == "closed" and pull["merged"]:
            return "refs/heads/" + pull["base"]["ref"]  # the merge ref is gone: the base branch
        return f"refs/pull/{payload['number']}/merge"
    return default  # pull_request_target (since 2025-12: the default branch) and the others


def _github_sha(event: str, payload: Mapping[str, Any]) -> str | None:
    """GITHUB_SHA when the payload says it (None: the ref's head, looked up in the repository)."""
    pull = payload.get("pull_request", {})
    if event == "push":
        return str(payload["after"])
    if event == "pull_request":
        return str(pull.get("merge_commit_sha") or pull["head"]["sha"])
    return None


@pytest.mark.parametrize(("event", "index"), _examples())
def test_each_published_example_parses_into_conveyor_s_event(
    event: str, index: int, context: LocalContext
) -> None:
    payload = _example(event, index)
    _assert_parses(event, payload, context)


def _assert_parses(event: str, payload: dict[str, Any], context: LocalContext) -> None:
    assert read_headers({"x-github-event": event, "x-github-delivery": "d-1"}).event == event
    if event == "ping":  # a repository's hook, or an organization's (no repository: a pong)
        assert addressed_repository(event, payload) == payload.get("repository", {}).get(
            "full_name"
        )
        return
    assert addressed_repository(event, payload) == repository_name(payload)
    default_branch = payload["repository"]["default_branch"]
    target = event_target(event, payload, default_branch)
    if event == "push" and payload["deleted"]:
        assert target.sha == ZERO_SHA  # a deleted ref's push starts nothing, as on GitHub
        return
    built = event_from_payload(context, event, payload, {})
    assert target.ref == built.ref == _github_ref(event, payload)
    expected_sha = _github_sha(event, payload)
    if expected_sha is not None:
        assert target.sha == built.sha == expected_sha
    assert built.action == payload.get("action")
    assert built.name == event


def test_a_merged_pull_request_runs_on_its_base_branch(context: LocalContext) -> None:
    payload = _example("pull_request", 3)
    assert payload["action"] == "closed"
    payload["pull_request"] |= {"merged": True, "merge_commit_sha": "1" * 40}
    _assert_parses("pull_request", payload, context)


def test_pull_request_target_runs_on_the_default_branch_whatever_the_base(
    context: LocalContext,
) -> None:
    # GitHub since 2025-12-08: the default branch's workflows and head commit, whatever the base.
    payload = _example("pull_request", 0)
    payload["pull_request"]["base"] |= {"ref": "release-1", "sha": "2" * 40}
    target = event_target("pull_request_target", payload, "main")
    assert target.ref == "refs/heads/" + payload["repository"]["default_branch"]
    assert target.sha == ""  # the default branch's head, looked up
    _assert_parses("pull_request_target", payload, context)


def test_the_events_not_taken_are_listed() -> None:
    published = {entry["name"] for entry in webhook_examples()}
    assert set(NOT_TAKEN).isdisjoint(EVENTS)
    assert "workflow_run" in published  # GitHub delivers it; conveyor fires its own


def test_every_example_goes_through_the_http_intake(conveyor_home: Path) -> None:
    """Each example, signed and posted to `/webhooks/github` on real uvicorn, reaches the run
    starter with GitHub's ref and commit (a ping or a deleted ref's push: nothing started)."""
    deliveries = [(event, _example(event, i)) for event, i in _indices()]
    store = open_store(conveyor_home)
    starter = FakeStarter()
    try:
        for name in {p["repository"]["full_name"] for _, p in deliveries if "repository" in p}:
            repository = ServedRepository(name, "/nowhere", "main", False, 0.0)
            served_repositories(store).add(repository, "s3cret")
        context = ServerContext(conveyor_home, store, starter, FakeControl(), FakeTokens({}))
        with running_app(create_app(context)) as url, httpx.Client(base_url=url) as client:
            answers = [_post(client, n, event, payload) for n, (event, payload) in
                       enumerate(deliveries)]  # fmt: skip
    finally:
        store.close()
    started = iter(starter.requests)
    for (event, payload), status in zip(deliveries, answers, strict=True):
        fires = event != "ping" and not (event == "push" and payload["deleted"])
        assert status == (202 if fires else 200), (event, payload.get("action"))
        if fires:
            request = next(started)
            assert (request.event_name, request.ref) == (event, _github_ref(event, payload))
            assert request.sha == (_github_sha(event, payload) or "")


def _indices() -> list[tuple[str, int]]:
    return [tuple(param.values) for param in _examples()]  # type: ignore[misc]


def _post(client: httpx.Client, number: int, event: str, payload: dict[str, Any]) -> int:
    body = json.dumps(payload).encode()
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": f"example-{number}",
        "X-Hub-Signature-256": signature("s3cret", body),
        "Content-Type": "application/json",
    }
    return client.post("/webhooks/github", content=body, headers=headers).status_code
