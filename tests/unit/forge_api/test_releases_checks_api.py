"""Releases with assets uploaded through the uploads URL, commit statuses (and the combined
status), check runs, and compare — over real HTTP, every response checked against GitHub's
REST API description."""

from __future__ import annotations

import httpx

from tests.support.rest_conformance import conformance_problem
from tests.unit.forge_api.conftest import REPO, Forge


def test_release_create_get_update_list_and_upload(forge: Forge) -> None:
    with forge.client() as client:
        made = client.post(f"/repos/{REPO}/releases",
                           json={"tag_name": "v1.0", "name": "One", "body": "Notes"})  # fmt: skip
        release_id = made.json()["id"]
        duplicate = client.post(f"/repos/{REPO}/releases", json={"tag_name": "v1.0"})
        upload_url = made.json()["upload_url"].split("{")[0]
        uploaded = client.post(upload_url, params={"name": "app.txt"}, content=b"payload",
                               headers={"Content-Type": "text/plain"})  # fmt: skip
        by_tag = client.get(f"/repos/{REPO}/releases/tags/v1.0")
        updated = client.patch(f"/repos/{REPO}/releases/{release_id}", json={"prerelease": True})
        listed = client.get(f"/repos/{REPO}/releases")
        assets = client.get(f"/repos/{REPO}/releases/{release_id}/assets")
        asset_id = assets.json()[0]["id"]
        download = client.get(f"/repos/{REPO}/releases/assets/{asset_id}",
                              headers={"Accept": "application/octet-stream"},
                              follow_redirects=True)  # fmt: skip
    assert made.status_code == 201
    assert made.json()["target_commitish"] == "main"
    assert upload_url.startswith(f"{forge.url}/api/uploads/repos/{REPO}/releases/")
    assert duplicate.status_code == 422
    assert uploaded.status_code == 201, uploaded.text
    upload_path = f"/repos/{REPO}/releases/{release_id}/assets"
    assert conformance_problem("POST", upload_path, 201, uploaded.json()) is None
    assert uploaded.json()["size"] == 7
    assert by_tag.json()["id"] == release_id
    assert [a["name"] for a in by_tag.json()["assets"]] == ["app.txt"]
    assert updated.json()["prerelease"] is True
    assert [r["tag_name"] for r in listed.json()] == ["v1.0"]
    assert download.content == b"payload"


def test_a_read_token_cannot_upload(forge: Forge) -> None:
    with forge.client() as client:
        release_id = client.post(f"/repos/{REPO}/releases", json={"tag_name": "v2"}).json()["id"]
    refused = httpx.post(
        f"{forge.url}/api/uploads/repos/{REPO}/releases/{release_id}/assets",
        params={"name": "x"}, content=b"x", headers={"Authorization": "token read-token"},
    )  # fmt: skip
    assert refused.status_code == 403


def test_statuses_and_the_combined_status_of_a_ref(forge: Forge) -> None:
    sha = forge.sha("main")
    with forge.client() as client:
        client.post(f"/repos/{REPO}/statuses/{sha}", json={"state": "pending", "context": "ci"})
        success = {"state": "success", "context": "ci", "description": "ok"}
        made = client.post(f"/repos/{REPO}/statuses/{sha}", json=success)
        client.post(f"/repos/{REPO}/statuses/{sha}", json={"state": "failure", "context": "lint"})
        bad = client.post(f"/repos/{REPO}/statuses/{sha}", json={"state": "great"})
        listed = client.get(f"/repos/{REPO}/commits/main/statuses")
        combined = client.get(f"/repos/{REPO}/commits/main/status")
    assert made.status_code == 201
    assert bad.status_code == 422
    assert [s["state"] for s in listed.json()] == ["failure", "success", "pending"]
    assert combined.json()["state"] == "failure"
    assert combined.json()["total_count"] == 2
    assert combined.json()["sha"] == sha


def test_check_runs_create_update_and_list_for_a_ref(forge: Forge) -> None:
    sha = forge.sha("main")
    with forge.client() as client:
        made = client.post(f"/repos/{REPO}/check-runs", json={
            "name": "build", "head_sha": sha, "status": "in_progress", "external_id": "job-1",
        })  # fmt: skip
        run_id = made.json()["id"]
        done = client.patch(f"/repos/{REPO}/check-runs/{run_id}", json={
            "conclusion": "failure",
            "output": {"title": "Failed", "summary": "1 error", "annotations": [
                {"path": "a.py", "start_line": 1, "end_line": 1,
                 "annotation_level": "failure", "message": "boom"}]},
        })  # fmt: skip
        listed = client.get(f"/repos/{REPO}/commits/main/check-runs")
        by_name = client.get(f"/repos/{REPO}/commits/{sha}/check-runs", params={"check_name": "x"})
        annotations = client.get(f"/repos/{REPO}/check-runs/{run_id}/annotations")
        missing = client.post(f"/repos/{REPO}/check-runs", json={"name": "x"})
    assert made.status_code == 201
    assert made.json()["started_at"] is not None
    assert done.json()["status"] == "completed"
    assert done.json()["output"]["annotations_count"] == 1
    assert listed.json()["total_count"] == 1
    assert listed.json()["check_runs"][0]["conclusion"] == "failure"
    assert by_name.json()["total_count"] == 0
    assert annotations.json()[0]["message"] == "boom"
    assert missing.status_code == 422


def test_compare_two_commits(forge: Forge) -> None:
    with forge.client("read") as client:
        ahead = client.get(f"/repos/{REPO}/compare/main...feature")
        behind = client.get(f"/repos/{REPO}/compare/feature...main")
        same = client.get(f"/repos/{REPO}/compare/main...main")
        unknown = client.get(f"/repos/{REPO}/compare/main...nope")
    assert ahead.json()["status"] == "ahead"
    assert ahead.json()["ahead_by"] == 1
    assert [c["commit"]["message"] for c in ahead.json()["commits"]] == ["Add world"]
    assert sorted(f["filename"] for f in ahead.json()["files"]) == ["README.md", "new.txt"]
    assert (
        "+world" in next(f for f in ahead.json()["files"] if f["filename"] == "README.md")["patch"]
    )
    assert (behind.json()["status"], behind.json()["behind_by"]) == ("behind", 1)
    assert same.json()["status"] == "identical"
    assert unknown.status_code == 404


def test_the_other_release_and_check_run_reads(forge: Forge) -> None:
    with forge.client() as client:
        no_latest = client.get(f"/repos/{REPO}/releases/latest")
        draft = client.post(f"/repos/{REPO}/releases", json={"tag_name": "v0", "draft": True})
        final = client.post(f"/repos/{REPO}/releases", json={"tag_name": "v1"}).json()
        latest = client.get(f"/repos/{REPO}/releases/latest")
        by_id = client.get(f"/repos/{REPO}/releases/{draft.json()['id']}")
        upload = final["upload_url"].split("{")[0]
        asset = client.post(upload, params={"name": "a.bin"}, content=b"\x00\x01").json()
        asset_json = client.get(f"/repos/{REPO}/releases/assets/{asset['id']}")
        run = client.post(f"/repos/{REPO}/check-runs",
                          json={"name": "lint", "head_sha": forge.sha("main")}).json()  # fmt: skip
        got_run = client.get(f"/repos/{REPO}/check-runs/{run['id']}")
        no_run = client.get(f"/repos/{REPO}/check-runs/999")
    assert no_latest.status_code == 404
    assert draft.json()["published_at"] is None
    assert latest.json()["tag_name"] == "v1"
    assert by_id.json()["draft"] is True
    assert asset_json.json()["size"] == 2
    assert got_run.json()["status"] == "queued"
    assert no_run.status_code == 404


def test_per_page_is_at_most_100(forge: Forge) -> None:
    with forge.client() as client:
        for n in range(3):
            client.post(f"/repos/{REPO}/issues", json={"title": f"i{n}"})
        huge = client.get(f"/repos/{REPO}/issues", params={"per_page": 1000})
        paged = client.get(f"/repos/{REPO}/issues", params={"per_page": 1, "page": 2})
    assert len(huge.json()) == 3
    assert "link" not in huge.headers
    assert [issue["title"] for issue in paged.json()] == ["i1"]
    assert 'rel="prev"' in paged.headers["link"]


def test_a_status_on_an_unknown_commit_is_422(forge: Forge) -> None:
    with forge.client() as client:
        refused = client.post(f"/repos/{REPO}/statuses/{'f' * 40}", json={"state": "success"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "sha"
