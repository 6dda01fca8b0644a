"""A background module for the app's lifespan that only records that it was started."""

from __future__ import annotations

from collections.abc import Callable

from conveyor.server.context import ServerContext

STARTED: list[ServerContext] = []


def start(context: ServerContext) -> Callable[[], None]:
    STARTED.append(context)
    return lambda: None
