"""`conveyor run` naming marketplace actions that conveyor runs natively: `--native-actions` (the
built-in map) and conveyor.toml `[actions.native]`, end to end on GitHub-valid workflows."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from tests.integration.test_run_cli import make_repo

pytestmark = pytest.mark.integration

# Valid on GitHub as it is: re-actors/alls-green is the marketplace's aggregate check.
WORKFLOW = """
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo tested
  flaky:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
  gate:
    if: always()
    needs: [test, flaky]
    runs-on: ubuntu-latest
    steps:
      - id: green
        uses: re-actors/alls-green@release/v1
        with:
          jobs: ${{ toJSON(needs) }}
          allowed-failures: flaky
      - run: test "${{ steps.green.outputs.result }}" = success
      - uses: conveyor/quality-gate@v1
        with:
          needs: ${{ toJSON(needs) }}
          advisory: flaky
"""


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")


def _gate_steps(out: str) -> list[str]:
    [gate] = [job for job in json.loads(out)["jobs"] if job["name"] == "gate"]
    return [step["conclusion"] for step in gate["steps"]]


def test_native_actions_runs_the_marketplace_action_natively(
    cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": WORKFLOW})
    cli_main.run_cli(["run", str(repo), "--json", "--offline", "--native-actions"])
    out, err = capsys.readouterr()
    assert _gate_steps(out) == ["success", "success", "success"], err
    assert "Advisory job 'flaky' did not succeed: failure" in err
    assert "Quality gate passed" in out + err  # the step summary


def test_without_the_map_the_marketplace_action_is_not_native(
    cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": WORKFLOW})
    cli_main.run_cli(["run", str(repo), "--json", "--offline"])
    out, _ = capsys.readouterr()
    assert _gate_steps(out)[0] == "failure"


def test_the_repositorys_table_maps_without_the_option(
    cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = '[actions.native]\n"re-actors/alls-green" = "conveyor/quality-gate@v1"\n'
    files = {".github/workflows/ci.yml": WORKFLOW, "conveyor.toml": table}
    repo = make_repo(tmp_path, files)
    cli_main.run_cli(["run", str(repo), "--json", "--offline"])
    out, err = capsys.readouterr()
    assert _gate_steps(out) == ["success", "success", "success"], err


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ('[actions.native]\n"re-actors/alls-green" = "conveyor/nope"\n', "'conveyor/nope'"),
        ('[actions.native]\n"alls-green@v1" = "conveyor/quality-gate"\n', "'alls-green@v1'"),
        ('[actions]\nnative = "yes"\n', "[actions.native] must be a table"),
    ],
)
def test_a_bad_table_exits_2_naming_the_file(
    cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, named: str
) -> None:
    files = {".github/workflows/ci.yml": WORKFLOW, "conveyor.toml": table}
    repo = make_repo(tmp_path, files)
    code = cli_main.run_cli(["run", str(repo)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "conveyor.toml" in err
    assert named in err
    assert "Traceback" not in err


LABELER_WORKFLOW = """
on: pull_request
jobs:
  label:
    runs-on: ubuntu-latest
    permissions:
      pull-requests: write
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - id: labeler
        uses: actions/labeler@v5
      - run: echo "new=${{ steps.labeler.outputs.new-labels }}"
"""


def test_a_pull_request_run_labels_natively_without_a_forge(
    cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = "docs:\n- changed-files:\n  - any-glob-to-any-file: 'docs/**'\n"
    files = {".github/workflows/pr.yml": LABELER_WORKFLOW, ".github/labeler.yml": config}
    repo = make_repo(tmp_path, files)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e"]
    subprocess.run([*git, "checkout", "-qb", "feature"], cwd=repo, check=True)
    (repo / "docs").mkdir()
    (repo / "docs/a.md").write_text("hello\n")
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "docs"], cwd=repo, check=True)
    argv = ["run", str(repo), "--event", "pull_request", "--base", "main", "--head", "feature"]
    code = cli_main.run_cli([*argv, "--native-actions", "--offline"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "new=docs" in out + err
    assert "[dry run] would POST" in out + err


def test_a_bad_input_fails_the_step_with_a_message_naming_it(
    cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = (
        "on: pull_request\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: conveyor/labeler@v1\n        with:\n          sync-labels: maybe\n"
    )
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": workflow})
    cli_main.run_cli(["run", str(repo), "--offline", "--event", "pull_request"])
    out, err = capsys.readouterr()
    assert "conveyor/labeler: input `sync-labels`: expected true or false, got 'maybe'" in out + err
    assert "unexpectedly" not in out + err
