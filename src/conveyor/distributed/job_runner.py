"""What a worker does with one doorbell: claim the job, fetch it, run it, report it.

`JobRunner.on_doorbell(job_id)`: the claim (None: another worker has it, or it ended: nothing
to do); the document and secrets with the per-job token; the job runs on the executor it is
given (the local one, built by bootstrap) with a reporter that numbers its events and sends them
in order from a thread, and a heartbeat thread that renews the lease and learns of a cancel
(or of a lost lease: the job is then stopped, its reports would be refused anyway).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from conveyor.distributed.client import Claim, JobGone, ServerClient
from conveyor.distributed.codec import encode
from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobReporter
from conveyor.model.results import Annotation, JobResult, StepResult

log = logging.getLogger("conveyor.worker")
CANCEL_POLL_SECONDS = 0.5  # a cancel reaches the job within this (plus one request)
SEND_SECONDS = 0.1  # events go to the server in batches this often

# the job's claim (its per-job token: the job's repository, artifacts and caches are fetched
# from the server with it), its document, the reporter and the cancel signal
RunJob = Callable[[Claim, JobDocument, JobReporter, CancelSignal], JobResult]


class EventSender:
    """A `JobReporter` that numbers events and sends them in order (a thread, in batches)."""

    def __init__(self, client: ServerClient, claim: Claim) -> None:
        self._client, self._claim = client, claim
        self._events: list[dict[str, Any]] = []
        self._sent = 0
        self._lock = threading.Condition()
        self._closed = False
        self.gone = False
        self._thread = threading.Thread(target=self._loop, name=f"events-{claim.job_id}")
        self._thread.start()

    def step_started(self, instance_key: str, index: int, name: str) -> None:
        self._add({"kind": "step_started", "index": index, "name": name})

    def log_line(self, instance_key: str, index: int | None, line: str) -> None:
        self._add({"kind": "log_line", "index": index, "line": line})

    def log_lines(self, instance_key: str, index: int | None, lines: Sequence[str]) -> None:
        for line in lines:
            self.log_line(instance_key, index, line)

    def step_finished(self, instance_key: str, result: StepResult) -> None:
        self._add({"kind": "step_finished", "result": encode(result)})

    def annotation(self, instance_key: str, annotation: Annotation) -> None:
        self._add({"kind": "annotation", "annotation": encode(annotation)})

    def _add(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._events.append(event)

    def close(self) -> None:
        """Sends what is left and stops the thread."""
        with self._lock:
            self._closed = True
            self._lock.notify()
        self._thread.join()

    def _loop(self) -> None:
        while not self.gone:
            with self._lock:
                if self._sent >= len(self._events):
                    if self._closed:
                        return
                    self._lock.wait(SEND_SECONDS)
                    continue
                batch = self._events[self._sent : self._sent + 500]
            self._send(batch)

    def _send(self, batch: list[dict[str, Any]]) -> None:
        try:
            self._sent = self._client.events(self._claim, self._sent, batch)
        except JobGone:
            self.gone = True
        except Exception:
            log.exception("events not sent job=%d", self._claim.job_id)
            self.gone = True


@dataclass
class JobRunner:
    client: ServerClient
    worker: str
    run_job: RunJob
    running: dict[int, threading.Event] = field(default_factory=dict)
    draining: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def busy(self) -> int:
        with self._lock:
            return len(self.running)

    def cancel_all(self) -> None:
        """The second stop signal: every running job is cancelled (always() steps run)."""
        with self._lock:
            for cancel in self.running.values():
                cancel.set()

    def on_doorbell(self, job_id: int) -> str:
        """What became of the doorbell: "draining", "not-claimed", "lost" or the job's result."""
        if self.draining.is_set():
            return "draining"
        claim = self.client.claim(job_id, self.worker)
        if claim is None:
            return "not-claimed"
        cancel = threading.Event()
        with self._lock:
            self.running[job_id] = cancel
        try:
            return self._run(claim, cancel)
        finally:
            with self._lock:
                self.running.pop(job_id, None)

    def _run(self, claim: Claim, cancel: threading.Event) -> str:
        log.info("job claimed job=%d attempt=%d", claim.job_id, claim.attempt)
        try:
            document = self.client.document(claim)
        except JobGone:
            return "lost"
        beats = _Heartbeats(self.client, claim, cancel)
        sender = EventSender(self.client, claim)
        try:
            result = self.run_job(claim, document, sender, cancel)
        finally:
            sender.close()
            beats.stop()
        return self._report(claim, result, sender.gone or beats.lost)

    def _report(self, claim: Claim, result: JobResult, gone: bool) -> str:
        if gone:
            log.warning("job lost job=%d (its lease expired)", claim.job_id)
            return "lost"
        try:
            self.client.result(claim, result)
        except JobGone:
            return "lost"
        log.info("job finished job=%d result=%s", claim.job_id, result.result)
        return str(result.result)


class _Heartbeats:
    """Renews the lease every `claim.heartbeat` seconds; asks about a cancel twice a second."""

    def __init__(self, client: ServerClient, claim: Claim, cancel: threading.Event) -> None:
        self._client, self._claim, self._cancel = client, claim, cancel
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._loop, name=f"beats-{claim.job_id}")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        every = min(self._claim.heartbeat, CANCEL_POLL_SECONDS)
        renewed, elapsed = 0.0, 0.0
        while not self._stop.wait(every):
            elapsed += every
            renew = elapsed - renewed >= self._claim.heartbeat
            renewed = elapsed if renew else renewed
            self._beat(renew)

    def _beat(self, renew: bool) -> None:
        try:
            if self._client.job_heartbeat(self._claim, renew=renew).cancel:
                self._cancel.set()
        except JobGone:
            self.lost = True
            self._cancel.set()
        except Exception:
            log.warning("heartbeat failed job=%d", self._claim.job_id)
