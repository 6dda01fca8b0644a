"""`conveyor run` end to end on real git repositories with the local executor."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from conveyor.executors.local.processes import StopPolicy

pytestmark = pytest.mark.integration

COMMANDS = {
    "run": "conveyor.cli.run_command:run_command",
    "list": "conveyor.cli.list_command:list_command",
    "graph": "conveyor.cli.graph_command:graph_command",
}
BOOT = (
    "import sys; from conveyor.cli import main as m; "
    "m.COMMANDS.setdefault('run', 'conveyor.cli.run_command:run_command'); m.main(sys.argv[1:])"
)

CI = """
name: CI
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: echo "version=1.2.${{ github.run_attempt }}" >> "$GITHUB_OUTPUT"
  test:
    needs: build
    strategy:
      matrix:
        n: [1, 2]
    runs-on: ubuntu-latest
    steps:
      - run: test "${{ needs.build.outputs.version }}" = 1.2.1
      - run: echo "secret is ${{ secrets.TOKEN }}"
      - name: may fail
        continue-on-error: true
        run: exit ${{ matrix.n == 2 && 1 || 0 }}
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def make_repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@e", "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "init")
    return root


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, target in COMMANDS.items():
        monkeypatch.setitem(cli_main.COMMANDS, name, target)
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")


def test_json_record_and_masking(
    cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": CI})
    code = cli_main.run_cli(["run", str(repo), "--json", "--secret", "TOKEN=hunter2"])
    out, err = capsys.readouterr()
    assert code == 0, err
    record = json.loads(out)
    assert record["conclusion"] == "success"
    jobs = {job["name"]: job for job in record["jobs"]}
    assert list(jobs) == ["build", "test (1)", "test (2)"]
    assert jobs["build"]["outputs"] == {"version": "1.2.1"}
    assert jobs["test (2)"]["matrix"] == {"n": 2}
    assert jobs["test (2)"]["steps"][2] == {
        "name": "may fail",
        "id": None,
        "outcome": "failure",
        "conclusion": "success",
    }
    assert "[CI/test (1)]" in err  # the human output goes to stderr with --json
    assert "hunter2" not in err
    assert "***" in err


def test_no_workflow_fires(cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": CI})
    code = cli_main.run_cli(["run", str(repo), "-e", "pull_request"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "no workflow runs for 'pull_request'" in out
    assert ".github/workflows/ci.yml:" in out


def test_an_invalid_workflow_runs_nothing(
    cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = "on: push\njobs:\n  a:\n    runs-on: x\n    needs: ghost\n    steps: [{run: touch ran}]\n"
    repo = make_repo(tmp_path, {".github/workflows/bad.yml": bad})
    code = cli_main.run_cli(["run", str(repo), "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert ".github/workflows/bad.yml:" in err
    assert "error[" in err
    assert json.loads(out)["workflows"][0]["conclusion"] == "startup_failure"
    assert "no workflow runs" not in err  # it was found, and failed to start: not "none fired"


def test_dash_j_and_dry_run(cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": CI})
    code = cli_main.run_cli(["run", str(repo), "-j", "build", "--dry-run", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert [job["id"] for job in json.loads(out)["jobs"]] == ["build"]
    assert cli_main.run_cli(["run", str(repo), "-j", "nope"]) == 2


def _conveyor(repo: Path, home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CONVEYOR_HOME": str(home), "CONVEYOR_PLAIN": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", BOOT, "run", str(repo), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline:
                found.append(int(entry.name))
    return found


def _wait_for(process: subprocess.Popen[str], text: str, lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if text in line:
            return
    raise AssertionError("never saw " + text + "\n" + "".join(lines))


INTERRUPTIBLE = """
on: push
jobs:
  long:
    runs-on: ubuntu-latest
    steps:
      - run: echo started; sleep 4321.5
      - if: always()
        run: echo "cleanup ran"
  after:
    needs: long
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "after ran"
  skipped:
    needs: long
    runs-on: ubuntu-latest
    steps:
      - run: echo "must not run"
"""


def test_ctrl_c_cancels_gracefully_and_leaves_no_process(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/long.yml": INTERRUPTIBLE})
    process = _conveyor(repo, tmp_path / "home")
    lines: list[str] = []
    _wait_for(process, "started", lines)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    text = "".join(lines) + output
    assert process.returncode == 130, text
    assert "cleanup ran" in text
    assert "after ran" in text
    assert "must not run" not in text
    assert _processes_with("4321.5") == []


STUBBORN = """
on: push
jobs:
  stubborn:
    runs-on: ubuntu-latest
    steps:
      - run: |
          trap '' INT TERM
          echo started
          sleep 4322.5
"""


# A step that ignores SIGINT and SIGTERM is stopped gracefully only after both grace periods
# (SIGINT, 7.5 s, SIGTERM, 2.5 s, SIGKILL); a second Ctrl-C must SIGKILL it well before that.
GRACEFUL_STOP = StopPolicy().interrupt_grace + StopPolicy().terminate_grace
HARD_STOP_BOUND = 5.0


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_second_ctrl_c_stops_hard(tmp_path: Path, stop: signal.Signals) -> None:
    assert HARD_STOP_BOUND < GRACEFUL_STOP - 2  # one Ctrl-C alone cannot pass
    repo = make_repo(tmp_path / "repo", {".github/workflows/stubborn.yml": STUBBORN})
    process = _conveyor(repo, tmp_path / "home")
    lines: list[str] = []
    _wait_for(process, "started", lines)
    started = time.monotonic()
    process.send_signal(stop)
    _wait_for(process, "Cancelling the run", lines)  # the first Ctrl-C was taken
    process.send_signal(stop)
    try:
        process.communicate(timeout=HARD_STOP_BOUND)
    finally:
        process.kill()
    assert process.returncode == 130
    assert time.monotonic() - started < HARD_STOP_BOUND
    assert _processes_with("4322.5") == []


LOUD = """
on: push
jobs:
  loud:
    runs-on: ubuntu-latest
    steps:
      - run: |
          head -c 300000 /dev/urandom
          seq 1 200000
          echo the-end
"""


def test_large_and_binary_output_reaches_the_log_intact(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/loud.yml": LOUD})
    home = tmp_path / "home"
    process = _conveyor(repo, home)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output[-2000:]
    (log,) = (home / "logs").glob("*/*/loud.log")
    text = log.read_text(encoding="utf-8")
    assert "\n200000\n" in text
    assert "\nthe-end\n" in text
