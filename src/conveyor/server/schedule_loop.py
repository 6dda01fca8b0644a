"""The server's scheduler: a thread that wakes at the next cron tick and fires what is due.

`ScheduleLoop.poll()` is one pass: for each default-branch workflow with `on.schedule` (read
through `RepositoryWorkflows`, so a new commit on the default branch changes the schedule), the
due tick is claimed in the database (`schedule_ticks`: one row per repository, workflow and
tick) and only the scheduler whose claim landed starts the run. The app's lifespan starts the
thread (`start`) when the context has `workflows`; the clock is the context's, so tests move it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence

from conveyor.engine.ports.server_runs import EventRequest, RunStarter
from conveyor.errors import ConveyorError
from conveyor.server.context import ServerContext
from conveyor.server.repository_workflows import RepositoryWorkflows
from conveyor.server.schedules import (
    ScheduleClaims,
    ScheduledWorkflow,
    Tick,
    due_tick,
    next_tick,
)
from conveyor.server.schedules import scheduled_workflows as list_scheduled

LOG = logging.getLogger("conveyor.server.schedules")
REFRESH_SECONDS = 60.0  # re-read the default branches at least this often


class ScheduleLoop:
    def __init__(
        self,
        source: RepositoryWorkflows,
        claims: ScheduleClaims,
        starter: RunStarter,
        *,
        clock: Callable[[], float] = time.time,
        owner: str | None = None,
    ) -> None:
        self.source, self.claims, self.starter, self.clock = source, claims, starter, clock
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self.started_at = clock()  # ticks before this never fire for a workflow never fired

    def poll(
        self, now: float | None = None, listed: Sequence[ScheduledWorkflow] | None = None
    ) -> list[Tick]:
        """Fire every tick due `now` (default: the clock) that this scheduler claims; the ticks
        it fired. `listed`: the scheduled workflows, when the caller has just read them."""
        now = self.clock() if now is None else now
        fired: list[Tick] = []
        for workflow in list_scheduled(self.source) if listed is None else listed:
            tick = self._due(workflow, now)
            if tick is not None and self._claimed(tick):
                self._start(workflow, tick)
                fired.append(tick)
        return fired

    def next_wake(
        self, now: float | None = None, listed: Sequence[ScheduledWorkflow] | None = None
    ) -> float | None:
        """When the first tick after `now` of any scheduled workflow comes (None: nothing is
        scheduled)."""
        now = self.clock() if now is None else now
        found = list_scheduled(self.source) if listed is None else listed
        return min((next_tick(workflow, now) for workflow in found), default=None)

    def run(self, stop: threading.Event) -> None:
        """Poll at each tick (and every REFRESH_SECONDS) until `stop` is set."""
        while not stop.is_set():
            wake = self._pass()
            delay = REFRESH_SECONDS if wake is None else wake - self.clock() + 0.05
            stop.wait(min(max(delay, 0.05), REFRESH_SECONDS))

    def _due(self, workflow: ScheduledWorkflow, now: float) -> Tick | None:
        last = self.claims.last_tick(workflow.repository, workflow.path)
        since = self.started_at if last is None else last
        return due_tick(workflow, now, since=since, last=last)

    def _claimed(self, tick: Tick) -> bool:
        return self.claims.claim(tick.repository, tick.path, tick.tick, tick.cron, self.owner)

    def _start(self, workflow: ScheduledWorkflow, tick: Tick) -> None:
        request = EventRequest(
            workflow.repository,
            "schedule",
            payload={"schedule": tick.cron},
            ref=workflow.ref,
            sha=workflow.sha,
            workflows=(workflow.path,),
        )
        try:
            self.starter.start(request)
        except ConveyorError as exc:
            LOG.error("schedule %s %s: the run did not start: %s", tick.repository, tick.path, exc)

    def _pass(self) -> float | None:
        """poll() then next_wake() from the same instant and the same reading of the default
        branches (a tick that comes during the pass is the next wake, not skipped); an error is
        logged (the thread keeps running)."""
        now = self.clock()
        try:
            listed = list(list_scheduled(self.source))
            self.poll(now, listed)
            return self.next_wake(now, listed)
        except Exception:  # a failed pass must not end the server's scheduler
            LOG.exception("scheduler: the pass failed; retrying in %ss", REFRESH_SECONDS)
            return None


def start(context: ServerContext) -> Callable[[], None]:
    """Start the scheduler thread for the app's lifespan; the function that stops it."""
    loop = loop_for(context)
    if loop is None:
        return lambda: None
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), name="conveyor-schedules", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=10)

    return stopper


def loop_for(context: ServerContext) -> ScheduleLoop | None:
    """The context's scheduler: None without repositories or a database to claim ticks in."""
    claims = claims_for(context)
    if context.workflows is None or claims is None:
        return None
    return ScheduleLoop(context.workflows, claims, context.starter, clock=context.clock)


def claims_for(context: ServerContext) -> ScheduleClaims | None:
    """The context's claims, else the store's `schedule_ticks` (a SQLAlchemy database)."""
    if context.schedule_claims is not None:
        return context.schedule_claims
    from conveyor.store.database import Database
    from conveyor.store.schedule_claims import SqlScheduleClaims

    database = context.store.database
    return SqlScheduleClaims(database) if isinstance(database, Database) else None
