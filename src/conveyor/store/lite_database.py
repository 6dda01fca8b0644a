"""`LiteDatabase`: the default SQLite store through the standard library's sqlite3, no SQLAlchemy.

`conveyor run` records a run on every invocation, and importing SQLAlchemy costs more than a short
run (docs/store.md). When the SQLite file exists and its schema is at HEAD, the run path opens it
with this instead; the settings are the SQLAlchemy `Database`'s own: WAL, `synchronous=NORMAL`,
FULL for the commits that end something, `BEGIN IMMEDIATE` for writes, foreign keys on, driver
errors as StoreError. A missing, old or PostgreSQL database goes through `open_store()`, which
migrates. One connection serves every thread, one transaction at a time.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

from conveyor.errors import StoreError
from conveyor.store.location import DATABASE_FILE, DEFAULT_TIMEOUT, DatabaseSettings
from conveyor.store.revision import HEAD, VERSION_TABLE

T = TypeVar("T")


class Row(SimpleNamespace):
    """A result row read like SQLAlchemy's: `row.status`, `row._mapping["index"]`."""

    @property
    def _mapping(self) -> dict[str, Any]:
        return vars(self)


def row_factory(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> Row:
    """The row factory of the stdlib adapter's connections."""
    return Row(
        **{column[0]: value for column, value in zip(cursor.description, values, strict=True)}
    )


@dataclass
class LiteDatabase:
    connection: sqlite3.Connection
    location: str
    timeout: float = DEFAULT_TIMEOUT  # seconds a write waits for a lock (DatabaseSettings)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    _depth: int = field(default=0, init=False, repr=False)
    _owner: int | None = field(default=None, init=False, repr=False)  # the batch's thread

    def write(self, *, durable: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE); `durable` fsyncs its commit (synchronous=FULL).
        A write inside a batch joins the batch's transaction (on the batch's thread, with no
        lock or translation of its own: the batch holds both; the recorder's writer makes
        a hundred such writes a second)."""
        if self._owner == threading.get_ident():
            return nullcontext(self.connection)
        return self._write(durable)

    @contextmanager
    def _write(self, durable: bool) -> Iterator[sqlite3.Connection]:
        with self._lock, self.translated():
            if self._depth:
                yield self.connection
                return
            if durable:
                self.connection.execute("PRAGMA synchronous=FULL")
            try:
                yield from self._transaction()
            finally:
                if durable:
                    self.connection.execute("PRAGMA synchronous=NORMAL")

    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._depth += 1
        self._owner = threading.get_ident()
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")
        finally:
            self._owner = None
            self._depth -= 1

    def batch(self) -> AbstractContextManager[sqlite3.Connection]:
        """Calls made inside the block share one transaction (the recorder's)."""
        return self.write()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction (one snapshot of the WAL); inside a write, that transaction."""
        with self._lock, self.translated():
            if self._depth:
                yield self.connection
                return
            self._depth += 1
            self.connection.execute("BEGIN")
            try:
                yield self.connection
            finally:
                self._depth -= 1
                self.connection.execute("COMMIT")

    def run_write(self, work: Callable[[sqlite3.Connection], T], *, durable: bool = False) -> T:
        with self.write(durable=durable) as conn:
            return work(conn)

    def run_read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self.read() as conn:
            return work(conn)

    @contextmanager
    def translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as error:
            raise StoreError(self.describe(error)) from error
        except sqlite3.Error as error:
            raise StoreError(f"database error on {self.location}: {error}") from error

    def describe(self, error: sqlite3.Error) -> str:
        text = str(error)
        if "locked" in text or "busy" in text:
            return (
                f"the database {self.location} is locked by another process "
                f"(waited {self.timeout:g} s); try again when it is done"
            )
        return f"cannot use the database {self.location}: {text}"

    def prime_wal(self) -> None:
        """Start the write-ahead log now if it is empty (the last connection to close
        checkpointed it away): its first write fsyncs the WAL header (1-15 ms on a busy disk),
        and `conveyor run` calls this on the thread that opens the store, so the run's first
        write on the main thread does not pay it. The write sets `user_version` to its value:
        one page in the WAL, nothing changed."""
        wal = Path(f"{self.location}-wal")
        try:
            if wal.stat().st_size > 0:
                return
        except FileNotFoundError:
            pass
        with self.write() as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone().user_version)
            conn.execute(f"PRAGMA user_version={version}")

    def dispose(self) -> None:
        with self._lock:
            self.connection.close()


def open_lite(home: Path, database: DatabaseSettings) -> LiteDatabase | None:
    """The default SQLite store under `home` when it exists at HEAD; None otherwise (a database
    URL, no file, an older schema: `open_store()` handles those)."""
    if database.url:
        return None
    path = home / DATABASE_FILE
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(
            path, timeout=database.timeout, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error:
        return None
    try:
        if not _at_head(conn):
            conn.close()
            return None
        conn.row_factory = row_factory
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error:
        conn.close()
        return None
    return LiteDatabase(conn, str(path), database.timeout)


def _at_head(conn: sqlite3.Connection) -> bool:
    """The file is a WAL database whose schema is the code's revision."""
    mode = conn.execute("PRAGMA journal_mode").fetchone()
    if mode is None or str(mode[0]).lower() != "wal":
        return False
    row = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    return row is not None and row[0] == HEAD


def in_list(values: tuple[object, ...] | list[object]) -> str:
    """`?, ?, ?` for an `IN (…)` of `values`."""
    return ", ".join("?" for _ in values)


__all__ = ["HEAD", "LiteDatabase", "Row", "in_list", "open_lite"]
