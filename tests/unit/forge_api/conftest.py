"""The local forge's API under test: a real store, a hosted bare repository (main and a feature
branch) registered with its path as URL, tokens, and the application on real uvicorn. Every
response any test receives is checked against GitHub's REST API description."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.principals import Principal, Role
from conveyor.store import StoreHandle, open_store
from conveyor.store.served_repositories import ServedRepository, served_repositories
from tests.support.http_server import running_app
from tests.support.rest_conformance import conformance_problem

OWNER, NAME = "octo", "app"
REPO = f"{OWNER}/{NAME}"
TOKENS = {
    "read-token": Principal("reader", Role.READ),
    "write-token": Principal("writer", Role.WRITE),
    "admin-token": Principal("admin", Role.ADMIN),
    # as the store's verifier gives job tokens: the read role, scopes, one repository
    "job-token": Principal("job:1", Role.READ, {"issues": "write", "contents": "read"}, REPO),
    "other-job-token": Principal("job:2", Role.READ, {"issues": "write"}, "octo/other"),
    "release-job-token": Principal("job:3", Role.READ, {"contents": "write"}, REPO),
}
ROLE_TOKEN = {
    "read": "read-token",
    "write": "write-token",
    "admin": "admin-token",
    "job": "job-token",
    "other-job": "other-job-token",
    "release-job": "release-job-token",  # contents: write, no pull-requests scope
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=dev@example.com", "-c", "user.name=Dev", *args],
        cwd=root, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


def hosted_repository(home: Path, work: Path) -> Path:
    """A bare repository with `main` (one commit) and `feature` (one more, changing a file)."""
    bare = home / "server" / "hosted" / OWNER / f"{NAME}.git"
    bare.mkdir(parents=True)
    git(bare, "init", "-q", "--bare", "-b", "main")
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    (work / "README.md").write_text("hello\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "first")
    git(work, "checkout", "-qb", "feature")
    (work / "README.md").write_text("hello\nworld\n")
    (work / "new.txt").write_text("new\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "Add world")
    git(work, "push", "-q", str(bare), "main", "feature")
    return bare


@dataclass
class Forge:
    url: str
    api: str  # url + /api/v3
    store: StoreHandle
    starter: FakeStarter
    bare: Path
    work: Path
    context: ServerContext | None = None  # the application's

    def client(self, role: str | None = "write", *, scheme: str = "token") -> httpx.Client:
        headers = {"Accept": "application/vnd.github+json"}
        if role is not None:
            headers["Authorization"] = f"{scheme} {ROLE_TOKEN[role]}"
        return httpx.Client(
            base_url=self.api, headers=headers, timeout=10,
            event_hooks={"response": [conforms]},
        )  # fmt: skip

    def sha(self, ref: str) -> str:
        return git(self.bare, "rev-parse", ref)


def conforms(response: httpx.Response) -> None:
    """Fail the test when the response is not what GitHub's description allows."""
    response.read()
    path = response.request.url.path
    if not path.startswith("/api/v3/"):
        return
    is_json = response.headers.get("content-type", "").startswith("application/json")
    body = response.json() if is_json and response.content else None
    problem = conformance_problem(
        response.request.method, path.removeprefix("/api/v3"), response.status_code, body
    )
    assert problem is None, problem


@pytest.fixture
def forge(conveyor_home: Path, tmp_path: Path) -> Iterator[Forge]:
    bare = hosted_repository(conveyor_home, tmp_path / "work")
    store = open_store(conveyor_home)
    served_repositories(store).add(ServedRepository(REPO, str(bare), "main", False, 0.0), None)
    starter = FakeStarter()
    context = ServerContext(conveyor_home, store, starter, FakeControl(), FakeTokens(TOKENS))
    try:
        with running_app(create_app(context)) as url:
            yield Forge(url, f"{url}/api/v3", store, starter, bare, tmp_path / "work", context)
    finally:
        store.close()
