"""Deciding a deployment that waits for an environment's reviewers: `conveyor approve`/`reject`
and the web UI's buttons both come here, so the rules are checked one way."""

from __future__ import annotations

from pathlib import Path

from conveyor.engine.ports.store import ApprovalRecord, ApprovalState
from conveyor.errors import UsageError
from conveyor.store.environment_config import sync_environments
from conveyor.store.handle import StoreHandle


def decide_deployment(
    store: StoreHandle,
    run_id: int,
    env: str | None,
    *,
    approve: bool,
    reviewer: str,
    comment: str | None,
) -> ApprovalRecord:
    """Approve or reject run `run_id`'s deployment to `env` (None: the only one waiting);
    `UsageError` names why not (no such run, nothing waiting, not a required reviewer)."""
    sync_rules(store, run_id)
    name = env or only_waiting(store, run_id)
    return store.environments.decide_approval(
        run_id, name, approve=approve, reviewer=reviewer, comment=comment
    )


def sync_rules(store: StoreHandle, run_id: int) -> None:
    """The rules in the run's conveyor.toml are the ones the decision is checked against."""
    run = store.runs.get_run(run_id)
    if run is not None and Path(run.repository).is_dir():
        sync_environments(store.environments, run.repository, Path(run.repository))


def waiting_environments(store: StoreHandle, run_id: int) -> list[str]:
    """The environments the run's latest attempt waits for."""
    run = store.runs.get_run(run_id)
    if run is None:
        raise UsageError(f"there is no run {run_id} (see `conveyor runs`)")
    return [
        a.environment
        for a in store.environments.list_approvals(run_id)
        if a.attempt == run.attempt and a.state is ApprovalState.WAITING
    ]


def only_waiting(store: StoreHandle, run_id: int) -> str:
    waiting = waiting_environments(store, run_id)
    if len(waiting) == 1:
        return waiting[0]
    if not waiting:
        raise UsageError(f"run {run_id} is not waiting for any approval")
    raise UsageError(
        f"run {run_id} waits for several environments: pass --env ({', '.join(waiting)})"
    )
