"""`SqlRunStore`: the RunStore port on SQLite or PostgreSQL, one short transaction per call."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager

from conveyor.engine.ports.store import (
    ArtifactRecord,
    CacheRecord,
    Conclusion,
    NewJob,
    NewRun,
    ProcessOwner,
    RunQuery,
    RunStatus,
    StoredJob,
    StoredRequest,
    StoredRun,
    StoredStep,
)
from conveyor.model.results import Annotation, JobResult, StepResult
from conveyor.store import abandonment, artifact_index, job_history, run_history
from conveyor.store.database import Database


class SqlRunStore:
    """Run history in the database. Commits that end a run or an attempt are fsynced."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def batch(self) -> AbstractContextManager[None]:
        """Calls made on this thread inside the block share one transaction (the recorder's)."""
        return self.database.batch()

    def create_run(self, new: NewRun) -> StoredRun:
        return self.database.run_write(lambda conn: run_history.create_run(conn, new))

    def get_run(self, run_id: int) -> StoredRun | None:
        return self.database.run_read(lambda conn: run_history.fetch_run(conn, run_id))

    def list_runs(self, query: RunQuery) -> list[StoredRun]:
        return self.database.run_read(lambda conn: run_history.list_runs(conn, query))

    def set_run_status(self, run_id: int, status: RunStatus) -> None:
        self.database.run_write(lambda conn: run_history.set_run_status(conn, run_id, status))

    def finish_run(
        self, run_id: int, conclusion: Conclusion, *, reason: str | None = None
    ) -> StoredRun:
        return self.database.run_write(
            lambda conn: run_history.finish_run(conn, run_id, conclusion, reason), durable=True
        )

    def run_request(self, run_id: int) -> StoredRequest | None:
        return self.database.run_read(lambda conn: run_history.run_request(conn, run_id))

    def begin_attempt(
        self, run_id: int, owner: ProcessOwner | None, reuse: Collection[str] = ()
    ) -> StoredRun:
        return self.database.run_write(
            lambda conn: run_history.begin_attempt(conn, run_id, owner, reuse), durable=True
        )

    def start_job(self, run_id: int, attempt: int, job: NewJob) -> None:
        self.database.run_write(lambda conn: job_history.start_job(conn, run_id, attempt, job))

    def set_job_status(
        self, run_id: int, attempt: int, instance_key: str, status: RunStatus
    ) -> None:
        self.database.run_write(
            lambda conn: job_history.set_job_status(conn, run_id, attempt, instance_key, status)
        )

    def finish_job(self, run_id: int, attempt: int, instance_key: str, result: JobResult) -> None:
        self.database.run_write(
            lambda conn: job_history.finish_job(conn, run_id, attempt, instance_key, result)
        )

    def list_jobs(self, run_id: int, attempt: int | None = None) -> list[StoredJob]:
        return self.database.run_read(lambda conn: job_history.list_jobs(conn, run_id, attempt))

    def start_step(
        self,
        run_id: int,
        attempt: int,
        instance_key: str,
        index: int,
        name: str,
        started_at: float | None = None,
    ) -> None:
        self.database.run_write(
            lambda conn: job_history.start_step(
                conn, run_id, attempt, instance_key, index, name, started_at
            )
        )

    def finish_step(self, run_id: int, attempt: int, instance_key: str, step: StepResult) -> None:
        self.database.run_write(
            lambda conn: job_history.finish_step(conn, run_id, attempt, instance_key, step)
        )

    def finish_steps(
        self, run_id: int, attempt: int, steps: Sequence[tuple[str, StepResult]]
    ) -> None:
        if steps:
            self.database.run_write(
                lambda conn: job_history.finish_steps(conn, run_id, attempt, steps)
            )

    def list_steps(self, run_id: int, attempt: int, instance_key: str) -> list[StoredStep]:
        return self.database.run_read(
            lambda conn: job_history.list_steps(conn, run_id, attempt, instance_key)
        )

    def add_annotation(
        self, run_id: int, attempt: int, instance_key: str, annotation: Annotation
    ) -> None:
        self.database.run_write(
            lambda conn: job_history.add_annotation(conn, run_id, attempt, instance_key, annotation)
        )

    def list_annotations(self, run_id: int, attempt: int | None = None) -> list[Annotation]:
        return self.database.run_read(
            lambda conn: job_history.list_annotations(conn, run_id, attempt)
        )

    def request_cancel(self, run_id: int, instance_key: str | None = None) -> None:
        self.database.run_write(lambda conn: run_history.request_cancel(conn, run_id, instance_key))

    def cancel_requested(self, run_id: int, instance_key: str | None = None) -> bool:
        return self.database.run_read(
            lambda conn: run_history.cancel_requested(conn, run_id, instance_key)
        )

    def record_artifact(self, artifact: ArtifactRecord) -> None:
        self.database.run_write(lambda conn: artifact_index.record_artifact(conn, artifact))

    def list_artifacts(self, run_id: int) -> list[ArtifactRecord]:
        return self.database.run_read(lambda conn: artifact_index.list_artifacts(conn, run_id))

    def save_cache(self, cache: CacheRecord) -> None:
        self.database.run_write(lambda conn: artifact_index.save_cache(conn, cache))

    def find_cache(
        self, repository: str, scopes: Sequence[str], keys: Sequence[str], version: str
    ) -> CacheRecord | None:
        return self.database.run_write(
            lambda conn: artifact_index.find_cache(conn, repository, scopes, keys, version)
        )

    def sweep_abandoned(self) -> list[StoredRun]:
        """Mark abandoned the runs of this host whose process died (writes only if any did)."""
        dead = self.database.run_read(abandonment.dead_runs)
        if not dead:
            return []
        return self.database.run_write(
            lambda conn: abandonment.mark_abandoned(conn, dead), durable=True
        )
