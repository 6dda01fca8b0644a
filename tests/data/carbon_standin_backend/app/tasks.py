"""Background tasks."""

from app.worker import celery_app


@celery_app.task
def reindex_grants() -> str:
    return "ok"
