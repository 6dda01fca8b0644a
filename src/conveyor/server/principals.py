"""Who is asking the server: `Role`, `Principal`, and the `TokenVerifier` that says who an API
token belongs to and with which role (the API and the web UI's login both ask it). What starts
and controls runs is in `conveyor.engine.ports.server_runs`; `conveyor.server.fake` has
in-memory versions of both."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class Role(enum.IntEnum):
    """What a token may do; each role includes the ones below it."""

    READ = 1  # see runs, logs, artifacts, settings (never secret values)
    WRITE = 2  # also cancel, re-run, dispatch, approve or reject (as a reviewer)
    ADMIN = 3  # also repositories, tokens, secrets, variables, environments


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a token's name (or a user's) and its role. A job's token also carries its
    GitHub permission scopes (scope -> read|write|none); None for a user's token."""

    name: str
    role: Role
    permissions: Mapping[str, str] | None = None


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal | None:
        """The principal of a valid, unrevoked token; None for anything else."""
        ...


__all__ = ["Principal", "Role", "TokenVerifier"]
