"""Real actions (the git bundles in ../shared/actions) fetched by tag and by commit over smart
HTTP by `conveyor run`, then run again `--offline` from the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_remote_actions_run import GREET, make_repo, run
from tests.support.git_server import GitServer, HttpGit

pytestmark = [pytest.mark.integration, pytest.mark.shared]

WORKFLOW = """
on: push
jobs:
  real:
    runs-on: ubuntu-latest
    steps:
      - id: hello
        uses: actions/hello-world-javascript-action@v1
        with: {who-to-greet: conveyor}
      - run: test -n "${{ steps.hello.outputs.time }}" && echo "greeted at a time"
      - uses: actions/hello-world-javascript-action@HELLO_SHA
        with: {who-to-greet: pinned}
      - id: script
        uses: actions/github-script@v7.1.0
        with:
          github-token: unused-token-value
          result-encoding: string
          script: return "scripted " + (1 + 2)
      - run: echo "github-script said ${{ steps.script.outputs.result }}"
      - uses: acme/greet@v1
"""


def test_real_javascript_actions_by_tag_and_commit_then_offline(
    shared: Path, git_server: GitServer, git_http: HttpGit, tmp_path: Path
) -> None:
    bundles = shared / "actions"
    git_server.bundle(
        "actions/hello-world-javascript-action",
        bundles / "actions__hello-world-javascript-action.bundle",
    )
    git_server.bundle("actions/github-script", bundles / "actions__github-script.bundle")
    git_server.publish("acme/greet", {"action.yml": GREET}, tags=("v1",))
    pinned = git_server.rev("actions/hello-world-javascript-action", "v1.1")
    repo = make_repo(tmp_path / "repo", WORKFLOW.replace("HELLO_SHA", pinned))
    home = tmp_path / "home"
    code, output = run(home, "run", str(repo), url=git_http.url)
    check(code, output)
    assert git_http.fetches("actions/hello-world-javascript-action") == 2  # v1 and the commit
    code, output = run(home, "run", str(repo), "--offline", url=(tmp_path / "gone").as_uri())
    check(code, output)


def check(code: int, output: str) -> None:
    assert code == 0, output
    assert "Hello conveyor!" in output
    assert "Hello pinned!" in output
    assert "greeted at a time" in output
    assert "github-script said scripted 3" in output
    assert "greet says hello world" in output
