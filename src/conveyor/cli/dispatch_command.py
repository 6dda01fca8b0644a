"""`conveyor dispatch WORKFLOW --repo owner/repo --ref main --input k=v`: start a
workflow_dispatch run on a conveyor server (GitHub's `POST …/workflows/{file}/dispatches`)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

import click

from conveyor.cli.run_options import pairs
from conveyor.cli.server_client import ServerClient, server_options
from conveyor.errors import UsageError


@click.command("dispatch")
@click.argument("workflow")
@click.option("--repo", "repository", required=True, metavar="OWNER/REPO", help="The repository.")
@click.option("--ref", required=True, help="The branch or tag to run at (e.g. main).")
@click.option("--input", "inputs", multiple=True, metavar="K=V", help="A workflow_dispatch input.")
@server_options
def dispatch_command(
    workflow: str,
    repository: str,
    ref: str,
    inputs: Sequence[str],
    server: str | None,
    token: str | None,
) -> None:
    """Start WORKFLOW (its file name, e.g. deploy.yml) with workflow_dispatch on a server."""
    owner, _, name = repository.partition("/")
    if not owner or not name or "/" in name:
        raise UsageError(f"--repo expects OWNER/REPO, got {repository!r}")
    body = {"ref": ref, "inputs": pairs(inputs, "--input")}
    client = ServerClient.from_options(server, token, "dispatch")
    path = f"/api/v1/repos/{quote(owner)}/{quote(name)}/workflows/{quote(workflow)}/dispatches"
    client.request("POST", path, what="the dispatch", json=body)
    click.echo(f"dispatched {workflow} on {repository} at {ref}")
