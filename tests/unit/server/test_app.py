"""The application skeleton: routers mounted, the context reachable, served by real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.store.handle import StoreHandle, open_store
from tests.support.http_server import running_app


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


def test_healthz_and_openapi_over_real_http(conveyor_home: Path, store: StoreHandle) -> None:
    context = ServerContext(conveyor_home, store, FakeStarter(), FakeControl(), FakeTokens())
    app = create_app(context)
    assert app.state.context is context
    with running_app(app) as base_url:
        assert httpx.get(f"{base_url}/healthz").json() == {"status": "ok"}
        schema = httpx.get(f"{base_url}/openapi.json").json()
    assert "/healthz" in schema["paths"]
