"""`conveyor serve --broker`: the jobs of the server's runs go to `conveyor worker` processes.

The server plans and schedules runs as without a broker; only the executor changes:
`RemoteExecutor.run_job` records the job as a queued row (`conveyor.store.remote_jobs`, the
queue of record), rings the doorbell of its `runs-on` queue, and waits while the worker's
reports arrive through the API (`WorkerHub`, the server's `WorkerCoordinator`), forwarding them
to the run's reporter. The document and the secrets stay in this process's memory: the worker
fetches them with the per-job token; nothing of them is written to the database or the broker.

The reaper (a thread) re-queues the jobs whose lease expired as a new attempt (up to
`retry.lost` times; then the job fails as GitHub says when a runner is lost) and rings queued
jobs again when their doorbell is old (a broker outage only delays).
"""

from __future__ import annotations

import hashlib
import logging
import secrets as token_source
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from conveyor.bootstrap.worker_settings import LeaseTiming
from conveyor.distributed.codec import CodecError, decode_as, encode
from conveyor.distributed.doorbell import Doorbell
from conveyor.distributed.queues import normalized, satisfies
from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobReporter
from conveyor.engine.ports.workers import Grant, HeldJob, WorkerInfo
from conveyor.model.results import Annotation, Conclusion, JobResult, StepResult
from conveyor.store import remote_jobs as rows
from conveyor.store.database import Database

log = logging.getLogger("conveyor.server")
LOST = (
    "The self-hosted runner lost communication with the server. Verify the machine is running "
    "and has a healthy network connection. Anything in your workflow that terminates the runner "
    "process, starves it for CPU/Memory, or blocks its network access can cause this error."
)
WAIT_SECONDS = 0.05


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class _Pending:
    document: JobDocument
    reporter: JobReporter
    done: threading.Event = field(default_factory=threading.Event)
    result: JobResult | None = None
    next_event: int = 0
    cancel: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def end(self, result: JobResult) -> None:
        self.result = result
        self.done.set()


class WorkerHub:
    """The server's side of the workers (see the module's docstring)."""

    def __init__(self, database: Database, broker_url: str, timing: LeaseTiming) -> None:
        self.database, self.broker_url, self.timing = database, broker_url, timing
        self.doorbell = Doorbell(broker_url)
        self._pending: dict[int, _Pending] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reaper = threading.Thread(target=self._reap_loop, name="worker-reaper", daemon=True)

    def start(self) -> None:
        self._reaper.start()

    def stop(self) -> None:
        self._stop.set()
        if self._reaper.is_alive():
            self._reaper.join(10)
        self.doorbell.close()

    def executor(self) -> RemoteExecutor:
        return RemoteExecutor(self)

    # -- the executor's side ------------------------------------------------------------------

    def submit(self, document: JobDocument, reporter: JobReporter) -> int:
        labels = normalized(document.runs_on) or ("self-hosted",)
        run_id = int(document.run_id) if document.run_id.isdigit() else 0
        job_id = rows.enqueue(self.database, run_id, document.instance_key, labels)
        with self._lock:
            self._pending[job_id] = _Pending(document, reporter)
        if not any(satisfies(w.labels, labels) for w in self.workers() if w.state == "online"):
            shown = ", ".join(labels)
            reporter.log_line(
                document.instance_key, None, f"waiting for a runner with labels [{shown}]"
            )
        self._ring(job_id, labels)
        return job_id

    def wait(self, job_id: int, cancel: CancelSignal) -> JobResult:
        pending = self._pending[job_id]
        try:
            while not pending.done.wait(WAIT_SECONDS):
                if cancel.is_set() and not pending.cancel:
                    self._cancel(job_id, pending)
                if self._stop.is_set():  # the server stopped: nothing will report the job
                    pending.end(JobResult(Conclusion.CANCELLED, error="the server stopped"))
            assert pending.result is not None
            return pending.result
        finally:
            with self._lock:
                self._pending.pop(job_id, None)

    def _cancel(self, job_id: int, pending: _Pending) -> None:
        pending.cancel = True
        rows.request_cancel(self.database, job_id)
        job = rows.get_job(self.database, job_id)
        if (
            job is not None
            and job.state == rows.QUEUED
            and rows.finish(self.database, job_id, "cancelled")
        ):
            pending.end(JobResult(Conclusion.CANCELLED, error="cancelled before a runner took it"))

    def _ring(self, job_id: int, labels: Sequence[str]) -> None:
        try:
            self.doorbell.ring(job_id, labels)
        except Exception as error:  # the broker is down: the sweep rings again
            log.warning("doorbell failed job=%d error=%s", job_id, type(error).__name__)

    # -- the API's side (WorkerCoordinator) ---------------------------------------------------

    def register(self, name: str, labels: Sequence[str], capacity: int) -> Mapping[str, Any]:
        rows.register_worker(self.database, name, normalized(labels), capacity)
        log.info(
            "worker registered name=%s labels=%s capacity=%d", name, ",".join(labels), capacity
        )
        return {
            "broker_url": self.broker_url,
            "heartbeat": self.timing.heartbeat,
            "lease": self.timing.lease,
        }

    def worker_heartbeat(self, name: str, busy: int, draining: bool) -> bool:
        state = rows.DRAINING if draining else rows.ONLINE
        return rows.worker_heartbeat(self.database, name, busy, state)

    def deregister(self, name: str) -> bool:
        log.info("worker deregistered name=%s", name)
        return rows.deregister_worker(self.database, name)

    def workers(self) -> list[WorkerInfo]:
        return [
            WorkerInfo(w.name, w.labels, w.capacity, w.busy, w.state, w.last_heartbeat)
            for w in rows.list_workers(self.database)
        ]

    def claim(self, job_id: int, worker: str) -> Grant | None:
        with self._lock:
            known = job_id in self._pending
        if not known:
            return None
        token = token_source.token_urlsafe(32)
        attempt = rows.claim(self.database, job_id, worker, token_hash(token), self.timing.lease)
        if attempt is None:
            return None
        log.info("job claimed job=%d worker=%s attempt=%d", job_id, worker, attempt)
        return Grant(token, attempt, self.timing.heartbeat, self.timing.lease)

    def document(self, job_id: int, token: str) -> Mapping[str, Any] | None:
        pending = self._held(job_id, token)
        if pending is None:
            return None
        contexts = {k: v for k, v in pending.document.contexts.items() if k != "secrets"}
        data: Mapping[str, Any] = encode(replace(pending.document, contexts=contexts, masks=()))
        return data

    def secrets(self, job_id: int, token: str) -> Mapping[str, Any] | None:
        pending = self._held(job_id, token)
        if pending is None:
            return None
        values = pending.document.contexts.get("secrets")
        return {
            "secrets": dict(values) if isinstance(values, Mapping) else {},
            "masks": list(pending.document.masks),
        }

    def held_job(self, job_id: int, token: str) -> HeldJob | None:
        pending = self._held(job_id, token)
        if pending is None:
            return None
        document = pending.document
        return HeldJob(document.run_id, document.repository, document.sha)

    def heartbeat(self, job_id: int, token: str, renew: bool) -> bool | None:
        hashed = token_hash(token)
        if renew:
            job = rows.renew(self.database, job_id, hashed, self.timing.lease)
        else:
            job = rows.holder(self.database, job_id, hashed)
        pending = self._pending.get(job_id)
        if job is None or pending is None:
            return None
        return job.cancel or pending.cancel

    def events(
        self, job_id: int, token: str, offset: int, events: Sequence[Mapping[str, Any]]
    ) -> int | None:
        pending = self._held(job_id, token)
        if pending is None:
            return None
        with pending.lock:
            if offset <= pending.next_event:
                fresh = events[pending.next_event - offset :]
                for event in fresh:
                    _forward(pending, event)
                pending.next_event += len(fresh)
            return pending.next_event

    def result(self, job_id: int, token: str, result: Mapping[str, Any]) -> bool:
        pending = self._held(job_id, token)
        if pending is None:
            return False
        try:
            value = decode_as(result, JobResult)
        except CodecError:
            return False
        if not rows.finish(self.database, job_id, str(value.result), token_hash(token)):
            return False
        pending.end(value)
        return True

    def _held(self, job_id: int, token: str) -> _Pending | None:
        pending = self._pending.get(job_id)
        if pending is None or rows.holder(self.database, job_id, token_hash(token)) is None:
            return None
        return pending

    # -- the reaper and the sweep -----------------------------------------------------------

    def _reap_loop(self) -> None:
        every = min(self.timing.heartbeat, 1.0)
        last_sweep = time.time()
        while not self._stop.wait(every):
            try:
                self.reap()
                if time.time() - last_sweep >= self.sweep_seconds:
                    last_sweep = time.time()
                    self.sweep()
            except Exception:
                log.exception("reaper error")

    @property
    def sweep_seconds(self) -> float:
        return max(2 * self.timing.heartbeat, 1.0)

    def reap(self) -> None:
        """Jobs whose lease expired: a new attempt, or failed as lost."""
        for job in rows.expired(self.database):
            pending = self._pending.get(job.id)
            if pending is None:
                continue
            if job.attempt <= self.timing.retry_lost and rows.requeue(self.database, job):
                self._again(job, pending)
            elif rows.finish(self.database, job.id, "failure"):
                log.warning("job lost job=%d worker=%s", job.id, job.worker)
                pending.end(JobResult(Conclusion.FAILURE, error=LOST))

    def _again(self, job: rows.RemoteJob, pending: _Pending) -> None:
        log.warning(
            "job lost job=%d worker=%s requeued attempt=%d", job.id, job.worker, job.attempt + 1
        )
        with pending.lock:
            pending.next_event = 0
        line = f"the runner {job.worker} was lost: the job runs again (attempt {job.attempt + 1})"
        pending.reporter.log_line(pending.document.instance_key, None, line)
        self._ring(job.id, job.labels)

    def sweep(self) -> None:
        """Queued jobs whose doorbell is old ring again (a lost message only delays)."""
        for job in rows.waiting(self.database, time.time() - self.sweep_seconds):
            if job.id in self._pending:
                rows.rung(self.database, job.id)
                self._ring(job.id, job.labels)


def _forward(pending: _Pending, event: Mapping[str, Any]) -> None:
    key, reporter, kind = pending.document.instance_key, pending.reporter, event.get("kind")
    if kind == "log_line":
        reporter.log_line(key, event.get("index"), str(event.get("line", "")))
    elif kind == "step_started":
        reporter.step_started(key, int(event["index"]), str(event.get("name", "")))
    elif kind == "step_finished":
        reporter.step_finished(key, decode_as(event["result"], StepResult))
    elif kind == "annotation":
        reporter.annotation(key, decode_as(event["annotation"], Annotation))


class RemoteExecutor:
    """The `Executor` of a server with a broker: each job goes to a worker (see above)."""

    def __init__(self, hub: WorkerHub) -> None:
        self._hub = hub

    def run_job(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> JobResult:
        return self._hub.wait(self._hub.submit(document, reporter), cancel)
