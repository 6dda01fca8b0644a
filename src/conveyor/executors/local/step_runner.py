"""Running one step in a scope: env, `if`, name, continue-on-error, timeout, then its body.

The order follows GitHub's runner: the step's `env:` is evaluated against the env context
without it, then merged into the env context every other key sees (`if`, `with`, `run`, ...).
`outcome` is the body's result; `conclusion` turns a failure into success under
continue-on-error. A failed conclusion fails the scope (the job, or the composite action).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from conveyor.errors import ConveyorError
from conveyor.executors.local import evaluation
from conveyor.executors.local.contexts import github_for_step, step_contexts
from conveyor.executors.local.job_state import JobRun, Scope
from conveyor.executors.local.script_step import run_script
from conveyor.executors.local.step_process import BodyResult, StepCall
from conveyor.model.results import Conclusion
from conveyor.model.workflow import Step


@dataclass(frozen=True, slots=True)
class StepOutcome:
    name: str
    outcome: Conclusion
    conclusion: Conclusion
    outputs: Mapping[str, str] = field(default_factory=dict)


OnStart = Callable[[str], None]


def run_step(
    run: JobRun, scope: Scope, step: Step, index: int | None, on_start: OnStart | None = None
) -> StepOutcome:
    """Run `step` (reporting its lines under `index`) and record it in `scope.steps`."""
    call, error = prepare_call(run, scope, step, index)
    if on_start is not None:
        on_start(call.name)
    if error is None:
        outcome = _decide_and_run(run, scope, call)
    else:
        run.error(index, error, step.location)
        outcome = StepOutcome(call.name, Conclusion.FAILURE, Conclusion.FAILURE)
    if outcome.conclusion is Conclusion.FAILURE:
        run.fail(scope)
    if step.id:
        scope.steps[step.id] = {
            "outputs": dict(outcome.outputs),
            "outcome": str(outcome.outcome),
            "conclusion": str(outcome.conclusion),
        }
    return outcome


def prepare_call(
    run: JobRun, scope: Scope, step: Step, index: int | None
) -> tuple[StepCall, str | None]:
    """The evaluated call for `step`, and the error that prevents running it (if any)."""
    github = github_for_step(run, scope, run.action_id(step.id, _action_base(step)))
    env = run.scope_env(scope)
    error = None
    step_env: dict[str, str] = {}
    try:
        step_env = evaluation.strings(step.env, step_contexts(run, scope, env, github))
    except ConveyorError as exc:
        error = f"The step's env could not be evaluated: {exc}"
    env = {**env, **step_env}
    contexts = step_contexts(run, scope, env, github)
    name = display_name(step, contexts)
    call = StepCall(step, name, index, contexts, env, step_env, github, scope.deadline)
    return call, error


def _decide_and_run(run: JobRun, scope: Scope, call: StepCall) -> StepOutcome:
    step = call.step
    if run.forced():  # stopped hard: nothing more runs, not even `always()` steps
        run.cancelled()
        return StepOutcome(call.name, Conclusion.SKIPPED, Conclusion.SKIPPED)
    try:
        should_run = evaluation.check(step.condition, call.contexts, run.status_word(scope))
    except ConveyorError as exc:
        run.error(call.index, f"The step's `if` could not be evaluated: {exc}", step.location)
        return StepOutcome(call.name, Conclusion.FAILURE, Conclusion.FAILURE)
    if not should_run:
        return StepOutcome(call.name, Conclusion.SKIPPED, Conclusion.SKIPPED)
    continue_on_error = _continue_on_error(run, call)
    try:
        body = dispatch(run, scope, _with_limits(run, call))
    except ConveyorError as exc:  # an expression in `run`, `with`, ... could not be evaluated
        run.error(call.index, str(exc), call.step.location)
        body = BodyResult(Conclusion.FAILURE)
    conclusion = body.status
    if body.status is Conclusion.FAILURE and continue_on_error:
        conclusion = Conclusion.SUCCESS
    return StepOutcome(call.name, body.status, conclusion, body.outputs)


def dispatch(run: JobRun, scope: Scope, call: StepCall) -> BodyResult:
    if call.step.run is not None:
        return run_script(run, scope, call)
    if call.step.uses:
        from conveyor.executors.local.action_steps import run_uses  # only for `uses:` steps

        return run_uses(run, scope, call, run_step)
    run.error(call.index, "A step needs `run` or `uses`", call.step.location)
    return BodyResult(Conclusion.FAILURE)


def _with_limits(run: JobRun, call: StepCall) -> StepCall:
    """The call with its deadline (timeout-minutes) and its behaviour on cancel."""
    deadline = call.deadline
    try:
        minutes = evaluation.minutes(call.step.timeout_minutes, call.contexts)
    except ConveyorError as exc:
        run.log(call.index, f"##[warning]timeout-minutes could not be evaluated: {exc}")
        minutes = None
    if minutes is not None:
        own = time.monotonic() + minutes * 60.0
        deadline = own if deadline is None else min(deadline, own)

    def stop_on_cancel() -> bool:
        try:
            return not evaluation.check(call.step.condition, call.contexts, "cancelled")
        except ConveyorError:
            return True

    return StepCall(
        call.step,
        call.name,
        call.index,
        call.contexts,
        call.env,
        call.step_env,
        call.github,
        deadline,
        stop_on_cancel,
    )


def _continue_on_error(run: JobRun, call: StepCall) -> bool:
    try:
        return evaluation.flag(call.step.continue_on_error, call.contexts)
    except ConveyorError as exc:
        run.error(
            call.index, f"continue-on-error could not be evaluated: {exc}", call.step.location
        )
        return False


def display_name(step: Step, contexts: Mapping[str, object]) -> str:
    """The step's `name:` evaluated, else `Run <first line of run>` / `Run <uses>`."""
    if step.name is not None and step.name != "":
        try:
            return evaluation.text(step.name, contexts)
        except ConveyorError:
            return str(step.name)
    if step.run is not None:
        first = next((line.strip() for line in step.run.splitlines() if line.strip()), "")
        return f"Run {first}"
    return f"Run {step.uses or ''}"


def _action_base(step: Step) -> str:
    if step.run is not None:
        return "__run"
    name = re.sub(r"[^A-Za-z0-9]+", "_", (step.uses or "").split("@")[0]).strip("_")
    return f"__{name}" if name else "__run"
