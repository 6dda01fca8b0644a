"""conveyor/secret-scan, conveyor/release and conveyor/stale as workflow steps (`uses:
conveyor/<name>@v1`) through LocalExecutor, with no forge: the analysis runs, annotations reach
the reporter, writes are only printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.actions import default_registry
from conveyor.model.results import AnnotationLevel, Conclusion
from tests.unit.executors.harness import commit_all, document, git, make_repo, run_job, steps

pytestmark = pytest.mark.integration

AWS_KEY = "AKIA" + "Z3MSJV4WIQQXFNVP"  # built here: this file holds no secret-shaped literal


def test_secret_scan_step_annotates_and_fails_without_showing_the_value(
    tmp_path: Path, conveyor_home: Path
) -> None:
    repo = make_repo(tmp_path / "demo", {"settings.py": f"x = 1\naws_key = '{AWS_KEY}'\n"})
    doc = document(repo, steps({"uses": "actions/checkout@v4"},
                               {"uses": "conveyor/secret-scan@v1", "id": "scan"}))  # fmt: skip
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.FAILURE
    found = [
        (a.level, a.file, a.line) for a in reporter.annotations if a.title == "Secret detected"
    ]
    assert (AnnotationLevel.ERROR, "settings.py", 2) in found
    assert AWS_KEY not in reporter.text(every=True)
    assert result.steps[1].outputs["findings"] != "0"


def test_release_step_on_a_tag_prints_the_release_it_would_make(
    tmp_path: Path, conveyor_home: Path
) -> None:
    repo = make_repo(tmp_path / "demo", {"a.txt": "a\n"})
    git(repo, "tag", "v0.1.0")
    (repo / "b.txt").write_text("b\n")
    commit_all(repo, "Add b (#7)")
    git(repo, "tag", "v0.2.0-rc.1")
    github = {"ref": "refs/tags/v0.2.0-rc.1", "event_name": "push", "repository": "octo/demo",
              "event": {"ref": "refs/tags/v0.2.0-rc.1"}}  # fmt: skip
    doc = document(
        repo,
        steps({"uses": "actions/checkout@v4"}, {"uses": "conveyor/release@v1", "id": "rel"},
              {"uses": "conveyor/stale@v1"}),
        contexts={"github": github},
    )  # fmt: skip
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    outputs = result.steps[1].outputs
    assert outputs["prerelease"] == "true"
    assert outputs["previous-tag"] == "v0.1.0"
    assert "* Add b in #7" in outputs["body"]
    assert "[dry run] would POST /repos/octo/demo/releases" in reporter.text(1)
    assert "no forge token" in reporter.text(every=True)
