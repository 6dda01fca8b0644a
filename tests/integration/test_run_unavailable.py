"""Jobs this host cannot run: a Windows or macOS runner, an interpreter that is not installed.
They are reported skipped (unavailable) with the reason — in the summary, `--json` and the
store — and do not fail the run; `--platform LABEL=host` runs such a label here anyway."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from conveyor.engine.ports.run_history import RunQuery
from conveyor.store import open_store
from tests.integration.test_run_cli import make_repo

pytestmark = pytest.mark.integration

PLATFORMS = """
on: push
jobs:
  win:
    runs-on: windows-latest
    steps:
      - run: echo "os=${{ runner.os }}"
  mac:
    runs-on: [self-hosted, macOS]
    steps:
      - run: echo mac ran
  after-win:
    needs: win
    runs-on: ubuntu-latest
    steps:
      - run: echo after ran
  linux:
    runs-on: ubuntu-latest
    steps:
      - run: echo linux ran
"""

INTERPRETERS = """
on: push
jobs:
  test:
    strategy:
      matrix:
        python: ['3.99', '3']
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - run: echo "tested on ${{ matrix.python }}"
  node:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
        with:
          node-version: '97'
      - run: echo node step ran
"""

needs_linux = pytest.mark.skipif(
    platform.system() != "Linux", reason="asserts what a Linux host cannot run"
)


@pytest.fixture(autouse=True)
def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    code = cli_main.run_cli(["run", *args, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def _jobs(record: dict[str, object]) -> dict[str, dict[str, object]]:
    jobs = record["jobs"]
    assert isinstance(jobs, list)
    return {job["name"]: job for job in jobs}


@needs_linux
def test_windows_and_macos_jobs_are_skipped_as_unavailable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": PLATFORMS})
    code, record, err = _run(capsys, str(repo))
    assert code == 0, err
    jobs = _jobs(record)
    assert jobs["win"]["conclusion"] == "skipped"
    assert "windows-latest" in str(jobs["win"]["unavailable"])
    assert "--platform windows-latest=host" in str(jobs["win"]["unavailable"])
    assert jobs["mac"]["conclusion"] == "skipped"
    assert jobs["mac"]["unavailable"]
    assert jobs["after-win"]["conclusion"] == "skipped"  # as after a skipped job
    assert jobs["after-win"]["unavailable"] is None
    assert jobs["linux"]["conclusion"] == "success"
    assert "os=" not in err
    assert "after ran" not in err
    assert "skipped (unavailable)" in err
    assert "Run success (2 unavailable)" in err


@needs_linux
def test_the_store_records_why_a_job_was_unavailable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": PLATFORMS})
    assert _run(capsys, str(repo))[0] == 0
    store = open_store()
    try:
        (run,) = store.runs.list_runs(RunQuery())
        jobs = {job.job_id: job for job in store.runs.list_jobs(run.id)}
    finally:
        store.close()
    assert str(jobs["win"].conclusion) == "skipped"
    assert (jobs["win"].error or "").startswith("unavailable: ")
    assert jobs["after-win"].error is None


@needs_linux
def test_platform_host_runs_the_label_here_anyway(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": PLATFORMS})
    code, record, err = _run(capsys, str(repo), "--platform", "windows-latest=host")
    assert code == 0, err
    jobs = _jobs(record)
    assert jobs["win"]["conclusion"] == "success"
    assert jobs["win"]["unavailable"] is None
    assert "os=Linux" in err
    assert "after ran" in err
    assert jobs["mac"]["conclusion"] == "skipped"
    assert "Run success (1 unavailable)" in err


def test_platform_expects_label_equals_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": PLATFORMS})
    assert cli_main.run_cli(["run", str(repo), "--platform", "windows-latest=docker"]) == 2
    assert "--platform expects LABEL=host" in capsys.readouterr().err


def test_an_interpreter_that_is_not_installed_makes_the_leg_unavailable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": INTERPRETERS})
    code, record, err = _run(capsys, str(repo))
    assert code == 0, err
    jobs = _jobs(record)
    assert jobs["test (3.99)"]["conclusion"] == "skipped"
    assert "3.99" in str(jobs["test (3.99)"]["unavailable"])
    assert jobs["test (3)"]["conclusion"] == "success"
    assert jobs["node"]["conclusion"] == "skipped"
    assert "'97'" in str(jobs["node"]["unavailable"])
    assert "tested on 3.99" not in err
    assert "tested on 3" in err
    assert "node step ran" not in err
    assert "Run success (2 unavailable)" in err


COMPOSITE_ACTION = """
name: setup
runs:
  using: composite
  steps:
    - uses: actions/setup-python@v5
      with:
        python-version: '3.99'
    - run: echo "inside-$((40 + 2))"
      shell: bash
"""
USES_COMPOSITE = """
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/setup
      - run: echo "job-$((40 + 2))"
"""


def test_an_interpreter_missing_inside_a_composite_action_stops_the_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": USES_COMPOSITE,
            ".github/actions/setup/action.yml": COMPOSITE_ACTION,
        },
    )
    code, record, err = _run(capsys, str(repo))
    assert code == 0, err
    job = _jobs(record)["test"]
    assert job["conclusion"] == "skipped"
    assert "3.99" in str(job["unavailable"])
    assert "inside-42" not in err
    assert "job-42" not in err


@needs_linux
def test_a_rerun_keeps_the_platforms_given_to_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "rerun", "conveyor.cli.rerun_command:rerun_command")
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": PLATFORMS})
    assert _run(capsys, str(repo), "--platform", "windows-latest=host")[0] == 0
    store = open_store()
    try:
        (run,) = store.runs.list_runs(RunQuery())
    finally:
        store.close()
    assert cli_main.run_cli(["rerun", str(run.id)]) == 0
    out, err = capsys.readouterr()
    assert "os=Linux" in out + err
    assert "(1 unavailable)" in out + err


@needs_linux
def test_conveyor_toml_maps_a_label_to_the_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = '[run.platforms]\n"windows-latest" = "host"\n'
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": PLATFORMS, "conveyor.toml": settings})
    code, record, err = _run(capsys, str(repo))
    assert code == 0, err
    assert _jobs(record)["win"]["conclusion"] == "success"


def test_a_bad_platforms_setting_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = '[run.platforms]\n"windows-latest" = "docker"\n'
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": PLATFORMS, "conveyor.toml": settings})
    assert cli_main.run_cli(["run", str(repo)]) == 2
    err = capsys.readouterr().err
    assert "conveyor.toml" in err
    assert "run.platforms" in err
