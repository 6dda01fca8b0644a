"""`conveyor rerun`'s side of the wiring: a new attempt of a stored run instead of a new run.

The run's workflow is prepared again (same event, inputs and options); the jobs that are not
re-run are carried over from the previous attempt with their results and outputs (the store
copies their rows into the new attempt, the engine completes them before anything starts).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from conveyor.bootstrap import recorded_runs as recorded
from conveyor.bootstrap.queued_reruns import rerun_of
from conveyor.engine.carryover import carried_jobs
from conveyor.engine.planner import WorkflowPlan
from conveyor.errors import UsageError
from conveyor.model.results import Conclusion
from conveyor.store.owner import current_owner

if TYPE_CHECKING:
    from conveyor.bootstrap.local_run import PreparedRun
    from conveyor.bootstrap.recording import RerunTarget, RunHistory
    from conveyor.engine.session import RunRequest


def start_rerun(history: RunHistory, prepared: PreparedRun, target: RerunTarget) -> PreparedRun:
    """The prepared run as a new attempt of the stored run: its one workflow run, adopted by the
    store with the jobs carried over (or its startup failure, recorded)."""
    wiring = history.wiring
    runs = wiring.store.runs
    run = runs.get_run(target.run_id)
    if run is None:
        raise UsageError(f"there is no run {target.run_id} (see `conveyor runs`)")
    path = run.workflow_path
    requests = [r for r in prepared.requests if r.scope.workflow.path == path]
    broken = [w for w in prepared.not_started if w.workflow_path == path]
    if not requests and not broken:
        raise UsageError(
            f"{path} no longer runs for '{run.event}' (it changed since run {run.id}?); "
            "nothing was changed"
        )
    if not requests:
        if not target.queued:
            runs.begin_attempt(run.id, current_owner())
        wiring.recorder.resume(run.id)
        reason = recorded.startup_reason(broken[0])
        wiring.recorder.finish(run.id, Conclusion.STARTUP_FAILURE, reason)
        failed = replace(broken[0], run_id=str(run.id))
        return replace(prepared, requests=(), not_started=(failed,))
    request = requests[0]
    _check_jobs(request.plan, target)
    if target.queued:  # its attempt waits, claimed: it starts now
        return _start_queued(history, prepared, request, run.id)
    carried = carried_jobs(request.plan, target.rerun, runs.list_jobs(run.id))
    keys = [job.instance_key for jobs in carried.values() for job in jobs]
    runs.begin_attempt(run.id, current_owner(), reuse=keys)
    stored = wiring.recorder.resume(run.id)
    adopted = history.adopt(request, stored, carried)
    again = [job_id for job_id in request.plan.jobs if job_id not in carried]
    kept = f"; keeping from attempt {stored.attempt - 1}: {', '.join(carried)}" if carried else ""
    wiring.notify(
        f"run {run.id}, attempt {stored.attempt}: re-running {', '.join(again) or 'nothing'}{kept}"
    )
    return _started(prepared, adopted, stored.attempt)


def _start_queued(
    history: RunHistory, prepared: PreparedRun, request: RunRequest, run_id: int
) -> PreparedRun:
    """The queued attempt, with the jobs copied into it when it was queued carried over (a
    re-run queued by `conveyor serve`, conveyor.bootstrap.queued_reruns); none: all run."""
    stored = history.wiring.recorder.resume(run_id)
    kept = history.wiring.store.runs.list_jobs(run_id, stored.attempt)
    carried = carried_jobs(request.plan, rerun_of(request.plan, kept), kept)
    return _started(prepared, history.adopt(request, stored, carried), stored.attempt)


def _started(prepared: PreparedRun, adopted: RunRequest, attempt: int) -> PreparedRun:
    settings = replace(prepared.settings, run_attempt=attempt)
    return replace(prepared, settings=settings, requests=(adopted,), not_started=())


def _check_jobs(plan: WorkflowPlan, target: RerunTarget) -> None:
    unknown = sorted(set(target.rerun or ()) - set(plan.jobs))
    if target.strict and unknown:
        raise UsageError(
            f"{', '.join(unknown)} is not a job of {plan.workflow.path} as it is now "
            "(a job of a called workflow? re-run the job that calls it); nothing was changed"
        )
