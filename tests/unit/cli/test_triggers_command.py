"""`conveyor triggers` end to end through the CLI's error boundary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.cli.main import run_cli
from tests.unit.git.repo_factory import TestRepo, make_repo, write_workflow

pytestmark = pytest.mark.integration

JOBS = "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> TestRepo:
    repo = make_repo(tmp_path_factory.mktemp("cli") / "repo")
    write_workflow(repo, "ci.yml", "name: CI\non:\n  push:\n    branches: [main]\n" + JOBS)
    write_workflow(repo, "docs.yml", "on:\n  push:\n    paths: ['docs/**']\n" + JOBS)
    write_workflow(repo, "pr.yml", "on:\n  pull_request:\n    types: [closed]\n" + JOBS)
    write_workflow(repo, "broken.yml", "on: pushh\n" + JOBS)
    repo.commit({"src/a.py": "1"}, "one")
    repo.commit({"src/a.py": "2"}, "two")
    repo.checkout("feature", create=True)
    repo.commit({"docs/x.md": "x"}, "docs")
    return repo


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_cli(["triggers", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_lists_every_workflow_with_its_decision(
    repo: TestRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(repo.root), "--format", "json")
    assert code == 0
    rows = {row["workflow"]: row for row in json.loads(out)}
    assert set(rows) == {
        ".github/workflows/broken.yml",
        ".github/workflows/ci.yml",
        ".github/workflows/docs.yml",
        ".github/workflows/pr.yml",
    }
    assert rows[".github/workflows/docs.yml"] == {
        "workflow": ".github/workflows/docs.yml",
        "fires": True,
        "reason": "changed file 'docs/x.md' matches paths",
    }
    assert rows[".github/workflows/ci.yml"]["reason"] == (
        "branch 'feature' is not in branches [main]"
    )
    broken = rows[".github/workflows/broken.yml"]
    assert broken["fires"] is False
    assert broken["reason"].startswith("the workflow has 1 error: .github/workflows/broken.yml:1:5")


def test_text_output_explains_each_decision(
    repo: TestRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(repo.root), "--ref", "main")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("event: push on refs/heads/main at ")
    assert lines[0].endswith(", 1 changed file")
    assert any(
        "fires" in line and ".github/workflows/ci.yml (CI)" in line and "matches 'main'" in line
        for line in lines
    )
    assert lines[-1] == "workflows that fire: 1 of 4"


def test_pull_request_action_and_workflow_file(
    repo: TestRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = str(repo.root / ".github" / "workflows" / "pr.yml")
    args = (str(repo.root), "-e", "pull_request", "-W", workflow, "--format", "json")
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert json.loads(out) == [
        {
            "workflow": ".github/workflows/pr.yml",
            "fires": False,
            "reason": "action 'opened' is not in types [closed]",
        }
    ]
    code, out, _ = run(capsys, *args, "--action", "closed")
    assert json.loads(out)[0]["fires"] is True


def test_eventpath(repo: TestRepo, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    payload = tmp_path / "event.json"
    payload.write_text(json.dumps({"ref": "refs/heads/main", "after": repo.sha("main")}))
    code, out, _ = run(capsys, str(repo.root), "--eventpath", str(payload), "--format", "json")
    assert code == 0
    rows = {row["workflow"]: row["fires"] for row in json.loads(out)}
    assert rows[".github/workflows/ci.yml"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-e", "pushh"], "unknown event 'pushh' (did you mean 'push'?)"),
        (["--ref", "nope"], "unknown branch or tag 'nope'"),
        (["-e", "pull_request", "--base", "0123abc"], "unknown ref or SHA '0123abc'"),
        (["--input", "novalue"], "--input expects NAME=VALUE"),
        (["-W", "missing.yml"], "no such workflow file or directory"),
    ],
)
def test_usage_errors_exit_2(
    repo: TestRepo, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, str(repo.root), *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_malformed_payload_and_non_repository_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, repo: TestRepo
) -> None:
    code, _, err = run(capsys, str(tmp_path))
    assert (code, err.strip()) == (2, f"conveyor: error: {tmp_path} is not a git repository")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    code, _, err = run(capsys, str(repo.root), "--eventpath", str(bad))
    assert code == 2
    assert "bad.json:1:2: malformed JSON" in err


def test_no_workflows_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = make_repo(tmp_path / "empty")
    empty.commit({"a": "1"}, "one")
    code, _, err = run(capsys, str(empty.root))
    assert code == 2
    assert "no workflow files" in err


def test_repository_dispatch_types_match_the_event_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    write_workflow(repo, "list.yml", "on: [push, repository_dispatch]\n" + JOBS)
    types = "on:\n  repository_dispatch:\n    types: [deploy]\n"
    write_workflow(repo, "deploy.yml", types + JOBS)
    repo.commit({"a.txt": "1"}, "one")
    rows = {}
    for action in ("deploy", "test"):
        args = ("-e", "repository_dispatch", "--action", action, "--format", "json")
        code, out, err = run(capsys, str(repo.root), *args)
        assert code == 0, err
        rows[action] = {row["workflow"]: row for row in json.loads(out)}
    deploy, other = ".github/workflows/deploy.yml", ".github/workflows/list.yml"
    assert rows["deploy"][deploy]["fires"] is True
    assert rows["deploy"][other]["fires"] is True
    assert rows["test"][deploy] == {
        "workflow": deploy,
        "fires": False,
        "reason": "action 'test' is not in types [deploy]",
    }
    assert rows["test"][other]["fires"] is True
