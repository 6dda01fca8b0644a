"""Opening the database: SQLite (WAL) by default, PostgreSQL (psycopg 3); errors → StoreError.

SQLite settings, chosen on purpose (docs/store.md):
- `journal_mode=WAL`: readers (`conveyor runs`, `logs --follow`) never block the writing run.
- `synchronous=NORMAL` for progress (steps, jobs): in WAL mode a commit survives the death of
  the process (kill -9) because it is in the OS page cache; only a power cut can lose the last few.
- `synchronous=FULL` for the commits that end something (a run, an attempt): `durable()` fsyncs
  the WAL on that commit, so a completed run survives even a power cut right after it.
- Write transactions start with `BEGIN IMMEDIATE` so writers queue on `busy_timeout` instead of
  failing on a read-to-write upgrade; a database still locked after the timeout is a StoreError.
- The threads of one process queue for a database file on a lock of their own before BEGIN
  IMMEDIATE: each is woken as soon as the one before commits, where SQLite's busy handler sleeps
  and polls (a server taking webhooks on many threads waited up to tens of ms behind one
  another); other processes still meet at SQLite's lock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, exc

from conveyor.errors import StoreError, UsageError
from conveyor.private_files import private_directory
from conveyor.store.location import DEFAULT_TIMEOUT, conveyor_home, database_url

T = TypeVar("T")


class _Writers:
    """This process's queue of writers per SQLite file; a forked child starts with none (a
    lock held by a thread of the parent would never be released in the child)."""

    def __init__(self) -> None:
        self.forget()

    def of(self, location: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(location, threading.RLock())

    def forget(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.RLock] = {}


_writers = _Writers()
os.register_at_fork(after_in_child=_writers.forget)


@dataclass
class Database:
    """An engine plus transaction helpers; `write()` and `read()` translate driver errors."""

    engine: Engine
    location: str  # for messages: the file or the server, never a password
    timeout: float = DEFAULT_TIMEOUT  # seconds a write waits for a lock (DatabaseSettings)
    _local: threading.local = field(default_factory=threading.local, init=False, repr=False)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Plain reads and writes on this thread share one transaction until the block ends."""
        with self.write() as conn:
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def _shared(self) -> Connection | None:
        return getattr(self._local, "conn", None)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def write(self, *, durable: bool = False, schema: bool = False) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite); `durable` fsyncs its commit.

        `schema`: for migrations on SQLite, foreign keys are off so a table rebuilt by a batch
        migration does not cascade-delete the rows that point at it.
        """
        shared = self._shared()
        if shared is not None and not durable and not schema:
            yield shared
            return
        settings = self.sqlite_settings(durable=durable, schema=schema)
        with self.translated(), self._queued(), self.engine.connect() as conn:
            conn = conn.execution_options(conveyor_write=True)
            for during, _after in settings:
                _pragma(conn, during)
            try:
                with conn.begin():
                    yield conn
            finally:
                for _during, after in settings:
                    _pragma(conn, after)

    @contextmanager
    def _queued(self) -> Iterator[None]:
        """Wait for this process's other writers of the SQLite file (none on PostgreSQL)."""
        if not self.is_sqlite:
            yield
            return
        queue = _writers.of(self.location)
        if not queue.acquire(timeout=self.timeout):
            raise StoreError(
                f"the database {self.location} is locked by another writer of this process "
                f"(waited {self.timeout:g} s); try again when it is done"
            )
        try:
            yield
        finally:
            queue.release()

    def sqlite_settings(self, *, durable: bool, schema: bool) -> list[tuple[str, str]]:
        if not self.is_sqlite:
            return []
        settings = [("synchronous=FULL", "synchronous=NORMAL")] if durable else []
        if schema:
            settings.append(("foreign_keys=OFF", "foreign_keys=ON"))
        return settings

    @contextmanager
    def read(self) -> Iterator[Connection]:
        shared = self._shared()
        if shared is not None:
            yield shared
            return
        with self.translated(), self.engine.connect() as conn, conn.begin():
            yield conn

    def run_write(self, work: Callable[[Connection], T], *, durable: bool = False) -> T:
        with self.write(durable=durable) as conn:
            return work(conn)

    def run_read(self, work: Callable[[Connection], T]) -> T:
        with self.read() as conn:
            return work(conn)

    @contextmanager
    def translated(self) -> Iterator[None]:
        try:
            yield
        except exc.OperationalError as error:
            raise StoreError(self.describe(error)) from error
        except exc.DBAPIError as error:
            raise StoreError(f"database error on {self.location}: {error.orig}") from error

    def describe(self, error: exc.OperationalError) -> str:
        text = str(error.orig)
        if "locked" in text or "busy" in text:
            return (
                f"the database {self.location} is locked by another process "
                f"(waited {self.timeout:g} s); try again when it is done"
            )
        return f"cannot use the database {self.location}: {text}"

    def dispose(self) -> None:
        self.engine.dispose()


def connect(url: str, timeout: float = DEFAULT_TIMEOUT) -> Database:
    """Create the engine for `url`; a SQLite file's directory is created (mode 0700).
    `timeout`: seconds to wait for a database another writer has locked."""
    if url.startswith("sqlite"):
        return _sqlite(url, timeout)
    if url.startswith("postgresql"):
        return _postgresql(url, timeout)
    scheme = url.split(":", 1)[0]
    raise UsageError(f"unsupported CONVEYOR_DATABASE_URL scheme {scheme!r} (sqlite or postgresql)")


def _sqlite(url: str, timeout: float) -> Database:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path and path != ":memory:":
        private_directory(Path(path).parent)
        try:  # the database holds (encrypted) secrets and variables: private from the start
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        except OSError as error:
            raise StoreError(f"cannot create the database {path}: {error}") from error
    engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False})

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        _sqlite_on_connect(dbapi_connection, timeout)

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return Database(engine, path or url, timeout)


def _sqlite_on_connect(dbapi_connection: Any, timeout: float) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_on_begin)
    cursor = dbapi_connection.cursor()
    try:
        _wal(cursor, timeout)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _pragma(conn: Connection, setting: str) -> None:
    """Run a PRAGMA outside any transaction, on the driver connection itself."""
    conn.connection.driver_connection.execute(f"PRAGMA {setting}")  # type: ignore[union-attr]


def _sqlite_on_begin(conn: Connection) -> None:
    """BEGIN (IMMEDIATE for a write) on the driver connection itself: a third of an empty
    transaction's time went through SQLAlchemy's statement machinery for it."""
    write = conn.get_execution_options().get("conveyor_write", False)
    statement = "BEGIN IMMEDIATE" if write else "BEGIN"
    try:
        conn.connection.driver_connection.execute(statement)  # type: ignore[union-attr]
    except sqlite3.Error as error:  # SQLAlchemy's form, which `translated()` explains
        raise exc.DBAPIError.instance(statement, (), error, sqlite3.Error) from error


def _postgresql(url: str, timeout: float) -> Database:
    try:
        engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except exc.ArgumentError as error:
        raise StoreError(f"CONVEYOR_DATABASE_URL is not a valid database URL: {error}") from error
    except ModuleNotFoundError as error:
        raise StoreError(f"PostgreSQL needs the psycopg 3 driver: {error}") from error
    return Database(engine, engine.url.render_as_string(hide_password=True), timeout)


def _wal(cursor: Any, timeout: float) -> None:
    """Turning a new database to WAL needs an exclusive lock, and SQLite answers "locked" at once
    (no busy wait) when another process does it too: retry until the lock timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


__all__ = ["Database", "connect", "conveyor_home", "database_url"]
