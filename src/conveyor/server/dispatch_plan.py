"""What a `workflow_dispatch` request asks for, checked as GitHub checks it: the event to start,
or why not (`DispatchRefused`: 404 or 422 with GitHub's kind of message).

The inputs go through `resolve_dispatch_inputs` (the same check as `conveyor run -e
workflow_dispatch --input`); an `environment` input must name one of the repository's
environments; the workflow must be on the default branch (GitHub offers nothing else) and is
read, with its inputs, at the ref the request names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from conveyor.engine.ports.environments import EnvironmentStore
from conveyor.engine.ports.server_runs import EventRequest
from conveyor.errors import UsageError
from conveyor.model.triggers import EventTrigger
from conveyor.server.principals import Principal
from conveyor.server.repository_workflows import RepositoryWorkflows, ResolvedRef, WorkflowAt
from conveyor.triggers.inputs import input_strings, resolve_dispatch_inputs

MAX_INPUTS_CHARACTERS = 65_535  # GitHub's limit on a dispatch's inputs, as JSON


@dataclass(frozen=True, slots=True)
class DispatchRefused:
    status: int  # 404 or 422
    message: str


@dataclass(frozen=True, slots=True)
class DispatchAsk:
    """One dispatch request as the API received it."""

    repository: str  # owner/repo
    workflow_file: str  # deploy.yml
    ref: str  # main, v1, refs/heads/main
    inputs: Mapping[str, object]
    principal: Principal


def plan_dispatch(
    ask: DispatchAsk, source: RepositoryWorkflows | None, environments: EnvironmentStore
) -> EventRequest | DispatchRefused:
    """The event to start for `ask`, or why it is refused."""
    if source is None or ask.repository not in source.repositories():
        return DispatchRefused(404, f"repository {ask.repository} is not registered")
    ref = source.resolve(ask.repository, ask.ref)
    if ref is None:
        return DispatchRefused(422, f"No ref found for: {ask.ref}")
    found = _dispatchable(ask, source, ref)
    if isinstance(found, DispatchRefused):
        return found
    workflow, trigger = found
    inputs = _checked_inputs(ask, trigger, environments)
    if isinstance(inputs, DispatchRefused):
        return inputs
    return EventRequest(
        ask.repository,
        "workflow_dispatch",
        payload=dispatch_payload(ask, ref, workflow.path, inputs),
        ref=ref.ref,
        sha=ref.sha,
        workflows=(workflow.path,),
    )


def dispatch_payload(
    ask: DispatchAsk, ref: ResolvedRef, path: str, inputs: Mapping[str, str]
) -> dict[str, object]:
    """GitHub's `workflow_dispatch` payload: inputs (strings), ref, workflow, sender."""
    owner, _, name = ask.repository.partition("/")
    return {
        "inputs": dict(inputs),
        "ref": ref.ref,
        "workflow": path,
        "repository": {"full_name": ask.repository, "name": name, "owner": {"login": owner}},
        "sender": {"login": ask.principal.name},
    }


def _dispatchable(
    ask: DispatchAsk, source: RepositoryWorkflows, ref: ResolvedRef
) -> tuple[WorkflowAt, EventTrigger] | DispatchRefused:
    workflow = _named(source.workflows(ask.repository, ref.sha), ask.workflow_file)
    if workflow is None:
        return DispatchRefused(
            404, f"workflow {ask.workflow_file} not found in {ask.repository} at {ref.ref}"
        )
    trigger = workflow.workflow.on.get("workflow_dispatch")
    if trigger is None:
        return DispatchRefused(
            404, f"workflow {ask.workflow_file} does not have a 'workflow_dispatch' trigger"
        )
    default = source.default_branch(ask.repository)
    if (
        default is not None
        and _named(source.workflows(ask.repository, default.sha), ask.workflow_file) is None
    ):
        return DispatchRefused(
            404, f"workflow {ask.workflow_file} is not on the default branch {default.ref}"
        )
    return workflow, trigger


def _named(workflows: Sequence[WorkflowAt], file: str) -> WorkflowAt | None:
    return next((w for w in workflows if file in (w.file, w.path)), None)


def _is_environment(environments: EnvironmentStore, ask: DispatchAsk, name: object) -> bool:
    return environments.get_environment(ask.repository, str(name)) is not None


def _checked_inputs(
    ask: DispatchAsk, trigger: EventTrigger, environments: EnvironmentStore
) -> dict[str, str] | DispatchRefused:
    if len(json.dumps(dict(ask.inputs))) > MAX_INPUTS_CHARACTERS:
        return DispatchRefused(422, f"inputs are over {MAX_INPUTS_CHARACTERS} characters")
    try:
        resolved = resolve_dispatch_inputs(trigger.inputs, ask.inputs)
    except UsageError as exc:
        return DispatchRefused(422, str(exc))
    for spec in trigger.inputs:
        value = resolved.get(spec.name)
        if spec.type == "environment" and value and not _is_environment(environments, ask, value):
            return DispatchRefused(
                422,
                f"workflow_dispatch input '{spec.name}' must be an environment of "
                f"{ask.repository}, got {value!r}",
            )
    return input_strings(resolved)
