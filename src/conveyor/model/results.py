"""Outcomes of runs, jobs and steps as values, and the annotations steps produce."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from conveyor.errors import SourceLocation


class Conclusion(enum.StrEnum):
    """How a step, job, workflow run or run ended, in GitHub's words: the one outcome type.

    A step's `outcome` and `conclusion` and a job's `result` are one of the first four;
    `startup_failure`: a workflow run that could not start (an invalid file); `abandoned`: a
    stored run or job whose owning process died.
    """

    SUCCESS = "success"
    FAILURE = "failure"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    STARTUP_FAILURE = "startup_failure"
    ABANDONED = "abandoned"

    @property
    def passed(self) -> bool:
        """Nothing failed: the command that ran it exits 0."""
        return self in _PASSED


_PASSED = frozenset({Conclusion.SUCCESS, Conclusion.SKIPPED})


class AnnotationLevel(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class Annotation:
    """A `::error`/`::warning`/`::notice` workflow command (or one conveyor raised itself)."""

    level: AnnotationLevel
    message: str
    title: str | None = None
    file: str | None = None
    line: int | None = None
    end_line: int | None = None
    column: int | None = None
    end_column: int | None = None
    job: str | None = None  # the job instance it came from


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one step did: `outcome` before continue-on-error, `conclusion` after."""

    index: int
    name: str
    outcome: Conclusion
    conclusion: Conclusion
    id: str | None = None
    outputs: Mapping[str, str] = field(default_factory=dict)
    started_at: float | None = None  # epoch seconds
    finished_at: float | None = None
    location: SourceLocation | None = None
    trend: str | None = None  # a native action's ActionOutcome.trend: the store keeps `outputs`


@dataclass(frozen=True, slots=True)
class JobResult:
    """What one job instance did, as handed back by an executor."""

    result: Conclusion
    outputs: Mapping[str, str] = field(default_factory=dict)
    steps: tuple[StepResult, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    summary: str = ""  # GITHUB_STEP_SUMMARY contents, concatenated
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None  # why the job failed before or outside its steps, if it did
    # Why this host cannot run the job (a Windows runner, an interpreter not installed): the
    # job is then `skipped`, and the run does not fail for it.
    unavailable: str | None = None
