"""GitHub's REST API over HTTPS (httpx), each answer classified as a value: done (with its
JSON), retry (a rate limit's wait, or None for the caller's own backoff on 5xx, timeouts and
refused connections) or refused (GitHub said no: 403 without a rate limit, 404, 422).

While a rate limit lasts (`Retry-After`, `X-RateLimit-Remaining: 0` until
`X-RateLimit-Reset`), requests are not sent: they answer retry with the time left."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from conveyor import __version__
from conveyor.engine.ports.forge import ReportOutcome

log = logging.getLogger("conveyor.forge")
API_VERSION = "2022-11-28"
RATE_LIMITED = frozenset({403, 429})
SECONDARY_WAIT = 60.0


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: ReportOutcome
    status: int = 0  # 0: no answer (timeout, connection refused, rate limit in force)
    body: Any = None
    retry_after: float | None = None

    @property
    def sent(self) -> bool:
        return self.outcome is ReportOutcome.SENT


def _header_seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def rate_limit_wait(status: int, headers: Mapping[str, str], body: Any, now: float) -> float | None:
    """How long GitHub asks to wait (None: the answer is no rate limit). A secondary rate limit
    may come without headers: a minute, as GitHub's documentation asks."""
    if status not in RATE_LIMITED:
        return None
    retry_after = _header_seconds(headers.get("retry-after"))
    if retry_after is not None:
        return retry_after
    if headers.get("x-ratelimit-remaining") == "0":
        reset = _header_seconds(headers.get("x-ratelimit-reset"))
        return max((reset or now + 60) - now, 1.0)
    message = body.get("message", "") if isinstance(body, dict) else ""
    limited = status == 429 or "rate limit" in str(message).lower()
    return SECONDARY_WAIT if limited else None


def classify(status: int, headers: Mapping[str, str], body: Any, now: float) -> Answer:
    if 200 <= status < 300:
        return Answer(ReportOutcome.SENT, status, body)
    wait = rate_limit_wait(status, headers, body, now)
    if wait is not None:
        return Answer(ReportOutcome.RETRY, status, body, wait)
    if status >= 500 or status in {401, 408}:
        return Answer(ReportOutcome.RETRY, status, body)
    return Answer(ReportOutcome.REFUSED, status, body)


class GitHubHttp:
    def __init__(
        self, api_url: str, timeout: float, clock: Callable[[], float], client: httpx.Client | None
    ) -> None:
        self._client = client or httpx.Client(
            base_url=api_url.rstrip("/"), timeout=timeout, headers=_headers()
        )
        self._clock = clock
        self._blocked_until = 0.0
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def send(self, method: str, path: str, auth: str, body: object = None) -> Answer:
        """One request (`auth`: the Authorization header's value, never logged)."""
        now = self._clock()
        with self._lock:
            if now < self._blocked_until:
                return Answer(ReportOutcome.RETRY, retry_after=self._blocked_until - now)
        try:
            response = self._client.request(
                method, path, json=body, headers={"Authorization": auth}
            )
        except httpx.HTTPError as error:  # timeouts, refused connections, broken answers
            log.debug("forge request failed %s %s: %s", method, path, type(error).__name__)
            return Answer(ReportOutcome.RETRY)
        return self._answered(method, path, response)

    def _answered(self, method: str, path: str, response: httpx.Response) -> Answer:
        now = self._clock()
        answer = classify(response.status_code, response.headers, _json(response), now)
        if answer.retry_after is not None:
            with self._lock:
                self._blocked_until = max(self._blocked_until, now + answer.retry_after)
        if not answer.sent:
            log.debug(
                "forge answered %d to %s %s (%s)", answer.status, method, path, answer.outcome
            )
        return answer


def _headers() -> dict[str, str]:
    return {
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
        "User-Agent": f"conveyor/{__version__}",
    }


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
