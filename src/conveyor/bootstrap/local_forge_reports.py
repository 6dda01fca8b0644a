"""Runs of the repositories the server hosts report to the local forge (`LocalForge`): a check
run per job on the run's head commit and a commit status per workflow, through the same
`ForgeObserver` as GitHub's reports.

The reports go straight to the database rather than through the retry queue: the local forge's
tables are in the database the run itself is recorded in, so there is no outage to wait out (if
the database is down, the run's own recording fails first), and a direct write shows the check's
new state at once instead of after the forge loop's next turn. A write that fails is logged and
the run goes on.

    reporting = LocalForgeReporting(home, store, repositories, lambda: runs.forge_url)
    runs.forge_observer = first_observer(github_wiring.observer, reporting.observer)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from conveyor.bootstrap.forge_observer import ForgeObserver, ReportTarget
from conveyor.engine.ports.forge import CheckRunReport, CommitStatusReport, Forge
from conveyor.engine.ports.store import StoredRun
from conveyor.git.hosting import hosted_repository
from conveyor.store.forge_data import forge_data
from conveyor.store.handle import StoreHandle
from conveyor.store.local_forge import LocalForge
from conveyor.store.served_repositories import ServedRepositories

log = logging.getLogger("conveyor.forge")
Observer = TypeVar("Observer")


class DirectReports:
    """The observer's reports sent to `forge` as they come (a local forge: rows)."""

    def __init__(self, forge: Forge) -> None:
        self.forge = forge

    def check(self, report: CheckRunReport) -> None:
        self._send(lambda: self.forge.report_check(report), report.external_id)

    def workflow_status(self, report: CommitStatusReport) -> None:
        self._send(lambda: self.forge.report_status(report), report.context)

    @staticmethod
    def _send(send: Callable[[], object], what: str) -> None:
        try:
            send()
        except Exception:  # the run goes on without this report
            log.exception("local forge report failed report=%s", what)


def hosted_here(home: Path, repositories: ServedRepositories, name: str) -> bool:
    """Whether `name` is registered as a repository this server hosts."""
    served = repositories.get(name)
    return served is not None and served.url == str(hosted_repository(home, name))


@dataclass
class LocalForgeReporting:
    """An observer for each run of a hosted repository (None for the others, or while the
    server's URL, which the checks' details links need, is unknown)."""

    home: Path
    store: StoreHandle
    repositories: ServedRepositories
    server_url: Callable[[], str | None]

    def observer(self, run: StoredRun, attempt: int) -> ForgeObserver | None:
        url = self.server_url()
        if (
            url is None
            or not run.sha
            or not hosted_here(self.home, self.repositories, run.repository)
        ):
            return None
        target = ReportTarget(run.repository, run.sha, run.id, attempt, run.workflow, url)
        return ForgeObserver(DirectReports(LocalForge(forge_data(self.store), url)), target)


def first_observer(
    *factories: Callable[[StoredRun, int], Observer | None],
) -> Callable[[StoredRun, int], Observer | None]:
    """The observer of the first factory that gives one for the run."""

    def observer(run: StoredRun, attempt: int) -> Observer | None:
        for factory in factories:
            found = factory(run, attempt)
            if found is not None:
                return found
        return None

    return observer
