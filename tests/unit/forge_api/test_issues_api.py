"""Issues, comments and labels through /api/v3 over real HTTP, as octokit calls them; every
response is checked against GitHub's REST API description (conftest `conforms`)."""

from __future__ import annotations

from tests.unit.forge_api.conftest import REPO, Forge


def test_repository_get_and_auth(forge: Forge) -> None:
    with forge.client("read") as read, forge.client(None) as anonymous:
        got = read.get(f"/repos/{REPO}")
        bearer = forge.client("read", scheme="Bearer").get(f"/repos/{REPO}")
        missing = read.get("/repos/octo/nothing")
        unauthenticated = anonymous.get(f"/repos/{REPO}")
    assert got.status_code == 200
    assert got.json()["full_name"] == REPO
    assert got.json()["default_branch"] == "main"
    assert got.json()["url"] == f"{forge.api}/repos/{REPO}"
    assert bearer.status_code == 200
    assert missing.status_code == 404
    assert missing.json()["message"] == "Not Found"
    assert "documentation_url" in missing.json()
    assert unauthenticated.status_code == 401


def test_issue_create_get_update_list(forge: Forge) -> None:
    with forge.client() as client:
        made = client.post(f"/repos/{REPO}/issues", json={"title": "Bug", "body": "It broke",
                                                          "labels": ["bug"]})  # fmt: skip
        number = made.json()["number"]
        got = client.get(f"/repos/{REPO}/issues/{number}")
        closed = client.patch(f"/repos/{REPO}/issues/{number}", json={"state": "closed"})
        open_ones = client.get(f"/repos/{REPO}/issues")
        all_ones = client.get(f"/repos/{REPO}/issues", params={"state": "all"})
        invalid = client.post(f"/repos/{REPO}/issues", json={"body": "no title"})
        absent = client.get(f"/repos/{REPO}/issues/99")
    assert made.status_code == 201
    assert made.headers["location"] == f"{forge.api}/repos/{REPO}/issues/{number}"
    assert got.json()["title"] == "Bug"
    assert [label["name"] for label in got.json()["labels"]] == ["bug"]
    assert got.json()["user"]["login"] == "writer"
    assert closed.json()["state"] == "closed"
    assert closed.json()["closed_by"]["login"] == "writer"
    assert open_ones.json() == []
    assert [issue["number"] for issue in all_ones.json()] == [number]
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "title"
    assert absent.status_code == 404


def test_a_read_token_cannot_write(forge: Forge) -> None:
    with forge.client("read") as client:
        refused = client.post(f"/repos/{REPO}/issues", json={"title": "x"})
    assert refused.status_code == 403
    assert refused.json()["message"] == "Resource not accessible by integration"


def test_job_token_permissions_are_enforced_per_scope(forge: Forge) -> None:
    with forge.client("job") as job:
        issue = job.post(f"/repos/{REPO}/issues", json={"title": "from a job"})
        release = job.post(f"/repos/{REPO}/releases", json={"tag_name": "v1"})
        status = job.post(f"/repos/{REPO}/statuses/{forge.sha('main')}", json={"state": "success"})
        checks = job.get(f"/repos/{REPO}/commits/main/check-runs")
    assert issue.status_code == 201
    assert release.status_code == 403  # contents: read
    assert status.status_code == 403  # no statuses scope
    assert checks.status_code == 403  # no checks scope


def test_a_job_token_acts_on_its_own_repository_only(forge: Forge) -> None:
    with forge.client("other-job") as job:
        refused = job.post(f"/repos/{REPO}/issues", json={"title": "from another run"})
        read = job.get(f"/repos/{REPO}/issues")
    assert refused.status_code == 403
    assert read.status_code == 403


def test_comments_paginate_with_link_headers(forge: Forge) -> None:
    with forge.client() as client:
        number = client.post(f"/repos/{REPO}/issues", json={"title": "talk"}).json()["number"]
        for n in range(5):
            client.post(f"/repos/{REPO}/issues/{number}/comments", json={"body": f"c{n}"})
        first = client.get(f"/repos/{REPO}/issues/{number}/comments", params={"per_page": 2})
        second = client.get(first.links["next"]["url"])
        last = client.get(first.links["last"]["url"])
        issue = client.get(f"/repos/{REPO}/issues/{number}").json()
    assert [c["body"] for c in first.json()] == ["c0", "c1"]
    assert set(first.links) == {"next", "last"}
    assert [c["body"] for c in second.json()] == ["c2", "c3"]
    assert set(second.links) == {"next", "last", "first", "prev"}
    assert [c["body"] for c in last.json()] == ["c4"]
    assert issue["comments"] == 5


def test_comment_update_and_delete(forge: Forge) -> None:
    with forge.client() as client:
        number = client.post(f"/repos/{REPO}/issues", json={"title": "talk"}).json()["number"]
        made = client.post(f"/repos/{REPO}/issues/{number}/comments", json={"body": "hi"})
        comment_id = made.json()["id"]
        edited = client.patch(f"/repos/{REPO}/issues/comments/{comment_id}", json={"body": "yo"})
        got = client.get(f"/repos/{REPO}/issues/comments/{comment_id}")
        deleted = client.delete(f"/repos/{REPO}/issues/comments/{comment_id}")
        gone = client.get(f"/repos/{REPO}/issues/comments/{comment_id}")
        empty = client.post(f"/repos/{REPO}/issues/{number}/comments", json={})
    assert made.status_code == 201
    assert made.json()["issue_url"] == f"{forge.api}/repos/{REPO}/issues/{number}"
    assert edited.json()["body"] == "yo"
    assert got.json()["body"] == "yo"
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert empty.status_code == 422


def test_labels_on_issues_and_the_repository(forge: Forge) -> None:
    with forge.client() as client:
        new_label = {"name": "bug", "color": "#D73A4A", "description": "Broken"}
        made = client.post(f"/repos/{REPO}/labels", json=new_label)
        again = client.post(f"/repos/{REPO}/labels", json={"name": "bug", "color": "ffffff"})
        number = client.post(f"/repos/{REPO}/issues", json={"title": "x"}).json()["number"]
        added = client.post(f"/repos/{REPO}/issues/{number}/labels", json={"labels": ["bug", "ui"]})
        replaced = client.put(f"/repos/{REPO}/issues/{number}/labels", json={"labels": ["docs"]})
        listed = client.get(f"/repos/{REPO}/issues/{number}/labels")
        removed = client.delete(f"/repos/{REPO}/issues/{number}/labels/docs")
        not_there = client.delete(f"/repos/{REPO}/issues/{number}/labels/docs")
        repository = client.get(f"/repos/{REPO}/labels")
    assert made.status_code == 201
    assert made.json()["color"] == "d73a4a"
    assert again.status_code == 422
    assert again.json()["errors"][0]["code"] == "already_exists"
    assert [label["name"] for label in added.json()] == ["bug", "ui"]
    assert [label["name"] for label in replaced.json()] == ["docs"]
    assert [label["name"] for label in listed.json()] == ["docs"]
    assert removed.json() == []
    assert not_there.status_code == 404
    assert [label["name"] for label in repository.json()] == ["bug", "docs", "ui"]


def test_a_body_that_is_not_json_is_400(forge: Forge) -> None:
    with forge.client() as client:
        bad = client.post(f"/repos/{REPO}/issues", content=b"{not json",
                          headers={"Content-Type": "application/json"})  # fmt: skip
        not_a_number = client.get(f"/repos/{REPO}/issues/abc")
    assert bad.status_code == 400
    assert bad.json()["message"] == "Problems parsing JSON"
    assert not_a_number.status_code == 404


def test_issues_are_filtered_by_labels_and_ordered_by_direction(forge: Forge) -> None:
    with forge.client() as client:
        client.post(f"/repos/{REPO}/issues", json={"title": "a", "labels": ["bug", "ui"]})
        client.post(f"/repos/{REPO}/issues", json={"title": "b", "labels": ["bug"]})
        client.post(f"/repos/{REPO}/issues", json={"title": "c"})
        bugs = client.get(f"/repos/{REPO}/issues", params={"labels": "bug"}).json()
        both = client.get(f"/repos/{REPO}/issues", params={"labels": "bug,ui"}).json()
        oldest = client.get(f"/repos/{REPO}/issues", params={"direction": "asc"}).json()
    assert [issue["title"] for issue in bugs] == ["b", "a"]
    assert [issue["title"] for issue in both] == ["a"]
    assert [issue["title"] for issue in oldest] == ["a", "b", "c"]
