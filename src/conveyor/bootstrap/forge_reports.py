"""`ForgeReports`: what a served run tells its forge goes through the database's retry queue
(`forge_reports`), so a forge outage never blocks or fails a run, and no report is lost.

    reports = ForgeReports(forge, SqlForgeOutbox(database))
    reports.check(report)          # the observer queues a job's new state (never raises)
    reports.workflow_status(s)     # a workflow's state: sent only if checks are refused
    wait = reports.drain()         # the server's background loop sends what is due

A check waiting under the same external id is replaced by a newer report (one request for the
newest state). RETRY waits (GitHub's wait, else 1, 2, 4 ... 300 s); REFUSED on a check means the
token lacks the checks permission: the repository's workflows get commit statuses instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from conveyor.engine.ports.forge import (
    CheckRunReport,
    CommitStatusReport,
    Forge,
    ReportOutcome,
    ReportResult,
    as_result,
)
from conveyor.forge.report_json import check_from_json, check_json, status_from_json, status_json
from conveyor.store.forge_outbox import OutboxEntry, SqlForgeOutbox

log = logging.getLogger("conveyor.forge")
MAX_BACKOFF = 300.0
UNKNOWN_WAIT = 5.0  # a status waits this long for a check to say whether checks work
UNKNOWN_GIVE_UP = 120  # ... this many times, then it is dropped
CHECK, STATUS = "check", "status"


def backoff(attempts: int) -> float:
    return min(2.0 ** min(attempts, 16), MAX_BACKOFF)


class ForgeReports:
    def __init__(
        self, forge: Forge, outbox: SqlForgeOutbox, clock: Callable[[], float] = time.time
    ) -> None:
        self.forge, self.outbox, self.clock = forge, outbox, clock
        self._checks_work: dict[str, bool] = {}  # repository -> checks accepted or refused
        self._woken = threading.Event()
        self._waiting = False  # the forge is unreachable or rate-limited (said once)

    # -- queueing (the observers' side) ----------------------------------------------------

    def check(self, report: CheckRunReport) -> None:
        self._put(f"check:{report.external_id}", CHECK, check_json(report))

    def workflow_status(self, report: CommitStatusReport) -> None:
        key = f"status:{report.repository}:{report.sha}:{report.context}"
        self._put(key, STATUS, status_json(report))

    def _put(self, key: str, kind: str, payload: str) -> None:
        try:
            self.outbox.put(key, kind, payload, now=self.clock())
        except Exception as error:  # the run goes on; the report is lost, and said so
            log.error("forge report not queued key=%s: %s", key, type(error).__name__)
            return
        self._woken.set()

    # -- sending (the server's background loop) --------------------------------------------

    def wake(self) -> None:
        self._woken.set()

    def wait(self, timeout: float) -> None:
        self._woken.wait(timeout)
        self._woken.clear()

    def drain(self, *, until: float | None = None) -> float | None:
        """Send every report that is due; seconds until the next one is (None: none waits).
        `until` (time.monotonic()): stop then (the server's last drain when it stops); what is
        left waits in the database for the next server."""
        try:
            for _ in range(1000):
                due = self.outbox.due(now=self.clock())
                if not due or not self._drain_batch(due, until):
                    break
            next_due = self.outbox.next_due()
        except Exception as error:
            log.error("forge queue unreadable: %s", type(error).__name__)
            return None
        return None if next_due is None else max(next_due - self.clock(), 0.0)

    def _drain_batch(self, due: list[OutboxEntry], until: float | None) -> bool:
        """Send `due`; False when `until` came first."""
        for entry in due:
            if until is not None and time.monotonic() >= until:
                return False
            self._send(entry)
        return True

    def _send(self, entry: OutboxEntry) -> None:
        if entry.kind == CHECK:
            self._send_check(entry, check_from_json(entry.payload))
        else:
            self._send_status(entry, status_from_json(entry.payload))

    def _send_check(self, entry: OutboxEntry, report: CheckRunReport) -> None:
        result = self._answer(lambda: self.forge.report_check(report))
        self._say(result)
        if result.outcome is ReportOutcome.RETRY:
            self._later(entry, result)
            return
        refused = result.outcome is ReportOutcome.REFUSED
        if refused and self._checks_work.get(report.repository) is not False:
            log.warning(
                "forge refused check runs repository=%s: statuses instead", report.repository
            )
        self._checks_work[report.repository] = not refused
        self.outbox.sent(entry)

    def _send_status(self, entry: OutboxEntry, report: CommitStatusReport) -> None:
        works = self._checks_work.get(report.repository)
        if works is None and entry.attempts < UNKNOWN_GIVE_UP:
            self.outbox.later(entry, not_before=self.clock() + UNKNOWN_WAIT, reason="checks?")
            return
        if works is False:
            result = self._answer(lambda: self.forge.report_status(report))
            if result.outcome is ReportOutcome.RETRY:
                self._later(entry, result)
                return
        self.outbox.sent(entry)  # sent, refused for good, or not needed (checks work)

    def _say(self, result: ReportResult) -> None:
        """One log line when the forge stops answering, one when it is back."""
        waiting = result.outcome is ReportOutcome.RETRY
        if waiting and not self._waiting:
            log.warning("forge unreachable or rate-limited: reports wait in the retry queue")
        elif self._waiting and not waiting:
            log.info("forge answering again: the retry queue drains")
        self._waiting = waiting

    def _later(self, entry: OutboxEntry, result: ReportResult) -> None:
        wait = result.retry_after or backoff(entry.attempts)
        reason = f"retry in {wait:.0f}s"
        self.outbox.later(entry, not_before=self.clock() + wait, reason=reason)

    def _answer(self, send: Callable[[], object]) -> ReportResult:
        try:
            answer = send()
        except Exception:
            log.exception("forge adapter error")
            return ReportResult(ReportOutcome.RETRY)
        assert isinstance(answer, ReportOutcome | ReportResult)
        return as_result(answer)
