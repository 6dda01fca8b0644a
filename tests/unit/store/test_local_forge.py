"""`LocalForge`: the Forge port over the local forge's rows — the first report of a job creates
its check run, later ones update it; statuses are rows; URLs come from the server's address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.forge import (
    AnnotationLevel,
    CheckAnnotation,
    CheckConclusion,
    CheckRunReport,
    CheckStatus,
    CommitState,
    CommitStatusReport,
    ReportOutcome,
)
from conveyor.errors import ForgeError
from conveyor.store import StoreHandle, open_store
from conveyor.store.forge_data import forge_data
from conveyor.store.local_forge import LocalForge

SHA = "b" * 40


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


def test_reports_of_one_job_make_one_check_run(store: StoreHandle) -> None:
    forge = LocalForge(forge_data(store), "http://127.0.0.1:8080/")
    queued = CheckRunReport("o/r", SHA, "build", "run-1/job-1", CheckStatus.QUEUED)
    done = CheckRunReport(
        "o/r", SHA, "build", "run-1/job-1", CheckStatus.COMPLETED, CheckConclusion.FAILURE,
        started_at="2026-01-02T03:04:05Z", completed_at="2026-01-02T03:05:05Z",
        details_url="http://127.0.0.1:8080/runs/1", title="build failed", summary="## oops",
        annotations=(CheckAnnotation("a.py", 3, 3, AnnotationLevel.FAILURE, "bad"),),
    )  # fmt: skip
    assert forge.report_check(queued) is ReportOutcome.SENT
    assert forge.report_check(done) is ReportOutcome.SENT
    (run,) = forge_data(store).checks.runs("o/r", SHA)
    assert (run.status, run.conclusion, run.summary) == ("completed", "failure", "## oops")
    assert run.completed_at == 1767323105.0
    assert [a.path for a in run.annotations] == ["a.py"]


def test_statuses_and_urls(store: StoreHandle) -> None:
    forge = LocalForge(forge_data(store), "http://127.0.0.1:8080")
    report = CommitStatusReport("o/r", SHA, CommitState.SUCCESS, "conveyor/CI", "passed")
    assert forge.report_status(report) is ReportOutcome.SENT
    assert [s.context for s in forge_data(store).checks.statuses("o/r", SHA)] == ["conveyor/CI"]
    urls = forge.urls()
    assert urls.api_url == "http://127.0.0.1:8080/api/v3"
    assert urls.graphql_url == "http://127.0.0.1:8080/api/graphql"
    with pytest.raises(ForgeError, match="job tokens"):
        forge.job_token("o/r", {"contents": "read"})
