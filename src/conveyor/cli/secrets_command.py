"""`conveyor secrets set|list|delete`: encrypted secrets of a repository or one of its
environments. A value is read from standard input (or a hidden prompt), never from the command
line, where it would land in shell history and process listings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from conveyor.bootstrap.dotenv import read_dotenv
from conveyor.bootstrap.settings_store import opened_store
from conveyor.cli.runs_command import iso
from conveyor.cli.setting_scope import setting_key
from conveyor.errors import UsageError
from conveyor.store.setting_names import check_name, check_value

REPO = click.option(
    "--repo", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    help="The repository (default: the one around the current directory), or OWNER/REPO of "
    "a repository `conveyor serve` serves.",
)  # fmt: skip
ENV = click.option("--env", "env", metavar="NAME", help="An environment's secret.")


@click.group("secrets")
def secrets_command() -> None:
    """Manage secrets (encrypted at rest; the `secrets` context of runs)."""


def read_value(name: str) -> str:
    """The whole of stdin (one trailing newline dropped), or a hidden prompt on a terminal."""
    if sys.stdin is None:
        raise UsageError(f"give the value of {name} on standard input")
    if sys.stdin.isatty():
        value = click.prompt(f"Value of {name}", hide_input=True, default="", show_default=False)
        return str(value)
    data = sys.stdin.read()
    return data[:-1] if data.endswith("\n") else data


def values_to_set(name: str | None, from_file: Path | None, kind: str) -> dict[str, str]:
    """NAME with a value from stdin, or every NAME=value of a file — checked before storing."""
    if (name is None) == (from_file is None):
        raise UsageError(f"give either a {kind} NAME (value on stdin) or --from-file FILE")
    values = read_dotenv(from_file) if from_file else {check_name(name or "", kind): ""}
    if from_file is None:
        values = {key: read_value(key) for key in values}
    for key, value in values.items():
        check_value(value, kind, check_name(key, kind))
    return values


@secrets_command.command("set")
@click.argument("name", required=False)
@ENV
@click.option("--from-file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@REPO
def set_secret(name: str | None, env: str | None, from_file: Path | None, repo: Path) -> None:
    """Set secret NAME from standard input, or every NAME=value line of --from-file."""
    values = values_to_set(name, from_file, "secret")
    with opened_store() as store:
        key = setting_key(store, repo)
        if env is not None:
            store.environments.ensure_environment(key, env)
        for secret, value in values.items():
            store.secrets.set_secret(key, secret, value, env)
    where = f" for environment {env}" if env else ""
    click.echo(f"set {len(values)} secret(s){where}: {', '.join(n.upper() for n in values)}")


@secrets_command.command("list")
@ENV
@REPO
@click.option("--json", "as_json", is_flag=True)
def list_secrets(env: str | None, repo: Path, as_json: bool) -> None:
    """List secret names (never values)."""
    with opened_store() as store:
        found = store.secrets.list_secrets(setting_key(store, repo), env)
    rows = [
        {"name": s.name, "environment": s.environment, "updated_at": iso(s.updated_at)}
        for s in found
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        scope = f"  (environment {row['environment']})" if row["environment"] else ""
        click.echo(f"{row['name']}{scope}")


@secrets_command.command("delete")
@click.argument("name")
@ENV
@REPO
def delete_secret(name: str, env: str | None, repo: Path) -> None:
    """Delete secret NAME."""
    with opened_store() as store:
        deleted = store.secrets.delete_secret(setting_key(store, repo), name, env)
    if not deleted:
        where = f" in environment {env}" if env else ""
        raise UsageError(f"there is no secret {name.upper()}{where}")
    click.echo(f"deleted secret {name.upper()}")
