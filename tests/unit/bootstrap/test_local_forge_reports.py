"""Hosted repositories' runs report to the local forge: an observer for a hosted repository
only (and once the server's URL is known), the reports written straight to its tables, a
failing write logged and never raised into the run; a pull request's checks on its head."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.bootstrap.local_forge_reports import DirectReports, LocalForgeReporting
from conveyor.bootstrap.server_runs import reported_run
from conveyor.engine.ports.forge import CheckRunReport, CheckStatus
from conveyor.engine.ports.run_history import StoredRequest, StoredRun
from conveyor.engine.ports.store import RunStatus
from conveyor.server.hosting import create_hosted
from conveyor.store.forge_data import forge_data
from conveyor.store.handle import open_store
from conveyor.store.served_repositories import ServedRepository, served_repositories


def stored(repository: str, event: str = "push", sha: str = "a" * 40) -> StoredRun:
    return StoredRun(7, repository, "CI", ".github/workflows/ci.yml", 1, event, "refs/heads/main",
                     sha, 1, RunStatus.IN_PROGRESS, None, 0.0)  # fmt: skip


def test_only_hosted_repositories_get_an_observer(conveyor_home: Path) -> None:
    store = open_store(conveyor_home)
    try:
        repositories = served_repositories(store)
        create_hosted(conveyor_home, repositories, "acme/app")
        plain = ServedRepository("acme/plain", "https://example.com/p.git", "main", False, 0.0)
        repositories.add(plain, "s")
        url: dict[str, str | None] = {"url": None}
        reporting = LocalForgeReporting(conveyor_home, store, repositories, lambda: url["url"])
        assert reporting.observer(stored("acme/app"), 1) is None  # the URL is not known yet
        url["url"] = "http://ci.example"
        observer = reporting.observer(stored("acme/app"), 1)
        assert reporting.observer(stored("acme/plain"), 1) is None
        assert observer is not None
        observer.reports.check(
            CheckRunReport(
                "acme/app", "a" * 40, "build", "run-7/attempt-1/build", CheckStatus.QUEUED
            )
        )
        (run,) = forge_data(store).checks.runs("acme/app", "a" * 40)
    finally:
        store.close()
    assert (run.name, run.status) == ("build", "queued")


def test_a_failing_report_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def report_check(self, report: object) -> object:
            raise RuntimeError("database gone")

    DirectReports(Broken()).check(  # type: ignore[arg-type]
        CheckRunReport("acme/app", "a" * 40, "build", "x", CheckStatus.QUEUED)
    )
    assert "local forge report failed" in caplog.text


def test_a_pull_requests_checks_go_on_its_head_commit() -> None:
    payload = {"pull_request": {"head": {"sha": "h" * 40}}}
    request = StoredRequest(stored("acme/app", "pull_request", "m" * 40), payload, {}, {})
    assert reported_run(request).sha == "h" * 40
    push = StoredRequest(stored("acme/app"), payload, {}, {})
    assert reported_run(push).sha == "a" * 40
