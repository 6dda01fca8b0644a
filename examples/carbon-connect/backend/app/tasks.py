"""Celery tasks."""

from __future__ import annotations

from app.db import session_scope
from app.grants import reindex_all
from app.worker import REINDEX_TASK, celery_app


@celery_app.task(name=REINDEX_TASK)
def reindex_grants() -> int:
    """Recompute every grant's embedding; returns how many grants were re-indexed."""
    with session_scope() as session:
        return reindex_all(session)
