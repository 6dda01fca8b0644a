"""The web UI in a real browser: Debian's Chromium driven by Playwright (never `playwright
install`). Log in, watch a run go from queued to success live, expand a log group, approve a
waiting deployment, re-run a failed job; screenshots are saved under the test's tmp dir."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.store import LogKey, NewJob, ProtectionRules, RunStatus
from conveyor.model.results import Conclusion, JobResult, StepResult
from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl
from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.step_summaries import write_summary
from tests.support.http_server import running_app
from tests.support.ui_runs import (
    WRITER,
    StepPlan,
    new_run,
    record_job,
    ui_context,
    workflow_repository,
)

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


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


@pytest.fixture
def context(conveyor_home: Path, store: StoreHandle) -> ServerContext:
    return ui_context(conveyor_home, store)


@pytest.fixture
def page(context: ServerContext) -> Iterator[sync_api.Page]:
    with running_app(create_app(context)) as base_url, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        session = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 820})
        session.set_default_timeout(10_000)
        tab = session.new_page()
        yield tab
        browser.close()


def shot(page: sync_api.Page, tmp_path: Path, name: str) -> Path:
    """A full-page PNG under the test's tmp dir, or CONVEYOR_UI_SCREENSHOTS when set."""
    folder = Path(os.environ.get("CONVEYOR_UI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def log_in(page: sync_api.Page, tmp_path: Path, target: str) -> None:
    page.goto(target)
    assert "/login" in page.url
    shot(page, tmp_path, "0-login")
    page.fill("#token", WRITER)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{target}")


def test_watch_a_run_live_then_expand_a_log_group(
    page: sync_api.Page, store: StoreHandle, tmp_path: Path
) -> None:
    repository = workflow_repository(tmp_path / "repo")
    run_id = new_run(store, str(repository))
    log_in(page, tmp_path, "/runs")
    sync_api.expect(page.locator(f"#run-{run_id}")).to_have_attribute("data-state", "queued")
    shot(page, tmp_path, "0-runs-list")
    page.goto(f"/runs/{run_id}")
    live = page.locator("#run-live")
    sync_api.expect(live).to_have_attribute("data-state", "queued")
    store.runs.set_run_status(run_id, RunStatus.IN_PROGRESS)
    store.runs.start_job(run_id, 1, NewJob("build", "build", "build", status=RunStatus.IN_PROGRESS))
    begun = time.time()
    store.runs.start_step(run_id, 1, "build", 0, "Install dependencies", started_at=begun)
    store.logs.append(
        LogKey(run_id, 1, "build", 0),
        "::group::pip install\nCollecting rich\n\x1b[32mInstalled\x1b[0m\n::endgroup::\nall good\n",
    )
    sync_api.expect(live).to_have_attribute("data-state", "in_progress")
    shot(page, tmp_path, "1-run-in-progress")
    follower = page.context.new_page()  # the job's log, followed while the step runs
    follower.goto(f"/runs/{run_id}/job?key=build")
    sync_api.expect(follower.locator(".log .line", has_text="all good")).to_be_visible()
    store.logs.append(LogKey(run_id, 1, "build", 0), "\x1b[33mstill going\x1b[0m\n")
    sync_api.expect(follower.locator(".log .fg-yellow", has_text="still going")).to_be_visible()
    shot(follower, tmp_path, "1b-log-following")
    follower.close()
    store.logs.close(LogKey(run_id, 1, "build", 0))
    step = StepResult(
        0,
        "Install dependencies",
        Conclusion.SUCCESS,
        Conclusion.SUCCESS,
        started_at=begun,
        finished_at=begun + 4.2,
    )
    store.runs.finish_step(run_id, 1, "build", step)
    store.runs.finish_job(
        run_id,
        1,
        "build",
        JobResult(Conclusion.SUCCESS, steps=(step,), started_at=begun, finished_at=begun + 5),
    )
    for leg in ("3.11", "3.12"):
        record_job(
            store,
            run_id,
            f"test ({leg})",
            [StepPlan("pytest", "5 passed\n")],
            job_id="test",
            matrix={"python": leg},
        )
    record_job(store, run_id, "deploy", [StepPlan("deploy", "done\n")])
    write_summary(
        store.logs,
        run_id,
        1,
        "deploy",
        "### Deployed\n\n| env | url |\n|---|---|\n| prod | https://app.example |\n",
    )
    store.runs.finish_run(run_id, Conclusion.SUCCESS)
    sync_api.expect(page.locator("#run-live")).to_have_attribute("data-state", "success")
    sync_api.expect(page.locator("svg.graph .node.state-success")).to_have_count(3)
    shot(page, tmp_path, "2-run-success")
    page.click("svg.graph a >> text=build")
    page.click("details.step > summary >> text=Install dependencies")
    group = page.locator("details.group").first
    sync_api.expect(group).not_to_have_attribute("open", "")
    sync_api.expect(page.locator("text=Collecting rich")).to_be_hidden()
    group.locator("summary").click()
    sync_api.expect(page.locator("text=Collecting rich")).to_be_visible()
    sync_api.expect(page.locator(".log .fg-green", has_text="Installed")).to_be_visible()
    page.fill("#log-search", "all good")
    sync_api.expect(page.locator(".log .line:not(.hidden)", has_text="all good")).to_be_visible()
    sync_api.expect(page.locator(".log div.line", has_text="Collecting rich")).to_be_hidden()
    page.fill("#log-search", "")
    shot(page, tmp_path, "3-job-log")


def test_approve_a_waiting_deployment_and_rerun_a_failed_job(
    page: sync_api.Page, store: StoreHandle, context: ServerContext, tmp_path: Path
) -> None:
    waiting = new_run(store, "octo/app")
    store.environments.declare_environment(
        "octo/app", "production", ProtectionRules(required_reviewers=("writer",))
    )
    store.runs.set_run_status(waiting, RunStatus.WAITING)
    store.environments.request_approval(waiting, 1, "production")
    log_in(page, tmp_path, f"/runs/{waiting}")
    shot(page, tmp_path, "4-waiting-for-review")
    page.fill("input[name=comment]", "looks good")
    page.click("text=Approve and deploy")
    page.wait_for_url(f"**/runs/{waiting}")
    sync_api.expect(page.locator("#approval-production")).to_have_count(0)
    approval = store.environments.get_approval(waiting, 1, "production")
    assert approval is not None
    assert approval.reviewer == "writer"
    assert approval.comment == "looks good"
    store.environments.record_deployment(waiting, 1, "deploy", "production", "success")
    page.goto("/environments?repo=octo/app")
    sync_api.expect(page.locator(".env")).to_contain_text("writer")
    shot(page, tmp_path, "4b-environments")

    failed = new_run(store, "octo/app")
    record_job(store, failed, "lint", [StepPlan("ruff", "ok\n")])
    record_job(
        store,
        failed,
        "unit",
        [
            StepPlan(
                "pytest", "::error file=app.py,line=3::assert 1 == 2\nFAILED\n", Conclusion.FAILURE
            )
        ],
    )
    store.runs.finish_run(failed, Conclusion.FAILURE)
    page.goto(f"/runs/{failed}")
    shot(page, tmp_path, "5-failed-run")
    page.locator("tr.job-row", has_text="unit").locator("text=Re-run job").click()
    page.wait_for_url(f"**/runs/{failed}")
    page.click("text=Re-run failed jobs")
    page.wait_for_url(f"**/runs/{failed}")
    assert isinstance(context.control, FakeControl)
    assert context.control.reruns == [(failed, False, "unit"), (failed, True, None)]


def live_step(store: StoreHandle, tmp_path: Path) -> tuple[int, LogKey]:
    repository = workflow_repository(tmp_path / "repo")
    run_id = new_run(store, str(repository))
    store.runs.set_run_status(run_id, RunStatus.IN_PROGRESS)
    store.runs.start_job(run_id, 1, NewJob("build", "build", "build", status=RunStatus.IN_PROGRESS))
    store.runs.start_step(run_id, 1, "build", 0, "Compile", started_at=time.time())
    key = LogKey(run_id, 1, "build", 0)
    store.logs.append(key, "::group::Toolchain\ngcc ready\n")  # the page opens inside a group
    return run_id, key


def swaps(page: sync_api.Page) -> int:
    return int(page.evaluate("window.__swaps || 0"))


def test_the_live_log_follows_by_server_sent_events_not_by_reloading_it(
    page: sync_api.Page, store: StoreHandle, tmp_path: Path
) -> None:
    run_id, key = live_step(store, tmp_path)
    streams: list[str] = []
    page.on("request", lambda r: streams.append(r.url) if "/job/log?" in r.url else None)
    log_in(page, tmp_path, f"/runs/{run_id}/job?key=build")
    page.evaluate(
        "document.addEventListener('htmx:afterSwap', () => { window.__swaps ="
        " (window.__swaps || 0) + 1 }); document.querySelector('#step-0 .log').__kept = true"
    )
    store.logs.append(key, "\x1b[33mlinking\x1b[0m\n::endgroup::\nbuilt 3 targets\n")
    sync_api.expect(page.locator("#step-0 .log .fg-yellow", has_text="linking")).to_be_attached()
    sync_api.expect(page.locator("#step-0 .log > div.line", has_text="built 3")).to_be_visible()
    seen = swaps(page)
    page.wait_for_function(f"(window.__swaps || 0) > {seen}")  # the steps were polled again
    assert page.evaluate("document.querySelector('#step-0 .log').__kept === true")
    group = page.locator("#step-0 details.group", has_text="linking")
    sync_api.expect(group.locator("summary")).to_have_text("Toolchain")
    assert any(f"/runs/{run_id}/job/log?" in url for url in streams), streams
    shot(page, tmp_path, "6-log-streamed")
    finish_step(store, run_id)
    sync_api.expect(page.locator("#steps")).to_have_attribute("data-state", "success")
    sync_api.expect(page.locator("#step-0 .log .line", has_text="built 3")).to_have_count(1)


def test_without_server_sent_events_the_live_log_follows_by_polling(
    page: sync_api.Page, store: StoreHandle, tmp_path: Path
) -> None:
    run_id, key = live_step(store, tmp_path)
    page.add_init_script("delete window.EventSource")
    log_in(page, tmp_path, f"/runs/{run_id}/job?key=build")
    store.logs.append(key, "\x1b[33mlinking\x1b[0m\n")
    sync_api.expect(page.locator("#step-0 .log .fg-yellow", has_text="linking")).to_be_attached()
    finish_step(store, run_id)
    sync_api.expect(page.locator("#steps")).to_have_attribute("data-state", "success")


def finish_step(store: StoreHandle, run_id: int) -> None:
    store.logs.close(LogKey(run_id, 1, "build", 0))
    step = StepResult(0, "Compile", Conclusion.SUCCESS, Conclusion.SUCCESS)
    store.runs.finish_step(run_id, 1, "build", step)
    store.runs.finish_job(run_id, 1, "build", JobResult(Conclusion.SUCCESS, steps=(step,)))
    store.runs.finish_run(run_id, Conclusion.SUCCESS)
