"""A re-run `conveyor serve` accepts is queued in the database, as a webhook's runs are: the run's
new attempt is begun there (queued, owned by no process, the jobs it keeps copied into it) before
the request is answered. Any server process claims it from the queue like any queued run, also
after a restart; `start_rerun` then runs again the jobs that were not copied.
"""

from __future__ import annotations

from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.bootstrap.local_run import prepare_run
from conveyor.bootstrap.rerun_plan import RerunPlan
from conveyor.engine.carryover import carried_jobs, instances_of
from conveyor.engine.planner import WorkflowPlan
from conveyor.engine.ports.store import StoredJob, StoredRun
from conveyor.errors import UsageError
from conveyor.store import StoreHandle


def queue_rerun(
    store: StoreHandle, plan: RerunPlan, options: LocalRunOptions, *, strict: bool
) -> StoredRun:
    """The run's next attempt, queued with the jobs it keeps (`plan`'s carried-over jobs)."""
    run_id = plan.request.run.id
    kept = kept_jobs(plan, store.runs.list_jobs(run_id), options, strict=strict)
    return store.runs.begin_attempt(run_id, None, reuse=kept)


def kept_jobs(
    plan: RerunPlan, previous: list[StoredJob], options: LocalRunOptions, *, strict: bool
) -> list[str]:
    """The instance keys of the jobs the re-run keeps, from the workflow as the run ran it."""
    if plan.rerun is None:
        return []
    workflow = _workflow_plan(plan, options)
    if workflow is None:  # it no longer runs: the attempt records why when it starts
        return []
    unknown = sorted(plan.rerun - set(workflow.jobs))
    if strict and unknown:
        raise UsageError(f"{', '.join(unknown)} is not a job of {workflow.workflow.path}")
    carried = carried_jobs(workflow, plan.rerun, previous)
    return [job.instance_key for jobs in carried.values() for job in jobs]


def _workflow_plan(plan: RerunPlan, options: LocalRunOptions) -> WorkflowPlan | None:
    path = plan.request.run.workflow_path
    prepared = prepare_run(options)
    found = [r.plan for r in prepared.requests if r.scope.workflow.path == path]
    return found[0] if found else None


def rerun_of(workflow: WorkflowPlan, kept: list[StoredJob]) -> frozenset[str] | None:
    """What a queued attempt re-runs: the jobs not copied into it (None: all of them)."""
    if not kept:
        return None
    return frozenset(job_id for job_id in workflow.jobs if not instances_of(job_id, kept))
