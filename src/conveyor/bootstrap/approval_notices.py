"""`AnnouncingGate`: the store's deployment gate, telling the person at the terminal what a job
waits for and the exact command that lets it go on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from conveyor.engine.ports.executor import CancelSignal
from conveyor.engine.ports.store import GateDecision, GateRequest, GateVerdict, ProtectionRules
from conveyor.errors import StoreError
from conveyor.store.recorder import RunRecorder

if TYPE_CHECKING:
    from conveyor.store import StoreHandle

Notify = Callable[[str], None]


def waiting_notice(request: GateRequest, rules: ProtectionRules) -> str:
    job, env, run = request.instance_key, request.environment, request.run_id
    lines = []
    if rules.required_reviewers:
        reviewers = ", ".join(rules.required_reviewers)
        lines += [
            f"{job}: waiting for approval to deploy to '{env}' (reviewers: {reviewers})",
            f"  approve:  conveyor approve {run} --env {env}",
            f"  reject:   conveyor reject {run} --env {env}",
        ]
    if rules.wait_timer_minutes:
        lines.append(
            f"{job}: '{env}' has a wait timer of {rules.wait_timer_minutes:g} min; "
            "the job starts when it has run out"
        )
    return "\n".join(lines) or f"{job}: waiting for environment '{env}'"


class AnnouncingGate:
    """A DeploymentGate: the store's ProtectionGate with notices on the way."""

    def __init__(
        self,
        store: StoreHandle,
        recorder: RunRecorder,
        notify: Notify,
        poll_interval: float,
        *,
        withhold_settings: bool = False,  # approved without the environment's secrets, vars
    ) -> None:
        self._store = store
        self._recorder = recorder
        self._notify = notify
        self._poll = poll_interval
        self._withhold = withhold_settings

    def enter(self, request: GateRequest, cancel: CancelSignal) -> GateDecision:
        self._flush(request.run_id)  # the job's row exists before the gate shows it waiting
        gate = self._store.gate(
            poll_interval=self._poll, notify=lambda _text: self._announce(request)
        )
        decision = gate.enter(request, cancel)
        job, env = request.instance_key, request.environment
        if decision.verdict is GateVerdict.APPROVED and decision.reviewer:
            self._notify(f"{job}: {decision.reviewer} approved the deployment to '{env}'")
        elif decision.verdict is GateVerdict.REJECTED:
            self._notify(f"{job}: {decision.reason}")
        return replace(decision, secrets={}, variables={}) if self._withhold else decision

    def _announce(self, request: GateRequest) -> None:
        found = self._store.environments.get_environment(request.repository, request.environment)
        self._notify(waiting_notice(request, found.rules if found else ProtectionRules()))

    def _flush(self, run_id: int) -> None:
        try:
            self._recorder.reporter(run_id).flush()
        except (KeyError, StoreError):  # recording trouble must not stop the deployment
            return
