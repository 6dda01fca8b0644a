"""Jobs, steps and annotations of a run attempt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from conveyor.engine.ports.run_history import Conclusion, RunStatus
from conveyor.model.results import Annotation, JobResult, StepResult


@dataclass(frozen=True, slots=True)
class NewJob:
    instance_key: str  # unique within the run attempt, e.g. "test (3.11)"
    job_id: str
    name: str
    matrix: Mapping[str, object] | None = None
    environment: str | None = None
    status: RunStatus = RunStatus.QUEUED


@dataclass(frozen=True, slots=True)
class StoredJob:
    run_id: int
    attempt: int
    instance_key: str
    job_id: str
    name: str
    status: RunStatus
    conclusion: Conclusion | None = None
    matrix: Mapping[str, object] | None = None
    outputs: Mapping[str, str] = field(default_factory=dict)
    environment: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    reused: bool = False  # carried over from an earlier attempt by a rerun


@dataclass(frozen=True, slots=True)
class StoredStep:
    run_id: int
    attempt: int
    instance_key: str
    index: int  # 0-based, like `Step.index`
    name: str
    status: RunStatus
    outcome: Conclusion | None = None
    conclusion: Conclusion | None = None
    step_id: str | None = None
    started_at: float | None = None
    finished_at: float | None = None


class JobHistoryStore(Protocol):
    """Jobs, steps and annotations, recorded as a run goes."""

    def start_job(self, run_id: int, attempt: int, job: NewJob) -> None: ...
    def set_job_status(
        self, run_id: int, attempt: int, instance_key: str, status: RunStatus
    ) -> None: ...
    def finish_job(
        self, run_id: int, attempt: int, instance_key: str, result: JobResult
    ) -> None: ...
    def list_jobs(self, run_id: int, attempt: int | None = None) -> list[StoredJob]: ...
    def start_step(
        self,
        run_id: int,
        attempt: int,
        instance_key: str,
        index: int,
        name: str,
        started_at: float | None = None,
    ) -> None: ...
    def finish_step(
        self, run_id: int, attempt: int, instance_key: str, step: StepResult
    ) -> None: ...
    def finish_steps(
        self, run_id: int, attempt: int, steps: Sequence[tuple[str, StepResult]]
    ) -> None:
        """Several steps' ends, each (its job's instance key, its result), in one write (the
        recorder's: the steps that ended within one burst)."""

    def list_steps(self, run_id: int, attempt: int, instance_key: str) -> list[StoredStep]: ...
    def add_annotation(
        self, run_id: int, attempt: int, instance_key: str, annotation: Annotation
    ) -> None: ...
    def list_annotations(self, run_id: int, attempt: int | None = None) -> list[Annotation]: ...
