"""Concurrency groups: at most one running and one pending member per group."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from conveyor.engine.ports.executor import CancelSignal


class Admission(enum.StrEnum):
    RUNNING = "running"  # holds the group
    PENDING = "pending"  # next in line
    CANCELLED = "cancelled"  # displaced by a newer pending member


@dataclass(frozen=True, slots=True)
class GroupTicket:
    """A run (workflow-level) or a job (job-level) asking for a concurrency group."""

    repository: str
    group: str  # as evaluated; groups compare case-insensitively
    holder: str  # see workflow_holder / job_holder
    run_id: int


def workflow_holder(run_id: int, attempt: int) -> str:
    return f"run:{run_id}:{attempt}"


def job_holder(run_id: int, attempt: int, instance_key: str) -> str:
    return f"job:{run_id}:{attempt}:{instance_key}"


class ConcurrencyGate(Protocol):
    """At most one running and one pending member per group; claimed by one conditional update."""

    def enter(self, ticket: GroupTicket, *, cancel_in_progress: bool) -> Admission: ...
    def poll(self, ticket: GroupTicket) -> Admission: ...
    def wait(
        self, ticket: GroupTicket, cancel: CancelSignal, poll_interval: float = 0.5
    ) -> Admission: ...
    def release(self, ticket: GroupTicket) -> None: ...
