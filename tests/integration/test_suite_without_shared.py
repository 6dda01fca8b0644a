"""A fresh clone has no ../shared beside it. The tests that read it then skip, each saying why,
and under CONVEYOR_REQUIRE_SHARED=1 (CI: .ci/run) they fail instead; no other test needs it.

pytest itself is run on every module that reads ../shared, with CONVEYOR_SHARED naming a
directory that does not exist.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, REQUIRE_SHARED

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# The test modules that read ../shared (tests/conftest.py: the `shared` fixture, mark and
# shared_params), relative to the repository root.
READERS = (
    "tests/integration/test_act_corpus.py",
    "tests/integration/test_benchmark_harness.py",
    "tests/integration/test_executor_act_corpus.py",
    "tests/integration/test_forge_github_script.py",
    "tests/integration/test_forge_pull_request_end_to_end.py",
    "tests/integration/test_real_node_actions.py",
    "tests/integration/test_remote_actions_shared.py",
    "tests/integration/test_serve_end_to_end.py",
    "tests/unit/engine/test_matrix.py",
    "tests/unit/expr/test_act_corpus.py",
    "tests/unit/git/test_event_files.py",
    "tests/unit/git/test_payload_shapes.py",
    "tests/unit/server/test_webhook_events.py",
    "tests/unit/triggers/test_on_parsing.py",
    "tests/unit/triggers/test_patterns.py",
    "tests/unit/triggers/test_refs.py",
    "tests/unit/workflow/test_corpora.py",
)
# What names ../shared's corpora (or the constant pointing at it) in a test module.
READS_SHARED = re.compile(
    r"act-corpus|webhook-payloads|real-world-workflows|\bactions__|\bSHARED\b"
)
REASON = "needs ../shared (the act corpus, webhook payloads, real-world workflows), which is absent"


def test_every_module_that_reads_shared_is_listed() -> None:
    modules = sorted((REPO_ROOT / "tests").rglob("test_*.py"))
    found = {
        path.relative_to(REPO_ROOT).as_posix()
        for path in modules
        if path != Path(__file__).resolve() and READS_SHARED.search(path.read_text("utf-8"))
    }
    assert found == set(READERS)


def _pytest_without_shared(tmp_path: Path, *, require: bool) -> str:
    env = {**os.environ, "CONVEYOR_SHARED": str(tmp_path / "no-shared-here"), "COLUMNS": "1000"}
    env.pop(REQUIRE_SHARED, None)
    if require:
        env[REQUIRE_SHARED] = "1"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rsE", *READERS]
    done = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=280, check=False
    )
    expected = 1 if require else 0
    assert done.returncode == expected, done.stdout[-6000:] + done.stderr[-2000:]
    return done.stdout


def test_without_shared_its_readers_skip_and_say_why(tmp_path: Path) -> None:
    output = _pytest_without_shared(tmp_path, require=False)
    skips = [line for line in output.splitlines() if line.startswith("SKIPPED")]
    assert skips, output[-3000:]
    assert all(REASON in line and "set CONVEYOR_SHARED" in line for line in skips), skips
    summary = output.strip().splitlines()[-1]
    assert re.search(r"\d+ passed, \d+ skipped in ", summary), summary  # no error, no failure


def test_ci_requires_shared_and_fails_without_it(tmp_path: Path) -> None:
    output = _pytest_without_shared(tmp_path, require=True)
    assert not [line for line in output.splitlines() if line.startswith("SKIPPED")]
    failures = [line for line in output.splitlines() if line.startswith(("ERROR", "FAILED"))]
    assert len(failures) >= len(READERS), output[-3000:]
    assert all(f"{REASON}" in line for line in failures), failures
    assert f"{REQUIRE_SHARED}=1 requires it" in output
