"""An issue's page and the releases in a real browser (Debian's Chromium driven by Playwright):
the hostile Markdown of an issue, its comments and a release's notes runs nothing (no dialog,
no script), a writer comments from the page, and an asset downloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.server.app import create_app
from conveyor.store.handle import open_store
from tests.support.http_server import running_app
from tests.support.ui_runs import ui_context
from tests.unit.server.ui.test_ui_browser import CHROMIUM, log_in, shot
from tests.unit.server.ui.test_ui_issues_releases import make_forge

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
def page(conveyor_home: Path, tmp_path: Path) -> Iterator[sync_api.Page]:
    store = open_store(conveyor_home)
    try:
        make_forge(conveyor_home, tmp_path, store)
        app = create_app(ui_context(conveyor_home, store))
        with running_app(app) as base_url, sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox"]
            )
            session = browser.new_context(
                base_url=base_url, viewport={"width": 1366, "height": 820}, accept_downloads=True
            )
            session.set_default_timeout(10_000)
            yield session.new_page()
            browser.close()
    finally:
        store.close()


def test_hostile_markdown_runs_nothing_and_a_writer_comments(
    page: sync_api.Page, tmp_path: Path
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, tmp_path, "/acme/app/issues/1")
    sync_api.expect(page.locator(".issue-body strong")).to_have_text("start")
    sync_api.expect(page.locator(".label")).to_have_text("bug")
    assert page.locator(".issue-body script, .comment script, img").count() == 0
    page.get_by_label("Comment").fill("Fixed in **v1.0**")
    page.get_by_role("button", name="Comment").click()
    sync_api.expect(page.locator(".comment strong").last).to_have_text("v1.0")
    shot(page, tmp_path, "issue")
    page.goto("/acme/app/releases")
    sync_api.expect(page.locator(".release .pr-prerelease")).to_have_text("Pre-release")
    assert page.locator(".release script").count() == 0
    with page.expect_download() as download:
        page.get_by_role("link", name="app.tar.gz").click()
    assert Path(download.value.path()).read_bytes() == b"tarball"
    shot(page, tmp_path, "releases")
    assert dialogs == []
