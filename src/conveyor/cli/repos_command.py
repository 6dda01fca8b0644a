"""`conveyor repos add|create|list|remove`: the repositories `conveyor serve` serves, in the local
store (the server's machine, the same CONVEYOR_HOME) or on a server (`--server URL --token T`,
an admin token to add, create or remove). The webhook secret is stored encrypted with the
secrets key and never shown again. `create` makes a repository the server hosts (the local
forge: `git push http://HOST:PORT/OWNER/REPO.git`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from conveyor.bootstrap.settings_store import opened_store
from conveyor.cli.protect_command import protect_repo
from conveyor.cli.server_client import ServerClient, server_options
from conveyor.errors import UsageError


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


@repos_command.command("create")
@click.argument("name", metavar="OWNER/REPO")
@click.option("--default-branch", default="main", show_default=True)
@server_options
def create_repo(name: str, default_branch: str, server: str | None, token: str | None) -> None:
    """Create an empty repository the server hosts (push to it over HTTP with a write token)."""
    from conveyor.store.served_repositories import check_name

    check_name(name)
    if server:
        body = {"name": name, "hosted": True, "default_branch": default_branch}
        made = ServerClient.from_options(server, token, "repos create").json(
            "POST", "/api/v1/repos", what="the repository", json=body
        )
        where = f"clone URL {made['clone_url']}"
    else:
        where = _create_here(name, default_branch)
    click.echo(f"created {name} (default branch {default_branch}; {where})")


def _create_here(name: str, default_branch: str) -> str:
    from conveyor.server.hosting import create_hosted
    from conveyor.store.served_repositories import served_repositories

    with opened_store() as store:
        made = create_hosted(store.home, served_repositories(store), name, default_branch)
    return f"at {made.url}; clone URL http://HOST:PORT/{name}.git"


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


FIELDS = ("name", "url", "default_branch", "has_webhook_secret", "hosted")


def _rows_here() -> list[dict[str, object]]:
    from conveyor.server.hosting import is_hosted
    from conveyor.store.served_repositories import served_repositories

    with opened_store() as store:
        repositories = served_repositories(store).list()
        home = store.home
    return [
        {
            "name": r.name,
            "url": r.url,
            "default_branch": r.default_branch,
            "has_webhook_secret": r.has_secret,
            "hosted": is_hosted(home, r),
        }
        for r in repositories
    ]


@repos_command.command("remove")
@click.argument("name", metavar="OWNER/REPO")
@click.option(
    "--delete-data",
    is_flag=True,
    help="Also delete a hosted repository's git data (kept by default: `create` serves it again).",
)
@server_options
def remove_repo(name: str, delete_data: bool, server: str | None, token: str | None) -> None:
    """Unregister a repository (its runs stay in the history)."""
    from conveyor.store.served_repositories import check_name

    if server:
        ServerClient.from_options(server, token, "repos remove").json(
            "DELETE",
            f"/api/v1/repos/{check_name(name)}",
            what="the removal",
            params={"delete_data": "true"} if delete_data else {},
        )
        click.echo(f"removed {name}" + ("; its hosted data deleted" if delete_data else ""))
        return
    click.echo(f"removed {name}{_removed_here(name, delete_data)}")


def _removed_here(name: str, delete_data: bool) -> str:
    from conveyor.server.hosting import remove_repository
    from conveyor.store.served_repositories import served_repositories

    with opened_store() as store:
        served = served_repositories(store)
        done = remove_repository(store.home, served, name, delete_data=delete_data)
    if done is None:
        raise UsageError(f"repository {name} is not registered (see `conveyor repos list`)")
    if done == "kept":
        return "; its hosted data is kept (`conveyor repos remove --delete-data` deletes it)"
    return "; its hosted data deleted" if done == "deleted" else ""


repos_command.add_command(protect_repo)  # `conveyor repos protect` (cli/protect_command.py)
