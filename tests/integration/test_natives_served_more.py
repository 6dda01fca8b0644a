"""Issue 16's "done when" for the other four natives, end to end with real processes: each runs
in a GitHub-valid workflow of a repository the local forge hosts, run by a real `conveyor serve`
with the job's own `GITHUB_TOKEN` and the `permissions:` it needs; what it wrote is read back
through /api/v3 (and the run's logs through /api/v1).

- `conveyor/release` on a pushed tag `v1.0.0-rc.1`: a prerelease whose notes list the pull
  request merged before (`conveyor pr merge`), with the asset its `files:` names.
- `conveyor/dependency-review` on a pull request pinning a GPL-3.0 package (licence data
  committed in the repository): the job fails, one comment on the pull request.
- `conveyor/secret-scan` on a pull request adding an AWS key (AWS's documented example): the job
  fails with an annotation at the file's path:line, and the key is in none of the run's logs.
- `conveyor/stale` on `workflow_dispatch` (`conveyor dispatch`), its clock 90 days ahead through
  the workflow's `env:`: the issues made through /api/v3 get the stale label and comment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.test_natives_served import comments_with, conclusions, wait_checks
from tests.support.hosted_git import GitClient, hosted_app
from tests.support.serve_process import Server, cli, serving

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RELEASE = """\
name: Release
on:
  push:
    tags: ['v*']
permissions:
  contents: write
  pull-requests: read  # the merged pull requests' titles, authors and links
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - name: build
        run: mkdir -p dist && printf 'app 1.0.0-rc.1\\n' > dist/app-1.0.0rc1.txt
      - uses: conveyor/release@v1
        with:
          files: dist/*.txt
"""

DEPENDENCIES = """\
name: Dependencies
on: pull_request
permissions:
  contents: read
  pull-requests: write
jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: conveyor/dependency-review@v1
        with:
          deny-licenses: GPL-3.0-only
          license-data: licenses.json
          installed-licenses: false
"""

LICENCES = '{"pip": {"requests": {"*": "Apache-2.0"}, "gnuthing": {"*": "GPL-3.0-only"}}}\n'

SECRETS = """\
name: Secrets
on: pull_request
permissions:
  contents: read
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: conveyor/secret-scan@v1
"""

AWS_KEY = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example access key id (test data)
LEAKY = f'"""Settings."""\n\nAWS_ACCESS_KEY_ID = "{AWS_KEY}"\n'

STALE = """\
name: Stale
on: workflow_dispatch
permissions:
  issues: write
  pull-requests: write
env:
  CONVEYOR_STALE_NOW: "{now}"
jobs:
  stale:
    runs-on: ubuntu-latest
    steps:
      - uses: conveyor/stale@v1
        with:
          days-before-stale: 30
          days-before-close: -1
          stale-issue-label: stale
          stale-issue-message: This issue is stale.
"""


def hosted(tmp_path: Path, files: dict[str, str]) -> tuple[Path, str, GitClient, Path]:
    """`hosted_app` with `files` and a README on `main`."""
    return hosted_app(tmp_path, files | {"README.md": "# app\n"})


def open_pr(home: Path, server: Server, token: str, title: str) -> None:
    made = cli(home, "pr", "create", "--repo", "acme/app", "--head", "feature", "--base",
               "main", "--title", title, "--body", "A change.",
               "--server", server.url, "--token", token)  # fmt: skip
    assert made.returncode == 0, made.stderr


def forge(server: Server, token: str) -> httpx.Client:
    auth = {"Authorization": f"token {token}"}
    return httpx.Client(base_url=f"{server.url}/api/v3/repos/acme/app", headers=auth)


def run_logs(server: Server, token: str) -> str:
    """Every job's and step's log of every run, joined."""
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth) as api:
        texts = []
        for run in api.get("/runs").json()["runs"]:
            for job in api.get(f"/runs/{run['id']}").json()["jobs"]:
                texts.append(log_text(api, run["id"], job["key"], None))
                texts += [log_text(api, run["id"], job["key"], s["index"]) for s in job["steps"]]
    return "".join(texts)


def log_text(api: httpx.Client, run_id: int, job: str, step: int | None) -> str:
    params: dict[str, Any] = {"job": job} | ({} if step is None else {"step": step})
    answer = api.get(f"/runs/{run_id}/logs", params=params)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["text"])


def test_release_on_a_pushed_tag_makes_a_prerelease_with_notes_and_an_asset(
    tmp_path: Path,
) -> None:
    home, token, git, work = hosted(tmp_path, {".github/workflows/release.yml": RELEASE})
    with serving(home) as server:
        remote = git.url(server.url, "acme/app", token)
        git.ok(work, "push", "-q", remote, "main")
        git.ok(work, "switch", "-q", "-c", "feature")
        git.commit(work, {"src/app.py": "print(1)\n"}, "the app")
        git.ok(work, "push", "-q", remote, "feature")
        open_pr(home, server, token, "Add the app")
        merged = cli(home, "pr", "merge", "1", "--repo", "acme/app",
                     "--server", server.url, "--token", token)  # fmt: skip
        assert merged.returncode == 0, merged.stderr
        git.ok(work, "switch", "-q", "main")
        git.ok(work, "pull", "-q", "--ff-only", remote, "main")
        git.ok(work, "tag", "v1.0.0-rc.1")
        git.ok(work, "push", "-q", remote, "v1.0.0-rc.1")
        tagged = git.ok(work, "rev-parse", "HEAD")
        with forge(server, token) as api:
            checks = wait_checks(api, tagged, 1)
            release = api.get("/releases/tags/v1.0.0-rc.1")
            assets = api.get(f"/releases/{release.json().get('id')}/assets").json()
            octets = {"Accept": "application/octet-stream"}  # a redirect, as GitHub's
            download = api.get(assets[0]["url"], headers=octets, follow_redirects=True)
        assert server.stop() == 0
    assert conclusions(checks) == {"release": ["success"]}, checks
    assert release.status_code == 200, release.text
    found = release.json()
    assert found["prerelease"] is True
    assert found["tag_name"] == "v1.0.0-rc.1"
    assert found["author"]["login"].startswith("job")  # the job's own token wrote it
    assert "* Add the app by @" in found["body"], found["body"]
    assert "/pull/1" in found["body"], found["body"]
    assert [asset["name"] for asset in assets] == ["app-1.0.0rc1.txt"]
    assert (download.status_code, download.content) == (200, b"app 1.0.0-rc.1\n")


def test_dependency_review_fails_a_pull_request_adding_a_gpl_package_with_one_comment(
    tmp_path: Path,
) -> None:
    files = {
        ".github/workflows/dependencies.yml": DEPENDENCIES,
        "licenses.json": LICENCES,
        "requirements.txt": "requests==2.32.3\n",
    }
    home, token, git, work = hosted(tmp_path, files)
    with serving(home) as server:
        remote = git.url(server.url, "acme/app", token)
        git.ok(work, "push", "-q", remote, "main")
        git.ok(work, "switch", "-q", "-c", "feature")
        pinned = {"requirements.txt": "requests==2.32.3\ngnuthing==1.0.0\n"}
        head = git.commit(work, pinned, "gnuthing")
        git.ok(work, "push", "-q", remote, "feature")
        open_pr(home, server, token, "Use gnuthing")
        with forge(server, token) as api:
            checks = wait_checks(api, head, 1)
            comments = api.get("/issues/1/comments").json()
            bumped = {"requirements.txt": "requests==2.32.3\ngnuthing==1.0.1\n"}
            again = git.commit(work, bumped, "gnuthing 1.0.1")
            git.ok(work, "push", "-q", remote, "feature")  # `synchronize`: a second review
            second = wait_checks(api, again, 1)
            after = api.get("/issues/1/comments").json()
        assert server.stop() == 0
    assert conclusions(checks) == {"review": ["failure"]}, checks
    assert len(comments) == 1, comments
    assert "gnuthing" in comments[0]["body"]
    assert "GPL-3.0-only" in comments[0]["body"]
    assert len(comments_with(comments, "<!-- conveyor:dependency-review -->")) == 1
    assert comments[0]["user"]["login"].startswith("job")
    assert conclusions(second) == {"review": ["failure"]}, second
    assert [c["id"] for c in after] == [comments[0]["id"]], after  # updated, not duplicated
    assert "1.0.1" in after[0]["body"]


def test_secret_scan_fails_a_pull_request_adding_a_key_with_an_annotation_and_clean_logs(
    tmp_path: Path,
) -> None:
    home, token, git, work = hosted(tmp_path, {".github/workflows/secrets.yml": SECRETS})
    with serving(home) as server:
        remote = git.url(server.url, "acme/app", token)
        git.ok(work, "push", "-q", remote, "main")
        git.ok(work, "switch", "-q", "-c", "feature")
        head = git.commit(work, {"app/settings.py": LEAKY}, "settings")
        git.ok(work, "push", "-q", remote, "feature")
        open_pr(home, server, token, "Settings")
        with forge(server, token) as api:
            checks = wait_checks(api, head, 1)
            notes = api.get(f"/check-runs/{checks[0]['id']}/annotations").json()
        logs = run_logs(server, token)
        assert server.stop() == 0
    assert conclusions(checks) == {"scan": ["failure"]}, checks
    at = [(n["path"], n["start_line"], n["annotation_level"]) for n in notes]
    assert ("app/settings.py", 3, "failure") in at, notes
    reported = [n for n in notes if n["path"] == "app/settings.py"]
    assert [n["title"] for n in reported] == ["Secret detected"], notes  # the finding …
    assert "AWS Access Key" in reported[0]["message"], notes
    assert "1 new findings" in logs  # the scan's own log was read …
    assert AWS_KEY not in logs  # … and the key itself is in none
    assert AWS_KEY not in str(notes) + str(checks)


def test_stale_on_workflow_dispatch_marks_old_issues_stale(tmp_path: Path) -> None:
    ahead = (datetime.now(UTC) + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    workflow = STALE.replace("{now}", ahead)
    home, token, git, work = hosted(tmp_path, {".github/workflows/stale.yml": workflow})
    with serving(home) as server:
        git.ok(work, "push", "-q", git.url(server.url, "acme/app", token), "main")
        head = git.ok(work, "rev-parse", "HEAD")
        with forge(server, token) as api:
            for title in ("Crash on start", "Typo in README"):
                made = api.post("/issues", json={"title": title, "body": "Please fix."})
                assert made.status_code == 201, made.text
            dispatched = cli(home, "dispatch", "stale.yml", "--repo", "acme/app", "--ref", "main",
                             "--server", server.url, "--token", token)  # fmt: skip
            assert dispatched.returncode == 0, dispatched.stderr
            checks = wait_checks(api, head, 1)
            issues = [api.get(f"/issues/{n}").json() for n in (1, 2)]
            comments = [api.get(f"/issues/{n}/comments").json() for n in (1, 2)]
        assert server.stop() == 0
    assert conclusions(checks) == {"stale": ["success"]}, checks
    assert [[label["name"] for label in issue["labels"]] for issue in issues] == [["stale"]] * 2
    assert [[c["body"] for c in found] for found in comments] == [["This issue is stale."]] * 2
    assert all(c["user"]["login"].startswith("job") for found in comments for c in found)
    assert all(issue["state"] == "open" for issue in issues)
