"""Client commands against a running `conveyor serve`: `--server URL --token T` (or
CONVEYOR_SERVER, CONVEYOR_TOKEN). An answer other than 2xx is a UsageError with the server's
message; httpx is imported only in this mode."""

from __future__ import annotations

from typing import Any

import click

from conveyor.errors import UsageError

SERVER = click.option(
    "--server", envvar="CONVEYOR_SERVER", metavar="URL", help="Act on this conveyor server."
)
TOKEN = click.option(
    "--token", envvar="CONVEYOR_TOKEN", metavar="T", help="The server's API token (Bearer)."
)


def request(server: str, token: str | None, method: str, path: str, **kwargs: Any) -> Any:
    """The JSON of the server's answer (None for 204)."""
    import httpx

    if not token:
        raise UsageError("--server needs --token (or CONVEYOR_TOKEN): an API token of the server")
    url = server.rstrip("/") + path
    headers = {"Authorization": f"Bearer {token}"}
    try:
        answer = httpx.request(method, url, headers=headers, timeout=30, **kwargs)
    except httpx.HTTPError as error:
        raise UsageError(f"cannot reach {server}: {error}") from None
    if answer.status_code >= 400:
        raise UsageError(f"{server} answered {answer.status_code}: {_message(answer)}")
    return None if answer.status_code == 204 else answer.json()


def _message(answer: Any) -> str:
    try:
        body = answer.json()
    except ValueError:
        return str(answer.text)[:200]
    detail = body.get("detail") or body.get("message") if isinstance(body, dict) else body
    return str(detail)
