"""Client commands against a running `conveyor serve`: `--server URL --token T` (environment
CONVEYOR_SERVER, CONVEYOR_TOKEN), requests over httpx, answers turned into conveyor errors.

A server that cannot be reached is one line and exit 1 (InfrastructureError); a request the
server refuses (4xx) shows the server's message and exits 2 (UsageError). The token goes in the
Authorization header and nowhere else: no message repeats it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from conveyor.errors import InfrastructureError, UsageError

if TYPE_CHECKING:  # httpx is imported when a request is made (the daemon warms every command)
    import httpx

SERVER_ENV = "CONVEYOR_SERVER"
TOKEN_ENV = "CONVEYOR_TOKEN"
TIMEOUT_SECONDS = 30.0

F = TypeVar("F", bound=Callable[..., Any])


def server_options(command: F) -> F:
    """`--server URL` and `--token T` (from CONVEYOR_SERVER, CONVEYOR_TOKEN when absent)."""
    command = click.option(
        "--token", envvar=TOKEN_ENV, help=f"An API token (default: ${TOKEN_ENV})."
    )(command)
    return click.option(
        "--server", envvar=SERVER_ENV, metavar="URL", help=f"The server (default: ${SERVER_ENV})."
    )(command)


@dataclass(frozen=True, slots=True)
class ServerClient:
    base_url: str
    token: str | None

    @classmethod
    def from_options(cls, server: str | None, token: str | None, command: str) -> ServerClient:
        if not server:
            raise UsageError(f"conveyor {command} needs a server: --server URL or {SERVER_ENV}")
        return cls(server.rstrip("/"), token)

    def request(self, method: str, path: str, *, what: str, **kwargs: Any) -> httpx.Response:
        """The server's answer to a request; errors for no answer or a refusal (see module)."""
        import httpx

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = httpx.request(
                method, self.base_url + path, headers=headers, timeout=TIMEOUT_SECONDS, **kwargs
            )
        except httpx.HTTPError as exc:
            raise InfrastructureError(
                f"cannot reach the conveyor server at {self.base_url}: {_reason(exc)}"
            ) from None
        return checked(response, what)

    def json(self, method: str, path: str, *, what: str, **kwargs: Any) -> Any:
        """The JSON of the server's answer to a request (None when it has no body)."""
        answer = self.request(method, path, what=what, **kwargs)
        return answer.json() if answer.content else None


def checked(response: httpx.Response, what: str) -> httpx.Response:
    if response.is_success:
        return response
    message = f"the server refused {what} ({response.status_code}): {server_message(response)}"
    if response.status_code < 500:
        raise UsageError(message)
    raise InfrastructureError(message)


def server_message(response: httpx.Response) -> str:
    """GitHub's `{"message"}`, FastAPI's `{"detail"}`, or the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        found = body.get("message", body.get("detail"))
        if isinstance(found, str):
            return found
        if isinstance(found, list):
            return "; ".join(str(item.get("msg", item)) for item in found if isinstance(item, dict))
    return str(body)[:200]


def _reason(exc: httpx.HTTPError) -> str:
    import httpx

    if isinstance(exc, httpx.ConnectError) and "refused" in str(exc).lower():
        return "connection refused"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {TIMEOUT_SECONDS:g} s"
    return str(exc) or type(exc).__name__
