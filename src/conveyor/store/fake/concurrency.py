"""An in-memory concurrency gate with the SQL gate's rules (one running + one pending)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from conveyor.engine.ports.concurrency import Admission, GroupTicket
from conveyor.engine.ports.executor import CancelSignal


@dataclass
class _Slots:
    running: GroupTicket | None = None
    pending: GroupTicket | None = None


class FakeConcurrencyGate:
    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], _Slots] = {}
        self.cancel_requests: list[str] = []  # holders asked to cancel, in order
        self.lock = threading.Lock()

    def _slots(self, ticket: GroupTicket) -> _Slots:
        return self.groups.setdefault((ticket.repository, ticket.group.lower()), _Slots())

    def enter(self, ticket: GroupTicket, *, cancel_in_progress: bool) -> Admission:
        with self.lock:
            slots = self._slots(ticket)
            if slots.running is None and slots.pending in (None, ticket):
                slots.running, slots.pending = ticket, None
                return Admission.RUNNING
            if slots.running == ticket:
                return Admission.RUNNING
            if slots.pending is not None and slots.pending != ticket:
                self.cancel_requests.append(slots.pending.holder)
            if cancel_in_progress and slots.running is not None:
                self.cancel_requests.append(slots.running.holder)
            slots.pending = ticket
            return Admission.PENDING

    def poll(self, ticket: GroupTicket) -> Admission:
        with self.lock:
            slots = self._slots(ticket)
            if slots.running == ticket:
                return Admission.RUNNING
            if slots.pending != ticket:
                return Admission.CANCELLED
            if slots.running is None:
                slots.running, slots.pending = ticket, None
                return Admission.RUNNING
            return Admission.PENDING

    def wait(
        self, ticket: GroupTicket, cancel: CancelSignal, poll_interval: float = 0.5
    ) -> Admission:
        while (admission := self.poll(ticket)) is Admission.PENDING:
            if cancel.wait(poll_interval):
                self.release(ticket)
                return Admission.CANCELLED
        return admission

    def release(self, ticket: GroupTicket) -> None:
        with self.lock:
            slots = self._slots(ticket)
            if slots.running == ticket:
                slots.running = None
            if slots.pending == ticket:
                slots.pending = None
