"""Runs and their attempts in SQL: create, query, finish, rerun, cancel."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, insert, or_, select, update

from conveyor.engine.ports.store import (
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
from conveyor.store.models import ConcurrencyGroupRow, JobRow, RepositoryRow, RunRow
from conveyor.store.payloads import load_payload, save_payload
from conveyor.store.row_values import run_record
from conveyor.store.rows import dumps, loads_mapping, now, repository_id

ACTIVE = tuple(str(status) for status in ACTIVE_STATUSES)
# Built once: a webhook delivery creates runs many times a second.
_LOCK_REPOSITORY = (
    select(RepositoryRow.c.id).where(RepositoryRow.c.id == bindparam("repo")).with_for_update()
)
_LAST_NUMBER = select(func.max(RunRow.c.run_number)).where(
    RunRow.c.repository_id == bindparam("repo"), RunRow.c.workflow_path == bindparam("path")
)
_INSERT_RUN = insert(RunRow).returning(RunRow.c.id)


def run_select() -> Select[Any]:
    return select(RunRow, RepositoryRow.c.key.label("repository_key")).join(
        RepositoryRow, RepositoryRow.c.id == RunRow.c.repository_id
    )


def fetch_run(conn: Connection, run_id: int) -> StoredRun | None:
    row = conn.execute(run_select().where(RunRow.c.id == run_id)).first()
    return None if row is None else run_record(row, row.repository_key)


def require_run(conn: Connection, run_id: int) -> StoredRun:
    record = fetch_run(conn, run_id)
    if record is None:
        raise StoreError(f"there is no run {run_id}")
    return record


def create_run(conn: Connection, new: NewRun) -> StoredRun:
    return require_run(conn, insert_run(conn, new))


def insert_run(conn: Connection, new: NewRun) -> int:
    """The id of the run `new`, inserted with the repository's next run number."""
    repo = repository_id(conn, new.repository)
    if conn.dialect.name != "sqlite":  # SQLite's writers are one at a time (BEGIN IMMEDIATE)
        # Lock the repository row so run numbers are handed out one at a time.
        conn.execute(_LOCK_REPOSITORY, {"repo": repo})
    last = conn.execute(_LAST_NUMBER, {"repo": repo, "path": new.workflow_path}).scalar()
    values = new_run_values(new) | {
        "repository_id": repo,
        "run_number": (last or 0) + 1,
        "payload_id": save_payload(conn, new.event_payload),
    }
    return int(conn.execute(_INSERT_RUN, values).scalar_one())


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
        "created_at": now(),
        "owner_pid": owner.pid if owner else None,
        "owner_host": owner.host if owner else None,
        "owner_token": owner.token if owner else None,
        "cancel_requested": False,
        "concurrency_group": new.concurrency_group,
        "inputs": dumps(dict(new.inputs)),
        "options": dumps(dict(new.options)),
    }


def list_runs(conn: Connection, query: RunQuery) -> list[StoredRun]:
    statement = run_select().order_by(RunRow.c.id.desc()).limit(max(query.limit, 0))
    if query.workflow:
        name = query.workflow
        statement = statement.where(
            or_(
                RunRow.c.workflow == name,
                RunRow.c.workflow_path == name,
                RunRow.c.workflow_path.endswith("/" + name, autoescape=True),
            )
        )
    if query.status:
        statement = statement.where(status_filter(query.status))
    if query.repository:
        statement = statement.where(RepositoryRow.c.key == query.repository)
    return [run_record(row, row.repository_key) for row in conn.execute(statement)]


def status_filter(value: str) -> Any:
    if value in {str(status) for status in RunStatus}:
        return RunRow.c.status == value
    if value in {str(c) for c in Conclusion}:
        return RunRow.c.conclusion == value
    raise StoreError(f"unknown run status or conclusion {value!r}")


def set_run_status(conn: Connection, run_id: int, status: RunStatus) -> None:
    values: dict[str, object] = {"status": str(status)}
    if status is RunStatus.IN_PROGRESS:
        values["started_at"] = func.coalesce(RunRow.c.started_at, now())
    conn.execute(
        update(RunRow).where(RunRow.c.id == run_id, RunRow.c.status.in_(ACTIVE)).values(**values)
    )


def finish_run(
    conn: Connection, run_id: int, conclusion: Conclusion, reason: str | None
) -> StoredRun:
    require_run(conn, run_id)
    conn.execute(
        update(RunRow)
        .where(RunRow.c.id == run_id, RunRow.c.status.in_(ACTIVE))
        .values(
            status=str(RunStatus.COMPLETED),
            conclusion=str(conclusion),
            reason=reason,
            finished_at=now(),
            started_at=func.coalesce(RunRow.c.started_at, now()),
        )
    )
    release_run_slots(conn, [run_id])
    return require_run(conn, run_id)


def release_run_slots(conn: Connection, run_ids: Collection[int]) -> None:
    """Free every concurrency slot the runs hold: a finished run never keeps a group."""
    groups = ConcurrencyGroupRow
    conn.execute(
        update(groups)
        .where(groups.c.running_run_id.in_(run_ids))
        .values(running_holder=None, running_run_id=None, updated_at=now())
    )
    conn.execute(
        update(groups)
        .where(groups.c.pending_run_id.in_(run_ids))
        .values(pending_holder=None, pending_run_id=None, updated_at=now())
    )


def run_request(conn: Connection, run_id: int) -> StoredRequest | None:
    record = fetch_run(conn, run_id)
    if record is None:
        return None
    row = conn.execute(
        select(RunRow.c.payload_id, RunRow.c.inputs, RunRow.c.options).where(RunRow.c.id == run_id)
    ).one()
    return StoredRequest(
        record,
        load_payload(conn, row.payload_id),
        loads_mapping(row.inputs),
        loads_mapping(row.options),
    )


def begin_attempt(
    conn: Connection, run_id: int, owner: ProcessOwner | None, reuse: Collection[str]
) -> StoredRun:
    """Start attempt N+1 of a finished run, carrying over the listed jobs of attempt N."""
    record = require_run(conn, run_id)
    if record.status in ACTIVE_STATUSES:
        raise StoreError(f"run {run_id} is still {record.status}: wait for it or cancel it first")
    attempt = record.attempt + 1
    conn.execute(
        update(RunRow)
        .where(RunRow.c.id == run_id)
        .values(
            attempt=attempt,
            status=str(RunStatus.QUEUED),
            conclusion=None,
            reason=None,
            started_at=None,
            finished_at=None,
            owner_pid=owner.pid if owner else None,
            owner_host=owner.host if owner else None,
            owner_token=owner.token if owner else None,
            cancel_requested=False,
        )
    )
    copy_jobs(conn, run_id, record.attempt, attempt, reuse)
    return require_run(conn, run_id)


def copy_jobs(
    conn: Connection, run_id: int, source: int, target: int, keys: Collection[str]
) -> None:
    if not keys:
        return
    rows = (
        conn.execute(
            select(JobRow).where(
                JobRow.c.run_id == run_id,
                JobRow.c.attempt == source,
                JobRow.c.instance_key.in_(list(keys)),
            )
        )
        .mappings()
        .all()
    )
    for row in rows:
        values = {k: v for k, v in row.items() if k != "id"}
        conn.execute(insert(JobRow).values(**(values | {"attempt": target, "reused": True})))


def request_cancel(conn: Connection, run_id: int, instance_key: str | None) -> None:
    if instance_key is None:
        conn.execute(update(RunRow).where(RunRow.c.id == run_id).values(cancel_requested=True))
        return
    conn.execute(
        update(JobRow)
        .where(JobRow.c.run_id == run_id, JobRow.c.instance_key == instance_key)
        .values(cancel_requested=True)
    )


def cancel_requested(conn: Connection, run_id: int, instance_key: str | None) -> bool:
    run_flag = conn.execute(select(RunRow.c.cancel_requested).where(RunRow.c.id == run_id)).scalar()
    if run_flag or instance_key is None:
        return bool(run_flag)
    attempt = select(RunRow.c.attempt).where(RunRow.c.id == run_id).scalar_subquery()
    job_flag = conn.execute(
        select(JobRow.c.cancel_requested).where(
            JobRow.c.run_id == run_id,
            JobRow.c.attempt == attempt,
            JobRow.c.instance_key == instance_key,
        )
    ).scalar()
    return bool(job_flag)
