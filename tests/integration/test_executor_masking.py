"""LocalExecutor: secrets never reach the reporter, annotations, summaries or outputs unmasked."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from conveyor.model.results import Status
from tests.unit.executors.harness import document, make_repo, run_job, steps

pytestmark = pytest.mark.integration

SECRET = "hunter2-Sup3r\"secret'"
MULTILINE = "first-line-secret\nsecond-line-secret\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "demo")


def _everything(result: object, reporter: object) -> str:
    return repr(result) + repr(reporter)


def test_secrets_are_masked_in_every_form(repo: Path, conveyor_home: Path) -> None:
    encoded = base64.b64encode(SECRET.encode()).decode()
    json_form = json.dumps(SECRET)[1:-1]
    doc = document(
        repo,
        steps(
            {"run": 'echo "plain: $S"', "env": {"S": "${{ secrets.TOKEN }}"}},
            {"run": 'echo "json: $J"', "env": {"J": json_form}},
            {
                "run": f"echo 'b64: {encoded}' ; echo \"x$(printf '%s' \"$S\" | base64)\"",
                "env": {"S": "${{ secrets.TOKEN }}"},
            },
            {"run": 'printf "%s" "$M"', "env": {"M": "${{ secrets.MULTI }}"}},
            {"run": 'echo "::warning title=$S::about $S"', "env": {"S": "${{ secrets.TOKEN }}"}},
            {
                "run": 'echo "summary $S" >> $GITHUB_STEP_SUMMARY',
                "env": {"S": "${{ secrets.TOKEN }}"},
                "name": "Use ${{ secrets.TOKEN }}",
            },
        ),
        contexts={"secrets": {"TOKEN": SECRET, "MULTI": MULTILINE}},
        masks=(SECRET, MULTILINE),
        outputs={"leak": "${{ secrets.TOKEN }}", "fine": "ok"},
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Status.SUCCESS
    everything = _everything(result, reporter)
    for form in (SECRET, json_form, encoded, "first-line-secret", "second-line-secret"):
        assert form not in everything
    assert reporter.output(0) == ["plain: ***"]
    assert reporter.output(3) == ["***", "***"]
    assert reporter.annotations[0].message == "about ***"
    assert reporter.annotations[0].title == "***"
    assert result.summary == "summary ***\n"
    assert result.steps[5].name == "Use ***"
    assert result.outputs == {"fine": "ok"}
    assert "Skip output 'leak'" in reporter.text(None)


def test_add_mask_hides_later_lines_and_is_not_echoed(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {
                "run": 'echo "before dynamic-value"\necho "::add-mask::dynamic-value"\n'
                'echo "after dynamic-value"'
            },
            {"run": 'echo "next step dynamic-value"'},
            {"run": 'echo "::add-mask::$(echo abc | base64)"\necho abc | base64'},
            {"run": 'echo "::add-mask::   "'},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Status.SUCCESS
    assert reporter.output(0) == ["before dynamic-value", "after ***"]
    assert reporter.output(1) == ["next step ***"]
    assert reporter.output(2) == ["***"]
    assert "Can't add secret mask for empty string" in reporter.text(3)
