"""What a re-run runs again: the failed jobs, one job (and those needing it), or all
(`conveyor rerun` and the server's re-run share it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from conveyor.engine.ports.store import ACTIVE_STATUSES, StoredJob, StoredRequest
from conveyor.errors import UsageError
from conveyor.store import StoreHandle


@dataclass(frozen=True, slots=True)
class RerunPlan:
    """What to run again. `rerun` holds job ids (every matrix leg of each); None means all jobs.
    The engine re-runs those and every job that needs them; the other jobs (`passed` lists
    those that passed) are carried over with their results and outputs. `strict`: the ids
    were asked for by name (`--job`)."""

    request: StoredRequest
    rerun: frozenset[str] | None
    passed: tuple[StoredJob, ...]
    secrets: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False


def plan_rerun(store: StoreHandle, run_id: int, *, failed: bool, job_id: str | None) -> RerunPlan:
    request = store.runs.run_request(run_id)
    if request is None:
        raise UsageError(f"there is no run {run_id} (see `conveyor runs`)")
    run = request.run
    if run.status in ACTIVE_STATUSES:
        raise UsageError(f"run {run_id} is still {run.status}: wait for it to finish first")
    jobs = store.runs.list_jobs(run_id)
    passed = tuple(job for job in jobs if _passed(job))
    if job_id is not None:
        if job_id not in {job.job_id for job in jobs}:
            known = ", ".join(sorted({job.job_id for job in jobs})) or "none"
            raise UsageError(f"run {run_id} has no job {job_id!r} (jobs: {known})")
        return RerunPlan(request, frozenset({job_id}), passed)
    if failed:
        to_rerun = frozenset(job.job_id for job in jobs if not _passed(job))
        if not to_rerun:
            raise UsageError(f"run {run_id} has no failed jobs to re-run")
        return RerunPlan(request, to_rerun, passed)
    return RerunPlan(request, None, ())


def _passed(job: StoredJob) -> bool:
    return job.conclusion is not None and job.conclusion.passed
