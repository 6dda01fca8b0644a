"""The Carbon Connect sample's frontend-ci workflow, run by `conveyor run` on a copy of
examples/carbon-connect in a fresh git repository: real node, real `npm ci`, ESLint, tsc,
`next build` and Vitest with coverage.

`npm ci` reaches the npm registry (about 290 packages, 250 MB unpacked) unless the npm cache
(~/.npm, or $npm_config_cache) is warm; the tests are skipped, saying why, when the registry does
not answer. A run takes 1.5-2 minutes on two cores.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from conveyor.cli import main as cli_main
from conveyor.store import open_store
from tests.conftest import REPO_ROOT

pytestmark = [
    pytest.mark.integration,
    pytest.mark.registry,
    pytest.mark.slow,
    pytest.mark.timeout(1200),
]

SAMPLE = REPO_ROOT / "examples" / "carbon-connect"
WORKFLOW = ".github/workflows/frontend-ci.yml"
# What a developer's checkout may hold beside the sources (all in frontend/.gitignore).
LOCAL_ONLY = shutil.ignore_patterns(
    "node_modules", ".next", "out", "coverage", "next-env.d.ts", "*.tsbuildinfo"
)


@pytest.fixture(autouse=True)
def _cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")


@pytest.fixture(scope="module")
def _npm_registry() -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    url = (
        subprocess.run(
            ["npm", "config", "get", "registry"], capture_output=True, text=True, check=False
        ).stdout.strip()
        or "https://registry.npmjs.org/"
    )
    try:
        urllib.request.urlopen(url.rstrip("/") + "/next", timeout=15).close()
    except OSError as exc:
        pytest.skip(f"the npm registry {url} does not answer: {exc}")


def _sample_repo(root: Path) -> Path:
    """examples/carbon-connect as a repository of its own (workflows at its root)."""
    repo = root / "carbon-connect"
    shutil.copytree(SAMPLE, repo, ignore=LOCAL_ONLY)
    _commit(repo, "init")
    return repo


def _commit(repo: Path, message: str) -> None:
    author = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    if not (repo / ".git").exists():
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(["git", *author, "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", *author, "commit", "-qm", message], cwd=repo, check=True)


def _run(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> tuple[int, Any, str]:
    code = cli_main.run_cli(
        ["run", str(repo), "-W", str(repo / WORKFLOW), "--native-actions", "--json", *args]
    )
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def _stored_run(capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The run as `conveyor runs --json` lists it, and its jobs' conclusions in the store."""
    assert cli_main.run_cli(["runs", "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    store = open_store()
    try:
        jobs = {job.job_id: str(job.conclusion) for job in store.runs.list_jobs(run["id"])}
    finally:
        store.close()
    return run, jobs


def _coverage_summary(home: Path, run_id: int) -> dict[str, Any]:
    """The uploaded artifact's coverage-summary.json (docs/actions.md: the run's artifact store;
    the store's artifact index is not filled by `conveyor run`, so the files are read)."""
    path = home / "runs" / str(run_id) / "artifacts" / "frontend-coverage" / "coverage-summary.json"
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return summary


@pytest.mark.usefixtures("_npm_registry")
def test_frontend_ci_lints_builds_and_uploads_the_coverage(
    tmp_path: Path, conveyor_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _sample_repo(tmp_path)
    code, record, err = _run(capsys, repo)
    assert code == 0, err[-4000:]
    jobs = {job["id"]: job for job in record["jobs"]}
    assert {key: job["conclusion"] for key, job in jobs.items()} == {
        "lint": "success",
        "build": "success",
        "test": "success",
    }
    build_steps = {step["name"]: step["conclusion"] for step in jobs["build"]["steps"]}
    assert build_steps["Run npm run typecheck"] == build_steps["Run npm run build"] == "success"
    run, stored = _stored_run(capsys)
    assert (run["workflow"], run["conclusion"]) == ("frontend-ci", "success")
    assert stored == {"lint": "success", "build": "success", "test": "success"}
    total = _coverage_summary(conveyor_home, run["id"])["total"]
    assert total["lines"]["total"] > 0
    assert 50 < total["lines"]["pct"] <= 100


@pytest.mark.usefixtures("_npm_registry")
def test_a_failing_vitest_test_fails_its_job_but_not_the_run(
    tmp_path: Path, conveyor_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _sample_repo(tmp_path)
    code_file = repo / "frontend" / "components" / "GrantList.tsx"
    text = code_file.read_text(encoding="utf-8")
    code_file.write_text(text.replace("Math.round(score * 100)", "Math.floor(score * 10)"))
    _commit(repo, "a bug the tests catch")
    code, record, err = _run(capsys, repo, "--job", "test")
    assert code == 0, err[-4000:]  # continue-on-error: the run succeeds
    jobs = {job["id"]: job for job in record["jobs"]}
    assert set(jobs) == {"lint", "test"}
    assert (jobs["test"]["conclusion"], jobs["test"]["continue_on_error"]) == ("failure", True)
    steps = {step["name"]: step["conclusion"] for step in jobs["test"]["steps"]}
    assert steps["Run npm run test:coverage"] == "failure"
    assert steps["Upload coverage"] == "success"  # failing tests still report their coverage
    run, stored = _stored_run(capsys)
    assert run["conclusion"] == "success"
    assert stored == {"lint": "success", "test": "failure"}
    assert _coverage_summary(conveyor_home, run["id"])["total"]["lines"]["pct"] > 0
