"""`conveyor serve`'s wiring: what starts and controls runs, and the pool that runs them.

served = serve_runs(home, store, jobs=4)
served.pool.start()        # after a restart, queued runs are taken up again
... uvicorn serves create_app(ServerContext(home, store, served.runs, served.runs, ...))
served.pool.stop(grace)    # on SIGTERM
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from conveyor.bootstrap.local_forge_reports import LocalForgeReporting
from conveyor.bootstrap.server_pool import ServerPool
from conveyor.bootstrap.server_runs import SERVED, ServerRuns
from conveyor.engine.ports.store import StoredRun
from conveyor.model.results import Conclusion
from conveyor.store.handle import StoreHandle
from conveyor.store.served_repositories import ServedRepositories, served_repositories

if TYPE_CHECKING:
    from conveyor.bootstrap.worker_hub import WorkerHub

log = logging.getLogger("conveyor.server")
REMOTE_PARALLEL = 256  # with workers, a run's jobs at once: the workers' slots are the limit


@dataclass
class Served:
    """The starter and control (`runs`), the pool that runs what they queue, the repositories."""

    runs: ServerRuns
    pool: ServerPool
    repositories: ServedRepositories
    hub: WorkerHub | None = None  # `--broker`: the jobs go to `conveyor worker` processes


def serve_runs(home: Path, store: StoreHandle, *, jobs: int, broker: str | None = None) -> Served:
    repositories = served_repositories(store)
    runs = ServerRuns(home, store, repositories)
    pool = ServerPool(runs.database, jobs, runs.run_queued, store.runs.request_cancel)
    runs.wake = pool.wake
    # runs of hosted repositories report their checks to the local forge (once its URL is known)
    local = LocalForgeReporting(home, store, repositories, lambda: runs.forge_url)
    runs.forge_observer = local.observer
    hub = None
    if broker is not None:
        from conveyor.bootstrap.worker_hub import WorkerHub
        from conveyor.bootstrap.worker_settings import lease_timing

        hub = WorkerHub(runs.database, broker, lease_timing())
        runs.executor, runs.parallel = hub.executor(), REMOTE_PARALLEL
    return Served(runs, pool, repositories, hub)


def requeue_abandoned(store: StoreHandle) -> list[int]:
    """The runs of a server process that died (marked abandoned now) are queued again, once: a
    second attempt, for any process to take."""
    again = [run.id for run in store.runs.sweep_abandoned() if _requeued(store, run)]
    for run_id in again:
        store.runs.begin_attempt(run_id, None)
        log.info("run requeued run=%d reason=its-server-process-died", run_id)
    return again


def _requeued(store: StoreHandle, run: StoredRun) -> bool:
    if run.conclusion is not Conclusion.ABANDONED or run.attempt != 1:
        return False
    request = store.runs.run_request(run.id)
    return request is not None and request.options.get(SERVED) is True
