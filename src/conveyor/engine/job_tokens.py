"""`JobTokenExecutor`: each job gets its own `GITHUB_TOKEN`, minted when it starts (with the
permissions its `permissions:` gives, `job_permissions`) and revoked when it ends, in front of
an executor. The token is `secrets.GITHUB_TOKEN` and `github.token` (as on GitHub: no
`GITHUB_TOKEN` variable unless a workflow sets one) and is masked in every line; the forge's
URLs become `github.server_url`/`api_url`/`graphql_url` (so `GITHUB_SERVER_URL`,
`GITHUB_API_URL`, `GITHUB_GRAPHQL_URL`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from conveyor.engine import job_values as values
from conveyor.engine.job_environment import JobEntry, JobIndex
from conveyor.engine.job_permissions import job_permissions
from conveyor.engine.ports.executor import (
    CancelSignal,
    Executor,
    ForecastingExecutor,
    JobDocument,
    JobForecast,
    JobReporter,
)
from conveyor.engine.ports.forge import ForgeUrls, JobToken
from conveyor.engine.ports.job_tokens import JobTokenIssuer
from conveyor.model.results import JobResult

SPARE_SECONDS = 3600.0  # a token outlives its job's timeouts by this much at most


@dataclass(frozen=True)
class JobTokenWiring:
    issuer: JobTokenIssuer
    repository: str  # owner/repo: the only repository the tokens act on
    urls: ForgeUrls
    jobs: JobIndex  # the run's jobs: their `permissions:`


class JobTokenExecutor:
    def __init__(self, inner: Executor, wiring: JobTokenWiring) -> None:
        self._inner = inner
        self._wiring = wiring

    def run_job(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> JobResult:
        entry = self._wiring.jobs.get((document.workflow_path, document.job_id))
        permissions = _permissions(entry)
        lifetime = (document.timeout_minutes + document.cancel_timeout_minutes) * 60
        job = f"run-{document.run_id}/{document.instance_key}"
        token = self._wiring.issuer.mint(
            self._wiring.repository, job, permissions, lifetime=lifetime + SPARE_SECONDS
        )
        try:
            tokened = with_token(document, token, self._wiring.urls, entry)
            return self._inner.run_job(tokened, reporter, cancel)
        finally:
            self._wiring.issuer.revoke(token.value)

    def forecast(self, forecast: JobForecast) -> None:
        if isinstance(self._inner, ForecastingExecutor):
            self._inner.forecast(forecast)


def _permissions(entry: JobEntry | None) -> dict[str, str]:
    if entry is None:
        return job_permissions(None, None)
    return job_permissions(entry.workflow.permissions, entry.job.permissions)


def with_token(
    document: JobDocument, token: JobToken, urls: ForgeUrls, entry: JobEntry | None = None
) -> JobDocument:
    """The document whose job sees `token` and the forge's URLs; the job-level values that may
    use them (`env:`, defaults, services, container) are evaluated again."""
    contexts = {key: value for key, value in document.contexts.items() if key != "env"}
    contexts["github"] = {
        **_mapping(contexts.get("github")),
        "token": token.value,
        "server_url": urls.server_url,
        "api_url": urls.api_url,
        "graphql_url": urls.graphql_url,
    }
    contexts["secrets"] = {**_mapping(contexts.get("secrets")), "GITHUB_TOKEN": token.value}
    masks = (*document.masks, token.value)
    if entry is None:
        full = {**contexts, "env": document.contexts.get("env", {})}
        return dataclasses.replace(document, contexts=full, masks=masks)
    workflow, job = entry.workflow, entry.job
    env = values.job_env(workflow, job, entry.runner_env, contexts)
    full = {**contexts, "env": env}
    return dataclasses.replace(
        document,
        contexts=full,
        env=env,
        defaults=values.run_defaults(workflow, job, full),
        services=values.services(job.services, full),
        container=values.container(job.container, full),
        masks=masks,
    )


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}
