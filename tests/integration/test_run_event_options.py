"""`conveyor run --base/--head/--ref/--action`, and the base a pull request on the default
branch compares with, on real git repositories (a clone with an upstream)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from tests.integration.test_run_cli import make_repo

pytestmark = pytest.mark.integration

PATHS = """
on:
  pull_request:
    paths: ['src/**']
  push:
    branches: [release]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: echo "ref=${{ github.ref }} action=${{ github.event.action }}"
"""
IDENTITY = ("-c", "user.name=t", "-c", "user.email=t@e")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *IDENTITY, *args], cwd=repo, check=True, capture_output=True)
    return done.stdout.decode().strip()


def _commit(repo: Path, name: str, text: str = "x\n") -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", f"change {name}")


@pytest.fixture(autouse=True)
def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")


def test_base_head_and_action_choose_the_pull_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/paths.yml": PATHS})
    _git(repo, "branch", "feature")
    _git(repo, "checkout", "-q", "feature")
    _commit(repo, "src/a.py")
    _git(repo, "checkout", "-q", "main")
    args = ["run", str(repo), "-e", "pull_request", "--base", "main", "--head", "feature"]
    code = cli_main.run_cli([*args, "--action", "synchronize", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    record = json.loads(out)
    assert [job["id"] for job in record["jobs"]] == ["check"]
    assert "action=synchronize" in err


def test_ref_names_the_pushed_branch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, {".github/workflows/paths.yml": PATHS})
    _git(repo, "branch", "release")
    code = cli_main.run_cli(["run", str(repo), "--ref", "release", "--json"])
    _out, err = capsys.readouterr()
    assert code == 0, err
    assert "ref=refs/heads/release" in err


def test_base_applies_to_range_events_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/paths.yml": PATHS})
    assert cli_main.run_cli(["run", str(repo), "-e", "schedule", "--base", "main"]) == 2
    assert "--base/--head" in capsys.readouterr().err


def _clone_with_upstream(tmp_path: Path) -> tuple[Path, str]:
    upstream = make_repo(tmp_path / "upstream", {".github/workflows/paths.yml": PATHS})
    fork = tmp_path / "fork"
    subprocess.run(["git", "clone", "-q", str(upstream), str(fork)], check=True)
    return fork, _git(upstream, "rev-parse", "HEAD")


def test_pull_request_on_the_default_branch_compares_with_the_upstream_merge_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fork, upstream_tip = _clone_with_upstream(tmp_path)
    _commit(fork, "src/a.py")  # on main, not pushed: the change a pull request would carry
    code = cli_main.run_cli(["run", str(fork), "-e", "pull_request", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [job["id"] for job in json.loads(out)["jobs"]] == ["check"]
    assert f"base origin/main (merge base {upstream_tip[:7]}" in err


def test_pull_request_without_an_upstream_compares_with_the_last_commit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/paths.yml": PATHS})
    first = _git(repo, "rev-parse", "HEAD")
    _commit(repo, "src/a.py")
    code = cli_main.run_cli(["run", str(repo), "-e", "pull_request", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [job["id"] for job in json.loads(out)["jobs"]] == ["check"]
    assert f"base {first[:7]}" in err


def test_an_explicit_base_is_not_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fork, _ = _clone_with_upstream(tmp_path)
    _commit(fork, "src/a.py")
    code = cli_main.run_cli(["run", str(fork), "-e", "pull_request", "--base", "main", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["jobs"] == []
    assert "merge base" not in err


def test_triggers_chooses_and_tells_the_same_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        cli_main.COMMANDS, "triggers", "conveyor.cli.triggers_command:triggers_command"
    )
    fork, upstream_tip = _clone_with_upstream(tmp_path)
    _commit(fork, "src/a.py")
    assert cli_main.run_cli(["triggers", str(fork), "-e", "pull_request"]) == 0
    out, err = capsys.readouterr()
    assert "fires  .github/workflows/paths.yml" in out
    assert f"merge base {upstream_tip[:7]}" in err
