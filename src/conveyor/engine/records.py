"""What a finished run looks like: job, workflow and run records, and their JSON form.

`RunRecord.as_json()` is the run record of DESIGN.md §3 (`conveyor run --json`), with a few
additions: each job's workflow, instance key and continue-on-error flag, and one entry per
workflow run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from conveyor.engine.ports.observer import JobView
from conveyor.model.results import Annotation, Conclusion, StepResult


@dataclass(frozen=True, slots=True)
class JobRecord:
    view: JobView
    conclusion: Conclusion
    continue_on_error: bool = False
    outputs: Mapping[str, str] = field(default_factory=dict)
    steps: tuple[StepResult, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    summary: str = ""
    error: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    runs_on: tuple[str, ...] = ()
    environment: str | None = None
    concurrency: str | None = None
    unavailable: str | None = None  # skipped: this host cannot run it, and why (JobResult)
    deferred: str | None = None  # --dry-run: not planned, what only the run decides (why)

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return max(0.0, self.finished_at - self.started_at)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.view.job_id,
            "key": self.view.instance_key,
            "name": self.view.display_name,
            "workflow": self.view.workflow_path,
            "matrix": dict(self.view.matrix),
            "conclusion": str(self.conclusion),
            "continue_on_error": self.continue_on_error,
            "outputs": dict(self.outputs),
            "steps": [_step_json(step) for step in self.steps],
            "error": self.error,
            "unavailable": self.unavailable,
            "deferred": self.deferred,
        }


def _step_json(step: StepResult) -> dict[str, object]:
    return {
        "name": step.name,
        "id": step.id,
        "outcome": str(step.outcome),
        "conclusion": str(step.conclusion),
    }


@dataclass(frozen=True, slots=True)
class WorkflowRecord:
    run_id: str
    workflow_path: str
    workflow_name: str
    conclusion: Conclusion  # success | failure | cancelled | skipped | startup_failure
    jobs: tuple[JobRecord, ...] = ()
    errors: tuple[str, ...] = ()  # rendered diagnostics of a workflow that could not start
    run_name: str | None = None  # `run-name:` evaluated
    concurrency: str | None = None  # the workflow-level concurrency group (not enforced here)

    def as_json(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "path": self.workflow_path,
            "name": self.workflow_name,
            "run_name": self.run_name,
            "conclusion": str(self.conclusion),
            "concurrency": self.concurrency,
            "errors": list(self.errors),
        }


@dataclass(frozen=True, slots=True)
class RunRecord:
    conclusion: Conclusion
    workflows: tuple[WorkflowRecord, ...] = ()
    interrupted: bool = False

    @property
    def jobs(self) -> tuple[JobRecord, ...]:
        return tuple(job for workflow in self.workflows for job in workflow.jobs)

    @property
    def unavailable(self) -> int:
        """How many jobs were skipped because this host cannot run them."""
        return sum(1 for job in self.jobs if job.unavailable is not None)

    def as_json(self) -> dict[str, object]:
        return {
            "conclusion": str(self.conclusion),
            "jobs": [job.as_json() for job in self.jobs],
            "workflows": [workflow.as_json() for workflow in self.workflows],
        }


# Worst first: the run's conclusion is the worst of its workflow runs'.
_WORST_FIRST = (
    Conclusion.STARTUP_FAILURE,
    Conclusion.FAILURE,
    Conclusion.CANCELLED,
    Conclusion.SUCCESS,
)


def overall_conclusion(workflows: tuple[WorkflowRecord, ...], interrupted: bool) -> Conclusion:
    """Several workflow runs → one conclusion: the worst of them (a startup failure fails)."""
    if interrupted:
        return Conclusion.CANCELLED
    found = {workflow.conclusion for workflow in workflows}
    for conclusion in _WORST_FIRST:
        if conclusion in found:
            return Conclusion.FAILURE if conclusion is Conclusion.STARTUP_FAILURE else conclusion
    return Conclusion.SKIPPED if found else Conclusion.SUCCESS
