"""Runs whose owning process died are marked abandoned, with a reason, never left running.

Every command that opens the store sweeps: runs still active, owned by a process on this host
that no longer exists (or is a different process under a reused pid) end `completed/abandoned`.
Runs owned by another host are left to that host's sweep (or, later, to a lease reaper).
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from conveyor.engine.ports.store import Conclusion, ProcessOwner, RunStatus, StoredRun
from conveyor.store.models import DeploymentRow, JobRow, RunRow, StepRow
from conveyor.store.owner import abandonment_reason, dead_owners, host_name
from conveyor.store.rows import now
from conveyor.store.run_history import ACTIVE, fetch_run, release_run_slots


def dead_runs(conn: Connection) -> list[tuple[int, ProcessOwner]]:
    """Active runs of this host whose owner is gone (read-only: cheap on every open)."""
    rows = conn.execute(
        select(RunRow.c.id, RunRow.c.owner_pid, RunRow.c.owner_host, RunRow.c.owner_token).where(
            RunRow.c.owner_host == host_name(), RunRow.c.status.in_(ACTIVE)
        )
    )
    return dead_owners(rows)


def mark_abandoned(conn: Connection, dead: list[tuple[int, ProcessOwner]]) -> list[StoredRun]:
    marked = [run_id for run_id, owner in dead if _mark_run(conn, run_id, owner)]
    if marked:
        _close_children(conn, marked)
        release_run_slots(conn, marked)
    return [record for run_id in marked if (record := fetch_run(conn, run_id)) is not None]


def _mark_run(conn: Connection, run_id: int, owner: ProcessOwner) -> bool:
    reason = abandonment_reason(owner)
    result = conn.execute(
        update(RunRow)
        .where(
            RunRow.c.id == run_id,
            RunRow.c.status.in_(ACTIVE),
            RunRow.c.owner_pid == owner.pid,
            RunRow.c.owner_host == owner.host,
        )
        .values(
            status=str(RunStatus.COMPLETED),
            conclusion=str(Conclusion.ABANDONED),
            reason=reason,
            finished_at=now(),
        )
    )
    return bool(result.rowcount)


def _close_children(conn: Connection, run_ids: list[int]) -> None:
    done = {"status": str(RunStatus.COMPLETED), "conclusion": str(Conclusion.ABANDONED)}
    for table in (JobRow, StepRow):
        conn.execute(
            update(table)
            .where(table.c.run_id.in_(run_ids), table.c.status.in_(ACTIVE))
            .values(**done, finished_at=now())
        )
    conn.execute(
        update(DeploymentRow)
        .where(
            DeploymentRow.c.run_id.in_(run_ids),
            DeploymentRow.c.status.in_(("queued", "in_progress", "waiting")),
        )
        .values(status="error", updated_at=now())
    )
