"""`JobTokenExecutor`: a token per job with its `permissions:`, in `github.token`,
`secrets.GITHUB_TOKEN`, the masks and the job's `env:` that uses it; the forge's URLs in
`github`; revoked when the job ends, a failing executor included; forecasts passed on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from conveyor.engine.job_environment import JobEntry
from conveyor.engine.job_tokens import JobTokenExecutor, JobTokenWiring
from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobForecast, JobReporter
from conveyor.engine.ports.forge import ForgeUrls, JobToken
from conveyor.model.results import Conclusion, JobResult
from tests.unit.engine.conftest import workflow_from

WORKFLOW = """\
on: push
permissions: {contents: write}
jobs:
  build:
    runs-on: ubuntu-latest
    env: {GH_TOKEN: "${{ github.token }}"}
    steps: [{run: "true"}]
  narrow:
    runs-on: ubuntu-latest
    permissions: {issues: write}
    steps: [{run: "true"}]
"""
URLS = ForgeUrls("http://ci:8080", "http://ci:8080/api/v3", "http://ci:8080/api/graphql")


@dataclass
class Issuer:
    minted: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)

    def mint(
        self, repository: str, job: str, permissions: Mapping[str, str], *, lifetime: float
    ) -> JobToken:
        self.minted.append((repository, job, dict(permissions)))
        return JobToken(f"cvyj_token-{len(self.minted)}", dict(permissions))

    def revoke(self, value: str) -> bool:
        self.revoked.append(value)
        return True


@dataclass
class Inner:
    fail: bool = False
    seen: list[JobDocument] = field(default_factory=list)
    forecasts: list[JobForecast] = field(default_factory=list)

    def run_job(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> JobResult:
        self.seen.append(document)
        if self.fail:
            raise RuntimeError("the executor broke")
        return JobResult(Conclusion.SUCCESS)

    def forecast(self, forecast: JobForecast) -> None:
        self.forecasts.append(forecast)


def _document(job_id: str) -> JobDocument:
    github = {"server_url": "https://github.com", "repository": "acme/app"}
    return JobDocument(
        run_id="7", job_id=job_id, instance_key=job_id, display_name=job_id,
        workflow_path=".github/workflows/test.yml", repository="/repo", sha=None,
        contexts={"github": github, "secrets": {"A": "b"}, "env": {}}, env={}, steps=(),
    )  # fmt: skip


def _executor(inner: Inner, issuer: Issuer) -> JobTokenExecutor:
    workflow = workflow_from(WORKFLOW)
    jobs = {(workflow.path, key): JobEntry(workflow, job) for key, job in workflow.jobs.items()}
    return JobTokenExecutor(inner, JobTokenWiring(issuer, "acme/app", URLS, jobs))


def test_each_job_gets_a_token_with_its_permissions_and_the_forge_urls() -> None:
    inner, issuer = Inner(), Issuer()
    executor = _executor(inner, issuer)
    executor.run_job(_document("build"), None, None)  # type: ignore[arg-type]
    executor.run_job(_document("narrow"), None, None)  # type: ignore[arg-type]
    (repo, job, permissions), narrow = issuer.minted[0], issuer.minted[1][2]
    assert (repo, job, permissions["contents"]) == ("acme/app", "run-7/build", "write")
    assert (narrow["issues"], narrow["contents"]) == ("write", "none")
    built = inner.seen[0]
    github = built.contexts["github"]
    assert isinstance(github, Mapping)
    assert github["token"] == "cvyj_token-1"
    assert (github["server_url"], github["api_url"]) == (URLS.server_url, URLS.api_url)
    assert github["graphql_url"] == URLS.graphql_url
    assert built.contexts["secrets"] == {"A": "b", "GITHUB_TOKEN": "cvyj_token-1"}
    assert built.env == {"GH_TOKEN": "cvyj_token-1"}  # the job's env: evaluated again
    assert "cvyj_token-1" in built.masks
    assert issuer.revoked == ["cvyj_token-1", "cvyj_token-2"]


def test_the_token_is_revoked_when_the_executor_fails_and_forecasts_pass() -> None:
    inner, issuer = Inner(fail=True), Issuer()
    executor = _executor(inner, issuer)
    with pytest.raises(RuntimeError):
        executor.run_job(_document("build"), None, None)  # type: ignore[arg-type]
    assert issuer.revoked == ["cvyj_token-1"]
    forecast = JobForecast("/repo", None, False, 0, 1)
    executor.forecast(forecast)
    assert inner.forecasts == [forecast]
