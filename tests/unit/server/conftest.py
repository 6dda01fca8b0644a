"""Fixtures for the API tests: a real store, runs recorded by a real `conveyor run` on a real git
repository, tokens of each role, and the application served by real uvicorn."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter
from conveyor.server.token_verifier import StoreTokenVerifier
from conveyor.store import StoreHandle, open_store
from conveyor.store.api_tokens import SqlTokenStore
from tests.support.http_server import running_app

WORKFLOW = """\
name: CI
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo hello-from-build
      - run: mkdir -p out/sub && echo data > out/a.txt && echo more > out/sub/b.txt
      - uses: actions/upload-artifact@v4
        with: {name: bundle, path: out}
  fail:
    runs-on: ubuntu-latest
    steps:
      - run: echo failing && exit 3
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=repo, check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture
def recorded_repo(tmp_path: Path, conveyor_home: Path) -> Path:
    """A git repository whose CI workflow `conveyor run` ran once (run 1: build ok, fail fails)."""
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    env = os.environ | {"CONVEYOR_HOME": str(conveyor_home), "CONVEYOR_PLAIN": "1"}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    done = subprocess.run(
        [sys.executable, "-m", "conveyor", "run", str(repo)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # the `fail` job fails
    return repo


@dataclass
class Api:
    url: str
    store: StoreHandle
    control: FakeControl
    context: ServerContext
    tokens: dict[str, str]  # role name -> token (named reader, writer, admin)

    def client(self, role: str | None = "admin") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)

    def token(self, name: str, role: str) -> str:
        return SqlTokenStore(self.store.database).create(name, role)  # type: ignore[arg-type]


@pytest.fixture
def api(conveyor_home: Path) -> Iterator[Api]:
    store = open_store(conveyor_home)
    tokens = SqlTokenStore(store.database)  # type: ignore[arg-type]
    made = {role: tokens.create(name, role) for name, role in ROLE_TOKENS}
    control = FakeControl()
    context = ServerContext(
        conveyor_home, store, FakeStarter(), control, StoreTokenVerifier.of(store)
    )
    try:
        with running_app(create_app(context)) as url:
            yield Api(url, store, control, context, made)
    finally:
        store.close()


ROLE_TOKENS = (("reader", "read"), ("writer", "write"), ("admin", "admin"))
