"""Each job's own TMPDIR (and RUNNER_TEMP), and `--isolate-home`'s own HOME, end to end."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from tests.integration.test_run_cli import make_repo

pytestmark = pytest.mark.integration

DIRS = """
on: push
jobs:
  one:
    runs-on: ubuntu-latest
    outputs: {tmp: "${{ steps.d.outputs.tmp }}", temp: "${{ steps.d.outputs.temp }}",
              home: "${{ steps.d.outputs.home }}", name: "${{ steps.d.outputs.name }}"}
    steps:
      - id: d
        run: |
          test -d "$TMPDIR" && test -w "$TMPDIR"
          python3 -c "import tempfile; print(tempfile.gettempdir())" > "$TMPDIR/seen"
          echo "tmp=$(cat "$TMPDIR/seen")" >> "$GITHUB_OUTPUT"
          echo "temp=$RUNNER_TEMP" >> "$GITHUB_OUTPUT"
          echo "home=$HOME" >> "$GITHUB_OUTPUT"
          echo "name=$(git config --global user.name || true)" >> "$GITHUB_OUTPUT"
          if [ -n "$TOUCH_HOME" ]; then touch "$HOME/.written-by-a-job"; fi
  two:
    runs-on: ubuntu-latest
    outputs: {tmp: "${{ steps.d.outputs.tmp }}", temp: "${{ steps.d.outputs.temp }}",
              home: "${{ steps.d.outputs.home }}"}
    steps:
      - id: d
        run: |
          echo "tmp=$TMPDIR" >> "$GITHUB_OUTPUT"
          echo "temp=$RUNNER_TEMP" >> "$GITHUB_OUTPUT"
          echo "home=$HOME" >> "$GITHUB_OUTPUT"
"""


@pytest.fixture(autouse=True)
def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")


def _outputs(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, dict[str, str]]:
    code = cli_main.run_cli(["run", *args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return {job["id"]: job["outputs"] for job in json.loads(out)["jobs"]}


def test_each_job_has_its_own_tmpdir_removed_with_it(
    tmp_path: Path, conveyor_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/dirs.yml": DIRS})
    jobs = _outputs(capsys, str(repo))
    one, two = jobs["one"], jobs["two"]
    assert one["tmp"] != two["tmp"]
    assert one["temp"] != two["temp"]
    for outputs in (one, two):
        assert Path(outputs["tmp"]).is_relative_to(conveyor_home.resolve())
        assert not Path(outputs["tmp"]).exists()  # cleaned with the job
    assert one["home"] == os.environ["HOME"]  # not isolated by default


def test_isolate_home_gives_each_job_a_fresh_private_home(
    tmp_path: Path, conveyor_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/dirs.yml": DIRS})
    jobs = _outputs(capsys, str(repo), "--isolate-home", "--env", "TOUCH_HOME=1")
    one, two = jobs["one"], jobs["two"]
    assert one["home"] != two["home"]
    assert one["home"] != os.environ["HOME"]
    assert Path(one["home"]).is_relative_to(conveyor_home.resolve())
    assert not (Path(os.environ["HOME"]) / ".written-by-a-job").exists()
    assert not Path(one["home"]).exists()
    assert one["name"] == (_host_git_name() or "conveyor")  # seeded: commits in a step work


def _host_git_name() -> str:
    done = subprocess.run(["git", "config", "--global", "user.name"], capture_output=True)
    return done.stdout.decode().strip()
