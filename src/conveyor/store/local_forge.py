"""`LocalForge`: the Forge port (`conveyor.engine.ports.forge`) for repositories the server
hosts — each job's check run and each workflow's commit status are rows of the local forge
(`forge_checks.py`), shown by its API under /api/v3 and its web UI.

The first report of a job (its `external_id` on its commit) creates the check run; later ones
update it. Job tokens come from `mint` (the server's per-job tokens) when it is given."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from conveyor.engine.ports.forge import (
    CheckRunReport,
    CommitStatusReport,
    ForgeUrls,
    JobToken,
    ReportOutcome,
)
from conveyor.errors import ForgeError
from conveyor.store.forge_data import ForgeData
from conveyor.store.forge_records import Annotation, CheckRunFields

Mint = Callable[[str, Mapping[str, str]], JobToken]


class LocalForge:
    def __init__(self, data: ForgeData, server_url: str, mint: Mint | None = None) -> None:
        self._data = data
        self._server_url = server_url.rstrip("/")
        self._mint = mint

    def urls(self) -> ForgeUrls:
        return ForgeUrls(
            server_url=self._server_url,
            api_url=f"{self._server_url}/api/v3",
            graphql_url=f"{self._server_url}/api/graphql",
        )

    def report_check(self, report: CheckRunReport) -> ReportOutcome:
        checks = self._data.checks
        fields = check_fields(report)
        found = checks.by_external_id(report.repository, report.head_sha, report.external_id)
        if found is None:
            checks.create_run(report.repository, report.head_sha, report.name, fields)
        else:
            checks.update_run(report.repository, found, fields)
        return ReportOutcome.SENT

    def report_status(self, report: CommitStatusReport) -> ReportOutcome:
        self._data.checks.add_status(
            report.repository, report.sha, report.state.value, report.context,
            report.description or None, report.target_url, "conveyor",
        )  # fmt: skip
        return ReportOutcome.SENT

    def job_token(self, repository: str, permissions: Mapping[str, str]) -> JobToken:
        if self._mint is None:
            raise ForgeError("this local forge was made without a source of job tokens")
        return self._mint(repository, permissions)


def check_fields(report: CheckRunReport) -> CheckRunFields:
    annotations = tuple(
        Annotation(a.path, a.start_line, a.end_line, a.level.value, a.message, a.title or None)
        for a in report.annotations
    )
    return CheckRunFields(
        status=report.status.value,
        conclusion=report.conclusion.value if report.conclusion else None,
        external_id=report.external_id,
        details_url=report.details_url,
        title=report.title or None,
        summary=report.summary or None,
        annotations=annotations,
        started_at=_epoch(report.started_at),
        completed_at=_epoch(report.completed_at),
        name=report.name,
    )


def _epoch(iso: str | None) -> float | None:
    if iso is None:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
