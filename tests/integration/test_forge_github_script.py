"""A real `actions/github-script` (v7 on node20 and v8 on node24, from ../shared/actions,
fetched through the remote-actions mechanism from a local Git server) run by `conveyor run`
against the local forge's API: with `base-url` at /api/v3 and a conveyor token as
`github-token`, it comments on a pull request, labels it and creates a release; the test reads
them back through the API and sees the `pull_request` events the forge fired."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.principals import Principal, Role
from conveyor.store import open_store
from conveyor.store.served_repositories import ServedRepository, served_repositories
from tests.integration.test_remote_actions_run import make_repo, run
from tests.support.git_server import GitServer, HttpGit
from tests.support.http_server import running_app
from tests.unit.forge_api.conftest import hosted_repository

pytestmark = [pytest.mark.integration, pytest.mark.shared]

TOKEN = "forge-script-token"
WORKFLOW = """
on: push
jobs:
  script:
    runs-on: ubuntu-latest
    steps:
      - id: script
        uses: actions/github-script@VERSION
        with:
          github-token: ${{ secrets.FORGE_TOKEN }}
          base-url: API_URL
          result-encoding: string
          script: |
            const where = { owner: 'octo', repo: 'app' };
            await github.rest.issues.createComment({ ...where, issue_number: 1,
                                                     body: 'commented by github-script' });
            await github.rest.issues.addLabels({ ...where, issue_number: 1, labels: ['triaged'] });
            const release = await github.rest.repos.createRelease({ ...where, tag_name: 'v9',
                                                                    name: 'Nine', body: 'notes' });
            return `release ${release.data.id}`;
      - run: echo "github-script made ${{ steps.script.outputs.result }}"
"""


@pytest.mark.parametrize("version", ["v7.1.0", "v8.0.0"])
def test_github_script_comments_labels_and_releases_on_the_local_forge(
    shared: Path, git_server: GitServer, git_http: HttpGit, tmp_path: Path, version: str
) -> None:
    git_server.bundle("actions/github-script", shared / "actions" / "actions__github-script.bundle")
    forge_home = tmp_path / "forge"
    store = open_store(forge_home)
    bare = hosted_repository(forge_home, tmp_path / "work")
    served_repositories(store).add(ServedRepository("octo/app", str(bare), "main", False, 0), None)
    tokens = FakeTokens({TOKEN: Principal("script", Role.WRITE)})
    starter = FakeStarter()
    context = ServerContext(forge_home, store, starter, FakeControl(), tokens)
    try:
        with running_app(create_app(context)) as url:
            opened = httpx.post(
                f"{url}/api/v3/repos/octo/app/pulls",
                json={"head": "feature", "base": "main", "title": "Please triage"},
                headers={"Authorization": f"token {TOKEN}"},
            )
            assert opened.json()["number"] == 1
            repo = make_repo(
                tmp_path / "repo",
                WORKFLOW.replace("API_URL", f"{url}/api/v3").replace("VERSION", version),
            )
            code, output = run(
                tmp_path / "home", "run", str(repo), "--secret", f"FORGE_TOKEN={TOKEN}",
                url=git_http.url,
            )  # fmt: skip
            headers = {"Authorization": f"token {TOKEN}"}
            with httpx.Client(base_url=f"{url}/api/v3/repos/octo/app", headers=headers) as api:
                comments = api.get("/issues/1/comments").json()
                labels = api.get("/issues/1/labels").json()
                release = api.get("/releases/tags/v9").json()
    finally:
        store.close()
    assert code == 0, output
    assert TOKEN not in output
    assert [c["body"] for c in comments] == ["commented by github-script"]
    assert comments[0]["user"]["login"] == "script"
    assert [label["name"] for label in labels] == ["triaged"]
    assert (release["name"], release["body"]) == ("Nine", "notes")
    assert f"github-script made release {release['id']}" in output
    events = [(r.event_name, r.payload.get("action")) for r in starter.requests]
    # the release (by a person's token, not a job's) fires GitHub's events, its new tag first
    assert events == [
        ("pull_request", "opened"),
        ("pull_request", "labeled"),
        ("create", None),
        ("push", None),
        ("release", "created"),
        ("release", "published"),
        ("release", "released"),
    ]
