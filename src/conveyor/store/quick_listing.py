"""`conveyor runs` without SQLAlchemy: a read-only stdlib sqlite3 query of an up-to-date store.

Importing SQLAlchemy costs more than the whole listing, so for the default SQLite store the runs
command first tries this: it answers only when the file exists, its schema is at HEAD and no run
needs sweeping (an active run of this host whose process died); otherwise it returns None and
the command opens the store as usual (which migrates, sweeps and reports errors properly).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from types import SimpleNamespace

from conveyor.engine.ports.store import (
    ACTIVE_STATUSES,
    Conclusion,
    ProcessOwner,
    RunQuery,
    RunStatus,
    StoredRun,
)
from conveyor.store.location import DATABASE_FILE, lock_timeout
from conveyor.store.owner import host_name, is_alive
from conveyor.store.revision import HEAD, VERSION_TABLE
from conveyor.store.row_values import run_record

ACTIVE = tuple(str(status) for status in ACTIVE_STATUSES)
COLUMNS = (
    "runs.id, runs.workflow, runs.workflow_path, runs.run_number, runs.event, runs.ref, runs.sha, "
    "runs.actor, runs.attempt, runs.status, runs.conclusion, runs.reason, runs.created_at, "
    "runs.started_at, runs.finished_at, runs.owner_pid, runs.owner_host, runs.owner_token, "
    "runs.concurrency_group, repositories.key AS repository_key"
)


def quick_runs(home: Path, query: RunQuery) -> list[StoredRun] | None:
    if os.environ.get("CONVEYOR_DATABASE_URL", "").strip():
        return None
    path = home / DATABASE_FILE
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=lock_timeout())
    except sqlite3.Error:
        return None
    try:
        conn.row_factory = sqlite3.Row
        if not _current(conn) or _needs_sweep(conn):
            return None
        return _select(conn, query)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _current(conn: sqlite3.Connection) -> bool:
    row = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    return row is not None and row[0] == HEAD


def _needs_sweep(conn: sqlite3.Connection) -> bool:
    marks = ", ".join("?" for _ in ACTIVE)
    rows = conn.execute(
        "SELECT owner_pid, owner_host, owner_token FROM runs "
        f"WHERE owner_host = ? AND status IN ({marks})",
        (host_name(), *ACTIVE),
    )
    owners = (ProcessOwner(row[0], row[1], row[2]) for row in rows if row[0] is not None)
    return any(is_alive(owner) is False for owner in owners)


def _select(conn: sqlite3.Connection, query: RunQuery) -> list[StoredRun]:
    where, params = _filters(query)
    sql = (
        f"SELECT {COLUMNS} FROM runs JOIN repositories ON repositories.id = runs.repository_id"
        f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY runs.id DESC LIMIT ?"
    )
    rows = conn.execute(sql, (*params, max(query.limit, 0))).fetchall()
    return [run_record(SimpleNamespace(**dict(row)), row["repository_key"]) for row in rows]


def _filters(query: RunQuery) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    if query.workflow:
        where.append(
            "(runs.workflow = ? OR runs.workflow_path = ? OR runs.workflow_path LIKE ? ESCAPE '\\')"
        )
        escaped = query.workflow.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params += [query.workflow, query.workflow, "%/" + escaped]
    if query.status:
        column = "status" if query.status in {str(s) for s in RunStatus} else "conclusion"
        if column == "conclusion" and query.status not in {str(c) for c in Conclusion}:
            return ["0"], []
        where.append(f"runs.{column} = ?")
        params.append(query.status)
    if query.repository:
        where.append("repositories.key = ?")
        params.append(query.repository)
    return where, params
