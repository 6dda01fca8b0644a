"""The job's step sequence as the reporter sees it: pre steps, main steps, post steps.

Main steps are reported under their document index; `Pre ...` and `Post ...` steps under indices
after the last document step, in the order they run. Skipped post steps are not reported.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from conveyor.errors import ConveyorError
from conveyor.executors.local import evaluation
from conveyor.executors.local.contexts import github_for_step, step_contexts
from conveyor.executors.local.job_state import JobRun, Scope
from conveyor.executors.local.step_runner import StepOutcome, prepare_call, run_step
from conveyor.model.results import Conclusion, StepResult
from conveyor.model.workflow import Step

# The modules for actions (resolution, metadata, composite and node actions) are imported by the
# first step that uses one: a job of `run:` steps does not load them.
if TYPE_CHECKING:
    from conveyor.executors.local.action_resolution import LocalAction


def run_all_steps(run: JobRun, scope: Scope) -> None:
    run_pre_steps(run, scope)
    for step in run.document.steps:
        _run_main_step(run, scope, step)
        if run.unavailable is not None:
            return  # the job cannot run here: nothing more of it runs (see ActionOutcome)
    run_post_steps(run, scope)


def _run_main_step(run: JobRun, scope: Scope, step: Step) -> None:
    key = run.document.instance_key
    started = time.time()

    def on_start(name: str) -> None:
        run.reporter.step_started(key, step.index, run.masker.mask(name))

    outcome = run_step(run, scope, step, step.index, on_start)
    _finish(run, step.index, outcome, started, step)


def _finish(
    run: JobRun, index: int, outcome: StepOutcome, started: float, step: Step | None = None
) -> None:
    result = StepResult(
        index=index,
        name=run.masker.mask(outcome.name),
        outcome=outcome.outcome,
        conclusion=outcome.conclusion,
        id=step.id if step is not None else None,
        outputs=dict(outcome.outputs),
        started_at=started,
        finished_at=time.time(),
        location=step.location if step is not None else None,
        trend=run.trends.pop(index, None),
    )
    run.results.append(result)
    run.reporter.step_finished(run.document.instance_key, result)


def run_pre_steps(run: JobRun, scope: Scope) -> None:
    """`pre:` of the node actions the job's own steps use, in step order, before any main step.

    Actions that cannot be resolved yet (created by an earlier step) simply have no pre step."""
    for step in run.document.steps:
        if not step.uses:
            continue
        from conveyor.executors.local.action_resolution import LocalAction, resolve_action

        resolution = resolve_action(step.uses, run.layout.workspace, run.options)
        if isinstance(resolution, LocalAction) and resolution.definition.pre:
            _run_pre(run, scope, step, resolution)


def _run_pre(run: JobRun, scope: Scope, step: Step, action: LocalAction) -> None:
    from conveyor.executors.local.action_steps import action_state, with_action_path
    from conveyor.executors.local.node_action import action_inputs, run_node_phase

    definition = action.definition
    index = run.allocate_index()
    call, error = prepare_call(run, scope, step, index)
    call = with_action_path(call, action)
    try:
        wanted = error is None and evaluation.check(
            definition.pre_if, call.contexts, run.status_word(scope), "always()"
        )
    except ConveyorError as exc:
        error, wanted = str(exc), False
    if (not wanted and error is None) or run.forced():
        return
    name = f"Pre {call.name}"
    started = time.time()
    run.reporter.step_started(run.document.instance_key, index, run.masker.mask(name))
    status = Conclusion.FAILURE
    try:
        if error is None:
            inputs = action_inputs(definition, call)
            state = action_state(run, scope, call)
            status = run_node_phase(
                run, call, definition, definition.pre or "", inputs, state
            ).status
    except ConveyorError as exc:
        error = str(exc)
    if error is not None:
        run.error(index, error, step.location)
    if status is Conclusion.FAILURE:
        run.fail(scope)
    _finish(run, index, StepOutcome(name, status, status), started)


def run_post_steps(run: JobRun, scope: Scope) -> None:
    """Post steps registered by the job's actions, last registered first."""
    while scope.post_steps:
        from conveyor.executors.local.composite import should_run_post

        post = scope.post_steps.pop()
        if not should_run_post(run, scope, post):
            continue
        index = run.allocate_index()
        started = time.time()
        run.reporter.step_started(run.document.instance_key, index, run.masker.mask(post.name))
        status = post.execute(index)
        if status is Conclusion.FAILURE:
            run.fail(scope)
        _finish(run, index, StepOutcome(post.name, status, status), started)


def job_outputs(run: JobRun, scope: Scope) -> dict[str, str]:
    """The job's `outputs:` evaluated after its last step; values holding a secret are dropped."""
    env = run.scope_env(scope)
    contexts = step_contexts(run, scope, env, github_for_step(run, scope, "outputs"))
    outputs: dict[str, str] = {}
    for name, raw in run.document.outputs.items():
        try:
            value = evaluation.text(raw, contexts)
        except ConveyorError as exc:
            run.log(None, f"##[warning]Output '{name}' could not be evaluated: {exc}")
            continue
        if run.masker.contains_secret(value):
            run.log(None, f"##[warning]Skip output '{name}' since it may contain secret.")
            continue
        outputs[name] = value
    return outputs
