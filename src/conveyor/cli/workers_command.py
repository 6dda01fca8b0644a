"""`conveyor workers [--json]`: the workers of a `conveyor serve --broker` server (labels,
capacity, busy slots, last heartbeat), from `GET /api/v1/workers` (a read token)."""

from __future__ import annotations

import json

import click

from conveyor.cli.runs_command import iso
from conveyor.cli.server_client import ServerClient, server_options


@click.command("workers")
@server_options
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def workers_command(server: str | None, token: str | None, as_json: bool) -> int:
    """List the workers online."""
    client = ServerClient.from_options(server, token, "workers")
    workers = client.json("GET", "/api/v1/workers", what="the workers") or []
    if as_json:
        click.echo(json.dumps(workers, indent=2))
        return 0
    if not workers:
        click.echo("no worker is online")
        return 0
    click.echo(f"{'NAME':24} {'STATE':9} {'BUSY':>9} {'LAST HEARTBEAT':21} LABELS")
    for worker in workers:
        busy = f"{worker['busy']}/{worker['capacity']}"
        seen = iso(worker["last_heartbeat"]) or "-"
        labels = ",".join(worker["labels"])
        click.echo(f"{worker['name']:24} {worker['state']:9} {busy:>9} {seen:21} {labels}")
    return 0
