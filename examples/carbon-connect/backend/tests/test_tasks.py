"""The Celery app, its beat schedule and the re-index task (eagerly and through real Redis)."""

from __future__ import annotations

from collections.abc import Iterator

import celery.contrib.testing.tasks  # noqa: F401 - registers celery.ping for start_worker
import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from sqlalchemy import Engine, select, update

from app.db import session_scope
from app.grants import seed_demo_grants
from app.models import Grant
from app.tasks import reindex_grants
from app.worker import REINDEX_TASK, create_celery_app


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """Five demo grants whose embeddings were damaged (all set to one vector)."""
    with session_scope(engine) as session:
        seed_demo_grants(session)
        session.execute(update(Grant).values(embedding=[1.0] + [0.0] * 63))
    return engine


def embeddings(engine: Engine) -> list[list[float]]:
    with session_scope(engine) as session:
        return [list(row) for row in session.scalars(select(Grant.embedding).order_by(Grant.id))]


def test_the_beat_schedule_runs_the_reindex_nightly() -> None:
    application = create_celery_app("redis://localhost:6379/0")
    entry = application.conf.beat_schedule["reindex-grants-nightly"]
    assert entry["task"] == REINDEX_TASK
    assert entry["schedule"] == crontab(hour=3, minute=0)


def test_the_task_reindexes_every_grant_when_run_eagerly(seeded: Engine) -> None:
    result = reindex_grants.apply()
    assert result.get() == 5
    assert len({tuple(vector) for vector in embeddings(seeded)}) == 5


@pytest.fixture
def real_redis_app(redis_url: str) -> Iterator[Celery]:
    """The Celery app on the real Redis, with an in-process worker."""
    redis.Redis.from_url(redis_url).ping()
    application = create_celery_app(redis_url)
    application.conf.task_default_queue = "carbon-connect-tests"
    application.tasks.register(reindex_grants)
    with start_worker(application, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield application


def test_the_task_runs_through_redis(real_redis_app: Celery, seeded: Engine) -> None:
    result = real_redis_app.send_task(REINDEX_TASK)
    assert result.get(timeout=60) == 5
    assert len({tuple(vector) for vector in embeddings(seeded)}) == 5
