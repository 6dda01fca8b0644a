"""Who is asking the server: `Role`, `Principal`, and the `TokenVerifier` that says who an API
token belongs to and with which role (the API and the web UI's login both ask it). What starts
and controls runs is in `conveyor.engine.ports.server_runs`; `conveyor.server.fake` has
in-memory versions of both."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


class Role(enum.IntEnum):
    """What a token may do; each role includes the ones below it (WORKER is below READ)."""

    READ = 1  # see runs, logs, artifacts, settings (never secret values)
    WRITE = 2  # also cancel, re-run, dispatch, approve or reject (as a reviewer)
    ADMIN = 3  # also repositories, tokens, secrets, variables, environments
    # `conveyor worker`: register, heartbeat and claim jobs (the worker endpoints; a claimed
    # job's own routes need its per-job token), nothing else: no run, page or repository
    WORKER = 0


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a token's name (or a user's) and its role. A job's token (the local
    forge's `GITHUB_TOKEN`) also carries its GitHub permissions (scope -> read|write) and the one
    repository it may act on; both are None for a user's token."""

    name: str
    role: Role
    permissions: Mapping[str, str] | None = field(default=None, hash=False)
    repository: str | None = None  # owner/repo: a job token acts on its run's repository only

    def may(self, scope: str, access: str, repository: str) -> bool:
        """Whether a job token grants `access` (read|write) on `scope` of `repository`; a user's
        token answers by its role (read: READ, write: WRITE)."""
        if self.permissions is None:
            return self.role >= (Role.WRITE if access == "write" else Role.READ)
        if self.repository is not None and self.repository != repository:
            return False
        granted = self.permissions.get(scope, "none")
        return granted == "write" or (granted == "read" and access == "read")


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal | None:
        """The principal of a valid, unrevoked token; None for anything else."""
        ...


__all__ = ["Principal", "Role", "TokenVerifier"]
