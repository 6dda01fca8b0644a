"""The remote-actions port: the repository an `owner/repo@ref` names, on this machine.

An executor asks it for the repository of a remote action (after local copies and native
handlers) and the planner for the repository of a remote reusable workflow. The adapter
(`conveyor.git.remote_actions`) fetches with git into a cache under CONVEYOR_HOME; one object
serves one run, so every job of the run sees the same commit for a tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FetchedAction:
    """The tree of `owner/repo` at `commit`, in `directory` (read-only: shared by runs)."""

    directory: str
    commit: str


@dataclass(frozen=True, slots=True)
class FetchFailure:
    """Why the repository could not be had: one line for the user (secrets masked)."""

    message: str


class RemoteActions(Protocol):
    def fetch(self, owner: str, repo: str, ref: str) -> FetchedAction | FetchFailure:
        """The tree of `owner/repo` at `ref` (a tag, a branch or a full commit id)."""
        ...


__all__ = ["FetchFailure", "FetchedAction", "RemoteActions"]
