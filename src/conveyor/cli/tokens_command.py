"""`conveyor tokens create|list|revoke`: API tokens of `conveyor serve` (docs/api.md).

`create` prints the token once, as its last line; the store keeps only its SHA-256. On the
server's machine the commands act on the local store; with `--server URL --token T`
(`CONVEYOR_SERVER`, `CONVEYOR_TOKEN`; an admin token) on that server's `/api/v1/tokens`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from conveyor.cli.runs_command import iso
from conveyor.errors import UsageError
from conveyor.store import opened_store
from conveyor.store.api_tokens import ROLES, SqlTokenStore, TokenRecord


@dataclass(frozen=True)
class Remote:
    url: str
    token: str | None

    def call(self, method: str, path: str, body: object = None) -> Any:
        import httpx  # only for a remote server

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            answer = httpx.request(
                method, self.url.rstrip("/") + path, json=body, headers=headers, timeout=30
            )
        except httpx.HTTPError as exc:
            raise UsageError(f"cannot reach {self.url}: {exc}") from None
        if answer.status_code >= 400:
            raise UsageError(f"{self.url}: {answer.status_code}: {_message(answer)}")
        return answer.json() if answer.content else None


def _message(answer: Any) -> str:
    try:
        return str(answer.json()["message"])
    except (ValueError, KeyError, TypeError):
        return str(answer.text)[:200]


@click.group("tokens")
@click.option("--server", envvar="CONVEYOR_SERVER", metavar="URL", help="A remote server.")
@click.option("--token", envvar="CONVEYOR_TOKEN", metavar="T", help="Its admin token.")
@click.pass_context
def tokens_command(ctx: click.Context, server: str | None, token: str | None) -> None:
    """Manage the API tokens of `conveyor serve` (roles: read, write, admin)."""
    ctx.obj = Remote(server, token) if server else None


@tokens_command.command("create")
@click.option("--name", required=True, help="A unique name (who or what uses the token).")
@click.option("--role", type=click.Choice(ROLES), default="read", show_default=True)
@click.pass_obj
def create_token(remote: Remote | None, name: str, role: str) -> None:
    """Make a token and print it once (the last line): it cannot be shown again."""
    if remote is not None:
        token = remote.call("POST", "/api/v1/tokens", {"name": name, "role": role})["token"]
    else:
        with opened_store() as store:
            token = SqlTokenStore(store.database).create(name, role)  # type: ignore[arg-type]
    click.echo(f"created {role} token {name!r}; it is shown only now:", err=True)
    click.echo(token)


@tokens_command.command("list")
@click.pass_obj
def list_tokens(remote: Remote | None) -> None:
    """The tokens' names, roles and dates (never the tokens)."""
    if remote is not None:
        for item in remote.call("GET", "/api/v1/tokens")["tokens"]:
            click.echo(_line(item["name"], item["role"], item["created_at"], item["last_used_at"],
                             item["revoked_at"]))  # fmt: skip
        return
    with opened_store() as store:
        records = SqlTokenStore(store.database).list()  # type: ignore[arg-type]
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
def revoke_token(remote: Remote | None, name: str) -> None:
    """Revoke a token: requests with it are refused from now on."""
    if remote is not None:
        remote.call("DELETE", f"/api/v1/tokens/{name}")
    else:
        with opened_store() as store:
            revoked = SqlTokenStore(store.database).revoke(name)  # type: ignore[arg-type]
        if not revoked:
            raise UsageError(f"there is no live token named {name!r} (see `conveyor tokens list`)")
    click.echo(f"revoked token {name!r}")
