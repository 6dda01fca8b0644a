"""actions/checkout (native) through LocalExecutor: the workspace already is the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.actions import default_registry
from conveyor.model.results import Conclusion
from tests.unit.executors.harness import commit_all, document, git, make_repo, run_job, steps

pytestmark = pytest.mark.integration

CHECKOUT = {"uses": "actions/checkout@v4"}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "demo", {"version.txt": "one\n"})
    git(repo, "tag", "v1")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "version.txt").write_text("feature\n")
    commit_all(repo, "feature")
    git(repo, "checkout", "-q", "main")
    (repo / "version.txt").write_text("two\n")
    commit_all(repo, "two")
    return repo


def test_default_checkout_keeps_the_job_commit(repo: Path, conveyor_home: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    doc = document(
        repo,
        steps(
            {"uses": "actions/checkout@v4", "id": "co"},
            {"run": "cat version.txt; git rev-parse HEAD; git log --oneline | wc -l"},
        ),
        sha=head,
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert result.steps[0].outputs["commit"] == head
    assert reporter.output(1) == ["two", head, "2"]


def test_checkout_ref_and_path(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"uses": "actions/checkout@v4", "with": {"ref": "feature"}},
            {"run": "cat version.txt"},
            {"uses": "actions/checkout@v4", "with": {"ref": "v1", "path": "old"}},
            {"run": "cat old/version.txt"},
            {
                "uses": "actions/checkout@v4",
                "with": {"path": "../outside"},
                "condition": "always()",
            },
            {
                "uses": "actions/checkout@v4",
                "with": {"repository": "someone/else"},
                "condition": "always()",
            },
            {
                "uses": "actions/checkout@v4",
                "with": {"ref": "no-such-ref"},
                "condition": "always()",
            },
        ),
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert reporter.output(1) == ["feature"]
    assert reporter.output(3) == ["one"]
    assert [str(s.outcome) for s in result.steps[4:]] == ["failure"] * 3
    assert "inside the workspace" in reporter.text(4)
    assert "someone/else" in reporter.text(5)
    assert "no-such-ref" in reporter.text(6)


def test_uncommitted_changes_survive_checkout(repo: Path, conveyor_home: Path) -> None:
    (repo / "version.txt").write_text("dirty\n")
    (repo / "new.txt").write_text("untracked\n")
    (repo / ".gitignore").write_text("ignored.txt\n")
    (repo / "ignored.txt").write_text("ignored\n")
    doc = document(
        repo,
        steps(
            {"uses": "actions/checkout@v4"},
            {"run": "cat version.txt new.txt; ls ignored.txt || true"},
        ),
        include_uncommitted=True,
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS
    assert reporter.output(1)[:2] == ["dirty", "untracked"]
    assert "ignored.txt" not in reporter.output(1)[2:]


def test_an_older_sha_is_checked_out(repo: Path, conveyor_home: Path) -> None:
    first = git(repo, "rev-list", "--max-parents=0", "HEAD")
    doc = document(repo, steps(CHECKOUT, {"run": "cat version.txt"}), sha=first)
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS
    assert reporter.output(1) == ["one"]


def test_unknown_sha_fails_the_job_before_steps(repo: Path, conveyor_home: Path) -> None:
    doc = document(repo, steps(CHECKOUT, {"run": "true"}), sha="0" * 40)
    result, _ = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.FAILURE
    assert result.steps == ()
    assert result.error is not None
    assert "0000000" in result.error


def test_a_plain_directory_is_copied(tmp_path: Path, conveyor_home: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "file.txt").write_text("content\n")
    doc = document(plain, steps(CHECKOUT, {"run": "cat file.txt"}))
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS
    assert reporter.output(1) == ["content"]
