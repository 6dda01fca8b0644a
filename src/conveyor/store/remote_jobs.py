"""The jobs `conveyor serve --broker` hands to workers: the queue of record (DESIGN.md §6).

A row moves queued → claimed → done by conditional updates, so a duplicate doorbell or a second
worker changes nothing: `claim` takes a queued row for one worker and one per-job token (its
SHA-256 is kept, never the token); `renew` extends the lease of the holder of that token;
`requeue` (a lost worker: its lease expired) puts the row back, queued, as the next attempt,
and forgets the token, so the old worker can no longer report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from conveyor.store.database import Database
from conveyor.store.models import RemoteJobRow, RemoteWorkerRow
from conveyor.store.rows import now, upsert

QUEUED, CLAIMED, DONE = "queued", "claimed", "done"
ONLINE, DRAINING = "online", "draining"


@dataclass(frozen=True, slots=True)
class RemoteJob:
    id: int
    run_id: int
    instance_key: str
    labels: tuple[str, ...]
    state: str
    attempt: int
    worker: str | None
    lease_expires: float | None
    cancel: bool
    rung_at: float


@dataclass(frozen=True, slots=True)
class RemoteWorker:
    name: str
    labels: tuple[str, ...]
    capacity: int
    busy: int
    state: str
    last_heartbeat: float


def joined(labels: Sequence[str]) -> str:
    return ",".join(sorted(set(labels)))


def _split(text: str) -> tuple[str, ...]:
    return tuple(label for label in text.split(",") if label)


def _job(row: object) -> RemoteJob:
    m = row._mapping  # type: ignore[attr-defined]
    return RemoteJob(
        m["id"],
        m["run_id"],
        m["instance_key"],
        _split(m["labels"]),
        m["state"],
        m["attempt"],
        m["worker"],
        m["lease_expires"],
        bool(m["cancel"]),
        m["rung_at"],
    )


def enqueue(database: Database, run_id: int, instance_key: str, labels: Sequence[str]) -> int:
    values = {
        "run_id": run_id,
        "instance_key": instance_key,
        "labels": joined(labels),
        "state": QUEUED,
        "attempt": 1,
        "cancel": False,
        "rung_at": now(),
        "created_at": now(),
    }
    statement = insert(RemoteJobRow).values(**values).returning(RemoteJobRow.c.id)
    return int(database.run_write(lambda conn: conn.execute(statement).scalar_one()))


def get_job(database: Database, job_id: int) -> RemoteJob | None:
    query = select(RemoteJobRow).where(RemoteJobRow.c.id == job_id)
    row = database.run_read(lambda conn: conn.execute(query).first())
    return None if row is None else _job(row)


def claim(
    database: Database, job_id: int, worker: str, token_hash: str, lease: float
) -> int | None:
    """The attempt `worker` now holds, or None when the job is not queued (taken, done)."""
    statement = (
        update(RemoteJobRow)
        .where(RemoteJobRow.c.id == job_id, RemoteJobRow.c.state == QUEUED)
        .values(state=CLAIMED, worker=worker, token_hash=token_hash, lease_expires=now() + lease)
        .returning(RemoteJobRow.c.attempt)
    )
    attempt = database.run_write(lambda conn: conn.execute(statement).scalar())
    return None if attempt is None else int(attempt)


def holder(database: Database, job_id: int, token_hash: str) -> RemoteJob | None:
    """The job when `token_hash` holds its live lease (else None: a wrong or expired token)."""
    query = select(RemoteJobRow).where(
        RemoteJobRow.c.id == job_id,
        RemoteJobRow.c.state == CLAIMED,
        RemoteJobRow.c.token_hash == token_hash,
        RemoteJobRow.c.lease_expires > now(),
    )
    row = database.run_read(lambda conn: conn.execute(query).first())
    return None if row is None else _job(row)


def renew(database: Database, job_id: int, token_hash: str, lease: float) -> RemoteJob | None:
    """Extend the live lease held by `token_hash`; the job (its cancel flag), or None."""
    statement = (
        update(RemoteJobRow)
        .where(
            RemoteJobRow.c.id == job_id,
            RemoteJobRow.c.state == CLAIMED,
            RemoteJobRow.c.token_hash == token_hash,
            RemoteJobRow.c.lease_expires > now(),
        )
        .values(lease_expires=now() + lease)
        .returning(RemoteJobRow)
    )
    row = database.run_write(lambda conn: conn.execute(statement).first())
    return None if row is None else _job(row)


def finish(database: Database, job_id: int, result: str, token_hash: str | None = None) -> bool:
    """Done with `result`; with `token_hash`, only while that token holds the live lease."""
    where = [RemoteJobRow.c.id == job_id, RemoteJobRow.c.state != DONE]
    if token_hash is not None:
        where += [RemoteJobRow.c.token_hash == token_hash, RemoteJobRow.c.lease_expires > now()]
    statement = (
        update(RemoteJobRow).where(*where).values(state=DONE, result=result, token_hash=None)
    )
    return bool(database.run_write(lambda conn: conn.execute(statement).rowcount))


def request_cancel(database: Database, job_id: int) -> None:
    statement = update(RemoteJobRow).where(RemoteJobRow.c.id == job_id).values(cancel=True)
    database.run_write(lambda conn: conn.execute(statement))


def expired(database: Database) -> list[RemoteJob]:
    """Claimed jobs whose lease ran out (their worker is lost)."""
    query = select(RemoteJobRow).where(
        RemoteJobRow.c.state == CLAIMED, RemoteJobRow.c.lease_expires <= now()
    )
    return database.run_read(lambda conn: [_job(row) for row in conn.execute(query)])


def requeue(database: Database, job: RemoteJob) -> bool:
    """The lost attempt `job.attempt` queued again as the next one (one reaper wins)."""
    statement = (
        update(RemoteJobRow)
        .where(
            RemoteJobRow.c.id == job.id,
            RemoteJobRow.c.state == CLAIMED,
            RemoteJobRow.c.attempt == job.attempt,
        )
        .values(
            state=QUEUED,
            attempt=job.attempt + 1,
            worker=None,
            token_hash=None,
            lease_expires=None,
            rung_at=now(),
        )
    )
    return bool(database.run_write(lambda conn: conn.execute(statement).rowcount))


def waiting(database: Database, rung_before: float) -> list[RemoteJob]:
    """Queued jobs whose last doorbell is older than `rung_before` (the sweep rings again)."""
    query = select(RemoteJobRow).where(
        RemoteJobRow.c.state == QUEUED, RemoteJobRow.c.rung_at < rung_before
    )
    return database.run_read(lambda conn: [_job(row) for row in conn.execute(query)])


def rung(database: Database, job_id: int) -> None:
    statement = update(RemoteJobRow).where(RemoteJobRow.c.id == job_id).values(rung_at=now())
    database.run_write(lambda conn: conn.execute(statement))


# -- workers ----------------------------------------------------------------------------------


def register_worker(database: Database, name: str, labels: Sequence[str], capacity: int) -> None:
    def work(conn: Connection) -> None:
        values = {
            "name": name,
            "labels": joined(labels),
            "capacity": capacity,
            "busy": 0,
            "state": ONLINE,
            "last_heartbeat": now(),
        }
        statement = upsert(conn.dialect.name, RemoteWorkerRow).values(**values)
        changed = {key: value for key, value in values.items() if key != "name"}
        conn.execute(statement.on_conflict_do_update(index_elements=["name"], set_=changed))

    database.run_write(work)


def worker_heartbeat(database: Database, name: str, busy: int, state: str) -> bool:
    statement = (
        update(RemoteWorkerRow)
        .where(RemoteWorkerRow.c.name == name)
        .values(busy=busy, state=state, last_heartbeat=now())
    )
    return bool(database.run_write(lambda conn: conn.execute(statement).rowcount))


def deregister_worker(database: Database, name: str) -> bool:
    statement = delete(RemoteWorkerRow).where(RemoteWorkerRow.c.name == name)
    return bool(database.run_write(lambda conn: conn.execute(statement).rowcount))


def list_workers(database: Database) -> list[RemoteWorker]:
    query = select(RemoteWorkerRow).order_by(RemoteWorkerRow.c.name)

    def work(conn: Connection) -> list[RemoteWorker]:
        return [
            RemoteWorker(r.name, _split(r.labels), r.capacity, r.busy, r.state, r.last_heartbeat)
            for r in conn.execute(query)
        ]

    return database.run_read(work)
