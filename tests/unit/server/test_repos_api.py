"""`GET /api/v1/repos` over real HTTP: a read token lists the repositories, never a secret."""

from __future__ import annotations

from pathlib import Path

import httpx

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.ports import Principal, Role
from conveyor.store.handle import open_store
from tests.support.http_server import running_app
from tests.unit.server.served import NAME, SECRET, register


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
