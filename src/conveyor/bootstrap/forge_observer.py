"""`ForgeObserver`: the RunObserver that turns a served run's job states into check runs on
its head commit (queued when the job is taken, in_progress at its first step, completed with
GitHub's conclusion, its step summary and its file annotations), and its workflow's state into
a commit status (sent only when the forge refuses check runs). It only queues
(`ForgeReports`): nothing here waits for the forge."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import quote

from conveyor.engine.ports.forge import (
    AnnotationLevel,
    CheckAnnotation,
    CheckConclusion,
    CheckRunReport,
    CheckStatus,
    CommitState,
    CommitStatusReport,
)
from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord
from conveyor.model.results import Annotation, Conclusion, StepResult
from conveyor.model.results import AnnotationLevel as Level

CONCLUSIONS = {
    Conclusion.SUCCESS: CheckConclusion.SUCCESS,
    Conclusion.FAILURE: CheckConclusion.FAILURE,
    Conclusion.CANCELLED: CheckConclusion.CANCELLED,
    Conclusion.SKIPPED: CheckConclusion.SKIPPED,
    Conclusion.STARTUP_FAILURE: CheckConclusion.FAILURE,
    Conclusion.ABANDONED: CheckConclusion.CANCELLED,
}
STATES = {
    Conclusion.SUCCESS: CommitState.SUCCESS,
    Conclusion.SKIPPED: CommitState.SUCCESS,
    Conclusion.FAILURE: CommitState.FAILURE,
    Conclusion.STARTUP_FAILURE: CommitState.FAILURE,
}
LEVELS = {
    Level.ERROR: AnnotationLevel.FAILURE,
    Level.WARNING: AnnotationLevel.WARNING,
    Level.NOTICE: AnnotationLevel.NOTICE,
}


class Reports(Protocol):
    """What the observer queues into (`ForgeReports`)."""

    def check(self, report: CheckRunReport) -> None: ...
    def workflow_status(self, report: CommitStatusReport) -> None: ...


@dataclass(frozen=True, slots=True)
class ReportTarget:
    """Where a run's reports go: the forge's repository and commit, and the run's page."""

    repository: str  # owner/repo on the forge
    sha: str
    run_id: int
    attempt: int
    workflow: str
    server_url: str  # the conveyor server, for details_url / target_url

    def job_url(self, key: str) -> str:
        return f"{self.server_url}/runs/{self.run_id}/job?key={quote(key, safe='')}"


def iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_annotations(annotations: tuple[Annotation, ...]) -> tuple[CheckAnnotation, ...]:
    """The annotations on a line of a file (the others have no place on a check run)."""
    return tuple(
        CheckAnnotation(
            one.file,
            one.line,
            one.end_line or one.line,
            LEVELS.get(one.level, AnnotationLevel.NOTICE),
            one.message,
            one.title or "",
        )
        for one in annotations
        if one.file and one.line
    )


class ForgeObserver:
    def __init__(
        self, reports: Reports, target: ReportTarget, clock: Callable[[], float] = time.time
    ) -> None:
        self.reports, self.target, self.clock = reports, target, clock
        self._in_progress: dict[str, str] = {}  # job key -> started_at
        self._lock = threading.Lock()
        self._announced = False

    def job_started(self, job: JobView) -> None:
        self._check(job, CheckStatus.QUEUED)
        with self._lock:
            first, self._announced = not self._announced, True
        if first:
            self._status(CommitState.PENDING, "running")

    def step_started(self, job: JobView, index: int, name: str) -> None:
        with self._lock:
            if job.instance_key in self._in_progress:
                return
            started = self._in_progress[job.instance_key] = iso(self.clock())
        self._check(job, CheckStatus.IN_PROGRESS, started_at=started)

    def job_finished(self, job: JobView, record: JobRecord) -> None:
        with self._lock:
            started = self._in_progress.pop(job.instance_key, None)
        self._check(
            job,
            CheckStatus.COMPLETED,
            conclusion=CONCLUSIONS.get(record.conclusion, CheckConclusion.NEUTRAL),
            started_at=started or (iso(record.started_at) if record.started_at else None),
            completed_at=iso(record.finished_at or self.clock()),
            summary=record.summary or f"{record.conclusion}" + _error(record),
            annotations=check_annotations(record.annotations),
        )

    def run_finished(self, conclusion: Conclusion) -> None:
        self._status(STATES.get(conclusion, CommitState.ERROR), str(conclusion))

    def log_line(self, job: JobView, index: int | None, line: str) -> None: ...
    def log_lines(self, job: JobView, index: int | None, lines: Sequence[str]) -> None: ...
    def step_finished(self, job: JobView, result: StepResult) -> None: ...
    def annotation(self, job: JobView, annotation: Annotation) -> None: ...
    def message(self, text: str) -> None: ...

    def _check(self, job: JobView, status: CheckStatus, **fields: object) -> None:
        target = self.target
        report = CheckRunReport(
            repository=target.repository,
            head_sha=target.sha,
            name=job.display_name,
            external_id=f"run-{target.run_id}/attempt-{target.attempt}/{job.instance_key}",
            status=status,
            details_url=target.job_url(job.instance_key),
            title=f"{job.display_name}: {fields.get('conclusion') or status}",
            **fields,  # type: ignore[arg-type]
        )
        self.reports.check(report)

    def _status(self, state: CommitState, description: str) -> None:
        target = self.target
        self.reports.workflow_status(
            CommitStatusReport(
                target.repository,
                target.sha,
                state,
                f"conveyor/{target.workflow}",
                description,
                f"{target.server_url}/runs/{target.run_id}",
            )
        )


def _error(record: JobRecord) -> str:
    return f": {record.error}" if record.error else ""
