"""The local forge's job tokens for the runs `conveyor serve` runs: a run of a hosted repository
(the server knowing its own URL) gets each job a `GITHUB_TOKEN` from the store's `job_tokens`
(`conveyor.engine.job_tokens.JobTokenExecutor`) and the server's URLs as the forge's."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from conveyor.bootstrap.local_run import PreparedRun
from conveyor.engine.job_environment import index_jobs
from conveyor.engine.job_tokens import JobTokenExecutor, JobTokenWiring
from conveyor.engine.ports.executor import Executor
from conveyor.engine.ports.forge import ForgeUrls
from conveyor.errors import UsageError
from conveyor.git.hosting import hosted_repository
from conveyor.store.database import Database
from conveyor.store.job_tokens import SqlJobTokens
from conveyor.store.served_repositories import ServedRepositories

ExecutorWrap = Callable[[Executor, PreparedRun], Executor]
VARIABLE = "CONVEYOR_FORGE_URL"  # the server's URL as jobs reach it (behind a proxy)


def configured_forge_url(listening: str, environ: Mapping[str, str] | None = None) -> str:
    """`CONVEYOR_FORGE_URL` when set (an http(s) URL), else `listening`."""
    env = os.environ if environ is None else environ
    given = env.get(VARIABLE, "").strip().rstrip("/")
    if not given:
        return listening
    parts = urlsplit(given)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{VARIABLE}={given!r}: give the server's http(s) URL")
    return given


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
