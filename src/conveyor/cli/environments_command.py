"""`conveyor environments [list] | set NAME … | delete NAME`: deployment environments and their
protection rules (conveyor.toml's `[environments.NAME]` tables are applied first and win)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from conveyor.bootstrap.settings_store import opened_store
from conveyor.cli.secrets_command import REPO
from conveyor.cli.setting_scope import served_name
from conveyor.engine.ports.store import EnvironmentRecord, ProtectionRules
from conveyor.errors import UsageError
from conveyor.store import StoreHandle
from conveyor.store.environment_config import sync_environments
from conveyor.store.repository import repository_key, repository_root


def synced(store: StoreHandle, repo: Path) -> str:
    """The store's key for `repo`, its conveyor.toml environments applied (a served
    repository's OWNER/REPO: its environments are the store's)."""
    served = served_name(store, repo)
    if served is not None:
        return served
    key = repository_key(repo)
    sync_environments(store.environments, key, repository_root(repo))
    return key


@click.group("environments", invoke_without_command=True)
@click.pass_context
def environments_command(ctx: click.Context) -> None:
    """Manage environments: required reviewers, wait timer, allowed branches and tags."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_environments)


@environments_command.command("list")
@REPO
@click.option("--json", "as_json", is_flag=True)
def list_environments(repo: Path = Path("."), as_json: bool = False) -> None:
    """List environments and their protection rules."""
    with opened_store() as store:
        found = store.environments.list_environments(synced(store, repo))
    if as_json:
        click.echo(json.dumps([environment_json(e) for e in found], indent=2))
    elif not found:
        click.echo("no environments yet (conveyor environments set NAME …)", err=True)
    for environment in [] if as_json else found:
        click.echo(environment_line(environment))


@environments_command.command("set")
@click.argument("name")
@click.option("--reviewer", "reviewers", multiple=True, help="A required reviewer (up to 6).")
@click.option("--prevent-self-review/--allow-self-review", default=False)
@click.option("--wait-timer", type=click.FloatRange(0, 43_200), default=0, help="Minutes.")
@click.option("--branch", "branches", multiple=True, help="A branch pattern that may deploy.")
@click.option("--tag", "tags", multiple=True, help="A tag pattern that may deploy.")
@REPO
def set_environment(
    name: str,
    reviewers: tuple[str, ...],
    prevent_self_review: bool,
    wait_timer: float,
    branches: tuple[str, ...],
    tags: tuple[str, ...],
    repo: Path,
) -> None:
    """Declare environment NAME (replacing its rules). Without --branch/--tag any ref deploys."""
    limited = bool(branches or tags)
    rules = ProtectionRules(
        required_reviewers=reviewers,
        prevent_self_review=prevent_self_review,
        wait_timer_minutes=wait_timer,
        deployment_branches=branches if limited else None,
        deployment_tags=tags if limited else None,
    )
    with opened_store() as store:
        record = store.environments.declare_environment(synced(store, repo), name, rules)
    click.echo(environment_line(record))


@environments_command.command("delete")
@click.argument("name")
@REPO
def delete_environment(name: str, repo: Path) -> None:
    """Delete environment NAME (its deployment history stays)."""
    with opened_store() as store:
        key = synced(store, repo)
        found = store.environments.get_environment(key, name)
        if found is not None and found.source == "toml":
            raise UsageError(f"environment {found.name!r} is declared in conveyor.toml")
        if not store.environments.delete_environment(key, name):
            raise UsageError(f"there is no environment {name!r}")
    click.echo(f"deleted environment {name}")


def environment_json(record: EnvironmentRecord) -> dict[str, object]:
    rules = record.rules
    return {
        "name": record.name,
        "source": record.source,
        "required_reviewers": list(rules.required_reviewers),
        "prevent_self_review": rules.prevent_self_review,
        "wait_timer": rules.wait_timer_minutes,
        "deployment_branches": _listed(rules.deployment_branches),
        "deployment_tags": _listed(rules.deployment_tags),
    }


def _listed(values: tuple[str, ...] | None) -> list[str] | None:
    return None if values is None else list(values)


def environment_line(record: EnvironmentRecord) -> str:
    rules = record.rules
    parts = [record.name]
    if rules.required_reviewers:
        parts.append("reviewers: " + ", ".join(rules.required_reviewers))
    if rules.prevent_self_review:
        parts.append("no self-review")
    if rules.wait_timer_minutes:
        parts.append(f"wait {rules.wait_timer_minutes:g} min")
    if rules.deployment_branches is not None or rules.deployment_tags is not None:
        parts.append("branches: " + (", ".join(rules.deployment_branches or ()) or "none"))
        parts.append("tags: " + (", ".join(rules.deployment_tags or ()) or "none"))
    else:
        parts.append("any branch or tag")
    parts.append(f"[{record.source}]")
    return "  ".join(parts)
