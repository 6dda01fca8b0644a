"""Jobs a rerun carries over from the previous attempt instead of running them again.

`conveyor rerun --failed` / `--job ID` re-runs some jobs and every job that needs them
(transitively); the other jobs keep the result and outputs they had, and the re-run jobs see
those through `needs.<id>.result` / `needs.<id>.outputs`, as on GitHub. Only a job whose every
instance finished can be carried; a reusable-workflow call (whose called jobs are recorded, not
the call itself) is always re-run.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from conveyor.engine.planner import WorkflowPlan
from conveyor.engine.ports.observer import JobView
from conveyor.engine.ports.store import StoredJob
from conveyor.engine.records import JobRecord
from conveyor.engine.run_state import JobNode, Leg, NodeState, WorkflowRun
from conveyor.model.results import Conclusion

Carried = Mapping[str, Sequence[StoredJob]]  # job id → its instances in the previous attempt
_FINISHED = frozenset(
    {Conclusion.SUCCESS, Conclusion.FAILURE, Conclusion.CANCELLED, Conclusion.SKIPPED}
)


def carried_jobs(
    plan: WorkflowPlan, rerun: Collection[str] | None, previous: Sequence[StoredJob]
) -> dict[str, tuple[StoredJob, ...]]:
    """The jobs to carry over: all but those re-run (None: every job is re-run)."""
    if rerun is None:
        return {}
    legs = {job_id: instances_of(job_id, previous) for job_id in plan.jobs}
    must_run = set(rerun) | {job_id for job_id, found in legs.items() if not _finished(found)}
    again = rerun_closure(plan, must_run)
    return {job_id: legs[job_id] for job_id in plan.jobs if job_id not in again}


def rerun_closure(plan: WorkflowPlan, rerun: Collection[str]) -> set[str]:
    """The jobs re-run: those asked for and every job that needs one of them, transitively."""
    wanted = set(rerun)
    return {job_id for job_id in plan.jobs if job_id in wanted or plan.ancestors[job_id] & wanted}


def instances_of(job_id: str, jobs: Sequence[StoredJob]) -> tuple[StoredJob, ...]:
    """The recorded instances of top-level job `job_id` (not the jobs of a called workflow,
    whose keys start with their caller's: `call / build`)."""
    prefixes = (f"{job_id} (", f"{job_id} #")
    return tuple(
        job
        for job in jobs
        if job.job_id == job_id
        and (job.instance_key == job_id or job.instance_key.startswith(prefixes))
    )


def _finished(instances: Sequence[StoredJob]) -> bool:
    return bool(instances) and all(job.conclusion in _FINISHED for job in instances)


def carry(run: WorkflowRun, carried: Carried) -> None:
    """Complete the carried jobs of `run` before anything starts (scheduler thread only)."""
    for job_id, instances in carried.items():
        node = run.nodes.get(job_id)
        if node is None or node.state is not NodeState.WAITING or not instances:
            continue
        node.legs = [_leg(run, node, index, job) for index, job in enumerate(instances)]
        node.state = NodeState.ACTIVE
        run.complete(node)
        for job in sorted(instances, key=lambda job: job.finished_at or 0.0):
            node.outputs.update(job.outputs)  # the last to finish wins, as for matrix legs


def _leg(run: WorkflowRun, node: JobNode, index: int, job: StoredJob) -> Leg:
    path, workflow_name = run.display
    view = JobView(
        run_id=run.scope.run_id,
        workflow_path=path,
        workflow_name=workflow_name,
        instance_key=job.instance_key,
        job_id=node.job_id,
        display_name=job.name,
        matrix=dict(job.matrix or {}),
    )
    leg = Leg(node, index, view, environment=job.environment)
    conclusion = job.conclusion or Conclusion.CANCELLED
    leg.finish(
        JobRecord(
            view=view,
            conclusion=Conclusion(str(conclusion)),
            outputs=dict(job.outputs),
            started_at=job.started_at,
            finished_at=job.finished_at,
            environment=job.environment,
        )
    )
    return leg
