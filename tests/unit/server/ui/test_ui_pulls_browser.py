"""A pull request's page in a real browser (Debian's Chromium driven by Playwright): a writer
logs in, sees the checks with their states and the merge button disabled while a required check
fails; once it passes, merging from the page marks the pull request merged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.server.app import create_app
from conveyor.store.forge_data import ForgeData
from conveyor.store.forge_records import CheckRunFields
from conveyor.store.handle import open_store
from tests.support.http_server import running_app
from tests.support.ui_runs import ui_context
from tests.unit.server.ui.test_ui_browser import CHROMIUM, log_in, shot
from tests.unit.server.ui.test_ui_pulls import make_pull

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
def browsed(conveyor_home: Path, tmp_path: Path) -> Iterator[tuple[sync_api.Page, ForgeData, str]]:
    store = open_store(conveyor_home)
    try:
        data, head = make_pull(conveyor_home, tmp_path, store)
        data.protections.protect("acme/app", "main", ["build", "test"])
        app = create_app(ui_context(conveyor_home, store))
        with running_app(app) as base_url, sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox"]
            )
            session = browser.new_context(
                base_url=base_url, viewport={"width": 1366, "height": 820}
            )
            session.set_default_timeout(10_000)
            yield session.new_page(), data, head
            browser.close()
    finally:
        store.close()


def test_the_pull_request_page_shows_the_checks_and_merges(
    browsed: tuple[sync_api.Page, ForgeData, str], tmp_path: Path
) -> None:
    page, data, head = browsed
    log_in(page, tmp_path, "/acme/app/pull/1")
    checks = page.locator(".pr-checks tr")
    sync_api.expect(checks).to_have_count(3)  # build, test, conveyor/CI
    sync_api.expect(checks.filter(has_text="build").locator(".state-success")).to_be_visible()
    sync_api.expect(checks.filter(has_text="test").locator(".state-failure")).to_be_visible()
    button = page.get_by_role("button", name="Merge pull request")
    sync_api.expect(button).to_be_disabled()
    sync_api.expect(page.get_by_role("status")).to_have_text(
        'Required status check "test" is failing.'
    )
    shot(page, tmp_path, "pull-blocked")
    data.checks.create_run(
        "acme/app", head, "test", CheckRunFields(status="completed", conclusion="success")
    )
    page.reload()
    sync_api.expect(checks.filter(has_text="test").locator(".state-success")).to_be_visible()
    page.select_option("select[name=method]", "squash")
    page.get_by_role("button", name="Merge pull request").click()
    sync_api.expect(page.locator(".merge .pr-merged")).to_have_text("Merged")
    shot(page, tmp_path, "pull-merged")
    pull = data.pulls.get("acme/app", 1)
    assert pull is not None
    assert pull.merged_at is not None
