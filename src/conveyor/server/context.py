"""`ServerContext`: everything the application is handed when it is made (`create_app`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.server.ports import RunControl, RunStarter, TokenVerifier
from conveyor.server.repository_workflows import RepositoryWorkflows
from conveyor.server.schedules import ScheduleClaims
from conveyor.store.handle import StoreHandle


@dataclass
class ServerContext:
    home: Path  # CONVEYOR_HOME: the database, logs, artifacts, repository mirrors
    store: StoreHandle
    starter: RunStarter
    control: RunControl
    tokens: TokenVerifier
    clock: Callable[[], float] = field(default=time.time)
    # the registered repositories' workflows (schedules, dispatch, workflow_run); None: no
    # scheduler runs and dispatch answers 404
    workflows: RepositoryWorkflows | None = None
    # where schedulers claim cron ticks; None: the store's database (`schedule_ticks`)
    schedule_claims: ScheduleClaims | None = None
