"""`conveyor repos add|list|remove`: the repositories `conveyor serve` serves, in the local store
(the server's machine, the same CONVEYOR_HOME). The webhook secret is stored encrypted with the
secrets key and never shown again."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from conveyor.errors import UsageError
from conveyor.store import opened_store

NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@click.group("repos")
def repos_command() -> None:
    """Repositories the server runs workflows for."""


@repos_command.command("add")
@click.argument("source", metavar="URL|PATH")
@click.option("--name", required=True, metavar="OWNER/REPO", help="As GitHub names it.")
@click.option("--webhook-secret", metavar="S", help="The secret GitHub signs deliveries with.")
@click.option(
    "--webhook-secret-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Read the webhook secret from this file.",
)
@click.option("--default-branch", default="main", show_default=True)
def add_repo(
    source: str,
    name: str,
    webhook_secret: str | None,
    webhook_secret_file: Path | None,
    default_branch: str,
) -> None:
    """Register a repository (a clone URL, or the path of a local repository)."""
    from conveyor.store.served_repositories import ServedRepository, served_repositories

    if not NAME.match(name) or any(part in (".", "..") for part in name.split("/")):
        raise UsageError(f"--name {name!r} is not OWNER/REPO")
    secret = _secret(webhook_secret, webhook_secret_file)
    url = str(Path(source).resolve()) if Path(source).is_dir() else source
    with opened_store() as store:
        repository = ServedRepository(name, url, default_branch, False, 0.0)
        served_repositories(store).add(repository, secret)
    signed = "signed deliveries" if secret else "no webhook secret: deliveries are refused"
    click.echo(f"added {name} ({url}, default branch {default_branch}; {signed})")


def _secret(given: str | None, path: Path | None) -> str | None:
    if given is not None and path is not None:
        raise UsageError("--webhook-secret and --webhook-secret-file cannot be used together")
    if path is not None:
        try:
            given = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"{path}: cannot read the webhook secret: {error}") from None
    if given is not None and not given:
        raise UsageError("the webhook secret is empty")
    return given


@repos_command.command("list")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
def list_repos(as_json: bool) -> None:
    """The registered repositories."""
    from conveyor.store.served_repositories import served_repositories

    with opened_store() as store:
        repositories = served_repositories(store).list()
    if as_json:
        rows = [
            {
                "name": r.name,
                "url": r.url,
                "default_branch": r.default_branch,
                "has_webhook_secret": r.has_secret,
            }
            for r in repositories
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if not repositories:
        click.echo("no repositories (add one: conveyor repos add URL --name OWNER/REPO)")
    for r in repositories:
        secret = "signed" if r.has_secret else "no secret"
        click.echo(f"{r.name}\t{r.url}\t{r.default_branch}\t{secret}")


@repos_command.command("remove")
@click.argument("name", metavar="OWNER/REPO")
def remove_repo(name: str) -> None:
    """Unregister a repository (its runs stay in the history)."""
    from conveyor.store.served_repositories import served_repositories

    with opened_store() as store:
        if not served_repositories(store).remove(name):
            raise UsageError(f"repository {name} is not registered (see `conveyor repos list`)")
    click.echo(f"removed {name}")
