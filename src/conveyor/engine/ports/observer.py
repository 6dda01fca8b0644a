"""The observer port: what the engine tells a display or a store while runs progress.

Step-level calls come from executor threads; job-level calls from the scheduler's thread.
Implementations must be thread-safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from conveyor.model.results import Annotation, StepResult

if TYPE_CHECKING:
    from conveyor.engine.records import JobRecord


@dataclass(frozen=True, slots=True)
class JobView:
    """One job instance as observers see it."""

    run_id: str
    workflow_path: str
    workflow_name: str
    instance_key: str
    job_id: str
    display_name: str
    matrix: Mapping[str, object] = field(default_factory=dict)


class RunObserver(Protocol):
    def job_started(self, job: JobView) -> None: ...

    def job_finished(self, job: JobView, record: JobRecord) -> None:
        """Also called for jobs that never started (skipped, cancelled before starting)."""

    def step_started(self, job: JobView, index: int, name: str) -> None: ...

    def log_line(self, job: JobView, index: int | None, line: str) -> None: ...

    def log_lines(self, job: JobView, index: int | None, lines: Sequence[str]) -> None:
        """Several lines of one step (or of the job), in order: as `log_line` for each, in one
        call (a step's output is read in chunks of many lines)."""

    def step_finished(self, job: JobView, result: StepResult) -> None: ...

    def annotation(self, job: JobView, annotation: Annotation) -> None: ...

    def message(self, text: str) -> None:
        """An engine message not tied to one job (cancelling, timeouts...)."""
