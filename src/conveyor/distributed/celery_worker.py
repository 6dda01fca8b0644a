"""`conveyor worker`'s Celery worker: `capacity` threads consuming the queues of every label set
the worker satisfies; each doorbell goes to `JobRunner.on_doorbell`.

Around it: registration with the server (which says where the broker is, unless `broker_url` is
given, and the heartbeat and lease), a heartbeat thread (busy slots; a server that forgot the
worker is told again), and the stop signals: the first SIGTERM/SIGINT takes no new job and lets
the running ones finish (Celery's warm shutdown), a second one cancels them (their always()
steps run); the worker then deregisters.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

from conveyor.distributed.doorbell import JOB_READY, celery_app
from conveyor.distributed.job_runner import JobRunner
from conveyor.distributed.queues import consumed_queues, normalized

log = logging.getLogger("conveyor.worker")


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    name: str
    labels: tuple[str, ...]
    capacity: int
    broker_url: str | None = None  # None: the one the server says


def run_worker(config: WorkerConfig, runner: JobRunner) -> None:
    """Blocks until the worker is stopped (see the module's docstring)."""
    labels = normalized(config.labels)
    registration = runner.client.register(config.name, labels, config.capacity)
    app = celery_app(config.broker_url or registration.broker_url)

    def job_ready(job_id: int) -> str:
        return runner.on_doorbell(int(job_id))

    app.task(name=JOB_READY, typing=False)(job_ready)
    beats = _WorkerBeats(runner, config, labels, registration.heartbeat)
    try:
        _start(app, config, labels, runner)
    finally:
        beats.stop()
        runner.client.deregister(config.name)
        log.info("worker stopped name=%s", config.name)


def _start(app: Any, config: WorkerConfig, labels: Sequence[str], runner: JobRunner) -> None:
    from celery import signals

    stopping = _StopSignals(runner)
    signals.worker_ready.connect(lambda **_: stopping.install(), weak=False)
    worker = app.Worker(
        hostname=f"{config.name}@conveyor",
        queues=consumed_queues(labels),
        concurrency=config.capacity,
        pool="threads",
        without_mingle=True,
        without_gossip=True,
        without_heartbeat=True,
        loglevel="WARNING",
        quiet=True,
    )
    log.info(
        "worker ready name=%s labels=%s capacity=%d", config.name, ",".join(labels), config.capacity
    )
    worker.start()


class _StopSignals:
    """First SIGTERM/SIGINT: drain (then Celery's warm shutdown); second: cancel running jobs."""

    def __init__(self, runner: JobRunner) -> None:
        self._runner = runner
        self._celery: dict[int, Any] = {}
        self.count = 0

    def install(self) -> None:
        for number in (signal.SIGTERM, signal.SIGINT):
            self._celery[number] = signal.getsignal(number)
            signal.signal(number, self._handle)

    def _handle(self, number: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count == 1:
            log.info("worker draining: running jobs finish, no new one starts")
            self._runner.draining.set()
            celery = self._celery.get(signal.SIGTERM)
            if callable(celery):
                celery(signal.SIGTERM, frame)  # warm shutdown
            return
        log.warning("worker cancelling its running jobs")
        self._runner.cancel_all()


class _WorkerBeats:
    def __init__(
        self, runner: JobRunner, config: WorkerConfig, labels: Sequence[str], every: float
    ) -> None:
        self._runner, self._config, self._labels = runner, config, labels
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="worker-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self._beat()
            except Exception:
                log.warning("worker heartbeat failed name=%s", self._config.name)

    def _beat(self) -> None:
        runner, config = self._runner, self._config
        if not runner.client.worker_heartbeat(config.name, runner.busy(), runner.draining.is_set()):
            runner.client.register(config.name, self._labels, config.capacity)
