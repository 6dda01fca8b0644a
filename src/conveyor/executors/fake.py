"""`FakeExecutor`: a scripted Executor for engine tests and `conveyor run --dry-run`.

It runs nothing. Each job instance ends as its script says (by instance key, else by job id,
else the default): a result, outputs, a duration it waits (cancellable), or waiting until it
is cancelled. Every document it receives is kept, with the order and overlap of the calls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from conveyor.engine.expressions import static_condition
from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobReporter
from conveyor.model.results import Conclusion, JobResult, StepResult
from conveyor.model.workflow import Step


@dataclass(frozen=True, slots=True)
class FakeJob:
    """How one scripted job instance ends."""

    result: Conclusion = Conclusion.SUCCESS
    outputs: Mapping[str, str] = field(default_factory=dict)
    duration: float = 0.0  # seconds to wait before finishing (ends early when cancelled)
    until_cancelled: bool = False  # run until the cancel signal is set
    lines: tuple[str, ...] = ()  # log lines reported for the first step
    error: str | None = None


Script = Mapping[str, FakeJob | Callable[[JobDocument], FakeJob]]


class FakeExecutor:
    def __init__(self, script: Script | None = None, default: FakeJob | None = None) -> None:
        self._script = dict(script or {})
        self._default = default or FakeJob()
        self._lock = threading.Lock()
        self._active = 0
        self.documents: list[JobDocument] = []
        self.started: list[str] = []  # instance keys, in start order
        self.max_active = 0

    def run_job(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> JobResult:
        started = time.time()
        self._enter(document)
        try:
            plan = self._plan_for(document)
            result = _wait(plan, cancel)
            steps = _report_steps(document, reporter, result, plan.lines)
        finally:
            self._leave()
        return JobResult(
            result=result,
            outputs=dict(plan.outputs) if result is Conclusion.SUCCESS else {},
            steps=steps,
            started_at=started,
            finished_at=time.time(),
            error=plan.error,
        )

    def _plan_for(self, document: JobDocument) -> FakeJob:
        entry = self._script.get(document.instance_key, self._script.get(document.job_id))
        if entry is None:
            return self._default
        return entry(document) if callable(entry) else entry

    def _enter(self, document: JobDocument) -> None:
        with self._lock:
            self.documents.append(document)
            self.started.append(document.instance_key)
            self._active += 1
            self.max_active = max(self.max_active, self._active)

    def _leave(self) -> None:
        with self._lock:
            self._active -= 1


def _wait(plan: FakeJob, cancel: CancelSignal) -> Conclusion:
    if plan.until_cancelled:
        cancel.wait()
        return Conclusion.CANCELLED
    if plan.duration > 0 and cancel.wait(plan.duration):
        return Conclusion.CANCELLED
    if cancel.is_set():
        return Conclusion.CANCELLED
    return plan.result


def step_name(step: Step) -> str:
    """A step's display name as GitHub defaults it (`Run <first line>` / `Run <uses>`)."""
    if isinstance(step.name, str) and step.name:
        return step.name
    if step.run is not None:
        first = step.run.strip().splitlines()[0] if step.run.strip() else ""
        return f"Run {first}"
    return f"Run {step.uses or ''}"


def _report_steps(
    document: JobDocument, reporter: JobReporter, result: Conclusion, lines: tuple[str, ...]
) -> tuple[StepResult, ...]:
    steps: list[StepResult] = []
    for step in document.steps:
        name = step_name(step)
        reporter.step_started(document.instance_key, step.index, name)
        for line in lines if step.index == 0 else ():
            reporter.log_line(document.instance_key, step.index, line)
        # Every step succeeds but the last, which ends as the job does; a step whose `if:` is
        # false before anything runs is skipped.
        status = result if step.index == len(document.steps) - 1 else Conclusion.SUCCESS
        if static_condition(step.condition, document.contexts) is False:
            status = Conclusion.SKIPPED
        stepped = StepResult(step.index, name, status, status, id=step.id, location=step.location)
        reporter.step_finished(document.instance_key, stepped)
        steps.append(stepped)
    return tuple(steps)
