"""What every step body shares: the evaluated call, running a process for it, and reading its
environment files back afterwards."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from conveyor.executors.local.file_commands import (
    SUMMARY_LIMIT,
    FileCommandError,
    FileTooLarge,
    StepFiles,
    parse_key_values,
    parse_path_lines,
    read_text,
)
from conveyor.executors.local.job_state import JobRun
from conveyor.executors.local.processes import (
    ProcessControl,
    StopReason,
    run_process,
)
from conveyor.executors.local.step_log import StepLog
from conveyor.model.results import Conclusion
from conveyor.model.workflow import Step

_BLOCKED_ENV = {"NODE_OPTIONS"}


@dataclass(frozen=True, slots=True)
class StepCall:
    """A step about to run, with its values evaluated."""

    step: Step
    name: str
    index: int | None  # where its lines are reported
    contexts: Mapping[str, object]
    env: Mapping[str, str]  # the env context, step `env:` included
    step_env: Mapping[str, str]  # the step's own `env:` (kept for post steps)
    github: Mapping[str, object]
    deadline: float | None  # time.monotonic() value
    stop_on_cancel: Callable[[], bool] = lambda: True


@dataclass(frozen=True, slots=True)
class BodyResult:
    status: Conclusion
    outputs: Mapping[str, str] = field(default_factory=dict)


class JobCancel:
    """The job's cancel signal as processes see it: set on cancel and on the job's timeout."""

    def __init__(self, run: JobRun) -> None:
        self._run = run

    def is_set(self) -> bool:
        return self._run.cancelled()

    def wait(self, timeout: float | None = None) -> bool:
        return self._run.cancel.wait(timeout) or self._run.cancelled()

    def is_forced(self) -> bool:
        return self._run.forced()


def process_control(run: JobRun, call: StepCall) -> ProcessControl:
    return ProcessControl(
        cancel=JobCancel(run),
        tracker=run.tracker,
        policy=run.options.policy,
        deadline=call.deadline,
        stop_on_cancel=call.stop_on_cancel,
        cancel_grace=_cancel_grace(run),
        forced=run.forced,
    )


def _cancel_grace(run: JobRun) -> float:
    """What is left of `cancel-timeout-minutes` since the job was cancelled."""
    total = run.document.cancel_timeout_minutes * 60.0
    if run.cancelled_at is None:
        return total
    return max(0.0, total - (time.monotonic() - run.cancelled_at))


def run_in_step(
    run: JobRun,
    call: StepCall,
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    on_lines: Callable[[list[str]], None],
    log: StepLog,
) -> Conclusion:
    """Run one process for `call`; its exit status (or stop) as a step status.

    Output that could not be written (a full disk) fails the step with that reason; the
    process runs on, its lines still shown."""
    reported = ReportedLines(on_lines)
    try:
        result = run_process(
            argv, cwd=cwd, env=env, on_lines=reported, control=process_control(run, call)
        )
    except OSError as exc:
        log.error(f"An error occurred trying to start process '{argv[0]}': {exc.strerror or exc}")
        return Conclusion.FAILURE
    if reported.error is not None:
        log.error(reported.describe())
        return Conclusion.FAILURE
    if result.stopped is StopReason.CANCELLED:
        log.error("The operation was canceled.")
        return Conclusion.CANCELLED
    if result.stopped is StopReason.TIMED_OUT:
        log.error("The action has timed out.")
        return Conclusion.FAILURE
    if result.exit_code != 0:
        log.error(f"Process completed with exit code {result.exit_code}.")
        return Conclusion.FAILURE
    return Conclusion.SUCCESS


class ReportedLines:
    """`on_lines` that remembers (instead of raising) the first error writing them."""

    def __init__(self, on_lines: Callable[[list[str]], None]) -> None:
        self._on_lines = on_lines
        self.error: OSError | None = None

    def __call__(self, batch: list[str]) -> None:
        try:
            self._on_lines(batch)
        except OSError as exc:
            self.error = self.error or exc

    def describe(self) -> str:
        error = self.error
        assert error is not None
        where = f" to {error.filename}" if error.filename else ""
        return f"{error.strerror or error}: the step's output could not be written{where}"


def apply_files(
    run: JobRun, files: StepFiles, log: StepLog
) -> tuple[dict[str, str], dict[str, str]]:
    """Apply GITHUB_ENV / GITHUB_PATH / GITHUB_STEP_SUMMARY; return (outputs, state)."""
    outputs: dict[str, str] = {}
    state: dict[str, str] = {}
    try:
        for name, value in _key_values(files, "env").items():
            if name in _BLOCKED_ENV:
                log.error(f"Can't store {name} output parameter using '$GITHUB_ENV' command.")
            else:
                run.set_env(name, value)
        outputs = _key_values(files, "output")
        state = _key_values(files, "state")
        for directory in parse_path_lines(read_text(files.path, what="$GITHUB_PATH")):
            run.add_path(directory)
        _summary(run, files, log)
    except FileCommandError as exc:
        log.error(str(exc))
    return outputs, state


def _key_values(files: StepFiles, which: str) -> dict[str, str]:
    path = {"env": files.env, "output": files.output, "state": files.state}[which]
    what = f"GITHUB_{which.upper()}"
    return parse_key_values(read_text(path, what=f"${what}"), what)


def _summary(run: JobRun, files: StepFiles, log: StepLog) -> None:
    try:
        summary = read_text(files.summary, limit=SUMMARY_LIMIT, what="$GITHUB_STEP_SUMMARY")
    except FileTooLarge:
        log.write(
            f"##[error]$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of "
            f"{SUMMARY_LIMIT // 1024}k, got {files.summary.stat().st_size // 1024}k."
        )
        return
    if summary.strip():
        run.summaries.append(run.masker.mask(summary))
