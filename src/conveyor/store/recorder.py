"""`RunRecorder`: what `conveyor run` needs from the store, in a few calls.

    recorder = RunRecorder(store.runs, store.logs, store.coverage)
    stored = recorder.begin(NewRun(...))          # one per workflow run; use str(stored.id)
    observer = recorder.observer(display)         #   as the engine's github.run_id
    ... the engine runs, telling `observer` ...
    recorder.finish(stored.id, Conclusion.SUCCESS)  # durable: survives a kill -9 right after

`StoreObserver` is a RunObserver that records jobs, steps, annotations and logs, and passes every
call on to the display it wraps. Engine run ids are the store's run ids as strings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from contextlib import nullcontext

from conveyor.engine.ports.observer import JobView, RunObserver
from conveyor.engine.ports.store import (
    Conclusion,
    LogStore,
    NewJob,
    NewRun,
    RunStatus,
    RunStore,
    StoredRun,
)
from conveyor.engine.records import JobRecord
from conveyor.errors import StoreError
from conveyor.model.results import Annotation, JobResult, StepResult
from conveyor.store.coverage_points import CoverageTrend
from conveyor.store.reporter import StoreReporter

FINISH_ATTEMPTS = 15
FINISH_RETRY_SECONDS = 0.2


class RunRecorder:
    def __init__(
        self, runs: RunStore, logs: LogStore, coverage: CoverageTrend | None = None
    ) -> None:
        self.runs = runs
        self.logs = logs
        self.coverage = coverage  # where coverage-gate's points are kept (None: not kept)
        self._reporters: dict[str, StoreReporter] = {}
        self._lock = threading.Lock()

    def begin(self, new: NewRun, engine_run_id: str | None = None) -> StoredRun:
        """Record a new run, in progress from now on. `engine_run_id`: the id the engine's
        JobViews carry, if it is not the stored run's id (`str(stored.id)`)."""
        batch = getattr(self.runs, "batch", None)  # one transaction for both, where possible
        with batch() if batch is not None else nullcontext():
            stored = self.runs.create_run(new)
            return self.resume(stored.id, engine_run_id)

    def resume(self, run_id: int, engine_run_id: str | None = None) -> StoredRun:
        """Record the current attempt of an existing run (after `begin_attempt` for a rerun)."""
        self.runs.set_run_status(run_id, RunStatus.IN_PROGRESS)
        stored = self.runs.get_run(run_id)
        assert stored is not None
        reporter = StoreReporter(self.runs, self.logs, run_id, stored.attempt, self.coverage)
        with self._lock:
            self._reporters[str(run_id)] = reporter
            if engine_run_id is not None:
                self._reporters[engine_run_id] = reporter
        return stored

    def reporter(self, run_id: int | str) -> StoreReporter:
        with self._lock:
            return self._reporters[str(run_id)]

    def engine_reporter(self, run_id: str) -> StoreReporter:
        """`reporter` for an engine run id (a str), without the lock: called for every log
        line, and one dict lookup is atomic (the dict only changes under the lock)."""
        return self._reporters[run_id]

    def observer(self, display: RunObserver | None = None) -> StoreObserver:
        return StoreObserver(self, display)

    def finish(self, run_id: int, conclusion: Conclusion, reason: str | None = None) -> StoredRun:
        """Close the run's recording and store its conclusion (fsynced).

        Records or log lines that could not be written (a full disk) make a successful run a
        failure, with the reason; the conclusion itself is retried for a while on a full disk
        (the jobs' directories are being deleted meanwhile)."""
        with self._lock:
            reporter = self._reporters.pop(str(run_id), None)
            for alias in [k for k, v in self._reporters.items() if v is reporter]:
                del self._reporters[alias]
        if reporter is not None:
            try:
                reporter.close()
            except StoreError as lost:
                conclusion, reason = _with_lost_records(conclusion, reason, lost)
        return self._finish_run(run_id, conclusion, reason)

    def _finish_run(self, run_id: int, conclusion: Conclusion, reason: str | None) -> StoredRun:
        for attempt in range(FINISH_ATTEMPTS):
            try:
                return self.runs.finish_run(run_id, conclusion, reason=reason)
            except StoreError as error:
                if "full" not in str(error) or attempt == FINISH_ATTEMPTS - 1:
                    raise
                time.sleep(FINISH_RETRY_SECONDS)  # waiting for space, not for another thread
        raise AssertionError("unreachable")


class StoreObserver:
    """RunObserver: records in the store, then tells the wrapped display."""

    def __init__(self, recorder: RunRecorder, display: RunObserver | None) -> None:
        self.recorder = recorder
        self.display = display

    def job_started(self, job: JobView) -> None:
        self.recorder.reporter(job.run_id).start_job(_new_job(job, RunStatus.IN_PROGRESS))
        if self.display is not None:
            self.display.job_started(job)

    def job_finished(self, job: JobView, record: JobRecord) -> None:
        reporter = self.recorder.reporter(job.run_id)
        reporter.start_job(_new_job(job, RunStatus.QUEUED, record.environment))
        result = JobResult(
            result=record.conclusion,
            outputs=record.outputs,
            steps=record.steps,
            error=_error_or_skip_reason(record),
            summary=record.summary,
            started_at=record.started_at,
            finished_at=record.finished_at,
        )
        reporter.finish_job(job.instance_key, result)
        if self.display is not None:
            self.display.job_finished(job, record)

    def step_started(self, job: JobView, index: int, name: str) -> None:
        self.recorder.engine_reporter(job.run_id).step_started(job.instance_key, index, name)
        if self.display is not None:
            self.display.step_started(job, index, name)

    def log_line(self, job: JobView, index: int | None, line: str) -> None:
        self.recorder.engine_reporter(job.run_id).log_line(job.instance_key, index, line)
        if self.display is not None:
            self.display.log_line(job, index, line)

    def log_lines(self, job: JobView, index: int | None, lines: Sequence[str]) -> None:
        self.recorder.engine_reporter(job.run_id).log_lines(job.instance_key, index, lines)
        if self.display is not None:
            self.display.log_lines(job, index, lines)

    def step_finished(self, job: JobView, result: StepResult) -> None:
        self.recorder.engine_reporter(job.run_id).step_finished(job.instance_key, result)
        if self.display is not None:
            self.display.step_finished(job, result)

    def annotation(self, job: JobView, annotation: Annotation) -> None:
        self.recorder.reporter(job.run_id).annotation(job.instance_key, annotation)
        if self.display is not None:
            self.display.annotation(job, annotation)

    def message(self, text: str) -> None:
        if self.display is not None:
            self.display.message(text)


def _with_lost_records(
    conclusion: Conclusion, reason: str | None, lost: StoreError
) -> tuple[Conclusion, str | None]:
    lost_reason = f"some of the run's logs or records could not be written: {lost}"
    if conclusion is Conclusion.SUCCESS:
        return Conclusion.FAILURE, lost_reason
    return conclusion, f"{reason}; {lost_reason}" if reason else lost_reason


def _new_job(job: JobView, status: RunStatus, environment: str | None = None) -> NewJob:
    return NewJob(
        instance_key=job.instance_key,
        job_id=job.job_id,
        name=job.display_name,
        matrix=dict(job.matrix) or None,
        environment=environment,
        status=status,
    )


def _error_or_skip_reason(record: JobRecord) -> str | None:
    """The job's error; for a job skipped as unavailable, `unavailable: <why>` (the store keeps
    the reason there: a skipped job has no error)."""
    if record.unavailable is not None:
        return f"unavailable: {record.unavailable}"
    return record.error
