"""`conveyor run` of a workflow using astral-sh/setup-uv@v6 with real uv from the package index
(PyPI): setup-python + setup-uv + `uv sync` + `uv run` of a tiny project, then a second run with
the index unreachable that reuses the tool cache (no download)."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from conveyor.actions.interpreters import identify, python_candidates
from conveyor.actions.uv_install import index_releases
from conveyor.cli import main as cli_main
from conveyor.errors import InfrastructureError
from tests.unit.executors.harness import make_repo

pytestmark = [pytest.mark.integration, pytest.mark.registry, pytest.mark.slow]

WORKFLOW = """
name: uv
on: push
env:
  UV_PYTHON_DOWNLOADS: never
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo "UV_CACHE_DIR=$RUNNER_TEMP/uv-cache" >> "$GITHUB_ENV"
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "{python}"
      - uses: astral-sh/setup-uv@v6
        id: uv
        with:
          python-version: "{python}"
      - run: uv sync --offline
      - run: uv run --offline python -m demo
      - run: |
          echo "uv=${{{{ steps.uv.outputs.uv-version }}}}"
          echo "python=${{{{ steps.uv.outputs.python-version }}}}"
"""
PYPROJECT = """
[project]
name = "demo"
version = "0.1"
requires-python = ">=3.8"
dependencies = []
"""


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")


def _python(home: Path) -> str:
    found = identify(python_candidates(os.environ, str(home)), "python", str(home))
    best = max((i for i in found if i.implementation == "cpython"), key=lambda i: i.version)
    return f"{best.version[0]}.{best.version[1]}"


def test_setup_uv_syncs_and_runs_a_project_then_reuses_the_tool_cache_offline(
    cli: None,
    tmp_path: Path,
    conveyor_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    try:
        index_releases(os.environ)
    except InfrastructureError as exc:
        pytest.skip(f"the package index does not answer: {exc}")
    python = _python(conveyor_home)
    files = {
        ".github/workflows/uv.yml": textwrap.dedent(WORKFLOW.format(python=python)),
        "pyproject.toml": PYPROJECT,
        "demo.py": "import sys\nprint('uv-run', sys.version_info[:2], 42)\n",
    }
    repo = make_repo(tmp_path / "demo", files)
    code = cli_main.run_cli(["run", str(repo), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["conclusion"] == "success"
    assert f"uv-run ({python.replace('.', ', ')}) 42" in err
    assert "Downloading uv" in err
    assert f"python={python}" in err

    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # nothing listens there
    code = cli_main.run_cli(["run", str(repo), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Downloading uv" not in err
    assert "did not answer" in err
    assert f"uv-run ({python.replace('.', ', ')}) 42" in err
