"""Issue 13's "done when", end to end, as a user does it: separate `conveyor` processes on one
CONVEYOR_HOME (`tokens create`, `repos add`, `serve`), a signed push delivery (GitHub's payload
with this repository's name, refs and commits) for a real git repository, and the run watched in
Chromium: live from in progress to waiting without a reload, a log group expanded, the
production deployment approved in the page, the run ending in success. Then SIGTERM: exit 0."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.serve_process import cli_ok, serving, signed
from tests.unit.executors.harness import commit_all, make_repo

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium (scripts/install-test-deps.sh installs it)",
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is a dev dependency")

NAME = "acme/app"
REVIEWER = "alice"
WEBHOOK_SECRET = "whsec-end-to-end"
# build waits (bounded) for the test to let it finish, so the browser sees it running.
CI = """\
name: CI
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Compile
        run: |
          echo "::group::Toolchain"
          echo "gcc ready"
          echo "::endgroup::"
          for i in $(seq 1200); do [ -f "{gate}" ] && break; sleep 0.1; done
          sleep 1
          echo "compiled"
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: echo "deployed ${{ github.sha }}"
"""


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def push_delivery(shared: Path, repo: Path, before: str, after: str) -> dict[str, object]:
    """GitHub's push payload (../shared's example) renamed to this repository and its commits."""
    payload = json.loads((shared / "reference/webhook-payloads/push.forced.json").read_text())
    owner, name = NAME.split("/")
    payload.update(ref="refs/heads/main", before=before, after=after, forced=False)
    payload["repository"].update(full_name=NAME, name=name, default_branch="main")
    payload["repository"]["owner"].update(login=owner, name=owner)
    payload["head_commit"].update(id=after, tree_id=git(repo, "rev-parse", f"{after}^{{tree}}"))
    payload["commits"] = [dict(payload["head_commit"])]
    return dict(payload)


def test_a_signed_push_runs_live_in_the_browser_and_waits_for_an_approval_made_there(
    conveyor_home: Path, tmp_path: Path, shared: Path
) -> None:
    gate = tmp_path / "let-build-finish"
    repo = make_repo(tmp_path / "app", {"README.md": "app\n"})
    before = git(repo, "rev-parse", "HEAD")
    (repo / ".github/workflows").mkdir(parents=True)
    (repo / ".github/workflows/ci.yml").write_text(CI.replace("{gate}", str(gate)))
    after = commit_all(repo, "add CI")
    token = cli_ok(conveyor_home, "tokens", "create", "--role", "admin", "--name", REVIEWER)
    secret_file = tmp_path / "webhook.secret"
    secret_file.write_text(WEBHOOK_SECRET + "\n")
    cli_ok(
        conveyor_home, "repos", "add", str(repo), "--name", NAME,
        "--webhook-secret-file", str(secret_file), "--default-branch", "main",
    )  # fmt: skip
    cli_ok(conveyor_home, "environments", "set", "production", "--reviewer", REVIEWER,
           "--repo", NAME)  # fmt: skip
    with serving(conveyor_home, "--jobs", "2") as server:
        admin = {"Authorization": f"Bearer {token.strip()}"}
        environment = httpx.get(
            f"{server.url}/api/v1/repos/{NAME}/environments/production", headers=admin
        )
        assert environment.json()["rules"]["required_reviewers"] == [REVIEWER], environment.text
        body = json.dumps(push_delivery(shared, repo, before, after)).encode()
        answer = httpx.post(
            f"{server.url}/webhooks/github",
            content=body,
            headers={
                "X-GitHub-Event": "push",
                "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                "X-Hub-Signature-256": signed(WEBHOOK_SECRET, body),
                "Content-Type": "application/json",
            },
        )
        assert answer.status_code == 202, answer.text
        (run_id,) = answer.json()["run_ids"]
        watch_in_the_browser(server.url, token.strip(), run_id, gate, tmp_path)
        runs = httpx.get(f"{server.url}/api/v1/runs", params={"repo": NAME}, headers=admin)
        (run,) = runs.json()["runs"]
        assert (run["id"], run["sha"], run["conclusion"]) == (run_id, after, "success")
        began = time.monotonic()
        assert server.stop(timeout=30) == 0
        assert time.monotonic() - began < 10, "SIGTERM with no run left should stop at once"


def watch_in_the_browser(url: str, token: str, run_id: int, gate: Path, tmp_path: Path) -> None:
    from tests.unit.server.ui.test_ui_browser import shot

    expect = sync_api.expect
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        session = browser.new_context(base_url=url, viewport={"width": 1366, "height": 820})
        session.set_default_timeout(60_000)
        page = session.new_page()
        page.goto(f"/runs/{run_id}")
        assert "/login" in page.url
        page.fill("#token", token)
        page.click("button[type=submit]")
        page.wait_for_url(f"**/runs/{run_id}")
        live = page.locator("#run-live")
        expect(live).to_have_attribute("data-state", "in_progress")
        expect(page.locator("tr.job-row", has_text="build")).to_have_attribute(
            "data-state", "in_progress"
        )
        shot(page, tmp_path, "e2e-1-build-running")
        page.evaluate("window.__same_page = true")  # gone if the page were reloaded
        gate.touch()
        expect(page.locator("#approval-production")).to_be_visible()
        expect(live).to_have_attribute("data-state", "waiting")
        expect(page.locator("tr.job-row", has_text="build")).to_have_attribute(
            "data-state", "success"
        )
        assert page.evaluate("window.__same_page === true")
        expect(page.locator('svg.graph [data-from="build"][data-to="deploy"]')).to_have_count(1)
        shot(page, tmp_path, "e2e-2-waiting-for-review")
        expand_the_build_log(page, run_id, tmp_path)
        page.fill("#approval-production input[name=comment]", "ship it")
        page.click("#approval-production >> text=Approve and deploy")
        page.wait_for_url(f"**/runs/{run_id}")
        expect(page.locator("#approval-production")).to_have_count(0)
        expect(live).to_have_attribute("data-state", "success")
        expect(page.locator("tr.job-row", has_text="deploy")).to_have_attribute(
            "data-state", "success"
        )
        shot(page, tmp_path, "e2e-4-deployed")
        browser.close()


def expand_the_build_log(page: sync_api.Page, run_id: int, tmp_path: Path) -> None:
    from tests.unit.server.ui.test_ui_browser import shot

    expect = sync_api.expect
    page.click("tr.job-row >> text=build")
    page.wait_for_url("**/job?key=build")
    page.click("details.step > summary >> text=Compile")
    toolchain = page.locator("details.group > summary").get_by_text("Toolchain", exact=True)
    ready = page.locator(".log div.line").get_by_text("gcc ready", exact=True)
    expect(ready).to_be_hidden()
    toolchain.click()
    expect(ready).to_be_visible()
    expect(page.locator(".log div.line").get_by_text("compiled", exact=True)).to_be_visible()
    shot(page, tmp_path, "e2e-3-build-log")
    page.goto(f"/runs/{run_id}")
