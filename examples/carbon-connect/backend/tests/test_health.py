"""GET /health with a database that answers and one that does not."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from app.main import create_app


def test_health_is_ok_when_the_database_answers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_VERSION", "1.2.3")
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "version": "1.2.3"}


def test_health_is_503_when_the_database_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://nobody:x@127.0.0.1:{port}/none")
    monkeypatch.delenv("APP_VERSION", raising=False)
    with TestClient(create_app()) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "error", "version": "dev"}
