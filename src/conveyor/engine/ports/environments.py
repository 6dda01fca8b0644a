"""Environments with protection rules, approvals, deployment records, and the gate that
applies the rules before a job that uses `environment:` starts."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from conveyor.engine.ports.executor import CancelSignal


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
