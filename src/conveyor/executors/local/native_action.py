"""Running a native action (an `ActionHandler` from the registry) as a step."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from conveyor.engine.ports.actions import (
    ActionHandler,
    ActionInvocation,
    ActionOutcome,
    ActionPhase,
    ActionRef,
)
from conveyor.errors import ConveyorError
from conveyor.executors.local import evaluation
from conveyor.executors.local.contexts import process_environment
from conveyor.executors.local.job_state import JobRun
from conveyor.executors.local.step_log import StepLog
from conveyor.executors.local.step_process import BodyResult, StepCall, run_in_step
from conveyor.model.results import Conclusion


class StepConsole:
    """The ActionConsole of one native step: masked log lines, processes under step control."""

    def __init__(self, run: JobRun, call: StepCall, log: StepLog, env: Mapping[str, str]) -> None:
        self._run, self._call, self._log, self._env = run, call, log, env

    def log(self, line: str) -> None:
        for part in line.split("\n"):
            self._log.write(part)

    def run(self, argv: Sequence[str], *, cwd: str, env: Mapping[str, str] | None = None) -> int:
        merged = {**self._env, **(env or {})}
        status = run_in_step(
            self._run,
            self._call,
            argv,
            cwd=cwd,
            env=merged,
            on_lines=self._log.plain_lines,
            log=self._log,
        )
        return {Conclusion.SUCCESS: 0, Conclusion.CANCELLED: 130}.get(status, 1)

    def cancelled(self) -> bool:
        return self._run.cancelled()

    def contains_secret(self, text: str) -> bool:
        return self._run.masker.contains_secret(text)


def invocation_for(
    run: JobRun,
    call: StepCall,
    ref: ActionRef,
    phase: ActionPhase,
    inputs: Mapping[str, str],
    state: Mapping[str, str],
) -> ActionInvocation:
    layout, document = run.layout, run.document
    return ActionInvocation(
        ref=ref,
        phase=phase,
        inputs=dict(inputs),
        env=process_environment(run, call.env, call.github, None),
        workspace=str(layout.workspace),
        temp=str(layout.temp),
        tool_cache=str(layout.tool_cache),
        job_dir=str(layout.job_dir),
        home=str(run.options.home),
        run_id=document.run_id,
        job_key=document.instance_key,
        repository=os.path.abspath(document.repository),
        sha=str(run.github.get("sha") or document.sha or "") or None,
        github=dict(call.github),
        state=dict(state),
    )


def run_native_phase(
    run: JobRun,
    call: StepCall,
    handler: ActionHandler,
    invocation: ActionInvocation,
) -> tuple[BodyResult, ActionOutcome]:
    """Call the handler; apply its env/PATH; its outputs as the body's."""
    log = StepLog(run, call.index, location=call.step.location)
    console = StepConsole(run, call, log, invocation.env)
    try:
        outcome = handler.run(invocation, console)
    except ConveyorError as exc:  # a bad input, a forge refusing: the step fails and says why
        outcome = ActionOutcome(status=Conclusion.FAILURE, error=f"{invocation.ref.name}: {exc}")
    except Exception as exc:  # a bug in a native action must not take the job down
        outcome = ActionOutcome(
            status=Conclusion.FAILURE, error=f"{invocation.ref.name} failed unexpectedly: {exc!r}"
        )
    for name, value in outcome.env.items():
        run.set_env(name, value)
    for directory in outcome.path:
        run.add_path(directory)
    _report(run, log, outcome)
    if outcome.trend and call.index is not None:
        run.trends[call.index] = outcome.trend
    if outcome.error:
        log.error(outcome.error)
    if outcome.unavailable:
        log.write(f"##[notice]The job stops here, unavailable on this host: {outcome.unavailable}")
        run.unavailable = outcome.unavailable
    return BodyResult(outcome.status, dict(outcome.outputs)), outcome


def native_inputs(call: StepCall) -> dict[str, str]:
    return evaluation.strings(call.step.with_, call.contexts)


def _report(run: JobRun, log: StepLog, outcome: ActionOutcome) -> None:
    """The outcome's annotations (logged as GitHub shows them) and its summary."""
    for annotation in outcome.annotations:
        log.write(f"##[{annotation.level}]{annotation.message}")
        run.annotate(annotation)
    if outcome.summary.strip():
        run.summaries.append(run.masker.mask(outcome.summary))
