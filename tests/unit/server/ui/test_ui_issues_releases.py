"""The local forge's issues and releases in the web UI over real HTTP, at the addresses the
API's `html_url`s give: an issue list and an issue's page (its Markdown body sanitised, state,
labels in their colours, comments, a comment form for writers with CSRF), and the releases
(notes sanitised, prerelease and draft badges, assets downloadable)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conveyor.server.app import create_app
from conveyor.server.hosting import create_hosted
from conveyor.store.forge_data import ForgeData, forge_data
from conveyor.store.forge_records import IssueChanges, NewPull, NewRelease
from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.served_repositories import served_repositories
from tests.support.hosted_git import GitClient
from tests.support.http_server import running_app
from tests.support.ui_runs import READER, WRITER, ui_context
from tests.unit.server.ui.test_ui_http import csrf_of, logged_in

HOSTILE = "Fails on **start**.\n\n<script>alert('body')</script>\n\n<img src=x onerror=alert(1)>\n"
NOTES = (
    "## Changes\n\n- *faster*\n\n<script>alert('notes')</script>"
    '<a href="javascript:x">x</a>\n\n[y](javascript:alert(1))\n'
)


@dataclass
class Site:
    url: str
    data: ForgeData


def make_forge(home: Path, tmp_path: Path, store: StoreHandle) -> ForgeData:
    """acme/app hosted: issue #1 (a label, a comment), pull request #2, issue #3 closed;
    releases v1.0 (an asset), v1.1-rc1 (a prerelease) and v2.0 (a draft)."""
    made = create_hosted(home, served_repositories(store), "acme/app")
    git, work = GitClient(tmp_path), tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    sha = git.commit(work, {"README.md": "hi\n"}, "first")
    git.ok(work, "push", "-q", made.url, "main")
    data = forge_data(store)
    issue = data.issues.create("acme/app", "App crashes <b>on start</b>", HOSTILE, "mona")
    data.labels.create("acme/app", "bug", "d73a4a", None)
    data.labels.add(issue.id, "acme/app", ["bug"])
    data.comments.create(issue.id, "octo", "Seen *too* <img src=y onerror=alert(2)>")
    data.pulls.create("acme/app", NewPull("A pull", None, "mona", "main", sha, "main", sha))
    closed = data.issues.create("acme/app", "Old trouble", None, "mona")
    data.issues.update("acme/app", closed.number, IssueChanges(state="closed"), actor="mona")
    first = data.releases.create("acme/app", NewRelease("v1.0", "main", "One", NOTES), "mona")
    data.releases.add_asset(first.id, "app.tar.gz", "application/gzip", b"tarball", "mona")
    data.releases.create("acme/app", NewRelease("v1.1-rc1", "main", None, None, prerelease=True),
                         "mona")  # fmt: skip
    data.releases.create("acme/app", NewRelease("v2.0", "main", "Two", None, draft=True), "mona")
    return data


@pytest.fixture
def site(conveyor_home: Path, tmp_path: Path) -> Iterator[Site]:
    store = open_store(conveyor_home)
    try:
        data = make_forge(conveyor_home, tmp_path, store)
        with running_app(create_app(ui_context(conveyor_home, store))) as url:
            yield Site(url, data)
    finally:
        store.close()


def test_the_repository_lists_its_issues(site: Site) -> None:
    reader = logged_in(site.url, READER)
    page = reader.get("/acme/app/issues")
    assert page.status_code == 200, page.text
    assert 'href="/acme/app/issues/1"' in page.text
    assert "App crashes &lt;b&gt;on start&lt;/b&gt;" in page.text  # a title is text
    assert "background:#d73a4a" in page.text
    assert "A pull" not in page.text  # pull requests have their own list
    assert "Old trouble" not in page.text
    closed = reader.get("/acme/app/issues?state=closed").text
    assert "Old trouble" in closed and "App crashes" not in closed  # noqa: PT018
    repositories = reader.get("/repositories").text
    assert 'href="/acme/app/issues"' in repositories
    assert 'href="/acme/app/releases"' in repositories
    assert reader.get("/acme/nope/issues").status_code == 404


def test_an_issue_s_page_sanitises_its_body_and_comments(site: Site) -> None:
    reader = logged_in(site.url, READER)
    page = reader.get("/acme/app/issues/1")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<strong>start</strong>" in html
    assert "<script>alert" not in html
    assert re.search(r"<[a-z]+\b[^>]*\bonerror", html) is None  # only ever as escaped text
    assert "<img src=x" not in html and "<img src=y" not in html  # noqa: PT018
    assert "<em>too</em>" in html
    assert 'class="pr-state pr-open"' in html
    assert "background:#d73a4a" in html
    assert 'name="csrf"' not in html.split("</header>")[1]  # a reader gets no form
    assert reader.get("/acme/app/issues/9").status_code == 404
    assert reader.get("/acme/app/issues/2", follow_redirects=False).headers["location"] == (
        "/acme/app/pull/2"
    )  # a pull request's issue is its pull request's page, as on GitHub
    assert httpx.get(f"{site.url}/acme/app/issues/1").status_code == 303  # log in first


def test_a_writer_comments_on_an_issue_with_the_form(site: Site) -> None:
    writer = logged_in(site.url, WRITER)
    form = {"csrf": csrf_of(writer.get("/acme/app/issues/1").text), "body": "Fixed **now**"}
    posted = writer.post("/acme/app/issues/1/comments", data=form)
    assert posted.status_code == 303, posted.text
    assert "Fixed <strong>now</strong>" in writer.get("/acme/app/issues/1").text
    assert writer.post("/acme/app/issues/1/comments", data={**form, "csrf": "x"}).status_code == 403
    reader = logged_in(site.url, READER)
    csrf = csrf_of(reader.get("/login").text)
    refused = reader.post("/acme/app/issues/1/comments", data={"csrf": csrf, "body": "x"})
    assert refused.status_code == 403
    assert "Fixed" in writer.get("/acme/app/issues/1").text


def test_the_api_s_html_urls_are_the_pages(site: Site) -> None:
    with httpx.Client(
        base_url=f"{site.url}/api/v3", headers={"Authorization": f"token {READER}"}
    ) as api:
        issue = api.get("/repos/acme/app/issues/1").json()
        (comment,) = api.get("/repos/acme/app/issues/1/comments").json()
        release = api.get("/repos/acme/app/releases/tags/v1.0").json()
    reader = logged_in(site.url, READER)
    for html_url in (issue["html_url"], comment["html_url"], release["html_url"]):
        assert html_url.startswith(site.url)
        page = reader.get(html_url.removeprefix(site.url))
        assert page.status_code == 200, html_url


def test_the_releases_page_shows_notes_badges_and_assets(site: Site) -> None:
    reader = logged_in(site.url, READER)
    page = reader.get("/acme/app/releases")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<h2>Changes</h2>" in html and "<em>faster</em>" in html  # noqa: PT018
    assert "<script>alert" not in html
    assert re.search(r"<a\b[^>]*javascript", html) is None  # only ever as escaped text
    assert "v1.1-rc1" in html and "Pre-release" in html  # noqa: PT018
    assert "v2.0" not in html  # a draft is for writers only, as on GitHub
    link = 'href="/acme/app/releases/download/v1.0/app.tar.gz"'
    assert link in html
    download = reader.get("/acme/app/releases/download/v1.0/app.tar.gz")
    assert (download.status_code, download.content) == (200, b"tarball")
    assert reader.get("/acme/app/releases/download/v1.0/nope").status_code == 404
    writer = logged_in(site.url, WRITER)
    drafts = writer.get("/acme/app/releases").text
    assert "v2.0" in drafts and "Draft" in drafts  # noqa: PT018
    one = reader.get("/acme/app/releases/tag/v1.0")
    assert one.status_code == 200 and "v1.1-rc1" not in one.text  # noqa: PT018
    assert reader.get("/acme/app/releases/tag/v2.0").status_code == 404  # a reader's draft


def test_a_tag_with_slashes_has_its_page_and_downloads(site: Site) -> None:
    made = site.data.releases.create("acme/app", NewRelease("ops/v1", "main", "Ops"), "mona")
    site.data.releases.add_asset(made.id, "ops.txt", "text/plain", b"ops", "mona")
    reader = logged_in(site.url, READER)
    page = reader.get("/acme/app/releases/tag/ops/v1")
    assert page.status_code == 200, page.text
    assert 'href="/acme/app/releases/download/ops/v1/ops.txt"' in page.text
    download = reader.get("/acme/app/releases/download/ops/v1/ops.txt")
    assert (download.status_code, download.content) == (200, b"ops")
