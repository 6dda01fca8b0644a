"""What `conveyor run` was asked to do (kept apart from the wiring, which loads much more)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


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
    # Remote actions from the action cache or local copies only (also `actions.offline`).
    offline: bool = False
