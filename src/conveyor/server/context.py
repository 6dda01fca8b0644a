"""`ServerContext`: everything the application is handed when it is made (`create_app`)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.engine.ports.forge import ReportQueue
from conveyor.engine.ports.server_runs import RunControl, RunStarter
from conveyor.engine.ports.store import StoredRun
from conveyor.engine.ports.workers import WorkerCoordinator
from conveyor.git.hosting import RefUpdate
from conveyor.server.principals import TokenVerifier
from conveyor.server.repository_workflows import RepositoryWorkflows
from conveyor.server.schedules import ScheduleClaims
from conveyor.server.workflow_needs import Needs, local_job_needs
from conveyor.store.handle import StoreHandle
from conveyor.store.served_repositories import ServedRepositories, served_repositories


@dataclass
class ServerContext:
    home: Path  # CONVEYOR_HOME: the database, logs, artifacts, repository mirrors
    store: StoreHandle
    starter: RunStarter
    control: RunControl
    tokens: TokenVerifier
    clock: Callable[[], float] = field(default=time.time)
    # server.anonymous_read / CONVEYOR_ANONYMOUS_READ=1: the API and pages are read without a token
    anonymous_read: bool = False
    # webhook deliveries by result ("accepted", "ignored", "bad_signature", ...): /metrics
    webhook_deliveries: Counter[str] = field(default_factory=Counter)
    job_needs: Callable[[StoredRun], Needs] = field(default=local_job_needs)  # the run graph
    # the registered repositories' workflows (schedules, dispatch, workflow_run); None: no
    # scheduler runs and dispatch answers 404
    workflows: RepositoryWorkflows | None = None
    # where schedulers claim cron ticks; None: the store's database (`schedule_ticks`)
    schedule_claims: ScheduleClaims | None = None
    # The repositories served (webhook secrets); None: made from `store` when first asked.
    repositories: ServedRepositories | None = None
    # The reports waiting for the forge (check runs, statuses); None: no forge is configured.
    forge_reports: ReportQueue | None = None

    # Told of every ref a push to a hosted repository updated (after its events started): the
    # seam where "a branch was updated" is heard (a pull request's `synchronize`).
    ref_listeners: list[Callable[[ServerContext, RefUpdate], None]] = field(default_factory=list)
    # `conveyor serve --broker`: what hands jobs to `conveyor worker` processes; None: no broker
    workers: WorkerCoordinator | None = None

    def served(self) -> ServedRepositories:
        if self.repositories is None:
            self.repositories = served_repositories(self.store)
        return self.repositories
