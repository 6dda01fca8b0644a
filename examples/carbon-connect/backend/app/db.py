"""The database engine and sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from app.config import load_settings


@lru_cache(maxsize=8)
def engine_for(database_url: str) -> Engine:
    """One pooled engine per database URL."""
    return create_engine(database_url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def current_engine() -> Engine:
    """The engine of the DATABASE_URL this process is configured with."""
    return engine_for(load_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session committed when the block succeeds, rolled back when it raises."""
    factory = sessionmaker(bind=engine or current_engine(), expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


def get_session() -> Iterator[Session]:
    """FastAPI dependency: a transactional session per request."""
    with session_scope() as session:
        yield session


def database_answers(engine: Engine) -> bool:
    """Whether the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not answering"
        return False
    return True
