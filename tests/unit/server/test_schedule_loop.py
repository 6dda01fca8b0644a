"""Schedules: each cron tick of a default-branch workflow fires once, even with two schedulers
on one database; after downtime only the latest missed tick fires; GitHub's 5-minute floor."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from conveyor.errors import InfrastructureError
from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.repository_workflows import (
    GitRepositoryWorkflows,
    ResolvedRef,
    WorkflowAt,
)
from conveyor.server.schedule_loop import REFRESH_SECONDS, ScheduleLoop
from conveyor.store.database import Database, connect
from conveyor.store.handle import opened_store as open_store
from conveyor.store.schedule_claims import SqlScheduleClaims
from conveyor.store.schema import ensure_schema
from tests.support.http_server import running_app
from tests.unit.server.schedule_helpers import (
    CI,
    EVERY_MINUTE,
    NIGHTLY,
    REPOSITORY,
    FakeClock,
    at,
    scheduled_repository,
    source_for,
)


def database(home: Path) -> Database:
    found = connect(f"sqlite:///{home / 'conveyor.db'}")
    ensure_schema(found)
    return found


def make_loop(
    home: Path, repo_root: Path, clock: Callable[[], float], starter: FakeStarter
) -> ScheduleLoop:
    from tests.unit.git.repo_factory import TestRepo

    return ScheduleLoop(
        source_for(TestRepo(repo_root)),
        SqlScheduleClaims(database(home)),
        starter,
        clock=clock,
        owner=f"test-{id(starter)}",
    )


def test_a_tick_fires_once_with_the_schedule_event(tmp_path: Path, conveyor_home: Path) -> None:
    repo, sha = scheduled_repository(tmp_path / "repo", {"nightly.yml": NIGHTLY, "ci.yml": CI})
    clock, starter = FakeClock(at(10, 1)), FakeStarter()
    loop = make_loop(conveyor_home, repo.root, clock, starter)
    assert loop.poll() == []  # 10:00 came before the scheduler started
    assert loop.next_wake() == at(10, 15)
    clock.now = at(10, 15, 2)
    fired = loop.poll()
    assert [(tick.path, tick.tick) for tick in fired] == [
        (".github/workflows/nightly.yml", at(10, 15))
    ]
    assert loop.poll() == []
    [request] = starter.requests
    assert request.repository == REPOSITORY
    assert request.event_name == "schedule"
    assert request.payload == {"schedule": "*/15 * * * *"}
    assert (request.ref, request.sha) == ("refs/heads/main", sha)
    assert request.workflows == (".github/workflows/nightly.yml",)


def test_two_schedulers_on_one_database_fire_each_tick_once(
    tmp_path: Path, conveyor_home: Path
) -> None:
    repo, _ = scheduled_repository(tmp_path / "repo", {"nightly.yml": NIGHTLY})
    clock, starter = FakeClock(at(9, 59)), FakeStarter()
    loops = [make_loop(conveyor_home, repo.root, clock, starter) for _ in range(2)]
    for minute in (0, 15, 30, 45):
        clock.now = at(10, minute, 1)
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=poll_together, args=(loop, barrier)) for loop in loops]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert [request.payload for request in starter.requests] == [{"schedule": "*/15 * * * *"}] * 4


def poll_together(loop: ScheduleLoop, barrier: threading.Barrier) -> None:
    barrier.wait(timeout=10)
    loop.poll()


def test_after_downtime_only_the_latest_missed_tick_fires(
    tmp_path: Path, conveyor_home: Path
) -> None:
    repo, _ = scheduled_repository(tmp_path / "repo", {"nightly.yml": NIGHTLY})
    clock, starter = FakeClock(at(9, 59)), FakeStarter()
    first = make_loop(conveyor_home, repo.root, clock, starter)
    clock.now = at(10, 0, 5)
    assert len(first.poll()) == 1
    clock.now = at(11, 7)  # down from 10:01 to 11:07: 10:15 … 11:00 missed
    restarted = make_loop(conveyor_home, repo.root, clock, starter)
    assert [tick.tick for tick in restarted.poll()] == [at(11, 0)]
    assert restarted.poll() == []
    assert len(starter.requests) == 2


def test_a_cron_every_minute_fires_at_most_every_five_minutes(
    tmp_path: Path, conveyor_home: Path
) -> None:
    repo, _ = scheduled_repository(tmp_path / "repo", {"busy.yml": EVERY_MINUTE})
    clock, starter = FakeClock(at(9, 59, 30)), FakeStarter()
    loop = make_loop(conveyor_home, repo.root, clock, starter)
    fired = []
    for minute in range(11):
        clock.now = at(10, minute, 1)
        fired += [tick.tick for tick in loop.poll()]
    assert fired == [at(10, 0), at(10, 5), at(10, 10)]


def test_a_new_commit_on_the_default_branch_changes_the_schedule(
    tmp_path: Path, conveyor_home: Path
) -> None:
    repo, _ = scheduled_repository(tmp_path / "repo", {"nightly.yml": NIGHTLY})
    clock, starter = FakeClock(at(10, 1)), FakeStarter()
    loop = make_loop(conveyor_home, repo.root, clock, starter)
    new_sha = repo.commit({".github/workflows/nightly.yml": NIGHTLY.replace("*/15", "20")}, "x")
    assert loop.next_wake() == at(10, 20)
    clock.now = at(10, 20, 1)
    [tick] = loop.poll()
    assert starter.requests[0].sha == new_sha
    assert starter.requests[0].payload == {"schedule": "20 * * * *"}
    assert tick.cron == "20 * * * *"


def test_the_app_lifespan_runs_the_scheduler_and_stops_it(
    tmp_path: Path, conveyor_home: Path
) -> None:
    repo, _ = scheduled_repository(tmp_path / "repo", {"nightly.yml": NIGHTLY})
    origin, base, calls = time.monotonic(), at(10, 14, 59) + 0.6, itertools.count()

    def clock() -> float:
        """The scheduler starts at 10:14:30 (its first call); then 0.4 s of real time before
        the 10:15 tick, however long the server took to start."""
        if next(calls) == 0:
            return at(10, 14, 30)
        return base + (time.monotonic() - origin)

    starter = FakeStarter()
    with open_store(conveyor_home) as store:
        context = ServerContext(conveyor_home, store, starter, FakeControl(), FakeTokens())
        context.clock, context.workflows = clock, source_for(repo)
        with running_app(create_app(context)):
            deadline = time.monotonic() + 10
            while not starter.requests and time.monotonic() < deadline:
                time.sleep(0.05)
        assert [request.payload for request in starter.requests] == [{"schedule": "*/15 * * * *"}]
        assert not any(thread.name == "conveyor-schedules" for thread in threading.enumerate())


class OneWait(threading.Event):
    """A stop event that records the scheduler's first wait and ends its loop."""

    waited: float | None = None

    def wait(self, timeout: float | None = None) -> bool:
        self.waited = timeout
        self.set()
        return True


def test_a_tick_that_comes_during_a_pass_is_the_next_wake(
    tmp_path: Path, conveyor_home: Path
) -> None:
    repo, _ = scheduled_repository(tmp_path / "repo", {"nightly.yml": NIGHTLY})
    readings = iter([at(10, 14, 30), at(10, 14, 59) + 0.99])  # start, then the pass begins

    def clock() -> float:  # every later reading: just after the 10:15 tick
        return next(readings, at(10, 15) + 0.01)

    loop = make_loop(conveyor_home, repo.root, clock, FakeStarter())
    stop = OneWait()
    loop.run(stop)
    assert stop.waited is not None
    assert stop.waited <= 0.1  # wakes for 10:15 at once, not at 10:30 (the tick is not lost)


class FailingOnce:
    """A RepositoryWorkflows whose first listing fails (a mirror being rewritten, say)."""

    def __init__(self, inner: GitRepositoryWorkflows) -> None:
        self.inner, self.failed = inner, False

    def default_branch(self, repository: str) -> ResolvedRef | None:
        return self.inner.default_branch(repository)

    def resolve(self, repository: str, ref: str) -> ResolvedRef | None:
        return self.inner.resolve(repository, ref)

    def workflows(self, repository: str, sha: str) -> Sequence[WorkflowAt]:
        return self.inner.workflows(repository, sha)

    def repositories(self) -> list[str]:
        if not self.failed:
            self.failed = True
            raise InfrastructureError("git failed")
        return list(self.inner.repositories())


class TwoWaits(threading.Event):
    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        if len(self.waits) == 2:
            self.set()
        return self.is_set()


def test_a_failed_pass_is_logged_and_the_next_one_fires(
    tmp_path: Path, conveyor_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    repo, _ = scheduled_repository(tmp_path / "repo", {"nightly.yml": NIGHTLY})
    clock, starter = FakeClock(at(10, 14)), FakeStarter()
    loop = ScheduleLoop(
        FailingOnce(source_for(repo)),
        SqlScheduleClaims(database(conveyor_home)),
        starter,
        clock=clock,
    )
    clock.now = at(10, 15, 1)
    stop = TwoWaits()
    loop.run(stop)
    assert stop.waits[0] == REFRESH_SECONDS  # after the failure: retry within a minute
    assert "scheduler: the pass failed" in caplog.text
    assert [request.payload for request in starter.requests] == [{"schedule": "*/15 * * * *"}]
