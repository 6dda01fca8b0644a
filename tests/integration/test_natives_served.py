"""Issue 16's "done when", end to end with real processes: conveyor's native repository
automation actions run in workflows `conveyor serve` runs for a pull request of the local forge,
with the job's own `GITHUB_TOKEN`, and what they write is read back through /api/v3.

A real `conveyor serve`; a hosted repository whose `main` holds two GitHub-valid workflows on
`pull_request`: one using `conveyor/labeler@v1` (paths and size labels), `conveyor/tdd-gate@v1`,
`conveyor/coverage-gate@v1` (on a Cobertura XML a step writes) and `conveyor/quality-gate@v1`
(`needs: ${{ toJSON(needs) }}`); the other naming the marketplace actions `actions/labeler@v5`
and `re-actors/alls-green@release/v1`, run natively through `[actions.native]` in the
conveyor.toml of the event's commit (no network: the marketplace actions cannot be fetched).
`conveyor pr create` with a body missing the TDD proof: the gate fails and comments; then the
body is edited through the API (PATCH), `pull_request: edited` runs the gate again, which passes
and updates its one comment."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.hosted_git import GitClient
from tests.support.serve_process import cli, cli_ok, serving

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NATIVES = """\
name: Natives
on:
  pull_request:
    types: [opened, synchronize, reopened, edited]
permissions:
  contents: read
  pull-requests: write
  issues: write
jobs:
  labels:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: conveyor/labeler@v1
  tdd:
    runs-on: ubuntu-latest
    steps:
      - uses: conveyor/tdd-gate@v1
  coverage:
    runs-on: ubuntu-latest
    steps:
      - name: coverage.xml (as coverage.py writes it)
        run: |
          cat > coverage.xml <<'EOF'
          <?xml version="1.0" ?>
          <coverage version="7.6.1" line-rate="0.75" branch-rate="0"
                    lines-valid="4" lines-covered="3">
            <sources><source>.</source></sources>
            <packages><package name="src" line-rate="0.75"><classes>
              <class name="app.py" filename="src/app.py" line-rate="0.75"><methods/><lines>
                <line number="1" hits="1"/><line number="2" hits="1"/>
                <line number="3" hits="1"/><line number="4" hits="0"/>
              </lines></class>
            </classes></package></packages>
          </coverage>
          EOF
      - uses: conveyor/coverage-gate@v1
        with:
          threshold: 70
          comment: true
  gate:
    if: always()
    needs: [labels, tdd, coverage]
    runs-on: ubuntu-latest
    steps:
      - uses: conveyor/quality-gate@v1
        with:
          needs: ${{ toJSON(needs) }}
"""

MARKETPLACE = """\
name: Marketplace
on: pull_request
permissions:
  contents: read
  pull-requests: write
  issues: write
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/labeler@v5
        with:
          configuration-path: .github/labeler-marketplace.yml
  all-green:
    if: always()
    needs: [label]
    runs-on: ubuntu-latest
    steps:
      - uses: re-actors/alls-green@release/v1
        with:
          jobs: ${{ toJSON(needs) }}
"""

LABELER = """\
source:
  - changed-files:
      - any-glob-to-any-file: 'src/**'
docs:
  - changed-files:
      - any-glob-to-any-file: 'docs/**'
"""

MARKETPLACE_LABELER = """\
via-marketplace:
  - changed-files:
      - any-glob-to-any-file: 'src/**'
"""

CONVEYOR_TOML = """\
[actions.native]
"actions/labeler" = "conveyor/labeler"
"re-actors/alls-green" = "conveyor/quality-gate"
"""

MAIN = {
    ".github/workflows/natives.yml": NATIVES,
    ".github/workflows/marketplace.yml": MARKETPLACE,
    ".github/labeler.yml": LABELER,
    ".github/labeler-marketplace.yml": MARKETPLACE_LABELER,
    "conveyor.toml": CONVEYOR_TOML,
    "README.md": "# app\n",
}

NO_PROOF = "Adds the app.\n"
PROOF = """\
Adds the app.

## TDD Proof
- [x] a failing test first
- [x] seen failing
- [x] seen passing
"""


def wait_checks(api: httpx.Client, sha: str, count: int, timeout: float = 300) -> list[Any]:
    """The check runs of `sha` once `count` of them are completed (polled, bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        runs = api.get(f"/commits/{sha}/check-runs").json()["check_runs"]
        if len([run for run in runs if run["status"] == "completed"]) >= count:
            return list(runs)
        assert time.monotonic() < deadline, f"checks of {sha} never completed: {runs}"
        time.sleep(0.2)


def conclusions(runs: list[Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for run in sorted(runs, key=lambda r: r["id"]):
        found.setdefault(run["name"], []).append(run["conclusion"])
    return found


def comments_with(comments: list[Any], marker: str) -> list[tuple[int, str]]:
    """(id, body) of the comments carrying an action's marker."""
    return [(c["id"], c["body"]) for c in comments if marker in c["body"]]


def test_native_actions_gate_label_and_comment_on_a_served_pull_request(tmp_path: Path) -> None:
    home = tmp_path / "home"
    token = cli_ok(home, "tokens", "create", "--name", "mona", "--role", "write").strip()
    cli_ok(home, "repos", "create", "acme/app")
    git, work = GitClient(tmp_path), tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    git.commit(work, MAIN, "workflows, labeler configuration, conveyor.toml")
    body = tmp_path / "body.md"
    body.write_text(NO_PROOF)
    with serving(home) as server:
        remote = git.url(server.url, "acme/app", token)
        git.ok(work, "push", "-q", remote, "main")
        git.ok(work, "switch", "-q", "-c", "feature")
        files = {"src/app.py": "def add(a, b):\n    return a + b\n", "tests/test_app.py": "x = 1\n"}
        head = git.commit(work, files, "the app")
        git.ok(work, "push", "-q", remote, "feature")
        made = cli(home, "pr", "create", "--repo", "acme/app", "--head", "feature", "--base",
                   "main", "--title", "Add the app", "--body-file", str(body),
                   "--server", server.url, "--token", token)  # fmt: skip
        assert made.returncode == 0, made.stderr
        auth = {"Authorization": f"token {token}"}
        with httpx.Client(base_url=f"{server.url}/api/v3/repos/acme/app", headers=auth) as api:
            opened = wait_checks(api, head, 6)
            labels = [label["name"] for label in api.get("/issues/1/labels").json()]
            first = api.get("/issues/1/comments").json()
            edit = api.patch("/pulls/1", json={"body": PROOF})
            assert edit.status_code == 200, edit.text
            edited = wait_checks(api, head, 10)
            after = api.get("/issues/1/comments").json()
        trend = httpx.get(
            f"{server.url}/api/v1/repos/acme/app/coverage",
            params={"branch": "refs/pull/1/merge"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()["points"]
        assert server.stop() == 0
    # coverage-gate ran on `opened` and on `edited`: the served runs kept both results
    assert [point["line_rate"] for point in trend] == [75.0, 75.0], trend
    assert conclusions(opened) == {
        "labels": ["success"],
        "tdd": ["failure"],
        "coverage": ["success"],
        "gate": ["failure"],
        "label": ["success"],
        "all-green": ["success"],
    }, opened
    assert sorted(labels) == ["size/XS", "source", "via-marketplace"]
    tdd_before = comments_with(first, "<!-- conveyor:tdd-gate -->")
    assert len(tdd_before) == 1, first
    assert "TDD gate failed" in tdd_before[0][1]
    assert "## TDD Proof" in tdd_before[0][1]
    coverage = comments_with(first, "<!-- conveyor:coverage-gate -->")
    assert len(coverage) == 1, first
    assert "75.00 %" in coverage[0][1]
    again = conclusions(edited)
    assert again["tdd"] == ["failure", "success"]
    assert again["gate"] == ["failure", "success"]
    tdd_after = comments_with(after, "<!-- conveyor:tdd-gate -->")
    assert len(tdd_after) == 1, after  # the same comment, updated in place
    assert tdd_after[0][0] == tdd_before[0][0]
    assert "TDD gate passed" in tdd_after[0][1]
    assert len(comments_with(after, "<!-- conveyor:coverage-gate -->")) == 1
    assert all(c["user"]["login"].startswith("job") for c in after)
    assert token not in made.stdout + made.stderr


def test_a_server_with_native_actions_runs_the_marketplace_names_by_the_built_in_map(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    token = cli_ok(home, "tokens", "create", "--name", "mona", "--role", "write").strip()
    cli_ok(home, "repos", "create", "acme/app")
    git, work = GitClient(tmp_path), tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    files = {
        ".github/workflows/marketplace.yml": MARKETPLACE,
        ".github/labeler-marketplace.yml": MARKETPLACE_LABELER,
    }
    git.commit(work, files, "a GitHub-valid workflow, no conveyor.toml")
    with serving(home, "--native-actions") as server:
        remote = git.url(server.url, "acme/app", token)
        git.ok(work, "push", "-q", remote, "main")
        git.ok(work, "switch", "-q", "-c", "feature")
        head = git.commit(work, {"src/app.py": "print(1)\n"}, "the app")
        git.ok(work, "push", "-q", remote, "feature")
        made = cli(home, "pr", "create", "--repo", "acme/app", "--head", "feature", "--base",
                   "main", "--title", "Add the app", "--body", "no proof needed here",
                   "--server", server.url, "--token", token)  # fmt: skip
        assert made.returncode == 0, made.stderr
        auth = {"Authorization": f"token {token}"}
        with httpx.Client(base_url=f"{server.url}/api/v3/repos/acme/app", headers=auth) as api:
            checks = wait_checks(api, head, 2)
            labels = [label["name"] for label in api.get("/issues/1/labels").json()]
        assert server.stop() == 0
    assert conclusions(checks) == {"label": ["success"], "all-green": ["success"]}, checks
    assert labels == ["via-marketplace"]  # as actions/labeler: no size labels
