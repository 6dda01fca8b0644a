"""conveyor/secret-scan on real git repositories with detect-secrets' real detectors: the tree
or a pull request's diff, a baseline made by the real `detect-secrets scan`, annotations at
path:line, a failure on new findings, and the secret's value nowhere in what the step shows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conveyor.engine.ports.actions import ActionOutcome
from conveyor.model.results import Conclusion
from tests.support.native_bots import LinesConsole, invocation, run_native

# Made up here, in pieces, so this file holds no secret-shaped literal.
AWS_KEY = "AKIA" + "Z3MSJV4WIQQXFNVP"
GITHUB_TOKEN = "ghp_" + "n0tR3alBut5hapedL1keAT0kenXyZ1234567"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=dev@example.com", "-c", "user.name=Dev", *args],
        cwd=root, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("import os\n\nREGION = 'eu-west-1'\n")
    (root / "settings.py").write_text(f"DEBUG = True\naws_access_key_id = '{AWS_KEY}'\n")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    return root


def scan(
    tmp: Path, repo: Path, inputs: dict[str, str] | None = None, event: object = None
) -> tuple[ActionOutcome, LinesConsole, str]:
    github = {"event_name": "pull_request" if event else "push", "event": event or {}}
    call = invocation("conveyor/secret-scan@v1", tmp, inputs or {}, github=github, workspace=repo)
    console = LinesConsole()
    outcome = run_native(call, console)
    return outcome, console, outcome.summary


def shown(outcome: ActionOutcome, console: LinesConsole, summary: str) -> str:
    notes = [str(a) for a in outcome.annotations]
    return "\n".join([console.text(), summary, str(outcome.outputs), str(outcome.error), *notes])


def test_the_tree_scan_annotates_path_line_and_never_shows_the_value(
    tmp_path: Path, repo: Path
) -> None:
    outcome, console, summary = scan(tmp_path, repo)
    assert outcome.status is Conclusion.FAILURE
    assert (
        "settings.py",
        2,
        "Secret detected",
        "AWS Access Key: a potential secret (detect-secrets)",
    ) in [(a.file, a.line, a.title, a.message) for a in outcome.annotations]
    assert "`settings.py:2` | AWS Access Key" in summary
    assert outcome.outputs["findings"] == str(len(outcome.outputs["findings-json"].split("{")) - 1)
    assert outcome.error is not None
    assert "new potential secret" in outcome.error
    everything = shown(outcome, console, summary)
    assert AWS_KEY not in everything
    assert AWS_KEY[4:] not in everything


def test_a_baseline_from_detect_secrets_accepts_known_findings_only(
    tmp_path: Path, repo: Path
) -> None:
    cli = Path(sys.executable).with_name("detect-secrets")
    baseline = subprocess.run([str(cli), "scan"], cwd=repo, check=True, capture_output=True)
    (repo / ".secrets.baseline").write_bytes(baseline.stdout)
    clean, _, summary = scan(tmp_path, repo)
    assert clean.status is Conclusion.SUCCESS, clean.error
    assert clean.outputs["findings"] == "0"
    assert clean.outputs["baselined"] != "0"
    assert "no new potential secrets" in summary
    (repo / "deploy.sh").write_text(f"#!/bin/sh\nexport GITHUB_TOKEN={GITHUB_TOKEN}\n")
    git(repo, "add", "deploy.sh")
    outcome, console, summary = scan(tmp_path, repo)
    assert outcome.status is Conclusion.FAILURE
    places = {(a.file, a.line) for a in outcome.annotations}
    assert places == {("deploy.sh", 2)}  # the baselined one is not reported
    assert "GitHub Token: a potential secret (detect-secrets)" in [
        a.message for a in outcome.annotations
    ]
    assert GITHUB_TOKEN not in shown(outcome, console, summary)


def test_a_pull_requests_diff_counts_only_the_lines_it_adds(tmp_path: Path, repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-qb", "feature")
    (repo / "app.py").write_text(f"import os\n\nREGION = 'eu-west-1'\ntoken = '{GITHUB_TOKEN}'\n")
    git(repo, "commit", "-qam", "add a token")
    head = git(repo, "rev-parse", "HEAD")
    event = {"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}
    outcome, _console, summary = scan(tmp_path, repo, event=event)
    assert outcome.status is Conclusion.FAILURE
    found = json.loads(outcome.outputs["findings-json"])
    assert {"file": "app.py", "line": 4, "type": "GitHub Token"} in found
    assert {(f["file"], f["line"]) for f in found} == {("app.py", 4)}
    assert {a.file for a in outcome.annotations} == {"app.py"}  # the old secret is not in the diff
    assert f"diff {base[:12]}...{head[:12]}: 1 files scanned" in summary
    advisory, _, _ = scan(tmp_path, repo, {"fail-on-findings": "false"}, event)
    assert advisory.status is Conclusion.SUCCESS
    assert advisory.outputs["findings"] == str(len(found))


def test_bad_inputs_fail_clearly(tmp_path: Path, repo: Path) -> None:
    mode, _, _ = scan(tmp_path, repo, {"scan": "everything"})
    missing, _, _ = scan(tmp_path, repo, {"baseline": "nowhere.json"})
    (repo / ".secrets.baseline").write_text("{not json")
    broken, _, _ = scan(tmp_path, repo)
    assert broken.error is not None
    assert broken.error.startswith("conveyor/secret-scan: .secrets.baseline: not a detect-secrets")
    assert missing.error == (
        "conveyor/secret-scan: input `baseline`: nowhere.json does not exist in the workspace"
    )
    assert mode.error == "conveyor/secret-scan: input `scan`: auto, diff or tree, got 'everything'"
