"""A job document once its environment is approved: the environment's secrets and variables
join the job's contexts, and the job-level values that may use them are evaluated again.

Precedence (lowest first): repository secrets/variables from the store, the environment's, then
the `--secret` / `--var` flags of the command (`pinned`), which always win. Names compare
case-insensitively, as contexts do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from conveyor.engine import job_values as values
from conveyor.engine.expressions import evaluate_text
from conveyor.engine.planner import WorkflowPlan
from conveyor.engine.ports.executor import MIN_SECRET_LENGTH, JobDocument
from conveyor.engine.ports.store import GateDecision
from conveyor.model.results import JobResult
from conveyor.model.workflow import Job, Workflow


@dataclass(frozen=True, slots=True)
class JobEntry:
    """A job as the planner knows it, with the runner-level env its run was given."""

    workflow: Workflow
    job: Job
    runner_env: Mapping[str, str] = field(default_factory=dict)


JobIndex = Mapping[tuple[str, str], JobEntry]  # (workflow path, job id) → entry


def index_jobs(
    plans: Collection[tuple[WorkflowPlan, Mapping[str, str]]],
) -> dict[tuple[str, str], JobEntry]:
    """Every job of the plans and of the workflows they call, by (workflow path, job id)."""
    index: dict[tuple[str, str], JobEntry] = {}
    pending = list(plans)
    while pending:
        plan, env = pending.pop()
        workflow = plan.workflow
        for job_id in plan.jobs:
            index[(workflow.path, job_id)] = JobEntry(workflow, workflow.jobs[job_id], env)
        pending.extend((called, env) for called in plan.calls.values())
    return index


def needs_gates(index: JobIndex) -> bool:
    """Whether any job names an environment or a job-level concurrency group."""
    return any(e.job.environment or e.job.concurrency for e in index.values())


def merged(base: object, extra: Mapping[str, str], pinned: Collection[str]) -> dict[str, object]:
    """`base` with `extra` over it, except the names in `pinned` (upper-case)."""
    result = dict(base) if isinstance(base, Mapping) else {}
    for name, value in extra.items():
        if name.upper() in pinned:
            continue
        for key in [key for key in result if str(key).upper() == name.upper()]:
            del result[key]
        result[name] = value
    return result


def with_environment(
    document: JobDocument,
    entry: JobEntry,
    decision: GateDecision,
    pinned_secrets: Collection[str],
    pinned_vars: Collection[str],
) -> JobDocument:
    """The document with the environment's secrets and variables (raises PlanError/expression
    errors when a job-level value no longer evaluates)."""
    contexts = {key: value for key, value in document.contexts.items() if key != "env"}
    contexts["secrets"] = merged(contexts.get("secrets"), decision.secrets, pinned_secrets)
    contexts["vars"] = merged(contexts.get("vars"), decision.variables, pinned_vars)
    workflow, job = entry.workflow, entry.job
    env = values.job_env(workflow, job, entry.runner_env, contexts)
    full = {**contexts, "env": env}
    masks = dict.fromkeys([*document.masks, *(v for v in decision.secrets.values() if v)])
    return dataclasses.replace(
        document,
        contexts=full,
        env=env,
        defaults=values.run_defaults(workflow, job, full),
        services=values.services(job.services, full),
        container=values.container(job.container, full),
        masks=tuple(masks),
    )


def deployment_url(document: JobDocument, job: Job, result: JobResult) -> str | None:
    """`environment.url` evaluated after the job (it may use `steps.<id>.outputs`)."""
    if job.environment is None or not job.environment.url:
        return None
    steps = {
        step.id: {
            "outputs": dict(step.outputs),
            "outcome": str(step.outcome),
            "conclusion": str(step.conclusion),
        }
        for step in result.steps
        if step.id
    }
    contexts = {**document.contexts, "steps": steps, "job": {"status": str(result.result)}}
    return evaluate_text(job.environment.url, contexts) or None


def holds_secret(document: JobDocument, text: str) -> bool:
    """True when `text` holds one of the job's secret values (or a line of a multi-line one) that
    is long enough to be masked. Only the plain values: the executor also knows their encodings
    and `::add-mask::` values."""
    secrets = document.contexts.get("secrets")
    values = [*document.masks, *(secrets.values() if isinstance(secrets, Mapping) else ())]
    for value in values:
        for part in [str(value), *str(value).splitlines()]:
            part = part.strip()
            if len(part) >= MIN_SECRET_LENGTH and part in text:
                return True
    return False


DEPLOYMENT_STATUS = {"success": "success", "failure": "failure", "cancelled": "error"}


def deployment_status(result: JobResult) -> str:
    return DEPLOYMENT_STATUS.get(str(result.result), "inactive")
