"""`TokenExecutor`: the jobs of a served run of a `--forge github` repository get the forge's
`GITHUB_TOKEN` (an installation token narrowed to the job's `permissions:`, else the
workflow's, else GitHub's default; masked like a secret) as `github.token` and
`secrets.GITHUB_TOKEN`, and the forge's URLs as `github.server_url`/`api_url`/`graphql_url`
(the executor makes GITHUB_SERVER_URL, GITHUB_API_URL, GITHUB_GRAPHQL_URL from them).

A pull request from a fork gets a read-only token and no secret but that token, as on GitHub.
A forge that gives no token (an outage) does not stop the job: it runs without one."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from conveyor.engine.job_permissions import granted_scopes
from conveyor.engine.ports.executor import CancelSignal, Executor, JobDocument, JobReporter
from conveyor.engine.ports.forge import Forge
from conveyor.forge.token_permissions import app_scopes, read_only
from conveyor.model.results import JobResult
from conveyor.model.workflow import Workflow

if TYPE_CHECKING:
    from conveyor.bootstrap.local_run import PreparedRun

log = logging.getLogger("conveyor.forge")
FORK_EVENTS = frozenset({"pull_request", "pull_request_review", "pull_request_review_comment"})


def from_fork(event_name: str, payload: Mapping[str, object]) -> bool:
    """A pull request event whose head is another repository (a fork)."""
    if event_name not in FORK_EVENTS:
        return False
    pull = _mapping(payload.get("pull_request"))
    head = _mapping(_mapping(pull.get("head")).get("repo"))
    base = _mapping(_mapping(pull.get("base")).get("repo"))
    head_name, base_name = head.get("full_name"), base.get("full_name")
    if head.get("fork") is True:
        return True
    return bool(head_name and base_name and head_name != base_name)


def job_scopes(workflows: Mapping[str, Workflow], document: JobDocument) -> dict[str, str]:
    """The token scopes of the job: its `permissions:`, else its workflow's, else default."""
    workflow = workflows.get(document.workflow_path)
    job = workflow.jobs.get(document.job_id) if workflow is not None else None
    given = workflow.permissions if workflow is not None else None
    return app_scopes(granted_scopes(given, job.permissions if job is not None else None))


@dataclass
class TokenExecutor:
    inner: Executor
    forge: Forge
    repository: str  # owner/repo on the forge
    workflows: Mapping[str, Workflow]  # by path, as the documents name them
    fork: bool = False

    def run_job(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> JobResult:
        return self.inner.run_job(self.with_token(document), reporter, cancel)

    def with_token(self, document: JobDocument) -> JobDocument:
        scopes = job_scopes(self.workflows, document)
        token = self._token(read_only(scopes) if self.fork else scopes, document)
        urls = self.forge.urls()
        github = {
            **_mapping(document.contexts.get("github")),
            "server_url": urls.server_url,
            "api_url": urls.api_url,
            "graphql_url": urls.graphql_url,
        }
        secrets = {} if self.fork else dict(_mapping(document.contexts.get("secrets")))
        masks = document.masks
        if token:
            github["token"] = secrets["GITHUB_TOKEN"] = token
            masks = (*masks, token)
        contexts = {**document.contexts, "github": github, "secrets": secrets}
        return replace(document, contexts=contexts, masks=masks)

    def _token(self, scopes: Mapping[str, str], document: JobDocument) -> str:
        try:
            return self.forge.job_token(self.repository, scopes).value
        except Exception as error:
            log.warning(
                "no GITHUB_TOKEN for job=%s run=%s: %s", document.job_id, document.run_id, error
            )
            return ""


@dataclass(frozen=True)
class ForgeJobs:
    """How a served run's jobs meet the forge: the executor wrapper, and whether it is a fork's
    pull request (no secrets)."""

    wrap: Callable[[Executor, PreparedRun], Executor]
    fork: bool


def token_jobs(forge: Forge, repository: str, fork: bool) -> ForgeJobs:
    def wrap(executor: Executor, prepared: PreparedRun) -> Executor:
        workflows = {r.scope.workflow.path: r.scope.workflow for r in prepared.requests}
        return TokenExecutor(executor, forge, repository, workflows, fork)

    return ForgeJobs(wrap, fork)


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}
