"""`ProtectionGate`: the DeploymentGate port over the store ports (SQL or fake alike).

Before a job that names an environment is sent to an executor: the environment is created if it
does not exist yet (GitHub does that), the run's ref is checked against its deployment branch and
tag patterns, then the job (and run) show `waiting` while the wait timer runs and, with required
reviewers, until `conveyor approve RUN --env NAME` or `conveyor reject` decides — found by
polling the store, so the reviewer may use another process. Secrets and variables of the
environment are released only once every rule has passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from conveyor.engine.ports.executor import CancelSignal
from conveyor.engine.ports.store import (
    ApprovalState,
    EnvironmentStore,
    GateDecision,
    GateRequest,
    GateVerdict,
    ProtectionRules,
    RunStatus,
    RunStore,
    SecretStore,
    VariableStore,
)
from conveyor.store.protection import ref_may_deploy


def _ignore(_message: str) -> None:
    return None


@dataclass
class ProtectionGate:
    environments: EnvironmentStore
    secrets: SecretStore
    variables: VariableStore
    runs: RunStore
    poll_interval: float = 1.0
    clock: Callable[[], float] = time.time
    notify: Callable[[str], None] = field(default=_ignore)  # "waiting for …" messages

    def enter(self, request: GateRequest, cancel: CancelSignal) -> GateDecision:
        environment = self.environments.ensure_environment(request.repository, request.environment)
        rules = environment.rules
        allowed, why = ref_may_deploy(rules, request.ref)
        if not allowed:
            return GateDecision(GateVerdict.REJECTED, why)
        if rules.wait_timer_minutes or rules.required_reviewers:
            decision = self._wait(request, rules, cancel)
            if decision is not None:
                return decision
        return GateDecision(
            GateVerdict.APPROVED,
            secrets=self.secrets.resolve_secrets(request.repository, environment.name),
            variables=self.variables.resolve_variables(request.repository, environment.name),
            reviewer=self._reviewer(request),
        )

    def _wait(
        self, request: GateRequest, rules: ProtectionRules, cancel: CancelSignal
    ) -> GateDecision | None:
        """Wait for the timer and the reviewers; None once both are satisfied."""
        self._show_waiting(request, rules, RunStatus.WAITING)
        deadline = self.clock() + rules.wait_timer_minutes * 60
        if rules.required_reviewers:
            self.environments.request_approval(request.run_id, request.attempt, request.environment)
        while True:
            verdict = self._review_state(request, rules)
            if verdict is ApprovalState.REJECTED:
                return GateDecision(GateVerdict.REJECTED, self._rejection(request))
            if verdict is ApprovalState.APPROVED and self.clock() >= deadline:
                self._show_waiting(request, rules, RunStatus.IN_PROGRESS)
                return None
            if self._cancelled(request, cancel):
                return GateDecision(GateVerdict.CANCELLED, "the run was cancelled while waiting")

    def _review_state(self, request: GateRequest, rules: ProtectionRules) -> ApprovalState:
        if not rules.required_reviewers:
            return ApprovalState.APPROVED
        approval = self.environments.get_approval(
            request.run_id, request.attempt, request.environment
        )
        return approval.state if approval else ApprovalState.WAITING

    def _cancelled(self, request: GateRequest, cancel: CancelSignal) -> bool:
        if cancel.wait(self.poll_interval):
            return True
        return self.runs.cancel_requested(request.run_id, request.instance_key)

    def _show_waiting(
        self, request: GateRequest, rules: ProtectionRules, status: RunStatus
    ) -> None:
        key = (request.run_id, request.attempt, request.instance_key)
        self.runs.set_job_status(
            *key, RunStatus.QUEUED if status is RunStatus.IN_PROGRESS else status
        )
        self.runs.set_run_status(request.run_id, status)
        if status is RunStatus.WAITING:
            self.notify(_waiting_message(request, rules))

    def _rejection(self, request: GateRequest) -> str:
        approval = self.environments.get_approval(
            request.run_id, request.attempt, request.environment
        )
        who = approval.reviewer if approval and approval.reviewer else "a reviewer"
        note = f": {approval.comment}" if approval and approval.comment else ""
        return f"{who} rejected the deployment to {request.environment}{note}"

    def _reviewer(self, request: GateRequest) -> str | None:
        approval = self.environments.get_approval(
            request.run_id, request.attempt, request.environment
        )
        return approval.reviewer if approval else None


def _waiting_message(request: GateRequest, rules: ProtectionRules) -> str:
    parts = []
    if rules.wait_timer_minutes:
        parts.append(f"its wait timer ({rules.wait_timer_minutes:g} min)")
    if rules.required_reviewers:
        parts.append(
            f"approval by {' or '.join(rules.required_reviewers)} "
            f"(conveyor approve {request.run_id} --env {request.environment}, "
            f"or conveyor reject)"
        )
    return f"environment {request.environment} is waiting for " + " and ".join(parts)
