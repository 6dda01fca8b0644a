"""Runs, jobs, steps, logs and artifacts over real HTTP, from a run `conveyor run` recorded."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from conveyor.engine.ports.store import Conclusion, NewRun
from tests.unit.server.conftest import Api


def test_runs_of_a_repository_in_the_documented_shape(api: Api, recorded_repo: Path) -> None:
    with api.client("read") as client:
        body = client.get("/api/v1/runs", params={"repo": str(recorded_repo)}).json()
        assert client.get("/api/v1/runs", params={"repo": "nobody/none"}).json()["runs"] == []
    (run,) = body["runs"]
    assert {"id", "repo", "workflow", "event", "sha", "ref", "status", "conclusion"} <= set(run)
    assert (run["repo"], run["workflow"], run["event"]) == (str(recorded_repo), "CI", "push")
    assert (run["status"], run["conclusion"], run["ref"]) == (
        "completed",
        "failure",
        "refs/heads/main",
    )
    assert len(run["sha"]) == 40
    assert body["next_cursor"] is None


def test_filters_and_cursor_pages(api: Api) -> None:
    for number in range(5):
        new = NewRun(
            "o/r",
            "CI" if number % 2 else "Deploy",
            f".github/workflows/w{number % 2}.yml",
            "push" if number < 3 else "pull_request",
            ref="refs/heads/main" if number else "refs/heads/dev",
        )
        created = api.store.runs.create_run(new)
        if number == 4:
            api.store.runs.finish_run(created.id, Conclusion.SUCCESS)
    with api.client("read") as client:

        def ids(**params: object) -> list[int]:
            return [r["id"] for r in client.get("/api/v1/runs", params=params).json()["runs"]]

        assert ids(repo="o/r") == [5, 4, 3, 2, 1]
        assert ids(repo="o/r", workflow="CI") == [4, 2]
        assert ids(repo="o/r", workflow="w0.yml") == [5, 3, 1]
        assert ids(branch="dev") == [1]
        assert ids(event="pull_request") == [5, 4]
        assert ids(status="queued") == [4, 3, 2, 1]
        assert ids(conclusion="success") == [5]
        first = client.get("/api/v1/runs", params={"repo": "o/r", "limit": 2}).json()
        assert [r["id"] for r in first["runs"]] == [5, 4]
        assert first["next_cursor"]
        second = client.get(
            "/api/v1/runs", params={"limit": 2, "cursor": first["next_cursor"]}
        ).json()
        third = client.get(
            "/api/v1/runs", params={"limit": 2, "cursor": second["next_cursor"]}
        ).json()
        assert [r["id"] for r in second["runs"] + third["runs"]] == [3, 2, 1]
        assert third["next_cursor"] is None
        bad = client.get("/api/v1/runs", params={"cursor": "abc"})
        assert bad.status_code == 422
        assert "cursor" in bad.json()["message"]
        wrong = client.get("/api/v1/runs", params={"status": "sleeping"})
        assert wrong.status_code == 422
        assert "status" in wrong.json()["message"]


def test_a_run_with_its_jobs_and_steps(api: Api, recorded_repo: Path) -> None:
    with api.client("read") as client:
        run = client.get("/api/v1/runs/1").json()
        missing = client.get("/api/v1/runs/99")
    jobs = {job["key"]: job for job in run["jobs"]}
    assert set(jobs) == {"build", "fail"}
    assert (jobs["build"]["conclusion"], jobs["fail"]["conclusion"]) == ("success", "failure")
    assert [s["conclusion"] for s in jobs["build"]["steps"]] == ["success"] * 3
    assert jobs["build"]["steps"][0]["started_at"].endswith("Z")
    (note,) = run["annotations"]
    assert (note["level"], note["job"]) == ("error", "fail")
    assert "exit code 3" in note["message"]
    assert missing.status_code == 404
    assert missing.json() == {"message": "there is no run 99"}


def test_logs_by_byte_offset(api: Api, recorded_repo: Path) -> None:
    with api.client("read") as client:
        first = client.get("/api/v1/runs/1/logs", params={"job": "build", "step": 0}).json()
        assert "hello-from-build" in first["text"]
        assert first["offset"] == 0
        assert first["next_offset"] == len(first["text"].encode())
        rest = client.get(
            "/api/v1/runs/1/logs",
            params={"job": "build", "step": 0, "offset": first["next_offset"]},
        ).json()
        assert rest["text"] == ""
        assert rest["next_offset"] == first["next_offset"]
        part = client.get(
            "/api/v1/runs/1/logs", params={"job": "build", "step": 0, "offset": 3, "limit": 5}
        ).json()
        assert part["text"] == first["text"][3:8]
        assert part["next_offset"] == 8
        failing = client.get("/api/v1/runs/1/logs", params={"job": "fail", "step": 0}).json()
        assert "failing" in failing["text"]
        unknown = client.get("/api/v1/runs/1/logs", params={"job": "nope"})
        assert unknown.status_code == 404
        assert "nope" in unknown.json()["message"]


def test_artifacts_list_and_zip(api: Api, recorded_repo: Path) -> None:
    with api.client("read") as client:
        listed = client.get("/api/v1/runs/1/artifacts").json()
        assert listed == {"artifacts": [{"name": "bundle", "size": 10, "files": 2}]}
        download = client.get("/api/v1/runs/1/artifacts/bundle/zip")
        assert download.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(download.content))
        assert sorted(archive.namelist()) == ["a.txt", "sub/b.txt"]
        assert archive.read("sub/b.txt") == b"more\n"
        assert client.get("/api/v1/runs/1/artifacts/nothing/zip").status_code == 404
        assert client.get("/api/v1/runs/1/artifacts/../zip").status_code == 404
