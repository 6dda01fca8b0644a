"""The repositories page of the web UI over real HTTP: every registered repository, a hosted
one with its clone URL; an admin's form creates a hosted repository (CSRF and role checked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conveyor.server.app import create_app
from conveyor.server.hosting import create_hosted, hosted_path
from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.served_repositories import ServedRepository, served_repositories
from tests.support.http_server import running_app
from tests.support.ui_runs import ADMIN, READER, WRITER, ui_context
from tests.unit.server.ui.test_ui_http import csrf_of, logged_in


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


@pytest.fixture
def base_url(conveyor_home: Path, store: StoreHandle) -> Iterator[str]:
    create_hosted(conveyor_home, served_repositories(store), "acme/app")
    plain = ServedRepository("acme/plain", "https://example.com/acme/plain.git", "main", False, 0)
    served_repositories(store).add(plain, "a-secret")
    with running_app(create_app(ui_context(conveyor_home, store))) as url:
        yield url


def test_the_page_lists_repositories_with_the_hosted_ones_clone_url(base_url: str) -> None:
    page = logged_in(base_url, READER).get("/repositories")
    assert page.status_code == 200
    assert f"{base_url}/acme/app.git" in page.text
    assert "https://example.com/acme/plain.git" in page.text
    assert "a-secret" not in page.text
    assert 'action="/repositories"' not in page.text  # no form for a reader
    assert 'href="/repositories"' in page.text  # in the navigation


def test_an_admin_creates_a_hosted_repository_from_the_form(
    base_url: str, conveyor_home: Path
) -> None:
    admin = logged_in(base_url, ADMIN)
    page = admin.get("/repositories")
    assert 'action="/repositories"' in page.text
    form = {"csrf": csrf_of(page.text), "name": "acme/new", "default_branch": "trunk"}
    made = admin.post("/repositories", data=form)
    assert made.status_code == 303, made.text
    assert (hosted_path(conveyor_home, "acme/new") / "HEAD").is_file()
    assert f"{base_url}/acme/new.git" in admin.get("/repositories").text
    again = admin.post("/repositories", data=form)
    assert again.status_code == 409
    assert "already registered" in again.text
    bad = admin.post("/repositories", data={**form, "name": "acme/<b>"})
    assert bad.status_code == 422
    assert "<b>" not in bad.text
    forged = admin.post("/repositories", data={**form, "csrf": "x", "name": "acme/x"})
    assert forged.status_code == 403


def test_a_writer_cannot_create_a_repository(base_url: str, conveyor_home: Path) -> None:
    writer = logged_in(base_url, WRITER)
    page = writer.get("/repositories")
    made = writer.post("/repositories", data={"csrf": csrf_of(page.text), "name": "acme/w"})
    assert made.status_code == 403
    assert not hosted_path(conveyor_home, "acme/w").exists()
    assert httpx.get(f"{base_url}/repositories").status_code == 303  # no session: log in
