"""The client of `conveyor pr`: GitHub's pull request API of the local forge, on a server over
HTTP (`--server URL --token T`) or, without a server, answered in this process by the same
application over the local store (the user of the server's machine acts as an admin, as the
other local commands do). GitHub's error bodies become one line (exit 2); an unreachable server
is exit 1."""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conveyor.cli.server_client import TIMEOUT_SECONDS, ServerClient
from conveyor.errors import InfrastructureError, UsageError

if TYPE_CHECKING:
    import httpx

LOCAL_URL = "http://127.0.0.1:8080"  # the pull requests' URLs without a server: its usual address


@dataclass
class PullsClient:
    http: httpx.Client
    where: str  # the server's URL, or "the local store"

    def call(self, method: str, path: str, *, what: str, **kwargs: Any) -> Any:
        """The JSON answer of `/api/v3{path}`; a refusal is a UsageError naming `what`."""
        import httpx

        try:
            response = self.http.request(method, f"/api/v3{path}", **kwargs)
        except httpx.HTTPError as error:
            raise InfrastructureError(f"cannot reach {self.where}: {error}") from None
        if response.status_code >= 500:
            raise InfrastructureError(f"{self.where} failed ({response.status_code})")
        if not response.is_success:
            raise UsageError(f"{what}: {github_message(response)} ({response.status_code})")
        return response.json() if response.content else None

    def pulls(self, repository: str, state: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in range(1, 1000):
            params = {"state": state, "per_page": 100, "page": page}
            batch = self.call("GET", f"/repos/{repository}/pulls", what=repository, params=params)
            found += batch
            if len(batch) < 100:
                return found
        return found

    def pull(self, repository: str, number: int) -> dict[str, Any]:
        path = f"/repos/{repository}/pulls/{number}"
        found: dict[str, Any] = self.call("GET", path, what=f"{repository}#{number}")
        return found

    def hosted_repositories(self) -> list[str]:
        import httpx

        try:
            answer = self.http.get("/api/v1/repos")
        except httpx.HTTPError as error:
            raise InfrastructureError(f"cannot reach {self.where}: {error}") from None
        if not answer.is_success:
            raise UsageError(f"the repositories: {github_message(answer)} ({answer.status_code})")
        return [repo["name"] for repo in answer.json()["repos"] if repo.get("hosted")]


def github_message(response: httpx.Response) -> str:
    """GitHub's `message` with its `errors` (`No commits between main and feature`)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if not isinstance(body, dict):
        return str(body)[:200]
    message = str(body.get("message", body.get("detail", "")))
    details = [_detail(error) for error in body.get("errors") or [] if isinstance(error, dict)]
    return "; ".join([message, *details]) if details else message


def _detail(error: dict[str, Any]) -> str:
    if error.get("message"):
        return str(error["message"])
    return f"{error.get('field', '?')}: {error.get('code', 'invalid')}"


@contextmanager
def open_client(server: str | None, token: str | None, repo: str | None) -> Iterator[PullsClient]:
    """A client of `server`, or of the local store when no server is given."""
    from conveyor.store.served_repositories import check_name

    if repo is not None:
        check_name(repo)
    if server:
        import httpx

        base = ServerClient.from_options(server, token, "pr").base_url
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with httpx.Client(base_url=base, headers=headers, timeout=TIMEOUT_SECONDS) as http:
            yield PullsClient(http, f"the conveyor server at {base}")
        return
    with _local_client() as client:
        yield client


@contextmanager
def _local_client() -> Iterator[PullsClient]:
    with warnings.catch_warnings():  # starlette would rather have httpx2; httpx serves
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from conveyor.bootstrap.job_tokens import configured_forge_url
    from conveyor.bootstrap.server_wiring import serve_runs
    from conveyor.bootstrap.settings_store import opened_store
    from conveyor.server.app import create_app
    from conveyor.server.context import ServerContext

    with opened_store() as store:
        runs = serve_runs(
            store.home, store, jobs=1
        ).runs  # queues runs; the server's pool runs them
        url = configured_forge_url(LOCAL_URL)
        runs.forge_url = url
        secret = secrets.token_urlsafe(24)
        context = ServerContext(store.home, store, runs, runs, LocalUser(secret))
        app = create_app(context)
        headers = {"Authorization": f"Bearer {secret}"}
        # Not entered as a context manager: that would run the app's lifespan (the schedule and
        # forge loops), which belongs to `conveyor serve` only.
        http = TestClient(app, base_url=url, headers=headers, raise_server_exceptions=False)
        try:
            yield PullsClient(http, "the local store")
        finally:
            http.close()


@dataclass(frozen=True, slots=True)
class LocalUser:
    """The user of the server's machine: an admin, as for the other local commands (they can
    read the store anyway), known by a token made for this one command."""

    secret: str

    def verify(self, token: str) -> Any:
        import getpass

        from conveyor.server.principals import Principal, Role

        if not secrets.compare_digest(token, self.secret):
            return None
        try:
            name = getpass.getuser()
        except (OSError, KeyError):  # no login name in this environment
            name = "local"
        return Principal(name, Role.ADMIN)
