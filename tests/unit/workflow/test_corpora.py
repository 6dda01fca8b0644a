"""Conformance with two corpora in ../shared: nektos/act's test workflows and 396 real-world
workflow files (which GitHub runs, so they must lint without errors)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.errors import Severity
from conveyor.workflow import load_workflow

# Files act's expectations (expected.json) treat as invalid because GitHub would not load them:
# path in act-corpus -> (code, line) of the error conveyor must report. The expected.json key is
# in the comment with act's own message.
ACT_INVALID = {
    # "job-nil-step": invalid Step 0: missing run or uses key
    "workflows/job-nil-step/push.yml": ("schema-type", 6),
    # "uses-and-run-in-one-step": Invalid run/uses syntax for job:test step:Test
    "workflows/uses-and-run-in-one-step/push.yml": ("step-run-uses", 10),
    # "uses-github-empty": Expected format {org}/{repo}[/path]@ref
    "workflows/uses-github-empty/push.yml": ("step-run-uses", 7),
    # "uses-github-noref": Expected format {org}/{repo}[/path]@ref
    "workflows/uses-github-noref/push.yml": ("uses-format", 7),
    # "issue-1595/missing.yml": unable to build dependency graph for missing (missing.yml)
    "workflows/issue-1595/missing.yml": ("needs-unknown", 7),
    # "issue-1595/no-first.yml": unable to build dependency graph for no first (no-first.yml)
    "workflows/issue-1595/no-first.yml": ("needs-unknown", 7),
    # "issue-1595": act plans the job of a workflow without `on:`; GitHub requires `on`
    "workflows/issue-1595/no-event.yml": ("missing-key", 1),
    # "invalid-job-name/invalid-1.yml": Job name '...' is invalid
    "model-workflows/invalid-job-name/invalid-1.yml": ("job-id", 5),
    "model-workflows/invalid-job-name/invalid-2.yml": ("job-id", 5),
    # "empty-workflow" and "nested": unable to read workflow '...': file is empty: EOF
    "model-workflows/empty-workflow/push.yml": ("file-empty", 1),
    "model-workflows/nested/workflows/fail.yml": ("file-empty", 1),
}
# Files act accepts but GitHub refuses: conveyor follows GitHub. path -> (code, line, why).
ACT_ACCEPTS_GITHUB_REFUSES = {
    # "invalid-job-name/valid-2.yml": act plans job '___valid-JOB-Name-v123-docker_hub'; GitHub
    # refuses it: "The identifier '...' is invalid. IDs starting with '__' are reserved."
    "model-workflows/invalid-job-name/valid-2.yml": ("job-id", 5),
}
ACT_EXPECTED_KEYS = {
    "workflows/job-nil-step/push.yml": "job-nil-step",
    "workflows/uses-and-run-in-one-step/push.yml": "uses-and-run-in-one-step",
    "workflows/uses-github-empty/push.yml": "uses-github-empty",
    "workflows/uses-github-noref/push.yml": "uses-github-noref",
    "workflows/issue-1595/missing.yml": "issue-1595/missing.yml",
    "workflows/issue-1595/no-first.yml": "issue-1595/no-first.yml",
    "workflows/issue-1595/no-event.yml": "issue-1595",
    "model-workflows/invalid-job-name/invalid-1.yml": "invalid-job-name/invalid-1.yml",
    "model-workflows/invalid-job-name/invalid-2.yml": "invalid-job-name/invalid-2.yml",
    "model-workflows/empty-workflow/push.yml": "empty-workflow",
    "model-workflows/nested/workflows/fail.yml": "nested",
}
# What GitHub substitutes when a user adopts a starter-workflow template.
PLACEHOLDERS = {
    "$default-branch": "main",
    "$protected-branches": "main",
    "$cron-weekly": "'0 0 * * 0'",
    "$cron-daily": "'0 0 * * *'",
    "$codeql-languages-matrix": "language: ['python']",
}


def workflow_files(root: Path) -> list[Path]:
    files = [p for p in root.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()]
    return sorted(p for p in files if p.stem != "action")


def errors(path: Path, text: str | None = None) -> list[str]:
    result = load_workflow(path, text)
    return [d.render() for d in result.diagnostics if d.severity is Severity.ERROR]


def test_act_invalid_cases_are_failures_in_acts_expectations(shared: Path) -> None:
    expected = json.loads((shared / "act-corpus" / "expected.json").read_text(encoding="utf-8"))
    for key in ACT_EXPECTED_KEYS.values():
        assert expected[key]["expect"] == "failure", key


def test_act_accepts_what_conveyor_refuses_as_github_does(shared: Path) -> None:
    expected = json.loads((shared / "act-corpus" / "expected.json").read_text(encoding="utf-8"))
    for path in ACT_ACCEPTS_GITHUB_REFUSES:
        key = path.removeprefix("model-workflows/")
        assert expected[key]["expect"] == "success", key


def test_act_corpus_loads_except_the_invalid_cases(shared: Path) -> None:
    corpus = shared / "act-corpus"
    roots = ("workflows", "workflows-partial", "model-workflows")
    files = [f for root in roots for f in workflow_files(corpus / root)]
    assert len(files) > 70
    failing = {}
    for path in files:
        found = load_workflow(path).diagnostics
        wrong = [d for d in found if d.severity is Severity.ERROR]
        if wrong:
            failing[path.relative_to(corpus).as_posix()] = (wrong[0].code, wrong[0].location.line)
    assert failing == ACT_INVALID | ACT_ACCEPTS_GITHUB_REFUSES


def test_act_valid_files_build_a_model(shared: Path) -> None:
    path = shared / "act-corpus" / "workflows" / "matrix" / "push.yml"
    result = load_workflow(path)
    assert result.workflow is not None
    assert result.workflow.jobs


def test_real_world_workflows_have_no_errors(shared: Path) -> None:
    corpus = shared / "real-world-workflows"
    files = workflow_files(corpus)
    assert len(files) >= 390
    problems: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for placeholder, value in PLACEHOLDERS.items():
            text = text.replace(placeholder, value)
        problems.extend(errors(path, text))
    assert problems == []


@pytest.mark.parametrize("name", [".tests-matrix.yaml"])
def test_dot_file_reusable_workflow_loads(shared: Path, name: str) -> None:
    path = shared / "real-world-workflows" / "python-poetry__poetry" / name
    assert errors(path) == []
