"""Issue 17's proof: the Carbon Connect sample's twelve workflows drive the whole story through a
real `conveyor serve` and its local forge, as a team would live it.

1. A pull request with a complete TDD proof (backend, frontend and docs changed): backend-ci,
   frontend-ci, pr-tdd-gate, quality-gates, security-scan, dependency-review and auto-label run
   and pass; the path and size labels and the dependency review's comment appear on it.
2. A pull request adding a GPL-3.0 dependency (yamllint, GPL-3.0-or-later) is blocked by
   dependency-review with one comment.
3. A pull request whose TDD proof has an unchecked item is blocked by pr-tdd-gate.
4. Merging the first pull request (`PUT /pulls/1/merge`) publishes the docs: `gh-pages` holds the
   built site.
5. A push to `staging` deploys staging, which answers on its live colour.
6. Tag v1.0.0: release writes the release with notes naming the merged pull request and builds
   the image; production (dispatched with the tag) waits for its required reviewer, who approves
   in the web UI; backup, migrate, blue/green, smoke: v1.0.0 is live.
7. Tag v1.0.1 (a change that breaks the vector query, with a migration): its smoke test fails,
   rollback switches back to v1.0.0's colour and restores the backup (the migration is undone).
8. Tag v1.1.0-rc.1: a prerelease.
9. Schedule ticks, driven by the server's clock (CONVEYOR_CLOCK_START, restarts of the same
   server home): stale marks the 61-day-old issue, and closes it 14 days later, keeping the
   pinned one; the weekly security-scan fires on Monday 06:00.

Each assertion reads state: the runs API, the local forge's API, git refs, the live colour's HTTP
answers, the production database's rows. After step 1, the runs a step does not read (the rest of
the suite step 1 proved) are cancelled as soon as they are queued (the runs are recorded before
the push or the API call answers), to keep the story fast.
At the end every process is stopped, the local platform with `deploy/platform.py down --all`."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.scenarios.carbon_story import FORGE, REPO, Story
from tests.support.serve_process import serving

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.registry]

PR_SUITE = ("backend-ci", "frontend-ci", "pr-tdd-gate", "quality-gates", "security-scan",
            "dependency-review", "auto-label")  # fmt: skip
PROOF = """\
## What and why

Matches are listed nearest first; the docs say so.

## TDD Proof

- [x] Tests written before production code
- [{second}] Evidence of failing test run included
- [x] All tests passing locally
"""
BROKEN_MIGRATION = '''"""A region per grant."""

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE grants ADD COLUMN region text")


def downgrade() -> None:
    op.execute("ALTER TABLE grants DROP COLUMN region")
'''
SERVE_ENV = {"CONVEYOR_SERVE_GRACE": "5"}


@pytest.mark.timeout(5400)
def test_the_carbon_connect_story(tmp_path: Path) -> None:
    story = Story(tmp_path)
    story.set_up()
    try:
        with serving(story.home, "--jobs", "3", env=SERVE_ENV) as server:
            story.connect(server.url)
            issues = open_old_issues(story)
            timed(story, "1 pull request suite", lambda: the_pull_request_suite(story))
            timed(story, "2 gpl blocked", lambda: a_gpl_dependency_is_blocked(story))
            timed(story, "3 unchecked blocked", lambda: an_unchecked_item_is_blocked(story))
            timed(story, "4 merge publishes docs", lambda: merging_publishes_the_docs(story))
            timed(story, "5 staging", lambda: staging_is_deployed(story))
            timed(story, "6 production", lambda: a_release_goes_to_production(story, tmp_path))
            timed(story, "7 rollback", lambda: a_failing_release_rolls_back(story, tmp_path))
            timed(story, "8 prerelease", lambda: a_release_candidate_is_a_prerelease(story))
            last = story.last_run_id()
            assert server.stop() == 0
        timed(
            story, "9 schedules", lambda: schedules_fire_by_the_servers_clock(story, issues, last)
        )
    finally:
        story.shut_down()
        print("story timings:", {k: round(v, 1) for k, v in story.timings.items()})


def timed(story: Story, name: str, step: Any) -> None:
    began = time.monotonic()
    step()
    story.timings[name] = time.monotonic() - began


def proof(complete: bool = True) -> str:
    return PROOF.format(second="x" if complete else " ")


def cancel_other_runs(story: Story, after: int, kept: set[str]) -> None:
    """Cancel the still active runs started after run `after` except those of `kept`."""
    for run in story.runs_after(after):
        if run["workflow"] not in kept and run["status"] != "completed":
            story.api.post(f"/api/v1/runs/{run['id']}/cancel")


# -- 1. the pull request suite ------------------------------------------------------------------


def the_pull_request_suite(story: Story) -> None:
    after = story.last_run_id()
    line = "Matches come nearest first."
    files = {
        "backend/README.md": story.edit("backend/README.md", lambda t: f"{t}\n{line}\n"),
        "frontend/lib/api.ts": story.edit("frontend/lib/api.ts", lambda t: f"{t}// {line}\n"),
        "docs/index.md": story.edit("docs/index.md", lambda t: f"{t}\n{line}\n"),
    }
    head = story.branch(
        "feature/nearest-first", files, "Say that matches come nearest first", "main"
    )
    number = story.open_pull("feature/nearest-first", "Matches come nearest first", proof())
    assert number == 3  # the two old issues come first
    runs = story.wait_runs(after, PR_SUITE, event="pull_request")
    conclusions = {name: run["conclusion"] for name, run in runs.items()}
    assert conclusions == dict.fromkeys(PR_SUITE, "success"), failed_jobs(story, runs)
    checks = story.checks(head)
    assert checks["tdd-proof"] == "success"
    assert checks["quality-gate"] == "success"
    assert {"backend", "frontend", "docs", "size/XS"} <= story.labels(number)
    comments = story.comments(number)
    assert len([body for body in comments if "ependenc" in body]) == 1, comments


def failed_jobs(story: Story, runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        name: {k: v for k, v in story.jobs(run["id"]).items() if v not in ("success", "skipped")}
        for name, run in runs.items() if run["conclusion"] != "success"
    }  # fmt: skip


# -- 2. and 3. blocked pull requests ------------------------------------------------------------


def a_gpl_dependency_is_blocked(story: Story) -> None:
    after = story.last_run_id()
    requirements = story.edit("backend/requirements.txt", lambda t: t + "yamllint==1.38.0\n")
    story.branch("deps/yamllint", {"backend/requirements.txt": requirements},
                 "Lint the deploy YAML", "main")  # fmt: skip
    number = story.open_pull("deps/yamllint", "Lint the deploy YAML", proof())
    cancel_other_runs(story, after, {"dependency-review"})
    runs = story.wait_runs(after, ["dependency-review"], event="pull_request", timeout=900)
    assert runs["dependency-review"]["conclusion"] == "failure"
    comments = [body for body in story.comments(number) if "GPL" in body]
    assert len(comments) == 1, story.comments(number)
    assert "yamllint" in comments[0]


def an_unchecked_item_is_blocked(story: Story) -> None:
    after = story.last_run_id()
    page = story.edit("docs/operations.md", lambda t: t + "\nBackups are kept for 30 days.\n")
    head = story.branch("docs/backups", {"docs/operations.md": page}, "Say how long backups stay",
                        "main")  # fmt: skip
    story.open_pull("docs/backups", "Say how long backups stay", proof(complete=False))
    cancel_other_runs(story, after, {"pr-tdd-gate"})
    runs = story.wait_runs(after, ["pr-tdd-gate"], event="pull_request", timeout=900)
    assert runs["pr-tdd-gate"]["conclusion"] == "failure"
    assert story.checks(head)["tdd-proof"] == "failure"


# -- 4. merge → docs ----------------------------------------------------------------------------


def merging_publishes_the_docs(story: Story) -> None:
    after = story.last_run_id()
    merged = story.api.put(f"{FORGE}/pulls/3/merge", json={"merge_method": "merge"})
    assert merged.status_code == 200, merged.text
    sha = merged.json()["sha"]
    cancel_other_runs(story, after, {"docs"})
    runs = story.wait_runs(after, ["docs"], event="push", timeout=900)
    assert runs["docs"]["conclusion"] == "success"
    assert runs["docs"]["sha"] == sha
    pages = story.ref("refs/heads/gh-pages")
    assert pages is not None
    story.git.ok(story.work, "fetch", "-q", story.remote(), "gh-pages")
    index = story.git.ok(story.work, "show", "FETCH_HEAD:index.html")
    assert "Matches come nearest first." in index
    story.git.ok(story.work, "fetch", "-q", story.remote(), "main")
    story.git.ok(story.work, "switch", "-q", "-C", "main", "FETCH_HEAD")
    story.main = sha


# -- 5. staging ---------------------------------------------------------------------------------


def staging_is_deployed(story: Story) -> None:
    after = story.last_run_id()
    story.git.ok(story.work, "push", "-q", story.remote(), "main:staging")
    cancel_other_runs(story, after, {"deploy-staging"})
    runs = story.wait_runs(after, ["deploy-staging"], event="push", timeout=1200)
    assert runs["deploy-staging"]["conclusion"] == "success", failed_jobs(story, runs)
    health = story.health("staging")
    assert health["status"] == "ok"
    assert health["database"] == "ok"
    assert story.live("staging")["tag"].startswith("staging-")


# -- 6. and 7. releases to production -----------------------------------------------------------


def release(story: Story, tag: str, commit: str) -> dict[str, Any]:
    """Push `tag`; once the release workflow passed, the release the forge has for it."""
    after = story.last_run_id()
    story.push_tag(tag, commit)
    runs = story.wait_runs(after, ["release"], event="push", timeout=900)
    assert runs["release"]["conclusion"] == "success", failed_jobs(story, runs)
    found: dict[str, Any] = story.forge(f"/releases/tags/{tag}")
    return found


def deploy_production(story: Story, tag: str, tmp_path: Path) -> dict[str, Any]:
    """Dispatch deploy-production for `tag`, approve it in the web UI as the release manager;
    the ended run."""
    after = story.last_run_id()
    dispatched = story.api.post(
        f"/api/v1/repos/{REPO}/workflows/deploy-production.yml/dispatches",
        json={"ref": "main", "inputs": {"tag": tag}},
    )
    assert dispatched.status_code == 204, dispatched.text
    run_id = story.runs_after(after)[-1]["id"]
    story.wait_status(run_id, "waiting")
    approve_in_the_browser(story, run_id, tmp_path)
    return story.wait_status(run_id, "completed")


def a_release_goes_to_production(story: Story, tmp_path: Path) -> None:
    found = release(story, "v1.0.0", story.main)  # type: ignore[attr-defined]
    assert found["prerelease"] is False
    assert "\n### " in found["body"]  # grouped by the pull requests' labels (.github/release.yml)
    assert f"Matches come nearest first by @mona in {story.url}/{REPO}/pull/3" in found["body"]
    assert story.platform("image-exists", "--tag", "v1.0.0").returncode == 0
    run = deploy_production(story, "v1.0.0", tmp_path)
    jobs = story.jobs(run["id"])
    assert run["conclusion"] == "success", jobs
    for name in ("validate", "backup", "migrate", "deploy-api", "deploy-workers", "smoke-test"):
        assert jobs[name] == "success", jobs
    assert jobs["rollback"] == "skipped"
    live = story.live("production")
    assert live["tag"] == "v1.0.0"
    assert story.health("production")["version"] == "v1.0.0"
    story.production = live


def a_failing_release_rolls_back(story: Story, tmp_path: Path) -> None:
    api = story.edit(
        "backend/app/api.py",
        lambda t: t.replace("return grants.match_grants(session, q, limit)",
                            "return grants.match_grants(session, q, limit)[1:]"),
    )  # fmt: skip
    files = {"backend/app/api.py": api,
             "backend/migrations/versions/0003_grant_region.py": BROKEN_MIGRATION}  # fmt: skip
    head = story.branch("hotfix/regions", files, "Regions for grants", "main")
    release(story, "v1.0.1", head)
    run = deploy_production(story, "v1.0.1", tmp_path)
    jobs = story.jobs(run["id"])
    assert run["conclusion"] == "failure"
    assert (jobs["migrate"], jobs["deploy-api"], jobs["smoke-test"]) == (
        "success", "success", "failure",
    ), jobs  # fmt: skip
    assert jobs["rollback"] == "success", jobs
    before = story.production
    live = story.live("production")
    assert (live["colour"], live["tag"]) == (before["colour"], "v1.0.0")
    assert story.health("production")["version"] == "v1.0.0"
    assert production_revision(story) == "0002"  # the backup restored: 0003 undone


def production_revision(story: Story) -> str:
    with psycopg.connect(story.database_url("production"), autocommit=True) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert row is not None
    return str(row[0])


def approve_in_the_browser(story: Story, run_id: int, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is a dev dependency")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox"])  # fmt: skip
        session = browser.new_context(base_url=story.url)
        session.set_default_timeout(60_000)
        page = session.new_page()
        page.goto(f"/runs/{run_id}")
        if "/login" in page.url:
            page.fill("#token", story.manager)
            page.click("button[type=submit]")
            page.wait_for_url(f"**/runs/{run_id}")
        sync_api.expect(page.locator("#approval-production")).to_be_visible()
        page.fill("#approval-production input[name=comment]", "ship it")
        page.click("#approval-production >> text=Approve and deploy")
        page.wait_for_url(f"**/runs/{run_id}")
        sync_api.expect(page.locator("#approval-production")).to_have_count(0)
        page.screenshot(path=str(tmp_path / f"approved-{run_id}.png"))
        browser.close()


# -- 8. a prerelease ----------------------------------------------------------------------------


def a_release_candidate_is_a_prerelease(story: Story) -> None:
    found = release(story, "v1.1.0-rc.1", story.main)  # type: ignore[attr-defined]
    assert found["prerelease"] is True
    latest = story.forge("/releases/latest")
    assert latest["tag_name"] == "v1.0.1"  # a prerelease is never the latest


# -- 9. schedules -------------------------------------------------------------------------------


def open_old_issues(story: Story) -> tuple[int, int]:
    """Two issues opened at the start of the story (the server's real clock)."""
    old = story.api.post(f"{FORGE}/issues", json={"title": "Support Welsh grant texts"}).json()
    pinned = story.api.post(
        f"{FORGE}/issues", json={"title": "Roadmap 2027", "labels": ["pinned"]}
    ).json()
    return int(old["number"]), int(pinned["number"])


def at(after: datetime, weekday: int, hour: int) -> datetime:
    """Two seconds before the first `weekday` (Monday 0) `hour`:00 UTC after `after`."""
    moment = after.replace(hour=hour, minute=0, second=0, microsecond=0)
    while moment <= after or moment.weekday() != weekday:
        moment += timedelta(days=1)
    return moment - timedelta(seconds=2)


def schedules_fire_by_the_servers_clock(story: Story, issues: tuple[int, int], last: int) -> None:
    """`last`: the newest run before the restarts."""
    old, pinned = issues
    marking = at(datetime.now(UTC) + timedelta(days=61), 0, 0)  # Monday 00:00 (Sunday night)
    with serving(
        story.home, env=SERVE_ENV | {"CONVEYOR_CLOCK_START": marking.isoformat()}
    ) as server:
        story.connect(server.url)
        runs = story.wait_runs(last, ["stale"], event="schedule", timeout=300)
        assert runs["stale"]["conclusion"] == "success"
        assert "stale" in story.labels(old)
        assert "stale" not in story.labels(pinned)
        story.api.close()
        assert server.stop() == 0
    closing = at(marking + timedelta(days=14), 0, 6)  # Monday 06:00, 14 days on
    with serving(
        story.home, env=SERVE_ENV | {"CONVEYOR_CLOCK_START": closing.isoformat()}
    ) as server:
        story.connect(server.url)
        after = runs["stale"]["id"]  # the first restart's run
        runs = story.wait_runs(after, ["stale", "security-scan"], event="schedule", timeout=1200)
        assert runs["stale"]["conclusion"] == "success"
        assert runs["security-scan"]["conclusion"] == "success", failed_jobs(story, runs)
        closed, kept = story.forge(f"/issues/{old}"), story.forge(f"/issues/{pinned}")
        assert (closed["state"], closed["state_reason"]) == ("closed", "not_planned")
        assert kept["state"] == "open"
        story.api.close()
        assert server.stop() == 0
