"""`conveyor repos protect OWNER/REPO --branch B --require-check NAME ...`: the checks (check
run names, e.g. a job's `build`, or commit status contexts, e.g. `conveyor/CI`) a pull request
must pass before it is merged into branch B of a hosted repository; `--clear` removes the
protection. Through the local forge's `.../branches/B/protection` API: on a server with an admin
token (`--server URL --token T`), or on the local store."""

from __future__ import annotations

import click

from conveyor.cli.pr_client import open_client
from conveyor.cli.server_client import server_options
from conveyor.errors import UsageError


@click.command("protect")
@click.argument("name", metavar="OWNER/REPO")
@click.option("--branch", required=True, help="The branch to protect.")
@click.option(
    "--require-check", "checks", multiple=True, metavar="NAME",
    help="A check that must succeed before merging (repeatable).",
)  # fmt: skip
@click.option("--clear", is_flag=True, help="Remove the branch's protection.")
@server_options
def protect_repo(
    name: str, branch: str, checks: tuple[str, ...], clear: bool, server: str | None,
    token: str | None,
) -> None:  # fmt: skip
    """Require checks to pass before pull requests are merged into a branch."""
    if clear and checks:
        raise UsageError("--clear and --require-check cannot be used together")
    path = f"/repos/{name}/branches/{branch}/protection"
    with open_client(server, token, name) as client:
        if clear:
            client.call("DELETE", path, what=f"{branch} of {name}")
            click.echo(f"{branch} of {name} is not protected any more")
            return
        body = {
            "required_status_checks": {"strict": False, "contexts": list(checks)},
            "enforce_admins": None,
            "required_pull_request_reviews": None,
            "restrictions": None,
        }
        client.call("PUT", path, what=f"{branch} of {name}", json=body)
    click.echo(f"{branch} of {name} requires: {', '.join(checks) or 'no checks'}")
