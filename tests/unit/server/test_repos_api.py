"""`GET /api/v1/repos` over real HTTP: a read token lists the repositories, never a secret."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.principals import Principal, Role
from conveyor.store.handle import open_store
from tests.support.http_server import running_app
from tests.unit.server.served import NAME, SECRET, register
from tests.unit.store.cli_helpers import make_cli


def test_repos_need_a_token_and_never_show_the_secret(conveyor_home: Path, tmp_path: Path) -> None:
    store = open_store(conveyor_home)
    register(store, tmp_path)
    tokens = FakeTokens({"r-token": Principal("reader", Role.READ)})
    context = ServerContext(conveyor_home, store, FakeStarter(), FakeControl(), tokens)
    try:
        with running_app(create_app(context)) as url:
            anonymous = httpx.get(f"{url}/api/v1/repos")
            wrong = httpx.get(f"{url}/api/v1/repos", headers={"Authorization": "Bearer nope"})
            listed = httpx.get(f"{url}/api/v1/repos", headers={"Authorization": "Bearer r-token"})
    finally:
        store.close()
    assert anonymous.status_code == 401
    assert wrong.status_code == 401
    assert listed.status_code == 200
    (repo,) = listed.json()["repos"]
    assert repo["name"] == NAME
    assert repo["has_webhook_secret"] is True
    assert SECRET not in listed.text


def test_conveyor_repos_against_a_server_with_a_token(
    conveyor_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = open_store(conveyor_home)
    tokens = FakeTokens(
        {"admin-t": Principal("admin", Role.ADMIN), "read-t": Principal("reader", Role.READ)}
    )
    context = ServerContext(conveyor_home, store, FakeStarter(), FakeControl(), tokens)
    cli = make_cli(monkeypatch, capsys)
    try:
        with running_app(create_app(context)) as url:
            remote = ("--server", url, "--token", "admin-t")
            added = cli(
                "repos",
                "add",
                "https://example.com/a/b.git",
                "--name",
                "a/b",
                "--webhook-secret",
                "s3cr3t",
                *remote,
            )
            listed = cli("repos", "list", "--json", *remote)
            refused = cli("repos", "remove", "a/b", "--server", url, "--token", "read-t")
            twice = cli("repos", "add", "x", "--name", "a/b", *remote)
            removed = cli("repos", "remove", "a/b", *remote)
            gone = cli("repos", "remove", "a/b", *remote)
    finally:
        store.close()
    assert added.code == 0, added.err
    assert "s3cr3t" not in added.out + added.err
    assert [row["name"] for row in json.loads(listed.out)] == ["a/b"]
    assert refused.code == 2
    assert "admin" in refused.err
    assert twice.code == 2
    assert "already registered" in twice.err
    assert removed.code == 0
    assert gone.code == 2
    assert "not registered" in gone.err
