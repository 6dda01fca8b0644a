"""Which cron tick of a default-branch workflow is due, and when the next one comes. Pure.

GitHub's rules: crons are evaluated in UTC (or the entry's `timezone:`); a workflow runs at most
once every 5 minutes (`* * * * *` fires at :00, :05, …); a tick missed while no scheduler ran is
not made up, except the latest one, which fires once when a scheduler is back. Two crons of one
workflow matching the same minute fire it once (the first cron in the file names the event).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from conveyor.model.triggers import CronSpec
from conveyor.server.repository_workflows import RepositoryWorkflows
from conveyor.triggers.schedule import cron_problem, next_run, previous_run

MINIMUM_INTERVAL = 300.0  # seconds: GitHub's shortest interval between two scheduled runs


class ScheduleClaims(Protocol):
    def claim(self, repository: str, workflow: str, tick: float, cron: str, owner: str) -> bool:
        """True for the one caller that fires `tick`."""
        ...

    def last_tick(self, repository: str, workflow: str) -> float | None: ...


@dataclass(frozen=True, slots=True)
class ScheduledWorkflow:
    """A workflow with `on.schedule` as it is at the head of its repository's default branch."""

    repository: str
    path: str
    name: str  # the workflow's name: (or its path)
    crons: tuple[CronSpec, ...]
    ref: str
    sha: str


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    """One cron entry of a scheduled workflow and when it fires next (`conveyor schedules`)."""

    repository: str
    path: str
    name: str
    cron: str
    timezone: str | None
    next: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class Tick:
    """One firing: the cron minute (epoch seconds) and the cron entry that made it."""

    repository: str
    path: str
    tick: float
    cron: str


def scheduled_workflows(source: RepositoryWorkflows) -> Iterator[ScheduledWorkflow]:
    """Every registered repository's default-branch workflows that have valid cron entries."""
    for repository in source.repositories():
        head = source.default_branch(repository)
        if head is None:
            continue
        for found in source.workflows(repository, head.sha):
            trigger = found.workflow.on.get("schedule")
            crons = (
                tuple(c for c in trigger.crons if cron_problem(c.cron) is None) if trigger else ()
            )
            if crons:
                yield ScheduledWorkflow(
                    repository, found.path, found.name, crons, head.ref, head.sha
                )


def schedule_entries(
    source: RepositoryWorkflows, now: float, repository: str | None = None
) -> list[ScheduleEntry]:
    """Each cron entry of the scheduled workflows (of `repository`, or all) with its next time."""
    moment = datetime.fromtimestamp(now, UTC)
    return [
        ScheduleEntry(
            workflow.repository,
            workflow.path,
            workflow.name,
            spec.cron,
            spec.timezone,
            next_run(spec.cron, moment, spec.timezone).timestamp(),
        )
        for workflow in scheduled_workflows(source)
        if repository in (None, workflow.repository)
        for spec in workflow.crons
    ]


def iso_utc(timestamp: float) -> str:
    """`2026-03-02T10:15:00Z`."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def due_tick(
    workflow: ScheduledWorkflow, now: float, *, since: float, last: float | None
) -> Tick | None:
    """The latest tick at or before `now` when it is after `since` (the last claimed tick, or
    when the scheduler started) and at least 5 minutes after `last` (the last claimed tick)."""
    tick, cron = latest_tick(workflow, now)
    if tick <= since or (last is not None and tick - last < MINIMUM_INTERVAL):
        return None
    return Tick(workflow.repository, workflow.path, tick, cron)


def latest_tick(workflow: ScheduledWorkflow, now: float) -> tuple[float, str]:
    moment = datetime.fromtimestamp(now, UTC)
    ticks = [(previous_run(c.cron, moment, c.timezone).timestamp(), c.cron) for c in workflow.crons]
    newest = max(tick for tick, _ in ticks)
    return newest, next(cron for tick, cron in ticks if tick == newest)


def next_tick(workflow: ScheduledWorkflow, now: float) -> float:
    """The first tick strictly after `now` (epoch seconds)."""
    moment = datetime.fromtimestamp(now, UTC)
    return min(next_run(c.cron, moment, c.timezone).timestamp() for c in workflow.crons)
