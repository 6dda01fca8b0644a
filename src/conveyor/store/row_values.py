"""Turning database rows into the port's record values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conveyor.engine.ports.store import (
    Conclusion,
    ProcessOwner,
    RunStatus,
    StoredJob,
    StoredRun,
    StoredStep,
)
from conveyor.model.results import Annotation, AnnotationLevel
from conveyor.store.json_columns import loads_mapping, loads_optional_mapping

if TYPE_CHECKING:
    from sqlalchemy import Row


def conclusion(value: str | None) -> Conclusion | None:
    return None if value is None else Conclusion(value)


def run_record(row: Row[Any] | Any, repository: str) -> StoredRun:
    owner = None
    if row.owner_pid is not None:
        owner = ProcessOwner(row.owner_pid, row.owner_host or "", row.owner_token)
    return StoredRun(
        id=row.id,
        repository=repository,
        workflow=row.workflow,
        workflow_path=row.workflow_path,
        run_number=row.run_number,
        event=row.event,
        ref=row.ref,
        sha=row.sha,
        attempt=row.attempt,
        status=RunStatus(row.status),
        conclusion=conclusion(row.conclusion),
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        actor=row.actor,
        reason=row.reason,
        owner=owner,
        concurrency_group=row.concurrency_group,
    )


def job_record(row: Row[Any] | Any) -> StoredJob:
    return StoredJob(
        run_id=row.run_id,
        attempt=row.attempt,
        instance_key=row.instance_key,
        job_id=row.job_id,
        name=row.name,
        status=RunStatus(row.status),
        conclusion=conclusion(row.conclusion),
        matrix=loads_optional_mapping(row.matrix),
        outputs={str(k): str(v) for k, v in loads_mapping(row.outputs).items()},
        environment=row.environment,
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        reused=bool(row.reused),
    )


def step_record(row: Row[Any] | Any) -> StoredStep:
    return StoredStep(
        run_id=row.run_id,
        attempt=row.attempt,
        instance_key=row.instance_key,
        index=row._mapping["index"],  # `row.index` is tuple.index
        name=row.name,
        status=RunStatus(row.status),
        outcome=conclusion(row.outcome),
        conclusion=conclusion(row.conclusion),
        step_id=row.step_id,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def annotation(row: Row[Any] | Any) -> Annotation:
    return Annotation(
        level=AnnotationLevel(row.level),
        message=row.message,
        title=row.title,
        file=row.file,
        line=row.line,
        end_line=row.end_line,
        column=row.column,
        end_column=row.end_column,
        job=row.instance_key,
    )
