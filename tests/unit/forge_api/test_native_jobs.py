"""`uses: conveyor/stale@v1` and `uses: conveyor/release@v1` as steps of a job (LocalExecutor)
whose github context points at the local forge (api_url, token): the steps act on it over real
HTTP, their summaries and warnings reach the job."""

from __future__ import annotations

import time
from pathlib import Path

from conveyor.actions import default_registry
from conveyor.model.results import AnnotationLevel, Conclusion
from tests.unit.executors.harness import document, git, run_job, steps
from tests.unit.forge_api.conftest import REPO, ROLE_TOKEN, Forge

DAY = 86400


def github(forge: Forge, ref: str) -> dict[str, object]:
    return {"repository": REPO, "repository_owner": "octo", "event_name": "push", "ref": ref,
            "event": {"ref": ref}, "run_id": "1", "run_number": "1", "actor": "tester",
            "api_url": forge.api, "server_url": forge.url, "token": ROLE_TOKEN["write"],
    }  # fmt: skip


def test_a_stale_step_marks_issues_on_the_forge(
    forge: Forge, tmp_path: Path, conveyor_home: Path
) -> None:
    with forge.client() as client:
        numbers = [client.post(f"/repos/{REPO}/issues", json={"title": f"t{n}"}).json()["number"]
                   for n in range(3)]  # fmt: skip
    now = str(time.time() + 90 * DAY)
    step = {"uses": "conveyor/stale@v1", "id": "stale", "env": {"CONVEYOR_STALE_NOW": now},
            "with": {"stale-issue-message": "Stale.", "operations-per-run": "4"}}  # fmt: skip
    doc = document(forge.work, steps(step), contexts={"github": github(forge, "refs/heads/main")})
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    with forge.client() as client:
        stale = [n for n in numbers
                 if client.get(f"/repos/{REPO}/issues/{n}").json()["labels"]]  # fmt: skip
    assert len(stale) == 2
    warnings = [a.message for a in reporter.annotations if a.level is AnnotationLevel.WARNING]
    assert any("operations-per-run (4) spent" in message for message in warnings)


def test_a_release_step_on_a_tag_creates_the_release(
    forge: Forge, tmp_path: Path, conveyor_home: Path
) -> None:
    git(forge.work, "checkout", "-q", "main")
    git(forge.work, "tag", "v1.0.0")
    git(forge.work, "tag", "v1.0.1", "feature")
    ref = "refs/tags/v1.0.1"
    doc = document(
        forge.work,
        steps({"uses": "actions/checkout@v4", "with": {"ref": "v1.0.1"}},
              {"uses": "conveyor/release@v1", "id": "release"}),
        contexts={"github": github(forge, ref)},
    )  # fmt: skip
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    with forge.client() as client:
        made = client.get(f"/repos/{REPO}/releases/tags/v1.0.1").json()
    assert made["prerelease"] is False
    assert made["body"].startswith("## What's Changed\n\nNo pull requests merged")
    assert result.steps[1].outputs["id"] == str(made["id"])
