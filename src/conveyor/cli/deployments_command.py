"""`conveyor deployments ENV`: the deployment records of an environment, newest first."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from conveyor.bootstrap.settings_store import opened_store
from conveyor.cli.runs_command import iso
from conveyor.cli.setting_scope import setting_key
from conveyor.engine.ports.store import DeploymentRecord


@click.command("deployments")
@click.argument("environment", metavar="ENV")
@click.option("-L", "--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def deployments_command(environment: str, limit: int, repo: Path, as_json: bool) -> None:
    """List deployments to ENV: run, sha, status and url of each."""
    with opened_store() as store:
        records = store.environments.list_deployments(setting_key(store, repo), environment, limit)
    if as_json:
        click.echo(json.dumps([deployment_json(d) for d in records], indent=2))
    elif not records:
        click.echo(f"no deployments to {environment} yet", err=True)
    else:
        for record in records:
            click.echo(deployment_line(record))


def deployment_json(record: DeploymentRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "environment": record.environment,
        "run_id": record.run_id,
        "attempt": record.attempt,
        "job": record.instance_key,
        "ref": record.ref,
        "sha": record.sha,
        "status": record.status,
        "url": record.url,
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
    }


def deployment_line(record: DeploymentRecord) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.created_at))
    sha = (record.sha or "-")[:7]
    parts = [when, record.status, f"run {record.run_id}", sha, record.instance_key]
    return "  ".join(parts + ([record.url] if record.url else []))
