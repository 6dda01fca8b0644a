"""The queue of record of `conveyor serve --broker` (conveyor.store.remote_jobs) on a real
PostgreSQL, as several server hosts would share it: claimers racing on one job (each its own
engine, in threads released together) produce exactly one claim; an expired lease is put back
in the queue as the next attempt by exactly one of two racing reapers, and the lost worker's
token no longer holds it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TypeVar

import pytest

from conveyor.bootstrap.worker_hub import WorkerHub, token_hash
from conveyor.bootstrap.worker_settings import LeaseTiming
from conveyor.store import remote_jobs as rows
from conveyor.store.database import Database, connect
from conveyor.store.schema import ensure_schema
from tests.integration.test_store_postgres import pg_server, pg_url, sqlalchemy_url
from tests.integration.test_worker_api import Recorded, document
from tests.integration.worker_fleet import redis_broker

pytestmark = pytest.mark.integration
__all__ = ["pg_server", "pg_url"]  # fixtures used by the tests below
T = TypeVar("T")
CLAIMERS = 6  # three per server


@pytest.fixture
def servers(pg_url: str) -> Iterator[list[Database]]:
    """Two servers' connections to one PostgreSQL database, its schema made."""
    databases = [connect(sqlalchemy_url(pg_url)) for _ in range(2)]
    ensure_schema(databases[0])
    yield databases
    for database in databases:
        database.dispose()


def race(calls: list[Callable[[], T]]) -> list[T]:
    """Every call at once (a barrier releases their threads together); their answers."""
    barrier = threading.Barrier(len(calls))
    answers: list[T] = []
    lock = threading.Lock()

    def run(call: Callable[[], T]) -> None:
        barrier.wait(timeout=30)
        answer = call()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == len(calls)
    return answers


def claimer(database: Database, job_id: int, number: int) -> Callable[[], int | None]:
    return lambda: rows.claim(database, job_id, f"w{number}", token_hash(f"t{number}"), 60.0)


def test_claimers_racing_on_one_job_make_exactly_one_claim(servers: list[Database]) -> None:
    for _ in range(10):
        job_id = rows.enqueue(servers[0], 1, "build", ("linux", "self-hosted"))
        calls = [claimer(servers[n % 2], job_id, n) for n in range(CLAIMERS)]
        answers = race(calls)
        assert sorted(answers, key=lambda a: a is None) == [1] + [None] * (CLAIMERS - 1)
        job = rows.get_job(servers[1], job_id)
        assert job is not None
        assert job.state == rows.CLAIMED
        assert job.worker is not None
        winner = int(job.worker.removeprefix("w"))
        assert rows.holder(servers[1], job_id, token_hash(f"t{winner}")) == job
        losers = [n for n in range(CLAIMERS) if n != winner]
        assert all(rows.holder(servers[0], job_id, token_hash(f"t{n}")) is None for n in losers)


def test_an_expired_lease_is_requeued_once_as_the_next_attempt(servers: list[Database]) -> None:
    job_id = rows.enqueue(servers[0], 1, "build", ("self-hosted",))
    assert rows.claim(servers[0], job_id, "lost", token_hash("old"), 0.3) == 1
    assert rows.expired(servers[1]) == []  # the lease is live
    deadline = time.monotonic() + 10
    while not (found := rows.expired(servers[1])):
        assert time.monotonic() < deadline, "the lease never expired"
        time.sleep(0.05)
    (lost,) = found
    assert (lost.id, lost.worker, lost.attempt) == (job_id, "lost", 1)
    requeued = race([lambda db=db: rows.requeue(db, lost) for db in servers for _ in range(2)])
    assert sorted(requeued) == [False, False, False, True]
    job = rows.get_job(servers[0], job_id)
    assert job is not None
    assert (job.state, job.attempt, job.worker, job.lease_expires) == (rows.QUEUED, 2, None, None)
    assert rows.holder(servers[0], job_id, token_hash("old")) is None
    assert not rows.finish(servers[0], job_id, "success", token_hash("old"))
    assert rows.renew(servers[1], job_id, token_hash("old"), 60.0) is None
    assert rows.claim(servers[1], job_id, "next", token_hash("new"), 60.0) == 2
    assert rows.expired(servers[0]) == []


def test_the_hubs_reaper_requeues_a_lost_job_on_postgres(servers: list[Database]) -> None:
    """The server's reaper (WorkerHub.reap, on a real Redis for its doorbells) against the
    PostgreSQL queue: the lost attempt is queued again, rung, and its log says so."""
    with redis_broker() as broker:
        hub = WorkerHub(servers[0], broker, LeaseTiming(0.1, 0.3, 1))
        try:
            reporter = Recorded()
            job_id = hub.submit(replace(document(), run_id="1"), reporter)
            grant = hub.claim(job_id, "lost")
            assert grant is not None
            deadline = time.monotonic() + 10
            while rows.holder(servers[1], job_id, token_hash(grant.token)) is not None:
                assert time.monotonic() < deadline, "the lease never expired"
                time.sleep(0.05)
            hub.reap()
            job = rows.get_job(servers[1], job_id)
            assert job is not None
            assert (job.state, job.attempt) == (rows.QUEUED, 2)
            assert "the runner lost was lost: the job runs again (attempt 2)" in reporter.lines
            assert hub.document(job_id, grant.token) is None  # the old token holds nothing
            assert hub.claim(job_id, "next") is not None
        finally:
            hub.stop()
