"""`LiteConcurrencyGate`: `concurrency.py`'s groups in stdlib sqlite3 — the same conditional
UPDATE takes the running slot, the same compare-and-swap the pending one (see that module)."""

from __future__ import annotations

import time
from sqlite3 import Connection
from typing import Any

from conveyor.engine.ports.concurrency import Admission, GroupTicket
from conveyor.engine.ports.executor import CancelSignal
from conveyor.engine.ports.run_history import RunStatus
from conveyor.errors import StoreError
from conveyor.store.lite_database import LiteDatabase, in_list
from conveyor.store.lite_history import (
    insert,
    mark_abandoned,
    release_run_slots,
    repository_id,
    request_cancel,
)
from conveyor.store.owner import dead_owners

MAX_GROUP = 400


def group_name(group: str) -> str:
    """Groups compare case-insensitively; GitHub wants them non-empty and < 400 characters."""
    name = group.strip().lower()
    if not name or len(name) >= MAX_GROUP:
        raise StoreError(f"a concurrency group must be 1 to 399 characters, not {len(name)}")
    return name


class PollingWait:
    """`wait()` of both gates: poll until admitted or displaced; leave the queue on cancel."""

    def poll(self, ticket: GroupTicket) -> Admission:
        raise NotImplementedError

    def release(self, ticket: GroupTicket) -> None:
        raise NotImplementedError

    def wait(
        self, ticket: GroupTicket, cancel: CancelSignal, poll_interval: float = 0.5
    ) -> Admission:
        while (admission := self.poll(ticket)) is Admission.PENDING:
            if cancel.wait(poll_interval):
                self.release(ticket)
                return Admission.CANCELLED
        return admission


class LiteConcurrencyGate(PollingWait):
    def __init__(self, database: LiteDatabase) -> None:
        self.database = database

    def enter(self, ticket: GroupTicket, *, cancel_in_progress: bool) -> Admission:
        return self.database.run_write(lambda conn: _enter(conn, ticket, cancel_in_progress))

    def poll(self, ticket: GroupTicket) -> Admission:
        return self.database.run_write(lambda conn: _poll(conn, ticket))

    def release(self, ticket: GroupTicket) -> None:
        self.database.run_write(lambda conn: _release(conn, ticket))


def _group_id(conn: Connection, ticket: GroupTicket) -> int:
    repo = repository_id(conn, ticket.repository)
    name = group_name(ticket.group)
    values = {"repository_id": repo, "name": name, "updated_at": time.time()}
    insert(conn, "concurrency_groups", values, " ON CONFLICT DO NOTHING")
    row = conn.execute(
        "SELECT id FROM concurrency_groups WHERE repository_id = ? AND name = ?", (repo, name)
    ).fetchone()
    return int(row.id)


def _claim(conn: Connection, group: int, ticket: GroupTicket) -> bool:
    cursor = conn.execute(
        "UPDATE concurrency_groups SET running_holder = ?, running_run_id = ?, "
        "pending_holder = NULL, pending_run_id = NULL, updated_at = ? WHERE id = ? "
        "AND running_holder IS NULL AND (pending_holder IS NULL OR pending_holder = ?)",
        (ticket.holder, ticket.run_id, time.time(), group, ticket.holder),
    )
    return bool(cursor.rowcount)


def _enter(conn: Connection, ticket: GroupTicket, cancel_in_progress: bool) -> Admission:
    group = _group_id(conn, ticket)
    _clear_stale(conn, group)
    if _claim(conn, group, ticket):
        return Admission.RUNNING
    for _ in range(100):  # compare-and-swap on the pending slot
        row = _row(conn, group)
        if row.running_holder == ticket.holder:
            return Admission.RUNNING
        if _swap_pending(conn, group, row, ticket):
            if row.pending_holder and row.pending_holder != ticket.holder:
                _cancel_holder(conn, row.pending_holder, row.pending_run_id)
            if cancel_in_progress and row.running_holder:
                _cancel_holder(conn, row.running_holder, row.running_run_id)
            return Admission.PENDING
    raise StoreError(f"could not join concurrency group {ticket.group!r}: too much contention")


def _swap_pending(conn: Connection, group: int, row: Any, ticket: GroupTicket) -> bool:
    cursor = conn.execute(
        "UPDATE concurrency_groups SET pending_holder = ?, pending_run_id = ?, updated_at = ? "
        "WHERE id = ? AND pending_holder IS ?",
        (ticket.holder, ticket.run_id, time.time(), group, row.pending_holder),
    )
    return bool(cursor.rowcount)


def _poll(conn: Connection, ticket: GroupTicket) -> Admission:
    group = _group_id(conn, ticket)
    _clear_stale(conn, group)
    row = _row(conn, group)
    if row.running_holder == ticket.holder:
        return Admission.RUNNING
    if row.pending_holder != ticket.holder:
        return Admission.CANCELLED
    return Admission.RUNNING if _claim(conn, group, ticket) else Admission.PENDING


def _release(conn: Connection, ticket: GroupTicket) -> None:
    group = _group_id(conn, ticket)
    for slot in ("running", "pending"):
        conn.execute(
            f"UPDATE concurrency_groups SET {slot}_holder = NULL, {slot}_run_id = NULL, "
            f"updated_at = ? WHERE id = ? AND {slot}_holder = ?",
            (time.time(), group, ticket.holder),
        )


def _row(conn: Connection, group: int) -> Any:
    return conn.execute("SELECT * FROM concurrency_groups WHERE id = ?", (group,)).fetchone()


def _cancel_holder(conn: Connection, holder: str, run_id: int | None) -> None:
    if run_id is None:
        return
    instance_key = holder.split(":", 3)[3] if holder.startswith("job:") else None
    request_cancel(conn, run_id, instance_key)


def _clear_stale(conn: Connection, group: int) -> None:
    """Members whose run is over, or whose process died, do not keep the group."""
    row = _row(conn, group)
    run_ids = [rid for rid in (row.running_run_id, row.pending_run_id) if rid is not None]
    if not run_ids:
        return
    runs = conn.execute(
        "SELECT id, status, owner_pid, owner_host, owner_token FROM runs "
        f"WHERE id IN ({in_list(run_ids)})",
        tuple(run_ids),
    ).fetchall()
    finished = [r.id for r in runs if r.status == str(RunStatus.COMPLETED)]
    dead = dead_owners(r for r in runs if r.id not in finished)
    missing = set(run_ids) - {r.id for r in runs}
    if dead:
        mark_abandoned(conn, dead)
    gone = finished + [rid for rid, _ in dead] + list(missing)
    if gone:
        release_run_slots(conn, gone)
