"""Jobs, steps, annotations, artifacts and caches in stdlib sqlite3: the statements of
`job_history` and `artifact_index`, written for SQLite (test_lite_rows.py keeps them equal)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from sqlite3 import Connection
from typing import Any

from conveyor.engine.ports.artifact_index import ArtifactRecord, CacheRecord
from conveyor.engine.ports.concurrency import job_holder
from conveyor.engine.ports.job_history import NewJob, StoredJob, StoredStep
from conveyor.engine.ports.run_history import Conclusion, RunStatus
from conveyor.model.results import Annotation, JobResult, StepResult
from conveyor.store.json_columns import dumps
from conveyor.store.lite_history import insert, repository_id
from conveyor.store.row_values import annotation, job_record, step_record

_JOB = "run_id = ? AND attempt = ? AND instance_key = ?"
_LATEST = "(SELECT attempt FROM runs WHERE id = ?)"


def start_job(conn: Connection, run_id: int, attempt: int, job: NewJob) -> None:
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
    insert(conn, "jobs", values, " ON CONFLICT DO NOTHING")
    if job.environment is not None:
        conn.execute(
            f"UPDATE jobs SET environment = ? WHERE {_JOB}",
            (job.environment, run_id, attempt, job.instance_key),
        )
    if job.status is not RunStatus.QUEUED:
        set_job_status(conn, run_id, attempt, job.instance_key, job.status)


def set_job_status(
    conn: Connection, run_id: int, attempt: int, instance_key: str, status: RunStatus
) -> None:
    started = ", started_at = coalesce(started_at, ?)" if status is RunStatus.IN_PROGRESS else ""
    params = (time.time(),) if started else ()
    conn.execute(
        f"UPDATE jobs SET status = ?{started} WHERE {_JOB} AND status != ?",
        (str(status), *params, run_id, attempt, instance_key, str(RunStatus.COMPLETED)),
    )


def finish_job(
    conn: Connection, run_id: int, attempt: int, instance_key: str, result: JobResult
) -> None:
    finished = result.finished_at or time.time()
    conn.execute(
        "UPDATE jobs SET status = ?, conclusion = ?, outputs = ?, error = ?, "
        f"started_at = coalesce(started_at, ?, ?), finished_at = ? WHERE {_JOB}",
        (
            str(RunStatus.COMPLETED),
            str(Conclusion(str(result.result))),
            dumps(dict(result.outputs)),
            result.error,
            result.started_at,
            finished,
            finished,
            run_id,
            attempt,
            instance_key,
        ),
    )
    conn.execute(
        "UPDATE concurrency_groups SET running_holder = NULL, running_run_id = NULL, "
        "updated_at = ? WHERE running_holder = ?",
        (time.time(), job_holder(run_id, attempt, instance_key)),
    )


def list_jobs(conn: Connection, run_id: int, attempt: int | None) -> list[StoredJob]:
    which = _LATEST if attempt is None else "?"
    rows = conn.execute(
        f"SELECT * FROM jobs WHERE run_id = ? AND attempt = {which} ORDER BY id",
        (run_id, run_id if attempt is None else attempt),
    )
    return [job_record(row) for row in rows]


_START_STEP = (
    'INSERT INTO steps (run_id, attempt, instance_key, "index", name, status, started_at) '
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_FINISH_STEP = (
    'INSERT INTO steps (run_id, attempt, instance_key, "index", name, step_id, status, outcome, '
    "conclusion, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    'ON CONFLICT (run_id, attempt, instance_key, "index") DO UPDATE SET name = excluded.name, '
    "step_id = excluded.step_id, status = excluded.status, outcome = excluded.outcome, "
    "conclusion = excluded.conclusion, finished_at = excluded.finished_at, "
    "started_at = coalesce(steps.started_at, excluded.started_at)"
)


def start_step(
    conn: Connection,
    run_id: int,
    attempt: int,
    instance_key: str,
    index: int,
    name: str,
    started_at: float | None = None,
) -> None:
    status = str(RunStatus.IN_PROGRESS)
    values = (run_id, attempt, instance_key, index, name, status, started_at or time.time())
    conn.execute(_START_STEP, values)


def finish_step(
    conn: Connection, run_id: int, attempt: int, instance_key: str, step: StepResult
) -> None:
    finish_steps(conn, run_id, attempt, [(instance_key, step)])


def finish_steps(
    conn: Connection, run_id: int, attempt: int, steps: Sequence[tuple[str, StepResult]]
) -> None:
    """One statement for all of them (the recorder ends a burst's steps together)."""
    completed, now = str(RunStatus.COMPLETED), time.time()
    conn.executemany(
        _FINISH_STEP,
        [
            (
                run_id,
                attempt,
                instance_key,
                step.index,
                step.name,
                step.id,
                completed,
                str(step.outcome),
                str(step.conclusion),
                step.started_at,
                step.finished_at or now,
            )
            for instance_key, step in steps
        ],
    )


def list_steps(conn: Connection, run_id: int, attempt: int, instance_key: str) -> list[StoredStep]:
    rows = conn.execute(
        f'SELECT * FROM steps WHERE {_JOB} ORDER BY "index"', (run_id, attempt, instance_key)
    )
    return [step_record(row) for row in rows]


def add_annotation(
    conn: Connection, run_id: int, attempt: int, instance_key: str, note: Annotation
) -> None:
    values = {
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
        "created_at": time.time(),
    }
    insert(conn, "annotations", values)


def list_annotations(conn: Connection, run_id: int, attempt: int | None) -> list[Annotation]:
    which = _LATEST if attempt is None else "?"
    rows = conn.execute(
        f"SELECT * FROM annotations WHERE run_id = ? AND attempt = {which} ORDER BY id",
        (run_id, run_id if attempt is None else attempt),
    )
    return [annotation(row) for row in rows]


def record_artifact(conn: Connection, artifact: ArtifactRecord) -> None:
    conn.execute(
        "DELETE FROM artifacts WHERE run_id = ? AND name = ?", (artifact.run_id, artifact.name)
    )
    values = {
        "run_id": artifact.run_id,
        "attempt": artifact.attempt,
        "name": artifact.name,
        "path": artifact.path,
        "size": artifact.size,
        "digest": artifact.digest,
        "created_at": artifact.created_at,
    }
    insert(conn, "artifacts", values)


def list_artifacts(conn: Connection, run_id: int) -> list[ArtifactRecord]:
    rows = conn.execute("SELECT * FROM artifacts WHERE run_id = ? ORDER BY name", (run_id,))
    return [
        ArtifactRecord(r.run_id, r.attempt, r.name, r.path, r.size, r.created_at, r.digest)
        for r in rows
    ]


_CACHE = "repository_id = ? AND scope = ? AND version = ?"


def save_cache(conn: Connection, cache: CacheRecord) -> None:
    repo = repository_id(conn, cache.repository)
    exists = conn.execute(
        f"SELECT id FROM caches WHERE {_CACHE} AND key = ?",
        (repo, cache.scope, cache.version, cache.key),
    ).fetchone()
    if exists is not None:
        return
    values = {
        "repository_id": repo,
        "scope": cache.scope,
        "key": cache.key,
        "version": cache.version,
        "path": cache.path,
        "size": cache.size,
        "created_at": cache.created_at,
        "last_used_at": cache.last_used_at,
    }
    insert(conn, "caches", values)


def find_cache(
    conn: Connection, repository: str, scopes: Sequence[str], keys: Sequence[str], version: str
) -> CacheRecord | None:
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return None
    for scope in scopes:
        for index, key in enumerate(keys):
            found = _match(conn, (repo, scope, version), key, exact=index == 0)
            if found is not None:
                conn.execute(
                    "UPDATE caches SET last_used_at = ? WHERE id = ?", (time.time(), found.id)
                )
                return CacheRecord(
                    repository,
                    found.scope,
                    found.key,
                    found.version,
                    found.path,
                    found.size,
                    found.created_at,
                    found.last_used_at,
                )
    return None


def _match(conn: Connection, where: tuple[object, ...], key: str, *, exact: bool) -> Any:
    if exact:
        row = conn.execute(f"SELECT * FROM caches WHERE {_CACHE} AND key = ?", (*where, key))
        found = row.fetchone()
        if found is not None:
            return found
    escaped = key.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return conn.execute(
        f"SELECT * FROM caches WHERE {_CACHE} AND key LIKE ? ESCAPE '/' ORDER BY created_at DESC",
        (*where, escaped + "%"),
    ).fetchone()
