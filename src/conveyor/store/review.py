"""Deciding a deployment review: what `conveyor approve|reject` and the server's API both do.

The rules the decision is checked against are the run's repository's (its conveyor.toml, for a
local repository); the environment is the one given, or the only one the run waits for."""

from __future__ import annotations

from pathlib import Path

from conveyor.engine.ports.store import ApprovalRecord, ApprovalState
from conveyor.errors import NotFound, UsageError
from conveyor.store.environment_config import sync_environments
from conveyor.store.handle import StoreHandle


def decide(
    store: StoreHandle,
    run_id: int,
    environment: str | None,
    *,
    approve: bool,
    reviewer: str,
    comment: str | None,
) -> ApprovalRecord:
    """Approve or reject; UsageError (NotFound, ReviewRefused) names what is wrong."""
    sync_rules(store, run_id)
    name = waiting_environment(store, run_id, environment)
    return store.environments.decide_approval(
        run_id, name, approve=approve, reviewer=reviewer, comment=comment
    )


def sync_rules(store: StoreHandle, run_id: int) -> None:
    """The rules in the run's conveyor.toml are the ones the decision is checked against."""
    run = store.runs.get_run(run_id)
    if run is not None and Path(run.repository).is_dir():
        sync_environments(store.environments, run.repository, Path(run.repository))


def waiting_environment(store: StoreHandle, run_id: int, environment: str | None) -> str:
    run = store.runs.get_run(run_id)
    if run is None:
        raise NotFound(f"there is no run {run_id} (see `conveyor runs`)")
    waiting = [
        a.environment
        for a in store.environments.list_approvals(run_id)
        if a.attempt == run.attempt and a.state is ApprovalState.WAITING
    ]
    if environment is not None:
        named = [name for name in waiting if name.lower() == environment.lower()]
        if not named:
            raise NotFound(f"run {run_id} is not waiting for approval of {environment!r}")
        return named[0]
    if len(waiting) == 1:
        return waiting[0]
    if not waiting:
        raise NotFound(f"run {run_id} is not waiting for any approval")
    raise UsageError(
        f"run {run_id} waits for several environments: pass --env ({', '.join(waiting)})"
    )
