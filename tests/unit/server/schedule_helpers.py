"""A real git repository with scheduled workflows, and a clock tests move by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from conveyor.server.repository_workflows import GitRepositoryWorkflows
from tests.unit.git.repo_factory import TestRepo, make_repo

REPOSITORY = "acme/app"

NIGHTLY = """\
name: Nightly
on:
  schedule:
    - cron: '*/15 * * * *'
  workflow_dispatch:
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - run: echo scan
"""

EVERY_MINUTE = """\
name: Busy
on:
  schedule:
    - cron: '* * * * *'
jobs:
  poll:
    runs-on: ubuntu-latest
    steps:
      - run: echo poll
"""

CI = """\
name: CI
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo test
"""


def at(hour: int, minute: int, second: int = 0) -> float:
    return datetime(2026, 3, 2, hour, minute, second, tzinfo=UTC).timestamp()


@dataclass
class FakeClock:
    now: float

    def __call__(self) -> float:
        return self.now


def scheduled_repository(root: Path, files: dict[str, str]) -> tuple[TestRepo, str]:
    repo = make_repo(root)
    sha = repo.commit({f".github/workflows/{name}": text for name, text in files.items()}, "ci")
    return repo, sha


def source_for(repo: TestRepo) -> GitRepositoryWorkflows:
    return GitRepositoryWorkflows({REPOSITORY: (repo.root, None)})


DEPLOY = """\
name: Deploy
on:
  workflow_dispatch:
    inputs:
      target:
        type: choice
        options: [staging, production]
        required: true
      dry_run:
        type: boolean
        default: false
      replicas:
        type: number
        default: 2
      place:
        type: environment
        required: false
      note:
        required: false
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo deploy
"""
