"""`conveyor serve`'s embedded executor: queued runs from the database, run here, `jobs` at a time.

The database is the queue of record: a thread takes the oldest queued runs that no process owns,
claims each (a conditional update: one process gets it) and runs it on its own thread through
`conveyor run`'s path (`run_queued`). `stop(grace)` takes no more, lets the running runs finish
for `grace` seconds, then asks them to cancel (their always() steps run) and waits for them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from conveyor.store.database import Database
from conveyor.store.owner import current_owner
from conveyor.store.server_queue import claim_run, queued_runs

POLL_SECONDS = 1.0  # a look at the queue even when nothing woke the pool (another process)
CANCEL_WAIT_SECONDS = 60.0

log = logging.getLogger("conveyor.server")


class ServerPool:
    def __init__(
        self,
        database: Database,
        jobs: int,
        execute: Callable[[int], None],
        cancel: Callable[[int], None],
    ) -> None:
        self._database = database
        self._slots = threading.Semaphore(max(jobs, 1))
        self._execute = execute
        self._cancel = cancel
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._running: dict[int, threading.Thread] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="server-pool", daemon=True)
        # Told each run id that ended (the server fires `workflow_run` from it).
        self.on_ended: Callable[[int], None] = lambda run_id: None

    def start(self) -> None:
        self._thread.start()
        self.wake()

    def wake(self) -> None:
        self._wake.set()

    def running(self) -> list[int]:
        with self._lock:
            return sorted(self._running)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()
            try:
                self._take()
            except Exception:
                log.exception("pool error=reading-the-queue")

    def _take(self) -> None:
        for run_id in queued_runs(self._database):
            if self._stopping.is_set() or not self._slots.acquire(blocking=False):
                return
            if not claim_run(self._database, run_id, current_owner()):
                self._slots.release()
                continue
            thread = threading.Thread(target=self._run, args=(run_id,), name=f"run-{run_id}")
            with self._lock:
                self._running[run_id] = thread
            thread.start()

    def _run(self, run_id: int) -> None:
        log.info("run started run=%d", run_id)
        try:
            self._execute(run_id)
        except Exception:
            log.exception("run error run=%d", run_id)
        finally:
            with self._lock:
                self._running.pop(run_id, None)
            self._slots.release()
            log.info("run ended run=%d", run_id)
            self._tell_ended(run_id)
            self.wake()

    def _tell_ended(self, run_id: int) -> None:
        try:
            self.on_ended(run_id)
        except Exception:
            log.exception("after the run failed run=%d", run_id)

    def stop(self, grace: float) -> None:
        """No more runs; the running ones finish within `grace` seconds, or are cancelled."""
        self._stopping.set()
        self.wake()
        if self._thread.is_alive():
            self._thread.join()
        deadline = time.monotonic() + grace
        for thread in self._threads():
            thread.join(max(deadline - time.monotonic(), 0))
        left = self.running()
        for run_id in left:
            log.info("run cancelling run=%d reason=shutdown-grace-over", run_id)
            self._cancel(run_id)
        for thread in self._threads():
            thread.join(CANCEL_WAIT_SECONDS)

    def _threads(self) -> list[threading.Thread]:
        with self._lock:
            return list(self._running.values())
