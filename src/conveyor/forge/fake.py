"""A forge that records what it is told, for the tests of the layers above the forges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from conveyor.engine.ports.forge import (
    CheckRunReport,
    CommitStatusReport,
    ForgeUrls,
    JobToken,
    ReportOutcome,
)

FAKE_URLS = ForgeUrls(
    server_url="https://forge.invalid",
    api_url="https://forge.invalid/api/v3",
    graphql_url="https://forge.invalid/api/graphql",
)


@dataclass
class FakeForge:
    """Keeps every report in order; `outcome` is what each report answers (RETRY simulates an
    outage, REFUSED a missing permission)."""

    outcome: ReportOutcome = ReportOutcome.SENT
    checks: list[CheckRunReport] = field(default_factory=list)
    statuses: list[CommitStatusReport] = field(default_factory=list)
    tokens: list[JobToken] = field(default_factory=list)

    def urls(self) -> ForgeUrls:
        return FAKE_URLS

    def report_check(self, report: CheckRunReport) -> ReportOutcome:
        if self.outcome is ReportOutcome.SENT:
            self.checks.append(report)
        return self.outcome

    def report_status(self, report: CommitStatusReport) -> ReportOutcome:
        if self.outcome is ReportOutcome.SENT:
            self.statuses.append(report)
        return self.outcome

    def job_token(self, repository: str, permissions: Mapping[str, str]) -> JobToken:
        token = JobToken(f"fake-token-{len(self.tokens) + 1}", dict(permissions))
        self.tokens.append(token)
        return token

    def latest_check(self, external_id: str) -> CheckRunReport | None:
        """The last report of one check run, as the forge would show it."""
        found = [check for check in self.checks if check.external_id == external_id]
        return found[-1] if found else None
