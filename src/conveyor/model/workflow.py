"""A workflow file as data: `Workflow` → `Job` → `Step`.

Values that may hold `${{ }}` expressions are kept as the YAML gave them (str, bool, int, float,
None, or plain lists/dicts of those); the planner and executors evaluate them. Every object keeps
the location of its node, and `locations` maps each key it was given to the location of its value,
so a problem found later (at plan or run time) still points at `path:line:col`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from conveyor.errors import SourceLocation
from conveyor.model.services import ContainerSpec, ServiceSpec
from conveyor.model.triggers import Triggers

# A value as written in YAML, possibly holding expressions.
RawValue = object

EMPTY: Mapping[str, object] = MappingProxyType({})
NO_LOCATIONS: Mapping[str, SourceLocation] = MappingProxyType({})


def _empty() -> Mapping[str, object]:
    # a factory: dataclasses refuse a mappingproxy default on Python 3.11 (it is unhashable there)
    return EMPTY


def _no_locations() -> Mapping[str, SourceLocation]:
    return NO_LOCATIONS


@dataclass(frozen=True, slots=True)
class RunDefaults:
    """`defaults.run` of a workflow or job."""

    shell: str | None = None
    working_directory: str | None = None


@dataclass(frozen=True, slots=True)
class Concurrency:
    """`concurrency:` as a group name (may hold expressions) and whether to cancel in progress."""

    group: str
    location: SourceLocation
    cancel_in_progress: RawValue = False  # bool or an expression string


@dataclass(frozen=True, slots=True)
class EnvironmentRef:
    """`jobs.<id>.environment`: a name (may hold expressions) and an optional url."""

    name: str
    location: SourceLocation
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Strategy:
    """`jobs.<id>.strategy`. `matrix` is a mapping, or an expression string (fromJSON), or None."""

    location: SourceLocation
    matrix: RawValue = None
    fail_fast: RawValue = True
    max_parallel: RawValue = None


@dataclass(frozen=True, slots=True)
class Step:
    """One entry of `jobs.<id>.steps` (exactly one of `uses` and `run` is set)."""

    index: int  # 0-based position in the job
    location: SourceLocation
    id: str | None = None
    name: RawValue = None
    condition: RawValue = None  # `if:` as written (str or bool) or None
    uses: str | None = None
    run: str | None = None
    shell: str | None = None
    with_: Mapping[str, RawValue] = field(default_factory=_empty)
    env: Mapping[str, RawValue] = field(default_factory=_empty)
    continue_on_error: RawValue = False
    timeout_minutes: RawValue = None
    working_directory: str | None = None
    locations: Mapping[str, SourceLocation] = field(default_factory=_no_locations)


@dataclass(frozen=True, slots=True)
class Job:
    """One entry of `jobs:`: a normal job (`steps`) or a reusable-workflow call (`uses`)."""

    id: str
    location: SourceLocation
    name: RawValue = None
    needs: tuple[str, ...] = ()
    condition: RawValue = None
    runs_on: RawValue = None
    environment: EnvironmentRef | None = None
    concurrency: Concurrency | None = None
    outputs: Mapping[str, RawValue] = field(default_factory=_empty)
    env: Mapping[str, RawValue] = field(default_factory=_empty)
    defaults: RunDefaults | None = None
    timeout_minutes: RawValue = None
    cancel_timeout_minutes: RawValue = None
    strategy: Strategy | None = None
    continue_on_error: RawValue = False
    container: ContainerSpec | None = None
    services: Mapping[str, ServiceSpec] = field(default_factory=dict)
    permissions: RawValue = None
    uses: str | None = None  # reusable workflow: ./.github/workflows/x.yml or owner/repo/...@ref
    with_: Mapping[str, RawValue] = field(default_factory=_empty)
    secrets: Mapping[str, RawValue] | str | None = None  # a mapping, "inherit", or None
    steps: tuple[Step, ...] = ()
    locations: Mapping[str, SourceLocation] = field(default_factory=_no_locations)

    @property
    def is_reusable_call(self) -> bool:
        return self.uses is not None

    @property
    def reads_repository(self) -> bool:
        """See `reads_repository` (a reusable-workflow call runs no steps itself)."""
        return reads_repository(self.steps)


def reads_repository(steps: tuple[Step, ...]) -> bool:
    """Whether a job's steps need the repository in its workspace: one checks it out
    (actions/checkout) or uses an action from it (`./path`). On GitHub the workspace is empty
    until actions/checkout runs, so a job that does neither sees no files there either."""
    for step in steps:
        uses = (step.uses or "").strip()
        if uses.startswith("./") or uses.lower().partition("@")[0] == "actions/checkout":
            return True
    return False


@dataclass(frozen=True, slots=True)
class Workflow:
    """A whole workflow file."""

    path: str  # as given to the loader (relative to the repository root where possible)
    location: SourceLocation
    on: Triggers
    jobs: Mapping[str, Job]  # in file order
    name: str | None = None
    run_name: RawValue = None
    permissions: RawValue = None
    env: Mapping[str, RawValue] = field(default_factory=_empty)
    defaults: RunDefaults | None = None
    concurrency: Concurrency | None = None
    locations: Mapping[str, SourceLocation] = field(default_factory=_no_locations)

    @property
    def display_name(self) -> str:
        """`github.workflow`: the `name:` or, without one, the file path."""
        return self.name if self.name else self.path
