"""`ServerContext`: everything the application is handed when it is made (`create_app`)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.server.ports import RunControl, RunStarter, TokenVerifier
from conveyor.store.handle import StoreHandle


@dataclass
class ServerContext:
    home: Path  # CONVEYOR_HOME: the database, logs, artifacts, repository mirrors
    store: StoreHandle
    starter: RunStarter
    control: RunControl
    tokens: TokenVerifier
    clock: Callable[[], float] = field(default=time.time)
    # server.anonymous_read / CONVEYOR_ANONYMOUS_READ=1: reading the API needs no token
    anonymous_read: bool = False
    # webhook deliveries by result ("accepted", "ignored", "bad_signature", ...): /metrics
    webhook_deliveries: Counter[str] = field(default_factory=Counter)
