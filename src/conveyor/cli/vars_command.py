"""`conveyor vars set|list|delete`: configuration variables (the `vars` context), in clear."""

from __future__ import annotations

import json
from pathlib import Path

import click

from conveyor.bootstrap.dotenv import read_dotenv
from conveyor.bootstrap.settings_store import opened_store
from conveyor.cli.runs_command import iso
from conveyor.cli.secrets_command import ENV, REPO, read_value
from conveyor.cli.setting_scope import setting_key
from conveyor.errors import UsageError
from conveyor.store.setting_names import check_name, check_value


@click.group("vars")
def vars_command() -> None:
    """Manage configuration variables (stored in clear; use secrets for anything sensitive)."""


@vars_command.command("set")
@click.argument("name", required=False)
@click.argument("value", required=False)
@ENV
@click.option("--from-file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@REPO
def set_variable(
    name: str | None, value: str | None, env: str | None, from_file: Path | None, repo: Path
) -> None:
    """Set NAME to VALUE (or to standard input), or every NAME=value line of --from-file."""
    if (name is None) == (from_file is None):
        raise UsageError("give either NAME [VALUE] or --from-file FILE")
    if from_file is not None:
        values = read_dotenv(from_file)
    else:
        assert name is not None
        values = {name: read_value(name) if value is None else value}
    for key, text in values.items():
        check_value(text, "variable", check_name(key, "variable"))
    with opened_store() as store:
        key = setting_key(store, repo)
        if env is not None:
            store.environments.ensure_environment(key, env)
        for variable, text in values.items():
            store.variables.set_variable(key, variable, text, env)
    click.echo(f"set {len(values)} variable(s): {', '.join(n.upper() for n in values)}")


@vars_command.command("list")
@ENV
@REPO
@click.option("--json", "as_json", is_flag=True)
def list_variables(env: str | None, repo: Path, as_json: bool) -> None:
    """List variables and their values."""
    with opened_store() as store:
        found = store.variables.list_variables(setting_key(store, repo), env)
    if as_json:
        rows = [
            {
                "name": v.name,
                "value": v.value,
                "environment": v.environment,
                "updated_at": iso(v.updated_at),
            }
            for v in found
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for variable in found:
        scope = f"  (environment {variable.environment})" if variable.environment else ""
        click.echo(f"{variable.name}={variable.value}{scope}")


@vars_command.command("delete")
@click.argument("name")
@ENV
@REPO
def delete_variable(name: str, env: str | None, repo: Path) -> None:
    """Delete variable NAME."""
    with opened_store() as store:
        deleted = store.variables.delete_variable(setting_key(store, repo), name, env)
    if not deleted:
        raise UsageError(f"there is no variable {name.upper()}")
    click.echo(f"deleted variable {name.upper()}")
