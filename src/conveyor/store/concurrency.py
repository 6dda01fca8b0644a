"""`SqlConcurrencyGate`: GitHub's concurrency groups, shared by every process using the database.

A group row holds at most one running and one pending member (a run or a job, named by its
holder string). Taking the running slot is ONE conditional UPDATE (`… WHERE running_holder IS
NULL AND (pending_holder IS NULL OR pending_holder = me)`): whichever process's update matches
holds the group, any other sees rowcount 0. Becoming pending is a compare-and-swap on
`pending_holder`; the member it displaces is asked to cancel and sees CANCELLED when it polls.
With cancel-in-progress the running member is asked to cancel too; the newcomer takes the group
once that member has released it (its `if: always()` steps still run), so members never overlap.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, or_, select, update

from conveyor.engine.ports.store import Admission, GroupTicket, RunStatus
from conveyor.errors import StoreError
from conveyor.store.abandonment import mark_abandoned
from conveyor.store.database import Database
from conveyor.store.lite_concurrency import PollingWait, group_name
from conveyor.store.models import ConcurrencyGroupRow as Group
from conveyor.store.models import RunRow
from conveyor.store.owner import dead_owners
from conveyor.store.rows import insert_ignore, now, repository_id
from conveyor.store.run_history import release_run_slots, request_cancel


class SqlConcurrencyGate(PollingWait):
    def __init__(self, database: Database) -> None:
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
    insert_ignore(
        conn,
        Group,
        {"repository_id": repo, "name": name, "updated_at": now()},
    )
    query = select(Group.c.id).where(Group.c.repository_id == repo, Group.c.name == name)
    return int(conn.execute(query).scalar_one())


def _claim(conn: Connection, group: int, ticket: GroupTicket) -> bool:
    """The one conditional UPDATE that takes the running slot."""
    result = conn.execute(
        update(Group)
        .where(Group.c.id == group, Group.c.running_holder.is_(None))
        .where(or_(Group.c.pending_holder.is_(None), Group.c.pending_holder == ticket.holder))
        .values(
            running_holder=ticket.holder,
            running_run_id=ticket.run_id,
            pending_holder=None,
            pending_run_id=None,
            updated_at=now(),
        )
    )
    return bool(result.rowcount)


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
    result = conn.execute(
        update(Group)
        .where(Group.c.id == group, Group.c.pending_holder.is_not_distinct_from(row.pending_holder))
        .values(pending_holder=ticket.holder, pending_run_id=ticket.run_id, updated_at=now())
    )
    return bool(result.rowcount)


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
    conn.execute(
        update(Group)
        .where(Group.c.id == group, Group.c.running_holder == ticket.holder)
        .values(running_holder=None, running_run_id=None, updated_at=now())
    )
    conn.execute(
        update(Group)
        .where(Group.c.id == group, Group.c.pending_holder == ticket.holder)
        .values(pending_holder=None, pending_run_id=None, updated_at=now())
    )


def _row(conn: Connection, group: int) -> Any:
    return conn.execute(select(Group).where(Group.c.id == group)).one()


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
        select(
            RunRow.c.id,
            RunRow.c.status,
            RunRow.c.owner_pid,
            RunRow.c.owner_host,
            RunRow.c.owner_token,
        ).where(RunRow.c.id.in_(run_ids))
    ).all()
    finished = [r.id for r in runs if r.status == str(RunStatus.COMPLETED)]
    dead = dead_owners(r for r in runs if r.id not in finished)
    missing = set(run_ids) - {r.id for r in runs}
    if dead:
        mark_abandoned(conn, dead)
    gone = finished + [rid for rid, _ in dead] + list(missing)
    if gone:
        release_run_slots(conn, gone)
