"""The Celery application: `celery -A app.worker worker` and `celery -A app.worker beat`."""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

from app.config import load_settings

REINDEX_TASK = "app.tasks.reindex_grants"


def create_celery_app(redis_url: str) -> Celery:
    """Celery with Redis as broker and result backend, and the nightly re-index."""
    application = Celery("carbon_connect", broker=redis_url, backend=redis_url)
    application.conf.update(
        include=["app.tasks"],
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "reindex-grants-nightly": {
                "task": REINDEX_TASK,
                "schedule": crontab(hour=3, minute=0),
            },
        },
    )
    return application


celery_app = create_celery_app(load_settings().redis_url)
