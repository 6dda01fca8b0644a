"""`schedule_ticks` claims (revision 0009) and `conveyor run`'s stdlib store on that database."""

from __future__ import annotations

from pathlib import Path

from conveyor.store.database import Database
from conveyor.store.handle import lite_handle, open_store
from conveyor.store.schedule_claims import SqlScheduleClaims
from tests.unit.store.conftest import new_run


def test_a_tick_is_claimed_once_and_the_newest_claim_is_remembered(conveyor_home: Path) -> None:
    store = open_store(conveyor_home)
    try:
        assert isinstance(store.database, Database)
        claims = SqlScheduleClaims(store.database)
        assert claims.last_tick("acme/app", "nightly.yml") is None
        assert claims.claim("acme/app", "nightly.yml", 600.0, "*/5 * * * *", "a")
        assert not claims.claim("acme/app", "nightly.yml", 600.0, "*/5 * * * *", "b")
        assert claims.claim("acme/app", "nightly.yml", 300.0, "*/5 * * * *", "b")
        assert claims.claim("acme/app", "other.yml", 600.0, "*/5 * * * *", "b")
        assert claims.last_tick("acme/app", "nightly.yml") == 600.0
    finally:
        store.close()


def test_the_run_store_still_opens_a_database_at_revision_0009(conveyor_home: Path) -> None:
    open_store(conveyor_home).close()  # created and migrated to HEAD
    handle = lite_handle(conveyor_home)
    assert handle is not None  # stdlib sqlite3, as `conveyor run` opens it
    try:
        run = handle.runs.create_run(new_run())
        assert handle.runs.get_run(run.id) is not None
    finally:
        handle.close()
