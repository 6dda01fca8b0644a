"""`conveyor/dependency-review` against the local forge over real HTTP: golden pull requests made
in a real git repository; a GPL-3.0 dependency blocked with one comment, updated (not duplicated)
on the next push; a vulnerable pinned version failing with the advisory's id (real OSV records
in tests/data/osv)."""

from __future__ import annotations

import json
from pathlib import Path

from conveyor.actions import BUILTIN_NATIVE_MAP, NATIVE_ACTIONS, default_registry
from conveyor.actions.dependency_review import DependencyReview
from conveyor.engine.ports.actions import ActionOutcome
from conveyor.model.results import Conclusion
from tests.unit.executors.harness import document, run_job, steps
from tests.unit.forge_api.conftest import REPO, ROLE_TOKEN, Forge, git
from tests.unit.natives.support import LogConsole, invocation

OSV = Path(__file__).resolve().parents[2] / "data" / "osv"
# PyQt5 5.15.x is GPL v3 (stated with the deprecated id, as older metadata does); requests is
# Apache-2.0 (its PyPI metadata); lodash is MIT.
LICENCES = {
    "pip": {"PyQt5": {"*": "GPL-3.0"}, "requests": {"*": "Apache-2.0"}},
    "npm": {"lodash": {"*": "MIT"}},
}


def commit(forge: Forge, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (forge.work / name).write_text(text)
    git(forge.work, "add", "-A")
    git(forge.work, "commit", "-qm", message)
    return git(forge.work, "rev-parse", "HEAD")


def open_pull(forge: Forge, branch: str) -> int:
    git(forge.work, "push", "-q", str(forge.bare), branch)
    with forge.client() as client:
        made = client.post(
            f"/repos/{REPO}/pulls", json={"head": branch, "base": "main", "title": branch}
        )
        return int(made.json()["number"])


def review(forge: Forge, tmp_path: Path, number: int, head: str, **inputs: str) -> ActionOutcome:
    data = tmp_path / "licences.json"
    data.write_text(json.dumps(LICENCES))
    pull = {
        "number": number,
        "base": {"ref": "main", "sha": forge.sha("main")},
        "head": {"ref": "x", "sha": head},
    }
    github = {
        "api_url": forge.api,
        "repository": REPO,
        "token": ROLE_TOKEN["write"],
        "event": {"pull_request": pull},
    }
    call = invocation(
        "conveyor/dependency-review@v1",
        {"license-data": str(data), "installed-licenses": "false", **inputs},
        forge.work,
        github,
    )
    return DependencyReview().run(call, LogConsole())


def comments(forge: Forge, number: int) -> list[str]:
    with forge.client() as client:
        found = client.get(f"/repos/{REPO}/issues/{number}/comments").json()
    return [str(comment["body"]) for comment in found]


def test_dependency_review_is_a_native_action() -> None:
    assert NATIVE_ACTIONS["conveyor/dependency-review"] == ("dependency_review", "DependencyReview")


def test_a_gpl_dependency_is_blocked_with_one_comment_updated_on_the_next_push(
    forge: Forge, tmp_path: Path
) -> None:
    git(forge.work, "checkout", "-qb", "gui", "main")
    head = commit(forge, {"requirements.txt": "requests==2.31.0\nPyQt5==5.15.10\n"}, "Add a GUI")
    number = open_pull(forge, "gui")
    outcome = review(forge, tmp_path, number, head, **{"allow-licenses": "MIT, Apache-2.0"})
    assert outcome.status is Conclusion.FAILURE
    assert outcome.error is not None
    assert "PyQt5@5.15.10 (GPL-3.0-only)" in outcome.error
    [body] = comments(forge, number)
    assert "PyQt5" in body
    assert "5.15.10" in body
    assert "GPL-3.0-only" in body
    forbidden = json.loads(outcome.outputs["invalid-license-changes"])["forbidden"]
    assert [change["name"] for change in forbidden] == ["PyQt5"]
    annotation = next(a for a in outcome.annotations if "PyQt5" in a.message)
    assert (annotation.file, annotation.line) == ("requirements.txt", 2)

    head = commit(forge, {"requirements.txt": "requests==2.31.0\nPyQt5==5.15.11\n"}, "Bump")
    git(forge.work, "push", "-q", str(forge.bare), "gui")
    outcome = review(forge, tmp_path, number, head, **{"deny-licenses": "GPL-3.0-or-later"})
    assert outcome.status is Conclusion.FAILURE
    [body] = comments(forge, number)
    assert "5.15.11" in body
    assert "5.15.10" not in body
    assert outcome.outputs["comment-content"] in body


def test_a_vulnerable_pinned_version_fails_naming_the_advisory(
    forge: Forge, tmp_path: Path
) -> None:
    git(forge.work, "checkout", "-qb", "old", "main")
    lock = {
        "name": "app",
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "app", "dependencies": {"lodash": "^4.17.20"}},
            "node_modules/lodash": {"version": "4.17.20", "license": "MIT"},
        },
    }
    files = {
        "requirements.txt": "requests==2.28.0\n",
        "package-lock.json": json.dumps(lock, indent=2),
    }
    head = commit(forge, files, "Old versions")
    number = open_pull(forge, "old")
    outcome = review(forge, tmp_path, number, head, **{"osv-data": str(OSV)})
    assert outcome.status is Conclusion.FAILURE
    assert outcome.error is not None
    assert "GHSA-j8r2-6x86-q33q" in outcome.error
    assert "GHSA-35jh-r3h4-6jhm" in outcome.error
    vulnerable = json.loads(outcome.outputs["vulnerable-changes"])
    assert {c["name"]: c["vulnerabilities"][0]["severity"] for c in vulnerable} == {
        "requests": "moderate",
        "lodash": "high",
    }
    high_only = review(
        forge, tmp_path, number, head, **{"osv-data": str(OSV), "fail-on-severity": "high"}
    )
    assert high_only.error is not None
    assert "GHSA-35jh-r3h4-6jhm" in high_only.error
    assert "GHSA-j8r2" not in high_only.error
    assert len(comments(forge, number)) == 1


def test_the_marketplace_action_runs_natively_in_a_job(
    forge: Forge, tmp_path: Path, conveyor_home: Path
) -> None:
    git(forge.work, "checkout", "-qb", "job", "main")
    head = commit(forge, {"requirements.txt": "PyQt5==5.15.10\n"}, "Add a GUI")
    number = open_pull(forge, "job")
    data = tmp_path / "licences.json"
    data.write_text(json.dumps(LICENCES))
    pull = {"number": number, "base": {"sha": forge.sha("main")}, "head": {"sha": head}}
    context = {"repository": REPO, "repository_owner": "octo", "event_name": "pull_request",
               "ref": f"refs/pull/{number}/merge", "event": {"pull_request": pull},
               "run_id": "1", "run_number": "1", "actor": "tester", "api_url": forge.api,
               "server_url": forge.url, "token": ROLE_TOKEN["write"]}  # fmt: skip
    review_step = {"uses": "actions/dependency-review-action@v4", "id": "review",
                   "with": {"deny-licenses": "GPL-3.0", "license-data": str(data)}}  # fmt: skip
    doc = document(forge.work, steps({"uses": "actions/checkout@v4"}, review_step),
                   contexts={"github": context})  # fmt: skip
    registry = default_registry(BUILTIN_NATIVE_MAP)
    result, reporter = run_job(doc, conveyor_home, actions=registry)
    assert result.result is Conclusion.FAILURE, reporter.text(every=True)
    assert "licence(s) not allowed: PyQt5@5.15.10 (GPL-3.0-only)" in reporter.text(every=True)
    [body] = comments(forge, number)
    assert "PyQt5" in body
