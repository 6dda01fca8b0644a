"""A served run's job states played through the reporting pipeline (ForgeObserver → the
database's retry queue → GitHubForge over real HTTP → the test GitHub), on a clock the caller
moves: what the forge tests and benchmarks/bench_forge.py measure.

    traffic = ForgeTraffic(home, base_url, clock)
    traffic.play(jobs=100, outage=(start, end))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from conveyor.bootstrap.forge_observer import ForgeObserver, ReportTarget
from conveyor.bootstrap.forge_reports import ForgeReports
from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord
from conveyor.forge.github import GitHubForge
from conveyor.forge.github_config import GitHubConfig
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion
from conveyor.store.database import Database
from conveyor.store.forge_outbox import SqlForgeOutbox
from conveyor.store.handle import StoreHandle, open_store

TOKEN = "ghp_forge_traffic"
SHA = "c" * 40
STEP = 0.1  # clock seconds between two state changes


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class ForgeTraffic:
    home: Path
    api_url: str
    clock: Clock = field(default_factory=Clock)
    state_changes: int = 0

    def __post_init__(self) -> None:
        self.store: StoreHandle = open_store(self.home)
        assert isinstance(self.store.database, Database)
        self.outbox = SqlForgeOutbox(self.store.database)
        config = GitHubConfig(api_url=self.api_url, token=TOKEN, timeout=2.0)
        self.forge = GitHubForge(config, clock=self.clock)
        self.reports = ForgeReports(self.forge, self.outbox, self.clock)
        target = ReportTarget("octo/hello", SHA, 1, 1, "CI", "http://conveyor.test")
        self.observer = ForgeObserver(self.reports, target, self.clock)

    def close(self) -> None:
        self.forge.close()
        self.store.close()

    def play(self, jobs: int, *, drain_each: bool = True) -> None:
        """Each job: queued, in progress, completed (every 7th fails with an annotation); the
        queue drained after each state change (as the woken loop does) or at the end."""
        for n in range(jobs):
            self._job(n, drain_each)
        self.observer.run_finished(Conclusion.FAILURE)
        self.settle()

    def _job(self, n: int, drain_each: bool) -> None:
        job = JobView("1", ".github/workflows/ci.yml", "CI", f"job-{n}", f"job-{n}", f"job {n}")
        failed = n % 7 == 0
        notes = (Annotation(AnnotationLevel.ERROR, "boom", file="a.py", line=n + 1),)
        record = JobRecord(
            job,
            Conclusion.FAILURE if failed else Conclusion.SUCCESS,
            summary=f"## job {n}\n",
            annotations=notes if failed else (),
        )
        for change in (
            lambda: self.observer.job_started(job),
            lambda: self.observer.step_started(job, 0, "Set up job"),
            lambda: self.observer.job_finished(job, record),
        ):
            change()
            self.state_changes += 1
            self.clock.now += STEP
            if drain_each:
                self.reports.drain()

    def settle(self, limit: float = 3600.0) -> None:
        """Drain, moving the clock to each next due report, until nothing waits."""
        end = self.clock.now + limit
        while (wait := self.reports.drain()) is not None:
            assert self.clock.now < end, "reports still waiting after an hour"
            self.clock.now += max(wait, STEP)
