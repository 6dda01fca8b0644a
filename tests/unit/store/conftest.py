"""Fixtures for the store tests: a real SQLite store under the test's CONVEYOR_HOME."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from conveyor.engine.ports.store import NewRun
from conveyor.store import StoreHandle, open_store
from conveyor.store.handle import lite_handle

REPO = "/work/example"
# Every store suite runs on both adapters of the SQLite store: SQLAlchemy Core (which migrates,
# and serves PostgreSQL) and stdlib sqlite3 (what `conveyor run` records through).
ADAPTERS = ["sql", "lite"]


def open_adapter(adapter: str, home: Path) -> StoreHandle:
    handle = open_store(home)
    if adapter == "sql":
        return handle
    handle.close()
    lite = lite_handle(home)
    assert lite is not None, "a store at HEAD opens through stdlib sqlite3"
    return lite


@pytest.fixture(params=ADAPTERS)
def store(request: pytest.FixtureRequest, conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_adapter(request.param, conveyor_home)
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


@contextmanager
def raw_sql(store: StoreHandle) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection (autocommit) on the store's file, whichever adapter wrote it."""
    with closing(sqlite3.connect(store.home / "conveyor.db", isolation_level=None)) as conn:
        yield conn
