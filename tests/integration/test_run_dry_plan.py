"""`conveyor run --dry-run` shows what a run would do: a matrix made from `needs` outputs is
"decided at run time" (not a failure), and a step whose `if:` is false before anything runs is
shown skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from tests.integration.test_run_cli import make_repo

pytestmark = pytest.mark.integration

PLANNED = """
on: push
jobs:
  plan:
    runs-on: ubuntu-latest
    outputs:
      m: ${{ steps.m.outputs.m }}
    steps:
      - id: m
        run: echo 'm=["a","b"]' >> "$GITHUB_OUTPUT"
      - if: github.event_name == 'pull_request'
        run: echo only on pull requests
      - if: steps.m.outputs.m != ''
        run: echo decided by an earlier step
      - if: ${{ always() && github.event_name == 'pull_request' }}
        run: echo status functions are decided at run time
  build:
    needs: plan
    strategy:
      matrix:
        x: ${{ fromJSON(needs.plan.outputs.m) }}
    runs-on: ubuntu-latest
    steps:
      - run: echo "built ${{ matrix.x }}"
  after:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo after
"""


@pytest.fixture(autouse=True)
def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")


def test_dry_run_defers_a_matrix_from_needs_and_skips_statically_false_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": PLANNED})
    code = cli_main.run_cli(["run", str(repo), "--dry-run", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    jobs = {job["id"]: job for job in json.loads(out)["jobs"]}
    assert jobs["build"]["conclusion"] == "skipped"
    assert "decided at run time" in str(jobs["build"]["deferred"])
    assert jobs["build"]["error"] is None
    assert jobs["after"]["conclusion"] == "skipped"
    steps = [step["conclusion"] for step in jobs["plan"]["steps"]]
    assert steps == ["success", "skipped", "success", "success"]
    assert "decided at run time" in err


def test_the_real_run_expands_the_matrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": PLANNED})
    code = cli_main.run_cli(["run", str(repo), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    jobs = {job["name"]: job for job in json.loads(out)["jobs"]}
    assert jobs["build (a)"]["conclusion"] == jobs["build (b)"]["conclusion"] == "success"
    assert jobs["plan"]["steps"][1]["conclusion"] == "skipped"
