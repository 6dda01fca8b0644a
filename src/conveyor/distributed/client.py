"""A worker's side of the server's worker API (docs/workers.md), over HTTP with httpx.

The worker's own token (`--token`) registers it and claims jobs; everything about one job (its
document, its secrets, heartbeats, events, the result) goes with that job's per-job token, which
the claim returns and which dies with the job's lease. A network blip is retried for up to
`patience` seconds; events are numbered (an offset), so a retried batch is neither lost nor
doubled.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import httpx

from conveyor.distributed.codec import decode_as, encode
from conveyor.engine.ports.executor import JobDocument
from conveyor.errors import InfrastructureError, UsageError
from conveyor.model.results import JobResult

T = TypeVar("T")
API = "/api/v1"


class JobGone(Exception):
    """The job's token no longer holds its lease (401/404/409): stop reporting."""


@dataclass(frozen=True, slots=True)
class Claim:
    job_id: int
    token: str
    attempt: int
    heartbeat: float
    lease: float


@dataclass(frozen=True, slots=True)
class Registration:
    broker_url: str
    heartbeat: float
    lease: float


@dataclass(frozen=True, slots=True)
class Beat:
    cancel: bool


class ServerClient:
    def __init__(self, url: str, token: str, *, patience: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=15.0)
        self._token = token
        self.patience = patience

    def close(self) -> None:
        self._http.close()

    # -- the worker ---------------------------------------------------------------------------

    def register(self, name: str, labels: Sequence[str], capacity: int) -> Registration:
        """A UsageError when the server refuses the token; an InfrastructureError when it cannot
        be reached within `patience` seconds."""
        body = {"name": name, "labels": list(labels), "capacity": capacity}
        try:
            data = self._json("POST", "/workers", self._token, body)
        except JobGone as refused:
            raise UsageError(f"the server refused the worker ({refused})") from None
        except httpx.HTTPError as error:
            raise InfrastructureError(f"cannot reach the server {self.url}: {error}") from None
        return Registration(str(data["broker_url"]), data["heartbeat"], data["lease"])

    def worker_heartbeat(self, name: str, busy: int, draining: bool) -> bool:
        """False when the server does not know the worker (it registers again)."""
        body = {"busy": busy, "draining": draining}
        try:
            self._json("POST", f"/workers/{name}/heartbeat", self._token, body)
        except JobGone:
            return False
        return True

    def deregister(self, name: str) -> None:
        with contextlib.suppress(JobGone):
            self._json("DELETE", f"/workers/{name}", self._token, None)

    def claim(self, job_id: int, worker: str) -> Claim | None:
        """The job's per-job token, or None: another worker has it, or it ended."""
        try:
            data = self._json(
                "POST", f"/worker-jobs/{job_id}/claim", self._token, {"worker": worker}
            )
        except JobGone:
            return None
        return Claim(job_id, data["token"], data["attempt"], data["heartbeat"], data["lease"])

    # -- one job, with its token ----------------------------------------------------------------

    def document(self, claim: Claim) -> JobDocument:
        """The job's document with its secrets (fetched separately, with the same token)."""
        base = f"/worker-jobs/{claim.job_id}"
        document = decode_as(self._json("GET", f"{base}/document", claim.token, None), JobDocument)
        secrets = self._json("GET", f"{base}/secrets", claim.token, None)
        values: Mapping[str, str] = secrets["secrets"]
        contexts = {**document.contexts, "secrets": dict(values)}
        return replace(document, contexts=contexts, masks=tuple(secrets["masks"]))

    def job_heartbeat(self, claim: Claim, *, renew: bool) -> Beat:
        body = {"renew": renew}
        data = self._json("POST", f"/worker-jobs/{claim.job_id}/heartbeat", claim.token, body)
        return Beat(bool(data["cancel"]))

    def events(self, claim: Claim, offset: int, events: Sequence[Mapping[str, Any]]) -> int:
        """Sends the events numbered from `offset`; the server's next expected offset."""
        body = {"offset": offset, "events": list(events)}
        data = self._json("POST", f"/worker-jobs/{claim.job_id}/events", claim.token, body)
        return int(data["next"])

    def result(self, claim: Claim, result: JobResult) -> None:
        body = {"result": encode(result)}
        self._json("POST", f"/worker-jobs/{claim.job_id}/result", claim.token, body)

    # -- transport --------------------------------------------------------------------------------

    def _json(self, method: str, path: str, token: str, body: object) -> Any:
        headers = {"Authorization": f"Bearer {token}"}
        return self._retrying(lambda: self._once(method, API + path, headers, body))

    def _once(self, method: str, path: str, headers: dict[str, str], body: object) -> Any:
        answer = self._http.request(method, path, headers=headers, json=body)
        if answer.status_code in (401, 403, 404, 409, 410):
            raise JobGone(f"{answer.status_code} {answer.text[:200]}")
        answer.raise_for_status()
        return answer.json()

    def _retrying(self, call: Callable[[], T]) -> T:
        deadline, delay = time.monotonic() + self.patience, 0.05
        while True:
            try:
                return call()
            except (httpx.TransportError, httpx.HTTPStatusError):
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
