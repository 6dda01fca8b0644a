"""Pull requests through /api/v3 on a real hosted bare repository: create, get, list, update,
files, merge (merge commit, squash, fast-forward rebase), the refs/pull/N refs GitHub keeps,
and the `pull_request` events each change fires, checked against GitHub's webhook schemas."""

from __future__ import annotations

import pytest

from conveyor.server.forge_api.pull_actions import synchronize_branch
from tests.support.rest_conformance import webhook_problem
from tests.unit.forge_api.conftest import REPO, Forge, git

PULLS = f"/repos/{REPO}/pulls"


def actions(forge: Forge) -> list[str]:
    found = []
    for request in forge.starter.requests:
        if request.event_name == "push":  # a merge moves the base branch (test_merge_push.py)
            continue
        assert request.event_name == "pull_request"
        action = str(request.payload["action"])
        problem = webhook_problem("pull_request", action, request.payload)
        assert problem is None, problem
        found.append(action)
    return found


def open_pull(forge: Forge, **extra: object) -> dict[str, object]:
    with forge.client() as client:
        made = client.post(PULLS, json={"head": "feature", "base": "main", "title": "Add world",
                                        "body": "Please", **extra})  # fmt: skip
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_opening_a_pull_request_keeps_githubs_refs_and_fires_opened(forge: Forge) -> None:
    pull = open_pull(forge)
    number = pull["number"]
    assert pull["head"]["sha"] == forge.sha("feature")  # type: ignore[index]
    assert pull["mergeable"] is True
    assert (pull["commits"], pull["changed_files"], pull["additions"]) == (1, 2, 2)
    assert forge.sha(f"refs/pull/{number}/head") == forge.sha("feature")
    merge = forge.sha(f"refs/pull/{number}/merge")
    assert git(forge.bare, "rev-list", "--parents", "-n1", merge).split()[1:] == [
        forge.sha("main"), forge.sha("feature"),
    ]  # fmt: skip
    assert actions(forge) == ["opened"]
    (request,) = forge.starter.requests
    assert (request.ref, request.sha) == (f"refs/pull/{number}/merge", merge)
    with forge.client("read") as client:
        issue = client.get(f"/repos/{REPO}/issues/{number}").json()
        listed = client.get(PULLS).json()
        files = client.get(f"{PULLS}/{number}/files").json()
        by_head = client.get(PULLS, params={"head": "octo:other"}).json()
    assert issue["pull_request"]["url"] == f"{forge.api}{PULLS}/{number}"
    assert [p["number"] for p in listed] == [number]
    assert sorted(f["filename"] for f in files) == ["README.md", "new.txt"]
    assert by_head == []


def test_bad_pull_requests_are_422(forge: Forge) -> None:
    open_pull(forge)
    with forge.client() as client:
        again = client.post(PULLS, json={"head": "feature", "base": "main", "title": "again"})
        unknown = client.post(PULLS, json={"head": "nope", "base": "main", "title": "x"})
        nothing = client.post(PULLS, json={"head": "main", "base": "feature", "title": "x"})
    assert again.status_code == 422
    assert "already exists" in again.json()["errors"][0]["message"]
    assert unknown.json()["errors"][0]["field"] == "head"
    assert "No commits between" in nothing.json()["errors"][0]["message"]


def test_edit_close_reopen_and_label_fire_their_actions(forge: Forge) -> None:
    number = open_pull(forge)["number"]
    with forge.client() as client:
        edited = client.patch(f"{PULLS}/{number}", json={"title": "New title"})
        closed = client.patch(f"{PULLS}/{number}", json={"state": "closed"})
        client.patch(f"/repos/{REPO}/issues/{number}", json={"state": "open"})
        client.post(f"/repos/{REPO}/issues/{number}/labels", json={"labels": ["ready"]})
        client.delete(f"/repos/{REPO}/issues/{number}/labels/ready")
    assert edited.json()["title"] == "New title"
    assert closed.json()["state"] == "closed"
    assert actions(forge) == ["opened", "edited", "closed", "reopened", "labeled", "unlabeled"]
    assert forge.starter.requests[1].payload["changes"] == {"title": {"from": "Add world"}}
    assert forge.starter.requests[4].payload["label"]["name"] == "ready"  # type: ignore[index]


def test_a_push_to_the_head_branch_fires_synchronize(forge: Forge) -> None:
    number = open_pull(forge)["number"]
    before = forge.sha("feature")
    (forge.work / "more.txt").write_text("more\n")
    git(forge.work, "add", "-A")
    git(forge.work, "commit", "-qm", "More")
    git(forge.work, "push", "-q", str(forge.bare), "feature")
    started = synchronize_branch(
        forge_context(forge), REPO, "feature", forge.url, "dev", before=before
    )
    assert len(started) == 1
    assert actions(forge) == ["opened", "synchronize"]
    sync = forge.starter.requests[1].payload
    assert (sync["before"], sync["after"]) == (before, forge.sha("feature"))
    assert forge.sha(f"refs/pull/{number}/head") == forge.sha("feature")
    with forge.client("read") as client:
        assert client.get(f"{PULLS}/{number}").json()["head"]["sha"] == forge.sha("feature")


def forge_context(forge: Forge):  # type: ignore[no-untyped-def]
    from conveyor.server.context import ServerContext
    from conveyor.server.fake import FakeControl, FakeTokens

    return ServerContext(forge.store.home, forge.store, forge.starter, FakeControl(), FakeTokens())


@pytest.mark.parametrize("method", ["merge", "squash", "rebase"])
def test_merge_methods_move_the_base_branch(forge: Forge, method: str) -> None:
    number = open_pull(forge)["number"]
    head, main = forge.sha("feature"), forge.sha("main")
    with forge.client() as client:
        wrong = client.put(f"{PULLS}/{number}/merge", json={"sha": main})
        merged = client.put(f"{PULLS}/{number}/merge", json={"merge_method": method, "sha": head})
        again = client.put(f"{PULLS}/{number}/merge", json={})
        after = client.get(f"{PULLS}/{number}").json()
        checked = client.get(f"{PULLS}/{number}/merge")
    assert wrong.status_code == 409
    assert merged.status_code == 200, merged.text
    assert merged.json()["merged"] is True
    tip = forge.sha("main")
    assert merged.json()["sha"] == tip
    parents = git(forge.bare, "rev-list", "--parents", "-n1", tip).split()[1:]
    expected = {"merge": [main, head], "squash": [main], "rebase": [main]}[method]
    assert parents == expected
    if method == "rebase":
        assert tip == head  # a fast-forward
    assert again.status_code == 405
    assert (after["merged"], after["state"], after["merge_commit_sha"]) == (True, "closed", tip)
    assert checked.status_code == 204
    assert actions(forge) == ["opened", "closed"]
    assert forge.starter.requests[-1].payload["pull_request"]["merged"] is True  # type: ignore[index]


def test_a_conflicting_pull_request_is_not_mergeable(forge: Forge) -> None:
    git(forge.work, "checkout", "-q", "main")
    (forge.work / "README.md").write_text("conflict\n")
    git(forge.work, "commit", "-qam", "Conflict")
    git(forge.work, "push", "-q", str(forge.bare), "main")
    number = open_pull(forge)["number"]
    with forge.client() as client:
        shown = client.get(f"{PULLS}/{number}").json()
        refused = client.put(f"{PULLS}/{number}/merge", json={"merge_method": "squash"})
    assert shown["mergeable"] is False
    assert refused.status_code == 405
    assert refused.json()["message"] == "Pull Request is not mergeable"
    assert git(forge.bare, "for-each-ref", f"refs/pull/{number}/merge") == ""


def test_a_merged_pull_request_cannot_be_reopened(forge: Forge) -> None:
    number = open_pull(forge)["number"]
    with forge.client() as client:
        client.put(f"{PULLS}/{number}/merge", json={})
        by_pull = client.patch(f"{PULLS}/{number}", json={"state": "open"})
        by_issue = client.patch(f"/repos/{REPO}/issues/{number}", json={"state": "open"})
    assert by_pull.status_code == 422
    assert by_issue.status_code == 422
    assert actions(forge) == ["opened", "closed"]
