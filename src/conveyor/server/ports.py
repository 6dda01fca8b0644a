"""What the server asks of the layers that run things, as Protocols with plain values.

`RunStarter` turns an event (a webhook delivery, a dispatch, a schedule tick) into runs;
`RunControl` cancels and re-runs them. bootstrap implements both over the engine
(`run_local`'s pieces). `TokenVerifier` says who an API token belongs to and with which role
(the API and the web UI's login both ask it). `conveyor.server.fake` has in-memory versions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from conveyor.engine.ports.server_runs import EventRequest, RunControl, RunStarter, StartedRuns


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
