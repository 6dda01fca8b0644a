"""The store ports: durable run history, step logs, secrets, variables, environments, concurrency.

Records are plain frozen dataclasses; run ids are integers (GitHub's `run_id`), a rerun is a new
`attempt` of the same run. Timestamps are epoch seconds. Adapters live in `conveyor.store`
(SQLite/PostgreSQL, log files) and `conveyor.store.fake` (in memory, for tests of upper layers).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from conveyor.engine.ports.executor import CancelSignal
from conveyor.model.results import Annotation, JobResult, StepResult
from conveyor.model.results import Conclusion as Conclusion  # the model's one outcome type


class RunStatus(enum.StrEnum):
    """Where a run or job is in its life (GitHub's `status`)."""

    QUEUED = "queued"
    PENDING = "pending"  # waiting for its concurrency group
    WAITING = "waiting"  # waiting for an environment's protection rules
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


ACTIVE_STATUSES = frozenset(
    {RunStatus.QUEUED, RunStatus.PENDING, RunStatus.WAITING, RunStatus.IN_PROGRESS}
)


@dataclass(frozen=True, slots=True)
class ProcessOwner:
    """The process that drives a run: `token` tells a live process from a reused pid."""

    pid: int
    host: str
    token: str | None = None

    def environment(self) -> dict[str, str]:
        """`{OWNER_VARIABLE: "<pid>:<token>"}`: in the environment of the processes it starts."""
        return {OWNER_VARIABLE: f"{self.pid}:{self.token}"}

    @property
    def marker(self) -> str:
        """That environment entry as it is in /proc/<pid>/environ: `NAME=value`."""
        return "".join(f"{name}={value}" for name, value in self.environment().items())


# Every process the owner of a run starts for it (step processes, the reaper) carries
# `ProcessOwner.marker` in its environment: a run whose owner died is still running — its
# concurrency group still held — while one of them lives.
OWNER_VARIABLE = "CONVEYOR_RUN_OWNER"


@dataclass(frozen=True, slots=True)
class NewRun:
    """A run about to start. `options` is what `conveyor run` needs to repeat it (no secrets)."""

    repository: str
    workflow: str  # github.workflow: the `name:` or the path
    workflow_path: str
    event: str
    ref: str | None = None
    sha: str | None = None
    actor: str | None = None
    event_payload: Mapping[str, object] = field(default_factory=dict)
    inputs: Mapping[str, object] = field(default_factory=dict)
    options: Mapping[str, object] = field(default_factory=dict)
    owner: ProcessOwner | None = None
    concurrency_group: str | None = None


@dataclass(frozen=True, slots=True)
class StoredRun:
    id: int
    repository: str
    workflow: str
    workflow_path: str
    run_number: int
    event: str
    ref: str | None
    sha: str | None
    attempt: int
    status: RunStatus
    conclusion: Conclusion | None
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    actor: str | None = None
    reason: str | None = None  # why it was cancelled or abandoned
    owner: ProcessOwner | None = None
    concurrency_group: str | None = None


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """Everything stored to repeat a run: `conveyor rerun` hands it back to the engine."""

    run: StoredRun
    event_payload: Mapping[str, object]
    inputs: Mapping[str, object]
    options: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class RunQuery:
    """`conveyor runs` filters. `status` matches a status or a conclusion, like `gh run list`."""

    workflow: str | None = None
    status: str | None = None
    repository: str | None = None
    limit: int = 20


@dataclass(frozen=True, slots=True)
class NewJob:
    instance_key: str  # unique within the run attempt, e.g. "test (3.11)"
    job_id: str
    name: str
    matrix: Mapping[str, object] | None = None
    environment: str | None = None
    status: RunStatus = RunStatus.QUEUED


@dataclass(frozen=True, slots=True)
class StoredJob:
    run_id: int
    attempt: int
    instance_key: str
    job_id: str
    name: str
    status: RunStatus
    conclusion: Conclusion | None = None
    matrix: Mapping[str, object] | None = None
    outputs: Mapping[str, str] = field(default_factory=dict)
    environment: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    reused: bool = False  # carried over from an earlier attempt by a rerun


@dataclass(frozen=True, slots=True)
class StoredStep:
    run_id: int
    attempt: int
    instance_key: str
    index: int  # 0-based, like `Step.index`
    name: str
    status: RunStatus
    outcome: Conclusion | None = None
    conclusion: Conclusion | None = None
    step_id: str | None = None
    started_at: float | None = None
    finished_at: float | None = None


@dataclass(frozen=True, slots=True)
class ArtifactRecord:
    run_id: int
    attempt: int
    name: str
    path: str
    size: int
    created_at: float
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class CacheRecord:
    repository: str
    scope: str  # the ref the cache was saved from
    key: str
    version: str
    path: str
    size: int
    created_at: float
    last_used_at: float


class RunStore(Protocol):
    """Durable history of runs, jobs, steps, annotations, artifacts and caches."""

    def create_run(self, new: NewRun) -> StoredRun: ...
    def get_run(self, run_id: int) -> StoredRun | None: ...
    def list_runs(self, query: RunQuery) -> list[StoredRun]: ...
    def set_run_status(self, run_id: int, status: RunStatus) -> None: ...
    def finish_run(
        self, run_id: int, conclusion: Conclusion, *, reason: str | None = None
    ) -> StoredRun: ...
    def run_request(self, run_id: int) -> StoredRequest | None: ...
    def begin_attempt(
        self, run_id: int, owner: ProcessOwner | None, reuse: Collection[str] = ()
    ) -> StoredRun: ...
    def start_job(self, run_id: int, attempt: int, job: NewJob) -> None: ...
    def set_job_status(
        self, run_id: int, attempt: int, instance_key: str, status: RunStatus
    ) -> None: ...
    def finish_job(
        self, run_id: int, attempt: int, instance_key: str, result: JobResult
    ) -> None: ...
    def list_jobs(self, run_id: int, attempt: int | None = None) -> list[StoredJob]: ...
    def start_step(
        self,
        run_id: int,
        attempt: int,
        instance_key: str,
        index: int,
        name: str,
        started_at: float | None = None,
    ) -> None: ...
    def finish_step(
        self, run_id: int, attempt: int, instance_key: str, step: StepResult
    ) -> None: ...
    def list_steps(self, run_id: int, attempt: int, instance_key: str) -> list[StoredStep]: ...
    def add_annotation(
        self, run_id: int, attempt: int, instance_key: str, annotation: Annotation
    ) -> None: ...
    def list_annotations(self, run_id: int, attempt: int | None = None) -> list[Annotation]: ...
    def request_cancel(self, run_id: int, instance_key: str | None = None) -> None: ...
    def cancel_requested(self, run_id: int, instance_key: str | None = None) -> bool: ...
    def record_artifact(self, artifact: ArtifactRecord) -> None: ...
    def list_artifacts(self, run_id: int) -> list[ArtifactRecord]: ...
    def save_cache(self, cache: CacheRecord) -> None: ...
    def find_cache(
        self, repository: str, scopes: Sequence[str], keys: Sequence[str], version: str
    ) -> CacheRecord | None: ...
    def sweep_abandoned(self) -> list[StoredRun]: ...


@dataclass(frozen=True, slots=True)
class LogKey:
    """One step's log (`step` None: the job's own lines — set-up, services, clean-up)."""

    run_id: int
    attempt: int
    instance_key: str
    step: int | None = None


@dataclass(frozen=True, slots=True)
class LogChunk:
    text: str
    offset: int  # byte offset the text starts at
    next_offset: int  # where to read from next
    truncated: bool = False  # the log hit its size cap


class LogStore(Protocol):
    """Per-step log files: appended by offset, read by range, followed live."""

    def append(self, key: LogKey, text: str) -> int: ...
    def read(self, key: LogKey, offset: int = 0, limit: int | None = None) -> LogChunk: ...
    def keys(self, run_id: int, attempt: int, instance_key: str | None = None) -> list[LogKey]: ...
    def close(self, key: LogKey) -> None: ...


@dataclass(frozen=True, slots=True)
class SecretInfo:
    """A secret's name and scope, never its value."""

    name: str
    environment: str | None
    updated_at: float


@dataclass(frozen=True, slots=True)
class VariableRecord:
    name: str
    value: str
    environment: str | None
    updated_at: float


class SecretStore(Protocol):
    """Secrets encrypted at rest; names are case-insensitive (kept upper-case)."""

    def set_secret(
        self, repository: str, name: str, value: str, environment: str | None = None
    ) -> None: ...
    def delete_secret(self, repository: str, name: str, environment: str | None = None) -> bool: ...
    def list_secrets(self, repository: str, environment: str | None = None) -> list[SecretInfo]: ...
    def resolve_secrets(
        self, repository: str, environment: str | None = None
    ) -> dict[str, str]: ...


class VariableStore(Protocol):
    def set_variable(
        self, repository: str, name: str, value: str, environment: str | None = None
    ) -> None: ...
    def delete_variable(
        self, repository: str, name: str, environment: str | None = None
    ) -> bool: ...
    def list_variables(
        self, repository: str, environment: str | None = None
    ) -> list[VariableRecord]: ...
    def resolve_variables(
        self, repository: str, environment: str | None = None
    ) -> dict[str, str]: ...


@dataclass(frozen=True, slots=True)
class ProtectionRules:
    """An environment's rules. `deployment_branches/tags` None: every branch/tag may deploy."""

    required_reviewers: tuple[str, ...] = ()
    prevent_self_review: bool = False
    wait_timer_minutes: float = 0
    deployment_branches: tuple[str, ...] | None = None
    deployment_tags: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class EnvironmentRecord:
    repository: str
    name: str
    rules: ProtectionRules
    source: str  # "cli", "toml" or "auto" (created by a job referencing it)
    created_at: float
    updated_at: float


class ApprovalState(enum.StrEnum):
    WAITING = "waiting"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    run_id: int
    attempt: int
    environment: str
    state: ApprovalState
    requested_at: float
    reviewer: str | None = None
    comment: str | None = None
    decided_at: float | None = None


@dataclass(frozen=True, slots=True)
class DeploymentRecord:
    id: int
    repository: str
    environment: str
    run_id: int
    attempt: int
    instance_key: str
    ref: str | None
    sha: str | None
    status: str  # queued, in_progress, success, failure, error, inactive
    created_at: float
    updated_at: float
    url: str | None = None


class EnvironmentStore(Protocol):
    def declare_environment(
        self, repository: str, name: str, rules: ProtectionRules, source: str = "cli"
    ) -> EnvironmentRecord: ...
    def ensure_environment(self, repository: str, name: str) -> EnvironmentRecord: ...
    def get_environment(self, repository: str, name: str) -> EnvironmentRecord | None: ...
    def list_environments(self, repository: str) -> list[EnvironmentRecord]: ...
    def delete_environment(self, repository: str, name: str) -> bool: ...
    def request_approval(self, run_id: int, attempt: int, environment: str) -> ApprovalRecord: ...
    def get_approval(
        self, run_id: int, attempt: int, environment: str
    ) -> ApprovalRecord | None: ...
    def list_approvals(self, run_id: int) -> list[ApprovalRecord]: ...
    def decide_approval(
        self, run_id: int, environment: str, *, approve: bool, reviewer: str, comment: str | None
    ) -> ApprovalRecord: ...
    def record_deployment(
        self, run_id: int, attempt: int, instance_key: str, environment: str, status: str
    ) -> DeploymentRecord: ...
    def update_deployment(
        self, deployment_id: int, status: str, url: str | None = None
    ) -> None: ...
    def list_deployments(
        self, repository: str, environment: str, limit: int = 20
    ) -> list[DeploymentRecord]: ...


@dataclass(frozen=True, slots=True)
class GateRequest:
    """A job about to use `environment:`; `ref` is GITHUB_REF, `actor` who triggered the run."""

    repository: str
    run_id: int
    attempt: int
    instance_key: str
    environment: str
    ref: str | None
    actor: str | None = None


class GateVerdict(enum.StrEnum):
    APPROVED = "approved"  # every rule passed: the job may start
    REJECTED = "rejected"  # a reviewer rejected it or the ref may not deploy: the job fails
    CANCELLED = "cancelled"  # the run was cancelled while waiting


@dataclass(frozen=True, slots=True)
class GateDecision:
    """The gate's answer; the environment's secrets and variables are released only on approval."""

    verdict: GateVerdict
    reason: str = ""
    reviewer: str | None = None
    secrets: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)


class DeploymentGate(Protocol):
    """Applies an environment's protection rules before its job is sent to an executor."""

    def enter(self, request: GateRequest, cancel: CancelSignal) -> GateDecision: ...


class Admission(enum.StrEnum):
    RUNNING = "running"  # holds the group
    PENDING = "pending"  # next in line
    CANCELLED = "cancelled"  # displaced by a newer pending member


@dataclass(frozen=True, slots=True)
class GroupTicket:
    """A run (workflow-level) or a job (job-level) asking for a concurrency group."""

    repository: str
    group: str  # as evaluated; groups compare case-insensitively
    holder: str  # see workflow_holder / job_holder
    run_id: int


def workflow_holder(run_id: int, attempt: int) -> str:
    return f"run:{run_id}:{attempt}"


def job_holder(run_id: int, attempt: int, instance_key: str) -> str:
    return f"job:{run_id}:{attempt}:{instance_key}"


class ConcurrencyGate(Protocol):
    """At most one running and one pending member per group; claimed by one conditional update."""

    def enter(self, ticket: GroupTicket, *, cancel_in_progress: bool) -> Admission: ...
    def poll(self, ticket: GroupTicket) -> Admission: ...
    def wait(
        self, ticket: GroupTicket, cancel: CancelSignal, poll_interval: float = 0.5
    ) -> Admission: ...
    def release(self, ticket: GroupTicket) -> None: ...
