"""In-memory run history (`FakeRunStore`) and step logs (`FakeLogStore`)."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Collection, Sequence

from conveyor.engine.ports.artifact_index import ArtifactRecord, CacheRecord
from conveyor.engine.ports.job_history import NewJob, StoredJob, StoredStep
from conveyor.engine.ports.logs import LogChunk, LogKey
from conveyor.engine.ports.run_history import (
    ACTIVE_STATUSES,
    Conclusion,
    NewRun,
    ProcessOwner,
    RunQuery,
    RunStatus,
    StoredRequest,
    StoredRun,
)
from conveyor.errors import StoreError
from conveyor.model.results import Annotation, JobResult, StepResult

replace = dataclasses.replace


class FakeRunStore:
    def __init__(self) -> None:
        self.runs: dict[int, StoredRun] = {}
        self.requests: dict[int, StoredRequest] = {}
        self.jobs: dict[tuple[int, int, str], StoredJob] = {}
        self.steps: dict[tuple[int, int, str, int], StoredStep] = {}
        self.annotations: list[tuple[int, int, Annotation]] = []
        self.cancels: set[tuple[int, str | None]] = set()
        self.artifacts: dict[tuple[int, str], ArtifactRecord] = {}
        self.caches: list[CacheRecord] = []
        self.lock = threading.RLock()

    def create_run(self, new: NewRun) -> StoredRun:
        with self.lock:
            number = 1 + sum(
                1
                for r in self.runs.values()
                if (r.repository, r.workflow_path) == (new.repository, new.workflow_path)
            )
            run = StoredRun(
                id=len(self.runs) + 1,
                repository=new.repository,
                workflow=new.workflow,
                workflow_path=new.workflow_path,
                run_number=number,
                event=new.event,
                ref=new.ref,
                sha=new.sha,
                attempt=1,
                status=RunStatus.QUEUED,
                conclusion=None,
                created_at=time.time(),
                actor=new.actor,
                owner=new.owner,
                concurrency_group=new.concurrency_group,
            )
            self.runs[run.id] = run
            self.requests[run.id] = StoredRequest(run, new.event_payload, new.inputs, new.options)
            return run

    def get_run(self, run_id: int) -> StoredRun | None:
        return self.runs.get(run_id)

    def list_runs(self, query: RunQuery) -> list[StoredRun]:
        found = [
            r
            for r in sorted(self.runs.values(), key=lambda r: -r.id)
            if query.workflow in (None, r.workflow, r.workflow_path)
            and query.status in (None, r.status, r.conclusion)
            and query.repository in (None, r.repository)
        ]
        return found[: query.limit]

    def _update_run(self, run_id: int, **changes: object) -> StoredRun:
        with self.lock:
            if run_id not in self.runs:
                raise StoreError(f"there is no run {run_id}")
            self.runs[run_id] = replace(self.runs[run_id], **changes)
            return self.runs[run_id]

    def set_run_status(self, run_id: int, status: RunStatus) -> None:
        run = self.runs[run_id]
        if run.status in ACTIVE_STATUSES:
            started = run.started_at or (time.time() if status is RunStatus.IN_PROGRESS else None)
            self._update_run(run_id, status=status, started_at=started)

    def finish_run(
        self, run_id: int, conclusion: Conclusion, *, reason: str | None = None
    ) -> StoredRun:
        run = self._update_run(run_id)
        if run.status not in ACTIVE_STATUSES:
            return run
        return self._update_run(
            run_id,
            status=RunStatus.COMPLETED,
            conclusion=conclusion,
            reason=reason,
            finished_at=time.time(),
            started_at=run.started_at or time.time(),
        )

    def run_request(self, run_id: int) -> StoredRequest | None:
        request = self.requests.get(run_id)
        return None if request is None else replace(request, run=self.runs[run_id])

    def begin_attempt(
        self, run_id: int, owner: ProcessOwner | None, reuse: Collection[str] = ()
    ) -> StoredRun:
        run = self._update_run(run_id)
        if run.status in ACTIVE_STATUSES:
            raise StoreError(f"run {run_id} is still {run.status}: wait for it or cancel it first")
        for key in reuse:
            job = self.jobs[(run_id, run.attempt, key)]
            self.jobs[(run_id, run.attempt + 1, key)] = replace(
                job, attempt=run.attempt + 1, reused=True
            )
        return self._update_run(
            run_id,
            attempt=run.attempt + 1,
            status=RunStatus.QUEUED,
            conclusion=None,
            reason=None,
            started_at=None,
            finished_at=None,
            owner=owner,
        )

    def start_job(self, run_id: int, attempt: int, job: NewJob) -> None:
        key = (run_id, attempt, job.instance_key)
        if key not in self.jobs:
            self.jobs[key] = StoredJob(
                run_id,
                attempt,
                job.instance_key,
                job.job_id,
                job.name,
                job.status,
                matrix=job.matrix,
                environment=job.environment,
            )
        elif job.environment is not None:
            self.jobs[key] = replace(self.jobs[key], environment=job.environment)
        if job.status is not RunStatus.QUEUED:
            self.set_job_status(run_id, attempt, job.instance_key, job.status)

    def set_job_status(
        self, run_id: int, attempt: int, instance_key: str, status: RunStatus
    ) -> None:
        job = self.jobs.get((run_id, attempt, instance_key))
        if job is not None and job.status is not RunStatus.COMPLETED:
            started = job.started_at or (time.time() if status is RunStatus.IN_PROGRESS else None)
            self.jobs[(run_id, attempt, instance_key)] = replace(
                job, status=status, started_at=started
            )

    def finish_job(self, run_id: int, attempt: int, instance_key: str, result: JobResult) -> None:
        job = self.jobs[(run_id, attempt, instance_key)]
        self.jobs[(run_id, attempt, instance_key)] = replace(
            job,
            status=RunStatus.COMPLETED,
            conclusion=Conclusion(str(result.result)),
            outputs=dict(result.outputs),
            error=result.error,
            finished_at=result.finished_at or time.time(),
        )

    def list_jobs(self, run_id: int, attempt: int | None = None) -> list[StoredJob]:
        wanted = attempt or self.runs[run_id].attempt
        return [j for (r, a, _), j in self.jobs.items() if (r, a) == (run_id, wanted)]

    def start_step(
        self,
        run_id: int,
        attempt: int,
        instance_key: str,
        index: int,
        name: str,
        started_at: float | None = None,
    ) -> None:
        self.steps[(run_id, attempt, instance_key, index)] = StoredStep(
            run_id,
            attempt,
            instance_key,
            index,
            name,
            RunStatus.IN_PROGRESS,
            started_at=started_at or time.time(),
        )

    def finish_step(self, run_id: int, attempt: int, instance_key: str, step: StepResult) -> None:
        key = (run_id, attempt, instance_key, step.index)
        old = self.steps.get(key)
        self.steps[key] = StoredStep(
            run_id,
            attempt,
            instance_key,
            step.index,
            step.name,
            RunStatus.COMPLETED,
            Conclusion(str(step.outcome)),
            Conclusion(str(step.conclusion)),
            step.id,
            old.started_at if old else step.started_at,
            step.finished_at or time.time(),
        )

    def finish_steps(
        self, run_id: int, attempt: int, steps: Sequence[tuple[str, StepResult]]
    ) -> None:
        for instance_key, step in steps:
            self.finish_step(run_id, attempt, instance_key, step)

    def list_steps(self, run_id: int, attempt: int, instance_key: str) -> list[StoredStep]:
        found = [s for k, s in self.steps.items() if k[:3] == (run_id, attempt, instance_key)]
        return sorted(found, key=lambda s: s.index)

    def add_annotation(
        self, run_id: int, attempt: int, instance_key: str, annotation: Annotation
    ) -> None:
        self.annotations.append((run_id, attempt, replace(annotation, job=instance_key)))

    def list_annotations(self, run_id: int, attempt: int | None = None) -> list[Annotation]:
        wanted = attempt or self.runs[run_id].attempt
        return [a for r, at, a in self.annotations if (r, at) == (run_id, wanted)]

    def request_cancel(self, run_id: int, instance_key: str | None = None) -> None:
        self.cancels.add((run_id, instance_key))

    def cancel_requested(self, run_id: int, instance_key: str | None = None) -> bool:
        return (run_id, None) in self.cancels or (run_id, instance_key) in self.cancels

    def record_artifact(self, artifact: ArtifactRecord) -> None:
        self.artifacts[(artifact.run_id, artifact.name)] = artifact

    def list_artifacts(self, run_id: int) -> list[ArtifactRecord]:
        return sorted((a for a in self.artifacts.values() if a.run_id == run_id), key=str)

    def save_cache(self, cache: CacheRecord) -> None:
        same = (cache.repository, cache.scope, cache.key, cache.version)
        if all((c.repository, c.scope, c.key, c.version) != same for c in self.caches):
            self.caches.append(cache)

    def find_cache(
        self, repository: str, scopes: Sequence[str], keys: Sequence[str], version: str
    ) -> CacheRecord | None:
        for scope in scopes:
            for key in keys:
                for cache in reversed(self.caches):
                    where = (cache.repository, cache.scope, cache.version)
                    if where == (repository, scope, version) and cache.key.startswith(key):
                        return cache
        return None

    def sweep_abandoned(self) -> list[StoredRun]:
        return []


class FakeLogStore:
    def __init__(self, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.logs: dict[LogKey, bytearray] = {}
        self.truncated: set[LogKey] = set()
        self.max_bytes = max_bytes

    def append(self, key: LogKey, text: str) -> int:
        log = self.logs.setdefault(key, bytearray())
        data = text.encode()
        if key in self.truncated:
            return len(log)
        if len(log) + len(data) > self.max_bytes:
            data = b"\n[conveyor] log truncated\n"
            self.truncated.add(key)
        log.extend(data)
        return len(log)

    def read(self, key: LogKey, offset: int = 0, limit: int | None = None) -> LogChunk:
        data = bytes(self.logs.get(key, b""))
        chunk = data[offset:] if limit is None else data[offset : offset + limit]
        end = offset + len(chunk)
        text = chunk.decode(errors="replace")
        return LogChunk(text, offset, end, key in self.truncated and end >= len(data))

    def keys(self, run_id: int, attempt: int, instance_key: str | None = None) -> list[LogKey]:
        found = [
            k
            for k in self.logs
            if (k.run_id, k.attempt) == (run_id, attempt) and instance_key in (None, k.instance_key)
        ]
        return sorted(found, key=lambda k: (k.instance_key, -1 if k.step is None else k.step))

    def close(self, key: LogKey) -> None:
        return None
