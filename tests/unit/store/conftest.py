"""Fixtures for the store tests: a real SQLite store under the test's CONVEYOR_HOME."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.store import NewRun
from conveyor.store import StoreHandle, open_store

REPO = "/work/example"


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


def new_run(**changes: object) -> NewRun:
    values: dict[str, object] = {
        "repository": REPO,
        "workflow": "CI",
        "workflow_path": ".github/workflows/ci.yml",
        "event": "push",
        "ref": "refs/heads/main",
        "sha": "0123456789abcdef0123456789abcdef01234567",
        "actor": "alice",
    }
    values.update(changes)
    return NewRun(**values)  # type: ignore[arg-type]
