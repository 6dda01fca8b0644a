"""What `conveyor serve` asks of whatever starts and controls runs (bootstrap implements it
over `conveyor run`'s pieces)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class EventRequest:
    """One event for one registered repository, as the server received or made it."""

    repository: str  # owner/repo, as registered
    event_name: str  # push, pull_request, workflow_dispatch, schedule, ...
    payload: Mapping[str, object]  # GitHub's event payload
    ref: str  # refs/heads/main, refs/tags/v1, refs/pull/3/merge
    sha: str  # the commit the runs run at (40 hex)
    delivery: str | None = None  # X-GitHub-Delivery (webhooks), for de-duplication
    workflows: tuple[str, ...] = ()  # only these workflow files (dispatch, schedule); () = all


@dataclass(frozen=True, slots=True)
class StartedRuns:
    """What an event started: run ids, and why each workflow that did not fire did not."""

    run_ids: tuple[int, ...] = ()
    not_fired: Mapping[str, str] = field(default_factory=dict)  # workflow path -> reason
    duplicate: bool = False  # the delivery was taken before: these are its runs, nothing new


class RunStarter(Protocol):
    def start(self, request: EventRequest) -> StartedRuns:
        """Record the runs `request` fires (queued) and hand them to whatever executes jobs."""
        ...


class RunControl(Protocol):
    def cancel(self, run_id: int) -> bool:
        """Ask a run to stop (its always() steps still run); False when it already ended."""
        ...

    def rerun(self, run_id: int, *, failed_only: bool = False, job: str | None = None) -> int:
        """Start a new attempt of a run (all jobs, the failed ones, or one job); its run id."""
        ...
