"""The worker port: what the server's worker API asks of whatever hands jobs to `conveyor worker`
processes (conveyor.bootstrap.worker_hub makes it; None in the server's context: no broker).

Job calls take the per-job token the claim returned; they answer None (the API's 401) when the
token does not hold the job's live lease: a wrong token, or a worker whose lease expired.
Documents, results and events are JSON-like (conveyor.distributed.codec's shapes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    name: str
    labels: tuple[str, ...]
    capacity: int
    busy: int
    state: str  # online | draining
    last_heartbeat: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class Grant:
    """A claimed job: its per-job token (only ever returned once) and the lease's timing."""

    token: str
    attempt: int
    heartbeat: float
    lease: float


@dataclass(frozen=True, slots=True)
class HeldJob:
    """What the server keeps of a job a token holds: the run it belongs to, the repository the
    server planned it from (a path on the server: served to the worker over Git smart HTTP) and
    its commit."""

    run_id: str
    repository: str
    sha: str | None


class WorkerCoordinator(Protocol):
    def register(self, name: str, labels: Sequence[str], capacity: int) -> Mapping[str, Any]:
        """Where the broker is and the heartbeat and lease seconds."""
        ...

    def worker_heartbeat(self, name: str, busy: int, draining: bool) -> bool: ...

    def deregister(self, name: str) -> bool: ...

    def workers(self) -> list[WorkerInfo]: ...

    def claim(self, job_id: int, worker: str) -> Grant | None:
        """None: the job is not queued here (another worker has it, it ended, it is unknown)."""
        ...

    def document(self, job_id: int, token: str) -> Mapping[str, Any] | None: ...

    def secrets(self, job_id: int, token: str) -> Mapping[str, Any] | None: ...

    def held_job(self, job_id: int, token: str) -> HeldJob | None:
        """The job's run, repository and commit (None: the token holds no lease)."""
        ...

    def heartbeat(self, job_id: int, token: str, renew: bool) -> bool | None:
        """Whether the job is to be cancelled (None: the token holds no lease)."""
        ...

    def events(
        self, job_id: int, token: str, offset: int, events: Sequence[Mapping[str, Any]]
    ) -> int | None:
        """The next offset expected (None: the token holds no lease)."""
        ...

    def result(self, job_id: int, token: str, result: Mapping[str, Any]) -> bool:
        """False: the token holds no lease (the result is not taken)."""
        ...
