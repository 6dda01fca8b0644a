"""The events of the Carbon Connect story on a real `conveyor serve` with the local forge, with tiny
workflows: a job publishes a `gh-pages` branch with its own GITHUB_TOKEN over smart HTTP
(`contents: write`); merging a pull request through the API (`PUT /pulls/{n}/merge`) fires `push`
on main and `pull_request` closed with `merged: true`; a release published through the API
fires `release` (`published`) at its tag, which it creates; a pushed tag fires `push` for it.
Each assertion reads state: git refs, the runs API, the forge API."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.hosted_git import hosted_app
from tests.support.serve_process import serving

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PAGES = """\
name: Pages
on:
  push:
    branches: [main]
permissions:
  contents: write
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Publish to gh-pages
        env:
          TOKEN: ${{ github.token }}
        run: |
          mkdir site && echo "<h1>$GITHUB_SHA</h1>" > site/index.html
          cd site && git init -q -b gh-pages && git add -A
          git -c user.name=bot -c user.email=bot@example.com commit -qm "Publish $GITHUB_SHA"
          remote="${GITHUB_SERVER_URL/:\\/\\//://x-access-token:${TOKEN}@}/${GITHUB_REPOSITORY}.git"
          git push -q --force "$remote" gh-pages
"""

MERGED = """\
name: Merged
on:
  pull_request:
    types: [closed]
jobs:
  merged:
    if: github.event.pull_request.merged == true
    runs-on: ubuntu-latest
    steps:
      - run: test "${{ github.event.pull_request.merged_by.login }}" = mona
"""

RELEASED = """\
name: Released
on:
  release:
    types: [published]
  push:
    tags: ["v*.*.*"]
jobs:
  seen:
    runs-on: ubuntu-latest
    steps:
      - env:
          TAG: ${{ github.event.release.tag_name || github.ref_name }}
        run: test "$GITHUB_REF" = "refs/tags/$TAG"
"""


def wait_runs(http: httpx.Client, count: int, timeout: float = 180, **query: str) -> list[Any]:
    """The first `count` runs matching `query` once they all completed (polled, bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        runs = http.get("/api/v1/runs", params=query).json()["runs"]
        if len(runs) >= count and all(run["status"] == "completed" for run in runs):
            return list(runs)
        assert time.monotonic() < deadline, f"runs {query} never completed: {runs}"
        time.sleep(0.2)


def test_gh_pages_merges_and_releases_fire_what_the_story_needs(tmp_path: Path) -> None:
    flows = {"pages.yml": PAGES, "merged.yml": MERGED, "released.yml": RELEASED}
    files = {f".github/workflows/{k}": v for k, v in flows.items()}
    home, token, git, work = hosted_app(tmp_path, files, "flows")
    main = git.ok(work, "rev-parse", "HEAD")
    auth = {"Authorization": f"Bearer {token}"}
    with serving(home) as server, httpx.Client(base_url=server.url, headers=auth) as http:
        remote = git.url(server.url, "acme/app", token)
        git.ok(work, "push", "-q", remote, "main")
        pages = wait_runs(http, 1, workflow="Pages")
        published = git.ok(work, "ls-remote", remote, "refs/heads/gh-pages").split()
        git.ok(work, "switch", "-q", "-c", "feature")
        head = git.commit(work, {"app.py": "print(1)\n"}, "app")
        git.ok(work, "push", "-q", remote, "feature")
        forge = "/api/v3/repos/acme/app"
        http.post(f"{forge}/pulls", json={"head": "feature", "base": "main", "title": "App"})
        merge = http.put(f"{forge}/pulls/1/merge", json={"merge_method": "merge"}).json()
        merged = wait_runs(http, 1, workflow="Merged")
        pushed = wait_runs(http, 2, workflow="Pages")
        release = http.post(f"{forge}/releases", json={"tag_name": "v1.0.0"}).json()
        released = wait_runs(http, 1, workflow="Released", event="release")
        git.ok(work, "tag", "v1.1.0", head)
        git.ok(work, "push", "-q", remote, "v1.1.0")
        tagged = wait_runs(http, 2, workflow="Released", event="push")
        tags = git.ok(work, "ls-remote", "--tags", remote)
        assert server.stop() == 0
    assert [(r["event"], r["conclusion"]) for r in pages] == [("push", "success")]
    assert published[1] == "refs/heads/gh-pages"
    assert [(r["event"], r["conclusion"]) for r in merged] == [("pull_request", "success")]
    assert pushed[0]["sha"] == merge["sha"] != main
    assert [(r["event"], r["conclusion"]) for r in released] == [("release", "success")]
    assert released[0]["sha"] == merge["sha"]
    assert f"{merge['sha']}\trefs/tags/v1.0.0" in tags
    assert release["tag_name"] == "v1.0.0"
    # the release's new tag was pushed too, as on GitHub; newest first
    assert [(r["ref"], r["conclusion"]) for r in tagged] == [
        ("refs/tags/v1.1.0", "success"), ("refs/tags/v1.0.0", "success"),
    ]  # fmt: skip


CLOUD = """\
name: Cloud
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: aws
        uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-region: eu-west-1
      - id: greet
        uses: acme/greet@v1
        with:
          who: carbon
      - run: test "${{ steps.greet.outputs.said }}" = "hello carbon"
      - run: test "${{ steps.aws.outcome }}" = skipped
"""

GREET = """\
name: greet
inputs:
  who: {required: true}
outputs:
  said: {value: "${{ steps.say.outputs.said }}"}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: echo "said=hello ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
"""

OVERRIDES = """\
[actions.overrides]
"aws-actions/configure-aws-credentials" = "skip"
"acme/greet" = "tools/greet"
"""


def test_the_commits_action_overrides_apply_to_served_runs(tmp_path: Path) -> None:
    files = {".github/workflows/cloud.yml": CLOUD, "tools/greet/action.yml": GREET,
             "conveyor.toml": OVERRIDES}  # fmt: skip
    home, token, git, work = hosted_app(tmp_path, files, "cloud")
    auth = {"Authorization": f"Bearer {token}"}
    with serving(home) as server, httpx.Client(base_url=server.url, headers=auth) as http:
        git.ok(work, "push", "-q", git.url(server.url, "acme/app", token), "main")
        runs = wait_runs(http, 1, workflow="Cloud")
        detail = http.get(f"/api/v1/runs/{runs[0]['id']}").json()
        assert server.stop() == 0
    assert runs[0]["conclusion"] == "success", runs[0]["reason"]
    steps = {s["name"]: s["conclusion"] for job in detail["jobs"] for s in job["steps"]}
    assert [c for n, c in steps.items() if "configure-aws" in n] == ["skipped"]
