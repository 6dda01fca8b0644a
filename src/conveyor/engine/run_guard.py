"""`RunGuard`: what stands between a workflow run and its jobs when a run store is wired in.

The CLI's wiring hands one to each run (`RunRequest.guard`); without one a run behaves as it
always did. It uses only the store ports:

- the workflow-level `concurrency:` group: the run's jobs start once it holds the group; while
  it is pending nothing starts (the run shows `pending`); a newer pending run replacing it ends
  it `cancelled` with no job run; Ctrl-C while pending leaves the queue;
- cancel requests from other processes (a newer run's `cancel-in-progress`): `request_cancel()`
  may be called from any thread (a CancelWatch); the scheduler then cancels this run as Ctrl-C
  would, so its `if: always()` jobs and steps still run;
- jobs carried over from the previous attempt by `conveyor rerun` (see carryover).

`admit` runs on the scheduler's thread (from `WorkflowRun.ready_nodes`); the only other thread
is the one waiting for the group, which hands its answer back through `_admission`.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable

from conveyor.engine.carryover import Carried, carry
from conveyor.engine.job_values import concurrency
from conveyor.engine.ports.store import (
    Admission,
    ConcurrencyGate,
    GroupTicket,
    RunStatus,
    RunStore,
    workflow_holder,
)
from conveyor.engine.run_state import NodeState, WorkflowRun
from conveyor.errors import ConveyorError

Notify = Callable[[str], None]


def _quiet(_text: str) -> None:
    return None


class GuardState(enum.Enum):
    NEW = "new"  # not asked for its group yet
    PENDING = "pending"  # waiting for its group
    ADMITTED = "admitted"  # its jobs may start
    CLOSED = "closed"  # ended before any job started


class RunGuard:
    def __init__(
        self,
        repository: str,
        run_id: int,
        attempt: int,
        *,
        gate: ConcurrencyGate | None = None,
        runs: RunStore | None = None,
        carried: Carried | None = None,
        notify: Notify = _quiet,
        poll_interval: float = 0.5,
    ) -> None:
        self.repository = repository
        self.run_id = run_id
        self.attempt = attempt
        self.state = GuardState.NEW
        self.group: str | None = None
        self.reason: str | None = None  # why the run ended cancelled, when the guard knows
        self._gate = gate
        self._runs = runs
        self._carried = carried or {}
        self._notify = notify
        self._poll = poll_interval
        self._ticket: GroupTicket | None = None
        self._admission: Admission | None = None
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self._waiter: threading.Thread | None = None

    # -- from any thread --------------------------------------------------------------------

    def request_cancel(self) -> None:
        """Another process asked to cancel this run (e.g. cancel-in-progress)."""
        self._cancel.set()

    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def holding(self) -> bool:
        """True while the run's jobs are held back (the scheduler must keep waiting)."""
        return self.state in (GuardState.NEW, GuardState.PENDING)

    def cancel_message(self, run: WorkflowRun) -> str:
        """Why the run is being cancelled (kept as the stored run's reason)."""
        if self.group is None:
            self.reason = "cancelled from another process"
        elif self.admitted:
            self.reason = f"cancelled by a newer run of concurrency group '{self.group}'"
        else:
            self.reason = _replaced(self.group)
            return f"{run.plan.workflow.display_name}: cancelled: {self.reason}"
        return f"{run.plan.workflow.display_name}: {self.reason}"

    # -- on the scheduler's thread ----------------------------------------------------------

    def admit(self, run: WorkflowRun) -> bool:
        """True once the run's jobs may start; closes the run when it will never start."""
        if self.state in (GuardState.ADMITTED, GuardState.CLOSED):
            return self.admitted
        if run.cancelled or self._cancel.is_set():
            self._close(run, self.reason or "cancelled while it waited for its concurrency group")
        elif self.state is GuardState.NEW:
            self._enter(run)
        elif self._admission is not None:
            self._decided(run, self._admission)
        return self.admitted

    @property
    def admitted(self) -> bool:
        return self.state is GuardState.ADMITTED

    def _enter(self, run: WorkflowRun) -> None:
        try:
            value = concurrency(run.plan.workflow.concurrency, run.scope.contexts())
        except ConveyorError as exc:  # checked before the run starts: defensive
            self._close(run, f"its concurrency group could not be evaluated: {exc}")
            return
        if value is None or self._gate is None:
            self._admit(run)
            return
        self.group = value.group
        holder = workflow_holder(self.run_id, self.attempt)
        self._ticket = GroupTicket(self.repository, value.group, holder, self.run_id)
        admission = self._gate.enter(self._ticket, cancel_in_progress=value.cancel_in_progress)
        if admission is Admission.PENDING:
            self._wait_for_group(run)
        else:
            self._decided(run, admission)

    def _wait_for_group(self, run: WorkflowRun) -> None:
        self.state = GuardState.PENDING
        self._set_status(RunStatus.PENDING)
        self._notify(
            f"{run.plan.workflow.display_name}: pending: another run holds concurrency group "
            f"'{self.group}'; this run starts when it finishes"
        )
        self._waiter = threading.Thread(target=self._wait, name=f"group {self.group}", daemon=True)
        self._waiter.start()

    def _wait(self) -> None:
        assert self._gate is not None
        assert self._ticket is not None
        try:
            self._admission = self._gate.wait(self._ticket, self._stop, self._poll)
        except Exception:  # a broken store: the run cannot know it holds the group
            self._admission = Admission.CANCELLED

    def _decided(self, run: WorkflowRun, admission: Admission) -> None:
        if admission is Admission.RUNNING:
            if self.state is GuardState.PENDING:
                self._set_status(RunStatus.IN_PROGRESS)
                self._notify(
                    f"{run.plan.workflow.display_name}: holds concurrency group '{self.group}'"
                )
            self._admit(run)
            return
        reason = _replaced(self.group or "")
        self._notify(f"{run.plan.workflow.display_name}: cancelled: {reason}")
        self._close(run, reason)

    def _admit(self, run: WorkflowRun) -> None:
        self.state = GuardState.ADMITTED
        carry(run, self._carried)

    def _close(self, run: WorkflowRun, reason: str) -> None:
        """End the run before any job started: cancelled, its group left."""
        self.state = GuardState.CLOSED
        self.reason = self.reason or reason
        self._stop.set()
        if self._waiter is not None:
            self._waiter.join()
        if self._ticket is not None and self._gate is not None:
            self._gate.release(self._ticket)
        run.cancel()
        for node in run.nodes.values():
            if node.state is NodeState.WAITING:
                node.state = NodeState.DONE

    def _set_status(self, status: RunStatus) -> None:
        if self._runs is not None:
            self._runs.set_run_status(self.run_id, status)


def _replaced(group: str) -> str:
    return f"a newer run of concurrency group '{group}' replaced it while it was pending"
