"""`conveyor/coverage-gate` on real coverage.py Cobertura reports (`coverage xml`), made here
by running coverage on a small project in a git repository (its pull request's diff included)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conveyor.actions.coverage_gate import CoverageGate
from conveyor.actions.coverage_report import parse_added_lines
from conveyor.model.results import Conclusion
from tests.unit.natives.support import LogConsole, invocation

BASE_MODULE = """\
def double(x):
    return 2 * x
"""
# the pull request adds `sign` (its negative branch never runs) and `unused` (never called)
HEAD_MODULE = (
    BASE_MODULE
    + """\


def sign(x):
    if x < 0:
        return -1
    return 1


def unused():
    return 0
"""
)
SCRIPT = "from calc import double, sign\nassert double(2) == 4\nassert sign(3) == 1\n"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=d@e", "-c", "user.name=D", *args],
        cwd=root, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "calc.py").write_text(BASE_MODULE)
    (root / "run_it.py").write_text(
        SCRIPT.replace(", sign", "").replace("assert sign(3) == 1\n", "")
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    base = git(root, "rev-parse", "HEAD")
    (root / "calc.py").write_text(HEAD_MODULE)
    (root / "run_it.py").write_text(SCRIPT)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "head")
    coverage = [sys.executable, "-m", "coverage"]
    subprocess.run(
        [*coverage, "run", "--branch", "--include=calc.py", "run_it.py"], cwd=root, check=True
    )
    subprocess.run([*coverage, "xml", "-q", "-o", "coverage.xml"], cwd=root, check=True)
    pull = {"number": 4, "base": {"sha": base}, "head": {"sha": git(root, "rev-parse", "HEAD")}}
    return root, {"event": {"pull_request": pull}}


def gate(project: tuple[Path, dict[str, object]], **inputs: str):  # type: ignore[no-untyped-def]
    root, github = project
    console = LogConsole()
    call = invocation("conveyor/coverage-gate@v1", inputs, root, github)
    return CoverageGate().run(call, console), console


def test_the_line_rate_against_a_threshold(project: tuple[Path, dict[str, object]]) -> None:
    passing, _ = gate(project, threshold="69")
    assert passing.status is Conclusion.SUCCESS, passing.error
    assert passing.outputs["line-rate"] == "75.00"  # 6 of 8 lines, as coverage.py says:
    assert 'line-rate="0.75"' in (project[0] / "coverage.xml").read_text()
    assert "| Lines | 75.00 % | 69 % | ✅ |" in passing.summary
    failing, _ = gate(project, threshold="80%")
    assert failing.status is Conclusion.FAILURE
    assert failing.error == "coverage-gate: below the threshold: lines 75.00 % < 80 %"


def test_branch_and_diff_coverage(project: tuple[Path, dict[str, object]]) -> None:
    outcome, _ = gate(project, **{"branch-threshold": "40", "diff-threshold": "90"})
    assert outcome.outputs["branch-rate"] == "50.00"  # `if x < 0`: one of two ways
    assert outcome.outputs["diff-rate"] == "66.67"  # 4 of the 6 measured added lines
    assert outcome.status is Conclusion.FAILURE
    assert outcome.error is not None
    assert "changed lines 66.67 % < 90 %" in outcome.error
    assert [(a.file, a.line) for a in outcome.annotations] == [("calc.py", 7), ("calc.py", 12)]


def test_without_a_threshold_it_reports_only(project: tuple[Path, dict[str, object]]) -> None:
    outcome, console = gate(project)
    assert outcome.status is Conclusion.SUCCESS
    assert outcome.outputs["diff-rate"] == ""  # not asked for
    assert "### Coverage gate passed" in console.text


def test_a_comment_in_a_dry_run_is_printed(project: tuple[Path, dict[str, object]]) -> None:
    _, console = gate(project, comment="true")
    assert "[dry run] would POST /repos//issues/4/comments" in console.text


def test_bad_reports_and_inputs_fail_clearly(project: tuple[Path, dict[str, object]]) -> None:
    root, _ = project
    missing, _ = gate(project, files="nope.xml")
    assert missing.error == f"coverage-gate: no coverage report at {root / 'nope.xml'}"
    (root / "bad.xml").write_text("<html/>")
    bad, _ = gate(project, file="bad.xml")
    assert bad.error == f"coverage-gate: {root / 'bad.xml'}: not a Cobertura report (root <html>)"
    odd, _ = gate(project, threshold="most")
    assert odd.error == "coverage-gate: 'threshold' must be a percentage, got 'most'"


def test_added_lines_from_a_unified_diff() -> None:
    diff = "+++ b/a.py\n@@ -1,0 +2,3 @@\n+x\n@@ -9 +12 @@\n+y\n+++ /dev/null\n@@ -1 +0,0 @@\n"
    assert parse_added_lines(diff) == {"a.py": {2, 3, 4, 12}}
