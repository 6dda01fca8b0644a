"""Branch protection on the local forge (GitHub's `PUT/GET/DELETE
/repos/{o}/{r}/branches/{branch}/protection`, the `required_status_checks` subset): an admin
requires checks on a branch, and merging a pull request into it is refused (405, GitHub's
message) while a required check of its head has not succeeded."""

from __future__ import annotations

from tests.unit.forge_api.conftest import Forge

PROTECTION = "/repos/octo/app/branches/main/protection"


def protect(forge: Forge, *contexts: str, role: str = "admin", checks: bool = False) -> object:
    required = (
        {"strict": False, "checks": [{"context": c} for c in contexts]}
        if checks
        else {"strict": False, "contexts": list(contexts)}
    )
    body = {
        "required_status_checks": required,
        "enforce_admins": None,
        "required_pull_request_reviews": None,
        "restrictions": None,
    }
    with forge.client(role) as api:
        return api.put(PROTECTION, json=body)


def open_pull(forge: Forge) -> None:
    with forge.client() as api:
        made = api.post("/repos/octo/app/pulls", json={"head": "feature", "base": "main",
                                                       "title": "T"})  # fmt: skip
        assert made.status_code == 201, made.text


def check(forge: Forge, name: str, conclusion: str | None) -> None:
    body: dict[str, object] = {"name": name, "head_sha": forge.sha("feature")}
    body |= {"status": "completed", "conclusion": conclusion} if conclusion else {}
    with forge.client() as api:
        assert api.post("/repos/octo/app/check-runs", json=body).status_code == 201


def merge(forge: Forge) -> tuple[int, str]:
    with forge.client() as api:
        answer = api.put("/repos/octo/app/pulls/1/merge", json={})
    return answer.status_code, answer.json()["message"]


def test_an_admin_protects_a_branch_and_reads_it_back(forge: Forge) -> None:
    answer = protect(forge, "build", "conveyor/CI")
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    with forge.client("read") as api:
        shown = api.get(PROTECTION).json()
        assert api.get("/repos/octo/app/branches/feature/protection").status_code == 404
    required = shown["required_status_checks"]
    assert required["contexts"] == ["build", "conveyor/CI"]
    assert [c["context"] for c in required["checks"]] == ["build", "conveyor/CI"]
    assert protect(forge, "build", checks=True).json()["required_status_checks"]["contexts"] == [  # type: ignore[attr-defined]
        "build"
    ]
    with forge.client("admin") as api:
        assert api.delete(PROTECTION).status_code == 204
        assert api.get(PROTECTION).json()["message"] == "Branch not protected"


def test_only_an_admin_protects_a_branch(forge: Forge) -> None:
    answer = protect(forge, "build", role="write")
    assert answer.status_code == 403  # type: ignore[attr-defined]
    answer = protect(forge, "build", role="job")
    assert answer.status_code == 403  # type: ignore[attr-defined]


def test_a_merge_waits_for_the_required_checks(forge: Forge) -> None:
    protect(forge, "build", "test")
    open_pull(forge)
    assert merge(forge) == (405, 'Required status check "build" is expected.')
    check(forge, "build", "failure")
    assert merge(forge) == (405, 'Required status check "build" is failing.')
    check(forge, "build", "success")
    check(forge, "test", None)  # queued
    assert merge(forge) == (405, 'Required status check "test" is expected.')
    with forge.client() as api:
        sha = forge.sha("feature")
        api.post(f"/repos/octo/app/statuses/{sha}", json={"state": "success", "context": "x"})
    check(forge, "test", "success")
    status, message = merge(forge)
    assert (status, message) == (200, "Pull Request successfully merged")


def test_a_required_commit_status_counts_too(forge: Forge) -> None:
    protect(forge, "conveyor/CI")
    open_pull(forge)
    with forge.client() as api:
        url = f"/repos/octo/app/statuses/{forge.sha('feature')}"
        api.post(url, json={"state": "pending", "context": "conveyor/CI"})
        assert merge(forge)[0] == 405
        api.post(url, json={"state": "success", "context": "conveyor/CI"})
    assert merge(forge)[0] == 200
