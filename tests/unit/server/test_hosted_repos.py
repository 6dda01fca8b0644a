"""Hosted repositories (the local forge): `conveyor repos create OWNER/REPO` and
`POST /api/v1/repos {"hosted": true}` make an empty bare repository under
CONVEYOR_HOME/server/hosted and register it at that path; `repos remove` keeps its data unless
asked to delete it."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import httpx
import pytest

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.principals import Principal, Role
from conveyor.store.handle import open_store
from conveyor.store.served_repositories import served_repositories
from tests.support.http_server import running_app
from tests.unit.store.cli_helpers import make_cli

TOKENS = {"admin-t": Principal("admin", Role.ADMIN), "write-t": Principal("writer", Role.WRITE)}


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o700


def _head(bare: Path) -> str:
    done = subprocess.run(
        ["git", "symbolic-ref", "HEAD"], cwd=bare, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def test_repos_create_makes_an_empty_private_bare_repository_registered_at_its_path(
    conveyor_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = make_cli(monkeypatch, capsys)
    made = cli("repos", "create", "acme/app", "--default-branch", "trunk")
    twice = cli("repos", "create", "acme/app")
    bad = cli("repos", "create", "acme/..")
    bare = conveyor_home / "server" / "hosted" / "acme" / "app.git"
    assert made.code == 0, made.err
    assert str(bare) in made.out
    assert (bare / "HEAD").is_file()
    assert _head(bare) == "refs/heads/trunk"
    for directory in (bare, bare.parent, bare.parent.parent):
        assert _private(directory), directory
    assert twice.code == 2
    assert "already registered" in twice.err
    assert bad.code == 2
    assert "not a repository name" in bad.err
    store = open_store(conveyor_home)
    try:
        (found,) = served_repositories(store).list()
    finally:
        store.close()
    assert (found.name, found.url, found.default_branch) == ("acme/app", str(bare), "trunk")
    assert not found.has_secret
    listed = cli("repos", "list", "--json")
    assert json.loads(listed.out)[0]["hosted"] is True


def test_repos_remove_keeps_a_hosted_repository_s_data_unless_asked_to_delete_it(
    conveyor_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = make_cli(monkeypatch, capsys)
    bare = conveyor_home / "server" / "hosted" / "acme" / "app.git"
    assert cli("repos", "create", "acme/app").code == 0
    kept = cli("repos", "remove", "acme/app")
    assert kept.code == 0, kept.err
    assert "kept" in kept.out
    assert (bare / "HEAD").is_file()
    again = cli("repos", "create", "acme/app")  # the kept data is served again
    assert again.code == 0, again.err
    deleted = cli("repos", "remove", "acme/app", "--delete-data")
    assert deleted.code == 0, deleted.err
    assert not bare.exists()


def test_the_api_creates_lists_and_removes_hosted_repositories_with_an_admin_token(
    conveyor_home: Path,
) -> None:
    store = open_store(conveyor_home)
    context = ServerContext(
        conveyor_home, store, FakeStarter(), FakeControl(), FakeTokens(dict(TOKENS))
    )
    bare = conveyor_home / "server" / "hosted" / "acme" / "app.git"
    body = {"name": "acme/app", "hosted": True}
    try:
        with running_app(create_app(context)) as url:
            admin = httpx.Client(base_url=url, headers={"Authorization": "Bearer admin-t"})
            writer = httpx.Client(base_url=url, headers={"Authorization": "Bearer write-t"})
            refused = writer.post("/api/v1/repos", json=body)
            created = admin.post("/api/v1/repos", json=body)
            conflict = admin.post("/api/v1/repos", json=body)
            both = admin.post("/api/v1/repos", json={**body, "name": "a/b", "url": "/tmp/x"})
            neither = admin.post("/api/v1/repos", json={"name": "a/b"})
            listed = admin.get("/api/v1/repos").json()["repos"]
            removed = admin.delete("/api/v1/repos/acme/app", params={"delete_data": "true"})
    finally:
        store.close()
    assert refused.status_code == 403
    assert created.status_code == 201, created.text
    shown = created.json()
    assert shown["hosted"] is True
    assert shown["url"] == str(bare)
    assert shown["clone_url"] == f"{url}/acme/app.git"
    assert shown["default_branch"] == "main"
    assert conflict.status_code == 409
    assert both.status_code == 422
    assert neither.status_code == 422
    assert [(r["name"], r["hosted"]) for r in listed] == [("acme/app", True)]
    assert removed.status_code == 204
    assert not bare.exists()


def test_conveyor_repos_create_against_a_server(
    conveyor_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(conveyor_home)
    context = ServerContext(
        conveyor_home, store, FakeStarter(), FakeControl(), FakeTokens(dict(TOKENS))
    )
    cli = make_cli(monkeypatch, capsys)
    bare = conveyor_home / "server" / "hosted" / "acme" / "app.git"
    try:
        with running_app(create_app(context)) as url:
            refused = cli("repos", "create", "acme/app", "--server", url, "--token", "write-t")
            made = cli("repos", "create", "acme/app", "--server", url, "--token", "admin-t")
            kept = cli("repos", "remove", "acme/app", "--server", url, "--token", "admin-t")
    finally:
        store.close()
    assert refused.code == 2
    assert "admin" in refused.err
    assert made.code == 0, made.err
    assert f"{url}/acme/app.git" in made.out
    assert kept.code == 0, kept.err
    assert (bare / "HEAD").is_file()
