"""actions/setup-python and actions/setup-node (native) with the interpreters installed here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conveyor.actions import default_registry
from conveyor.actions.interpreters import identify, python_candidates
from conveyor.model.results import Conclusion
from tests.unit.executors.harness import document, make_repo, run_job, steps

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CONVEYOR_HOME for the module: the pip seed is built once, as for a real user."""
    return tmp_path_factory.mktemp("setup-home")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "demo", {".python-version": "3\n", ".nvmrc": "20\n"})


def _this_python() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def test_setup_python_makes_a_job_installation(repo: Path, shared_home: Path) -> None:
    version = _this_python()
    doc = document(
        repo,
        steps(
            {"uses": "actions/setup-python@v5", "id": "py", "with": {"python-version": version}},
            {
                "run": "python -c 'import sys; "
                "print(sys.prefix == sys.base_prefix, sys.version_info[:2])'\n"
                "pip --version\n"
                'echo "$pythonLocation" "${{ steps.py.outputs.python-path }}"'
            },
        ),
    )
    result, reporter = run_job(doc, shared_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    outputs = result.steps[0].outputs
    assert outputs["python-version"].startswith(version + ".")
    major, minor = version.split(".")
    lines = reporter.output(1)
    assert lines[0] == f"True ({major}, {minor})"
    location, python_path = lines[2].split()
    assert python_path == f"{location}/bin/python"
    assert lines[1].startswith("pip ")
    assert f"from {location}/lib/" in lines[1]
    assert "/_job/python/" in location


def test_setup_python_from_version_file_and_ranges(repo: Path, shared_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"uses": "actions/checkout@v4"},  # .python-version is in the repository
            {"uses": "actions/setup-python@v5", "id": "file"},
            {
                "uses": "actions/setup-python@v5",
                "id": "range",
                "with": {"python-version": ">=3.8, <4"},
            },
        ),
    )
    result, reporter = run_job(doc, shared_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert result.steps[1].outputs["python-version"].startswith("3.")
    assert result.steps[2].outputs["python-version"] == result.steps[1].outputs["python-version"]


def test_setup_python_makes_the_job_unavailable_for_a_missing_version(
    repo: Path, shared_home: Path
) -> None:
    doc = document(
        repo,
        steps(
            {"uses": "actions/setup-python@v5", "with": {"python-version": "3.99"}},
            {"run": "echo must not run", "condition": "always()"},
        ),
    )
    result, reporter = run_job(doc, shared_home, actions=default_registry())
    assert result.result is Conclusion.SKIPPED
    assert result.unavailable is not None
    assert "no installed Python satisfies python-version '3.99'" in result.unavailable
    assert "installed:" in reporter.text(0)
    assert [step.index for step in result.steps] == [0]  # the job stopped there


def test_a_pypy_leg_is_unavailable_not_failed(repo: Path, shared_home: Path) -> None:
    # A matrix leg asking for PyPy (e.g. pypy-3.11) cannot run here, as a missing version cannot.
    doc = document(
        repo,
        steps(
            {"uses": "actions/setup-python@v5", "with": {"python-version": "pypy-3.11"}},
            {"run": "echo never"},
        ),
    )
    result, _ = run_job(doc, shared_home, actions=default_registry())
    assert result.result is Conclusion.SKIPPED
    assert result.unavailable is not None
    assert "pypy-3.11" in result.unavailable
    assert "CPython only" in result.unavailable
    assert [step.index for step in result.steps] == [0]


def test_installed_interpreters_are_identified(shared_home: Path) -> None:
    found = identify(
        python_candidates({"PATH": str(Path(sys.executable).parent)}, str(shared_home)),
        "python",
        str(shared_home),
    )
    assert any(i.version[:2] == sys.version_info[:2] for i in found)


@pytest.mark.skipif(shutil.which("node") is None, reason="setup-node needs an installed node")
def test_setup_node_uses_installed_node_and_a_job_prefix(repo: Path, conveyor_home: Path) -> None:
    installed = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    major = installed.lstrip("v").split(".")[0]
    doc = document(
        repo,
        steps(
            {"uses": "actions/setup-node@v4", "id": "node", "with": {"node-version": f"{major}.x"}},
            {"run": "node --version; npm config get prefix"},
            {"uses": "actions/setup-node@v4", "with": {"node-version-file": ".nvmrc"}},
            {"uses": "actions/setup-node@v4", "with": {"node-version": "lts/*"}},
            {
                "uses": "actions/setup-node@v4",
                "with": {"node-version": "4"},
                "condition": "always()",
            },
        ),
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.steps[0].outputs["node-version"] == installed
    version, prefix = reporter.output(1)
    assert version == installed
    assert prefix.endswith("/_job/npm-global")
    # A version that is not installed makes the job unavailable: it stops there, skipped.
    outcomes = [str(s.outcome) for s in result.steps[2:]]
    missing = "4" if major == "20" else "20"  # .nvmrc asks for 20
    assert outcomes == (["success", "success", "skipped"] if major == "20" else ["skipped"])
    assert result.result is Conclusion.SKIPPED
    assert f"no installed node satisfies node-version '{missing}'" in (result.unavailable or "")
