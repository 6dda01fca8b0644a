"""A push to a hosted repository fires events as a webhook would: `push` per updated ref with
GitHub's payload, `create`/`delete` for new and deleted branches and tags (each validated against
GitHub's webhook schema), and the ref listeners hear every update. With the server's real
starter and pool, a workflow `on: push` runs at the pushed commit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest

from conveyor.engine.ports.server_runs import EventRequest
from conveyor.git.hosting import RefUpdate
from conveyor.model.events import ZERO_SHA
from conveyor.server.context import ServerContext
from conveyor.server.hosting import create_hosted
from conveyor.server.token_verifier import StoreTokenVerifier
from conveyor.store import open_store
from conveyor.store.api_tokens import SqlTokenStore
from conveyor.store.handle import StoreHandle
from conveyor.store.served_repositories import served_repositories
from tests.support.hosted_git import GitClient
from tests.support.webhook_schema import webhook_problems
from tests.unit.server.hosted_forge import Forge, forge  # noqa: F401  (the fixture)
from tests.unit.server.served import served_app, wait_completed

CI = """\
name: CI
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "built ${{ github.sha }} by ${{ github.event.pusher.name }}"
"""


def _by_event(requests: list[EventRequest]) -> list[tuple[str, str, str]]:
    return [(r.event_name, r.ref, r.sha) for r in requests]


def _valid(request: EventRequest) -> None:
    assert webhook_problems(request.event_name, request.payload) == [], request.event_name


def test_pushes_fire_push_create_and_delete_events_github_s_schemas_accept(
    forge: Forge,  # noqa: F811
    tmp_path: Path,
) -> None:
    git, work = forge.git, tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    first = git.commit(work, {"a.txt": "a\n", "b.txt": "b\n"}, "first")
    git.ok(work, "push", "-q", forge.remote(), "main")
    created = forge.starter.requests[:]
    assert _by_event(created) == [
        ("create", "refs/heads/main", first),
        ("push", "refs/heads/main", first),
    ]
    push = created[1].payload
    assert (push["before"], push["after"], push["created"], push["forced"]) == (
        ZERO_SHA, first, True, False,
    )  # fmt: skip
    assert push["pusher"] == {"name": "write-token", "email": "write-token@users.noreply.localhost"}
    head = push["head_commit"]
    assert isinstance(head, Mapping)
    assert (head["id"], head["added"], head["message"]) == (first, ["a.txt", "b.txt"], "first")
    assert push["repository"]["full_name"] == "acme/app"  # type: ignore[index]
    assert push["repository"]["html_url"] == f"{forge.url}/acme/app"  # type: ignore[index]
    for request in created:
        _valid(request)

    (work / "a.txt").write_text("changed\n")
    (work / "b.txt").unlink()
    second = git.commit(work, {"c.txt": "c\n"}, "second")
    git.ok(work, "tag", "v1")
    git.ok(work, "push", "-q", forge.remote(), "main", "v1", "main:refs/heads/feature")
    moved = forge.starter.requests[len(created) :]
    assert _by_event(moved) == [
        ("create", "refs/heads/feature", second),
        ("push", "refs/heads/feature", second),
        ("push", "refs/heads/main", second),
        ("create", "refs/tags/v1", second),
        ("push", "refs/tags/v1", second),
    ]
    main_push = moved[2].payload
    assert main_push["before"] == first
    (commit,) = main_push["commits"]  # type: ignore[misc]
    assert (commit["added"], commit["removed"], commit["modified"]) == (
        ["c.txt"], ["b.txt"], ["a.txt"],
    )  # fmt: skip
    for request in moved:
        _valid(request)

    git.ok(work, "reset", "-q", "--hard", first)
    git.ok(work, "push", "-q", "--force", forge.remote(), "main:feature")
    git.ok(work, "push", "-q", forge.remote(), "--delete", "v1")
    last = forge.starter.requests[len(created) + len(moved) :]
    assert _by_event(last) == [
        ("push", "refs/heads/feature", first),
        ("delete", "refs/heads/main", second),  # a delete runs on the default branch
    ]
    assert last[0].payload["forced"] is True
    assert last[1].payload["ref"] == "v1"
    assert last[1].payload["ref_type"] == "tag"
    for request in last:
        _valid(request)


def test_ref_listeners_hear_each_update_after_its_events(
    forge: Forge,  # noqa: F811
    tmp_path: Path,
) -> None:
    heard: list[RefUpdate] = []
    context = forge.context
    context.ref_listeners.append(lambda _context, update: heard.append(update))
    context.ref_listeners.insert(0, _failing_listener)  # a failure stops no one
    git, work = forge.git, tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    first = git.commit(work, {"a.txt": "a\n"}, "first")
    git.ok(work, "push", "-q", forge.remote(), "main")
    second = git.commit(work, {"a.txt": "b\n"}, "second")
    git.ok(work, "push", "-q", forge.remote(), "main")
    assert heard == [
        RefUpdate("acme/app", "refs/heads/main", ZERO_SHA, first, "write-token"),
        RefUpdate("acme/app", "refs/heads/main", first, second, "write-token"),
    ]


def _failing_listener(context: ServerContext, update: RefUpdate) -> None:
    raise RuntimeError("a listener that fails")


@pytest.fixture
def served_forge(conveyor_home: Path, tmp_path: Path) -> Iterator[tuple[str, str, StoreHandle]]:
    store = open_store(conveyor_home)
    token = SqlTokenStore(store.database).create("pusher", "write")  # type: ignore[arg-type]
    create_hosted(conveyor_home, served_repositories(store), "acme/app")
    try:
        with served_app(conveyor_home, store) as (wired, url):
            wired.context.tokens = StoreTokenVerifier.of(store)
            yield url, token, store
    finally:
        store.close()


def test_a_push_starts_the_workflow_on_push_at_the_pushed_commit(
    served_forge: tuple[str, str, StoreHandle], tmp_path: Path
) -> None:
    url, token, store = served_forge
    git, work = GitClient(tmp_path), tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    sha = git.commit(work, {".github/workflows/ci.yml": CI}, "add CI")
    git.ok(work, "push", "-q", git.url(url, "acme/app", token), "main")
    runs = httpx.get(f"{url}/api/v1/runs", headers={"Authorization": f"Bearer {token}"}).json()
    (run,) = runs["runs"]
    assert (run["event"], run["sha"], run["repo"]) == ("push", sha, "acme/app")
    assert wait_completed(store, run["id"]) == "success"


def test_a_push_of_more_than_three_tags_fires_no_tag_events_as_on_github(
    forge: Forge,  # noqa: F811
    tmp_path: Path,
) -> None:
    git, work = forge.git, tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    sha = git.commit(work, {"a.txt": "a\n"}, "first")
    for tag in ("v1", "v2", "v3", "v4"):
        git.ok(work, "tag", tag)
    git.ok(work, "push", "-q", forge.remote(), "main", "--tags")
    assert _by_event(forge.starter.requests) == [
        ("create", "refs/heads/main", sha),
        ("push", "refs/heads/main", sha),
    ]
    git.ok(work, "tag", "v5")
    git.ok(work, "push", "-q", forge.remote(), "v5")  # three or fewer: they fire
    assert _by_event(forge.starter.requests)[2:] == [
        ("create", "refs/tags/v5", sha),
        ("push", "refs/tags/v5", sha),
    ]
