"""Layer 5: access to local git repositories, through `git` subprocesses only.

`build_event(repo_root, EventRequest(...)) -> Event` makes the GitHub event for a local repository
(push, pull_request, release, …) or loads one from a webhook payload file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conveyor.git.event_builder import EventRequest, build_event, build_event_noted
from conveyor.git.repository import GitRepository

if TYPE_CHECKING:
    from conveyor.git.event_files import load_payload


def __getattr__(name: str) -> object:
    if name == "load_payload":  # loaded on first use: a run without --eventpath needs none of it
        from conveyor.git.event_files import load_payload

        return load_payload
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["EventRequest", "GitRepository", "build_event", "build_event_noted", "load_payload"]
