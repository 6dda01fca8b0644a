"""The forge's retry queue and check run ids (revision 0010) on a real PostgreSQL (the server's
database when CONVEYOR_DATABASE_URL names one)."""

from __future__ import annotations

import pytest

from conveyor.store import StoreHandle
from conveyor.store.database import Database
from conveyor.store.forge_outbox import SqlCheckRunIds, SqlForgeOutbox
from tests.integration.test_store_postgres import pg_server, pg_store, pg_url

pytestmark = pytest.mark.integration
__all__ = ["pg_server", "pg_store", "pg_url"]  # the fixtures


def test_the_retry_queue_coalesces_and_keeps_newer_reports_on_postgres(
    pg_store: StoreHandle,
) -> None:
    assert isinstance(pg_store.database, Database)
    outbox = SqlForgeOutbox(pg_store.database)
    outbox.put("check:a", "check", '{"n": 1}', now=10.0)
    [first] = outbox.due(now=10.0)
    outbox.put("check:a", "check", '{"n": 2}', now=11.0)
    outbox.sent(first)  # replaced meanwhile: kept
    [second] = outbox.due(now=11.0)
    assert second.payload == '{"n": 2}'
    outbox.later(second, not_before=40.0, reason="HTTP 502")
    assert outbox.due(now=39.0) == []
    assert outbox.next_due() == 40.0
    outbox.sent(outbox.due(now=40.0)[0])
    assert outbox.count() == 0
    ids = SqlCheckRunIds(pg_store.database)
    ids.put("run-1/attempt-1/build", 2**40)
    ids.put("run-1/attempt-1/build", 2**40)
    assert ids.get("run-1/attempt-1/build") == 2**40
