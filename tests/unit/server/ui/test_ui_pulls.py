"""The local forge's pull requests in the web UI over real HTTP: a list per repository and a
pull request's page (its Markdown body sanitised, state, branches, check runs per job linking
to the job's page, commit statuses, labels in their colours, comments), a comment form and a
merge button for writers (CSRF checked), the merge refused while a required check of the
base branch has not succeeded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import httpx
import pytest

from conveyor.server.app import create_app
from conveyor.server.hosting import create_hosted
from conveyor.store.forge_data import ForgeData, forge_data
from conveyor.store.forge_records import CheckRunFields, NewPull
from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.served_repositories import served_repositories
from tests.support.hosted_git import GitClient
from tests.support.http_server import running_app
from tests.support.ui_runs import READER, WRITER, ui_context
from tests.unit.server.ui.test_ui_http import csrf_of, logged_in

BODY = "Adds **app.py**.\n\n<script>alert('body')</script>\n"


@dataclass
class PullSite:
    url: str
    data: ForgeData
    head: str


def make_pull(home: Path, tmp_path: Path, store: StoreHandle) -> tuple[ForgeData, str]:
    """acme/app hosted with `main` and `feature`, pull request #1 with checks, a status, a
    label and a comment."""
    made = create_hosted(home, served_repositories(store), "acme/app")
    git, work = GitClient(tmp_path), tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    base = git.commit(work, {"README.md": "hi\n"}, "first")
    git.ok(work, "switch", "-q", "-c", "feature")
    head = git.commit(work, {"app.py": "print(1)\n"}, "feature")
    git.ok(work, "push", "-q", made.url, "main", "feature")
    data = forge_data(store)
    pull = data.pulls.create(
        "acme/app", NewPull("Add the app", BODY, "mona", "feature", head, "main", base)
    )
    checks = data.checks
    details = "http://ci.example/runs/7/job?key=build"
    checks.create_run("acme/app", head, "build", CheckRunFields(
        status="completed", conclusion="success", details_url=details))  # fmt: skip
    checks.create_run("acme/app", head, "test", CheckRunFields(
        status="completed", conclusion="failure"))  # fmt: skip
    checks.add_status("acme/app", head, "success", "conveyor/CI", "ok", None, "conveyor")
    data.labels.create("acme/app", "bug", "d73a4a", None)
    data.labels.add(pull.issue.id, "acme/app", ["bug"])
    data.comments.create(pull.issue.id, "octo", "Looks *good* <img src=x onerror=alert(1)>")
    return data, head


@pytest.fixture
def site(conveyor_home: Path, tmp_path: Path) -> Iterator[PullSite]:
    store = open_store(conveyor_home)
    try:
        data, head = make_pull(conveyor_home, tmp_path, store)
        with running_app(create_app(ui_context(conveyor_home, store))) as url:
            yield PullSite(url, data, head)
    finally:
        store.close()


def test_the_repository_lists_its_pull_requests(site: PullSite) -> None:
    reader = logged_in(site.url, READER)
    page = reader.get("/acme/app/pulls")
    assert page.status_code == 200, page.text
    assert 'href="/acme/app/pull/1"' in page.text
    assert "Add the app" in page.text
    assert "No closed pull requests" in reader.get("/acme/app/pulls?state=closed").text
    assert 'href="/acme/app/pulls"' in reader.get("/repositories").text
    assert reader.get("/acme/nope/pulls").status_code == 404


def test_the_page_shows_body_checks_statuses_labels_and_comments(site: PullSite) -> None:
    reader = logged_in(site.url, READER)
    page = reader.get("/acme/app/pull/1")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<strong>app.py</strong>" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html  # shown as text, never as a tag
    assert "<em>good</em>" in html
    assert "feature" in html and "main" in html  # noqa: PT018
    assert 'class="state state-success"' in html
    assert 'class="state state-failure"' in html
    assert 'href="http://ci.example/runs/7/job?key=build"' in html
    assert "conveyor/CI" in html
    assert "background:#d73a4a" in html
    assert 'name="csrf"' not in html.split("</header>")[1]  # a reader gets no form
    assert reader.get("/acme/app/pull/9").status_code == 404
    assert httpx.get(f"{site.url}/acme/app/pull/1").status_code == 303  # log in first


def test_a_writer_comments_with_the_form(site: PullSite) -> None:
    writer = logged_in(site.url, WRITER)
    page = writer.get("/acme/app/pull/1")
    form = {"csrf": csrf_of(page.text), "body": "Ship **it**"}
    posted = writer.post("/acme/app/pull/1/comments", data=form)
    assert posted.status_code == 303, posted.text
    assert "Ship <strong>it</strong>" in writer.get("/acme/app/pull/1").text
    forged = writer.post("/acme/app/pull/1/comments", data={**form, "csrf": "x"})
    assert forged.status_code == 403
    reader = logged_in(site.url, READER)
    csrf = csrf_of(reader.get("/login").text)
    assert (
        reader.post("/acme/app/pull/1/comments", data={"csrf": csrf, "body": "x"}).status_code
        == 403
    )


def test_the_merge_button_waits_for_the_required_checks(site: PullSite) -> None:
    site.data.protections.protect("acme/app", "main", ["build", "test"])
    writer = logged_in(site.url, WRITER)
    page = unescape(writer.get("/acme/app/pull/1").text)
    assert 'Required status check "test" is failing.' in page
    assert "disabled" in page.split('action="/acme/app/pull/1/merge"')[1].split("</form>")[0]
    form = {"csrf": csrf_of(page), "method": "merge"}
    refused = writer.post("/acme/app/pull/1/merge", data=form)
    assert refused.status_code == 405
    assert 'Required status check "test" is failing.' in unescape(refused.text)
    site.data.checks.create_run("acme/app", site.head, "test", CheckRunFields(
        status="completed", conclusion="success"))  # fmt: skip
    page = writer.get("/acme/app/pull/1").text
    assert "Required status check" not in page
    merged = writer.post("/acme/app/pull/1/merge", data={**form, "method": "squash"})
    assert merged.status_code == 303, merged.text
    after = writer.get("/acme/app/pull/1").text
    assert "Merged" in after
    assert 'action="/acme/app/pull/1/merge"' not in after


def test_the_checks_refresh_while_one_is_running(site: PullSite) -> None:
    reader = logged_in(site.url, READER)
    settled = reader.get("/acme/app/pull/1/live")
    assert settled.status_code == 200
    assert 'id="pull-live"' in settled.text
    assert "hx-get" not in settled.text  # every check completed: no polling
    site.data.checks.create_run("acme/app", site.head, "lint", CheckRunFields(status="in_progress"))
    page = reader.get("/acme/app/pull/1").text
    assert 'hx-get="/acme/app/pull/1/live"' in page
    live = reader.get("/acme/app/pull/1/live").text
    assert 'class="state state-in_progress"' in live
    assert "<html" not in live
