"""Running a Docker action or a `docker://` step (docker_action builds the command lines)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conveyor.executors.local import evaluation
from conveyor.executors.local.action_metadata import ActionDefinition
from conveyor.executors.local.contexts import process_environment
from conveyor.executors.local.docker_action import (
    ContainerStep,
    build_argv,
    container_environment,
    container_name,
    docker_run_argv,
    image_arguments,
    image_tag,
)
from conveyor.executors.local.environment import github_variables, runner_variables
from conveyor.executors.local.job_state import JobRun
from conveyor.executors.local.node_action import input_variables
from conveyor.executors.local.step_log import StepLog
from conveyor.executors.local.step_process import BodyResult, StepCall, apply_files, run_in_step
from conveyor.model.results import Conclusion
from conveyor.private_files import private_directory


def run_image_step(run: JobRun, call: StepCall, uses: str, inputs: Mapping[str, str]) -> BodyResult:
    """`uses: docker://IMAGE` (`with: entrypoint`, `with: args`, the rest as INPUT_*)."""
    entrypoint, args = image_arguments(inputs)
    image = uses.strip().removeprefix("docker://")
    return _run_container(run, call, uses, _Spec(image, entrypoint, args, {}), inputs)


def run_docker_action(
    run: JobRun, call: StepCall, definition: ActionDefinition, inputs: Mapping[str, str]
) -> BodyResult:
    """An action whose `runs.using` is `docker` (a `docker://` image or a Dockerfile)."""
    contexts = {**call.contexts, "inputs": dict(inputs)}
    if definition.args is None:
        args = image_arguments(inputs)[1]
    else:
        args = tuple(evaluation.text(arg, contexts) for arg in definition.args)
    env = evaluation.strings(definition.container_env, contexts)
    image = definition.image or ""
    spec = _Spec(image, definition.entrypoint or inputs.get("entrypoint", ""), args, env)
    return _run_container(run, call, call.step.uses or image, spec, inputs, definition)


@dataclass(frozen=True, slots=True)
class _Spec:
    """What the action says to run: the image (or Dockerfile), entrypoint, arguments, env."""

    image: str
    entrypoint: str
    args: tuple[str, ...]
    env: Mapping[str, str]


def _run_container(
    run: JobRun,
    call: StepCall,
    uses: str,
    spec: _Spec,
    inputs: Mapping[str, str],
    definition: ActionDefinition | None = None,
) -> BodyResult:
    log = StepLog(run, call.index, location=call.step.location)
    engine = run.options.containers.engine()
    if engine is None:
        log.error(
            f"{uses.strip()}: no Docker-compatible engine answers (`docker info`, `podman info`); "
            "a Docker action needs one (docs/actions.md)"
        )
        return BodyResult(Conclusion.FAILURE)
    image = _image(run, call, log, engine, spec.image, definition)
    if image is None:
        return BodyResult(Conclusion.FAILURE)
    return _run_image(run, call, log, engine, image, spec, inputs)


def _image(
    run: JobRun,
    call: StepCall,
    log: StepLog,
    engine: str,
    image: str,
    definition: ActionDefinition | None,
) -> str | None:
    """The image to run: `docker://` stripped, or a Dockerfile built (None: the build failed)."""
    if image.startswith("docker://") or definition is None:
        return image.removeprefix("docker://")
    dockerfile = definition.directory / image
    tag = image_tag(dockerfile)
    log.write("##[group]Building docker image")
    argv = build_argv(engine, dockerfile, tag)
    env = process_environment(run, call.env, call.github, None)
    status = run_in_step(
        run, call, argv, cwd=str(run.layout.workspace), env=env, on_lines=log.lines, log=log
    )
    log.write("##[endgroup]")
    return tag if status is Conclusion.SUCCESS else None


def _run_image(
    run: JobRun,
    call: StepCall,
    log: StepLog,
    engine: str,
    image: str,
    spec: _Spec,
    inputs: Mapping[str, str],
) -> BodyResult:
    layout = run.layout
    private_directory(layout.temp / "_github_home")
    files = run.step_files()
    wanted = {
        **call.env,
        **spec.env,
        **input_variables(inputs),
        **github_variables(call.github),
        **runner_variables(run.runner),
        **files.variables(),
    }
    inside = container_environment(wanted, layout.workspace, layout.temp)
    step = ContainerStep(
        image,
        container_name(image),
        layout.workspace,
        layout.temp,
        tuple(inside),
        spec.entrypoint,
        spec.args,
    )
    env = {**process_environment(run, call.env, call.github, files), **inside}
    argv = docker_run_argv(engine, step)
    status = run_in_step(
        run, call, argv, cwd=str(layout.workspace), env=env, on_lines=log.lines, log=log
    )
    outputs, _ = apply_files(run, files, log)
    if log.errors and status is Conclusion.SUCCESS:
        status = Conclusion.FAILURE
    return BodyResult(status, {**log.outputs, **outputs})
