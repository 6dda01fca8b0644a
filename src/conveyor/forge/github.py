"""`GitHubForge`: the forge port over GitHub's REST API (github.com or an Enterprise Server).

Each report is one request in the steady state: the first report of a job creates its check
run (POST, with `external_id`), the later ones update it (PATCH); annotations beyond the first
50 follow in PATCHes of 50. Outcomes are values (conveyor.engine.ports.forge): a rate limit or
an outage answers RETRY (with GitHub's wait when it gave one), a refusal REFUSED. The caller's
retry queue sends the report again; annotations already sent are not sent twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote, urlencode

import httpx

from conveyor.engine.ports.forge import (
    CheckAnnotation,
    CheckRunReport,
    CommitStatusReport,
    ForgeUrls,
    JobToken,
    ReportOutcome,
    ReportResult,
)
from conveyor.errors import ConveyorError
from conveyor.forge.check_payloads import ANNOTATIONS_PER_REQUEST, check_body, status_body
from conveyor.forge.github_auth import (
    IssuedToken,
    Permissions,
    TokenCache,
    app_jwt,
    issued_token,
    load_private_key,
)
from conveyor.forge.github_config import GitHubConfig, forge_urls
from conveyor.forge.github_http import Answer, GitHubHttp
from conveyor.forge.token_permissions import app_permissions


class CheckRunIds(Protocol):
    """Where the check run id of each external id is kept (the store's `forge_check_ids`, so
    a restarted server updates the check runs it created)."""

    def get(self, external_id: str) -> int | None: ...
    def put(self, external_id: str, check_run_id: int) -> None: ...


@dataclass
class MemoryCheckRunIds:
    ids: dict[str, int] = field(default_factory=dict)

    def get(self, external_id: str) -> int | None:
        return self.ids.get(external_id)

    def put(self, external_id: str, check_run_id: int) -> None:
        self.ids[external_id] = check_run_id


class ForgeUnavailable(ConveyorError):
    """GitHub did not give a token (an outage, a rate limit, or the App is not installed)."""

    def __init__(self, message: str, answer: Answer) -> None:
        super().__init__(message)
        self.answer = answer


class GitHubForge:
    def __init__(
        self,
        config: GitHubConfig,
        *,
        clock: Callable[[], float] = time.time,
        client: httpx.Client | None = None,
        check_ids: CheckRunIds | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        self._http = GitHubHttp(config.api_url, config.timeout, clock, client)
        self._key = (
            load_private_key(config.private_key, "forge.private_key_file")
            if (config.is_app)
            else None
        )
        self._tokens = TokenCache(self._fetch_token, clock)
        self._check_ids = check_ids or MemoryCheckRunIds()
        self._uncertain: set[str] = set()  # a create whose answer never came
        self._annotations_sent: dict[str, int] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GitHubForge({self.config!r})"

    def close(self) -> None:
        self._http.close()

    def urls(self) -> ForgeUrls:
        return forge_urls(self.config.api_url)

    # -- reports ----------------------------------------------------------------------------

    def report_check(self, report: CheckRunReport) -> ReportResult:
        with self._lock:
            done = self._annotations_sent.get(report.external_id, 0)
        first = report.annotations[done : done + ANNOTATIONS_PER_REQUEST]
        answer = self._send_check(report, first)
        if answer.sent:
            answer = self._more_annotations(report, done + len(first))
        return _result(answer)

    def _send_check(
        self, report: CheckRunReport, annotations: tuple[CheckAnnotation, ...]
    ) -> Answer:
        known = self._check_ids.get(report.external_id)
        if known is None and report.external_id in self._uncertain:
            found = self._look_up(report)
            if not found.sent:
                return found
            known = self._check_ids.get(report.external_id)
        repo = _repo_path(report.repository)
        body = check_body(report, annotations, create=known is None)
        if known is None:
            answer = self._request("POST", f"{repo}/check-runs", body, report.repository)
        else:
            answer = self._request("PATCH", f"{repo}/check-runs/{known}", body, report.repository)
        if answer.sent:
            self._remember(report.external_id, answer, len(annotations))
        elif known is None and (answer.status == 0 or answer.status >= 500):
            self._uncertain.add(report.external_id)  # GitHub may have created it
        return answer

    def _remember(self, external_id: str, answer: Answer, annotations: int) -> None:
        if isinstance(answer.body, dict) and isinstance(answer.body.get("id"), int):
            self._check_ids.put(external_id, answer.body["id"])
        with self._lock:
            self._uncertain.discard(external_id)
            sent = self._annotations_sent.get(external_id, 0)
            self._annotations_sent[external_id] = sent + annotations

    def _look_up(self, report: CheckRunReport) -> Answer:
        """After a create whose answer was lost: the check run GitHub made, if it did."""
        query = urlencode({"check_name": report.name, "filter": "all", "per_page": 100})
        sha = quote(report.head_sha, safe="")
        path = f"{_repo_path(report.repository)}/commits/{sha}/check-runs?{query}"
        answer = self._request("GET", path, None, report.repository)
        runs = answer.body.get("check_runs", []) if isinstance(answer.body, dict) else []
        for run in runs:
            if run.get("external_id") == report.external_id and isinstance(run.get("id"), int):
                self._check_ids.put(report.external_id, run["id"])
        if answer.sent:
            self._uncertain.discard(report.external_id)
        return answer

    def _more_annotations(self, report: CheckRunReport, done: int) -> Answer:
        answer = Answer(ReportOutcome.SENT)
        while done < len(report.annotations):
            batch = report.annotations[done : done + ANNOTATIONS_PER_REQUEST]
            answer = self._send_check(report, batch)
            if not answer.sent:
                return answer
            done += len(batch)
        return answer

    def report_status(self, report: CommitStatusReport) -> ReportResult:
        path = f"{_repo_path(report.repository)}/statuses/{quote(report.sha, safe='')}"
        return _result(self._request("POST", path, status_body(report), report.repository))

    # -- tokens -----------------------------------------------------------------------------

    def job_token(self, repository: str, permissions: Mapping[str, str]) -> JobToken:
        """An installation token for `repository` only, narrowed to `permissions` (workflow
        scopes: `contents`, `pull-requests` ...; those at "none" are left out). A plain token
        is the server's own, never handed to a job: the job's token is then empty. Raises
        ForgeUnavailable when GitHub gives none."""
        scopes = {k: v for k, v in permissions.items() if v in {"read", "write"}}
        if not self.config.is_app:
            return JobToken("", scopes)
        narrowed = tuple(sorted(app_permissions(scopes).items()))
        issued = self._tokens.get(narrowed, (repository.partition("/")[2],))
        return JobToken(issued.value, scopes, issued.expires_at)

    def _request(self, method: str, path: str, body: object, repository: str) -> Answer:
        try:
            auth = self._authorization()
        except ForgeUnavailable as unavailable:
            return unavailable.answer
        answer = self._http.send(method, path, auth, body)
        if answer.status == 401:
            self._tokens.forget()
        return answer

    def _authorization(self) -> str:
        if not self.config.is_app:
            return f"token {self.config.token}"
        return f"token {self._tokens.get().value}"

    def _fetch_token(self, permissions: Permissions, repositories: tuple[str, ...]) -> IssuedToken:
        assert self._key is not None
        jwt = app_jwt(self.config.app_id, self._key, self._clock())
        body: dict[str, object] = {}
        if permissions:
            body["permissions"] = dict(permissions)
        if repositories:
            body["repositories"] = list(repositories)
        path = f"/app/installations/{quote(self.config.installation_id, safe='')}/access_tokens"
        answer = self._http.send("POST", path, f"Bearer {jwt}", body or None)
        if not answer.sent or not isinstance(answer.body, dict) or "token" not in answer.body:
            message = f"GitHub gave no installation token (HTTP {answer.status})"
            raise ForgeUnavailable(message, answer)
        return issued_token(answer.body, self._clock())


def _repo_path(repository: str) -> str:
    owner, _, name = repository.partition("/")
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


def _result(answer: Answer) -> ReportResult:
    return ReportResult(answer.outcome, answer.retry_after)
