"""How a native action talks to the forge its job runs for: GitHub's REST API at
`GITHUB_API_URL` with the job's token (`github-token` input, else `github.token`), for
github.com, GitHub Enterprise Server and the local forge `conveyor serve` hosts alike.

Without a token (a plain `conveyor run`) or with `debug-only: true`, writes are not sent: the
action prints what it would write (`DryRun`) and passes or fails on its analysis alone. Reads
still need a forge; an action without one works from the event payload and the checkout."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from conveyor.engine.ports.actions import ActionConsole, ActionInvocation
from conveyor.errors import ForgeError

PER_PAGE = 100
TIMEOUT = 30.0
WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class ForgeTarget:
    """Where the action's job runs: the API, the repository (owner/repo), the token."""

    api_url: str
    repository: str
    token: str
    dry_run: bool = False

    @classmethod
    def of(cls, invocation: ActionInvocation) -> ForgeTarget:
        github = invocation.github
        token = invocation.input("github-token") or invocation.input("repo-token")
        token = token or str(github.get("token") or "")
        api = str(github.get("api_url") or invocation.env.get("GITHUB_API_URL") or "")
        repository = invocation.input("repository") or str(github.get("repository") or "")
        debug_only = invocation.input("debug-only", "false").lower() == "true"
        return cls(api.rstrip("/"), repository, token, dry_run=debug_only or not token)


@dataclass
class ForgeRest:
    """A small REST client: JSON in and out, GitHub's pagination, errors as ForgeError naming
    the request and the forge's message. In dry-run mode, writes are logged, not sent."""

    target: ForgeTarget
    console: ActionConsole
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        headers = {"Accept": "application/vnd.github+json", "User-Agent": "conveyor"}
        if self.target.token:
            headers["Authorization"] = f"Bearer {self.target.token}"
        self.client = httpx.Client(base_url=self.target.api_url, headers=headers, timeout=TIMEOUT)

    def repo_path(self, tail: str) -> str:
        """`/repos/{owner}/{repo}` + `tail`."""
        return f"/repos/{self.target.repository}{tail}"

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def paginate(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a listing, page by page (following `Link: rel="next"`)."""
        url: str | None = path
        query: Mapping[str, Any] | None = {"per_page": PER_PAGE, **(params or {})}
        while url is not None:
            answer = self._send("GET", url, params=query)
            yield from answer.json()
            url, query = answer.links.get("next", {}).get("url"), None

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer (None for 204), or None without sending in dry-run mode."""
        if method in WRITES and self.target.dry_run:
            body = kwargs.get("json")
            self.console.log(f"[dry run] would {method} {path}" + (f" {body}" if body else ""))
            return None
        answer = self._send(method, path, **kwargs)
        return None if answer.status_code == 204 or not answer.content else answer.json()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ForgeError(f"{method} {path}: the forge did not answer ({error})") from None
        if answer.status_code >= 400:
            message = f"{method} {path}: {answer.status_code} {_message(answer)}"
            raise ForgeRefused(message, answer.status_code)
        return answer

    def close(self) -> None:
        self.client.close()


class ForgeRefused(ForgeError):
    """The forge answered with an error status (`status`: 403 is a missing permission)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _message(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("message") or answer.reason_phrase)
    except ValueError:
        return answer.reason_phrase
