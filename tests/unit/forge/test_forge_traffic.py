"""A run's check-run reports through the whole pipeline over real HTTP: ≤ 1 request per job
state change, and none lost through a 30 s outage with 502s, 403 rate limits and timeouts
(the clock is the test's: no 30 s of sleeping)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.forge_traffic import TOKEN, ForgeTraffic
from tests.support.github_double import GitHubDouble, Scripted
from tests.support.http_server import running_app

JOBS = 30


@pytest.fixture
def double() -> Iterator[GitHubDouble]:
    found = GitHubDouble()
    found.static_tokens.add(TOKEN)
    yield found
    assert not found.invalid, found.invalid


def check_requests(double: GitHubDouble) -> int:
    return len(double.calls("POST", "/check-runs")) + len(double.calls("PATCH", "/check-runs/"))


def all_completed(double: GitHubDouble, jobs: int) -> None:
    for n in range(jobs):
        run = double.check_by_external_id(f"run-1/attempt-1/job-{n}")
        assert run is not None, n
        assert run["status"] == "completed"
        assert run["conclusion"] == ("failure" if n % 7 == 0 else "success")
    failing = [n for n in range(jobs) if n % 7 == 0]
    assert sum(len(found) for found in double.annotations.values()) == len(failing)


def test_one_request_per_job_state_change(conveyor_home: Path, double: GitHubDouble) -> None:
    with running_app(double.app) as base_url:
        traffic = ForgeTraffic(conveyor_home, base_url)
        try:
            traffic.play(JOBS)
        finally:
            traffic.close()
    assert check_requests(double) == traffic.state_changes
    assert len(double.calls("POST", "/check-runs")) == JOBS
    all_completed(double, JOBS)
    assert double.statuses == []


def test_a_30_second_outage_loses_no_report(conveyor_home: Path, double: GitHubDouble) -> None:
    with running_app(double.app) as base_url:
        traffic = ForgeTraffic(conveyor_home, base_url)
        start = traffic.clock.now + 1.0
        double.down = lambda: start <= traffic.clock.now < start + 30.0
        reset = str(int(start) + 40)
        double.script.extend([Scripted(200)] * 5)
        double.script.append(
            Scripted(403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
        )
        try:
            traffic.play(JOBS)
            assert traffic.clock.now > start + 30.0
            assert traffic.outbox.count() == 0
        finally:
            traffic.close()
    all_completed(double, JOBS)
    assert len(double.calls("POST", "/check-runs")) == JOBS  # no check run created twice
