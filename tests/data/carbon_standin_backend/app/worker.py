"""Celery: broker and result backend on REDIS_URL, one periodic task."""

import os

from celery import Celery

celery_app = Celery(
    "carbon", broker=os.environ["REDIS_URL"], backend=os.environ["REDIS_URL"], include=["app.tasks"]
)
celery_app.conf.beat_schedule = {
    "reindex": {"task": "app.tasks.reindex_grants", "schedule": 3600.0},
}
