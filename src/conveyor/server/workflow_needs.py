"""Which jobs each job of a run `needs` (the run page's graph), read from its workflow file.

The default reads the file from the run's repository when that is a local directory (runs
recorded by `conveyor run`); the server hands a reader of its repository mirrors instead
(`ServerContext.job_needs`). Unknown or unreadable: {} (the page then draws no edges).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

from conveyor.engine.ports.store import StoredRun
from conveyor.server.repository_workflows import RepositoryWorkflows
from conveyor.workflow.loader import load_workflow

Needs = Mapping[str, tuple[str, ...]]


def local_job_needs(run: StoredRun) -> Needs:
    path = Path(run.repository) / run.workflow_path
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return _needs_of(str(path), stamp)


@lru_cache(maxsize=64)
def _needs_of(path: str, _stamp: int) -> Needs:
    workflow = load_workflow(path).workflow
    if workflow is None:
        return {}
    return {job_id: tuple(job.needs) for job_id, job in workflow.jobs.items()}


def served_job_needs(workflows: RepositoryWorkflows) -> Callable[[StoredRun], Needs]:
    """The needs of a served repository's run from its workflow file at the run's commit (read
    from git); a run of any other repository (a local `conveyor run`'s) as `local_job_needs`."""

    def job_needs(run: StoredRun) -> Needs:
        if run.repository not in workflows.repositories():
            return local_job_needs(run)
        found = workflows.workflows(run.repository, run.sha) if run.sha else ()
        for committed in found:
            if committed.path == run.workflow_path:
                return {job_id: tuple(job.needs) for job_id, job in committed.workflow.jobs.items()}
        return {}

    return job_needs
