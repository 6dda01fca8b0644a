"""The local forge's job tokens for the runs `conveyor serve` runs: a run of a hosted repository
(the server knowing its own URL) gets each job a `GITHUB_TOKEN` from the store's `job_tokens`
(`conveyor.engine.job_tokens.JobTokenExecutor`) and the server's URLs as the forge's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conveyor.bootstrap.local_run import PreparedRun
from conveyor.engine.job_environment import index_jobs
from conveyor.engine.job_tokens import JobTokenExecutor, JobTokenWiring
from conveyor.engine.ports.executor import Executor
from conveyor.engine.ports.forge import ForgeUrls
from conveyor.git.hosting import hosted_repository
from conveyor.store.database import Database
from conveyor.store.job_tokens import SqlJobTokens
from conveyor.store.served_repositories import ServedRepositories

ExecutorWrap = Callable[[Executor, PreparedRun], Executor]


def forge_urls(server_url: str) -> ForgeUrls:
    server = server_url.rstrip("/")
    return ForgeUrls(server, f"{server}/api/v3", f"{server}/api/graphql")


def job_token_wrap(
    home: Path,
    database: Database,
    repositories: ServedRepositories,
    repository: str,
    server_url: str | None,
) -> ExecutorWrap | None:
    """What gives the jobs of `repository`'s run their tokens; None when it is not hosted here
    (or the server's URL is unknown)."""
    served = repositories.get(repository)
    if server_url is None or served is None:
        return None
    if served.url != str(hosted_repository(home, repository)):
        return None
    issuer, urls = SqlJobTokens(database), forge_urls(server_url)

    def wrap(executor: Executor, prepared: PreparedRun) -> Executor:
        jobs = index_jobs([(request.plan, request.scope.env) for request in prepared.requests])
        return JobTokenExecutor(executor, JobTokenWiring(issuer, repository, urls, jobs))

    return wrap
