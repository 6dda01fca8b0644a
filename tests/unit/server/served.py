"""What the server's tests share: a real git repository with workflows, a registered
repository, a signed delivery, the server wired as `conveyor serve` wires it."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from conveyor.bootstrap.server_wiring import Served, serve_runs
from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeTokens
from conveyor.server.webhook_events import signature
from conveyor.store.handle import StoreHandle
from conveyor.store.served_repositories import ServedRepository
from tests.support.http_server import running_app

SECRET = "It's a Secret to Everybody"
NAME = "acme/app"
CI = """\
name: CI
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "built ${{ github.sha }}"
"""


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def make_repo(root: Path, workflows: dict[str, str] | None = None) -> str:
    """A repository on `main` with the workflows committed; its head commit."""
    directory = root / ".github" / "workflows"
    directory.mkdir(parents=True)
    for name, text in (workflows or {"ci.yml": CI}).items():
        (directory / name).write_text(text, encoding="utf-8")
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "-A")
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
    git(root, *identity, "commit", "--quiet", "-m", "first")
    return git(root, "rev-parse", "HEAD")


def register(store: StoreHandle, source: Path, secret: str | None = SECRET) -> None:
    from conveyor.store.served_repositories import served_repositories

    repository = ServedRepository(NAME, str(source), "main", False, 0.0)
    served_repositories(store).add(repository, secret)


def push_payload(sha: str, before: str = "0" * 40) -> dict[str, object]:
    return {
        "ref": "refs/heads/main",
        "before": before,
        "after": sha,
        "created": before == "0" * 40,
        "deleted": False,
        "repository": {
            "full_name": NAME,
            "name": "app",
            "owner": {"login": "acme"},
            "default_branch": "main",
        },
        "sender": {"login": "octocat"},
        "head_commit": {"id": sha, "message": "first"},
        "commits": [],
    }


@dataclass
class Delivery:
    body: bytes
    headers: dict[str, str]


def delivery(
    payload: dict[str, object], event: str = "push", number: int = 1, secret: str = SECRET
) -> Delivery:
    body = json.dumps(payload).encode()
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": f"delivery-{number}",
        "X-Hub-Signature-256": signature(secret, body),
        "Content-Type": "application/json",
    }
    return Delivery(body, headers)


def post(base_url: str, sent: Delivery) -> httpx.Response:
    return httpx.post(f"{base_url}/webhooks/github", content=sent.body, headers=sent.headers)


@dataclass
class Wired:
    served: Served
    context: ServerContext


@contextmanager
def served(home: Path, store: StoreHandle, *, jobs: int = 2, pool: bool = True) -> Iterator[Wired]:
    """The server's runs and pool (started unless `pool` is False), and its context."""
    wired = serve_runs(home, store, jobs=jobs)
    runs = wired.runs
    context = ServerContext(home, store, runs, runs, FakeTokens(), repositories=wired.repositories)
    if pool:
        wired.pool.start()
    try:
        yield Wired(wired, context)
    finally:
        wired.pool.stop(grace=30)


def wait_completed(store: StoreHandle, run_id: int, timeout: float = 60, attempt: int = 1) -> str:
    """The run's conclusion once its `attempt` is completed (polled, bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = store.runs.get_run(run_id)
        if run is not None and run.attempt >= attempt and run.status == "completed":
            return str(run.conclusion)
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not complete in {timeout}s: {run}")


@contextmanager
def served_app(home: Path, store: StoreHandle, *, pool: bool = True) -> Iterator[tuple[Wired, str]]:
    """`served(...)` behind a real uvicorn: the wiring and the server's base URL."""
    with served(home, store, pool=pool) as wired, running_app(create_app(wired.context)) as url:
        yield wired, url
