"""Issue 14's "done when", end to end with real processes: a pull request opened on the local
forge runs its workflows, shows a check per job on its page and in the API, and
`actions/github-script` run by the workflow comments on it.

A real `conveyor serve`; `conveyor repos create` and `conveyor tokens create`; `git push` over
HTTP with a write token of `main` holding an `on: pull_request` workflow with two jobs, one of
which runs `actions/github-script` (v7, from ../shared/actions, fetched through the
remote-actions mechanism from a local Git server) with the job's own `GITHUB_TOKEN`
(`pull-requests: write`, `issues: write`) to comment on the pull request; `conveyor pr create`;
then a push to the branch fires `synchronize` and a second run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.git_server import GitServer, HttpGit
from tests.support.hosted_git import GitClient
from tests.support.serve_process import cli, cli_ok, serving
from tests.unit.server.ui.test_ui_http import logged_in

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.shared]

WORKFLOW = """\
name: CI
on: pull_request
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "building ${{ github.event.pull_request.head.sha }}"
  comment:
    runs-on: ubuntu-latest
    permissions:
      pull-requests: write
      issues: write
    steps:
      - uses: actions/github-script@v7.1.0
        with:
          script: |
            await github.rest.issues.createComment({
              ...context.repo, issue_number: context.issue.number,
              body: `checked ${context.payload.pull_request.head.sha} (${context.payload.action})`,
            });
"""


def wait_checks(api: httpx.Client, sha: str, count: int, timeout: float = 240) -> list[Any]:
    """The check runs of `sha` once `count` of them are completed (polled, bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        runs = api.get(f"/commits/{sha}/check-runs").json()["check_runs"]
        if len([run for run in runs if run["status"] == "completed"]) >= count:
            return list(runs)
        assert time.monotonic() < deadline, f"checks of {sha} never completed: {runs}"
        time.sleep(0.2)


def test_a_pull_request_runs_its_workflow_shows_its_checks_and_github_script_comments(
    shared: Path, git_server: GitServer, git_http: HttpGit, tmp_path: Path
) -> None:
    git_server.bundle("actions/github-script", shared / "actions" / "actions__github-script.bundle")
    home = tmp_path / "home"
    token = cli_ok(home, "tokens", "create", "--name", "mona", "--role", "write").strip()
    cli_ok(home, "repos", "create", "acme/app")
    git, work = GitClient(tmp_path), tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    git.commit(work, {".github/workflows/ci.yml": WORKFLOW}, "CI on pull requests")
    body = tmp_path / "body.md"
    body.write_text("Adds **app.py**\n")
    with serving(home, env={"CONVEYOR_ACTIONS_URL": git_http.url}) as server:
        remote = git.url(server.url, "acme/app", token)
        git.ok(work, "push", "-q", remote, "main")
        git.ok(work, "switch", "-q", "-c", "feature")
        head = git.commit(work, {"app.py": "print(1)\n"}, "app")
        git.ok(work, "push", "-q", remote, "feature")
        made = cli(home, "pr", "create", "--repo", "acme/app", "--head", "feature", "--base",
                   "main", "--title", "Add the app", "--body-file", str(body),
                   "--server", server.url, "--token", token)  # fmt: skip
        assert made.returncode == 0, made.stderr
        auth = {"Authorization": f"token {token}"}
        with httpx.Client(base_url=f"{server.url}/api/v3/repos/acme/app", headers=auth) as api:
            checks = wait_checks(api, head, 2)
            comments = api.get("/issues/1/comments").json()
            page = logged_in(server.url, token).get("/acme/app/pull/1").text
            second = git.commit(work, {"app.py": "print(2)\n"}, "more")
            git.ok(work, "push", "-q", remote, "feature")
            again = wait_checks(api, second, 2)
            comments_after = api.get("/issues/1/comments").json()
        assert server.stop() == 0
    assert "opened acme/app#1" in made.stdout
    by_name = {run["name"]: run for run in checks}
    assert sorted(by_name) == ["build", "comment"]
    assert {(r["status"], r["conclusion"]) for r in checks} == {("completed", "success")}
    assert [c["body"] for c in comments] == [f"checked {head} (opened)"]
    assert comments[0]["user"]["login"].startswith("job")
    for name, run in by_name.items():
        assert f'href="{run["details_url"]}"' in page.replace("&amp;", "&"), name
    assert page.count('class="state state-success"') >= 2
    assert {(r["status"], r["conclusion"]) for r in again} == {("completed", "success")}
    assert [c["body"] for c in comments_after][-1] == f"checked {second} (synchronize)"
    assert token not in made.stdout + made.stderr
