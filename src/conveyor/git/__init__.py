"""Layer 5: access to local git repositories, through `git` subprocesses only.

`build_event(repo_root, EventRequest(...)) -> Event` makes the GitHub event for a local repository
(push, pull_request, release, …) or loads one from a webhook payload file.
"""

from conveyor.git.event_builder import EventRequest, build_event
from conveyor.git.event_files import load_payload
from conveyor.git.repository import GitRepository

__all__ = ["EventRequest", "GitRepository", "build_event", "load_payload"]
