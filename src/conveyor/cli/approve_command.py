"""`conveyor approve RUN [--env NAME]` and `conveyor reject RUN [--env NAME]`: review a deployment
that waits for an environment's required reviewers."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from conveyor.bootstrap.settings import load_settings
from conveyor.engine.ports.store import ApprovalState
from conveyor.errors import UsageError
from conveyor.store import StoreHandle, opened_store
from conveyor.store.environment_config import sync_environments


def reviewer_name() -> str:
    return load_settings().actor or getpass.getuser()


def _decide(
    run_id: int, env: str | None, comment: str | None, as_user: str | None, approve: bool
) -> None:
    with opened_store() as store:
        _sync_rules(store, run_id)
        name = env or _only_waiting(store, run_id)
        decided = store.environments.decide_approval(
            run_id, name, approve=approve, reviewer=as_user or reviewer_name(), comment=comment
        )
    verb = "approved" if decided.state is ApprovalState.APPROVED else "rejected"
    click.echo(f"{decided.reviewer} {verb} the deployment of run {run_id} to {decided.environment}")


def _sync_rules(store: StoreHandle, run_id: int) -> None:
    """The rules in the run's conveyor.toml are the ones the decision is checked against."""
    run = store.runs.get_run(run_id)
    if run is not None and Path(run.repository).is_dir():
        sync_environments(store.environments, run.repository, Path(run.repository))


def _only_waiting(store: StoreHandle, run_id: int) -> str:
    run = store.runs.get_run(run_id)
    if run is None:
        raise UsageError(f"there is no run {run_id} (see `conveyor runs`)")
    waiting = [
        a.environment
        for a in store.environments.list_approvals(run_id)
        if a.attempt == run.attempt and a.state is ApprovalState.WAITING
    ]
    if len(waiting) == 1:
        return waiting[0]
    if not waiting:
        raise UsageError(f"run {run_id} is not waiting for any approval")
    raise UsageError(
        f"run {run_id} waits for several environments: pass --env ({', '.join(waiting)})"
    )


_ARGS = [
    click.argument("run_id", metavar="RUN", type=int),
    click.option("--env", "env", metavar="NAME", help="The environment (needed if several wait)."),
    click.option("--comment", "-m", help="A note kept with the decision."),
    click.option("--as", "as_user", metavar="USER", help="Review as USER (default: you)."),
]


def _with_args(function: click.decorators.FC) -> click.decorators.FC:
    for decorator in reversed(_ARGS):
        function = decorator(function)
    return function


@click.command("approve")
@_with_args
def approve_command(run_id: int, env: str | None, comment: str | None, as_user: str | None) -> None:
    """Approve a run's deployment to an environment: its waiting jobs start."""
    _decide(run_id, env, comment, as_user, approve=True)


@click.command("reject")
@_with_args
def reject_command(run_id: int, env: str | None, comment: str | None, as_user: str | None) -> None:
    """Reject a run's deployment to an environment: its waiting jobs fail."""
    _decide(run_id, env, comment, as_user, approve=False)
