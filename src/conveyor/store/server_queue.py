"""The database as `conveyor serve`'s queue of record.

A webhook delivery and the runs it creates commit in one transaction (`record_delivery`); a
repeated delivery id gives back the runs the first one made. Runs wait `queued` with no owner
until a server process claims one (`claim_run`: a conditional update, so one process gets it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select, update

from conveyor.engine.ports.store import NewRun, ProcessOwner, RunStatus
from conveyor.store.database import Database
from conveyor.store.models import RunRow, WebhookDeliveryRow
from conveyor.store.rows import insert_ignoring, now
from conveyor.store.run_history import insert_run
from conveyor.store.served_repositories import ServedRepository, find_repository

# Built once: every delivery runs them (SQLAlchemy then only looks their compiled form up).
_DELIVERY_RUNS = select(WebhookDeliveryRow.c.run_ids).where(
    WebhookDeliveryRow.c.delivery == bindparam("delivery")
)


@dataclass(frozen=True, slots=True)
class Delivery:
    delivery: str | None  # X-GitHub-Delivery; None: not a webhook (dispatch, schedule)
    repository: str
    event: str


@dataclass(frozen=True, slots=True)
class Recorded:
    run_ids: tuple[int, ...]
    duplicate: bool = False  # the delivery was recorded before: nothing new


def recorded_delivery(database: Database, delivery: str) -> tuple[int, ...] | None:
    """The run ids of a delivery recorded before, or None."""
    return database.run_read(lambda conn: _delivery_runs(conn, delivery))


def intake_reads(
    database: Database, delivery: str | None, repository: str
) -> tuple[tuple[int, ...] | None, ServedRepository | None]:
    """In one read: the run ids of `delivery` if it was recorded before (else None) and the
    served repository `repository` (None: not registered)."""

    def work(conn: Connection) -> tuple[tuple[int, ...] | None, ServedRepository | None]:
        known = None if delivery is None else _delivery_runs(conn, delivery)
        return known, find_repository(conn, repository)

    return database.run_read(work)


class _Taken(Exception):
    """The delivery id is recorded already (by a transaction that committed meanwhile)."""


def record_delivery(database: Database, delivery: Delivery, runs: Sequence[NewRun]) -> Recorded:
    """The runs, queued, and the delivery, in one transaction; when the delivery id was
    recorded before (its row is unique), nothing is: the first one's runs are the answer."""

    def work(conn: Connection) -> Recorded:
        ids = tuple(insert_run(conn, new) for new in runs)
        if delivery.delivery is not None and not _inserted(conn, delivery, ids):
            raise _Taken  # the runs roll back with the transaction
        return Recorded(ids)

    try:
        return database.run_write(work)
    except _Taken:
        assert delivery.delivery is not None
        return Recorded(recorded_delivery(database, delivery.delivery) or (), duplicate=True)


def _inserted(conn: Connection, delivery: Delivery, ids: tuple[int, ...]) -> bool:
    """Whether the delivery's row went in (not when its id is there already)."""
    statement = insert_ignoring(conn.dialect.name, WebhookDeliveryRow)
    return bool(conn.execute(statement, _delivery_values(delivery, ids)).rowcount)


def _delivery_values(delivery: Delivery, ids: tuple[int, ...]) -> dict[str, object]:
    return {
        "delivery": delivery.delivery,
        "repository": delivery.repository,
        "event": delivery.event,
        "run_ids": json.dumps(list(ids)),
        "received_at": now(),
    }


def _delivery_runs(conn: Connection, delivery: str) -> tuple[int, ...] | None:
    text = conn.execute(_DELIVERY_RUNS, {"delivery": delivery}).scalar()
    return None if text is None else tuple(int(i) for i in json.loads(text))


def queued_runs(database: Database, limit: int = 50) -> list[int]:
    """Runs waiting for a process (queued, no owner), oldest first."""
    query = (
        select(RunRow.c.id)
        .where(RunRow.c.status == str(RunStatus.QUEUED), RunRow.c.owner_pid.is_(None))
        .order_by(RunRow.c.id)
        .limit(limit)
    )
    return database.run_read(lambda conn: [int(i) for i in conn.execute(query).scalars()])


def claim_run(database: Database, run_id: int, owner: ProcessOwner) -> bool:
    """Make `owner` the run's process if the run still waits for one (one claimer wins)."""
    statement = (
        update(RunRow)
        .where(
            RunRow.c.id == run_id,
            RunRow.c.status == str(RunStatus.QUEUED),
            RunRow.c.owner_pid.is_(None),
        )
        .values(owner_pid=owner.pid, owner_host=owner.host, owner_token=owner.token)
    )
    return bool(database.run_write(lambda conn: conn.execute(statement).rowcount))
