"""Schedule claims on a real PostgreSQL: two schedulers (each its own engine, in threads) poll
the same tick at the same instant and only one run starts per tick."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from conveyor.server.fake import FakeStarter
from conveyor.server.schedule_loop import ScheduleLoop
from conveyor.store.database import connect
from conveyor.store.schedule_claims import SqlScheduleClaims
from conveyor.store.schema import ensure_schema
from tests.integration.test_store_postgres import pg_server, pg_url, sqlalchemy_url
from tests.unit.server.schedule_helpers import (
    NIGHTLY,
    FakeClock,
    at,
    scheduled_repository,
    source_for,
)

pytestmark = pytest.mark.integration
__all__ = ["pg_server", "pg_url"]  # fixtures used by the tests below


def test_two_schedulers_on_one_postgres_fire_each_tick_once(pg_url: str, tmp_path: Path) -> None:
    repo, _ = scheduled_repository(tmp_path / "repo", {"nightly.yml": NIGHTLY})
    clock, starter = FakeClock(at(9, 59)), FakeStarter()
    databases = [connect(sqlalchemy_url(pg_url)) for _ in range(2)]
    ensure_schema(databases[0])
    loops = [
        ScheduleLoop(source_for(repo), SqlScheduleClaims(db), starter, clock=clock, owner=str(i))
        for i, db in enumerate(databases)
    ]
    for minute in (0, 15, 30):
        clock.now = at(10, minute, 1)
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=_poll, args=(loop, barrier)) for loop in loops]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    for database in databases:
        database.dispose()
    assert [request.payload for request in starter.requests] == [{"schedule": "*/15 * * * *"}] * 3


def _poll(loop: ScheduleLoop, barrier: threading.Barrier) -> None:
    barrier.wait(timeout=10)
    loop.poll()
