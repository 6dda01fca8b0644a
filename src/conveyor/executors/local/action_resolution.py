"""What a step's `uses:` names, resolved on this machine.

- An override (action_overrides: conveyor.toml `[actions.overrides]`, `--action-dir`,
  `--skip-action`) comes first: the action from that directory, or the step skipped.
- `./path`: a local action in the workspace (action.yml / action.yaml).
- `owner/repo[/path]@ref`: a local copy when one is configured — the executor's
  `action_directories` (keys `owner/repo@ref` or `owner/repo`), then
  `CONVEYOR_HOME/actions/<owner>/<repo>@<ref>` or `.../<owner>/<repo>` — else a native
  implementation from the ActionRegistry, else the repository fetched by the executor's
  `remote` (RemoteActions port: git and the cache, conveyor.git.remote_actions), else unavailable
  with one line and a hint saying how to provide it (the hint once per action per run).
- `docker://...`: a DockerImage; Docker actions are LocalActions (docker_step runs both, through
  a Docker-compatible engine when one answers).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from conveyor.engine.ports.actions import ActionHandler, ActionRef, parse_action_ref
from conveyor.engine.ports.remote_actions import FetchFailure, RemoteActions
from conveyor.executors.local.action_metadata import ActionDefinition, ActionLoadError, load_action
from conveyor.executors.local.action_overrides import (
    OverrideMatch,
    Skipped,
    match_override,
    skipped_message,
)
from conveyor.executors.local.job_state import ExecutorOptions


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
class DockerImage:
    uses: str  # docker://image


@dataclass(frozen=True, slots=True)
class Unavailable:
    message: str  # one line
    hint: str = ""  # how to provide it
    hint_key: str = ""  # the hint is shown once per run for each key (ExecutorOptions.notices)


Resolution = LocalAction | NativeAction | DockerImage | Unavailable | Skipped


def resolve_action(uses: str, workspace: Path, options: ExecutorOptions) -> Resolution:
    text = uses.strip()
    override = match_override(text, options.action_overrides)
    if override is not None:
        return _overridden(text, override)
    if text.startswith("docker://"):
        return DockerImage(text)
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
    return _unknown(ref, f"Unable to resolve action '{ref}': not built in and no local copy")


def _overridden(uses: str, match: OverrideMatch) -> Resolution:
    if match.directory is None:
        return Skipped(skipped_message(uses, match.override))
    return _local(match.directory, f"{match.ref.owner}/{match.ref.repo}", match.ref.ref)


def _fetched(ref: ActionRef, remote: RemoteActions) -> Resolution:
    found = remote.fetch(ref.owner, ref.repo, ref.ref)
    if isinstance(found, FetchFailure):
        return _unknown(ref, found.message)  # one line naming the action
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


def _unknown(ref: ActionRef, message: str) -> Unavailable:
    """One short line, and a hint (shown once per action per run: `Unavailable.hint_key`)."""
    repository = f"{ref.owner}/{ref.repo}"
    return Unavailable(
        message,
        f"hint: --action-dir {repository}=PATH (a local copy) or --skip-action {repository}, "
        "or [actions.overrides] in conveyor.toml (docs/actions.md)",
        f"unresolved:{repository.lower()}",
    )
