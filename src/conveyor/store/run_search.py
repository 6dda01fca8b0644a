"""Runs for the server's API: filtered by repository, workflow, branch, event, status and
conclusion, newest first, a page at a time (a cursor is the id below which the next page starts).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, case, func, or_, select

from conveyor.engine.ports.store import ACTIVE_STATUSES, RunStatus, StoredRun, StoredStep
from conveyor.store.database import Database
from conveyor.store.models import JobRow, RepositoryRow, RunRow, StepRow
from conveyor.store.row_values import run_record, step_record
from conveyor.store.run_history import run_select


@dataclass(frozen=True, slots=True)
class RunFilter:
    repository: str | None = None
    workflow: str | None = None  # its name, its path or the file's name
    branch: str | None = None
    event: str | None = None
    status: str | None = None
    conclusion: str | None = None
    before: int | None = None  # only runs with a smaller id (the cursor)
    limit: int = 50


def search_runs(database: Database, wanted: RunFilter) -> list[StoredRun]:
    return database.run_read(lambda conn: _search(conn, wanted))


def _search(conn: Connection, wanted: RunFilter) -> list[StoredRun]:
    statement = run_select().order_by(RunRow.c.id.desc()).limit(max(wanted.limit, 0))
    for condition in _conditions(wanted):
        statement = statement.where(condition)
    return [run_record(row, row.repository_key) for row in conn.execute(statement)]


def _conditions(wanted: RunFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.repository is not None:
        conditions.append(RepositoryRow.c.key == wanted.repository)
    if wanted.workflow is not None:
        conditions.append(_workflow(wanted.workflow))
    if wanted.branch is not None:
        conditions.append(RunRow.c.ref == "refs/heads/" + wanted.branch)
    if wanted.event is not None:
        conditions.append(RunRow.c.event == wanted.event)
    if wanted.status is not None:
        conditions.append(RunRow.c.status == wanted.status)
    if wanted.conclusion is not None:
        conditions.append(RunRow.c.conclusion == wanted.conclusion)
    if wanted.before is not None:
        conditions.append(RunRow.c.id < wanted.before)
    return conditions


def _workflow(name: str) -> ColumnElement[bool]:
    return or_(
        RunRow.c.workflow == name,
        RunRow.c.workflow_path == name,
        RunRow.c.workflow_path.endswith("/" + name, autoescape=True),
    )


def runs_by_status(database: Database) -> dict[str, int]:
    """How many runs are in each status (completed ones by conclusion: `completed/success`)."""
    return database.run_read(_by_status)


def _by_status(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        select(RunRow.c.status, RunRow.c.conclusion, func.count()).group_by(
            RunRow.c.status, RunRow.c.conclusion
        )
    )
    return {
        status if conclusion is None else f"{status}/{conclusion}": int(count)
        for status, conclusion, count in rows
    }


def queued_jobs(database: Database) -> int:
    """Jobs of active runs' current attempts waiting to start: the queue depth."""
    statement = (
        select(func.count())
        .select_from(JobRow.join(RunRow, RunRow.c.id == JobRow.c.run_id))
        .where(
            JobRow.c.status == str(RunStatus.QUEUED),
            JobRow.c.attempt == RunRow.c.attempt,
            RunRow.c.status.in_([str(status) for status in ACTIVE_STATUSES]),
        )
    )
    return database.run_read(lambda conn: int(conn.execute(statement).scalar_one()))


def job_duration_buckets(database: Database, bounds: tuple[float, ...]) -> tuple[list[int], float]:
    """Finished jobs with a duration <= each bound (cumulative, then all of them: `+Inf`), and
    the sum of their durations: a Prometheus histogram's numbers, counted by the database."""
    took = JobRow.c.finished_at - JobRow.c.started_at
    columns = [func.coalesce(func.sum(case((took <= bound, 1), else_=0)), 0) for bound in bounds]
    statement = select(*columns, func.count(), func.coalesce(func.sum(took), 0.0)).where(
        JobRow.c.started_at.is_not(None), JobRow.c.finished_at.is_not(None)
    )
    row = database.run_read(lambda conn: conn.execute(statement).one())
    counts = [int(value) for value in row[:-1]]
    return counts, float(row[-1])


def steps_by_job(database: Database, run_id: int, attempt: int) -> dict[str, list[StoredStep]]:
    """Every step of a run attempt in one query, by job key, in order (a run page shows all)."""
    statement = (
        select(StepRow)
        .where(StepRow.c.run_id == run_id, StepRow.c.attempt == attempt)
        .order_by(StepRow.c.instance_key, StepRow.c.index)
    )
    found: dict[str, list[StoredStep]] = {}
    for row in database.run_read(lambda conn: list(conn.execute(statement))):
        found.setdefault(row.instance_key, []).append(step_record(row))
    return found
