"""`forge_reports` (revision 0010): the retry queue of reports to a forge. Later reports of the
same check replace the waiting one; a report sent while a newer one arrived is not lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.store.database import Database
from conveyor.store.forge_outbox import SqlCheckRunIds, SqlForgeOutbox
from conveyor.store.handle import lite_handle, open_store
from tests.unit.store.conftest import new_run


@pytest.fixture
def outbox(conveyor_home: Path) -> Iterator[SqlForgeOutbox]:
    store = open_store(conveyor_home)
    assert isinstance(store.database, Database)
    yield SqlForgeOutbox(store.database)
    store.close()


def test_reports_of_one_check_coalesce_and_wait_their_turn(outbox: SqlForgeOutbox) -> None:
    outbox.put("check:run-1/build", "check", '{"status": "queued"}', now=100.0)
    outbox.put("check:run-1/test", "check", '{"status": "queued"}', now=100.0)
    outbox.put("check:run-1/build", "check", '{"status": "in_progress"}', now=101.0)
    due = outbox.due(now=101.0)
    assert [(entry.key, entry.payload) for entry in due] == [
        ("check:run-1/build", '{"status": "in_progress"}'),
        ("check:run-1/test", '{"status": "queued"}'),
    ]
    outbox.later(due[0], not_before=130.0, reason="HTTP 502")
    assert [entry.key for entry in outbox.due(now=129.0)] == ["check:run-1/test"]
    assert outbox.next_due() == 100.0
    outbox.sent(due[1])
    assert outbox.next_due() == 130.0
    [waiting] = outbox.due(now=130.0)
    assert (waiting.attempts, waiting.payload) == (1, '{"status": "in_progress"}')


def test_a_newer_report_that_came_while_sending_is_kept(outbox: SqlForgeOutbox) -> None:
    outbox.put("check:run-1/build", "check", '{"status": "queued"}', now=100.0)
    [sending] = outbox.due(now=100.0)
    outbox.put("check:run-1/build", "check", '{"status": "completed"}', now=100.5)
    outbox.sent(sending)  # the queued report went out; the completed one still waits
    [left] = outbox.due(now=101.0)
    assert left.payload == '{"status": "completed"}'
    outbox.sent(left)
    assert outbox.due(now=200.0) == []
    assert outbox.count() == 0


def test_the_run_store_still_opens_a_database_at_revision_0010(conveyor_home: Path) -> None:
    open_store(conveyor_home).close()
    handle = lite_handle(conveyor_home)
    assert handle is not None
    try:
        run = handle.runs.create_run(new_run())
        assert handle.runs.get_run(run.id) is not None
    finally:
        handle.close()


def test_check_run_ids_are_kept_per_external_id(conveyor_home: Path) -> None:
    store = open_store(conveyor_home)
    try:
        assert isinstance(store.database, Database)
        ids = SqlCheckRunIds(store.database)
        assert ids.get("run-1/attempt-1/build") is None
        ids.put("run-1/attempt-1/build", 4242)
        ids.put("run-1/attempt-1/build", 4242)  # again: no error
        assert SqlCheckRunIds(store.database).get("run-1/attempt-1/build") == 4242
    finally:
        store.close()
