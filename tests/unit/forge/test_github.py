"""The GitHub adapter over real HTTP against a test GitHub that checks every request against
GitHub's OpenAPI description: App auth, check runs, statuses, rate limits and outages."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conveyor.engine.ports.forge import (
    AnnotationLevel,
    CheckAnnotation,
    CheckConclusion,
    CheckRunReport,
    CheckStatus,
    CommitState,
    CommitStatusReport,
    ReportOutcome,
    ReportResult,
    as_result,
)
from conveyor.forge.github import GitHubForge, MemoryCheckRunIds
from conveyor.forge.github_config import GitHubConfig, forge_urls
from tests.support.github_double import GitHubDouble, Scripted
from tests.support.http_server import running_app

SHA = "a" * 40
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
)


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    double: GitHubDouble
    forge: GitHubForge
    clock: Clock


@pytest.fixture
def rig() -> Iterator[Rig]:
    double = GitHubDouble(KEY.public_key(), app_id="4242")
    clock = Clock()
    with running_app(double.app) as base_url:
        config = GitHubConfig(
            api_url=base_url, app_id="4242", private_key=PEM, installation_id="77", timeout=0.5
        )
        forge = GitHubForge(config, clock=clock)
        try:
            yield Rig(double, forge, clock)
        finally:
            forge.close()
    assert not double.invalid, double.invalid


def check(status: CheckStatus = CheckStatus.QUEUED, **changes: object) -> CheckRunReport:
    report = CheckRunReport(
        repository="octo/hello",
        head_sha=SHA,
        name="build (ubuntu-latest)",
        external_id="run-1/1/build",
        status=status,
        details_url="http://conveyor.example/runs/1/job?key=build",
        title=str(status),
        summary=f"the job is {status}",
    )
    return replace(report, **changes)  # type: ignore[arg-type]


def test_a_job_s_states_create_one_check_run_then_update_it(rig: Rig) -> None:
    sent = [
        rig.forge.report_check(check(CheckStatus.QUEUED)),
        rig.forge.report_check(check(CheckStatus.IN_PROGRESS, started_at="2027-01-15T08:00:00Z")),
        rig.forge.report_check(
            check(
                CheckStatus.COMPLETED,
                conclusion=CheckConclusion.FAILURE,
                completed_at="2027-01-15T08:01:00Z",
            )
        ),
    ]
    assert [as_result(answer).outcome for answer in sent] == [ReportOutcome.SENT] * 3
    assert len(rig.double.calls("POST", "/check-runs")) == 1
    assert len(rig.double.calls("PATCH", "/check-runs/")) == 2
    assert len(rig.double.calls("POST", "/access_tokens")) == 1  # the token is cached
    run = rig.double.check_by_external_id("run-1/1/build")
    assert run is not None
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
    assert run["head_sha"] == SHA
    assert run["details_url"] == "http://conveyor.example/runs/1/job?key=build"


def test_the_installation_token_is_renewed_shortly_before_it_expires(rig: Rig) -> None:
    rig.forge.report_check(check())
    rig.clock.now += 30 * 60
    rig.forge.report_check(check(CheckStatus.IN_PROGRESS))
    assert len(rig.double.calls("POST", "/access_tokens")) == 1
    rig.clock.now += 29 * 60  # the (test) token expires in 2099, but the cache trusts an hour
    rig.forge.report_check(check(CheckStatus.COMPLETED, conclusion=CheckConclusion.SUCCESS))
    assert len(rig.double.calls("POST", "/access_tokens")) == 2


def test_a_long_summary_is_cut_to_github_s_limit_and_annotations_go_50_a_request(
    rig: Rig,
) -> None:
    annotations = tuple(
        CheckAnnotation("src/app.py", n, n, AnnotationLevel.FAILURE, f"problem {n}")
        for n in range(1, 121)
    )
    report = check(
        CheckStatus.COMPLETED,
        conclusion=CheckConclusion.FAILURE,
        summary="é" * 70_000,
        annotations=annotations,
    )
    assert as_result(rig.forge.report_check(report)).outcome is ReportOutcome.SENT
    run = rig.double.check_by_external_id(report.external_id)
    assert run is not None
    assert len(run["output"]["summary"]) <= 65535
    assert run["output"]["summary"].endswith("(truncated)")
    assert [a["message"] for a in rig.double.annotations[run["id"]]] == [
        f"problem {n}" for n in range(1, 121)
    ]
    assert (
        len(rig.double.calls("POST", "/check-runs"))
        + len(rig.double.calls("PATCH", "/check-runs/"))
        == 3
    )


def test_a_rate_limit_answers_retry_until_its_reset_without_sending(rig: Rig) -> None:
    reset = int(rig.clock.now) + 120
    limited = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
    rig.double.script.append(Scripted(403, limited))
    first = as_result(rig.forge.report_check(check()))
    assert first == ReportResult(ReportOutcome.RETRY, retry_after=120.0)
    sent_so_far = len(rig.double.seen)
    rig.clock.now += 60
    again = as_result(rig.forge.report_check(check()))
    assert again == ReportResult(ReportOutcome.RETRY, retry_after=60.0)
    assert len(rig.double.seen) == sent_so_far  # nothing sent before the reset
    rig.clock.now += 61
    assert as_result(rig.forge.report_check(check())).outcome is ReportOutcome.SENT
    assert rig.double.check_by_external_id("run-1/1/build") is not None


def test_retry_after_is_honoured_on_429_and_secondary_limits(rig: Rig) -> None:
    rig.double.script.append(Scripted(429, {"Retry-After": "7"}))
    assert as_result(rig.forge.report_check(check())) == ReportResult(ReportOutcome.RETRY, 7.0)


def test_server_errors_and_timeouts_are_retried_later(rig: Rig) -> None:
    rig.forge.report_check(check())  # the token is fetched
    rig.double.script.append(Scripted(502))
    assert as_result(rig.forge.report_check(check())) == ReportResult(ReportOutcome.RETRY)
    rig.double.script.append(Scripted(200, delay=1.0))
    assert as_result(rig.forge.report_check(check())) == ReportResult(ReportOutcome.RETRY)
    assert as_result(rig.forge.report_check(check())).outcome is ReportOutcome.SENT


def test_a_token_without_checks_permission_is_refused_and_statuses_still_work(rig: Rig) -> None:
    rig.double.refuse_checks = True
    assert as_result(rig.forge.report_check(check())).outcome is ReportOutcome.REFUSED
    status = CommitStatusReport(
        "octo/hello", SHA, CommitState.PENDING, "conveyor/CI", "running", "http://c/runs/1"
    )
    assert as_result(rig.forge.report_status(status)).outcome is ReportOutcome.SENT
    assert rig.double.statuses == [
        {
            "state": "pending",
            "context": "conveyor/CI",
            "description": "running",
            "target_url": "http://c/runs/1",
        }
    ]


def test_a_plain_token_is_sent_as_is() -> None:
    double = GitHubDouble()
    double.static_tokens.add("ghp_plain")
    with running_app(double.app) as base_url:
        forge = GitHubForge(GitHubConfig(api_url=base_url, token="ghp_plain"))
        try:
            assert as_result(forge.report_check(check())).outcome is ReportOutcome.SENT
        finally:
            forge.close()
    assert double.seen[0].authorization == "token ghp_plain"
    assert not double.invalid


def test_job_tokens_are_installation_tokens_narrowed_to_the_permissions(rig: Rig) -> None:
    asked = {"contents": "read", "pull-requests": "write", "issues": "none"}
    token = rig.forge.job_token("octo/hello", asked)
    assert rig.double.tokens[token.value] == {
        "metadata": "read",
        "contents": "read",
        "pull_requests": "write",
    }
    assert token.permissions == {"contents": "read", "pull-requests": "write"}
    request = rig.double.calls("POST", "/access_tokens")[-1]
    assert request.body["repositories"] == ["hello"]


def test_a_plain_token_is_never_handed_to_a_job() -> None:
    forge = GitHubForge(GitHubConfig(token="ghp_server_own"))
    try:
        assert forge.job_token("octo/hello", {"contents": "write"}).value == ""
    finally:
        forge.close()


def test_urls_of_github_com_and_of_an_enterprise_server() -> None:
    dotcom = forge_urls("https://api.github.com")
    assert (dotcom.server_url, dotcom.graphql_url) == (
        "https://github.com",
        "https://api.github.com/graphql",
    )
    ghes = forge_urls("https://ghe.example.com/api/v3/")
    assert ghes.api_url == "https://ghe.example.com/api/v3"
    assert (ghes.server_url, ghes.graphql_url) == (
        "https://ghe.example.com",
        "https://ghe.example.com/api/graphql",
    )


def test_secrets_are_in_no_repr_and_no_log(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rig.forge.report_check(check())
    rig.double.script.append(Scripted(502))
    rig.forge.report_check(check())
    issued = next(iter(rig.double.tokens))
    text = caplog.text + repr(rig.forge) + repr(rig.forge.config)
    assert issued not in text
    assert "PRIVATE KEY" not in text
    assert "ghp_" not in repr(GitHubConfig(token="ghp_secret"))


def test_a_create_that_timed_out_is_looked_up_not_created_twice(rig: Rig) -> None:
    rig.forge.report_check(check(external_id="other"))  # the token is fetched
    rig.double.script.append(Scripted(200, delay=1.0))  # GitHub creates it; the answer is late
    assert as_result(rig.forge.report_check(check())).outcome is ReportOutcome.RETRY
    done = check(CheckStatus.COMPLETED, conclusion=CheckConclusion.SUCCESS)
    assert as_result(rig.forge.report_check(done)).outcome is ReportOutcome.SENT
    assert len(rig.double.calls("GET", "/check-runs")) == 1
    run = rig.double.check_by_external_id("run-1/1/build")  # one check run, completed
    assert run is not None
    assert run["conclusion"] == "success"


def test_check_run_ids_outlive_the_adapter(rig: Rig) -> None:
    ids = MemoryCheckRunIds()
    first = GitHubForge(rig.forge.config, clock=rig.clock, check_ids=ids)
    try:
        first.report_check(check())
    finally:
        first.close()
    second = GitHubForge(rig.forge.config, clock=rig.clock, check_ids=ids)  # a restart
    try:
        second.report_check(check(CheckStatus.IN_PROGRESS))
    finally:
        second.close()
    assert len(rig.double.calls("POST", "/check-runs")) == 1
    assert len(rig.double.calls("PATCH", "/check-runs/")) == 1


def test_annotations_sent_before_an_outage_are_not_sent_twice(rig: Rig) -> None:
    rig.forge.report_check(check())  # the check run exists
    annotations = tuple(
        CheckAnnotation("a.py", n, n, AnnotationLevel.WARNING, f"note {n}") for n in range(1, 121)
    )
    done = check(CheckStatus.COMPLETED, conclusion=CheckConclusion.NEUTRAL, annotations=annotations)
    rig.double.script.extend([Scripted(200), Scripted(502)])
    assert as_result(rig.forge.report_check(done)).outcome is ReportOutcome.RETRY
    assert as_result(rig.forge.report_check(done)).outcome is ReportOutcome.SENT
    run = rig.double.check_by_external_id(done.external_id)
    assert run is not None
    assert [a["message"] for a in rig.double.annotations[run["id"]]] == [
        f"note {n}" for n in range(1, 121)
    ]


def test_a_secondary_rate_limit_without_headers_waits_a_minute_not_refused(rig: Rig) -> None:
    rig.forge.report_check(check())
    rig.double.script.append(
        Scripted(403, message="You have exceeded a secondary rate limit. Please wait.")
    )
    answer = as_result(rig.forge.report_check(check(CheckStatus.IN_PROGRESS)))
    assert answer == ReportResult(ReportOutcome.RETRY, 60.0)
