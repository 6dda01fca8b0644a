"""Real JavaScript actions (../shared/actions bundles): actions/hello-world-javascript-action v1.1
(node12, an old @actions/core that writes the legacy `##[set-output name=time;]...` command) and
its node24 version, whose node 24 may have to come from the real npm registry."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from conveyor.executors.local.node_provision import cached_node, platform_package
from conveyor.executors.local.node_versions import node_major, npm_registry
from conveyor.model.results import Conclusion
from tests.unit.executors.harness import document, make_repo, run_job, steps

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("node") is None, reason="node actions need node"),
]
ACTION = "actions/hello-world-javascript-action"


def _checkout(shared: Path, tmp_path: Path, ref: str) -> Path:
    target = tmp_path / "hello-world"
    bundle = shared / "actions" / "actions__hello-world-javascript-action.bundle"
    subprocess.run(["git", "clone", "-q", str(bundle), str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "checkout", "-q", ref], check=True)
    return target


def _greet_then_use_the_time(repo: Path, ref: str) -> tuple[object, ...]:
    return steps(
        {"uses": f"{ACTION}@{ref}", "id": "hello", "with": {"who-to-greet": "Mona"}},
        {"run": 'echo "greeted at ${{ steps.hello.outputs.time }}"'},
    )


def test_a_node12_action_with_legacy_commands_sets_its_output(
    shared: Path, tmp_path: Path, conveyor_home: Path
) -> None:
    action = _checkout(shared, tmp_path, "v1.1")
    repo = make_repo(tmp_path / "repo")
    doc = document(repo, _greet_then_use_the_time(repo, "v1.1"))
    result, reporter = run_job(doc, conveyor_home, action_directories={ACTION: action})
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert "Hello Mona!" in reporter.output(0)
    time = result.steps[0].outputs["time"]
    assert "GMT" in time
    assert reporter.output(1) == [f"greeted at {time}"]
    assert "set-output" not in reporter.text(0)


def _registry_or_skip() -> str:
    url = npm_registry("")
    try:
        urllib.request.urlopen(url.rstrip("/") + "/" + platform_package(), timeout=10).close()
    except OSError as exc:
        pytest.skip(f"the npm registry {url} does not answer: {exc}")
    return url


@pytest.mark.registry
@pytest.mark.slow
def test_a_node24_action_gets_node_24_from_the_real_registry(
    shared: Path, tmp_path: Path, conveyor_home: Path
) -> None:
    registry = _registry_or_skip()
    action = _checkout(shared, tmp_path, "upstream-main")
    repo = make_repo(tmp_path / "repo")
    doc = document(repo, _greet_then_use_the_time(repo, "upstream-main"))
    result, reporter = run_job(
        doc, conveyor_home, action_directories={ACTION: action}, npm_registry=registry
    )
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert result.steps[0].outputs["time"]
    assert reporter.output(1)[0].startswith("greeted at ")
    node = cached_node(24, conveyor_home / "toolcache")
    host = shutil.which("node")
    if host is None or node_major(host) != 24:
        assert "Provisioning node 24" in reporter.text(0)
        assert node is not None
        assert node_major(str(node)) == 24
