"""`conveyor run -e workflow_dispatch` refuses a dispatch whose inputs GitHub would refuse (an
undeclared input, a required one missing, a bad value): exit 2, one line naming the workflow
file and the input, and no job runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.unit.store.cli_helpers import Cli, make_cli

cli_fixture = pytest.fixture(name="cli")(make_cli)

WORKFLOW = """\
on:
  workflow_dispatch:
    inputs:
      level:
        required: true
      verbose:
        type: boolean
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ inputs.level }}" > "$MARKER"
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "deploy.yml").write_text(WORKFLOW, encoding="utf-8")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "deploy"], check=True)
    return root


def dispatch(cli: Cli, repo: Path, marker: Path, *inputs: str) -> tuple[int, str]:
    args = [arg for value in inputs for arg in ("--input", value)]
    outcome = cli("run", str(repo), "-e", "workflow_dispatch", "--env", f"MARKER={marker}", *args)
    return outcome.code, outcome.err


def test_a_valid_dispatch_runs(cli: Cli, repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code, err = dispatch(cli, repo, marker, "level=debug")
    assert code == 0, err
    assert marker.read_text(encoding="utf-8") == "debug\n"


@pytest.mark.parametrize(
    ("inputs", "reason"),
    [
        (("level=debug", "colour=red"), "input 'colour' is not declared"),
        ((), "input 'level' is required"),
        (("level=debug", "verbose=perhaps"), "'verbose'"),
    ],
)
def test_a_refused_dispatch_exits_2_and_runs_nothing(
    cli: Cli, repo: Path, tmp_path: Path, inputs: tuple[str, ...], reason: str
) -> None:
    marker = tmp_path / "ran"
    code, err = dispatch(cli, repo, marker, *inputs)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert ".github/workflows/deploy.yml" in lines[0]
    assert reason in lines[0]
    assert not marker.exists()
    assert cli("runs", "--json").out.strip() in ("[]", '{"runs": []}')
