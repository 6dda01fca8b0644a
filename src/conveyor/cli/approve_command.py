"""`conveyor approve RUN [--env NAME]` and `conveyor reject RUN [--env NAME]`: review a deployment
that waits for an environment's required reviewers."""

from __future__ import annotations

import getpass

import click

from conveyor.bootstrap.settings import load_settings
from conveyor.bootstrap.settings_store import opened_store
from conveyor.engine.ports.store import ApprovalState
from conveyor.store.review import decide


def reviewer_name() -> str:
    return load_settings().actor or getpass.getuser()


def _decide(
    run_id: int, env: str | None, comment: str | None, as_user: str | None, approve: bool
) -> None:
    with opened_store() as store:
        decided = decide(
            store,
            run_id,
            env,
            approve=approve,
            reviewer=as_user or reviewer_name(),
            comment=comment,
        )
    verb = "approved" if decided.state is ApprovalState.APPROVED else "rejected"
    click.echo(f"{decided.reviewer} {verb} the deployment of run {run_id} to {decided.environment}")


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
