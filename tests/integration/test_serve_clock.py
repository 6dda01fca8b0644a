"""The server's clock override, end to end: `CONVEYOR_CLOCK_START` starts `conveyor serve`'s clock
at a given instant (it then runs on at the real pace), so a schedule tick can be driven in a test
or a demo, and everything the server judges time by sees the same "now": the scheduler, the local
forge's timestamps, and the natives of its runs (`conveyor/stale`).

An issue is opened on the local forge by a server on the real clock; a second server whose clock
starts 61 days later, two seconds before midnight UTC, fires the daily `conveyor/stale` workflow at
midnight, which marks the issue stale (it was last updated 61 days ago by that clock) and leaves
the pinned one alone."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.hosted_git import hosted_app
from tests.support.serve_process import environment, serving

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STALE = """\
name: Stale
on:
  schedule:
    - cron: "0 0 * * *"
permissions:
  issues: write
  pull-requests: write
jobs:
  stale:
    runs-on: ubuntu-latest
    steps:
      - uses: conveyor/stale@v1
        with:
          days-before-stale: 60
          days-before-close: 14
          stale-issue-label: stale
          stale-issue-message: This issue has had no activity for 60 days.
          exempt-issue-labels: pinned,security
"""


def before_midnight(after: datetime, seconds: float = 2.0) -> datetime:
    """`seconds` before the first midnight UTC after `after`."""
    midnight = (after + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(seconds=seconds)


def wait_for(read: Any, timeout: float = 120) -> Any:
    """Poll `read()` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + timeout
    while not (found := read()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
    return found


def test_a_server_started_at_a_later_clock_fires_its_schedule_and_judges_staleness_by_it(
    tmp_path: Path,
) -> None:
    home, token, git, work = hosted_app(tmp_path, {".github/workflows/stale.yml": STALE}, "stale")
    auth = {"Authorization": f"Bearer {token}"}
    with serving(home) as server:
        git.ok(work, "push", "-q", git.url(server.url, "acme/app", token), "main")
        with httpx.Client(base_url=f"{server.url}/api/v3/repos/acme/app", headers=auth) as api:
            old = api.post("/issues", json={"title": "Old idea"}).json()
            api.post("/issues", json={"title": "Roadmap", "labels": ["pinned"]}).raise_for_status()
        assert server.stop() == 0
    start = before_midnight(datetime.now(UTC) + timedelta(days=61))
    with serving(home, env={"CONVEYOR_CLOCK_START": start.isoformat()}) as server:
        with httpx.Client(base_url=server.url, headers=auth) as http:
            runs = wait_for(lambda: _ended(http.get("/api/v1/runs?event=schedule").json()))
            issues = http.get("/api/v3/repos/acme/app/issues?state=all").json()
            made = http.post("/api/v3/repos/acme/app/issues", json={"title": "New"}).json()
        assert server.stop() == 0
    assert [(run["event"], run["conclusion"]) for run in runs] == [("schedule", "success")]
    labels = {issue["number"]: [label["name"] for label in issue["labels"]] for issue in issues}
    assert labels == {old["number"]: ["stale"], old["number"] + 1: ["pinned"]}
    created = datetime.fromisoformat(made["created_at"].replace("Z", "+00:00"))
    assert abs((created - start).total_seconds()) < 120  # the forge's timestamps: the same clock


def _ended(listing: Any) -> list[Any]:
    runs = listing["runs"] if isinstance(listing, dict) else listing
    return [run for run in runs if run.get("status") == "completed"]


def test_a_clock_start_that_is_not_a_time_stops_the_server_with_exit_2(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "conveyor", "serve", "--host", "127.0.0.1", "--port", "0"]
    env = environment(tmp_path / "home") | {"CONVEYOR_CLOCK_START": "next tuesday"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "CONVEYOR_CLOCK_START" in done.stderr
    assert "next tuesday" in done.stderr
    assert "Traceback" not in done.stderr
