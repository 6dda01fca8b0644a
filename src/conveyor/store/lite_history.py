"""Runs, attempts, event payloads, cancel requests and the abandonment sweep in stdlib sqlite3.

The same statements as `run_history`, `payloads` and `abandonment` (SQLAlchemy Core), written
for SQLite; tests/unit/store/test_lite_rows.py keeps the rows both write identical.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Collection, Mapping
from sqlite3 import Connection
from typing import Any

from conveyor.engine.ports.run_history import (
    ACTIVE_STATUSES,
    Conclusion,
    NewRun,
    ProcessOwner,
    RunQuery,
    RunStatus,
    StoredRequest,
    StoredRun,
)
from conveyor.errors import StoreError
from conveyor.store.digests import sha256_hex
from conveyor.store.json_columns import dumps, loads_mapping
from conveyor.store.lite_database import in_list
from conveyor.store.owner import abandonment_reason, dead_owners, host_name
from conveyor.store.row_values import run_record

ACTIVE = tuple(str(status) for status in ACTIVE_STATUSES)
_IS_ACTIVE = f"status IN ({in_list(ACTIVE)})"
RUN_SELECT = (
    "SELECT runs.*, repositories.key AS repository_key FROM runs "
    "JOIN repositories ON repositories.id = runs.repository_id"
)


def repository_id(conn: Connection, key: str, *, create: bool = True) -> int | None:
    query = "SELECT id FROM repositories WHERE key = ?"
    found = conn.execute(query, (key,)).fetchone()
    if found is not None or not create:
        return None if found is None else int(found.id)
    conn.execute(
        "INSERT INTO repositories (key, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (key, time.time()),
    )
    return int(conn.execute(query, (key,)).fetchone().id)


def fetch_run(conn: Connection, run_id: int) -> StoredRun | None:
    row = conn.execute(f"{RUN_SELECT} WHERE runs.id = ?", (run_id,)).fetchone()
    return None if row is None else run_record(row, row.repository_key)


def require_run(conn: Connection, run_id: int) -> StoredRun:
    record = fetch_run(conn, run_id)
    if record is None:
        raise StoreError(f"there is no run {run_id}")
    return record


def create_run(conn: Connection, new: NewRun) -> StoredRun:
    repo = repository_id(conn, new.repository)
    last = conn.execute(
        "SELECT max(run_number) AS last FROM runs WHERE repository_id = ? AND workflow_path = ?",
        (repo, new.workflow_path),
    ).fetchone()
    values = new_run_values(new) | {
        "repository_id": repo,
        "run_number": (last.last or 0) + 1,
        "payload_id": save_payload(conn, new.event_payload),
    }
    cursor = insert(conn, "runs", values)
    return require_run(conn, int(cursor.lastrowid or 0))


def insert(conn: Connection, table: str, values: Mapping[str, object], tail: str = "") -> Any:
    columns = ", ".join(f'"{name}"' for name in values)
    return conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({in_list(list(values))}){tail}",
        tuple(values.values()),
    )


def new_run_values(new: NewRun) -> dict[str, object]:
    owner = new.owner
    return {
        "workflow": new.workflow,
        "workflow_path": new.workflow_path,
        "event": new.event,
        "ref": new.ref,
        "sha": new.sha,
        "actor": new.actor,
        "attempt": 1,
        "status": str(RunStatus.QUEUED),
        "created_at": time.time(),
        "owner_pid": owner.pid if owner else None,
        "owner_host": owner.host if owner else None,
        "owner_token": owner.token if owner else None,
        "cancel_requested": False,
        "concurrency_group": new.concurrency_group,
        "inputs": dumps(dict(new.inputs)),
        "options": dumps(dict(new.options)),
    }


def save_payload(conn: Connection, payload: Mapping[str, object]) -> int | None:
    if not payload:
        return None
    raw = dumps(dict(payload)).encode("utf-8")
    digest = sha256_hex(raw)
    query = "SELECT id FROM event_payloads WHERE digest = ?"
    found = conn.execute(query, (digest,)).fetchone()
    if found is not None:
        return int(found.id)
    values = {"digest": digest, "size": len(raw), "data": zlib.compress(raw)}
    insert(conn, "event_payloads", values | {"created_at": time.time()}, " ON CONFLICT DO NOTHING")
    return int(conn.execute(query, (digest,)).fetchone().id)


def load_payload(conn: Connection, payload_id: int | None) -> dict[str, Any]:
    if payload_id is None:
        return {}
    row = conn.execute("SELECT data FROM event_payloads WHERE id = ?", (payload_id,)).fetchone()
    return loads_mapping(zlib.decompress(row.data).decode("utf-8"))


def list_runs(conn: Connection, query: RunQuery) -> list[StoredRun]:
    where, params = run_filters(query)
    sql = f"{RUN_SELECT}{' WHERE ' + ' AND '.join(where) if where else ''}"
    rows = conn.execute(f"{sql} ORDER BY runs.id DESC LIMIT ?", (*params, max(query.limit, 0)))
    return [run_record(row, row.repository_key) for row in rows]


def run_filters(query: RunQuery) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    if query.workflow:
        escaped = query.workflow.replace("/", "//").replace("%", "/%").replace("_", "/_")
        where.append(
            "(runs.workflow = ? OR runs.workflow_path = ? OR runs.workflow_path LIKE ? ESCAPE '/')"
        )
        params += [query.workflow, query.workflow, "%/" + escaped]
    if query.status:
        where.append(f"runs.{status_column(query.status)} = ?")
        params.append(query.status)
    if query.repository:
        where.append("repositories.key = ?")
        params.append(query.repository)
    return where, params


def status_column(value: str) -> str:
    if value in {str(status) for status in RunStatus}:
        return "status"
    if value in {str(c) for c in Conclusion}:
        return "conclusion"
    raise StoreError(f"unknown run status or conclusion {value!r}")


def set_run_status(conn: Connection, run_id: int, status: RunStatus) -> None:
    started = ", started_at = coalesce(started_at, ?)" if status is RunStatus.IN_PROGRESS else ""
    params = (time.time(),) if started else ()
    conn.execute(
        f"UPDATE runs SET status = ?{started} WHERE id = ? AND {_IS_ACTIVE}",
        (str(status), *params, run_id, *ACTIVE),
    )


def finish_run(
    conn: Connection, run_id: int, conclusion: Conclusion, reason: str | None
) -> StoredRun:
    require_run(conn, run_id)
    now = time.time()
    conn.execute(
        "UPDATE runs SET status = ?, conclusion = ?, reason = ?, finished_at = ?, "
        f"started_at = coalesce(started_at, ?) WHERE id = ? AND {_IS_ACTIVE}",
        (str(RunStatus.COMPLETED), str(conclusion), reason, now, now, run_id, *ACTIVE),
    )
    release_run_slots(conn, [run_id])
    return require_run(conn, run_id)


def release_run_slots(conn: Connection, run_ids: Collection[int]) -> None:
    marks, ids = in_list(list(run_ids)), tuple(run_ids)
    for slot in ("running", "pending"):
        conn.execute(
            f"UPDATE concurrency_groups SET {slot}_holder = NULL, {slot}_run_id = NULL, "
            f"updated_at = ? WHERE {slot}_run_id IN ({marks})",
            (time.time(), *ids),
        )


def run_request(conn: Connection, run_id: int) -> StoredRequest | None:
    record = fetch_run(conn, run_id)
    if record is None:
        return None
    row = conn.execute(
        "SELECT payload_id, inputs, options FROM runs WHERE id = ?", (run_id,)
    ).fetchone()
    return StoredRequest(
        record,
        load_payload(conn, row.payload_id),
        loads_mapping(row.inputs),
        loads_mapping(row.options),
    )


def begin_attempt(
    conn: Connection, run_id: int, owner: ProcessOwner | None, reuse: Collection[str]
) -> StoredRun:
    record = require_run(conn, run_id)
    if record.status in ACTIVE_STATUSES:
        raise StoreError(f"run {run_id} is still {record.status}: wait for it or cancel it first")
    attempt = record.attempt + 1
    conn.execute(
        "UPDATE runs SET attempt = ?, status = ?, conclusion = NULL, reason = NULL, "
        "started_at = NULL, finished_at = NULL, owner_pid = ?, owner_host = ?, "
        "owner_token = ?, cancel_requested = 0 WHERE id = ?",
        (
            attempt,
            str(RunStatus.QUEUED),
            owner.pid if owner else None,
            owner.host if owner else None,
            owner.token if owner else None,
            run_id,
        ),
    )
    copy_jobs(conn, run_id, record.attempt, attempt, reuse)
    return require_run(conn, run_id)


def copy_jobs(
    conn: Connection, run_id: int, source: int, target: int, keys: Collection[str]
) -> None:
    if not keys:
        return
    rows = conn.execute(
        "SELECT * FROM jobs WHERE run_id = ? AND attempt = ? "
        f"AND instance_key IN ({in_list(list(keys))}) ORDER BY id",
        (run_id, source, *keys),
    ).fetchall()
    for row in rows:
        values = {k: v for k, v in vars(row).items() if k != "id"}
        insert(conn, "jobs", values | {"attempt": target, "reused": True})


def request_cancel(conn: Connection, run_id: int, instance_key: str | None) -> None:
    if instance_key is None:
        conn.execute("UPDATE runs SET cancel_requested = 1 WHERE id = ?", (run_id,))
        return
    conn.execute(
        "UPDATE jobs SET cancel_requested = 1 WHERE run_id = ? AND instance_key = ?",
        (run_id, instance_key),
    )


def cancel_requested(conn: Connection, run_id: int, instance_key: str | None) -> bool:
    run = conn.execute("SELECT cancel_requested FROM runs WHERE id = ?", (run_id,)).fetchone()
    run_flag = run is not None and bool(run.cancel_requested)
    if run_flag or instance_key is None:
        return run_flag
    job = conn.execute(
        "SELECT cancel_requested FROM jobs WHERE run_id = ? AND instance_key = ? "
        "AND attempt = (SELECT attempt FROM runs WHERE id = ?)",
        (run_id, instance_key, run_id),
    ).fetchone()
    return job is not None and bool(job.cancel_requested)


def dead_runs(conn: Connection) -> list[tuple[int, ProcessOwner]]:
    rows = conn.execute(
        f"SELECT id, owner_pid, owner_host, owner_token FROM runs WHERE owner_host = ? "
        f"AND {_IS_ACTIVE}",
        (host_name(), *ACTIVE),
    ).fetchall()
    return dead_owners(rows)


def mark_abandoned(conn: Connection, dead: list[tuple[int, ProcessOwner]]) -> list[StoredRun]:
    marked = [run_id for run_id, owner in dead if _mark_run(conn, run_id, owner)]
    if marked:
        _close_children(conn, marked)
        release_run_slots(conn, marked)
    return [record for run_id in marked if (record := fetch_run(conn, run_id)) is not None]


def _mark_run(conn: Connection, run_id: int, owner: ProcessOwner) -> bool:
    reason = abandonment_reason(owner)
    cursor = conn.execute(
        "UPDATE runs SET status = ?, conclusion = ?, reason = ?, finished_at = ? "
        f"WHERE id = ? AND {_IS_ACTIVE} AND owner_pid = ? AND owner_host = ?",
        (
            str(RunStatus.COMPLETED),
            str(Conclusion.ABANDONED),
            reason,
            time.time(),
            run_id,
            *ACTIVE,
            owner.pid,
            owner.host,
        ),
    )
    return bool(cursor.rowcount)


def _close_children(conn: Connection, run_ids: list[int]) -> None:
    marks, done = in_list(list(run_ids)), (str(RunStatus.COMPLETED), str(Conclusion.ABANDONED))
    for table in ("jobs", "steps"):
        conn.execute(
            f"UPDATE {table} SET status = ?, conclusion = ?, finished_at = ? "
            f"WHERE run_id IN ({marks}) AND {_IS_ACTIVE}",
            (*done, time.time(), *run_ids, *ACTIVE),
        )
    open_states = ("queued", "in_progress", "waiting")
    conn.execute(
        f"UPDATE deployments SET status = 'error', updated_at = ? WHERE run_id IN ({marks}) "
        f"AND status IN ({in_list(open_states)})",
        (time.time(), *run_ids, *open_states),
    )
