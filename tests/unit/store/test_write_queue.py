"""Threads of one process that write to one SQLite database queue for it: a write waiting for
another thread's transaction begins as soon as that one ends, instead of SQLite's busy handler
sleeping and polling (1, 2, 5, 10, 15, 20, 25 ms... between tries), which made a webhook
delivery wait tens of milliseconds behind another under load. Errors stay what they were: a
database still locked after CONVEYOR_DATABASE_TIMEOUT is a StoreError that says so."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from conveyor.errors import StoreError
from conveyor.store import StoreHandle, open_store
from conveyor.store.database import Database, _writers
from conveyor.store.location import DatabaseSettings


@pytest.fixture
def database(conveyor_home: Path) -> Iterator[Database]:
    handle: StoreHandle = open_store(conveyor_home)
    assert isinstance(handle.database, Database)
    yield handle.database
    handle.close()


@contextmanager
def traced(database: Database) -> Iterator[list[tuple[str, str]]]:
    """(thread name, statement) as each SQLite connection starts running a statement (before
    any busy waiting), in order."""
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def trace(statement: str) -> None:
        with lock:
            seen.append((threading.current_thread().name, statement))

    def checkout(dbapi_connection: Any, *_args: Any) -> None:
        dbapi_connection.set_trace_callback(trace)

    event.listen(database.engine, "checkout", checkout)
    try:
        yield seen
    finally:
        event.remove(database.engine, "checkout", checkout)


def test_a_write_waits_for_another_threads_write_in_the_process_not_in_sqlite(
    database: Database,
) -> None:
    holding = threading.Event()

    def second() -> None:
        holding.wait(5)
        with database.write() as conn:
            conn.execute(text("SELECT 2"))

    with traced(database) as seen:
        waiter = threading.Thread(target=second, name="second")
        waiter.start()
        with database.write() as conn:
            conn.execute(text("SELECT 1"))
            holding.set()
            time.sleep(0.05)  # the second thread asks meanwhile
        waiter.join(10)
    statements = [(who, what) for who, what in seen if what.startswith(("BEGIN", "COMMIT"))]
    first = threading.current_thread().name
    assert statements == [
        (first, "BEGIN IMMEDIATE"),
        (first, "COMMIT"),
        ("second", "BEGIN IMMEDIATE"),
        ("second", "COMMIT"),
    ]


def test_a_write_still_waiting_after_the_timeout_is_a_store_error(
    conveyor_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVEYOR_DATABASE_TIMEOUT", "0.2")
    handle = open_store(conveyor_home)
    assert isinstance(handle.database, Database)
    database, holding, release = handle.database, threading.Event(), threading.Event()

    def holder() -> None:
        with database.write():
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    holding.wait(5)
    started = time.monotonic()
    try:
        with pytest.raises(StoreError, match=r"is locked .*\(waited 0\.2 s\)"), database.write():
            pass
    finally:
        release.set()
        thread.join(10)
        handle.close()
    assert time.monotonic() - started < 5


def test_a_database_another_process_keeps_locked_is_a_store_error_after_the_timeout(
    conveyor_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVEYOR_DATABASE_TIMEOUT", "0.2")
    _write_gives_up_after_the_timeout(open_store(conveyor_home), "0.2")


def _write_gives_up_after_the_timeout(handle: StoreHandle, seconds: str) -> None:
    """Another connection holds the write lock (as another process's write would): a write
    waits `seconds` and fails saying so. Closes `handle`."""
    assert isinstance(handle.database, Database)
    other = sqlite3.connect(handle.database.location, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        locked = rf"is locked by another process \(waited {re.escape(seconds)} s\)"
        with pytest.raises(StoreError, match=locked), handle.database.write():
            pass
    finally:
        other.close()
        handle.close()


def test_a_forked_child_does_not_wait_for_a_writer_of_its_parent(database: Database) -> None:
    """A thread of the parent holds the queue when the process forks: the child's queue is its
    own (the parent's thread does not exist in the child to release it). Only the queue is
    looked at in the child: SQLite's own locks must not be used across a fork."""
    holding, release = threading.Event(), threading.Event()

    def holder() -> None:
        with database.write():
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    holding.wait(5)
    try:
        assert not _writers.of(database.location).acquire(blocking=False)  # held, here
        pid = os.fork()
        if pid == 0:
            os._exit(0 if _writers.of(database.location).acquire(timeout=2) else 1)
        _, status = os.waitpid(pid, 0)
    finally:
        release.set()
        thread.join(10)
    assert os.waitstatus_to_exitcode(status) == 0


def test_the_timeout_handed_to_the_store_is_the_one_it_waits(
    conveyor_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller's settings (bootstrap's `Settings.database`), not the environment."""
    monkeypatch.setenv("CONVEYOR_DATABASE_TIMEOUT", "30")
    started = time.monotonic()
    _write_gives_up_after_the_timeout(
        open_store(conveyor_home, database=DatabaseSettings(timeout=0.2)), "0.2"
    )
    assert time.monotonic() - started < 10
