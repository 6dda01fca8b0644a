"""Composite actions: their steps run in a scope of their own, then their outputs are evaluated.

The scope has the action's `inputs`, its own `steps` context, the `env:` of the `uses:` step
(under each inner step's env, not leaking to later job steps), and its own status for
`success()`/`failure()`. The post steps of actions used inside run when the composite ends, in
reverse order. Nesting deeper than GitHub's limit (9) fails the step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from conveyor.errors import ConveyorError
from conveyor.executors.local import evaluation
from conveyor.executors.local.action_resolution import LocalAction
from conveyor.executors.local.contexts import github_for_step, step_contexts
from conveyor.executors.local.job_state import JobRun, PostStep, Scope
from conveyor.executors.local.step_process import BodyResult, StepCall
from conveyor.model.results import Conclusion
from conveyor.model.workflow import Step

if TYPE_CHECKING:
    from conveyor.executors.local.step_runner import StepOutcome

MAX_DEPTH = 9

StepRunner = Callable[[JobRun, Scope, Step, int | None], "StepOutcome"]


def run_composite(
    run: JobRun,
    scope: Scope,
    call: StepCall,
    action: LocalAction,
    inputs: Mapping[str, str],
    run_step: StepRunner,
) -> BodyResult:
    if scope.depth >= MAX_DEPTH:
        run.error(
            call.index, f"Composite actions may nest at most {MAX_DEPTH} deep", call.step.location
        )
        return BodyResult(Conclusion.FAILURE)
    definition = action.definition
    inner = Scope(
        env={**scope.env, **call.step_env},
        inputs=dict(inputs),
        action_path=str(definition.directory),
        action_repository=action.repository,
        action_ref=action.ref,
        depth=scope.depth + 1,
        report_index=call.index,
        deadline=call.deadline,
    )
    outcomes = []
    for step in definition.steps:
        outcomes.append(run_step(run, inner, step, call.index))
        if run.unavailable is not None:  # the job cannot run here: nothing more of it runs
            return BodyResult(Conclusion.SKIPPED)
    run_posts_inline(run, inner, call.index)
    outputs = _outputs(run, inner, definition.outputs, call.index)
    if inner.status is Conclusion.FAILURE:
        return BodyResult(Conclusion.FAILURE, outputs)
    if any(outcome.outcome is Conclusion.CANCELLED for outcome in outcomes):
        return BodyResult(Conclusion.CANCELLED, outputs)
    return BodyResult(Conclusion.SUCCESS, outputs)


def run_posts_inline(run: JobRun, scope: Scope, index: int | None) -> None:
    """The post steps registered in a composite, last first, logged under the composite step."""
    while scope.post_steps:
        post = scope.post_steps.pop()
        if should_run_post(run, scope, post):
            run.log(index, f"##[group]{post.name}")
            if post.execute(index) is Conclusion.FAILURE:
                run.fail(scope)
            run.log(index, "##[endgroup]")


def should_run_post(run: JobRun, scope: Scope, post: PostStep) -> bool:
    if run.forced():
        return False
    env = run.scope_env(scope)
    contexts = step_contexts(run, scope, env, github_for_step(run, scope, "post"))
    try:
        return evaluation.check(post.condition, contexts, run.status_word(scope), "always()")
    except ConveyorError as exc:
        run.error(scope.report_index, f"post-if of '{post.name}' failed: {exc}")
        return False


def _outputs(
    run: JobRun, scope: Scope, declared: Mapping[str, object], index: int | None
) -> dict[str, str]:
    env = run.scope_env(scope)
    contexts = step_contexts(run, scope, env, github_for_step(run, scope, "outputs"))
    outputs: dict[str, str] = {}
    for name, value in declared.items():
        try:
            outputs[name] = evaluation.text(value, contexts)
        except ConveyorError as exc:
            run.error(index, f"Output '{name}' could not be evaluated: {exc}")
    return outputs
