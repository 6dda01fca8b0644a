"""Runs and their attempts: what is stored about a run, its owner, cancel requests and the
abandonment sweep. Run ids are integers (GitHub's `run_id`), a rerun is a new `attempt` of the
same run; timestamps are epoch seconds."""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from conveyor.model.results import Conclusion as Conclusion  # the model's one outcome type


class RunStatus(enum.StrEnum):
    """Where a run or job is in its life (GitHub's `status`)."""

    QUEUED = "queued"
    PENDING = "pending"  # waiting for its concurrency group
    WAITING = "waiting"  # waiting for an environment's protection rules
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


ACTIVE_STATUSES = frozenset(
    {RunStatus.QUEUED, RunStatus.PENDING, RunStatus.WAITING, RunStatus.IN_PROGRESS}
)


@dataclass(frozen=True, slots=True)
class ProcessOwner:
    """The process that drives a run: `token` tells a live process from a reused pid."""

    pid: int
    host: str
    token: str | None = None

    def environment(self) -> dict[str, str]:
        """`{OWNER_VARIABLE: "<pid>:<token>"}`: in the environment of the processes it starts."""
        return {OWNER_VARIABLE: f"{self.pid}:{self.token}"}

    @property
    def marker(self) -> str:
        """That environment entry as it is in /proc/<pid>/environ: `NAME=value`."""
        return "".join(f"{name}={value}" for name, value in self.environment().items())


# Every process the owner of a run starts for it (step processes, the reaper) carries
# `ProcessOwner.marker` in its environment: a run whose owner died is still running — its
# concurrency group still held — while one of them lives.
OWNER_VARIABLE = "CONVEYOR_RUN_OWNER"


@dataclass(frozen=True, slots=True)
class NewRun:
    """A run about to start. `options` is what `conveyor run` needs to repeat it (no secrets)."""

    repository: str
    workflow: str  # github.workflow: the `name:` or the path
    workflow_path: str
    event: str
    ref: str | None = None
    sha: str | None = None
    actor: str | None = None
    event_payload: Mapping[str, object] = field(default_factory=dict)
    inputs: Mapping[str, object] = field(default_factory=dict)
    options: Mapping[str, object] = field(default_factory=dict)
    owner: ProcessOwner | None = None
    concurrency_group: str | None = None


@dataclass(frozen=True, slots=True)
class StoredRun:
    id: int
    repository: str
    workflow: str
    workflow_path: str
    run_number: int
    event: str
    ref: str | None
    sha: str | None
    attempt: int
    status: RunStatus
    conclusion: Conclusion | None
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    actor: str | None = None
    reason: str | None = None  # why it was cancelled or abandoned
    owner: ProcessOwner | None = None
    concurrency_group: str | None = None


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """Everything stored to repeat a run: `conveyor rerun` hands it back to the engine."""

    run: StoredRun
    event_payload: Mapping[str, object]
    inputs: Mapping[str, object]
    options: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class RunQuery:
    """`conveyor runs` filters. `status` matches a status or a conclusion, like `gh run list`."""

    workflow: str | None = None
    status: str | None = None
    repository: str | None = None
    limit: int = 20


class RunHistoryStore(Protocol):
    """Runs and attempts: created, listed, moved on, finished, cancelled, swept."""

    def create_run(self, new: NewRun) -> StoredRun: ...
    def get_run(self, run_id: int) -> StoredRun | None: ...
    def list_runs(self, query: RunQuery) -> list[StoredRun]: ...
    def set_run_status(self, run_id: int, status: RunStatus) -> None: ...
    def finish_run(
        self, run_id: int, conclusion: Conclusion, *, reason: str | None = None
    ) -> StoredRun: ...
    def run_request(self, run_id: int) -> StoredRequest | None: ...
    def begin_attempt(
        self, run_id: int, owner: ProcessOwner | None, reuse: Collection[str] = ()
    ) -> StoredRun: ...
    def request_cancel(self, run_id: int, instance_key: str | None = None) -> None: ...
    def cancel_requested(self, run_id: int, instance_key: str | None = None) -> bool: ...
    def sweep_abandoned(self) -> list[StoredRun]: ...
