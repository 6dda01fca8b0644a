"""The executor port: run one self-contained job document, report progress, return a result.

The same `JobDocument` goes to a local thread, a subprocess or (later) a Celery worker on another
machine, so it holds only plain, serialisable data: no callables, no open resources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from conveyor.model.results import Annotation, Conclusion, JobResult, StepResult
from conveyor.model.services import ContainerSpec, ServiceSpec
from conveyor.model.workflow import RunDefaults, Step


@dataclass(frozen=True, slots=True)
class JobDocument:
    """Everything an executor needs to run one job instance.

    `contexts` holds the contexts known before the job starts, already evaluated and JSON-like:
    github, needs, strategy, matrix, inputs, vars, secrets (and `env` = the evaluated workflow+job
    env). Step-level keys (`if`, `run`, `env`, `with`, ...) are still raw in `steps`: the executor
    evaluates them as the job goes, adding the steps, job, runner and env contexts. `outputs` are
    the job's raw output expressions, evaluated by the executor after the last step.
    """

    run_id: str
    job_id: str  # the id in the workflow's `jobs:`
    instance_key: str  # unique within the run, e.g. "test (3.11, ubuntu-latest)"
    display_name: str
    workflow_path: str
    repository: str  # the repository root on the machine that plans the run
    sha: str | None
    contexts: Mapping[str, object]
    env: Mapping[str, str]
    steps: tuple[Step, ...]
    defaults: RunDefaults = field(default_factory=RunDefaults)
    outputs: Mapping[str, object] = field(default_factory=dict)
    services: tuple[ServiceSpec, ...] = ()
    container: ContainerSpec | None = None
    timeout_minutes: float = 360.0
    cancel_timeout_minutes: float = 5.0
    masks: tuple[str, ...] = ()  # secret values to mask in every line
    include_uncommitted: bool = False  # copy the working tree as it is, like act does
    run_attempt: int = 1
    runs_on: tuple[str, ...] = ()  # the evaluated `runs-on` labels


MIN_SECRET_LENGTH = 3  # shorter secret values are not masked: they would mask ordinary text


class CancelSignal(Protocol):
    """Set by the scheduler when the job must stop (Ctrl-C, cancel-in-progress, fail-fast)."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class JobReporter(Protocol):
    """Receives a job's progress as it happens (the display, the run store)."""

    def step_started(self, instance_key: str, index: int, name: str) -> None: ...

    def log_line(self, instance_key: str, index: int | None, line: str) -> None:
        """One output line (already masked); `index` None for job-level lines (set-up, services)."""

    def log_lines(self, instance_key: str, index: int | None, lines: Sequence[str]) -> None:
        """Several output lines (already masked), in order: as `log_line` for each."""

    def step_finished(self, instance_key: str, result: StepResult) -> None: ...

    def annotation(self, instance_key: str, annotation: Annotation) -> None: ...


class Executor(Protocol):
    """Runs one job document to completion and returns its result; never raises for a step."""

    def run_job(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> JobResult: ...


@dataclass(frozen=True, slots=True)
class JobForecast:
    """The jobs of a repository at a commit that need it in their workspace (they check it out
    or use a `./` action: model.workflow.reads_repository): how many the scheduler has started
    so far, and how many are about to start (queued, or waiting for their needs; at most the run's
    `parallel`). An executor may prepare their workspaces ahead, while earlier jobs run. A new
    forecast replaces the previous one for the same source. `others_started` and
    `others_upcoming` count the other jobs the same way (they need an empty job directory)."""

    repository: str
    sha: str | None
    include_uncommitted: bool
    started: int
    upcoming: int
    others_started: int = 0
    others_upcoming: int = 0


@runtime_checkable
class ForecastingExecutor(Executor, Protocol):
    """An executor that uses forecasts (optional: the scheduler sends them when it can)."""

    def forecast(self, forecast: JobForecast) -> None:
        """Cheap and non-blocking: the scheduler calls it whenever its queue changes."""


__all__ = [
    "CancelSignal",
    "Conclusion",
    "Executor",
    "ForecastingExecutor",
    "JobDocument",
    "JobForecast",
    "JobReporter",
    "JobResult",
    "StepResult",
]
