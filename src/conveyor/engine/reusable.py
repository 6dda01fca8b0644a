"""A job that calls a reusable workflow (`uses: ./.github/workflows/x.yml`): the inputs and
secrets it passes, and the outputs the called workflow gives back (reference §12.1)."""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.engine.expressions import Contexts, evaluate_text, evaluate_value
from conveyor.engine.inputs import call_inputs
from conveyor.errors import PlanError
from conveyor.model.triggers import EventTrigger
from conveyor.model.workflow import Job, Workflow


def call_trigger(called: Workflow) -> EventTrigger:
    trigger = called.on.get("workflow_call")
    if trigger is None:
        raise PlanError(f"'{called.path}' cannot be called: it has no 'on: workflow_call'")
    return trigger


def is_local(uses: str) -> bool:
    return uses.startswith("./")


def inputs_for(
    job: Job, called: Workflow, contexts: Contexts, scope_contexts: Contexts
) -> dict[str, object]:
    """`with:` evaluated (github, needs, strategy, matrix, inputs, vars) and typed."""
    given = {str(key): evaluate_value(value, contexts) for key, value in job.with_.items()}
    return call_inputs(call_trigger(called).inputs, given, scope_contexts)


def secrets_for(job: Job, caller_secrets: Mapping[str, str], contexts: Contexts) -> dict[str, str]:
    """`secrets: inherit` passes everything; a mapping passes its evaluated values.

    Undeclared secrets are passed on (act does; GitHub rejects them) and a declared required
    secret that is missing is an error.
    """
    if job.secrets is None:
        return {}
    if isinstance(job.secrets, str):
        if job.secrets.strip().lower() != "inherit":
            raise PlanError(f"'secrets: {job.secrets}' must be 'inherit' or a mapping")
        return dict(caller_secrets)
    with_secrets = {**contexts, "secrets": dict(caller_secrets)}
    return {str(key): evaluate_text(value, with_secrets) for key, value in job.secrets.items()}


def check_required_secrets(called: Workflow, passed: Mapping[str, str]) -> None:
    names = {name.lower() for name in passed}
    for spec in call_trigger(called).secrets:
        if spec.required and spec.name.lower() not in names:
            raise PlanError(f"secret '{spec.name}' is required by '{called.path}' but not passed")


def outputs_of(called: Workflow, contexts: Contexts) -> dict[str, str]:
    """`on.workflow_call.outputs` evaluated over the `jobs` context (github, jobs, vars, inputs)."""
    outputs: dict[str, str] = {}
    for spec in call_trigger(called).outputs:
        outputs[spec.name] = evaluate_text(spec.value, contexts)
    return outputs
