"""What the server asks of the layers that run things, as Protocols with plain values.

`RunStarter` turns an event (a webhook delivery, a dispatch, a schedule tick) into runs;
`RunControl` cancels and re-runs them. bootstrap implements both over the engine
(`run_local`'s pieces). `TokenVerifier` says who an API token belongs to and with which role
(the API and the web UI's login both ask it). `conveyor.server.fake` has in-memory versions.
"""

from __future__ import annotations

import enum
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


class Role(enum.IntEnum):
    """What a token may do; each role includes the ones below it."""

    READ = 1  # see runs, logs, artifacts, settings (never secret values)
    WRITE = 2  # also cancel, re-run, dispatch, approve or reject (as a reviewer)
    ADMIN = 3  # also repositories, tokens, secrets, variables, environments


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a token's name (or a user's) and its role."""

    name: str
    role: Role


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal | None:
        """The principal of a valid, unrevoked token; None for anything else."""
        ...


__all__ = [
    "EventRequest",
    "Principal",
    "Role",
    "RunControl",
    "RunStarter",
    "StartedRuns",
    "TokenVerifier",
]
