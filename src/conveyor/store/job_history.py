"""Jobs, steps and annotations of a run attempt in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Connection, Executable, func, insert, select, update

from conveyor.engine.ports.store import (
    Conclusion,
    NewJob,
    RunStatus,
    StoredJob,
    StoredStep,
    job_holder,
)
from conveyor.model.results import Annotation, JobResult, StepResult
from conveyor.store.models import AnnotationRow, ConcurrencyGroupRow, JobRow, RunRow, StepRow
from conveyor.store.row_values import annotation, job_record, step_record
from conveyor.store.rows import dumps, insert_ignore, now, upsert


def start_job(conn: Connection, run_id: int, attempt: int, job: NewJob) -> None:
    """Record a job instance (idempotent: a second call only moves it on, never back to queued)."""
    values = {
        "run_id": run_id,
        "attempt": attempt,
        "instance_key": job.instance_key,
        "job_id": job.job_id,
        "name": job.name,
        "matrix": None if job.matrix is None else dumps(dict(job.matrix)),
        "status": str(job.status),
        "outputs": "{}",
        "environment": job.environment,
        "reused": False,
        "cancel_requested": False,
    }
    insert_ignore(conn, JobRow, values)
    if job.environment is not None:
        conn.execute(
            update(JobRow)
            .where(JobRow.c.run_id == run_id, JobRow.c.attempt == attempt)
            .where(JobRow.c.instance_key == job.instance_key)
            .values(environment=job.environment)
        )
    if job.status is not RunStatus.QUEUED:
        set_job_status(conn, run_id, attempt, job.instance_key, job.status)


def set_job_status(
    conn: Connection, run_id: int, attempt: int, instance_key: str, status: RunStatus
) -> None:
    values: dict[str, object] = {"status": str(status)}
    if status is RunStatus.IN_PROGRESS:
        values["started_at"] = func.coalesce(JobRow.c.started_at, now())
    conn.execute(
        update(JobRow)
        .where(JobRow.c.run_id == run_id, JobRow.c.attempt == attempt)
        .where(JobRow.c.instance_key == instance_key, JobRow.c.status != str(RunStatus.COMPLETED))
        .values(**values)
    )


def finish_job(
    conn: Connection, run_id: int, attempt: int, instance_key: str, result: JobResult
) -> None:
    finished = result.finished_at or now()
    conn.execute(
        update(JobRow)
        .where(JobRow.c.run_id == run_id, JobRow.c.attempt == attempt)
        .where(JobRow.c.instance_key == instance_key)
        .values(
            status=str(RunStatus.COMPLETED),
            conclusion=str(Conclusion(str(result.result))),
            outputs=dumps(dict(result.outputs)),
            error=result.error,
            started_at=func.coalesce(JobRow.c.started_at, result.started_at, finished),
            finished_at=finished,
        )
    )
    holder = job_holder(run_id, attempt, instance_key)
    conn.execute(
        update(ConcurrencyGroupRow)
        .where(ConcurrencyGroupRow.c.running_holder == holder)
        .values(running_holder=None, running_run_id=None, updated_at=now())
    )


def list_jobs(conn: Connection, run_id: int, attempt: int | None) -> list[StoredJob]:
    latest = select(RunRow.c.attempt).where(RunRow.c.id == run_id).scalar_subquery()
    rows = conn.execute(
        select(JobRow)
        .where(
            JobRow.c.run_id == run_id, JobRow.c.attempt == (latest if attempt is None else attempt)
        )
        .order_by(JobRow.c.id)
    )
    return [job_record(row) for row in rows]


# The per-step statements are built once (per dialect): executing a prepared statement with
# parameters costs a fraction of building one per call, and steps are what a run records most.
_STEP_COLUMNS = ("run_id", "attempt", "instance_key", "index")


@cache
def _start_step(dialect: str) -> Executable:
    statement: Executable = upsert(dialect, StepRow).on_conflict_do_nothing()
    return statement


@cache
def _finish_step(dialect: str) -> Executable:
    """One upsert: completes a started step, or records a step that never started whole."""
    insert_step = upsert(dialect, StepRow)
    excluded = insert_step.excluded
    statement: Executable = insert_step.on_conflict_do_update(
        index_elements=list(_STEP_COLUMNS),
        set_={
            "name": excluded.name,
            "step_id": excluded.step_id,
            "status": excluded.status,
            "outcome": excluded.outcome,
            "conclusion": excluded.conclusion,
            "finished_at": excluded.finished_at,
            "started_at": func.coalesce(StepRow.c.started_at, excluded.started_at),
        },
    )
    return statement


def start_step(
    conn: Connection,
    run_id: int,
    attempt: int,
    instance_key: str,
    index: int,
    name: str,
    started_at: float | None = None,
) -> None:
    values = {
        "run_id": run_id,
        "attempt": attempt,
        "instance_key": instance_key,
        "index": index,
        "name": name,
        "status": str(RunStatus.IN_PROGRESS),
        "started_at": started_at or now(),
    }
    conn.execute(_start_step(conn.dialect.name), values)


def finish_step(
    conn: Connection, run_id: int, attempt: int, instance_key: str, step: StepResult
) -> None:
    finish_steps(conn, run_id, attempt, [(instance_key, step)])


def finish_steps(
    conn: Connection, run_id: int, attempt: int, steps: Sequence[tuple[str, StepResult]]
) -> None:
    """One statement for all of them (the recorder ends a burst's steps together)."""
    completed, finished = str(RunStatus.COMPLETED), now()
    values = [
        {
            "run_id": run_id,
            "attempt": attempt,
            "instance_key": instance_key,
            "index": step.index,
            "name": step.name,
            "step_id": step.id,
            "status": completed,
            "outcome": str(step.outcome),
            "conclusion": str(step.conclusion),
            "started_at": step.started_at,
            "finished_at": step.finished_at or finished,
        }
        for instance_key, step in steps
    ]
    conn.execute(_finish_step(conn.dialect.name), values)


def list_steps(conn: Connection, run_id: int, attempt: int, instance_key: str) -> list[StoredStep]:
    rows = conn.execute(
        select(StepRow)
        .where(StepRow.c.run_id == run_id, StepRow.c.attempt == attempt)
        .where(StepRow.c.instance_key == instance_key)
        .order_by(StepRow.c.index)
    )
    return [step_record(row) for row in rows]


_ADD_ANNOTATION = insert(AnnotationRow)


def add_annotation(
    conn: Connection, run_id: int, attempt: int, instance_key: str, note: Annotation
) -> None:
    conn.execute(
        _ADD_ANNOTATION,
        {
            "run_id": run_id,
            "attempt": attempt,
            "instance_key": instance_key,
            "level": str(note.level),
            "message": note.message,
            "title": note.title,
            "file": note.file,
            "line": note.line,
            "end_line": note.end_line,
            "column": note.column,
            "end_column": note.end_column,
            "created_at": now(),
        },
    )


def list_annotations(conn: Connection, run_id: int, attempt: int | None) -> list[Annotation]:
    latest = select(RunRow.c.attempt).where(RunRow.c.id == run_id).scalar_subquery()
    rows = conn.execute(
        select(AnnotationRow)
        .where(AnnotationRow.c.run_id == run_id)
        .where(AnnotationRow.c.attempt == (latest if attempt is None else attempt))
        .order_by(AnnotationRow.c.id)
    )
    return [annotation(row) for row in rows]
