"""Finding what a request names in the store: a run by id, a job of a run by name (404 when
absent). Shared by the API and the web UI."""

from __future__ import annotations

from fastapi import HTTPException

from conveyor.engine.ports.store import StoredRun
from conveyor.server.context import ServerContext


def run_or_404(ctx: ServerContext, run_id: int) -> StoredRun:
    run = ctx.store.runs.get_run(run_id) if 0 < run_id < 2**63 else None
    if run is None:
        raise HTTPException(404, f"there is no run {run_id}")
    return run


def job_id_of(ctx: ServerContext, run_id: int, name: str) -> str:
    """The id of the job `name` names in the run (its id, or one of its instances such as the
    matrix leg `test (3.11)`: re-runs take the whole job), or 404."""
    for job in ctx.store.runs.list_jobs(run_or_404(ctx, run_id).id):
        if name in (job.job_id, job.instance_key):
            return job.job_id
    raise HTTPException(404, f"run {run_id} has no job {name!r}")
