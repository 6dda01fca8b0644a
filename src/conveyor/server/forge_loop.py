"""The server's forge loop: a thread that drains the queue of reports waiting for the forge
(`context.forge_reports`: check runs, commit statuses) as they come and when their wait (a rate
limit, an outage's backoff) is over. Started by the app's lifespan when a forge is configured."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from conveyor.engine.ports.forge import ReportQueue
from conveyor.server.context import ServerContext

LOG = logging.getLogger("conveyor.forge")
IDLE_SECONDS = 5.0  # a look at the queue even when nothing woke the loop (another process)


def run(queue: ReportQueue, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            wait = queue.drain()
        except Exception:
            LOG.exception("forge loop error")
            wait = None
        if not stop.is_set():
            queue.wait(IDLE_SECONDS if wait is None else min(max(wait, 0.05), IDLE_SECONDS))


def start(context: ServerContext) -> Callable[[], None]:
    queue = context.forge_reports
    if queue is None:
        return lambda: None
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(queue, stop), name="forge-reports", daemon=True)
    thread.start()

    def stopped() -> None:
        stop.set()
        queue.wake()
        thread.join(10.0)

    return stopped
