"""`conveyor tokens create|list|revoke`: API tokens of `conveyor serve` (docs/api.md).

`create` prints the token once, as its last line; the store keeps only its SHA-256."""

from __future__ import annotations

import click

from conveyor.cli.runs_command import iso
from conveyor.errors import UsageError
from conveyor.store import opened_store
from conveyor.store.api_tokens import ROLES, SqlTokenStore, TokenRecord


@click.group("tokens")
def tokens_command() -> None:
    """Manage the API tokens of `conveyor serve` (roles: read, write, admin)."""


@tokens_command.command("create")
@click.option("--name", required=True, help="A unique name (who or what uses the token).")
@click.option("--role", type=click.Choice(ROLES), default="read", show_default=True)
def create_token(name: str, role: str) -> None:
    """Make a token and print it once (the last line): it cannot be shown again."""
    with opened_store() as store:
        token = SqlTokenStore(store.database).create(name, role)  # type: ignore[arg-type]
    click.echo(f"created {role} token {name!r}; it is shown only now:", err=True)
    click.echo(token)


@tokens_command.command("list")
def list_tokens() -> None:
    """The tokens' names, roles and dates (never the tokens)."""
    with opened_store() as store:
        records = SqlTokenStore(store.database).list()  # type: ignore[arg-type]
    for record in records:
        click.echo(describe(record))


def describe(record: TokenRecord) -> str:
    used = iso(record.last_used_at) or "never used"
    state = f"  revoked {iso(record.revoked_at)}" if record.revoked else ""
    return f"{record.name}  {record.role}  created {iso(record.created_at)}  {used}{state}"


@tokens_command.command("revoke")
@click.argument("name")
def revoke_token(name: str) -> None:
    """Revoke a token: requests with it are refused from now on."""
    with opened_store() as store:
        revoked = SqlTokenStore(store.database).revoke(name)  # type: ignore[arg-type]
    if not revoked:
        raise UsageError(f"there is no live token named {name!r} (see `conveyor tokens list`)")
    click.echo(f"revoked token {name!r}")
