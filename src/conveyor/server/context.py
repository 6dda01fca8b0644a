"""`ServerContext`: everything the application is handed when it is made (`create_app`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.server.ports import RunControl, RunStarter, TokenVerifier
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
    # The repositories served (webhook secrets); None: made from `store` when first asked.
    repositories: ServedRepositories | None = None

    def served(self) -> ServedRepositories:
        if self.repositories is None:
            self.repositories = served_repositories(self.store)
        return self.repositories
