"""What `conveyor run` was asked to do (kept apart from the wiring, which loads much more)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class EventRefs:
    """`--ref/--base/--head/--action`: the event's refs and activity (None: the default)."""

    ref: str | None = None
    base: str | None = None
    head: str | None = None
    action: str | None = None


@dataclass(frozen=True, slots=True)
class LocalRunOptions:
    repository: Path
    event_name: str = "push"
    event_path: Path | None = None
    workflows: Path | None = None
    job: str | None = None
    inputs: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    vars: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    matrix: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    parallel: int = 1
    dry_run: bool = False
    home: Path | None = None  # CONVEYOR_HOME: where the local executor puts workspaces
    # Read the workflow files as committed at this commit, not from the working tree (a rerun:
    # the run's recorded commit).
    revision: str | None = None
    # The event's payload as stored (a rerun), read as an `event_path` file would be.
    event_payload: Mapping[str, object] | None = None
    # `--action-dir owner/repo=PATH` and `--skip-action owner/repo` (bootstrap.override_settings)
    action_dirs: tuple[str, ...] = ()
    skip_actions: tuple[str, ...] = ()
    # The event's refs and activity (`--ref/--base/--head/--action`, as `conveyor triggers`).
    refs: EventRefs = field(default_factory=EventRefs)
    isolate_home: bool = False  # each job's own HOME (`--isolate-home`)
    # `runs-on` labels run on this host although it is not their system (`--platform L=host`)
    platforms: tuple[str, ...] = ()

    # Workflows and workspaces from the working tree, uncommitted changes included (else both
    # from the commit: `--working-tree`)
    working_tree: bool = False
    # Remote actions from the action cache or local copies only (also `actions.offline`).
    offline: bool = False
    # The store's key for the repository (`conveyor serve`: owner/repo); None: its path.
    repository_key: str | None = None
    # The run gets none of the store's secrets and variables, nor its environments' (a pull
    # request from a fork, as on GitHub).
    withhold_settings: bool = False
    # Marketplace actions run by conveyor's native ones (`--native-actions`: the built-in map).
    native_actions: bool = False


NO_REFS = EventRefs()  # no --ref/--base/--head/--action: the event's defaults
