"""`conveyor run` with action overrides (conveyor.toml `[actions.overrides]`, `--action-dir`,
`--skip-action`) and the short unresolved-action message, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from tests.integration.test_run_cli import make_repo

pytestmark = pytest.mark.integration


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")


WORKFLOW = """
on: push
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - id: greet
        uses: acme/greet@v1
      - uses: pypa/gh-action-pypi-publish@release/v1
      - run: test "${{ steps.greet.outputs.said }}" = hello
"""

GREET = """
outputs:
  said:
    value: hello
runs:
  using: composite
  steps:
    - run: echo greeting from tools
      shell: bash
"""

UNKNOWN = """
on: push
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - uses: someone/unknown@v1
  two:
    runs-on: ubuntu-latest
    steps:
      - uses: someone/unknown@v1
"""


def _steps(out: str) -> list[dict[str, object]]:
    return json.loads(out)["jobs"][0]["steps"]  # type: ignore[no-any-return]


def test_the_file_maps_and_skips(
    cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = (
        '[actions.overrides]\n"acme/greet" = "tools/greet"\n'
        '"pypa/gh-action-pypi-publish" = "skip"\n'
    )
    repo = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": WORKFLOW,
            "tools/greet/action.yml": GREET,
            "conveyor.toml": table,
        },
    )
    code = cli_main.run_cli(["run", str(repo), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [s["conclusion"] for s in _steps(out)] == ["success", "skipped", "success"]
    assert "greeting from tools" in err
    assert "Skipped 'pypa/gh-action-pypi-publish@release/v1': set to skip by conveyor.toml" in err


def test_the_command_line_wins_over_the_file(
    cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = '[actions.overrides]\n"acme/greet" = "skip"\n'
    repo = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": WORKFLOW,
            "tools/greet/action.yml": GREET,
            "conveyor.toml": table,
        },
    )
    argv = ["run", str(repo), "--json", "--action-dir", f"acme/greet={repo / 'tools/greet'}"]
    code = cli_main.run_cli([*argv, "--skip-action", "pypa/gh-action-pypi-publish"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [s["conclusion"] for s in _steps(out)] == ["success", "skipped", "success"]


@pytest.mark.parametrize(
    ("args", "table", "named"),
    [
        (["--action-dir", "acme/greet=no/such/dir"], "", "--action-dir acme/greet=no/such/dir"),
        (["--skip-action", "not-a-repo"], "", "--skip-action not-a-repo"),
        ([], '[actions.overrides]\n"acme/greet" = "missing"\n', "conveyor.toml"),
    ],
)
def test_bad_values_exit_2(
    cli: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    table: str,
    named: str,
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": WORKFLOW, "conveyor.toml": table})
    code = cli_main.run_cli(["run", str(repo), *args])
    _, err = capsys.readouterr()
    assert code == 2
    assert named in err
    assert "Traceback" not in err


def test_an_unresolved_action_is_one_line_and_the_hint_is_shown_once(
    cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": UNKNOWN})
    code = cli_main.run_cli(["run", str(repo), "--parallel", "1"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert out.count("--action-dir someone/unknown=PATH") == 1, out
    errors = [line for line in out.splitlines() if "someone/unknown@v1" in line]
    assert len(errors) >= 2  # each job's step still fails
    # one line: the action, and git's reason (a path under the test's directory)
    assert all(len(line) < 300 for line in errors), errors
