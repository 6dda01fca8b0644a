"""Environments, approvals, deployments and the protection gate (SQL and fake)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.store import (
    ApprovalState,
    EnvironmentStore,
    GateRequest,
    GateVerdict,
    ProtectionRules,
    RunStatus,
    RunStore,
)
from conveyor.errors import UsageError
from conveyor.store import open_store
from conveyor.store.fake import (
    FakeEnvironmentStore,
    FakeRunStore,
    FakeSecretStore,
    FakeVariableStore,
)
from conveyor.store.protection_gate import ProtectionGate
from tests.unit.store.conftest import REPO, new_run


@pytest.fixture(params=["sql", "fake"])
def gate(request: pytest.FixtureRequest, conveyor_home: Path) -> Iterator[ProtectionGate]:
    if request.param == "fake":
        runs = FakeRunStore()
        yield ProtectionGate(
            FakeEnvironmentStore(runs), FakeSecretStore(), FakeVariableStore(), runs, 0.01
        )
        return
    handle = open_store(conveyor_home)
    yield handle.gate(poll_interval=0.01)
    handle.close()


def start(runs: RunStore, environment: str, ref: str = "refs/heads/main") -> GateRequest:
    from conveyor.engine.ports.store import NewJob

    run = runs.create_run(new_run(ref=ref))
    runs.start_job(run.id, 1, NewJob("deploy", "deploy", "deploy"))
    return GateRequest(REPO, run.id, 1, "deploy", environment, ref, actor="alice")


def decide_later(
    environments: EnvironmentStore, run_id: int, approve: bool, reviewer: str = "bob"
) -> threading.Thread:
    def decide() -> None:
        for _ in range(500):
            approval = environments.get_approval(run_id, 1, "production")
            if approval is not None:
                environments.decide_approval(
                    run_id, "Production", approve=approve, reviewer=reviewer, comment="ok?"
                )
                return
            threading.Event().wait(0.01)

    thread = threading.Thread(target=decide)
    thread.start()
    return thread


def test_an_unknown_environment_is_created_unprotected_and_passes(gate: ProtectionGate) -> None:
    gate.secrets.set_secret(REPO, "TOKEN", "repo-token")
    gate.secrets.set_secret(REPO, "TOKEN", "staging-token", "staging")
    gate.variables.set_variable(REPO, "URL", "https://staging", "Staging")
    decision = gate.enter(start(gate.runs, "Staging"), threading.Event())
    assert decision.verdict is GateVerdict.APPROVED
    assert decision.secrets == {"TOKEN": "staging-token"}
    assert decision.variables == {"URL": "https://staging"}
    created = gate.environments.get_environment(REPO, "staging")
    assert created is not None
    assert created.source == "auto"


def test_required_reviewers_make_the_job_wait_until_approved(gate: ProtectionGate) -> None:
    rules = ProtectionRules(required_reviewers=("bob",))
    gate.environments.declare_environment(REPO, "Production", rules)
    gate.secrets.set_secret(REPO, "DEPLOY_KEY", "k", "production")
    request = start(gate.runs, "production")
    messages: list[str] = []
    gate.notify = messages.append
    thread = decide_later(gate.environments, request.run_id, approve=True)
    decision = gate.enter(request, threading.Event())
    thread.join()
    assert decision.verdict is GateVerdict.APPROVED
    assert decision.reviewer == "bob"
    assert decision.secrets == {"DEPLOY_KEY": "k"}
    assert "conveyor approve" in messages[0]
    assert "bob" in messages[0]
    run = gate.runs.get_run(request.run_id)
    assert run is not None
    assert run.status is RunStatus.IN_PROGRESS


def test_a_rejection_fails_the_gate_and_releases_no_secret(gate: ProtectionGate) -> None:
    gate.environments.declare_environment(
        REPO, "Production", ProtectionRules(required_reviewers=("bob",))
    )
    gate.secrets.set_secret(REPO, "DEPLOY_KEY", "k", "production")
    request = start(gate.runs, "Production")
    thread = decide_later(gate.environments, request.run_id, approve=False)
    decision = gate.enter(request, threading.Event())
    thread.join()
    assert decision.verdict is GateVerdict.REJECTED
    assert decision.reason == "bob rejected the deployment to Production: ok?"
    assert decision.secrets == {}


def test_a_disallowed_branch_is_rejected_without_waiting(gate: ProtectionGate) -> None:
    rules = ProtectionRules(required_reviewers=("bob",), deployment_branches=("main",))
    gate.environments.declare_environment(REPO, "production", rules)
    decision = gate.enter(start(gate.runs, "production", "refs/heads/dev"), threading.Event())
    assert decision.verdict is GateVerdict.REJECTED
    assert "branch 'dev'" in decision.reason


def test_cancelling_the_run_ends_the_wait(gate: ProtectionGate) -> None:
    gate.environments.declare_environment(
        REPO, "production", ProtectionRules(required_reviewers=("bob",))
    )
    request = start(gate.runs, "production")
    gate.runs.request_cancel(request.run_id)
    decision = gate.enter(request, threading.Event())
    assert decision.verdict is GateVerdict.CANCELLED


def test_the_wait_timer_holds_the_job_until_it_runs_out(gate: ProtectionGate) -> None:
    gate.environments.declare_environment(REPO, "slow", ProtectionRules(wait_timer_minutes=5))
    clock = iter(float(t) for t in range(0, 10_000, 60))
    gate.clock = lambda: next(clock)
    decision = gate.enter(start(gate.runs, "slow"), threading.Event())
    assert decision.verdict is GateVerdict.APPROVED
    assert next(clock) >= 5 * 60  # it waited about five minutes of the (fake) clock


def test_reviewers_are_checked(gate: ProtectionGate) -> None:
    rules = ProtectionRules(required_reviewers=("bob", "alice"), prevent_self_review=True)
    gate.environments.declare_environment(REPO, "production", rules)
    request = start(gate.runs, "production")
    gate.environments.request_approval(request.run_id, 1, "production")
    envs = gate.environments
    with pytest.raises(UsageError, match="not a required reviewer"):
        envs.decide_approval(
            request.run_id, "production", approve=True, reviewer="eve", comment=None
        )
    with pytest.raises(UsageError, match="self-review"):
        envs.decide_approval(
            request.run_id, "production", approve=True, reviewer="Alice", comment=None
        )
    approved = envs.decide_approval(
        request.run_id, "production", approve=True, reviewer="bob", comment=None
    )
    assert approved.state is ApprovalState.APPROVED
    with pytest.raises(UsageError, match="not waiting"):
        envs.decide_approval(
            request.run_id, "production", approve=False, reviewer="bob", comment=None
        )


def test_deployments_are_recorded_per_environment(gate: ProtectionGate) -> None:
    request = start(gate.runs, "production")
    envs = gate.environments
    first = envs.record_deployment(request.run_id, 1, "deploy", "Production", "in_progress")
    envs.update_deployment(first.id, "success", "https://example.test")
    envs.record_deployment(request.run_id, 1, "deploy", "staging", "failure")
    (shown,) = envs.list_deployments(REPO, "production")
    assert (shown.status, shown.url, shown.sha, shown.ref) == (
        "success",
        "https://example.test",
        request.ref and new_run().sha,
        "refs/heads/main",
    )


def test_toml_declared_environments_cannot_be_changed_from_the_cli(gate: ProtectionGate) -> None:
    envs = gate.environments
    envs.declare_environment(REPO, "production", ProtectionRules(), source="toml")
    with pytest.raises(UsageError, match=r"conveyor\.toml"):
        envs.declare_environment(REPO, "Production", ProtectionRules(wait_timer_minutes=1))
    assert [e.name for e in envs.list_environments(REPO)] == ["production"]
    assert envs.delete_environment(REPO, "PRODUCTION")
    assert not envs.delete_environment(REPO, "x")
