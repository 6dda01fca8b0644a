"""`conveyor repos add|list|remove`: the repositories `conveyor serve` serves, in the local store
(the server's machine, the same CONVEYOR_HOME) or on a server (`--server URL --token T`, an
admin token to add or remove). The webhook secret is stored encrypted with the secrets key and
never shown again."""

from __future__ import annotations

import json
from pathlib import Path

import click

from conveyor.cli.server_client import ServerClient, server_options
from conveyor.errors import UsageError
from conveyor.store import opened_store


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
@click.option(
    "--forge",
    type=click.Choice(["github"]),
    help="Report check runs to this forge and clone with its App's installation token.",
)
@server_options
def add_repo(
    source: str,
    name: str,
    webhook_secret: str | None,
    webhook_secret_file: Path | None,
    default_branch: str,
    forge: str | None,
    server: str | None,
    token: str | None,
) -> None:
    """Register a repository (a clone URL, or the path of a local repository)."""
    from conveyor.store.served_repositories import check_name

    check_name(name)
    secret = _secret(webhook_secret, webhook_secret_file)
    url = str(Path(source).resolve()) if Path(source).is_dir() else source
    if server:
        body = {"name": name, "url": url, "default_branch": default_branch, "forge": forge}
        ServerClient.from_options(server, token, "repos add").json(
            "POST", "/api/v1/repos", what="the repository", json=body | {"webhook_secret": secret}
        )
    else:
        _add_here(name, url, default_branch, secret, forge)
    signed = "signed deliveries" if secret else "no webhook secret: deliveries are refused"
    click.echo(f"added {name} ({url}, default branch {default_branch}; {signed})")


def _add_here(
    name: str, url: str, default_branch: str, secret: str | None, forge: str | None = None
) -> None:
    from conveyor.store.served_repositories import ServedRepository, served_repositories

    with opened_store() as store:
        repository = ServedRepository(name, url, default_branch, False, 0.0, forge)
        served_repositories(store).add(repository, secret)


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
@server_options
def list_repos(as_json: bool, server: str | None, token: str | None) -> None:
    """The registered repositories."""
    rows = (
        ServerClient.from_options(server, token, "repos list").json(
            "GET", "/api/v1/repos", what="the listing"
        )["repos"]
        if server
        else _rows_here()
    )
    rows = [{key: row[key] for key in FIELDS} for row in rows]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no repositories (add one: conveyor repos add URL --name OWNER/REPO)")
    for row in rows:
        secret = "signed" if row["has_webhook_secret"] else "no secret"
        click.echo(f"{row['name']}\t{row['url']}\t{row['default_branch']}\t{secret}")


FIELDS = ("name", "url", "default_branch", "has_webhook_secret")


def _rows_here() -> list[dict[str, object]]:
    from conveyor.store.served_repositories import served_repositories

    with opened_store() as store:
        repositories = served_repositories(store).list()
    return [
        {
            "name": r.name,
            "url": r.url,
            "default_branch": r.default_branch,
            "has_webhook_secret": r.has_secret,
        }
        for r in repositories
    ]


@repos_command.command("remove")
@click.argument("name", metavar="OWNER/REPO")
@server_options
def remove_repo(name: str, server: str | None, token: str | None) -> None:
    """Unregister a repository (its runs stay in the history)."""
    from conveyor.store.served_repositories import check_name, served_repositories

    if server:
        ServerClient.from_options(server, token, "repos remove").json(
            "DELETE", f"/api/v1/repos/{check_name(name)}", what="the removal"
        )
    else:
        with opened_store() as store:
            if not served_repositories(store).remove(name):
                raise UsageError(f"repository {name} is not registered (see `conveyor repos list`)")
    click.echo(f"removed {name}")
