from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.engine.ports.store import ApprovalState, ProtectionRules
from conveyor.store import StoreHandle
from tests.unit.store.cli_helpers import Cli, make_cli, make_store
from tests.unit.store.conftest import REPO, new_run

cli_fixture = pytest.fixture(name="cli")(make_cli)
store_fixture = pytest.fixture(name="store")(make_store)


def waiting_run(store: StoreHandle, *environments: str) -> int:
    run = store.runs.create_run(new_run(actor="alice"))
    for name in environments:
        store.environments.declare_environment(
            REPO,
            name,
            ProtectionRules(required_reviewers=("bob", "carol"), prevent_self_review=True),
        )
        store.environments.request_approval(run.id, 1, name)
    return run.id


def test_approve_decides_the_only_waiting_environment(cli: Cli, store: StoreHandle) -> None:
    run_id = waiting_run(store, "production")
    outcome = cli("approve", str(run_id), "--as", "bob", "-m", "ship it")
    assert outcome.code == 0
    assert outcome.out.strip() == f"bob approved the deployment of run {run_id} to production"
    approval = store.environments.get_approval(run_id, 1, "production")
    assert approval is not None
    assert (approval.state, approval.comment) == (ApprovalState.APPROVED, "ship it")


def test_reject_with_env_and_reviewer_from_the_environment(
    cli: Cli, store: StoreHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = waiting_run(store, "production", "staging")
    ambiguous = cli("approve", str(run_id), "--as", "bob")
    assert ambiguous.code == 2
    assert "--env" in ambiguous.err
    monkeypatch.setenv("CONVEYOR_ACTOR", "carol")
    assert cli("reject", str(run_id), "--env", "Staging").code == 0
    staging = store.environments.get_approval(run_id, 1, "staging")
    assert staging is not None
    assert (staging.state, staging.reviewer) == (ApprovalState.REJECTED, "carol")


def test_approval_errors_are_clear(cli: Cli, store: StoreHandle) -> None:
    run_id = waiting_run(store, "production")
    assert "there is no run 999" in cli("approve", "999").err
    self_review = cli("approve", str(run_id), "--as", "alice")
    assert self_review.code == 2
    assert "not a required reviewer" in self_review.err
    stranger = cli("approve", str(run_id), "--as", "mallory", "--env", "production")
    assert stranger.code == 2
    cli("approve", str(run_id), "--as", "bob")
    again = cli("approve", str(run_id), "--as", "carol")
    assert again.code == 2
    assert "not waiting for any approval" in again.err


def test_reviewers_come_from_the_runs_conveyor_toml(
    cli: Cli, store: StoreHandle, tmp_path: Path
) -> None:
    (tmp_path / "conveyor.toml").write_text(
        '[environments.production]\nrequired_reviewers = ["dora"]\n', encoding="utf-8"
    )
    run = store.runs.create_run(new_run(repository=str(tmp_path)))
    store.environments.request_approval(run.id, 1, "production")
    refused = cli("approve", str(run.id), "--as", "bob")
    assert refused.code == 2
    assert "dora" in refused.err
    assert cli("approve", str(run.id), "--as", "dora").code == 0
