"""The event a local run is for: built from the repository, read from `--eventpath`, or a
stored run's payload (a rerun).

A directory that is not the top of a git repository (a sub-directory such as
examples/quickstart, or no repository at all) is run as a plain copy; when git cannot describe
it (no repository, detached HEAD), the event is a push of `refs/heads/main` with no commit.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from conveyor import git
from conveyor.bootstrap.local_options import NO_REFS, EventRefs
from conveyor.errors import UsageError
from conveyor.model.events import Event

LOCAL_REF = "refs/heads/main"


@dataclass(frozen=True, slots=True)
class BuiltEvent:
    """The event, a warning when it could not come from git, a note on a choice made for the
    user (a pull request's base)."""

    event: Event
    warning: str | None = None
    note: str | None = None


def build_event(
    root: Path,
    name: str,
    event_path: Path | None,
    inputs: Mapping[str, str],
    payload: Mapping[str, object] | None = None,
    refs: EventRefs = NO_REFS,
) -> BuiltEvent:
    """The event (see BuiltEvent). `payload`: a stored run's event (a rerun), read as an
    `event_path` file with that payload would be. `refs`: `--ref/--base/--head/--action`."""
    if payload is not None:
        return BuiltEvent(stored_event(root, name, payload, inputs))
    request = git.EventRequest(
        name=name,
        eventpath=event_path,
        inputs=dict(inputs),
        ref=refs.ref,
        base=refs.base,
        head=refs.head,
        action=refs.action,
    )
    try:
        event, note = git.build_event_noted(root, request)
    except UsageError as exc:
        if (root / ".git").exists() or event_path is not None or refs != NO_REFS:
            raise
        warning = f"{exc}; running {root.name} as a plain directory on {LOCAL_REF}"
        return BuiltEvent(plain_directory_event(root, name, inputs), warning)
    return BuiltEvent(event, note=note)


def stored_event(
    root: Path, name: str, payload: Mapping[str, object], inputs: Mapping[str, str]
) -> Event:
    from conveyor.git.event_files import event_from_payload
    from conveyor.git.local_context import LocalContext

    context = LocalContext.open(git.GitRepository.open(root, prefetch=True))
    return event_from_payload(context, name, payload, inputs)


def plain_directory_event(root: Path, name: str, inputs: Mapping[str, str]) -> Event:
    owner, repository = "local", root.name or "repository"
    user = _user()
    payload: dict[str, object] = {
        "ref": LOCAL_REF,
        "repository": {
            "name": repository,
            "full_name": f"{owner}/{repository}",
            "owner": {"login": owner},
            "default_branch": "main",
        },
        "sender": {"login": user},
    }
    if inputs:
        payload["inputs"] = dict(inputs)
    return Event(
        name,
        payload=payload,
        ref=LOCAL_REF,
        inputs=dict(inputs),
        repository=f"{owner}/{repository}",
        default_branch="main",
        actor=user,
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "conveyor"
