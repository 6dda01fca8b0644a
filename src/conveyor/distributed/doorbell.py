"""The Celery app and its doorbells: "job N is ready", nothing else, on the job's label queue.

A message carries only the job's id (no document, no secret): the worker claims the job through
the server's API, where the database is the queue of record. A lost or duplicate doorbell is
harmless: the server's sweep rings again, and a second claim changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from celery import Celery

from conveyor.distributed.queues import queue_name

JOB_READY = "conveyor.job_ready"


def celery_app(broker_url: str) -> Any:
    """The app of both sides: late acks and one message per free slot, so a busy worker holds
    no doorbell another one could answer; no result backend (results go through the API)."""
    app = Celery("conveyor", broker=broker_url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=False,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 3600},
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        task_default_queue="conveyor",
    )
    return app


class Doorbell:
    """Rings a job's queue (the server's side)."""

    def __init__(self, broker_url: str) -> None:
        self._app = celery_app(broker_url)
        # A broker outage fails a ring in about 2 s (not Celery's retries): the sweep rings later.
        self._app.conf.update(broker_connection_timeout=1, task_publish_retry=False)
        options = self._app.conf.broker_transport_options
        self._app.conf.broker_transport_options = {**options, "socket_connect_timeout": 1}

    def ring(self, job_id: int, labels: Sequence[str]) -> None:
        """Raises on a broker outage (the caller logs it; the sweep rings again later)."""
        self._app.send_task(
            JOB_READY, args=[job_id], queue=queue_name(labels), retry=False, ignore_result=True
        )

    def close(self) -> None:
        self._app.close()
