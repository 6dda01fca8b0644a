"""`GatedExecutor`: job-level concurrency groups and environments, in front of an executor.

For a job naming neither, it hands the document straight to the executor it wraps. Otherwise,
on the job's own thread (a waiting job never blocks the scheduler):

1. `concurrency:` — take the job's group (pending: wait; a newer pending job replacing this one
   ends it `cancelled`). While it runs, a cancel request stored for it (a newer job's
   `cancel-in-progress`) stops it as Ctrl-C would: its `if: always()` steps still run.
2. `environment:` — the deployment gate (branch/tag policy, wait timer, required reviewers);
   rejected → the job fails with the reason; approved → the environment's secrets and
   variables join the job's contexts, and a deployment is recorded `in_progress`, then updated
   with the job's result and `environment.url`.

Only store ports are used; the CLI's wiring hands them in (`JobControls`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from conveyor.engine.job_environment import (
    JobEntry,
    JobIndex,
    deployment_status,
    deployment_url,
    holds_secret,
    with_environment,
)
from conveyor.engine.job_values import concurrency, environment_name
from conveyor.engine.ports.executor import CancelSignal, Executor, JobDocument, JobReporter
from conveyor.engine.ports.store import (
    Admission,
    ConcurrencyGate,
    DeploymentGate,
    EnvironmentStore,
    GateRequest,
    GateVerdict,
    GroupTicket,
    RunStore,
    job_holder,
)
from conveyor.errors import ConveyorError
from conveyor.model.results import Conclusion, JobResult


def _quiet(_text: str) -> None:
    return None


@dataclass(frozen=True)
class JobControls:
    repository: str  # the store's key for the repository
    runs: RunStore
    concurrency: ConcurrencyGate
    deployments: DeploymentGate
    environments: EnvironmentStore
    jobs: JobIndex
    pinned_secrets: Collection[str] = ()  # upper-case names given by --secret (they win)
    pinned_vars: Collection[str] = ()
    notify: Callable[[str], None] = field(default=_quiet)
    poll_interval: float = 0.5


class GatedExecutor:
    """An Executor; other attributes (e.g. `forecast`) are those of the wrapped executor."""

    def __init__(self, inner: Executor, controls: JobControls) -> None:
        self._inner = inner
        self._controls = controls

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def run_job(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> JobResult:
        entry = self._controls.jobs.get((document.workflow_path, document.job_id))
        job = entry.job if entry is not None else None
        if entry is None or job is None or not (job.environment or job.concurrency):
            return self._inner.run_job(document, reporter, cancel)
        if not document.run_id.isdigit():  # not a stored run: nothing to enforce it with
            return self._inner.run_job(document, reporter, cancel)
        try:
            group = concurrency(job.concurrency, document.contexts)
            environment = environment_name(job.environment, document.contexts)
        except ConveyorError as exc:
            return JobResult(Conclusion.FAILURE, error=f"job '{document.job_id}': {exc}")
        ticket = self._ticket(document, group.group) if group else None
        if ticket is not None and group is not None:
            admission = self._enter(document, ticket, group.cancel_in_progress, cancel)
            if admission is not Admission.RUNNING:
                return JobResult(Conclusion.CANCELLED, error=_replaced(ticket.group))
        try:
            return self._gated(document, entry, environment, reporter, cancel, ticket)
        finally:
            if ticket is not None:
                self._controls.concurrency.release(ticket)

    def _ticket(self, document: JobDocument, group: str) -> GroupTicket:
        run_id = int(document.run_id)
        holder = job_holder(run_id, document.run_attempt, document.instance_key)
        return GroupTicket(self._controls.repository, group, holder, run_id)

    def _enter(
        self,
        document: JobDocument,
        ticket: GroupTicket,
        cancel_in_progress: bool,
        cancel: CancelSignal,
    ) -> Admission:
        gate = self._controls.concurrency
        admission = gate.enter(ticket, cancel_in_progress=cancel_in_progress)
        if admission is Admission.PENDING:
            self._controls.notify(
                f"{document.display_name}: pending: another job holds concurrency group "
                f"'{ticket.group}'"
            )
            admission = gate.wait(ticket, cancel, self._controls.poll_interval)
        return admission

    def _gated(
        self,
        document: JobDocument,
        entry: JobEntry,
        environment: str | None,
        reporter: JobReporter,
        cancel: CancelSignal,
        ticket: GroupTicket | None,
    ) -> JobResult:
        if environment is None:
            return self._run(document, reporter, cancel, ticket)
        decision = self._controls.deployments.enter(self._request(document, environment), cancel)
        if decision.verdict is GateVerdict.REJECTED:
            return JobResult(Conclusion.FAILURE, error=decision.reason)
        if decision.verdict is GateVerdict.CANCELLED:
            return JobResult(
                Conclusion.CANCELLED, error=decision.reason or "cancelled while waiting"
            )
        controls = self._controls
        try:
            document = with_environment(
                document, entry, decision, controls.pinned_secrets, controls.pinned_vars
            )
        except ConveyorError as exc:
            return JobResult(Conclusion.FAILURE, error=f"job '{document.job_id}': {exc}")
        deployment = controls.environments.record_deployment(
            int(document.run_id),
            document.run_attempt,
            document.instance_key,
            environment,
            "in_progress",
        )
        result = self._run(document, reporter, cancel, ticket)
        controls.environments.update_deployment(
            deployment.id, deployment_status(result), self._url(document, entry, result)
        )
        return result

    def _request(self, document: JobDocument, environment: str) -> GateRequest:
        github = document.contexts.get("github")
        github = github if isinstance(github, dict) else {}
        ref, actor = github.get("ref"), github.get("actor")
        return GateRequest(
            repository=self._controls.repository,
            run_id=int(document.run_id),
            attempt=document.run_attempt,
            instance_key=document.instance_key,
            environment=environment,
            ref=ref if isinstance(ref, str) and ref else None,
            actor=actor if isinstance(actor, str) and actor else None,
        )

    def _url(self, document: JobDocument, entry: JobEntry, result: JobResult) -> str | None:
        try:
            url = deployment_url(document, entry.job, result)
        except ConveyorError as exc:
            self._controls.notify(f"{document.display_name}: environment url: {exc}")
            return None
        if url is not None and holds_secret(document, url):  # as GitHub: dropped, not masked
            self._controls.notify(
                f"{document.display_name}: environment url: skipped since it may contain secret"
            )
            return None
        return url

    def _run(
        self,
        document: JobDocument,
        reporter: JobReporter,
        cancel: CancelSignal,
        ticket: GroupTicket | None,
    ) -> JobResult:
        """Run the job; with a group held, a stored cancel request for the job stops it."""
        if ticket is None:
            return self._inner.run_job(document, reporter, cancel)
        signal = WatchedSignal(cancel)
        watch = threading.Thread(
            target=signal.watch,
            args=(self._controls.runs, ticket.run_id, document.instance_key),
            kwargs={"interval": self._controls.poll_interval},
            name=f"cancel watch {document.instance_key}",
            daemon=True,
        )
        watch.start()
        try:
            return self._inner.run_job(document, reporter, signal)
        finally:
            signal.done.set()
            watch.join()


def _replaced(group: str) -> str:
    return f"cancelled: a newer job of concurrency group '{group}' replaced it while it was pending"


class WatchedSignal:
    """A CancelSignal set by the engine's signal or by a cancel request stored for the job."""

    def __init__(self, outer: CancelSignal) -> None:
        self._outer = outer
        self._event = threading.Event()
        self.done = threading.Event()

    def is_set(self) -> bool:
        return self._event.is_set() or self._outer.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout) or self._outer.is_set()

    def is_forced(self) -> bool:
        is_forced = getattr(self._outer, "is_forced", None)
        return bool(is_forced()) if callable(is_forced) else False

    def watch(self, runs: RunStore, run_id: int, instance_key: str, *, interval: float) -> None:
        """Until `done`: forward the engine's signal at once; poll the store every `interval`.
        Only a request for this job counts (a run-level cancel is the scheduler's business)."""
        ticks = 0.0
        while not self.done.is_set():
            if self._outer.wait(0.05):
                self._event.set()
                return
            ticks += 0.05
            if ticks < interval:
                continue
            ticks = 0.0
            if _job_cancel_requested(runs, run_id, instance_key):
                self._event.set()
                return


def _job_cancel_requested(runs: RunStore, run_id: int, instance_key: str) -> bool:
    try:
        return runs.cancel_requested(run_id, instance_key) and not runs.cancel_requested(run_id)
    except Exception:  # a busy store: ask again on the next tick
        return False
