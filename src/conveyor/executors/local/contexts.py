"""The expression contexts a step sees, and the environment its processes get.

The job document brings github, needs, strategy, matrix, inputs, vars and secrets; the executor
adds per step: `env` (layered), `steps` (of the current scope), `job` (status, services),
`runner`, and the github fields only it knows (workspace, job, action, action_path, event_path).
A composite action's steps see its `inputs` and its own `steps`, and no `secrets`.
"""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.executors.local.environment import (
    github_variables,
    prepend_path,
    runner_variables,
)
from conveyor.executors.local.file_commands import StepFiles
from conveyor.executors.local.job_state import STATUS_WORDS, JobRun, Scope


def github_for_step(run: JobRun, scope: Scope, action: str) -> dict[str, object]:
    """The github context of one step (GITHUB_ACTION and the action fields set)."""
    github = dict(run.github)
    github["action"] = action
    if scope.action_path is not None:
        github["action_path"] = scope.action_path
        github["action_repository"] = scope.action_repository
        github["action_ref"] = scope.action_ref
        github["action_status"] = STATUS_WORDS[scope.status]
    return github


def step_contexts(
    run: JobRun, scope: Scope, env: Mapping[str, str], github: Mapping[str, object]
) -> dict[str, object]:
    contexts = dict(run.document.contexts)
    contexts["github"] = github
    contexts["env"] = dict(env)
    contexts["steps"] = scope.steps
    contexts["job"] = {**run.job_context, "status": STATUS_WORDS[run.status]}
    contexts["runner"] = run.runner
    if scope.composite:
        contexts["inputs"] = scope.inputs
        contexts.pop("secrets", None)
    return contexts


def process_environment(
    run: JobRun,
    env: Mapping[str, str],
    github: Mapping[str, object],
    files: StepFiles | None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a step process: host < env context < extra < GITHUB_*/RUNNER_*."""
    result = {**run.base_env, **env, **(extra or {})}
    result["PATH"] = prepend_path(result.get("PATH", ""), run.path_additions)
    result.update(github_variables(github))
    result.update(runner_variables(run.runner))
    if files is not None:
        result.update(files.variables())
    result.update(run.tracker.marker())
    return result


def search_path(run: JobRun, env: Mapping[str, str]) -> str:
    """The PATH a step's programs are looked up on."""
    return prepend_path(env.get("PATH", run.base_env.get("PATH", "")), run.path_additions)
