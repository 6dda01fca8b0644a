"""A hosted repository `acme/app` behind the real server (a FakeStarter records the events its
pushes fire), tokens of each role, and the real `git` client: the `forge` fixture."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter
from conveyor.server.hosting import create_hosted, hosted_path
from conveyor.server.token_verifier import StoreTokenVerifier
from conveyor.store import open_store
from conveyor.store.api_tokens import SqlTokenStore
from conveyor.store.served_repositories import ServedRepository, served_repositories
from tests.support.hosted_git import GitClient
from tests.support.http_server import running_app


@dataclass
class Forge:
    url: str
    bare: Path
    git: GitClient
    starter: FakeStarter
    context: ServerContext
    tokens: dict[str, str]  # role -> token

    def remote(self, role: str | None = "write", name: str = "acme/app") -> str:
        return self.git.url(self.url, name, self.tokens[role] if role else None)


@pytest.fixture
def forge(conveyor_home: Path, tmp_path: Path) -> Iterator[Forge]:
    store = open_store(conveyor_home)
    tokens = SqlTokenStore(store.database)  # type: ignore[arg-type]
    made = {role: tokens.create(f"{role}-token", role) for role in ("read", "write")}
    create_hosted(conveyor_home, served_repositories(store), "acme/app")
    plain = ServedRepository("acme/plain", str(tmp_path), "main", False, 0.0)
    served_repositories(store).add(plain, None)  # registered, not hosted
    starter = FakeStarter()
    context = ServerContext(
        conveyor_home, store, starter, FakeControl(), StoreTokenVerifier.of(store)
    )
    try:
        with running_app(create_app(context)) as url:
            bare = hosted_path(conveyor_home, "acme/app")
            yield Forge(url, bare, GitClient(tmp_path), starter, context, made)
    finally:
        store.close()
