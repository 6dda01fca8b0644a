"""`conveyor tokens create|list|revoke`: API tokens of `conveyor serve` (docs/api.md).

`create` prints the token once, as its last line; the store keeps only its SHA-256. On the
server's machine the commands act on the local store; with `--server URL --token T`
(`CONVEYOR_SERVER`, `CONVEYOR_TOKEN`; an admin token) on that server's `/api/v1/tokens`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from conveyor.bootstrap.settings_store import opened_store
from conveyor.cli.runs_command import iso
from conveyor.cli.server_client import ServerClient, server_options
from conveyor.errors import UsageError
from conveyor.server.principals import Role
from conveyor.store.handle import StoreHandle

if TYPE_CHECKING:  # SQLAlchemy is loaded by a command that uses the store, not by the CLI
    from conveyor.store.api_tokens import SqlTokenStore, TokenRecord

ROLES = tuple(role.name.lower() for role in Role)


def _tokens(store: StoreHandle) -> SqlTokenStore:
    from conveyor.store.api_tokens import SqlTokenStore

    return SqlTokenStore(store.database)  # type: ignore[arg-type]


@click.group("tokens")
@server_options
@click.pass_context
def tokens_command(ctx: click.Context, server: str | None, token: str | None) -> None:
    """Manage the API tokens of `conveyor serve` (roles: read, write, admin, worker)."""
    ctx.obj = ServerClient.from_options(server, token, "tokens") if server else None


@tokens_command.command("create")
@click.option("--name", required=True, help="A unique name (who or what uses the token).")
@click.option("--role", type=click.Choice(ROLES), default="read", show_default=True)
@click.pass_obj
def create_token(remote: ServerClient | None, name: str, role: str) -> None:
    """Make a token and print it once (the last line): it cannot be shown again."""
    if remote is not None:
        token = remote.json(
            "POST", "/api/v1/tokens", what="the token", json={"name": name, "role": role}
        )["token"]
    else:
        with opened_store() as store:
            token = _tokens(store).create(name, role)
    click.echo(f"created {role} token {name!r}; it is shown only now:", err=True)
    click.echo(token)


@tokens_command.command("list")
@click.pass_obj
def list_tokens(remote: ServerClient | None) -> None:
    """The tokens' names, roles and dates (never the tokens)."""
    if remote is not None:
        for item in remote.json("GET", "/api/v1/tokens", what="the listing")["tokens"]:
            click.echo(_line(item["name"], item["role"], item["created_at"], item["last_used_at"],
                             item["revoked_at"]))  # fmt: skip
        return
    with opened_store() as store:
        records = _tokens(store).list()
    for record in records:
        click.echo(describe(record))


def describe(record: TokenRecord) -> str:
    return _line(
        record.name,
        record.role,
        iso(record.created_at),
        iso(record.last_used_at),
        iso(record.revoked_at),
    )


def _line(name: str, role: str, created: str | None, used: str | None, revoked: str | None) -> str:
    state = f"  revoked {revoked}" if revoked else ""
    return (
        f"{name}  {role}  created {created}  {f'last used {used}' if used else 'never used'}{state}"
    )


@tokens_command.command("revoke")
@click.argument("name")
@click.pass_obj
def revoke_token(remote: ServerClient | None, name: str) -> None:
    """Revoke a token: requests with it are refused from now on."""
    if remote is not None:
        remote.json("DELETE", f"/api/v1/tokens/{name}", what="the revocation")
    else:
        with opened_store() as store:
            revoked = _tokens(store).revoke(name)
        if not revoked:
            raise UsageError(f"there is no live token named {name!r} (see `conveyor tokens list`)")
    click.echo(f"revoked token {name!r}")
