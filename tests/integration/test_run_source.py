"""One source per run: by default the workflow files and the job workspaces both come from the
commit; `--working-tree` runs both from the working tree, uncommitted changes included. The
header says which."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from tests.integration.test_run_cli import make_repo

pytestmark = pytest.mark.integration

CI = """
on: push
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "workflow=WHICH data=$(cat data.txt)"
"""
CALLER = """
on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
"""
CALLED = """
on: workflow_call
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - run: echo "called=WHICH"
"""


@pytest.fixture(autouse=True)
def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")


def _repo(tmp_path: Path) -> tuple[Path, str]:
    repo = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": CI.replace("WHICH", "committed"),
            "data.txt": "committed-data\n",
        },
    )
    (repo / ".github/workflows/ci.yml").write_text(CI.replace("WHICH", "edited"))
    (repo / ".github/workflows/new.yml").write_text(CI.replace("WHICH", "untracked"))
    (repo / "data.txt").write_text("edited-data\n")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    return repo, head


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[str], str]:
    code = cli_main.run_cli(["run", *args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return [job["workflow"] for job in json.loads(out)["jobs"]], err


def test_by_default_workflows_and_workspaces_come_from_the_commit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, head = _repo(tmp_path)
    workflows, err = _run(capsys, str(repo))
    assert workflows == [".github/workflows/ci.yml"]  # not the untracked new.yml
    assert "workflow=committed data=committed-data" in err
    assert f"from commit {head[:7]}" in err
    assert "--working-tree" in err  # says that uncommitted workflow changes are left out


def test_working_tree_runs_both_from_the_working_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = _repo(tmp_path)
    workflows, err = _run(capsys, str(repo), "--working-tree")
    assert workflows == [".github/workflows/ci.yml", ".github/workflows/new.yml"]
    assert "workflow=edited data=edited-data" in err
    assert "workflow=untracked data=edited-data" in err
    assert "from the working tree (uncommitted changes included)" in err


def test_a_called_workflow_comes_from_the_same_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(
        tmp_path,
        {
            ".github/workflows/caller.yml": CALLER,
            ".github/workflows/called.yml": CALLED.replace("WHICH", "committed"),
        },
    )
    (repo / ".github/workflows/called.yml").write_text(CALLED.replace("WHICH", "edited"))
    assert "called=committed" in _run(capsys, str(repo))[1]
    assert "called=edited" in _run(capsys, str(repo), "--working-tree")[1]


def test_a_workflow_never_committed_runs_with_working_tree_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n"})
    (repo / ".github/workflows").mkdir(parents=True)
    (repo / ".github/workflows/draft.yml").write_text(CI.replace("WHICH", "draft"))
    (repo / "data.txt").write_text("d\n")
    assert cli_main.run_cli(["run", str(repo)]) == 2
    err = capsys.readouterr().err
    assert ".github/workflows is not in the commit" in err
    assert "--working-tree" in err
    assert "workflow=draft" in _run(capsys, str(repo), "--working-tree")[1]
