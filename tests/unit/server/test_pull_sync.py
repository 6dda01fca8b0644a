"""The ref listener behind `synchronize`: a push to a pull request's head branch moves it to
the new commit and fires `pull_request: synchronize` with `before` and `after`; a push made
with a job's token moves it and starts nothing (as GitHub's GITHUB_TOKEN); a tag or a deleted
branch does nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.git.hosting import RefUpdate
from conveyor.model.events import ZERO_SHA
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.hosting import create_hosted
from conveyor.server.pull_sync import synchronize_listener
from conveyor.store.forge_data import forge_data
from conveyor.store.forge_records import NewPull
from conveyor.store.handle import open_store
from conveyor.store.served_repositories import served_repositories
from tests.support.hosted_git import GitClient


@pytest.fixture
def pushed(
    conveyor_home: Path, tmp_path: Path
) -> Iterator[tuple[ServerContext, FakeStarter, GitClient, Path, str]]:
    store = open_store(conveyor_home)
    made = create_hosted(conveyor_home, served_repositories(store), "acme/app")
    git, work = GitClient(tmp_path), tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    base = git.commit(work, {"README.md": "hi\n"}, "first")
    git.ok(work, "switch", "-q", "-c", "feature")
    head = git.commit(work, {"app.py": "1\n"}, "app")
    git.ok(work, "push", "-q", made.url, "main", "feature")
    new = NewPull("T", None, "mona", "feature", head, "main", base)
    forge_data(store).pulls.create("acme/app", new)
    starter = FakeStarter()
    context = ServerContext(conveyor_home, store, starter, FakeControl(), FakeTokens())
    try:
        yield context, starter, git, work, made.url
    finally:
        store.close()


def push(git: GitClient, work: Path, url: str, text: str) -> tuple[str, str]:
    before = git.ok(work, "rev-parse", "HEAD")
    after = git.commit(work, {"app.py": text}, text)
    git.ok(work, "push", "-q", url, "feature")
    return before, after


def test_a_push_to_the_head_branch_fires_synchronize(pushed) -> None:  # type: ignore[no-untyped-def]
    context, starter, git, work, url = pushed
    before, after = push(git, work, url, "2\n")
    listener = synchronize_listener("http://ci.example")
    listener(context, RefUpdate("acme/app", "refs/heads/feature", before, after, "mona"))
    (request,) = starter.requests
    assert request.event_name == "pull_request"
    assert (request.payload["action"], request.payload["before"]) == ("synchronize", before)
    assert request.payload["after"] == after
    assert request.ref == "refs/pull/1/merge"
    assert str(request.payload["pull_request"]["html_url"]).startswith("http://ci.example/")  # type: ignore[index]
    listener(context, RefUpdate("acme/app", "refs/tags/v1", ZERO_SHA, after, "mona"))
    listener(context, RefUpdate("acme/app", "refs/heads/feature", after, ZERO_SHA, "mona"))
    assert len(starter.requests) == 1


def test_a_job_token_push_moves_the_pull_request_and_starts_nothing(pushed) -> None:  # type: ignore[no-untyped-def]
    context, starter, git, work, url = pushed
    before, after = push(git, work, url, "3\n")
    update = RefUpdate("acme/app", "refs/heads/feature", before, after, "job:build")
    synchronize_listener("http://ci.example")(context, update)
    assert starter.requests == []
    pull = forge_data(context.store).pulls.get("acme/app", 1)
    assert pull is not None
    assert pull.head_sha == after
