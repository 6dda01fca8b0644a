"""`conveyor serve`'s wiring: the context the application is handed, and its pool.

served = serve_context(home, store, jobs=4, tokens=verifier)
served.pool.start()            # after a restart, queued runs are taken up again
... uvicorn serves create_app(served.context) ...
served.pool.stop(grace)        # on SIGTERM
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from conveyor.bootstrap.server_pool import ServerPool
from conveyor.bootstrap.server_runs import SERVED, ServerRuns
from conveyor.engine.ports.store import StoredRun
from conveyor.model.results import Conclusion
from conveyor.server.context import ServerContext, served_repositories
from conveyor.server.ports import TokenVerifier
from conveyor.store.handle import StoreHandle

log = logging.getLogger("conveyor.server")


@dataclass
class Served:
    context: ServerContext
    runs: ServerRuns
    pool: ServerPool


def serve_context(home: Path, store: StoreHandle, *, jobs: int, tokens: TokenVerifier) -> Served:
    repositories = served_repositories(store)
    runs = ServerRuns(home, store, repositories)
    pool = ServerPool(runs.database, jobs, runs.run_queued, store.runs.request_cancel)
    runs.wake = pool.wake
    context = ServerContext(home, store, runs, runs, tokens, repositories=repositories)
    return Served(context, runs, pool)


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


class NoTokens:
    """A TokenVerifier that knows no token (until API tokens are configured)."""

    def verify(self, token: str) -> None:
        return None
