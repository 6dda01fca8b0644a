"""Fixtures: a REAL PostgreSQL with pgvector (DATABASE_URL) and a real Redis (REDIS_URL).

The schema is made with Alembic (downgrade to base, then upgrade to head), so the tests also
prove that the migrations run both ways. Each test starts with an empty grants table.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.db import current_engine
from app.main import create_app

BACKEND = Path(__file__).resolve().parent.parent


def _require(name: str, scheme: str) -> str:
    value = os.environ.get(name, "")
    if not value.startswith(scheme):
        pytest.exit(f"{name} must be set to a {scheme}... URL of a running server", returncode=2)
    return value


@pytest.fixture(scope="session")
def database_url() -> str:
    """The PostgreSQL (with pgvector) the tests use."""
    return _require("DATABASE_URL", "postgresql")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis the Celery tests use."""
    return _require("REDIS_URL", "redis")


def alembic_config(database_url: str) -> Config:
    """Alembic's configuration of backend/alembic.ini for this database."""
    config = Config(str(BACKEND / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", database_url)
    config.attributes["configure_logger"] = False
    return config


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """The database, rebuilt from nothing by the migrations."""
    config = alembic_config(database_url)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    engine = current_engine()
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """The migrated database with no grants."""
    with migrated_engine.begin() as connection:
        connection.execute(text("TRUNCATE grants RESTART IDENTITY"))
    return migrated_engine


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """An HTTP client of the API on the empty database."""
    with TestClient(create_app()) as test_client:
        yield test_client
