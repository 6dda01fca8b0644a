"""Action overrides: `owner/repo[/path]` mapped to a local directory or to skip.

Overrides come from conveyor.toml's `[actions.overrides]` and from `conveyor run --action-dir
owner/repo=PATH` / `--skip-action owner/repo` (bootstrap.override_settings reads and checks
them). They are looked up before anything else resolves a `uses:` (native actions and local
copies included); keys are lower case, and the longest key that is the action's
`owner/repo[/path]` or a folder above it wins.

`RunNotices` remembers, for one executor (one run), which hints were already shown, so that a
hint is given once per run, not once per job.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.engine.ports.actions import ActionRef, parse_action_ref

SKIP = "skip"


@dataclass(frozen=True, slots=True)
class ActionOverride:
    """Where an action comes from instead: a directory, or None to skip its steps."""

    directory: Path | None
    source: str  # where it was said: 'conveyor.toml', '--action-dir', '--skip-action'

    @property
    def skip(self) -> bool:
        return self.directory is None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A step whose action is set to skip: reported skipped, with this notice."""

    message: str


@dataclass(slots=True)
class RunNotices:
    """Keys of the hints already shown in this run (thread-safe: jobs run in parallel)."""

    _seen: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def first(self, key: str) -> bool:
        """True the first time `key` is seen."""
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True


@dataclass(frozen=True, slots=True)
class OverrideMatch:
    """The override of one `uses:`: the action's ref and the folders below the override's key."""

    override: ActionOverride
    ref: ActionRef
    below: tuple[str, ...]

    @property
    def directory(self) -> Path | None:
        """Where the action's action.yml is (None: skip it)."""
        base = self.override.directory
        return None if base is None else base.joinpath(*self.below)


def match_override(uses: str, overrides: Mapping[str, ActionOverride]) -> OverrideMatch | None:
    """The override of a `uses: owner/repo[/path]@ref` (None for ./ and docker:// actions)."""
    if not overrides:
        return None
    ref = parse_action_ref(uses.strip())
    if ref is None:
        return None
    parts = (ref.owner, ref.repo, *(p for p in ref.path.split("/") if p))
    for end in range(len(parts), 1, -1):
        found = overrides.get("/".join(parts[:end]).lower())
        if found is not None:
            return OverrideMatch(found, ref, parts[end:])
    return None


def skipped_message(uses: str, override: ActionOverride) -> str:
    return (
        f"Skipped '{uses.strip()}': set to skip by {override.source} (a local run does not do "
        "what it does, e.g. publish or reach a cloud service)"
    )
