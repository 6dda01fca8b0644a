"""A `uses:` step: resolve the action, run it (composite, node or native), register its post."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from conveyor.engine.ports.actions import ActionPhase
from conveyor.executors.local.action_overrides import Skipped
from conveyor.executors.local.action_resolution import (
    DockerImage,
    LocalAction,
    NativeAction,
    Unavailable,
    resolve_action,
)
from conveyor.executors.local.composite import StepRunner, run_composite
from conveyor.executors.local.job_state import JobRun, PostStep, Scope
from conveyor.executors.local.native_action import invocation_for, native_inputs, run_native_phase
from conveyor.executors.local.node_action import action_inputs, run_node_phase
from conveyor.executors.local.step_process import BodyResult, StepCall
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion


def run_uses(run: JobRun, scope: Scope, call: StepCall, run_step: StepRunner) -> BodyResult:
    uses = call.step.uses or ""
    resolution = resolve_action(uses, run.layout.workspace, run.options)
    if isinstance(resolution, Unavailable):
        return _unavailable(run, call, resolution)
    if isinstance(resolution, Skipped):
        return _skipped(run, call, resolution)
    if isinstance(resolution, NativeAction | DockerImage):
        inputs = native_inputs(call)
        _header(run, call, uses, inputs)
        if isinstance(resolution, DockerImage):
            from conveyor.executors.local.docker_step import run_image_step  # Docker steps only

            return run_image_step(run, call, resolution.uses, inputs)
        return _native_main(run, scope, call, resolution, inputs)
    call = with_action_path(call, resolution)
    definition = resolution.definition
    inputs = action_inputs(definition, call)
    _header(run, call, uses, inputs)
    if definition.is_composite:
        return run_composite(run, scope, call, resolution, inputs, run_step)
    if definition.using == "docker":
        from conveyor.executors.local.docker_step import run_docker_action  # Docker steps only

        return run_docker_action(run, call, definition, inputs)
    return _node_main(run, scope, call, resolution, inputs)


def _skipped(run: JobRun, call: StepCall, action: Skipped) -> BodyResult:
    """A step whose action is set to skip: a notice, and the step reported skipped."""
    where = call.step.location
    run.log(call.index, f"##[notice]{action.message}")
    run.annotate(
        Annotation(
            AnnotationLevel.NOTICE,
            action.message,
            file=where.path if where else None,
            line=where.line if where else None,
        )
    )
    return BodyResult(Conclusion.SKIPPED)


def _unavailable(run: JobRun, call: StepCall, action: Unavailable) -> BodyResult:
    """The step fails with one line; the hint the first time in the run for this action."""
    message, hint = action.message, action.hint
    if hint and not run.options.notices.first(action.hint_key or hint):
        message, hint = f"{message} (see the hint above)", ""
    run.error(call.index, message, call.step.location)
    if hint:
        run.log(call.index, hint)
    return BodyResult(Conclusion.FAILURE)


def with_action_path(call: StepCall, action: LocalAction) -> StepCall:
    github = {
        **call.github,
        "action_path": str(action.definition.directory),
        "action_repository": action.repository,
        "action_ref": action.ref,
    }
    contexts = {**call.contexts, "github": github}
    return dataclasses.replace(call, github=github, contexts=contexts)


def action_state(run: JobRun, scope: Scope, call: StepCall) -> dict[str, str]:
    """The state shared by an action's pre/main/post (top-level steps keep it by index)."""
    if scope.composite:
        return {}
    return run.action_states.setdefault(call.step.index, {})


def _node_main(
    run: JobRun, scope: Scope, call: StepCall, action: LocalAction, inputs: Mapping[str, str]
) -> BodyResult:
    definition = action.definition
    state = action_state(run, scope, call)
    result = run_node_phase(run, call, definition, definition.main or "", inputs, state)
    post = definition.post
    if post:

        def execute(index: int | None) -> Conclusion:
            post_call = post_step_call(run, scope, call, index)
            return run_node_phase(run, post_call, definition, post, inputs, state).status

        scope.post_steps.append(PostStep(f"Post {call.name}", definition.post_if, execute))
    return result


def _native_main(
    run: JobRun, scope: Scope, call: StepCall, action: NativeAction, inputs: Mapping[str, str]
) -> BodyResult:
    invocation = invocation_for(run, call, action.ref, ActionPhase.MAIN, inputs, {})
    result, outcome = run_native_phase(run, call, action.handler, invocation)
    if outcome.post:
        saved = dict(outcome.state)

        def execute(index: int | None) -> Conclusion:
            post_call = post_step_call(run, scope, call, index)
            post = invocation_for(run, post_call, action.ref, ActionPhase.POST, inputs, saved)
            return run_native_phase(run, post_call, action.handler, post)[0].status

        scope.post_steps.append(PostStep(f"Post {call.name}", outcome.post_if, execute))
    return result


def post_step_call(run: JobRun, scope: Scope, call: StepCall, index: int | None) -> StepCall:
    """The call of a post phase: the env as it is now (GITHUB_ENV since), no step timeout."""
    env = {**run.scope_env(scope), **call.step_env}
    contexts = {**call.contexts, "env": env, "steps": scope.steps}
    return dataclasses.replace(
        call, index=index, env=env, contexts=contexts, deadline=None, stop_on_cancel=_keep_running
    )


def _keep_running() -> bool:
    """A post step that started (its post-if held) finishes, within the cancel grace."""
    return False


def _header(run: JobRun, call: StepCall, uses: str, inputs: Mapping[str, str]) -> None:
    run.log(call.index, f"##[group]Run {uses}")
    if inputs:
        run.log(call.index, "with:")
        for name, value in inputs.items():
            run.log(call.index, f"  {name}: {value}")
    run.log(call.index, "##[endgroup]")
