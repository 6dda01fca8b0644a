"""`conveyor runs` without SQLAlchemy: a read-only stdlib sqlite3 query of an up-to-date store.

Importing SQLAlchemy costs more than the whole listing, so for the default SQLite store the runs
command first tries this: it answers only when the file exists, its schema is at HEAD and no run
needs sweeping (an active run of this host whose process died); otherwise it returns None and
the command opens the store as usual (which migrates, sweeps and reports errors properly). The
query is the stdlib adapter's own (`lite_history.list_runs`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conveyor.engine.ports.run_history import RunQuery, StoredRun
from conveyor.errors import StoreError
from conveyor.store.lite_database import row_factory
from conveyor.store.lite_history import dead_runs, list_runs
from conveyor.store.location import DATABASE_FILE, DatabaseSettings
from conveyor.store.revision import HEAD, VERSION_TABLE


def quick_runs(home: Path, query: RunQuery, database: DatabaseSettings) -> list[StoredRun] | None:
    """The runs `query` asks for, or None (`database`: the store's, `Settings.database`)."""
    if database.url:
        return None
    path = home / DATABASE_FILE
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=database.timeout)
    except sqlite3.Error:
        return None
    try:
        conn.row_factory = row_factory
        if not _current(conn) or dead_runs(conn):
            return None
        return list_runs(conn, query)
    except (sqlite3.Error, StoreError):
        return None
    finally:
        conn.close()


def _current(conn: sqlite3.Connection) -> bool:
    row = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    return row is not None and row.version_num == HEAD
