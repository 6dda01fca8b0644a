"""The GitHub adapter (`conveyor.forge.github.GitHubForge`, token auth) against the local
forge's /api/v3 on real uvicorn: the same shapes both ways. Its check runs (created, updated,
completed with more annotations than one request carries) and a commit status are read back
through the API, every answer checked against GitHub's description."""

from __future__ import annotations

import httpx

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
from conveyor.forge.github import GitHubForge
from conveyor.forge.github_config import GitHubConfig
from tests.unit.forge_api.conftest import REPO, Forge

ANNOTATIONS = tuple(
    CheckAnnotation("src/app.py", n, n, AnnotationLevel.WARNING, f"finding {n}", f"W{n}")
    for n in range(1, 61)
)  # 60: two requests (GitHub takes 50 per request)


def _report(sha: str, status: CheckStatus, **fields: object) -> CheckRunReport:
    return CheckRunReport(
        REPO, sha, "build (ubuntu-latest)", "run-1/attempt-1/build", status,
        details_url="http://ci.example.com/runs/1/attempt/1/jobs/build", **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def _adapter(forge: Forge) -> GitHubForge:
    return GitHubForge(GitHubConfig(api_url=forge.api, token="write-token"))


def test_the_github_adapter_reports_check_runs_to_the_local_forge(forge: Forge) -> None:
    sha, adapter = forge.sha("feature"), _adapter(forge)
    try:
        steps = (
            _report(sha, CheckStatus.QUEUED),
            _report(sha, CheckStatus.IN_PROGRESS, started_at="2026-01-02T03:04:05Z"),
            _report(
                sha,
                CheckStatus.COMPLETED,
                conclusion=CheckConclusion.FAILURE,
                started_at="2026-01-02T03:04:05Z",
                completed_at="2026-01-02T03:05:06Z",
                title="1 failed",
                summary="## Tests\n\n1 failed",
                annotations=ANNOTATIONS,
            ),
        )
        outcomes = [adapter.report_check(step).outcome for step in steps]
    finally:
        adapter.close()
    assert outcomes == [ReportOutcome.SENT] * 3
    with forge.client("read") as client:
        listed = client.get(f"/repos/{REPO}/commits/{sha}/check-runs").json()
        assert listed["total_count"] == 1
        (check,) = listed["check_runs"]
        assert (check["name"], check["external_id"]) == (
            "build (ubuntu-latest)",
            "run-1/attempt-1/build",
        )
        assert (check["status"], check["conclusion"]) == ("completed", "failure")
        assert check["head_sha"] == sha
        assert check["details_url"] == "http://ci.example.com/runs/1/attempt/1/jobs/build"
        assert check["started_at"] == "2026-01-02T03:04:05Z"
        assert check["completed_at"] == "2026-01-02T03:05:06Z"
        assert check["output"]["title"] == "1 failed"
        assert check["output"]["summary"] == "## Tests\n\n1 failed"
        assert check["output"]["annotations_count"] == 60
        path = f"/repos/{REPO}/check-runs/{check['id']}/annotations"
        found = client.get(path, params={"per_page": 100}).json()
    assert [a["message"] for a in found] == [a.message for a in ANNOTATIONS]
    assert found[0] | {"blob_href": None} == found[0] | {
        "path": "src/app.py", "start_line": 1, "end_line": 1, "annotation_level": "warning",
        "title": "W1", "blob_href": None,
    }  # fmt: skip


def test_the_github_adapter_sets_a_commit_status_on_the_local_forge(forge: Forge) -> None:
    sha, adapter = forge.sha("main"), _adapter(forge)
    report = CommitStatusReport(
        REPO, sha, CommitState.SUCCESS, "conveyor/CI", "all jobs passed",
        "http://ci.example.com/runs/1",
    )  # fmt: skip
    try:
        assert adapter.report_status(report).outcome is ReportOutcome.SENT
    finally:
        adapter.close()
    with forge.client("read") as client:
        (status,) = client.get(f"/repos/{REPO}/commits/{sha}/statuses").json()
        combined = client.get(f"/repos/{REPO}/commits/main/status").json()
    assert (status["state"], status["context"]) == ("success", "conveyor/CI")
    assert status["description"] == "all jobs passed"
    assert status["target_url"] == "http://ci.example.com/runs/1"
    assert (combined["state"], combined["sha"], combined["total_count"]) == ("success", sha, 1)


class LosesFirstCreate(httpx.HTTPTransport):
    """Sends every request; the answer to the first check-run create is lost on the way back
    (the forge made the check run, the adapter never hears of it)."""

    lost = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if not self.lost and request.method == "POST" and request.url.path.endswith("/check-runs"):
            self.lost = True
            response.read()
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


def test_a_create_whose_answer_was_lost_is_found_not_made_twice(forge: Forge) -> None:
    sha = forge.sha("feature")
    client = httpx.Client(
        base_url=forge.api,
        headers={"Accept": "application/vnd.github+json"},
        transport=LosesFirstCreate(),
    )
    adapter = GitHubForge(GitHubConfig(api_url=forge.api, token="write-token"), client=client)
    try:
        lost = adapter.report_check(_report(sha, CheckStatus.QUEUED))
        again = adapter.report_check(_report(sha, CheckStatus.IN_PROGRESS))
    finally:
        adapter.close()
    assert (lost.outcome, again.outcome) == (ReportOutcome.RETRY, ReportOutcome.SENT)
    with forge.client("read") as reader:
        listed = reader.get(f"/repos/{REPO}/commits/{sha}/check-runs").json()
    assert listed["total_count"] == 1
    assert listed["check_runs"][0]["status"] == "in_progress"
