"""conveyor/release against the local forge over real HTTP: pull requests opened, labelled and
merged through the API (squash and merge commits), a `-rc.1` tag → a prerelease whose notes are
grouped per .github/release.yml, assets uploaded, idempotent on a second run; offline notes from
the merge commits alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conveyor.engine.ports.actions import ActionOutcome
from conveyor.model.results import Conclusion
from tests.support.native_bots import LinesConsole, invocation, run_native
from tests.unit.forge_api.conftest import REPO, ROLE_TOKEN, Forge, git

RELEASE_YML = """\
changelog:
  exclude:
    labels: [skip-changelog]
  categories:
    - title: New features
      labels: [enhancement]
    - title: Bug fixes
      labels: [bug]
    - title: Other changes
      labels: ["*"]
"""
TAG = "v1.1.0-rc.1"


def merged_pull(forge: Forge, branch: str, title: str, label: str, method: str) -> int:
    if branch != "feature":
        git(forge.work, "checkout", "-qb", branch, "main")
        (forge.work / f"{branch}.txt").write_text(f"{branch}\n")
        git(forge.work, "add", "-A")
        git(forge.work, "commit", "-qm", f"work on {branch}")
        git(forge.work, "push", "-q", str(forge.bare), branch)
    with forge.client() as client:
        body = {"title": title, "head": branch, "base": "main"}
        number = client.post(f"/repos/{REPO}/pulls", json=body).json()["number"]
        client.post(f"/repos/{REPO}/issues/{number}/labels", json={"labels": [label]})
        merged = client.put(f"/repos/{REPO}/pulls/{number}/merge", json={"merge_method": method})
        assert merged.status_code == 200, merged.text
    return int(number)


@pytest.fixture
def tagged(forge: Forge, tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """v1.0.0 on main's first commit, four pull requests merged, TAG on the result: the
    workspace is a clone with the tags, release.yml and two files to attach."""
    git(forge.bare, "tag", "v1.0.0", "main")
    numbers = {
        "a": merged_pull(forge, "feat-a", "Add a", "enhancement", "squash"),
        "b": merged_pull(forge, "fix-b", "Fix b", "bug", "merge"),
        "c": merged_pull(forge, "chore-c", "Tidy c", "skip-changelog", "squash"),
        "docs": merged_pull(forge, "feature", "Say world", "documentation", "merge"),
    }
    git(forge.bare, "tag", TAG, "main")
    workspace = tmp_path / "ws"
    git(tmp_path, "clone", "-q", str(forge.bare), str(workspace))
    (workspace / ".github").mkdir()
    (workspace / ".github" / "release.yml").write_text(RELEASE_YML)
    (workspace / "dist").mkdir()
    (workspace / "dist" / "app-1.1.0rc1.tar.gz").write_bytes(b"tarball")
    (workspace / "dist" / "app-1.1.0rc1-py3-none-any.whl").write_bytes(b"wheel")
    return workspace, numbers


def release(
    forge: Forge, tmp: Path, workspace: Path, token: str | None, **inputs: str
) -> tuple[ActionOutcome, LinesConsole, str]:
    github = {"api_url": forge.api, "repository": REPO, "ref": f"refs/tags/{TAG}",
              "server_url": forge.url, "token": token or ""}  # fmt: skip
    call = invocation("conveyor/release@v1", tmp, {"files": "dist/*", **inputs},
                      github=github, workspace=workspace)  # fmt: skip
    console = LinesConsole()
    outcome = run_native(call, console)
    return outcome, console, outcome.summary


def test_an_rc_tag_makes_a_prerelease_with_grouped_notes_and_assets(
    forge: Forge, tmp_path: Path, tagged: tuple[Path, dict[str, int]]
) -> None:
    workspace, numbers = tagged
    outcome, console, summary = release(forge, tmp_path, workspace, ROLE_TOKEN["write"])
    assert outcome.status is Conclusion.SUCCESS, outcome.error
    with forge.client() as client:
        made = client.get(f"/repos/{REPO}/releases/tags/{TAG}").json()
    assert made["prerelease"] is True
    assert outcome.outputs["prerelease"] == "true"
    assert outcome.outputs["previous-tag"] == "v1.0.0"
    pull = f"{forge.url}/{REPO}/pull"
    assert made["body"] == (
        "## What's Changed\n\n"
        f"### New features\n\n* Add a by @writer in {pull}/{numbers['a']}\n\n"
        f"### Bug fixes\n\n* Fix b by @writer in {pull}/{numbers['b']}\n\n"
        f"### Other changes\n\n* Say world by @writer in {pull}/{numbers['docs']}\n\n"
        f"**Full Changelog**: {forge.url}/{REPO}/compare/v1.0.0...{TAG}\n"
    )
    assert sorted(a["name"] for a in made["assets"]) == [
        "app-1.1.0rc1-py3-none-any.whl", "app-1.1.0rc1.tar.gz"]  # fmt: skip
    assert f"prerelease {TAG} (since v1.0.0)" in summary
    assert "Tidy c" not in summary

    again, console, _ = release(forge, tmp_path, workspace, ROLE_TOKEN["write"], name="RC 1")
    with forge.client() as client:
        releases = client.get(f"/repos/{REPO}/releases").json()
    assert again.status is Conclusion.SUCCESS, again.error
    assert [(r["tag_name"], r["name"], len(r["assets"])) for r in releases] == [(TAG, "RC 1", 2)]
    assert "app-1.1.0rc1.tar.gz: already uploaded" in console.text()


def test_offline_notes_come_from_the_merge_commits_and_nothing_is_written(
    forge: Forge, tmp_path: Path, tagged: tuple[Path, dict[str, int]]
) -> None:
    workspace, numbers = tagged
    (workspace / "CHANGELOG.md").write_text(
        "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2026-01-01\n\n- First.\n"
    )
    outcome, console, _ = release(
        forge, tmp_path, workspace, None, **{"changelog-file": "CHANGELOG.md"}
    )
    assert outcome.status is Conclusion.SUCCESS, outcome.error
    body = outcome.outputs["body"]
    # without the forge there are no labels: one category catches all ("*"), c included
    assert re.findall(r"^\* (.*)$", body, re.MULTILINE) == [
        f"Add a in #{numbers['a']}", f"Fix b in #{numbers['b']}",
        f"Tidy c in #{numbers['c']}", f"Say world in #{numbers['docs']}",
    ]  # fmt: skip
    assert f"[dry run] would POST /repos/{REPO}/releases" in console.text()
    assert "[dry run] would upload app-1.1.0rc1.tar.gz (7 bytes)" in console.text()
    with forge.client() as client:
        assert client.get(f"/repos/{REPO}/releases").json() == []
    changelog = (workspace / "CHANGELOG.md").read_text()
    assert re.search(r"## \[Unreleased\]\n\n## \[1\.1\.0-rc\.1\] - \d{4}-\d\d-\d\d\n\n"
                     r"### Other changes\n\n- Add a \(#\d+\)\n", changelog)  # fmt: skip
    assert changelog.endswith("## [1.0.0] - 2026-01-01\n\n- First.\n")


def test_a_job_token_without_pull_requests_read_releases_with_a_warning_naming_the_scope(
    forge: Forge, tmp_path: Path, tagged: tuple[Path, dict[str, int]]
) -> None:
    workspace, numbers = tagged
    outcome, _, _ = release(forge, tmp_path, workspace, ROLE_TOKEN["release-job"])
    assert outcome.status is Conclusion.SUCCESS, outcome.error
    # the release is made; the notes fall back to the commit messages …
    assert f"* Add a in #{numbers['a']}" in outcome.outputs["body"]
    # … and the job is told why, once, not left with thinner notes and no reason
    warnings = [a.message for a in outcome.annotations if a.level.value == "warning"]
    assert len(warnings) == 1, warnings
    assert "403" in warnings[0]
    assert "pull-requests: read" in warnings[0]


def test_a_run_not_for_a_version_tag_is_skipped_and_bad_config_fails(
    forge: Forge, tmp_path: Path, tagged: tuple[Path, dict[str, int]]
) -> None:
    workspace, _ = tagged
    call = invocation("conveyor/release@v1", tmp_path, {}, github={"ref": "refs/heads/main"},
                      workspace=workspace)  # fmt: skip
    console = LinesConsole()
    assert run_native(call, console).status is Conclusion.SUCCESS
    assert "not for a vX.Y.Z tag: skipped" in console.text()
    (workspace / ".github" / "release.yml").write_text("changelog:\n  categories: {}\n")
    outcome, _, _ = release(forge, tmp_path, workspace, None)
    assert outcome.status is Conclusion.FAILURE
    assert (
        outcome.error
        == "conveyor/release: .github/release.yml: changelog.categories must be a list"
    )
