"""The mutable state of one running job, and the scopes steps run in (the job, a composite)."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.engine.ports.actions import ActionRegistry
from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobReporter
from conveyor.engine.ports.remote_actions import RemoteActions
from conveyor.errors import SourceLocation
from conveyor.executors.local.action_overrides import ActionOverride, RunNotices
from conveyor.executors.local.docker_action import ContainerEngines
from conveyor.executors.local.file_commands import StepFiles
from conveyor.executors.local.masking import SecretMasker
from conveyor.executors.local.process_tracker import ProcessTracker, Supervision
from conveyor.executors.local.processes import StopPolicy
from conveyor.executors.local.workspace import JobWorkspace
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion, StepResult
from conveyor.model.workflow import RunDefaults

STATUS_WORDS = {
    Conclusion.SUCCESS: "success",
    Conclusion.FAILURE: "failure",
    Conclusion.CANCELLED: "cancelled",
    Conclusion.SKIPPED: "success",
}


@dataclass(frozen=True, slots=True)
class ExecutorOptions:
    """What a LocalExecutor was configured with (shared by all its jobs)."""

    home: Path
    actions: ActionRegistry
    action_directories: Mapping[str, Path]
    policy: StopPolicy
    keep_workspace: bool = False
    supervision: Supervision = field(default_factory=Supervision)
    # `owner/repo[/path]` (lower case) → a local directory or skip (action_overrides)
    action_overrides: Mapping[str, ActionOverride] = field(default_factory=dict)
    notices: RunNotices = field(default_factory=RunNotices)  # hints shown once per run
    npm_registry: str = ""  # where node is provisioned from ('': npm's own setting)
    containers: ContainerEngines = field(default_factory=ContainerEngines)  # asked once per run
    isolate_home: bool = False  # each job's own HOME (job_home)
    remote: RemoteActions | None = None  # fetches remote actions (None: local copies only)


@dataclass(slots=True)
class PostStep:
    """A step to run at the end of the job (or of a composite): `post:` of an action."""

    name: str
    condition: str  # post-if
    execute: Callable[[int | None], Conclusion]  # given the index its lines are reported under


@dataclass(slots=True)
class Scope:
    """Where a step runs: the job itself or a composite action (its own steps context, inputs,
    env from the `uses:` step, status, and the post steps of the actions it used)."""

    steps: dict[str, object] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    inputs: Mapping[str, object] | None = None
    action_path: str | None = None
    action_repository: str = ""
    action_ref: str = ""
    status: Conclusion = Conclusion.SUCCESS
    depth: int = 0
    report_index: int | None = None
    post_steps: list[PostStep] = field(default_factory=list)
    defaults: RunDefaults | None = None
    deadline: float | None = None  # a composite's own timeout bounds its steps

    @property
    def composite(self) -> bool:
        return self.inputs is not None


@dataclass(slots=True)
class JobRun:
    """Everything that changes while one job runs."""

    document: JobDocument
    reporter: JobReporter
    cancel: CancelSignal
    options: ExecutorOptions
    layout: JobWorkspace
    masker: SecretMasker
    tracker: ProcessTracker
    base_env: dict[str, str]
    github: dict[str, object]
    runner: dict[str, str]
    job_context: dict[str, object]
    deadline: float | None
    env_additions: dict[str, str] = field(default_factory=dict)
    path_additions: list[str] = field(default_factory=list)  # most recent first
    status: Conclusion = Conclusion.SUCCESS
    timed_out: bool = False
    annotations: list[Annotation] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    trends: dict[int, str] = field(default_factory=dict)  # step index → ActionOutcome.trend
    results: list[StepResult] = field(default_factory=list)
    action_ids: Counter[str] = field(default_factory=Counter)
    action_states: dict[int, dict[str, str]] = field(default_factory=dict)
    next_index: int = 0
    cancelled_at: float | None = None
    unavailable: str | None = None  # set by a step: this host cannot run the job (no more steps)
    fresh_step_files: bool = True  # the file-command files are as the job directory made them

    def step_files(self) -> StepFiles:
        """The file-command files, empty, for a step about to start: the first step gets
        those made (empty) with the job directory, each later one new empty files."""
        if self.fresh_step_files:
            self.fresh_step_files = False
            return StepFiles.made(self.layout.temp)
        return StepFiles.fresh(self.layout.temp)

    # -- status ---------------------------------------------------------------------------

    def cancelled(self) -> bool:
        """True once the job is cancelled (by the signal or by its own timeout)."""
        if self.status is Conclusion.CANCELLED:
            return True
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.timed_out = True
        if self.timed_out or self.cancel.is_set():
            self.status = Conclusion.CANCELLED
            self.cancelled_at = time.monotonic()
            return True
        return False

    def forced(self) -> bool:
        """True once the job must stop at once (a second Ctrl-C): nothing more runs.

        A CancelSignal may offer `is_forced()` (the engine's CancelToken does)."""
        is_forced = getattr(self.cancel, "is_forced", None)
        return bool(is_forced()) if callable(is_forced) else False

    def status_word(self, scope: Scope) -> str:
        """What `success()`/`failure()`/`cancelled()` see for a step of `scope`."""
        if self.cancelled():
            return "cancelled"
        return STATUS_WORDS[scope.status if scope.composite else self.status]

    def fail(self, scope: Scope) -> None:
        scope.status = Conclusion.FAILURE
        if not scope.composite and self.status is Conclusion.SUCCESS:
            self.status = Conclusion.FAILURE

    # -- output ---------------------------------------------------------------------------

    def log(self, index: int | None, text: str) -> None:
        # A log file that cannot be written (a full disk) does not stop the job; a step's own
        # output does fail that step (step_process.ReportedLines).
        with contextlib.suppress(OSError):
            self.reporter.log_line(self.document.instance_key, index, self.masker.mask(text))

    def error(self, index: int | None, message: str, where: SourceLocation | None = None) -> None:
        """An error of a step (or of the job when `index` is None): logged and annotated."""
        self.log(index, f"##[error]{message}")
        file, line, column = (where.path, where.line, where.column) if where else (None, None, None)
        self.annotate(
            Annotation(AnnotationLevel.ERROR, message, file=file, line=line, column=column)
        )

    def annotate(self, annotation: Annotation) -> None:
        """Report an annotation with every text field masked (shown, stored as a row)."""
        mask = self.masker.mask
        masked = Annotation(
            level=annotation.level,
            message=mask(annotation.message),
            title=mask(annotation.title) if annotation.title else annotation.title,
            file=mask(annotation.file) if annotation.file else annotation.file,
            line=annotation.line,
            end_line=annotation.end_line,
            column=annotation.column,
            end_column=annotation.end_column,
            job=self.document.instance_key,
        )
        self.annotations.append(masked)
        self.reporter.annotation(self.document.instance_key, masked)

    def allocate_index(self) -> int:
        """A report index for a pre/post step (after the document's own steps)."""
        index = len(self.document.steps) + self.next_index
        self.next_index += 1
        return index

    def action_id(self, step_id: str | None, base: str) -> str:
        """GITHUB_ACTION: the step id, else `__run`, `__run_2`, ... (or `__owner_repo`...)."""
        if step_id:
            return step_id
        self.action_ids[base] += 1
        count = self.action_ids[base]
        return base if count == 1 else f"{base}_{count}"

    # -- env ------------------------------------------------------------------------------

    def set_env(self, name: str, value: str) -> None:
        self.env_additions[name] = value

    def add_path(self, directory: str) -> None:
        if directory in self.path_additions:
            self.path_additions.remove(directory)
        self.path_additions.insert(0, directory)

    def scope_env(self, scope: Scope) -> dict[str, str]:
        """The env context before the step's own `env:`: job env, GITHUB_ENV, composite env."""
        return {**self.document.env, **self.env_additions, **scope.env}
