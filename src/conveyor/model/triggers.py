"""The `on:` section of a workflow as data: one `EventTrigger` per event it names.

Produced by `conveyor.workflow` (the loader), consumed by `conveyor.triggers` (matching).
A filter list that the workflow does not give is `None`; an empty list given in the file is `()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conveyor.errors import SourceLocation


@dataclass(frozen=True, slots=True)
class FilterList:
    """A filter key's patterns (e.g. `branches`), in file order, with where the key is."""

    patterns: tuple[str, ...]
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class InputSpec:
    """A `workflow_dispatch` or `workflow_call` input declaration."""

    name: str
    type: str = "string"  # string | boolean | number | choice | environment
    description: str | None = None
    required: bool = False
    default: object = None  # as written in YAML (str, bool, int, float) or None
    options: tuple[str, ...] = ()
    location: SourceLocation = field(default_factory=lambda: SourceLocation("<unknown>"))


@dataclass(frozen=True, slots=True)
class SecretSpec:
    """A `workflow_call` secret declaration."""

    name: str
    description: str | None = None
    required: bool = False
    location: SourceLocation = field(default_factory=lambda: SourceLocation("<unknown>"))


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """A `workflow_call` output: its value is an expression over `jobs`."""

    name: str
    value: str
    description: str | None = None
    location: SourceLocation = field(default_factory=lambda: SourceLocation("<unknown>"))


@dataclass(frozen=True, slots=True)
class CronSpec:
    """One `schedule:` entry."""

    cron: str
    timezone: str | None = None
    location: SourceLocation = field(default_factory=lambda: SourceLocation("<unknown>"))


@dataclass(frozen=True, slots=True)
class EventTrigger:
    """One event in `on:` with its configuration (all fields optional, as in the file)."""

    event: str
    location: SourceLocation
    types: tuple[str, ...] | None = None
    branches: FilterList | None = None
    branches_ignore: FilterList | None = None
    tags: FilterList | None = None
    tags_ignore: FilterList | None = None
    paths: FilterList | None = None
    paths_ignore: FilterList | None = None
    workflows: tuple[str, ...] | None = None  # workflow_run
    inputs: tuple[InputSpec, ...] = ()  # workflow_dispatch, workflow_call
    secrets: tuple[SecretSpec, ...] = ()  # workflow_call
    outputs: tuple[OutputSpec, ...] = ()  # workflow_call
    crons: tuple[CronSpec, ...] = ()  # schedule


@dataclass(frozen=True, slots=True)
class Triggers:
    """Every event of a workflow's `on:`, in file order."""

    events: tuple[EventTrigger, ...]
    location: SourceLocation

    def get(self, event: str) -> EventTrigger | None:
        for trigger in self.events:
            if trigger.event == event:
                return trigger
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(trigger.event for trigger in self.events)
