"""What a step's `uses:` names, resolved on this machine.

- `./path`: a local action in the workspace (action.yml / action.yaml).
- `owner/repo[/path]@ref`: a local copy when one is configured — the executor's
  `action_directories` (keys `owner/repo@ref` or `owner/repo`), then
  `CONVEYOR_HOME/actions/<owner>/<repo>@<ref>` or `.../<owner>/<repo>` — else a native
  implementation from the ActionRegistry, else the repository fetched by the executor's
  `remote` (RemoteActions port: git and the cache, conveyor.git.remote_actions), else unavailable
  with a message saying how to provide it.
- `docker://...` and Docker actions: unavailable (no Docker here).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from conveyor.engine.ports.actions import ActionHandler, ActionRef, parse_action_ref
from conveyor.engine.ports.remote_actions import FetchFailure, RemoteActions
from conveyor.executors.local.action_metadata import ActionDefinition, ActionLoadError, load_action
from conveyor.executors.local.job_state import ExecutorOptions

DOCKER_HINT = (
    "conveyor runs jobs on this machine without Docker, so it cannot run Docker actions. "
    "Replace the step with `run:` commands, or provide a JavaScript or composite version of the "
    "action as a local action directory (see docs/actions.md)."
)


@dataclass(frozen=True, slots=True)
class LocalAction:
    definition: ActionDefinition
    repository: str = ""  # github.action_repository ('' for ./ actions)
    ref: str = ""


@dataclass(frozen=True, slots=True)
class NativeAction:
    ref: ActionRef
    handler: ActionHandler


@dataclass(frozen=True, slots=True)
class Unavailable:
    message: str


Resolution = LocalAction | NativeAction | Unavailable


def resolve_action(uses: str, workspace: Path, options: ExecutorOptions) -> Resolution:
    text = uses.strip()
    if text.startswith("docker://"):
        return Unavailable(f"'{text}' is a Docker image action: {DOCKER_HINT}")
    if text == "." or text.startswith("./"):
        return _local(workspace / text, "", "")
    ref = parse_action_ref(text)
    if ref is None:
        return Unavailable(f"Expected format {{org}}/{{repo}}[/path]@ref. Actual '{text}'")
    directory = local_copy(ref, options)
    if directory is not None:
        return _local(
            directory / ref.path if ref.path else directory, f"{ref.owner}/{ref.repo}", ref.ref
        )
    handler = options.actions.lookup(ref)
    if handler is not None:
        return NativeAction(ref, handler)
    if options.remote is not None:
        return _fetched(ref, options.remote)
    return Unavailable(_unknown_message(ref, options))


def _fetched(ref: ActionRef, remote: RemoteActions) -> Resolution:
    found = remote.fetch(ref.owner, ref.repo, ref.ref)
    if isinstance(found, FetchFailure):
        return Unavailable(found.message)
    return _cached_local(Path(found.directory), ref.path, f"{ref.owner}/{ref.repo}", ref.ref)


@functools.lru_cache(maxsize=256)
def _cached_local(tree: Path, path: str, repository: str, ref: str) -> Resolution:
    """`_local` of a fetched tree: keyed by commit and never changed, so read once."""
    directory = (tree / path).resolve() if path else tree
    if not directory.is_relative_to(tree.resolve()):
        return Unavailable(f"'{repository}/{path}@{ref}': the path leaves the repository")
    return _local(directory, repository, ref)


def _local(directory: Path, repository: str, ref: str) -> Resolution:
    try:
        definition = load_action(directory)
    except ActionLoadError as exc:
        return Unavailable(str(exc))
    if definition.using == "docker":
        return Unavailable(f"'{directory}' is a Docker action: {DOCKER_HINT}")
    return LocalAction(definition, repository, ref)


def local_copy(ref: ActionRef, options: ExecutorOptions) -> Path | None:
    """A directory holding a copy of the action's repository, when one is configured."""
    base = f"{ref.owner}/{ref.repo}".lower()
    mapped = {key.lower(): path for key, path in options.action_directories.items()}
    for key in (f"{base}@{ref.ref.lower()}", base):
        if key in mapped:
            return Path(mapped[key]).expanduser()
    store = options.home / "actions" / ref.owner
    for candidate in (store / f"{ref.repo}@{ref.ref}", store / ref.repo):
        if candidate.is_dir():
            return candidate
    return None


def _unknown_message(ref: ActionRef, options: ExecutorOptions) -> str:
    native = ", ".join(options.actions.names()) or "none"
    store = options.home / "actions" / ref.owner / f"{ref.repo}@{ref.ref}"
    return (
        f"Unable to resolve action '{ref}': remote actions cannot be downloaded here and conveyor "
        f"has no native implementation of '{ref.name}' (native: {native}). To provide it, put a "
        f"copy of the action's repository at {store} (or without '@{ref.ref}' for any ref), or "
        f"map '{ref.owner}/{ref.repo}' to a local directory in the executor's action directories."
    )
