"""The Carbon Connect sample's backend-ci, end to end under `conveyor run`.

examples/carbon-connect is copied into a fresh git repository (so its `.github/workflows/` is at
the root, as in the sample's own repository) and `conveyor run -W .github/workflows/backend-ci.yml
--native-actions` runs it in a subprocess with a private CONVEYOR_HOME: `lint` (ruff) then `test`
with a real PostgreSQL + pgvector and Redis started as `services:`, Alembic, the sample's pytest
with coverage, codecov-action run as conveyor's coverage report and coverage.xml uploaded.

Reaches the package index (PyPI): setup-uv downloads uv, and `uv pip install` the sample's pinned
requirements (skipped, saying why, when the index does not answer). Takes 20-60 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conveyor.actions.uv_install import index_releases
from conveyor.engine.ports.run_history import RunQuery
from conveyor.errors import InfrastructureError
from conveyor.store.handle import open_store
from tests.conftest import REPO_ROOT
from tests.unit.executors.harness import make_repo

pytestmark = [pytest.mark.integration, pytest.mark.registry, pytest.mark.slow]

SAMPLE = REPO_ROOT / "examples" / "carbon-connect"
WORKFLOW = ".github/workflows/backend-ci.yml"
LEFT_OUT = (".venv", "__pycache__", "node_modules", ".*_cache", ".coverage", "coverage.xml")
# The variables of the pytest running this test must not reach the sample's own pytest.
FOREIGN_PREFIXES = ("CONVEYOR_", "COV_CORE_", "PYTEST_", "COVERAGE_")


def sample_repository(path: Path) -> Path:
    """A git repository holding a copy of examples/carbon-connect (one commit)."""
    shutil.copytree(SAMPLE, path, ignore=shutil.ignore_patterns(*LEFT_OUT))
    return make_repo(path, {"README.sample.md": "copied by test_carbon_connect_backend\n"})


def run_backend_ci(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`conveyor run` of backend-ci in `repo`, in a subprocess with CONVEYOR_HOME=home (and uv's
    cache beside it, not the user's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_PREFIXES)}
    env |= {"CONVEYOR_HOME": str(home), "CONVEYOR_PLAIN": "1", "CI": "1"}
    env["UV_CACHE_DIR"] = str(home.parent / "uv-cache")
    command = [sys.executable, "-m", "conveyor", "run", "-W", WORKFLOW, "--native-actions"]
    return subprocess.run(
        command, cwd=repo, env=env, text=True, capture_output=True, timeout=900, check=False
    )


def recorded_jobs(home: Path) -> tuple[int, str, dict[str, str]]:
    """The run's id, conclusion and its jobs' conclusions, as the store recorded them."""
    store = open_store(home)
    try:
        (run,) = store.runs.list_runs(RunQuery())
        jobs = {job.job_id: str(job.conclusion) for job in store.runs.list_jobs(run.id)}
    finally:
        store.close()
    return run.id, str(run.conclusion), jobs


def line_rate(report: Path) -> float:
    """The overall line rate of a Cobertura report (coverage.py's `coverage xml`)."""
    return float(ET.parse(report).getroot().attrib["line-rate"])


def test_backend_ci_lints_tests_and_uploads_coverage(tmp_path: Path) -> None:
    try:
        index_releases(os.environ)
    except InfrastructureError as exc:
        pytest.skip(f"the package index does not answer: {exc}")
    home = tmp_path / "home"
    repo = sample_repository(tmp_path / "carbon-connect")
    result = run_backend_ci(repo, home)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    run_id, conclusion, jobs = recorded_jobs(home)
    assert conclusion == "success"
    assert jobs == {"lint": "success", "test": "success"}
    report = home / "runs" / str(run_id) / "artifacts" / "backend-coverage" / "coverage.xml"
    assert line_rate(report) >= 0.69
