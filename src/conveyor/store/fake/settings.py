"""In-memory secrets, variables and environments (approvals, deployments) for tests."""

from __future__ import annotations

import dataclasses
import time

from conveyor.engine.ports.environments import (
    ApprovalRecord,
    ApprovalState,
    DeploymentRecord,
    EnvironmentRecord,
    ProtectionRules,
)
from conveyor.engine.ports.secrets import SecretInfo, VariableRecord
from conveyor.engine.ports.store import RunStore
from conveyor.errors import StoreError, UsageError
from conveyor.store.protection import check_environment_name, check_reviewer, check_rules


class FakeSecretStore:
    """Secrets and variables alike: (repository, environment or "", NAME) → value."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str, str], tuple[str, float]] = {}

    def _set(self, repository: str, name: str, value: str, environment: str | None = None) -> None:
        self.values[(repository, (environment or "").lower(), name.upper())] = (value, time.time())

    def _delete(self, repository: str, name: str, environment: str | None = None) -> bool:
        key = (repository, (environment or "").lower(), name.upper())
        return self.values.pop(key, None) is not None

    def _scoped(self, repository: str, environment: str | None) -> list[tuple[str, str, str]]:
        scopes = ("", (environment or "").lower())
        found = [k for k in self.values if k[0] == repository and k[1] in scopes]
        return sorted(found, key=lambda k: k[1] != "")

    def _listed(self, repository: str, environment: str | None) -> list[tuple[str, str, str]]:
        return sorted(
            k for k in self.values if k[0] == repository and environment in (None, k[1] or None)
        )

    set_secret = _set
    delete_secret = _delete

    def list_secrets(self, repository: str, environment: str | None = None) -> list[SecretInfo]:
        listed = self._listed(repository, environment)
        return [SecretInfo(k[2], k[1] or None, self.values[k][1]) for k in listed]

    def resolve_secrets(self, repository: str, environment: str | None = None) -> dict[str, str]:
        return {k[2]: self.values[k][0] for k in self._scoped(repository, environment)}


class FakeVariableStore(FakeSecretStore):
    set_variable = FakeSecretStore._set
    delete_variable = FakeSecretStore._delete

    def list_variables(
        self, repository: str, environment: str | None = None
    ) -> list[VariableRecord]:
        listed = self._listed(repository, environment)
        return [
            VariableRecord(k[2], *self.values[k][:1], k[1] or None, self.values[k][1])
            for k in listed
        ]

    def resolve_variables(self, repository: str, environment: str | None = None) -> dict[str, str]:
        return self.resolve_secrets(repository, environment)


class FakeEnvironmentStore:
    def __init__(self, runs: RunStore) -> None:
        self.runs = runs
        self.environments: dict[tuple[str, str], EnvironmentRecord] = {}
        self.approvals: dict[tuple[int, int, str], ApprovalRecord] = {}
        self.deployments: list[DeploymentRecord] = []

    def declare_environment(
        self, repository: str, name: str, rules: ProtectionRules, source: str = "cli"
    ) -> EnvironmentRecord:
        check_environment_name(name)
        check_rules(rules)
        key = (repository, name.lower())
        old = self.environments.get(key)
        if old is not None and old.source == "toml" and source != "toml":
            raise UsageError(f"environment {old.name!r} is declared in conveyor.toml")
        created = old.created_at if old else time.time()
        record = EnvironmentRecord(repository, name, rules, source, created, time.time())
        self.environments[key] = record
        return record

    def ensure_environment(self, repository: str, name: str) -> EnvironmentRecord:
        found = self.get_environment(repository, name)
        return found or self.declare_environment(repository, name, ProtectionRules(), "auto")

    def get_environment(self, repository: str, name: str) -> EnvironmentRecord | None:
        return self.environments.get((repository, name.lower()))

    def list_environments(self, repository: str) -> list[EnvironmentRecord]:
        return [e for (r, _), e in sorted(self.environments.items()) if r == repository]

    def delete_environment(self, repository: str, name: str) -> bool:
        return self.environments.pop((repository, name.lower()), None) is not None

    def request_approval(self, run_id: int, attempt: int, environment: str) -> ApprovalRecord:
        key = (run_id, attempt, environment.lower())
        if key not in self.approvals:
            self.approvals[key] = ApprovalRecord(
                run_id, attempt, environment.lower(), ApprovalState.WAITING, time.time()
            )
        return self.approvals[key]

    def get_approval(self, run_id: int, attempt: int, environment: str) -> ApprovalRecord | None:
        return self.approvals.get((run_id, attempt, environment.lower()))

    def list_approvals(self, run_id: int) -> list[ApprovalRecord]:
        return [a for (r, _, _), a in self.approvals.items() if r == run_id]

    def decide_approval(
        self, run_id: int, environment: str, *, approve: bool, reviewer: str, comment: str | None
    ) -> ApprovalRecord:
        run = self.runs.get_run(run_id)
        if run is None:
            raise StoreError(f"there is no run {run_id}")
        key = (run_id, run.attempt, environment.lower())
        waiting = self.approvals.get(key)
        if waiting is None or waiting.state is not ApprovalState.WAITING:
            raise UsageError(f"run {run_id} is not waiting for approval of {environment!r}")
        environment_record = self.get_environment(run.repository, environment)
        rules = environment_record.rules if environment_record else ProtectionRules()
        check_reviewer(rules, reviewer, run.actor, environment.lower())
        state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
        decided = dataclasses.replace(
            waiting, state=state, reviewer=reviewer, comment=comment, decided_at=time.time()
        )
        self.approvals[key] = decided
        return decided

    def record_deployment(
        self, run_id: int, attempt: int, instance_key: str, environment: str, status: str
    ) -> DeploymentRecord:
        run = self.runs.get_run(run_id)
        if run is None:
            raise StoreError(f"there is no run {run_id}")
        record = DeploymentRecord(
            len(self.deployments) + 1,
            run.repository,
            environment.lower(),
            run_id,
            attempt,
            instance_key,
            run.ref,
            run.sha,
            status,
            time.time(),
            time.time(),
        )
        self.deployments.append(record)
        return record

    def update_deployment(self, deployment_id: int, status: str, url: str | None = None) -> None:
        old = self.deployments[deployment_id - 1]
        self.deployments[deployment_id - 1] = dataclasses.replace(
            old, status=status, url=url or old.url, updated_at=time.time()
        )

    def list_deployments(
        self, repository: str, environment: str, limit: int = 20
    ) -> list[DeploymentRecord]:
        found = [
            d
            for d in reversed(self.deployments)
            if (d.repository, d.environment) == (repository, environment.lower())
        ]
        return found[:limit]
