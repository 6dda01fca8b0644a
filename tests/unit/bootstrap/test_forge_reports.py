"""The reporting pipeline of a served run: the observer queues each job state change as a check
run (in the database), the drain sends them; RETRY waits, REFUSED falls back to statuses."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conveyor.bootstrap.forge_observer import ForgeObserver, ReportTarget
from conveyor.bootstrap.forge_reports import ForgeReports
from conveyor.engine.ports.forge import (
    AnnotationLevel,
    CheckConclusion,
    CheckRunReport,
    CheckStatus,
    CommitState,
    CommitStatusReport,
    ForgeUrls,
    JobToken,
    ReportOutcome,
    ReportResult,
)
from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord
from conveyor.forge.fake import FAKE_URLS
from conveyor.model.results import Annotation, Conclusion
from conveyor.model.results import AnnotationLevel as Level
from conveyor.store.database import Database
from conveyor.store.forge_outbox import SqlForgeOutbox
from conveyor.store.handle import open_store

SHA = "b" * 40


@dataclass
class ScriptedForge:
    """Answers `answers` in order (then SENT); keeps what it accepted."""

    answers: list[ReportResult] = field(default_factory=list)
    refuse_checks: bool = False
    checks: list[CheckRunReport] = field(default_factory=list)
    statuses: list[CommitStatusReport] = field(default_factory=list)
    attempts: int = 0

    def urls(self) -> ForgeUrls:
        return FAKE_URLS

    def report_check(self, report: CheckRunReport) -> ReportResult:
        self.attempts += 1
        if self.refuse_checks:
            return ReportResult(ReportOutcome.REFUSED)
        answer = self.answers.pop(0) if self.answers else ReportResult(ReportOutcome.SENT)
        if answer.outcome is ReportOutcome.SENT:
            self.checks.append(report)
        return answer

    def report_status(self, report: CommitStatusReport) -> ReportOutcome:
        self.statuses.append(report)
        return ReportOutcome.SENT

    def job_token(self, repository: str, permissions: object) -> JobToken:
        raise AssertionError("not used")


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def outbox(conveyor_home: Path) -> Iterator[SqlForgeOutbox]:
    store = open_store(conveyor_home)
    assert isinstance(store.database, Database)
    yield SqlForgeOutbox(store.database)
    store.close()


TARGET = ReportTarget(
    repository="octo/hello",
    sha=SHA,
    run_id=7,
    attempt=1,
    workflow="CI",
    server_url="http://conveyor.example",
)


def view(key: str = "build") -> JobView:
    return JobView("7", ".github/workflows/ci.yml", "CI", key, key, f"{key} job")


def test_each_job_state_becomes_its_check_run(outbox: SqlForgeOutbox) -> None:
    forge, clock = ScriptedForge(), Clock()
    reports = ForgeReports(forge, outbox, clock)
    observer = ForgeObserver(reports, TARGET, clock)
    job = view()
    observer.job_started(job)
    assert reports.drain() is None
    observer.step_started(job, 0, "Set up job")
    observer.step_started(job, 1, "test")  # no new state: nothing queued
    assert reports.drain() is None
    error = Annotation(Level.ERROR, "boom", file="src/a.py", line=3)
    loose = Annotation(Level.WARNING, "no file")
    record = JobRecord(
        job, Conclusion.FAILURE, summary="## Tests\n1 failed", annotations=(error, loose)
    )
    observer.job_finished(job, record)
    assert reports.drain() is None
    assert [c.status for c in forge.checks] == [
        CheckStatus.QUEUED,
        CheckStatus.IN_PROGRESS,
        CheckStatus.COMPLETED,
    ]
    done = forge.checks[-1]
    assert done.conclusion is CheckConclusion.FAILURE
    assert done.external_id == "run-7/attempt-1/build"
    assert done.details_url == "http://conveyor.example/runs/7/job?key=build"
    assert done.summary == "## Tests\n1 failed"
    assert [(a.path, a.start_line, a.level) for a in done.annotations] == [
        ("src/a.py", 3, AnnotationLevel.FAILURE)
    ]
    assert forge.statuses == []  # checks work: no fallback statuses
    assert outbox.count() == 0


def test_an_outage_keeps_reports_waiting_and_only_the_newest_goes_out(
    outbox: SqlForgeOutbox,
) -> None:
    down = ReportResult(ReportOutcome.RETRY)
    forge, clock = ScriptedForge([down, down, down]), Clock()
    reports = ForgeReports(forge, outbox, clock)
    observer = ForgeObserver(reports, TARGET, clock)
    job = view()
    observer.job_started(job)
    wait = reports.drain()
    assert wait is not None
    assert wait > 0
    observer.step_started(job, 0, "Set up job")
    observer.job_finished(job, JobRecord(job, Conclusion.SUCCESS))
    assert reports.drain() == wait  # not due yet: nothing sent
    assert forge.attempts == 1
    for _ in range(3):
        clock.now += 300
        reports.drain()
    assert [c.status for c in forge.checks] == [CheckStatus.COMPLETED]
    assert outbox.count() == 0


def test_a_rate_limit_s_wait_is_honoured(outbox: SqlForgeOutbox) -> None:
    forge, clock = ScriptedForge([ReportResult(ReportOutcome.RETRY, 90.0)]), Clock()
    reports = ForgeReports(forge, outbox, clock)
    ForgeObserver(reports, TARGET, clock).job_started(view())
    reports.drain()
    for _ in range(17):  # the loop wakes every 5 s or so: nothing is sent before the wait
        clock.now += 5
        reports.drain()
    assert (forge.checks, forge.attempts) == ([], 1)
    clock.now += 5
    assert reports.drain() is None
    assert len(forge.checks) == 1


def test_without_checks_permission_the_workflow_gets_commit_statuses(
    outbox: SqlForgeOutbox,
) -> None:
    forge, clock = ScriptedForge(refuse_checks=True), Clock()
    reports = ForgeReports(forge, outbox, clock)
    observer = ForgeObserver(reports, TARGET, clock)
    job = view()
    observer.job_started(job)
    reports.drain()
    observer.job_finished(job, JobRecord(job, Conclusion.FAILURE))
    observer.run_finished(Conclusion.FAILURE)
    reports.drain()
    assert [(s.state, s.context, s.sha) for s in forge.statuses] == [
        (CommitState.PENDING, "conveyor/CI", SHA),
        (CommitState.FAILURE, "conveyor/CI", SHA),
    ][-len(forge.statuses) :]
    assert forge.statuses[-1].state is CommitState.FAILURE
    assert forge.statuses[-1].target_url == "http://conveyor.example/runs/7"
    assert outbox.count() == 0


def test_a_broken_queue_never_fails_the_run(conveyor_home: Path) -> None:
    store = open_store(conveyor_home)
    try:
        assert isinstance(store.database, Database)
        with store.database.write() as conn:
            conn.exec_driver_sql("DROP TABLE forge_reports")
        reports = ForgeReports(ScriptedForge(), SqlForgeOutbox(store.database), Clock())
        observer = ForgeObserver(reports, TARGET, Clock())
        observer.job_started(view())  # logged, not raised
        observer.job_finished(view(), JobRecord(view(), Conclusion.SUCCESS))
        assert reports.drain() is None  # logged, not raised
    finally:
        store.close()


@dataclass
class SlowForge(ScriptedForge):
    def report_check(self, report: CheckRunReport) -> ReportResult:
        time.sleep(0.1)
        return super().report_check(report)


def test_a_last_drain_at_shutdown_is_bounded_and_keeps_the_rest(outbox: SqlForgeOutbox) -> None:
    forge, clock = SlowForge(), Clock()
    reports = ForgeReports(forge, outbox, clock)
    observer = ForgeObserver(reports, TARGET, clock)
    for n in range(20):
        observer.job_started(view(f"job-{n}"))
    began = time.monotonic()
    reports.drain(until=began + 0.35)
    assert time.monotonic() - began < 1.0
    assert 1 <= len(forge.checks) < 20
    assert outbox.count() > 0  # the rest is sent by the next server
